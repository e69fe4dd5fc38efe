package data

import (
	"context"
	"fmt"
	"math/rand/v2"
)

// A Batch is one mini-batch: N images of C×H×W normalized float32 values
// in NCHW order, and their labels. Its slices belong to the Loader and are
// overwritten after the next call to Next: copy what must outlive it.
type Batch struct {
	X          []float32 // N*C*H*W values, (pixel/255 - Mean[c]) / Std[c]
	Y          []int32   // N labels
	N, C, H, W int
	Epoch      int   // the epoch passed to Loader.Epoch
	Index      int   // 0-based position of the batch in its epoch
	Images     []int // N dataset indices, where each image came from
}

// A Loader cuts a Dataset into batches, one epoch at a time, preparing
// the next batches on a background goroutine into buffers that are
// reused for the whole life of the Loader, so that steady-state iteration
// allocates nothing per batch.
//
// Typical use:
//
//	l, err := data.NewLoader(train, data.TrainConfig(train, 128, seed))
//	defer l.Close()
//	for e := range epochs {
//		it := l.Epoch(ctx, e)
//		for it.Next() {
//			b := it.Batch() // b.X, b.Y
//		}
//		if err := it.Err(); err != nil { ... }
//	}
//
// The batches of epoch e depend only on (Dataset, Config, e): resuming at
// epoch e, or running another estimator with the same seed, sees the same
// batches in the same order. A Loader is used by one goroutine at a time.
type Loader struct {
	d       *Dataset
	cfg     Config
	c, h, w int // batch image shape

	images  []int // the images of an epoch before shuffling (subset or all)
	order   []int // the current epoch's order
	batches int

	lut  []float32 // C×256: normalized value of each pixel byte per channel
	bufs []*Batch
	pcg  rand.PCG   // augmentation stream, used only by the producer goroutine
	rng  *rand.Rand // wraps pcg

	open *Epoch
}

// NewLoader returns a Loader over d. It validates d and cfg.
func NewLoader(d *Dataset, cfg Config) (*Loader, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	if cfg.BatchSize <= 0 {
		return nil, fmt.Errorf("data: batch size %d, want a positive number", cfg.BatchSize)
	}
	if cfg.Augment.Pad < 0 {
		return nil, fmt.Errorf("data: crop padding %d, want ≥ 0", cfg.Augment.Pad)
	}
	if cfg.Augment.Pad > 0 && !cfg.Augment.Crop {
		return nil, fmt.Errorf("data: crop padding %d without random crop", cfg.Augment.Pad)
	}
	if cfg.Prefetch < 0 {
		return nil, fmt.Errorf("data: prefetch %d, want ≥ 0", cfg.Prefetch)
	}
	if cfg.Subset < 0 {
		return nil, fmt.Errorf("data: subset %d, want ≥ 0", cfg.Subset)
	}
	if cfg.Holdout < 0 || cfg.Holdout > 0 && cfg.Holdout >= d.N {
		return nil, fmt.Errorf("data: holdout %d of the %d images of %s, want 0 (none) or 1..%d", cfg.Holdout, d.N, d, d.N-1)
	}
	if cfg.Validation && cfg.Holdout == 0 {
		return nil, fmt.Errorf("data: a validation loader without a holdout")
	}
	l := &Loader{d: d, cfg: cfg}
	l.rng = rand.New(&l.pcg)
	l.c, l.h, l.w = d.BatchShape()
	if p := cfg.Augment.Pad; p >= min(l.h, l.w) {
		return nil, fmt.Errorf("data: crop padding %d for %d×%d batches of %s, want 0..%d: a crop could then show no pixel of the image", p, l.h, l.w, d, min(l.h, l.w)-1)
	}

	pool := make([]int, d.N)
	for i := range pool {
		pool[i] = i
	}
	if cfg.Holdout > 0 {
		held := stratifiedSubset(d.Labels, pool, d.Classes, cfg.Holdout, newRand(cfg.Seed, purposeHoldout, 0, 0))
		if cfg.Validation {
			pool = held
		} else {
			pool = complement(pool, held)
		}
	}
	if cfg.Subset > len(pool) {
		// Not the whole split silently: a caller's size would stand for
		// images the loader does not have.
		return nil, fmt.Errorf("data: subset %d is more than the %d images of %s: want at most %d, or 0 for all of them", cfg.Subset, len(pool), l.describe(), len(pool))
	}
	if cfg.Subset > 0 && cfg.Subset < len(pool) {
		l.images = stratifiedSubset(d.Labels, pool, d.Classes, cfg.Subset, newRand(cfg.Seed, purposeSubset, 0, 0))
	} else {
		l.images = pool
	}
	if cfg.BatchSize > len(l.images) {
		return nil, fmt.Errorf("data: batch size %d is larger than the %d images it batches (%s): want at most %d", cfg.BatchSize, len(l.images), l.describe(), len(l.images))
	}
	l.order = make([]int, len(l.images))
	l.batches = len(l.images) / cfg.BatchSize
	if !cfg.DropLast && len(l.images)%cfg.BatchSize != 0 {
		l.batches++
	}
	if cfg.Prefetch > l.batches {
		return nil, fmt.Errorf("data: prefetch %d, want 0..%d, the batches of an epoch (%s in batches of %d): no more can be prepared ahead", cfg.Prefetch, l.batches, l.describe(), cfg.BatchSize)
	}
	if cfg.Prefetch == 0 {
		cfg.Prefetch = min(2, l.batches)
		l.cfg.Prefetch = cfg.Prefetch
	}

	l.lut = make([]float32, d.C*256)
	for c := range d.C {
		mean, std := float64(d.Mean[c]), float64(d.Std[c])
		for v := range 256 {
			l.lut[c*256+v] = float32((float64(v)/255 - mean) / std)
		}
	}

	bs := cfg.BatchSize
	size := l.c * l.h * l.w
	l.bufs = make([]*Batch, cfg.Prefetch+1)
	for i := range l.bufs {
		l.bufs[i] = &Batch{
			X:      make([]float32, bs*size),
			Y:      make([]int32, bs),
			Images: make([]int, bs),
		}
	}
	return l, nil
}

// describe names the images the loader reads, for errors: the split, and
// the subset, held-out part or rest of it.
func (l *Loader) describe() string {
	s := fmt.Sprintf("the %s split of %s", l.d.Split, l.d.Name)
	switch {
	case l.cfg.Validation:
		s = fmt.Sprintf("the %d images held out of %s", l.cfg.Holdout, s)
	case l.cfg.Holdout > 0 && l.cfg.Subset > 0 && l.cfg.Subset < l.d.N-l.cfg.Holdout:
		s = fmt.Sprintf("a subset of %d of %s, less %d held out", l.cfg.Subset, s, l.cfg.Holdout)
	case l.cfg.Holdout > 0:
		s = fmt.Sprintf("%s less %d held out", s, l.cfg.Holdout)
	case l.cfg.Subset > 0 && l.cfg.Subset < l.d.N:
		s = fmt.Sprintf("a subset of %d of %s", l.cfg.Subset, s)
	}
	return s
}

// Len returns the number of images in an epoch: the subset size, or the
// whole split.
func (l *Loader) Len() int { return len(l.images) }

// Batches returns the number of batches in an epoch.
func (l *Loader) Batches() int { return l.batches }

// Dataset returns the dataset the loader reads.
func (l *Loader) Dataset() *Dataset { return l.d }

// Config returns the loader's configuration, defaults filled in.
func (l *Loader) Config() Config { return l.cfg }

// Close stops the open epoch, if any, and waits for its goroutine.
func (l *Loader) Close() {
	if l.open != nil {
		l.open.Close()
	}
}

// Epoch starts epoch e (0-based) and returns its iterator. Call Close on
// it when done (or stop early); a new call to Epoch closes the previous
// epoch's iterator first. ctx cancels the background work: Next then
// returns false and Err reports ctx's error.
func (l *Loader) Epoch(ctx context.Context, e int) *Epoch {
	if l.open != nil {
		l.open.Close()
	}
	copy(l.order, l.images)
	if l.cfg.Shuffle {
		r := newRand(l.cfg.Seed, purposeOrder, uint64(e), 0)
		r.Shuffle(len(l.order), func(i, j int) { l.order[i], l.order[j] = l.order[j], l.order[i] })
	}
	ctx, cancel := context.WithCancel(ctx)
	it := &Epoch{
		l:      l,
		ctx:    ctx,
		cancel: cancel,
		epoch:  e,
		ready:  make(chan *Batch, len(l.bufs)),
		free:   make(chan *Batch, len(l.bufs)),
		done:   make(chan struct{}),
	}
	for _, b := range l.bufs {
		it.free <- b
	}
	l.open = it
	go it.produce()
	return it
}

// An Epoch iterates over the batches of one epoch.
type Epoch struct {
	l      *Loader
	ctx    context.Context
	cancel context.CancelFunc
	epoch  int
	ready  chan *Batch // filled batches, in order; closed by the producer
	free   chan *Batch // buffers the producer may fill
	done   chan struct{}
	cur    *Batch
	err    error
	closed bool
}

func (it *Epoch) produce() {
	defer close(it.done)
	defer close(it.ready)
	for b := range it.l.batches {
		var buf *Batch
		select {
		case buf = <-it.free:
		case <-it.ctx.Done():
			return
		}
		it.l.fill(buf, it.epoch, b)
		select {
		case it.ready <- buf:
		case <-it.ctx.Done():
			return
		}
	}
}

// Next advances to the next batch and reports whether there is one. The
// previous batch's buffers are handed back for reuse.
func (it *Epoch) Next() bool {
	if it.closed || it.err != nil {
		return false
	}
	if it.cur != nil {
		it.free <- it.cur // never blocks: free has room for every buffer
		it.cur = nil
	}
	if err := it.ctx.Err(); err != nil {
		it.err = fmt.Errorf("data: epoch %d: %w", it.epoch, err)
		return false
	}
	b, ok := <-it.ready
	if !ok {
		if err := it.ctx.Err(); err != nil {
			it.err = fmt.Errorf("data: epoch %d: %w", it.epoch, err)
		}
		return false
	}
	it.cur = b
	return true
}

// Batch returns the current batch, valid until the next call to Next or
// Close.
func (it *Epoch) Batch() *Batch { return it.cur }

// Err returns the error that ended the epoch early (the context's), or nil.
func (it *Epoch) Err() error { return it.err }

// Close stops the background goroutine and waits for it. It is safe to
// call more than once.
func (it *Epoch) Close() {
	if it.closed {
		return
	}
	it.closed = true
	it.cancel()
	<-it.done
	it.cur = nil
	if it.l.open == it {
		it.l.open = nil
	}
}

// fill writes batch b of epoch e into buf.
func (l *Loader) fill(buf *Batch, e, b int) {
	d, cfg := l.d, l.cfg
	lo := b * cfg.BatchSize
	hi := min(lo+cfg.BatchSize, len(l.order))
	n := hi - lo
	size := l.c * l.h * l.w
	buf.N, buf.C, buf.H, buf.W = n, l.c, l.h, l.w
	buf.Epoch, buf.Index = e, b
	buf.X = buf.X[:n*size]
	buf.Y = buf.Y[:n]
	buf.Images = buf.Images[:n]

	aug := cfg.Augment
	r := l.rng
	if aug.Crop || aug.Flip {
		reseed(&l.pcg, cfg.Seed, purposeAugment, uint64(e), uint64(b))
	}
	p := aug.Pad
	for k := range n {
		i := l.order[lo+k]
		buf.Images[k] = i
		buf.Y[k] = d.Labels[i]
		// Window origin in the padded image's coordinates.
		oy, ox := (d.H-l.h)/2+p, (d.W-l.w)/2+p
		if aug.Crop {
			oy = r.IntN(d.H + 2*p - l.h + 1)
			ox = r.IntN(d.W + 2*p - l.w + 1)
		}
		flip := aug.Flip && r.Uint64()&1 == 1
		l.copyImage(buf.X[k*size:(k+1)*size], d.Image(i), oy-p, ox-p, flip)
	}
}

// copyImage writes the h×w window of src (C×H×W) whose top-left corner is
// at (y0, x0), possibly outside the image, normalized, into dst (C×h×w);
// pixels outside the image are black. flip mirrors the window.
func (l *Loader) copyImage(dst []float32, src []uint8, y0, x0 int, flip bool) {
	d := l.d
	for c := range l.c {
		lut := l.lut[c*256 : (c+1)*256 : (c+1)*256]
		black := lut[0]
		for y := range l.h {
			row := dst[(c*l.h+y)*l.w : (c*l.h+y+1)*l.w]
			sy := y0 + y
			if sy < 0 || sy >= d.H {
				for x := range row {
					row[x] = black
				}
				continue
			}
			srow := src[(c*d.H+sy)*d.W : (c*d.H+sy+1)*d.W]
			// Columns x with 0 ≤ x0+x < W come from the image.
			xa, xb := max(0, -x0), min(l.w, d.W-x0)
			if xb < xa {
				xa, xb = 0, 0
			}
			if !flip {
				for x := range xa {
					row[x] = black
				}
				for x := xa; x < xb; x++ {
					row[x] = lut[srow[x0+x]]
				}
				for x := xb; x < l.w; x++ {
					row[x] = black
				}
				continue
			}
			// Mirrored: output column x shows window column w-1-x.
			for x := range l.w {
				wx := l.w - 1 - x
				if wx < xa || wx >= xb {
					row[x] = black
				} else {
					row[x] = lut[srow[x0+wx]]
				}
			}
		}
	}
}
