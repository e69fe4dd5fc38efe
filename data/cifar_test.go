package data

import (
	"bytes"
	"path/filepath"
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
