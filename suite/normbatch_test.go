package suite

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/models"
)

// normRecipe is a reduced ResNet-18 on the synthetic dataset, whose
// 1×16×16 images its last stage halves to 1×1 maps: its BatchNorm layers
// there see one value per channel for each image, as AlexNet's after its
// fully connected layers do on any input. A batch of one image cannot
// train it.
func normRecipe(t testing.TB, batch, trainSubset int, validation float64) *Sweep {
	t.Helper()
	text := fmt.Sprintf(`{"name": "norm", "model": "resnet18", "dataset": "synthetic", "width": 0.125, "epochs": 1, "batch": %d,
 "optimizer": "sgd", "lr": 0.1, "momentum": 0.9, "weight_decay": 1e-4, "schedule": "cosine", "augment": false,
 "train_subset": %d, "test_subset": 8, "validation": %v}`, batch, trainSubset, validation)
	r, err := ParseRecipe(strings.NewReader(text), "norm")
	if err != nil {
		t.Fatal(err)
	}
	return &Sweep{Workload: Workload{Recipe: *r}, Specs: parseSpecs(t, "ste"), Seeds: []uint64{1}}
}

// noPanic calls f and fails the test with the panic's value if it
// panics: the refusal must be an error, not a panic at the epoch's last
// batch.
func noPanic(t *testing.T, what string, f func() error) (err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("%s panicked: %v", what, r)
		}
	}()
	return f()
}

// TestNormBatchRefused: a run whose training images leave a last batch of
// one image, in a model whose BatchNorm layers see one value per channel
// for an image, is refused by every way of training it before anything
// is trained or written, with an error that names the model, the images,
// the batch and what to change. It panicked in BatchNorm at the first
// epoch's last batch.
func TestNormBatchRefused(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name       string
		batch, sub int
		validation float64
		grid       []float64
		want       []string
	}{
		{"last batch of one", 4, 9, 0.1, nil, []string{
			`suite: recipe norm: model resnet18 (width 0.125, on 1×16×16 images) normalises 1 value per channel for each image in a BatchNorm layer, and BatchNorm needs at least 2 per channel to train:`,
			`the 9 images a run trains on (train_subset 9) in batches of 4 leave a last batch of 1 image;`,
			`give a batch that leaves no single image over (such as 3 or 5) or a train_subset that leaves none (such as 8 or 10)`}},
		// With a learning-rate grid the subset is drawn from what the
		// validation split leaves, and is as many images whatever its
		// fraction: the error does not offer another.
		{"last batch of one, grid", 4, 9, 0.1, []float64{0.5, 1}, []string{
			`the 9 images a run trains on (train_subset 9) in batches of 4 leave a last batch of 1 image;`,
			`give a batch that leaves no single image over (such as 3 or 5) or a train_subset that leaves none (such as 8 or 10)`}},
		{"batch of one", 1, 8, 0.1, nil, []string{
			`the 8 images a run trains on (train_subset 8) in batches of 1 image each;`,
			`give a batch of at least 2`}},
		// 2048 images less the 205 of the validation split are 1843,
		// 307 batches of 6 and one image; the same recipe without a
		// learning-rate grid trains on all 2048 (see below).
		{"validation split", 6, 0, 0.1, []float64{1}, []string{
			`the 1843 images a run trains on (the 2048 training images of synthetic less the 205 of the validation split) in batches of 6 leave a last batch of 1 image;`,
			`give a batch that leaves no single image over (such as 5 or 7) or a train_subset that leaves none (such as 1842), or another validation fraction`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := normRecipe(t, tc.batch, tc.sub, tc.validation)
			s.LRGrid = tc.grid
			c := s.Cells()[0]
			check := func(what string, err error, dir string) {
				t.Helper()
				if err == nil {
					t.Fatalf("%s trained, want it refused", what)
				}
				for _, w := range tc.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("%s error = %v\nwant it to hold %q", what, err, w)
					}
				}
				if v := strings.Contains(err.Error(), "validation fraction"); v != (tc.grid != nil && tc.sub == 0) {
					t.Errorf("%s error = %v\noffers another validation fraction: %v", what, err, v)
				}
				if dir == "" {
					return
				}
				if _, err := os.Stat(dir); !os.IsNotExist(err) {
					entries, _ := os.ReadDir(dir)
					t.Errorf("%s: the runs directory was created (%v), holding %v", what, err, entries)
				}
			}
			dir := filepath.Join(t.TempDir(), "runs")
			check("Run", noPanic(t, "Run", func() error { _, err := (&Runner{Dir: dir}).Run(ctx, s); return err }), dir)
			check("Run with an estimate", noPanic(t, "Run", func() error {
				_, err := (&Runner{Dir: dir, Progress: func(Event) {}}).Run(ctx, s)
				return err
			}), dir)
			check("RunCell", noPanic(t, "RunCell", func() error { _, err := (&Runner{Dir: dir}).RunCell(ctx, c); return err }), dir)
			check("RunCellLocked", noPanic(t, "RunCellLocked", func() error {
				_, err := (&Runner{Dir: dir}).RunCellLocked(ctx, c, LockConfig{})
				return err
			}), dir)
			check("Slurm", noPanic(t, "Slurm", func() error {
				_, err := (&Runner{}).Slurm(ctx, SlurmSpec{Sweep: s, Exe: os.Args[0], Out: dir, Options: SlurmOptions{JobName: "gradbench"}})
				return err
			}), dir)
			// A run built by another path (Estimate's probe, a resumed
			// run) is refused where it is built.
			r := &Runner{Dir: dir}
			p, err := r.load(ctx, c.Workload)
			if err != nil {
				t.Fatal(err)
			}
			check("newRun", noPanic(t, "newRun", func() error { _, err := r.newRun(c, p, 1, new(int64), 1); return err }), "")
		})
	}
}

// TestNormBatchAccepted: what leaves no batch of one image is not
// refused: the recipe of the validation split case above without a
// learning-rate grid (2048 images, 341 batches of 6 and one of 2), and
// batches whose last one has 2 images.
func TestNormBatchAccepted(t *testing.T) {
	ctx := context.Background()
	s := normRecipe(t, 6, 0, 0.1)
	dir := filepath.Join(t.TempDir(), "runs")
	if _, err := (&Runner{}).Slurm(ctx, SlurmSpec{Sweep: s, Exe: os.Args[0], Out: dir, Options: SlurmOptions{JobName: "gradbench"}}); err != nil {
		t.Errorf("Slurm: %v", err)
	}
	s = normRecipe(t, 4, 10, 0.1)
	recs, err := (&Runner{Dir: dir}).Run(ctx, s)
	if err != nil || len(recs) != 1 || recs[0].Status != StatusOK {
		t.Fatalf("Run: %v, records %v", err, recs)
	}
}

// TestNormBatchCommittedRecipes: the committed recipes train every model
// that builds on their dataset's images (the recipe's own and those
// --model gives), with a learning-rate grid's validation split and
// without: none is refused by checkNormBatch. ResNet-18 on 28×28 or 32×32
// images, and AlexNet, see one value per channel for each image in a
// BatchNorm layer. ImageNet, whose size depends on the files, is taken at
// ILSVRC-2012's 1281167 training images of 3×224×224.
func TestNormBatchCommittedRecipes(t *testing.T) {
	sizes := map[string]struct{ n, c, side, classes int }{
		"fashion-mnist": {60000, 1, 28, 10},
		"cifar10":       {50000, 3, 32, 10},
		"imagenet":      {1281167, 3, 224, 1000},
	}
	ones := 0
	for _, r := range Recipes() {
		d, ok := sizes[r.Dataset]
		if !ok {
			t.Errorf("recipe %s: dataset %s has no size here", r.Name, r.Dataset)
			continue
		}
		for _, model := range models.Names() {
			mc := ModelConfig{Model: model, Dataset: r.Dataset, C: d.c, H: d.side, W: d.side, Classes: d.classes, Width: r.Width}
			norm, err := models.NormValues(model, models.Config{C: mc.C, H: mc.H, W: mc.W, Classes: mc.Classes, Width: mc.Width})
			if err != nil {
				continue // a model that does not build on these images
			}
			if norm == 1 {
				ones++
			}
			for _, fraction := range []float64{0, r.Validation} {
				if err := checkNormBatch(r, mc, norm, int(math.Round(fraction*float64(d.n))), d.n); err != nil {
					t.Errorf("recipe %s with model %s, validation %v: %v", r.Name, model, fraction, err)
				}
			}
		}
	}
	if ones == 0 {
		t.Error("no committed recipe met a model whose BatchNorm sees one value per channel: the test checks nothing that could be refused")
	}
}

// TestNormBatchRefusedBeforeTraining: a sweep that Run refuses for a last
// batch of one image is refused with Run's message by CheckSweep
// (gradbench plan --check-data) and by Estimate (plan --estimate, and
// Run's own estimate), whatever its runs directory holds: nothing, a
// record of another seed that times the pending cell, or a record of
// every cell. Estimate had refused it only by building a pending cell's
// run to time its steps, and gave an estimate where a record stood in
// for that: Run, which checks the batches before it looks at any record,
// refused the same sweep. The records are made as a run made before the
// check would have left them.
func TestNormBatchRefusedBeforeTraining(t *testing.T) {
	ctx := context.Background()
	s := normRecipe(t, 4, 9, 0.1)
	s.Seeds = []uint64{1, 2}
	for _, tc := range []struct {
		name     string
		recorded []uint64
	}{{"no record", nil}, {"seed 1 recorded", []uint64{1}}, {"every cell recorded", []uint64{1, 2}}} {
		dir := filepath.Join(t.TempDir(), "runs")
		if len(tc.recorded) > 0 {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		for _, seed := range tc.recorded {
			if err := WriteRecord(dir, fakeRecord(&s.Workload, "ste", seed, 50)); err != nil {
				t.Fatal(err)
			}
		}
		_, runErr := (&Runner{Dir: dir}).Run(ctx, s)
		if runErr == nil || !strings.Contains(runErr.Error(), "leave a last batch of 1 image") {
			t.Fatalf("%s: Run: %v, want the last batch of one refused", tc.name, runErr)
		}
		err := noPanic(t, "CheckSweep", func() error { return (&Runner{Dir: dir}).CheckSweep(ctx, s) })
		if err == nil || err.Error() != runErr.Error() {
			t.Errorf("%s: CheckSweep: %v\nwant Run's refusal: %v", tc.name, err, runErr)
		}
		var est Estimate
		err = noPanic(t, "Estimate", func() (err error) { est, err = (&Runner{Dir: dir}).Estimate(ctx, s); return err })
		if err == nil || err.Error() != runErr.Error() {
			t.Errorf("%s: Estimate: %v (estimate %q)\nwant Run's refusal: %v", tc.name, err, est, runErr)
		}
	}
}
