package main

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

// writeMNIST writes n 28×28 images and their labels (i mod 10) as the IDX
// files of one split (prefix train or t10k) of mnist.
func writeMNIST(t *testing.T, dir, prefix string, n int) {
	t.Helper()
	os.MkdirAll(dir, 0o755)
	var img, lbl bytes.Buffer
	binary.Write(&img, binary.BigEndian, []uint32{0x803, uint32(n), 28, 28})
	binary.Write(&lbl, binary.BigEndian, []uint32{0x801, uint32(n)})
	for i := range n {
		px := make([]byte, 28*28)
		for j := range px {
			px[j] = byte((i*31 + j*(i%10+1)) % 256)
		}
		img.Write(px)
		lbl.WriteByte(byte(i % 10))
	}
	for name, b := range map[string][]byte{prefix + "-images-idx3-ubyte": img.Bytes(), prefix + "-labels-idx1-ubyte": lbl.Bytes()} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
