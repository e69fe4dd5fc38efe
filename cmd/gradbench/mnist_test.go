package main

import (
	"os"
	"testing"

	"github.com/gradbench/gradbench/internal/idxtest"
)

// writeMNIST writes n 28×28 images and their labels (i mod 10) as the IDX
// files of one split (prefix train or t10k) of mnist.
func writeMNIST(t *testing.T, dir, prefix string, n int) {
	t.Helper()
	os.MkdirAll(dir, 0o755)
	px := make([]byte, n*28*28)
	for i := range n {
		for j := range 28 * 28 {
			px[i*28*28+j] = byte((i*31 + j*(i%10+1)) % 256)
		}
	}
	idxtest.WriteSplit(t, dir, prefix, px)
}
