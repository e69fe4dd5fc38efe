package suite

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// TestOpenDatasetCanceled: OpenDataset stops when its context is
// canceled, here before decoding an image folder. It used to take no
// context, so that export and fidelity, which load a run's dataset
// through it, could not be interrupted while an image folder was decoded
// or a dataset downloaded.
func TestOpenDatasetCanceled(t *testing.T) {
	root := t.TempDir()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	for _, split := range []string{"train", "val"} {
		dir := filepath.Join(root, split, "cat")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "a.png"), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := OpenDataset(ctx, "imagenet", root); !errors.Is(err, context.Canceled) {
		t.Errorf("OpenDataset(canceled, imagenet, %s) = %v, want context.Canceled", root, err)
	}
	if _, _, err := OpenDataset(context.Background(), "imagenet", root); err != nil {
		t.Errorf("OpenDataset(imagenet, %s) = %v, want the folder read", root, err)
	}
}
