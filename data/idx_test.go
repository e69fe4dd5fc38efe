package data

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/internal/idxtest"
)

func gz(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// testImages returns n h×w images whose pixel j of image i is (i*7+j)%256,
// and labels i%classes.
func testImages(n, h, w, classes int) (pixels []byte, labels []byte) {
	pixels = make([]byte, n*h*w)
	for i := range n {
		for j := range h * w {
			pixels[i*h*w+j] = byte((i*7 + j) % 256)
		}
		labels = append(labels, byte(i%classes))
	}
	return pixels, labels
}

func writeFile(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeIDXSplit writes <prefix>-images-idx3-ubyte and
// <prefix>-labels-idx1-ubyte (".gz" and compressed when gzipped) of n
// 28×28 images into dir.
func writeIDXSplit(t testing.TB, dir, prefix string, n int, gzipped bool) {
	t.Helper()
	pixels, labels := testImages(n, 28, 28, 10)
	img, lab := idxtest.Bytes([]int{n, 28, 28}, pixels), idxtest.Bytes([]int{n}, labels)
	ext := ""
	if gzipped {
		img, lab, ext = gz(t, img), gz(t, lab), ".gz"
	}
	writeFile(t, filepath.Join(dir, prefix+"-images-idx3-ubyte"+ext), img)
	writeFile(t, filepath.Join(dir, prefix+"-labels-idx1-ubyte"+ext), lab)
}

func TestReadIDX(t *testing.T) {
	for _, gzipped := range []bool{false, true} {
		dir := t.TempDir()
		writeIDXSplit(t, dir, "train", 25, gzipped)
		ext := map[bool]string{false: "", true: ".gz"}[gzipped]
		d, err := readIDX(filepath.Join(dir, "train-images-idx3-ubyte"+ext), filepath.Join(dir, "train-labels-idx1-ubyte"+ext), 28, 28, 10)
		if err != nil {
			t.Fatalf("gzip=%v: %v", gzipped, err)
		}
		pixels, labels := testImages(25, 28, 28, 10)
		if d.N != 25 || d.C != 1 || d.H != 28 || d.W != 28 || !bytes.Equal(d.Pixels, pixels) {
			t.Errorf("gzip=%v: got %d images %d×%d×%d, want the 25 1×28×28 images written", gzipped, d.N, d.C, d.H, d.W)
		}
		for i, y := range d.Labels {
			if y != int32(labels[i]) {
				t.Fatalf("gzip=%v: label %d = %d, want %d", gzipped, i, y, labels[i])
			}
		}
	}
}

// TestReadIDXGzipByMagic checks that compression is detected from the
// contents, not the name.
func TestReadIDXGzipByMagic(t *testing.T) {
	dir := t.TempDir()
	pixels, labels := testImages(3, 28, 28, 10)
	writeFile(t, filepath.Join(dir, "img"), gz(t, idxtest.Bytes([]int{3, 28, 28}, pixels)))
	writeFile(t, filepath.Join(dir, "lab.gz"), idxtest.Bytes([]int{3}, labels))
	d, err := readIDX(filepath.Join(dir, "img"), filepath.Join(dir, "lab.gz"), 28, 28, 10)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(d.Pixels, pixels) {
		t.Error("pixels differ from those written")
	}
}

// TestIDXBadInput checks each corruption gives an error naming the file
// and saying what was expected.
func TestIDXBadInput(t *testing.T) {
	pixels, labels := testImages(4, 28, 28, 10)
	goodImg := idxtest.Bytes([]int{4, 28, 28}, pixels)
	goodLab := idxtest.Bytes([]int{4}, labels)
	badLabels := slices.Clone(labels)
	badLabels[2] = 10
	gzImg := gz(t, goodImg)
	corrupt := slices.Clone(gzImg)
	corrupt[len(corrupt)/2] ^= 0xff
	badCRC := slices.Clone(gzImg)
	badCRC[len(badCRC)-6] ^= 0xff
	for _, tc := range []struct {
		name     string
		img, lab []byte
		want     []string // substrings of the error
	}{
		{"empty file", nil, goodLab, []string{"images.idx", "truncated", "00 00 08 03"}},
		{"wrong magic", append([]byte{0x08, 0x03, 0, 0}, goodImg[4:]...), goodLab, []string{"images.idx", "not an IDX file", "want 00 00 08 03"}},
		{"wrong element type", append([]byte{0, 0, 0x0d, 3}, goodImg[4:]...), goodLab, []string{"images.idx", "element type 0x0d", "unsigned byte"}},
		{"labels as images", goodLab, goodLab, []string{"images.idx", "1 dimensions, want 3"}},
		{"images as labels", goodImg, goodImg, []string{"labels.idx", "3 dimensions, want 1"}},
		{"truncated header", goodImg[:10], goodLab, []string{"images.idx", "truncated", "16-byte header"}},
		{"truncated data", goodImg[:len(goodImg)-1], goodLab, []string{"images.idx", "truncated", "4×28×28 = 3136", "holds 3135"}},
		{"trailing data", append(slices.Clone(goodImg), 0), goodLab, []string{"images.idx", "1 trailing bytes"}},
		{"wrong image size", idxtest.Bytes([]int{4, 32, 24}, pixels[:4*32*24]), goodLab, []string{"images.idx", "32×24", "want 28×28"}},
		{"zero images", idxtest.Bytes([]int{0, 28, 28}, nil), idxtest.Bytes([]int{0}, nil), []string{"images.idx", "0 images"}},
		{"huge sizes", idxtest.Bytes([]int{1 << 30, 1 << 20, 28}, nil), goodLab, []string{"images.idx", "more than"}},
		{"count mismatch", goodImg, idxtest.Bytes([]int{3}, labels[:3]), []string{"images.idx holds 4 images", "labels.idx holds 3 labels"}},
		{"label out of range", goodImg, idxtest.Bytes([]int{4}, badLabels), []string{"labels.idx", "label 10 of image 2", "0..9"}},
		{"truncated gzip", gzImg[:len(gzImg)/2], goodLab, []string{"images.idx", "corrupt gzip stream", "truncated"}},
		{"corrupt gzip", corrupt, goodLab, []string{"images.idx", "corrupt gzip stream"}},
		{"gzip checksum", badCRC, goodLab, []string{"images.idx", "corrupt gzip stream"}},
		{"gzip header only", gzImg[:5], goodLab, []string{"images.idx", "corrupt gzip stream"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			img, lab := filepath.Join(dir, "images.idx"), filepath.Join(dir, "labels.idx")
			writeFile(t, img, tc.img)
			writeFile(t, lab, tc.lab)
			_, err := readIDX(img, lab, 28, 28, 10)
			if err == nil {
				t.Fatal("readIDX succeeded, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			t.Log(err)
			if !strings.HasPrefix(err.Error(), "data: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
	_, err := readIDX("/nonexistent/images", "/nonexistent/labels", 28, 28, 10)
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/images") {
		t.Errorf("missing file: error %v, want one naming the file", err)
	}
}
