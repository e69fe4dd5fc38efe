package data

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/internal/idxtest"
)

// TestIDXOfAnotherDataset: Fashion-MNIST and MNIST publish files of the
// same names and sizes, so --dataset mnist --data <Fashion-MNIST's
// directory> loaded Fashion-MNIST's images as MNIST and trained and
// evaluated on them, normalized with MNIST's statistics, without a word.
// A split of the published size whose mean pixel is far from the
// dataset's published mean is refused; one that matches loads.
func TestIDXOfAnotherDataset(t *testing.T) {
	const n = 10000 // the published test split
	write := func(pixel byte) string {
		dir := t.TempDir()
		labels := make([]byte, n)
		for i := range labels {
			labels[i] = byte(i % 10)
		}
		files := map[string][]byte{
			"t10k-images-idx3-ubyte": idxtest.Bytes([]int{n, 28, 28}, bytes.Repeat([]byte{pixel}, n*28*28)),
			"t10k-labels-idx1-ubyte": idxtest.Bytes([]int{n}, labels),
		}
		for name, b := range files {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	// 73/255 = 0.286, Fashion-MNIST's mean; MNIST's is 0.1307.
	fashion := write(73)
	_, err := Open(context.Background(), "mnist", Test, Options{Dir: fashion})
	if want := "data: mnist: " + filepath.Join(fashion, "t10k-images-idx3-ubyte") + ": its 10000 images have a mean pixel of 0.2863, where MNIST's are about 0.1307: not MNIST's images"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("mnist from Fashion-MNIST's files: %v\nwant %s…", err, want)
	}
	// The same files as Fashion-MNIST load.
	if _, err := Open(context.Background(), "fashion-mnist", Test, Options{Dir: fashion}); err != nil {
		t.Errorf("fashion-mnist from its own files: %v", err)
	}
}
