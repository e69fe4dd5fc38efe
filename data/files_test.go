package data

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/internal/idxtest"
)

// TestIDXShapeAndCount checks what a pair of IDX files must agree on: the
// dataset's image size, both sides of it, and one label per image, no
// more; and that a missing labels file is reported as missing.
func TestIDXShapeAndCount(t *testing.T) {
	pixels, labels := testImages(3, 28, 27, 10)
	_, err := idxDataset("img", idxtest.Bytes([]int{3, 28, 27}, pixels), "lab", idxtest.Bytes([]int{3}, labels), 28, 28, 10)
	wantErr(t, err, "img: images of 28×27 pixels, want 28×28")

	pixels, labels = testImages(4, 28, 28, 10)
	_, err = idxDataset("img", idxtest.Bytes([]int{3, 28, 28}, pixels[:3*28*28]), "lab", idxtest.Bytes([]int{4}, labels), 28, 28, 10)
	wantErr(t, err, "img holds 3 images but lab holds 4 labels")

	dir := t.TempDir()
	images, missing := filepath.Join(dir, "images"), filepath.Join(dir, "labels")
	writeFile(t, images, idxtest.Bytes([]int{4, 28, 28}, pixels))
	_, err = readIDX(images, missing, 28, 28, 10)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("readIDX with no labels file = %v, want a not-exist error naming %s", err, missing)
	}
}

// TestCIFARLabelIsFirstByte reads records whose labels have nothing in
// common with their pixels: the label is the record's first byte, the
// image the 3072 after it.
func TestCIFARLabelIsFirstByte(t *testing.T) {
	var b []byte
	want := []int32{7, 2, 9, 0, 4}
	for i, y := range want {
		b = append(b, byte(y))
		b = append(b, bytes.Repeat([]byte{byte(100 + i)}, cifarImage)...)
	}
	pixels, labels, err := parseCIFAR(b, "batch", 10, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(labels, want) {
		t.Errorf("labels %v, want %v", labels, want)
	}
	for i := range want {
		img := pixels[i*cifarImage : (i+1)*cifarImage]
		if !bytes.Equal(img, bytes.Repeat([]byte{byte(100 + i)}, cifarImage)) {
			t.Errorf("image %d is not the 3072 bytes after its label", i)
		}
	}
}

// TestRegistryStatisticsAsDocumented checks the mean and std each real
// dataset is normalized with against the tables of the package
// documentation and of docs/workloads.md, digit for digit.
func TestRegistryStatisticsAsDocumented(t *testing.T) {
	num := regexp.MustCompile(`\d+\.\d+`)
	tables := map[string]string{"doc.go": "//\t%s ", "../docs/workloads.md": "| `%s`"}
	for file, prefix := range tables {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"fashion-mnist", "mnist", "cifar10", "imagenet"} {
			s := datasets[name]
			var line string
			for l := range strings.SplitSeq(string(b), "\n") {
				if strings.HasPrefix(l, strings.Replace(prefix, "%s", name, 1)) {
					line = l // the first: the statistics table
					break
				}
			}
			if line == "" {
				t.Errorf("%s: no table row for %s", file, name)
				continue
			}
			var got []float32
			for _, m := range num.FindAllString(line, -1) {
				v, err := strconv.ParseFloat(m, 32)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, float32(v))
			}
			if want := slices.Concat(s.mean, s.std); !slices.Equal(got, want) {
				t.Errorf("%s: %s's row gives mean and std %v, the registry %v", file, name, got, want)
			}
		}
	}
}

// TestClassNamesPublishedOrder pins the class names to the order of the
// labels in the published files (CIFAR-10's batches.meta.txt,
// Fashion-MNIST's README).
func TestClassNamesPublishedOrder(t *testing.T) {
	for name, want := range map[string][]string{
		"cifar10":       {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"},
		"fashion-mnist": {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"},
		"mnist":         {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"},
	} {
		if got := datasets[name].classNames; !slices.Equal(got, want) {
			t.Errorf("%s class names %q, want %q", name, got, want)
		}
	}
}

// TestOpenCompletesPartialCache checks that a user cache holding part of
// a dataset (an interrupted download) is completed by downloading the
// files it lacks, not refused as a partial directory.
func TestOpenCompletesPartialCache(t *testing.T) {
	_, cache := sandbox(t)
	srv, files := tinyIDX(t, 20)
	dir := filepath.Join(cache, "tiny-idx")
	writeFile(t, filepath.Join(dir, "train-images-idx3-ubyte.gz"), files["train-images-idx3-ubyte.gz"])
	d, err := Open(context.Background(), "tiny-idx", Train, Options{})
	if err != nil {
		t.Fatalf("Open with a partial cache: %v", err)
	}
	if d.N != 20 || d.Source != dir {
		t.Errorf("opened %v from %s, want 20 images from %s", d, d.Source, dir)
	}
	if hits := srv.hits.Load(); hits != 1 {
		t.Errorf("server got %d requests, want 1 (the file of the split the cache lacked)", hits)
	}
}

// TestOpenUnknownSplit checks that a split other than Train and Test is
// an error, not an index out of range.
func TestOpenUnknownSplit(t *testing.T) {
	sandbox(t)
	for _, name := range []string{"mnist", "cifar10", "imagenet", "synthetic"} {
		_, err := Open(context.Background(), name, Split(2), Options{Dir: t.TempDir(), Offline: true})
		wantErr(t, err, "unknown split Split(2)")
		_, err = Paths(name, Split(2), Options{Dir: t.TempDir()})
		if name != "synthetic" {
			wantErr(t, err, "unknown split Split(2)")
		}
	}
}
