package data

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"math"
	"reflect"
	"runtime"
	"slices"
	"testing"
)

func TestSyntheticDeterministic(t *testing.T) {
	cfg := SyntheticConfig{N: 300, C: 3, H: 12, W: 10, Classes: 7, Seed: 42}
	a, err := Synthetic(Train, cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Generated anew: Synthetic would answer with a copy of a.
	b, err := generateSynthetic(Train, cfg.withDefaults(Train))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Pixels, b.Pixels) || !slices.Equal(a.Labels, b.Labels) {
		t.Fatal("Synthetic with the same config gave different datasets")
	}
	if a.N != 300 || a.C != 3 || a.H != 12 || a.W != 10 || a.Classes != 7 || len(a.Pixels) != 300*3*12*10 {
		t.Fatalf("Synthetic shape = %v", a)
	}
	other, _ := Synthetic(Train, SyntheticConfig{N: 300, C: 3, H: 12, W: 10, Classes: 7, Seed: 43})
	if bytes.Equal(a.Pixels, other.Pixels) {
		t.Error("seeds 42 and 43 gave the same pixels")
	}
	test, _ := Synthetic(Test, cfg)
	if bytes.Equal(a.Pixels, test.Pixels) {
		t.Error("train and test splits have the same pixels")
	}
	for k, n := range a.ClassCounts() {
		if n < 300/7 || n > 300/7+1 {
			t.Errorf("class %d has %d images, want %d or %d", k, n, 300/7, 300/7+1)
		}
	}
}

// TestSyntheticKeptSplits: a split asked for again is the one generated,
// field for field, in slices of its own: what one caller writes into its
// dataset reaches neither the next caller's nor the copy kept. The kept
// splits are the last syntheticKeep made.
func TestSyntheticKeptSplits(t *testing.T) {
	cfg := SyntheticConfig{N: 50, C: 2, H: 6, W: 5, Classes: 3, Seed: 7}
	want, err := generateSynthetic(Test, cfg.withDefaults(Test))
	if err != nil {
		t.Fatal(err)
	}
	scribble := func(d *Dataset) {
		d.Pixels[0] ^= 0xff
		d.Labels[len(d.Labels)-1]++
		d.Mean[0], d.Std[1] = 9, 9
	}
	for i := range 3 {
		d, err := Synthetic(Test, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(d, want) {
			t.Fatalf("call %d: Synthetic gave\n%+v\nwant the split generated\n%+v", i+1, d, want)
		}
		scribble(d)
	}
	if syntheticMade.get(Test, cfg.withDefaults(Test)) == nil {
		t.Error("the split asked for three times is not kept")
	}
	for seed := range uint64(syntheticKeep) {
		if _, err := Synthetic(Train, SyntheticConfig{N: 4, C: 1, H: 2, W: 2, Classes: 2, Seed: 100 + seed}); err != nil {
			t.Fatal(err)
		}
	}
	if syntheticMade.get(Test, cfg.withDefaults(Test)) != nil {
		t.Errorf("the split is kept after %d others were made", syntheticKeep)
	}
}

// TestSyntheticGolden pins the bytes of a small synthetic dataset, so that
// a change to the generator, which would change every test and CI result
// built on it, is deliberate.
func TestSyntheticGolden(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("golden bytes recorded on amd64; floating-point fusion may differ elsewhere")
	}
	d, err := Synthetic(Train, SyntheticConfig{N: 64, C: 2, H: 8, W: 8, Classes: 4, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	h.Write(d.Pixels)
	for _, y := range d.Labels {
		h.Write([]byte{byte(y)})
	}
	const want = "2a5c02e6b31b996a9ea5281e9eb554a71a25c89893370626437cf1f3703d665f"
	if got := fmt.Sprintf("%x", h.Sum(nil)); got != want {
		t.Errorf("sha256 of synthetic(N=64, 2×8×8, 4 classes, seed 1) = %s, want %s", got, want)
	}
}

func TestSyntheticDefaults(t *testing.T) {
	for _, tc := range []struct {
		split Split
		n     int
	}{{Train, 2048}, {Test, 512}} {
		d, err := Synthetic(tc.split, SyntheticConfig{})
		if err != nil {
			t.Fatal(err)
		}
		if d.N != tc.n || d.C != 1 || d.H != 16 || d.W != 16 || d.Classes != 10 {
			t.Errorf("Synthetic(%v, {}) = %v, want %d images 1×16×16, 10 classes", tc.split, d, tc.n)
		}
	}
}

func TestSyntheticBadConfig(t *testing.T) {
	for _, cfg := range []SyntheticConfig{
		{N: -1},
		{Classes: 1},
		{C: -2},
		{Noise: math.NaN()},
		{N: 1 << 30, H: 1000, W: 1000},
	} {
		if _, err := Synthetic(Train, cfg); err == nil {
			t.Errorf("Synthetic(%+v) succeeded, want an error", cfg)
		}
	}
}

// TestSyntheticLearnable checks that the classes are separable but not
// trivially: a nearest-centroid classifier trained on the train split is
// far above chance on the test split, yet well short of perfect (shifts,
// distractors and noise are there for a CNN to overcome).
func TestSyntheticLearnable(t *testing.T) {
	cfg := SyntheticConfig{Seed: 7}
	train, _ := Synthetic(Train, cfg)
	test, _ := Synthetic(Test, cfg)
	size := train.ImageSize()
	cent := make([]float64, train.Classes*size)
	counts := train.ClassCounts()
	for i := range train.N {
		y := int(train.Labels[i])
		for j, p := range train.Image(i) {
			cent[y*size+j] += float64(p) / float64(counts[y])
		}
	}
	correct := 0
	for i := range test.N {
		best, bestD := -1, math.Inf(1)
		for k := range test.Classes {
			var dist float64
			for j, p := range test.Image(i) {
				d := float64(p) - cent[k*size+j]
				dist += d * d
			}
			if dist < bestD {
				best, bestD = k, dist
			}
		}
		if best == int(test.Labels[i]) {
			correct++
		}
	}
	acc := float64(correct) / float64(test.N)
	t.Logf("nearest-centroid test accuracy %.3f (chance 0.1)", acc)
	if acc < 0.4 || acc > 0.97 {
		t.Errorf("nearest-centroid accuracy = %.3f, want in [0.4, 0.97]: the classes should be learnable but not trivially", acc)
	}
}
