// Package recipetest writes the small recipes that the tests of suite and
// cmd/gradbench train: a reduced ResNet-20 (width 0.125) on a subset of
// the synthetic dataset, with the suite's SGD recipe, so that a run takes
// a second or two.
package recipetest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Tiny returns the recipe file's text: recipe name, epochs, batch size and
// the sizes of the training and test subsets.
func Tiny(name string, epochs, batch, train, test int) string {
	return fmt.Sprintf(`{"name": %q, "model": "resnet20", "dataset": "synthetic", "width": 0.125, "epochs": %d, "batch": %d,
 "optimizer": "sgd", "lr": 0.1, "momentum": 0.9, "weight_decay": 1e-4, "schedule": "cosine", "augment": true,
 "train_subset": %d, "test_subset": %d}`, name, epochs, batch, train, test)
}

// Write writes text to dir/tiny.json and returns the path.
func Write(t testing.TB, dir, text string) string {
	t.Helper()
	path := filepath.Join(dir, "tiny.json")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
