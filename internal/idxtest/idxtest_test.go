package idxtest_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/gradbench/gradbench/data"
	"github.com/gradbench/gradbench/internal/idxtest"
)

// TestBytes pins the IDX header: two zero bytes, the element type 0x08
// (unsigned byte), the number of dimensions, then each size as a
// big-endian uint32.
func TestBytes(t *testing.T) {
	got := idxtest.Bytes([]int{2, 1, 258}, []byte{7, 9})
	want := []byte{0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 1, 2, 7, 9}
	if !bytes.Equal(got, want) {
		t.Errorf("Bytes = %v, want %v", got, want)
	}
}

// TestNoise: the same salt gives the same images, another salt others.
func TestNoise(t *testing.T) {
	a := idxtest.Noise(3, 1)
	if len(a) != 3*28*28 || !bytes.Equal(a, idxtest.Noise(3, 1)) || bytes.Equal(a, idxtest.Noise(3, 2)) {
		t.Errorf("Noise(3, 1): %d bytes, want %d the same for salt 1 and not for salt 2", len(a), 3*28*28)
	}
}

// TestWriteSplitReadsBack: the files WriteSplit writes are a split of
// Fashion-MNIST as package data opens it, with the images given and the
// labels 0..9 in turn.
func TestWriteSplitReadsBack(t *testing.T) {
	dir := t.TempDir()
	train, test := idxtest.Noise(12, 1), idxtest.Noise(5, 2)
	idxtest.WriteSplit(t, dir, "train", train)
	idxtest.WriteSplit(t, dir, "t10k", test)
	for _, tc := range []struct {
		split  data.Split
		pixels []byte
	}{{data.Train, train}, {data.Test, test}} {
		d, err := data.Open(context.Background(), "fashion-mnist", tc.split, data.Options{Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		n := len(tc.pixels) / (28 * 28)
		if d.N != n || d.H != 28 || d.W != 28 || !bytes.Equal(d.Pixels, tc.pixels) {
			t.Errorf("split %v: %d images %d×%d, want the %d written", tc.split, d.N, d.H, d.W, n)
		}
		for i, y := range d.Labels {
			if y != int32(i%10) {
				t.Fatalf("split %v: label %d = %d, want %d", tc.split, i, y, i%10)
			}
		}
	}
}
