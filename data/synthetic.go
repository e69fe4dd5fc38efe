package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
)

// SyntheticConfig describes a generated dataset. The zero value of each
// field means its default.
type SyntheticConfig struct {
	N       int    // images in the split; default 2048 for Train, 512 for Test
	C, H, W int    // image shape; default 1×16×16
	Classes int    // default 10
	Seed    uint64 // the same seed gives the same bytes

	// Noise is the standard deviation of the per-pixel Gaussian noise, in
	// units of the class pattern's RMS amplitude. Zero means the default
	// 0.6; a negative value means no noise at all.
	Noise float64
}

// Synthetic default sizes.
const (
	syntheticTrainN = 2048
	syntheticTestN  = 512
	syntheticSide   = 16
	syntheticNoise  = 0.6
)

// syntheticMean and syntheticStd are the per-channel statistics that the
// generator targets: pixels are 0.5 + 0.25·signal, signal of unit RMS, so
// pixel/255 has mean ≈ 0.5 and std ≈ 0.25·sqrt(1+Noise²+…), clipped to
// [0, 1]. They are fixed rather than measured so that both splits, and any
// N, normalize identically.
const (
	syntheticMean = 0.5
	syntheticStd  = 0.25
)

func (cfg SyntheticConfig) withDefaults(split Split) SyntheticConfig {
	if cfg.N == 0 {
		cfg.N = syntheticTrainN
		if split == Test {
			cfg.N = syntheticTestN
		}
	}
	if cfg.C == 0 {
		cfg.C = 1
	}
	if cfg.H == 0 {
		cfg.H = syntheticSide
	}
	if cfg.W == 0 {
		cfg.W = syntheticSide
	}
	if cfg.Classes == 0 {
		cfg.Classes = 10
	}
	if cfg.Noise == 0 {
		cfg.Noise = syntheticNoise
	}
	if cfg.Noise < 0 {
		cfg.Noise = 0
	}
	return cfg
}

// Synthetic generates one split of a deterministic dataset with learnable
// class structure. It is meant for tests and CI, never as a benchmark.
//
// Each class k has a pattern P_k: per channel, the sum of four Gaussian
// bumps of random sign, centre and width (widths H/8…H/4), scaled to zero
// mean and unit RMS. Patterns depend only on (Seed, Classes, C, H, W), so
// the Train and Test splits share them. Image i of class y = i mod Classes
// (classes are balanced and interleaved) is
//
//	pixel = 0.5 + 0.25·(a·shift(P_y) + b·shift(P_j) + Noise·ε)
//
// clipped to [0, 1] and rounded to uint8, where shift moves the pattern by
// up to ±H/8 rows and ±W/8 columns (zero fill), a ∈ [0.6, 1] is a random
// contrast, P_j is a random other class's pattern blended in with
// b ∈ [0, 0.5] as a distractor, and ε is per-pixel standard normal noise.
// The shifts reward translation invariance (a small CNN beats a linear
// model), the distractor and noise keep accuracy below 100%.
//
// The images of a split depend only on (Seed, Split, the config). The same
// config gives identical bytes on the same architecture (floating-point
// fusion may differ between architectures, which can move a pixel by one).
// Mean and Std are fixed at 0.5 and 0.25 per channel, the values the
// generator targets, so that every split and size normalizes alike.
//
// A process keeps a copy of the few small splits it generated last and
// answers the same split and config again with a copy of that: the same
// bytes, in slices of the caller's own.
func Synthetic(split Split, cfg SyntheticConfig) (*Dataset, error) {
	if split != Train && split != Test {
		return nil, fmt.Errorf("data: synthetic: unknown split %v", split)
	}
	cfg = cfg.withDefaults(split)
	if cfg.N < 0 || cfg.C < 0 || cfg.H < 0 || cfg.W < 0 || cfg.Classes < 0 {
		return nil, fmt.Errorf("data: synthetic: negative size N=%d C=%d H=%d W=%d classes=%d", cfg.N, cfg.C, cfg.H, cfg.W, cfg.Classes)
	}
	if cfg.Classes < 2 {
		return nil, fmt.Errorf("data: synthetic: %d classes, want at least 2", cfg.Classes)
	}
	if math.IsNaN(cfg.Noise) || math.IsInf(cfg.Noise, 0) {
		return nil, fmt.Errorf("data: synthetic: noise %v, want a finite number", cfg.Noise)
	}
	const maxBytes = 1 << 34
	if size := float64(cfg.N) * float64(cfg.C) * float64(cfg.H) * float64(cfg.W); size > maxBytes {
		return nil, fmt.Errorf("data: synthetic: %d×%d×%d×%d = %.0f bytes, want at most %d", cfg.N, cfg.C, cfg.H, cfg.W, size, int64(maxBytes))
	}

	if d := syntheticMade.get(split, cfg); d != nil {
		return d, nil
	}
	d, err := generateSynthetic(split, cfg)
	if err == nil {
		syntheticMade.put(split, cfg, d)
	}
	return d, err
}

// syntheticMade holds copies of the splits Synthetic generated last, at
// most syntheticKeep of them and each of at most syntheticKeepBytes
// pixels: a run opens its synthetic splits again for each cell, and the
// tests of the packages above this one open the same two default splits
// some 700 times, each generated pixel by pixel (a normal deviate per
// pixel), a tenth of their CPU under the race detector.
var syntheticMade madeSplits

const (
	syntheticKeep      = 4
	syntheticKeepBytes = 1 << 22
)

type madeSplits struct {
	mu     sync.Mutex
	splits []madeSplit // the most recently made last
}

type madeSplit struct {
	split Split
	cfg   SyntheticConfig // with its defaults
	d     *Dataset        // a copy no caller holds
}

// get returns a copy of the split made for split and cfg, or nil.
func (m *madeSplits) get(split Split, cfg SyntheticConfig) *Dataset {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range m.splits {
		if s.split == split && s.cfg == cfg {
			return s.d.clone()
		}
	}
	return nil
}

// put keeps a copy of d, made for split and cfg, if it is small enough,
// dropping the oldest split kept when there are syntheticKeep already.
func (m *madeSplits) put(split Split, cfg SyntheticConfig, d *Dataset) {
	if len(d.Pixels) > syntheticKeepBytes {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.splits) == syntheticKeep {
		m.splits = slices.Delete(m.splits, 0, 1)
	}
	m.splits = append(m.splits, madeSplit{split, cfg, d.clone()})
}

// clone returns a copy of d that shares no slice with it.
func (d *Dataset) clone() *Dataset {
	c := *d
	c.ClassNames = slices.Clone(d.ClassNames)
	c.Mean, c.Std = slices.Clone(d.Mean), slices.Clone(d.Std)
	c.Files = slices.Clone(d.Files)
	c.Pixels, c.Labels = slices.Clone(d.Pixels), slices.Clone(d.Labels)
	return &c
}

// generateSynthetic makes the split Synthetic describes, from cfg with its
// defaults, checked.
func generateSynthetic(split Split, cfg SyntheticConfig) (*Dataset, error) {
	c, h, w, classes := cfg.C, cfg.H, cfg.W, cfg.Classes
	plane := h * w
	size := c * plane
	protos := syntheticPrototypes(cfg)

	d := &Dataset{
		Name:    "synthetic",
		Split:   split,
		N:       cfg.N,
		C:       c,
		H:       h,
		W:       w,
		Classes: classes,
		Mean:    make([]float32, c),
		Std:     make([]float32, c),
		Pixels:  make([]uint8, cfg.N*size),
		Labels:  make([]int32, cfg.N),
	}
	for i := range c {
		d.Mean[i], d.Std[i] = syntheticMean, syntheticStd
	}

	r := newRand(cfg.Seed, purposeSample, uint64(split), 0)
	maxDy, maxDx := max(1, h/8), max(1, w/8)
	for i := range cfg.N {
		y := i % classes
		j := (y + 1 + r.IntN(classes-1)) % classes
		a := 0.6 + 0.4*r.Float64()
		b := 0.5 * r.Float64()
		dy1, dx1 := r.IntN(2*maxDy+1)-maxDy, r.IntN(2*maxDx+1)-maxDx
		dy2, dx2 := r.IntN(2*maxDy+1)-maxDy, r.IntN(2*maxDx+1)-maxDx
		d.Labels[i] = int32(y)
		img := d.Pixels[i*size : (i+1)*size]
		py, pj := protos[y*size:(y+1)*size], protos[j*size:(j+1)*size]
		for ch := range c {
			for row := range h {
				for col := range w {
					o := ch*plane + row*w + col
					s := a*shifted(py[ch*plane:], h, w, row-dy1, col-dx1) +
						b*shifted(pj[ch*plane:], h, w, row-dy2, col-dx2) +
						cfg.Noise*r.NormFloat64()
					v := float64(0.5+0.25*s) * 255
					img[o] = uint8(math.Round(min(255, max(0, v))))
				}
			}
		}
	}
	return d, d.Validate()
}

// shifted returns p[row][col] of an h×w plane, or 0 outside it.
func shifted(p []float64, h, w, row, col int) float64 {
	if row < 0 || row >= h || col < 0 || col >= w {
		return 0
	}
	return p[row*w+col]
}

// syntheticPrototypes returns Classes patterns of C×H×W, each channel the
// sum of four random Gaussian bumps scaled to zero mean and unit RMS.
func syntheticPrototypes(cfg SyntheticConfig) []float64 {
	c, h, w := cfg.C, cfg.H, cfg.W
	plane := h * w
	protos := make([]float64, cfg.Classes*c*plane)
	r := newRand(cfg.Seed, purposePrototype, 0, 0)
	for k := range cfg.Classes {
		for ch := range c {
			p := protos[(k*c+ch)*plane : (k*c+ch+1)*plane]
			for range 4 {
				cy, cx := r.Float64()*float64(h), r.Float64()*float64(w)
				sy := float64(h) * (0.125 + 0.125*r.Float64())
				sx := float64(w) * (0.125 + 0.125*r.Float64())
				sign := 1.0
				if r.IntN(2) == 0 {
					sign = -1
				}
				for row := range h {
					for col := range w {
						dy, dx := (float64(row)+0.5-cy)/sy, (float64(col)+0.5-cx)/sx
						p[row*w+col] += sign * math.Exp(-0.5*(dy*dy+dx*dx))
					}
				}
			}
			normalize(p, r)
		}
	}
	return protos
}

// normalize scales p to zero mean and unit RMS; a flat p (possible only on
// a 1×1 plane) becomes a random ±1.
func normalize(p []float64, r *rand.Rand) {
	var mean float64
	for _, v := range p {
		mean += v
	}
	mean /= float64(len(p))
	var ss float64
	for i := range p {
		p[i] -= mean
		ss += p[i] * p[i]
	}
	if ss < 1e-12 {
		for i := range p {
			p[i] = float64(2*r.IntN(2) - 1)
		}
		return
	}
	scale := 1 / math.Sqrt(ss/float64(len(p)))
	for i := range p {
		p[i] *= scale
	}
}

// KnownSize returns the number of images of the named dataset's split
// when it is fixed without reading anything (the synthetic dataset, as
// Open generates it with Options' zero SyntheticConfig), and false for a
// dataset read from files, whose files say.
func KnownSize(name string, split Split) (int, bool) {
	if name != "synthetic" {
		return 0, false
	}
	return SyntheticConfig{}.withDefaults(split).N, true
}
