// Package idxtest writes the IDX files that MNIST and Fashion-MNIST come
// in, for tests that read a dataset from files: 28×28 images of unsigned
// bytes and their labels.
package idxtest

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

// Side is the side of the square images of a split WriteSplit writes.
const Side = 28

// Bytes returns an IDX file of unsigned bytes (element type 0x08) with the
// sizes dims and the elements body, as given: dims and len(body) need not
// agree, for tests of files whose header lies about their size.
func Bytes(dims []int, body []byte) []byte {
	b := []byte{0, 0, 0x08, byte(len(dims))}
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, uint32(d))
	}
	return append(b, body...)
}

// Noise returns n images of Side×Side pseudo-random pixels, the same for
// the same n and salt and different for another salt.
func Noise(n int, salt byte) []byte {
	b := make([]byte, n*Side*Side)
	x := uint32(salt) + 1
	for i := range b {
		x = x*1664525 + 1013904223
		b[i] = byte(x >> 24)
	}
	return b
}

// WriteSplit writes pixels, whole Side×Side images, and their labels, i
// mod 10 for image i, as the files <prefix>-images-idx3-ubyte and
// <prefix>-labels-idx1-ubyte in dir (prefix train or t10k for a split of
// MNIST or Fashion-MNIST). Pixels that are not whole images fail the test.
func WriteSplit(t testing.TB, dir, prefix string, pixels []byte) {
	t.Helper()
	if len(pixels)%(Side*Side) != 0 {
		t.Fatalf("idxtest: %d pixels are not whole %d×%d images", len(pixels), Side, Side)
	}
	n := len(pixels) / (Side * Side)
	labels := make([]byte, n)
	for i := range labels {
		labels[i] = byte(i % 10)
	}
	for name, b := range map[string][]byte{
		prefix + "-images-idx3-ubyte": Bytes([]int{n, Side, Side}, pixels),
		prefix + "-labels-idx1-ubyte": Bytes([]int{n}, labels),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
