package data

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// solid returns a w×h image: color c in columns [x0, x1), black elsewhere.
func solid(w, h, x0, x1 int, c color.RGBA) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			if x >= x0 && x < x1 {
				img.SetRGBA(x, y, c)
			} else {
				img.SetRGBA(x, y, color.RGBA{A: 255})
			}
		}
	}
	return img
}

func encodePNG(t testing.TB, img image.Image) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encodeJPEG(t testing.TB, img image.Image) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var (
	red  = color.RGBA{255, 0, 0, 255}
	blue = color.RGBA{0, 0, 255, 255}
)

// writeFolderTree writes root/{train,val}/{cat,dog}: cats are red, dogs
// blue; every image is wider or taller than square with black margins
// outside its central square, so a center crop sees only the color.
func writeFolderTree(t testing.TB, root string) {
	t.Helper()
	for _, split := range []string{"train", "val"} {
		writeFile(t, filepath.Join(root, split, "cat", "a.png"), encodePNG(t, solid(40, 20, 10, 30, red)))
		writeFile(t, filepath.Join(root, split, "cat", "b.JPEG"), encodeJPEG(t, solid(30, 30, 0, 30, red)))
		writeFile(t, filepath.Join(root, split, "dog", "c.jpg"), encodeJPEG(t, solid(64, 48, 8, 56, blue)))
		writeFile(t, filepath.Join(root, split, "dog", "notes.txt"), []byte("not an image"))
	}
	writeFile(t, filepath.Join(root, "train", "dog", "d.png"), encodePNG(t, solid(17, 11, 3, 14, blue)))
}

func TestReadFolder(t *testing.T) {
	sandbox(t)
	root := t.TempDir()
	writeFolderTree(t, root)
	train, test, err := OpenSplits(context.Background(), "imagenet", Options{Dir: root, Resolution: 8})
	if err != nil {
		t.Fatal(err)
	}
	side := storedSide(8) // 9
	if side != 9 || train.N != 4 || test.N != 3 || train.H != side || train.W != side || train.C != 3 || train.Crop != 8 ||
		train.Classes != 2 || train.ClassNames[0] != "cat" || train.ClassNames[1] != "dog" {
		t.Fatalf("train %v crop %d classes %q, test %v; want 4 and 3 images 3×9×9, crop 8, classes cat and dog", train, train.Crop, train.ClassNames, test)
	}
	if c, h, w := train.BatchShape(); c != 3 || h != 8 || w != 8 {
		t.Errorf("BatchShape() = %d×%d×%d, want 3×8×8", c, h, w)
	}
	wantLabels := []int32{0, 0, 1, 1}
	for i := range train.N {
		if train.Labels[i] != wantLabels[i] {
			t.Errorf("label %d = %d, want %d", i, train.Labels[i], wantLabels[i])
		}
		// Every pixel of the central square is the class color (JPEG
		// allows a small error).
		want := [3]int{255, 0, 0}
		if wantLabels[i] == 1 {
			want = [3]int{0, 0, 255}
		}
		img := train.Image(i)
		for c := range 3 {
			for p := range side * side {
				if d := int(img[c*side*side+p]) - want[c]; d < -12 || d > 12 {
					t.Fatalf("image %d channel %d pixel %d = %d, want %d: not the central square", i, c, p, img[c*side*side+p], want[c])
				}
			}
		}
	}
	again, err := Open(context.Background(), "imagenet", Train, Options{Dir: root, Resolution: 8})
	if err != nil || !bytes.Equal(again.Pixels, train.Pixels) {
		t.Errorf("decoding twice gave different pixels (%v)", err)
	}

	// Batches: random 8×8 crops in training, the central one in evaluation.
	l := newLoader(t, train, TrainConfig(train, 4, 1))
	b := epochBatches(t, l, 0)[0]
	if b.N != 4 || b.C != 3 || b.H != 8 || b.W != 8 {
		t.Errorf("training batch %d×%d×%d×%d, want 4×3×8×8", b.N, b.C, b.H, b.W)
	}
}

func TestFolderBadInput(t *testing.T) {
	sandbox(t)
	for _, tc := range []struct {
		name  string
		setup func(root string)
		split Split
		want  []string
	}{
		{"empty class folder", func(root string) {
			writeFile(t, filepath.Join(root, "train", "cat", "a.png"), encodePNG(t, solid(4, 4, 0, 4, red)))
			writeFile(t, filepath.Join(root, "train", "dog", "readme.txt"), []byte("x"))
		}, Train, []string{filepath.Join("train", "dog"), "is empty", ".JPEG"}},
		{"undecodable image", func(root string) {
			writeFile(t, filepath.Join(root, "train", "cat", "a.jpg"), []byte("this is no JPEG"))
		}, Train, []string{filepath.Join("train", "cat", "a.jpg"), "undecodable image"}},
		{"truncated PNG", func(root string) {
			b := encodePNG(t, solid(40, 40, 0, 40, red))
			writeFile(t, filepath.Join(root, "train", "cat", "a.png"), b[:len(b)/2])
		}, Train, []string{filepath.Join("train", "cat", "a.png"), "undecodable image"}},
		{"val class not in train", func(root string) {
			writeFile(t, filepath.Join(root, "train", "cat", "a.png"), encodePNG(t, solid(4, 4, 0, 4, red)))
			writeFile(t, filepath.Join(root, "val", "cow", "a.png"), encodePNG(t, solid(4, 4, 0, 4, red)))
		}, Test, []string{filepath.Join("val", "cow"), "not one of the 1 classes", "train"}},
		{"val images not in class folders", func(root string) {
			writeFile(t, filepath.Join(root, "train", "cat", "a.png"), encodePNG(t, solid(4, 4, 0, 4, red)))
			writeFile(t, filepath.Join(root, "val", "ILSVRC2012_val_00000001.JPEG"), encodeJPEG(t, solid(4, 4, 0, 4, red)))
		}, Test, []string{"val holds 1 images directly", "class folders"}},
		{"no class folders", func(root string) {
			writeFile(t, filepath.Join(root, "train", "list.txt"), []byte("x"))
		}, Train, []string{"train holds no class folders"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			tc.setup(root)
			_, err := Open(context.Background(), "imagenet", tc.split, Options{Dir: root, Resolution: 4})
			wantErr(t, err, tc.want...)
		})
	}
	root := t.TempDir()
	writeFolderTree(t, root)
	_, err := Open(context.Background(), "imagenet", Train, Options{Dir: root, Resolution: 224, MemoryLimit: 500e3})
	wantErr(t, err, "4 train images at 3×256×256", "take 786.4 kB in memory, more than the limit of 500.0 kB", "subset")
	_, err = Open(context.Background(), "imagenet", Train, Options{Dir: root, Resolution: -3})
	wantErr(t, err, "resolution -3")
}

func TestFolderCancel(t *testing.T) {
	sandbox(t)
	root := t.TempDir()
	writeFolderTree(t, root)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Open(ctx, "imagenet", Train, Options{Dir: root, Resolution: 8})
	wantErr(t, err, "context canceled")
}

// TestFolderMoreThanAddressable: a split whose decoded pixels fit the
// memory limit (16 GiB by default) but not a 32-bit build's slices is
// refused with an error, not a wrapped size (a panic, or images written
// past the end). 33 images at resolution 4096 (stored 4681×4681) take
// 2.17 GB; a 64-bit build would decode them, which this test leaves out.
func TestFolderMoreThanAddressable(t *testing.T) {
	if math.MaxInt > math.MaxInt32 {
		t.Skip("the limit of a 32-bit build's slices; this build's int is 64-bit")
	}
	root := t.TempDir()
	img := encodePNG(t, solid(1, 1, 0, 1, red))
	for i := range 33 {
		writeFile(t, filepath.Join(root, "train", "cat", fmt.Sprintf("%02d.png", i)), img)
	}
	_, err := Open(context.Background(), "imagenet", Train, Options{Dir: root, Resolution: 4096})
	if err == nil || !strings.Contains(err.Error(), "more than this build can hold") {
		t.Fatalf("33 images at resolution 4096 on a 32-bit build: error %v, want one saying they are more than this build can hold", err)
	}
}
