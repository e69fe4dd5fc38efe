package suite

import (
	"strings"
	"testing"

	"github.com/gradbench/gradbench/data"
)

// TestSubsetOfWholeSplit: a subset as large as its split trained on the
// same images as subset 0, the whole split, under another key, so the
// same workload stood twice in a table; it is refused, naming the key to
// give, and so is a training subset of every image a validation split
// leaves.
func TestSubsetOfWholeSplit(t *testing.T) {
	r := &Recipe{Name: "r", Dataset: "synthetic", Batch: 8}
	for _, tc := range []struct {
		train, test int
		want        string
	}{
		{2048, 0, "suite: recipe r: train_subset 2048 is the whole train split of synthetic: give 0 for the whole split"},
		{0, 512, "suite: recipe r: test_subset 512 is the whole test split of synthetic: give 0 for the whole split"},
		{2049, 0, "suite: recipe r: train_subset 2049 is more than the 2048 images of the train split of synthetic: give fewer than 2048, or 0"},
		{2047, 511, ""},
		{0, 0, ""},
	} {
		r.TrainSubset, r.TestSubset = tc.train, tc.test
		err := checkSubsets(r, 2048, 512)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)) {
			t.Errorf("subsets %d, %d: %v, want %q", tc.train, tc.test, err, tc.want)
		}
	}
	train := &data.Dataset{N: 100}
	for _, tc := range []struct {
		subset int
		want   string
	}{
		{90, "suite: recipe r: train_subset 90 is all the training images of synthetic that the validation split (10 images, 0.1 of the split) leaves: give 0"},
		{91, "suite: recipe r: train_subset 91 is more than the 90 training images"},
		{89, ""},
	} {
		r.TrainSubset = tc.subset
		err := checkHoldout(r, 0.1, 10, train)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)) {
			t.Errorf("train_subset %d with 10 held out of 100: %v, want %q", tc.subset, err, tc.want)
		}
	}
}

// TestLabelNamesTestSubset: a table's heading names the test subset its
// top-1 is measured on, as it names the training subset; two workloads
// that differed only in it had the same heading.
func TestLabelNamesTestSubset(t *testing.T) {
	r := Recipe{Name: "r", Model: "resnet20", Dataset: "synthetic", Width: 1, Epochs: 2, Batch: 8, Optimizer: "sgd", LR: 0.1, Schedule: "cosine"}
	for _, tc := range []struct {
		train, test int
		want        string
	}{
		{0, 0, "resnet20 on synthetic, recipe r: 2 epochs"},
		{512, 0, "resnet20 on synthetic (512 training images), recipe r: 2 epochs"},
		{0, 256, "resnet20 on synthetic (256 test images), recipe r: 2 epochs"},
		{512, 256, "resnet20 on synthetic (512 training images, 256 test images), recipe r: 2 epochs"},
	} {
		r.TrainSubset, r.TestSubset = tc.train, tc.test
		w := Workload{Recipe: r}
		if got := w.Label(); !strings.HasPrefix(got, tc.want) {
			t.Errorf("subsets %d, %d: label %q, want it to start %q", tc.train, tc.test, got, tc.want)
		}
	}
}
