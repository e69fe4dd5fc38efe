package data

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

func synth(t testing.TB, split Split, cfg SyntheticConfig) *Dataset {
	t.Helper()
	d, err := Synthetic(split, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func newLoader(t testing.TB, d *Dataset, cfg Config) *Loader {
	t.Helper()
	l, err := NewLoader(d, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	return l
}

// epochBatches collects copies of every batch of epoch e.
func epochBatches(t testing.TB, l *Loader, e int) []Batch {
	t.Helper()
	it := l.Epoch(context.Background(), e)
	defer it.Close()
	var out []Batch
	for it.Next() {
		b := *it.Batch()
		b.X = slices.Clone(b.X)
		b.Y = slices.Clone(b.Y)
		b.Images = slices.Clone(b.Images)
		out = append(out, b)
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestLoaderEvalCoversSplitInOrder(t *testing.T) {
	d := synth(t, Test, SyntheticConfig{N: 103, H: 6, W: 5})
	l := newLoader(t, d, EvalConfig(10))
	if l.Batches() != 11 || l.Len() != 103 {
		t.Fatalf("Batches() = %d, Len() = %d, want 11 and 103", l.Batches(), l.Len())
	}
	bs := epochBatches(t, l, 0)
	if len(bs) != 11 {
		t.Fatalf("got %d batches, want 11", len(bs))
	}
	next := 0
	for bi, b := range bs {
		wantN := 10
		if bi == 10 {
			wantN = 3
		}
		if b.N != wantN || b.C != 1 || b.H != 6 || b.W != 5 || len(b.X) != wantN*30 || len(b.Y) != wantN || b.Index != bi {
			t.Fatalf("batch %d: N=%d C=%d H=%d W=%d len(X)=%d len(Y)=%d Index=%d, want N=%d 1×6×5", bi, b.N, b.C, b.H, b.W, len(b.X), len(b.Y), b.Index, wantN)
		}
		for k := range b.N {
			if b.Images[k] != next {
				t.Fatalf("batch %d image %d is dataset image %d, want %d", bi, k, b.Images[k], next)
			}
			if b.Y[k] != d.Labels[next] {
				t.Fatalf("batch %d label %d = %d, want %d", bi, k, b.Y[k], d.Labels[next])
			}
			for j, p := range d.Image(next) {
				want := float32((float64(p)/255 - 0.5) / 0.25)
				if got := b.X[k*30+j]; got != want {
					t.Fatalf("batch %d image %d value %d = %v, want (%d/255-0.5)/0.25 = %v", bi, k, j, got, p, want)
				}
			}
			next++
		}
	}
}

func TestLoaderDropLast(t *testing.T) {
	d := synth(t, Train, SyntheticConfig{N: 103, H: 4, W: 4})
	cfg := EvalConfig(10)
	cfg.DropLast = true
	l := newLoader(t, d, cfg)
	bs := epochBatches(t, l, 0)
	if l.Batches() != 10 || len(bs) != 10 || bs[9].N != 10 {
		t.Fatalf("DropLast: Batches() = %d, got %d batches, want 10 full ones", l.Batches(), len(bs))
	}
}

// TestLoaderDeterministic checks that batches depend only on (seed, epoch,
// batch): a second loader, an epoch visited out of order (a resumed run)
// and a repeated epoch all give identical batches; another epoch or seed
// gives different ones.
func TestLoaderDeterministic(t *testing.T) {
	d := synth(t, Train, SyntheticConfig{N: 200, H: 12, W: 12})
	cfg := TrainConfig(d, 32, 5)
	a := newLoader(t, d, cfg)
	b := newLoader(t, d, cfg)
	a0, a1 := epochBatches(t, a, 0), epochBatches(t, a, 1)
	b1 := epochBatches(t, b, 1) // resumed at epoch 1
	b0 := epochBatches(t, b, 0)
	a1again := epochBatches(t, a, 1)
	same := func(x, y []Batch) bool {
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if !slices.Equal(x[i].X, y[i].X) || !slices.Equal(x[i].Y, y[i].Y) || !slices.Equal(x[i].Images, y[i].Images) {
				return false
			}
		}
		return true
	}
	if !same(a0, b0) || !same(a1, b1) || !same(a1, a1again) {
		t.Error("the same (seed, epoch) gave different batches")
	}
	if same(a0, a1) {
		t.Error("epochs 0 and 1 gave the same batches")
	}
	c := newLoader(t, d, TrainConfig(d, 32, 6))
	if same(a0, epochBatches(t, c, 0)) {
		t.Error("seeds 5 and 6 gave the same batches")
	}
	// Every image exactly once per epoch.
	var seen []int
	for _, bt := range a1 {
		seen = append(seen, bt.Images...)
	}
	slices.Sort(seen)
	for i, v := range seen {
		if v != i {
			t.Fatalf("epoch 1 sorted images[%d] = %d: an image is missing or repeated", i, v)
		}
	}
}

// TestAugment checks crops and flips against a direct computation from the
// padded image, and that they vary between images.
func TestAugment(t *testing.T) {
	const h, w, pad = 7, 9, 2
	d := synth(t, Train, SyntheticConfig{N: 64, C: 2, H: h, W: w})
	cfg := Config{BatchSize: 16, Seed: 3, Augment: Augment{Crop: true, Pad: pad, Flip: true}}
	l := newLoader(t, d, cfg)
	bs := epochBatches(t, l, 0)
	norm := func(v uint8) float32 { return float32((float64(v)/255 - 0.5) / 0.25) }
	flips, shifts := 0, map[[2]int]bool{}
	for _, b := range bs {
		for k := range b.N {
			img := d.Image(b.Images[k])
			got := b.X[k*2*h*w : (k+1)*2*h*w]
			// Find the (dy, dx, flip) that explains the output.
			found := false
			for dy := -pad; dy <= pad && !found; dy++ {
				for dx := -pad; dx <= pad && !found; dx++ {
					for _, f := range []bool{false, true} {
						ok := true
						for c := 0; c < 2 && ok; c++ {
							for y := 0; y < h && ok; y++ {
								for x := 0; x < w && ok; x++ {
									wx := x
									if f {
										wx = w - 1 - x
									}
									sy, sx := y+dy, wx+dx
									want := norm(0)
									if sy >= 0 && sy < h && sx >= 0 && sx < w {
										want = norm(img[(c*h+sy)*w+sx])
									}
									ok = got[(c*h+y)*w+x] == want
								}
							}
						}
						if ok {
							found = true
							shifts[[2]int{dy, dx}] = true
							if f {
								flips++
							}
							break
						}
					}
				}
			}
			if !found {
				t.Fatalf("batch %d image %d is no padded crop or flip of dataset image %d", b.Index, k, b.Images[k])
			}
		}
	}
	if flips < 16 || flips > 48 {
		t.Errorf("%d of 64 images flipped, want about half", flips)
	}
	if len(shifts) <= 25/2 {
		t.Errorf("only %d distinct crop offsets in 64 images, want most of the 25", len(shifts))
	}
	// Every row and every column offset in [-pad, pad] occurs: a window
	// drawn from too narrow a range (the padding counted on one side only)
	// leaves some out while still giving many distinct offsets.
	var seen [2]map[int]bool // row and column offsets
	seen[0], seen[1] = map[int]bool{}, map[int]bool{}
	for s := range shifts {
		seen[0][s[0]], seen[1][s[1]] = true, true
	}
	for i, axis := range []string{"row", "column"} {
		for off := -pad; off <= pad; off++ {
			if !seen[i][off] {
				t.Errorf("no image cropped at %s offset %d in 64 images, want every offset in [%d, %d]", axis, off, -pad, pad)
			}
		}
	}
}

func TestDefaultAugment(t *testing.T) {
	for _, tc := range []struct {
		h, w, crop int
		want       Augment
	}{
		{28, 28, 0, Augment{Crop: true, Pad: 2, Flip: true}},
		{32, 32, 0, Augment{Crop: true, Pad: 4, Flip: true}},
		{256, 256, 224, Augment{Crop: true, Flip: true}},
	} {
		d := &Dataset{H: tc.h, W: tc.w, Crop: tc.crop}
		if got := DefaultAugment(d); got != tc.want {
			t.Errorf("DefaultAugment(%d×%d crop %d) = %+v, want %+v", tc.h, tc.w, tc.crop, got, tc.want)
		}
	}
}

func TestLoaderCenterCrop(t *testing.T) {
	d := synth(t, Test, SyntheticConfig{N: 4, H: 10, W: 10})
	d.Crop = 6
	l := newLoader(t, d, EvalConfig(4))
	b := epochBatches(t, l, 0)[0]
	if b.H != 6 || b.W != 6 {
		t.Fatalf("batch images %d×%d, want 6×6", b.H, b.W)
	}
	img := d.Image(1)
	for y := range 6 {
		for x := range 6 {
			want := float32((float64(img[(y+2)*10+x+2])/255 - 0.5) / 0.25)
			if got := b.X[36+y*6+x]; got != want {
				t.Fatalf("center crop (%d,%d) = %v, want %v", y, x, got, want)
			}
		}
	}
}

func TestLoaderSubset(t *testing.T) {
	d := synth(t, Train, SyntheticConfig{N: 1000, H: 4, W: 4, Classes: 7})
	cfg := TrainConfig(d, 64, 9)
	cfg.Subset = 300
	l := newLoader(t, d, cfg)
	if l.Len() != 300 || l.Batches() != 5 {
		t.Fatalf("Len() = %d, Batches() = %d, want 300 and 5", l.Len(), l.Batches())
	}
	e0, e1 := epochBatches(t, l, 0), epochBatches(t, l, 1)
	set := func(bs []Batch) []int {
		var s []int
		for _, b := range bs {
			s = append(s, b.Images...)
		}
		slices.Sort(s)
		return s
	}
	s0, s1 := set(e0), set(e1)
	if !slices.Equal(s0, s1) || len(slices.Compact(slices.Clone(s0))) != 300 {
		t.Fatal("the subset changes between epochs or repeats images")
	}
	counts := make([]int, 7)
	for _, i := range s0 {
		counts[d.Labels[i]]++
	}
	for k, n := range counts { // 1000 images: 143 or 142 per class → 42 or 43 of 300
		if n < 42 || n > 43 {
			t.Errorf("class %d has %d images in the subset, want 42 or 43 (stratified)", k, n)
		}
	}
	other := newLoader(t, d, Config{BatchSize: 64, Seed: 10, Subset: 300})
	if slices.Equal(s0, set(epochBatches(t, other, 0))) {
		t.Error("seeds 9 and 10 chose the same subset")
	}
	all := newLoader(t, d, Config{BatchSize: 64, Subset: 1000})
	if all.Len() != 1000 {
		t.Errorf("Subset of the whole split: Len() = %d, want 1000", all.Len())
	}
	// A subset larger than the split was the whole split, silently.
	if _, err := NewLoader(d, Config{BatchSize: 64, Subset: 5000}); err == nil || err.Error() != "data: subset 5000 is more than the 1000 images of the train split of synthetic: want at most 1000, or 0 for all of them" {
		t.Errorf("Subset larger than the split: %v, want it refused", err)
	}
	if _, err := NewLoader(d, Config{BatchSize: 64, Subset: 901, Holdout: 100}); err == nil || err.Error() != "data: subset 901 is more than the 900 images of the train split of synthetic less 100 held out: want at most 900, or 0 for all of them" {
		t.Errorf("Subset larger than the images a holdout leaves: %v, want it refused", err)
	}
}

// TestLoaderHoldout checks the validation holdout: chosen from the seed
// alone (the same for two loaders of a seed, another for another seed),
// stratified by class, disjoint from the images the training loader of the
// same seed reads in every epoch (with and without a subset), the two
// together the whole split; and that the subset of a seed without a
// holdout is the one it was before holdouts existed (drawn from the whole
// split by the same stream).
func TestLoaderHoldout(t *testing.T) {
	d := synth(t, Train, SyntheticConfig{N: 1000, H: 4, W: 4, Classes: 7})
	images := func(l *Loader, e int) []int {
		var s []int
		for _, b := range epochBatches(t, l, e) {
			s = append(s, b.Images...)
		}
		slices.Sort(s)
		return s
	}
	val := newLoader(t, d, Config{BatchSize: 64, Seed: 9, Holdout: 100, Validation: true})
	again := newLoader(t, d, Config{BatchSize: 64, Seed: 9, Holdout: 100, Validation: true})
	other := newLoader(t, d, Config{BatchSize: 64, Seed: 10, Holdout: 100, Validation: true})
	v := images(val, 0)
	if len(v) != 100 || !slices.Equal(v, images(again, 3)) {
		t.Fatalf("the holdout of seed 9 has %d images or differs between loaders", len(v))
	}
	if slices.Equal(v, images(other, 0)) {
		t.Error("seeds 9 and 10 held out the same images")
	}
	counts := make([]int, 7)
	for _, i := range v {
		counts[d.Labels[i]]++
	}
	for k, n := range counts { // 142 or 143 of 1000 per class → 14 or 15 of 100
		if n < 14 || n > 15 {
			t.Errorf("class %d has %d images in the holdout, want 14 or 15 (stratified)", k, n)
		}
	}
	cfg := TrainConfig(d, 64, 9)
	cfg.Holdout = 100
	train := newLoader(t, d, cfg)
	for e := range 3 {
		tr := images(train, e)
		if len(tr) != 900 {
			t.Fatalf("epoch %d: the training part has %d images, want 900", e, len(tr))
		}
		if u := slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(tr), v...)))); len(u) != 1000 {
			t.Fatalf("epoch %d: training part and holdout share %d images", e, 1000-len(u))
		}
	}
	cfg.Subset = 300
	sub := images(newLoader(t, d, cfg), 0)
	if len(sub) != 300 {
		t.Fatalf("subset with a holdout: %d images, want 300", len(sub))
	}
	for _, i := range sub {
		if _, held := slices.BinarySearch(v, i); held {
			t.Fatalf("the training subset takes image %d of the holdout", i)
		}
	}
	plain := images(newLoader(t, d, Config{BatchSize: 64, Seed: 9, Subset: 300}), 0)
	old := stratifiedSubset(d.Labels, images(newLoader(t, d, Config{BatchSize: 64}), 0), 7, 300, newRand(9, purposeSubset, 0, 0))
	if !slices.Equal(plain, old) {
		t.Error("a subset without holdout is not drawn from the whole split by the subset stream")
	}
	for _, bad := range []Config{
		{BatchSize: 4, Holdout: -1},
		{BatchSize: 4, Holdout: 1000},
		{BatchSize: 4, Validation: true},
	} {
		if _, err := NewLoader(d, bad); err == nil {
			t.Errorf("NewLoader(%+v) succeeded, want an error", bad)
		}
	}
}

func TestLoaderBadConfig(t *testing.T) {
	d := synth(t, Train, SyntheticConfig{N: 10, H: 4, W: 4})
	for _, cfg := range []Config{
		{},
		{BatchSize: -1},
		{BatchSize: 4, Augment: Augment{Pad: 2}},
		{BatchSize: 4, Augment: Augment{Crop: true, Pad: -1}},
		{BatchSize: 4, Prefetch: -1},
		{BatchSize: 4, Subset: -1},
	} {
		if _, err := NewLoader(d, cfg); err == nil {
			t.Errorf("NewLoader(%+v) succeeded, want an error", cfg)
		}
	}
	bad := *d
	bad.Labels = slices.Clone(d.Labels)
	bad.Labels[3] = 10
	if _, err := NewLoader(&bad, EvalConfig(4)); err == nil {
		t.Error("NewLoader with a label out of range succeeded")
	}
}

// TestLoaderRefusesPrefetchBeyondEpoch: a prefetch larger than the batches
// of an epoch can never be used; it was taken and its buffers allocated
// (a huge one ran out of memory).
func TestLoaderRefusesPrefetchBeyondEpoch(t *testing.T) {
	d := synth(t, Train, SyntheticConfig{N: 10, H: 4, W: 4})
	for _, tc := range []struct {
		cfg  Config
		want string // "" for success
	}{
		{Config{BatchSize: 4, Prefetch: 3}, ""},
		{Config{BatchSize: 4, Prefetch: 4}, "data: prefetch 4, want 0..3, the batches of an epoch"},
		{Config{BatchSize: 4, Prefetch: 3, DropLast: true}, "data: prefetch 3, want 0..2"},
		{Config{BatchSize: 4, Prefetch: math.MaxInt}, fmt.Sprintf("data: prefetch %d, want 0..3", math.MaxInt)},
	} {
		l, err := NewLoader(d, tc.cfg)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("NewLoader(%+v): %v", tc.cfg, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("NewLoader(%+v) = %v, want an error containing %q", tc.cfg, err, tc.want)
		}
		if l != nil {
			l.Close()
		}
	}
	// The default, 2, is cut to an epoch of one batch, so that a loader's
	// Config is one NewLoader takes again.
	l, err := NewLoader(d, Config{BatchSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if got := l.Config().Prefetch; got != 1 {
		t.Errorf("Prefetch of a one-batch loader = %d, want 1", got)
	}
	l2, err := NewLoader(d, l.Config())
	if err != nil {
		t.Fatalf("NewLoader(l.Config()): %v", err)
	}
	l2.Close()
}

// TestLoaderRefusesPadNoSmallerThanCrop: with a crop padding of at least
// the batch side a crop can hold no pixel of the image; it was taken, and
// a huge one overflowed and panicked on the loader's goroutine.
func TestLoaderRefusesPadNoSmallerThanCrop(t *testing.T) {
	d := synth(t, Train, SyntheticConfig{N: 10, H: 4, W: 6})
	for _, pad := range []int{0, 3} {
		l, err := NewLoader(d, Config{BatchSize: 4, Augment: Augment{Crop: true, Pad: pad}})
		if err != nil {
			t.Errorf("pad %d: %v", pad, err)
			continue
		}
		l.Close()
	}
	for _, pad := range []int{4, 5, math.MaxInt/2 + 1} {
		_, err := NewLoader(d, Config{BatchSize: 4, Augment: Augment{Crop: true, Pad: pad}})
		want := fmt.Sprintf("data: crop padding %d for 4×6 batches of", pad)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "want 0..3") {
			t.Errorf("pad %d: err = %v, want one containing %q and want 0..3", pad, err, want)
		}
	}
}

func TestLoaderBatchLargerThanImages(t *testing.T) {
	d := synth(t, Train, SyntheticConfig{N: 10, H: 4, W: 4})
	for _, tt := range []struct {
		cfg  Config
		want string
	}{
		{EvalConfig(11), "data: batch size 11 is larger than the 10 images it batches (the train split of synthetic): want at most 10"},
		{EvalConfig(math.MaxInt), fmt.Sprintf("data: batch size %d is larger than the 10 images it batches", math.MaxInt)},
		{Config{BatchSize: 5, Subset: 4}, "data: batch size 5 is larger than the 4 images it batches (a subset of 4 of the train split of synthetic): want at most 4"},
		{Config{BatchSize: 3, Holdout: 2, Validation: true}, "data: batch size 3 is larger than the 2 images it batches (the 2 images held out of the train split of synthetic)"},
		{Config{BatchSize: 9, Holdout: 2}, "data: batch size 9 is larger than the 8 images it batches (the train split of synthetic less 2 held out)"},
	} {
		if _, err := NewLoader(d, tt.cfg); err == nil || err.Error() != tt.want && !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("NewLoader(%+v) = %v, want %q", tt.cfg, err, tt.want)
		}
	}
	// A batch of the whole split is one batch, as given.
	if l := newLoader(t, d, EvalConfig(10)); l.Batches() != 1 {
		t.Errorf("batch 10 of 10 images: %d batches, want 1", l.Batches())
	}
}

func TestLoaderCancel(t *testing.T) {
	d := synth(t, Train, SyntheticConfig{N: 500, H: 8, W: 8})
	l := newLoader(t, d, TrainConfig(d, 10, 1))
	ctx, cancel := context.WithCancel(context.Background())
	it := l.Epoch(ctx, 0)
	defer it.Close()
	if !it.Next() {
		t.Fatal("no first batch")
	}
	cancel()
	n := 0
	for it.Next() {
		n++
	}
	if !errors.Is(it.Err(), context.Canceled) {
		t.Errorf("Err() after cancel = %v, want context.Canceled", it.Err())
	}
	if n > 0 {
		t.Errorf("%d batches after cancel, want 0", n)
	}
}

// TestLoaderNoGoroutineLeak stops epochs early, abandons one to the next
// Epoch call, cancels one and closes the Loader, then checks that every
// prefetching goroutine has exited.
func TestLoaderNoGoroutineLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	d := synth(t, Train, SyntheticConfig{N: 500, H: 8, W: 8})
	for range 5 {
		l, err := NewLoader(d, TrainConfig(d, 10, 1))
		if err != nil {
			t.Fatal(err)
		}
		it := l.Epoch(context.Background(), 0)
		it.Next()
		it.Close()
		it.Close() // twice is fine
		l.Epoch(context.Background(), 1).Next()
		it = l.Epoch(context.Background(), 2) // closes epoch 1
		ctx, cancel := context.WithCancel(context.Background())
		it = l.Epoch(ctx, 3)
		cancel()
		it.Next()
		l.Epoch(context.Background(), 4)
		l.Close()
		it = l.Epoch(context.Background(), 5)
		for it.Next() {
		}
		l.Close()
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after closing every loader, want %d", n, before)
	}
}

// TestLoaderAllocs checks that iterating allocates nothing per batch: an
// epoch of many batches allocates no more than one of a single batch.
func TestLoaderAllocs(t *testing.T) {
	d := synth(t, Train, SyntheticConfig{N: 640, H: 8, W: 8})
	small := newLoader(t, d, Config{BatchSize: 640, Seed: 1, Shuffle: true, Augment: DefaultAugment(d)})
	big := newLoader(t, d, Config{BatchSize: 8, Seed: 1, Shuffle: true, Augment: DefaultAugment(d)})
	run := func(l *Loader) float64 {
		e := 0
		return testing.AllocsPerRun(20, func() {
			it := l.Epoch(context.Background(), e)
			for it.Next() {
			}
			it.Close()
			e++
		})
	}
	a1, a80 := run(small), run(big)
	t.Logf("allocations per epoch: %v with 1 batch, %v with 80 batches", a1, a80)
	if a80 > a1 {
		t.Errorf("an epoch of 80 batches allocates %v times, one of 1 batch %v: iteration allocates per batch", a80, a1)
	}
}

func TestNormalizationStats(t *testing.T) {
	// The Loader's values for a constant image equal (v/255-mean)/std.
	d := &Dataset{Name: "flat", N: 2, C: 2, H: 1, W: 1, Classes: 2,
		Mean: []float32{0.2860, 0.5}, Std: []float32{0.3530, 0.25},
		Pixels: []uint8{0, 255, 128, 7}, Labels: []int32{0, 1}}
	l := newLoader(t, d, EvalConfig(2))
	b := epochBatches(t, l, 0)[0]
	want := []float64{(0 - 0.2860) / 0.3530, (1 - 0.5) / 0.25, (128.0/255 - 0.2860) / 0.3530, (7.0/255 - 0.5) / 0.25}
	for i, w := range want {
		if math.Abs(float64(b.X[i])-w) > 1e-6 {
			t.Errorf("X[%d] = %v, want %v", i, b.X[i], w)
		}
	}
}

// BenchmarkLoader measures producing training batches (shuffle, crop,
// flip, normalize) of Fashion-MNIST's shape and CIFAR-10's.
func BenchmarkLoader(b *testing.B) {
	for _, tc := range []struct {
		name    string
		c, side int
	}{{"fashion-mnist", 1, 28}, {"cifar10", 3, 32}} {
		d := synth(b, Train, SyntheticConfig{N: 4096, C: tc.c, H: tc.side, W: tc.side})
		for _, aug := range []bool{false, true} {
			cfg := Config{BatchSize: 128, Seed: 1, Shuffle: true}
			if aug {
				cfg.Augment = DefaultAugment(d)
			}
			b.Run(fmt.Sprintf("shape=%s/batch=128/augment=%v", tc.name, aug), func(b *testing.B) {
				l := newLoader(b, d, cfg)
				b.SetBytes(int64(128 * d.ImageSize()))
				b.ReportAllocs()
				it := l.Epoch(context.Background(), 0)
				e := 0
				for b.Loop() {
					if !it.Next() {
						it.Close()
						e++
						it = l.Epoch(context.Background(), e)
						it.Next()
					}
				}
				it.Close()
			})
		}
	}
}
