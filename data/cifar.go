package data

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
)

// The CIFAR-10 binary version stores each image as one record: a label
// byte, then 3×32×32 pixel bytes, the red plane, the green plane and the
// blue plane, each row-major. That is already the C×H×W layout of a
// Dataset, so records are copied as they are.
const (
	cifarSide   = 32
	cifarImage  = 3 * cifarSide * cifarSide // 3072
	cifarRecord = 1 + cifarImage            // 3073
)

// parseCIFAR checks a CIFAR-10 binary batch and appends its images and
// labels to pixels and labels. name is the file's name for errors.
func parseCIFAR(b []byte, name string, classes int, pixels []uint8, labels []int32) ([]uint8, []int32, error) {
	if len(b) == 0 {
		return pixels, labels, fmt.Errorf("data: %s: empty, want records of %d bytes (1 label + 3×32×32 pixels)", name, cifarRecord)
	}
	if len(b)%cifarRecord != 0 {
		return pixels, labels, fmt.Errorf("data: %s: %d bytes, want a multiple of %d (1 label + 3×32×32 pixels per image): %d whole records and %d bytes left over (truncated or not a CIFAR-10 binary batch)",
			name, len(b), cifarRecord, len(b)/cifarRecord, len(b)%cifarRecord)
	}
	n := len(b) / cifarRecord
	for i := range n {
		rec := b[i*cifarRecord : (i+1)*cifarRecord]
		if int(rec[0]) >= classes {
			return pixels, labels, fmt.Errorf("data: %s: record %d (byte offset %d) has label %d, want 0..%d", name, i, i*cifarRecord, rec[0], classes-1)
		}
		labels = append(labels, int32(rec[0]))
		pixels = append(pixels, rec[1:]...)
	}
	return pixels, labels, nil
}

// readCIFAR reads the CIFAR-10 binary batches files, in order, into one
// Dataset.
func readCIFAR(files []string, classes int) (*Dataset, error) {
	// The sizes and counts are int64: a 32-bit build's int would wrap
	// past 2 GiB of batches. What it cannot hold is refused before the
	// batches are read.
	var size int64
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			return nil, fmt.Errorf("data: %w", err)
		}
		if st.Size() > maxFileBytes {
			return nil, fmt.Errorf("data: %s: %d bytes, more than the %d a dataset file may hold", f, st.Size(), int64(maxFileBytes))
		}
		size += st.Size()
	}
	if err := cifarFits(size / cifarRecord); err != nil {
		return nil, err
	}
	n := int(size / cifarRecord)
	pixels := make([]uint8, 0, n*cifarImage)
	labels := make([]int32, 0, n)
	for _, f := range files {
		b, err := readFile(f)
		if err != nil {
			return nil, err
		}
		// A gzipped batch holds more than its size on disk said.
		if err := cifarFits(int64(len(labels)) + int64(len(b)/cifarRecord)); err != nil {
			return nil, err
		}
		if pixels, labels, err = parseCIFAR(b, f, classes, pixels, labels); err != nil {
			return nil, err
		}
	}
	return &Dataset{N: len(labels), C: 3, H: cifarSide, W: cifarSide, Classes: classes, Pixels: pixels, Labels: labels}, nil
}

// cifarFits refuses n CIFAR-10 images whose pixels are more bytes than
// this build's int holds (only on a 32-bit build: 699,050 images).
func cifarFits(n int64) error {
	if need := n * cifarImage; need > math.MaxInt {
		return fmt.Errorf("data: cifar10: %d images of 3×%d×%d take %s, more than this build can hold in one slice (%s, a 32-bit build): use a 64-bit build",
			n, cifarSide, cifarSide, byteSize(need), byteSize(math.MaxInt))
	}
	return nil
}

// cifarDirs returns where CIFAR-10 batches may sit under dir: dir itself
// and cifar-10-batches-bin, the folder the official archive extracts to.
func cifarDirs(dir string) []string {
	return []string{dir, filepath.Join(dir, "cifar-10-batches-bin")}
}
