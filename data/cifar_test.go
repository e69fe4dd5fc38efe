package data

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// cifarBatch returns n CIFAR-10 records: label (first+i)%10, pixel j of
// image i (first+i+j)%256.
func cifarBatch(first, n int) []byte {
	var b []byte
	for i := range n {
		b = append(b, byte((first+i)%10))
		for j := range cifarImage {
			b = append(b, byte((first+i+j)%256))
		}
	}
	return b
}

// writeCIFAR writes the six CIFAR-10 batch files, perBatch images each,
// into dir.
func writeCIFAR(t testing.TB, dir string, perBatch int) {
	t.Helper()
	for i, name := range datasets["cifar10"].allFiles() {
		writeFile(t, filepath.Join(dir, name), cifarBatch(i*perBatch, perBatch))
	}
}

func TestReadCIFAR(t *testing.T) {
	dir := t.TempDir()
	writeCIFAR(t, dir, 3)
	s := datasets["cifar10"]
	paths, missing, err := s.locate(dir, Train)
	if err != nil || missing != nil {
		t.Fatalf("locate: missing %v, error %v", missing, err)
	}
	d, err := readCIFAR(paths, 10)
	if err != nil {
		t.Fatal(err)
	}
	if d.N != 15 || d.C != 3 || d.H != 32 || d.W != 32 {
		t.Fatalf("read %d images %d×%d×%d, want 15 3×32×32", d.N, d.C, d.H, d.W)
	}
	want := cifarBatch(0, 15)
	for i := range 15 {
		rec := want[i*cifarRecord : (i+1)*cifarRecord]
		if d.Labels[i] != int32(rec[0]) || !bytes.Equal(d.Image(i), rec[1:]) {
			t.Fatalf("image %d differs from record %d of the batches", i, i)
		}
	}
}

func TestCIFARBadInput(t *testing.T) {
	bad := cifarBatch(0, 3)
	bad[2*cifarRecord] = 12
	for _, tc := range []struct {
		name string
		b    []byte
		want []string
	}{
		{"empty", nil, []string{"batch.bin", "empty", "3073"}},
		{"truncated", cifarBatch(0, 3)[:3*cifarRecord-5], []string{"batch.bin", "9214 bytes", "multiple of 3073", "2 whole records and 3068 bytes left over"}},
		{"too long", append(cifarBatch(0, 1), 1, 2), []string{"batch.bin", "3075 bytes", "multiple of 3073"}},
		{"label out of range", bad, []string{"batch.bin", "record 2", "label 12", "0..9"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "batch.bin")
			writeFile(t, path, tc.b)
			_, err := readCIFAR([]string{path}, 10)
			if err == nil {
				t.Fatal("readCIFAR succeeded, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// TestCIFARMoreThanAddressable: CIFAR-10 batches whose images a 32-bit
// build's int cannot count in bytes are refused before they are read,
// not sized by a wrapped product (a panic, or a slice too short). One
// batch of 2.2 GB is larger than a dataset file may be there; two of
// 1.1 GB each fit, but their 716,800 images take 2.2 GB of pixels. The
// batches are sparse files (nothing written to disk); a 64-bit build
// would read them, which this test leaves out.
func TestCIFARMoreThanAddressable(t *testing.T) {
	if strconv.IntSize == 64 {
		t.Skip("the limit of a 32-bit build's int; this build's int is 64-bit")
	}
	sparse := func(name string, records int64) string {
		path := filepath.Join(t.TempDir(), name)
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(records * cifarRecord); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		return path
	}
	_, err := readCIFAR([]string{sparse("big.bin", 716800)}, 10)
	wantErr(t, err, "big.bin: 2202726400 bytes, more than the 2147483647 a dataset file may hold")
	_, err = readCIFAR([]string{sparse("a.bin", 358400), sparse("b.bin", 358400)}, 10)
	wantErr(t, err, "716800 images of 3×32×32 take 2.20 GB, more than this build can hold in one slice (2.15 GB, a 32-bit build)")
}
