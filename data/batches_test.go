package data

import (
	"context"
	"encoding/binary"
	"hash/crc32"
	"math"
	"path/filepath"
	"slices"
	"testing"
)

// TestLoaderLabelsFollowImages checks, with a batch size that is not a
// multiple of the class count (synthetic labels repeat every Classes
// images, which would hide a label taken from the wrong position), that
// every label in every batch is that of the image it came with.
func TestLoaderLabelsFollowImages(t *testing.T) {
	d := synth(t, Train, SyntheticConfig{N: 53, H: 4, W: 4, Classes: 10})
	for _, cfg := range []Config{EvalConfig(7), {BatchSize: 7, Seed: 3, Shuffle: true}} {
		l := newLoader(t, d, cfg)
		for _, b := range epochBatches(t, l, 1) {
			for k, i := range b.Images {
				if b.Y[k] != d.Labels[i] {
					t.Fatalf("shuffle %v: batch %d position %d holds image %d of class %d with label %d", cfg.Shuffle, b.Index, k, i, d.Labels[i], b.Y[k])
				}
				for j, p := range d.Image(i) {
					if want := float32((float64(p)/255 - 0.5) / 0.25); b.X[k*16+j] != want {
						t.Fatalf("shuffle %v: batch %d position %d: pixel %d = %v, want %v from image %d", cfg.Shuffle, b.Index, k, j, b.X[k*16+j], want, i)
					}
				}
			}
		}
	}
}

// TestShuffleKeyedBySeedAndEpoch checks the order alone, without
// augmentation (which also varies with seed and epoch and would hide an
// order that does not): the same (seed, epoch) gives the same order, a
// different seed or epoch another.
func TestShuffleKeyedBySeedAndEpoch(t *testing.T) {
	d := synth(t, Train, SyntheticConfig{N: 40, H: 2, W: 2})
	order := func(seed uint64, e int) []int {
		l := newLoader(t, d, Config{BatchSize: 8, Seed: seed, Shuffle: true})
		var o []int
		for _, b := range epochBatches(t, l, e) {
			o = append(o, b.Images...)
		}
		return o
	}
	base := order(1, 0)
	if !slices.Equal(order(1, 0), base) {
		t.Error("seed 1 epoch 0 gave two orders")
	}
	if slices.Equal(order(2, 0), base) {
		t.Error("seeds 1 and 2 gave the same order in epoch 0")
	}
	if slices.Equal(order(1, 1), base) {
		t.Error("epochs 0 and 1 of seed 1 gave the same order")
	}
	if slices.IsSorted(base) {
		t.Error("a shuffled epoch is in dataset order")
	}
}

// TestLoaderCropNonSquareStore cuts square crops out of stored images
// wider than tall (a Dataset built by hand): the centered window in
// evaluation, and in training windows that reach every row and column
// offset the stored image allows, and no other.
func TestLoaderCropNonSquareStore(t *testing.T) {
	const n, h, w, crop = 64, 6, 10, 4
	d := &Dataset{Name: "wide", N: n, C: 1, H: h, W: w, Classes: 2, Crop: crop,
		Mean: []float32{0}, Std: []float32{1}, Pixels: make([]uint8, n*h*w), Labels: make([]int32, n)}
	for i := range n {
		for y := range h {
			for x := range w {
				d.Pixels[(i*h+y)*w+x] = uint8(10*y + x)
			}
		}
	}
	origin := func(b Batch, k int) (oy, ox int) {
		v := int(math.Round(float64(b.X[k*crop*crop]) * 255))
		return v / 10, v % 10
	}
	eval := epochBatches(t, newLoader(t, d, EvalConfig(n)), 0)[0]
	if oy, ox := origin(eval, 0); oy != (h-crop)/2 || ox != (w-crop)/2 {
		t.Errorf("evaluation window at row %d column %d, want the centered one at %d, %d", oy, ox, (h-crop)/2, (w-crop)/2)
	}
	rows, cols := map[int]bool{}, map[int]bool{}
	l := newLoader(t, d, Config{BatchSize: n, Seed: 1, Augment: Augment{Crop: true}})
	for e := range 4 {
		b := epochBatches(t, l, e)[0]
		for k := range n {
			oy, ox := origin(b, k)
			rows[oy], cols[ox] = true, true
		}
	}
	if len(rows) != h-crop+1 || len(cols) != w-crop+1 {
		t.Errorf("training windows at rows %v and columns %v, want every row 0..%d and column 0..%d", rows, cols, h-crop, w-crop)
	}
}

// TestLoaderRefusesWholeSplitHoldout checks that holding out every image
// is refused as such, not met later as a batch larger than no images.
func TestLoaderRefusesWholeSplitHoldout(t *testing.T) {
	d := synth(t, Train, SyntheticConfig{N: 10, H: 2, W: 2})
	for _, v := range []bool{false, true} {
		_, err := NewLoader(d, Config{BatchSize: 2, Holdout: 10, Validation: v})
		wantErr(t, err, "holdout 10 of the 10 images", "want 0 (none) or 1..9")
	}
}

// TestSyntheticNegativeNoiseIsNone checks the documented meaning of a
// negative Noise: no noise, whatever its size.
func TestSyntheticNegativeNoiseIsNone(t *testing.T) {
	cfg := SyntheticConfig{N: 20, H: 8, W: 8, Seed: 4}
	none := func(noise float64) []uint8 {
		c := cfg
		c.Noise = noise
		return synth(t, Train, c).Pixels
	}
	if !slices.Equal(none(-1), none(-3)) || !slices.Equal(none(-1), none(1e-300)) {
		t.Error("negative noise levels gave different images, want all without noise")
	}
	if slices.Equal(none(-1), none(0)) {
		t.Error("no noise and the default noise gave the same images")
	}
}

// TestFolderSkipsHiddenAndDirectories checks that a hidden folder is no
// class and that a directory named like an image is no image.
func TestFolderSkipsHiddenAndDirectories(t *testing.T) {
	sandbox(t)
	root := t.TempDir()
	writeFolderTree(t, root)
	for _, split := range []string{"train", "val"} {
		writeFile(t, filepath.Join(root, split, ".thumbnails", "x.png"), encodePNG(t, solid(4, 4, 0, 4, red)))
		writeFile(t, filepath.Join(root, split, "cat", "dir.png", "y.png"), encodePNG(t, solid(4, 4, 0, 4, red)))
	}
	train, test, err := OpenSplits(context.Background(), "imagenet", Options{Dir: root, Resolution: 8})
	if err != nil {
		t.Fatal(err)
	}
	if train.N != 4 || test.N != 3 || !slices.Equal(train.ClassNames, []string{"cat", "dog"}) {
		t.Errorf("train %v, test %v, classes %q; want 4 and 3 images of classes cat and dog", train, test, train.ClassNames)
	}
}

// TestFolderRefusesHugeImage checks that an image whose header declares
// more pixels than the bound is refused from its header, by its size.
// 10000×10000 is past the bound (2^26 pixels) but within what image/png
// itself reads on a 32-bit build (2^28 pixels: it refuses a larger
// header there as a "dimension overflow" before this check sees it).
func TestFolderRefusesHugeImage(t *testing.T) {
	sandbox(t)
	root := t.TempDir()
	// A PNG signature and an IHDR chunk of 10000×10000 8-bit RGB, no data.
	ihdr := binary.BigEndian.AppendUint32([]byte("IHDR"), 10000)
	ihdr = binary.BigEndian.AppendUint32(ihdr, 10000)
	ihdr = append(ihdr, 8, 2, 0, 0, 0)
	b := []byte("\x89PNG\r\n\x1a\n")
	b = binary.BigEndian.AppendUint32(b, uint32(len(ihdr)-4))
	b = append(b, ihdr...)
	b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(ihdr))
	writeFile(t, filepath.Join(root, "train", "cat", "huge.png"), b)
	_, err := Open(context.Background(), "imagenet", Train, Options{Dir: root, Resolution: 8})
	wantErr(t, err, "huge.png: image of 10000×10000 pixels, want a positive size of at most 67108864 pixels")
}
