//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/gradbench/gradbench/data"
	"github.com/gradbench/gradbench/internal/racebuild"
	"github.com/gradbench/gradbench/internal/texttest"
	"github.com/gradbench/gradbench/suite"
)

// TestRefuses is issue 11's acceptance table: every input the issue names
// as used silently wrongly, or refused with an unhelpful message, run
// through the command line (gradbench's testable entry point) with the
// exact outcome: the error text, or the value actually used.
func TestRefuses(t *testing.T) {
	fx := newRefuseFixture(t)
	oneKey := strings.TrimSuffix(filepath.Base(fx.oneRecord), ".json")
	maxInt := strconv.Itoa(math.MaxInt)
	type row struct {
		name string
		args []string
		// want is the exact error (without the "gradbench: " prefix main
		// adds), or "" when the command succeeds; check, when set, then
		// looks at what it printed.
		want  string
		check func(t *testing.T, stdout, stderr string)
		// do, when set, runs the row instead of args; errCheck, when set,
		// checks the error instead of want.
		do       func(t *testing.T) (stdout, stderr string, err error)
		errCheck func(t *testing.T, err error)
	}
	pos := func(name string, args []string, want string, check func(t *testing.T, stdout, stderr string)) row {
		return row{name: name, args: args, want: want, check: check}
	}
	plan := func(est string) []string {
		return []string{"plan", "--quiet", "--recipe", fx.recipe, "--out", fx.scratch("plan"), "--estimators", est}
	}
	together := row{name: "two plain runs on one --out", do: fx.twoRuns, check: func(t *testing.T, _, stderr string) {
		// Without the locks each run would train both cells.
		if n := strings.Count(stderr, "after 6 epochs"); n != 2 {
			t.Errorf("%d cells trained by the two runs, want 2 (each once):\n%s", n, stderr)
		}
		t.Logf("the two runs:\n%s", stderr)
	}}
	run := func(rows []row) {
		for _, r := range rows {
			t.Run(r.name, func(t *testing.T) {
				var stdout, stderr string
				var err error
				if r.do != nil {
					stdout, stderr, err = r.do(t)
				} else {
					stdout, stderr, err = runGradbench(t, r.args...)
				}
				switch {
				case r.errCheck != nil:
					r.errCheck(t, err)
				case r.want == "" && err != nil:
					t.Fatalf("gradbench %q: %v\n%s", r.args, err, stderr)
				case r.want != "" && (err == nil || err.Error() != r.want):
					t.Fatalf("gradbench %q:\n got error %v\nwant error %s", r.args, err, r.want)
				}
				if r.check != nil {
					r.check(t, stdout, stderr)
				}
			})
		}
		if ents, _ := os.ReadDir(fx.scratch("")); len(ents) != 0 {
			{
				var names []string
				for _, e := range ents {
					names = append(names, e.Name())
				}
				t.Errorf("refused commands created %v", names)
			}
		}
	}
	// Under -race the row of two processes alone: a refusal's words, in
	// one process, are the same in every build.
	if racebuild.Enabled {
		run([]row{together})
		return
	}
	rows := []row{
		// 1. Estimator values that float32 rounds to 0 are refused, not defaulted.
		pos("1 ste:c=1e-50", plan("ste:c=1e-50"), `estimators: ste: bad value c="1e-50": below float32's smallest normal magnitude, 1.1754944e-38 (it would be 0): want a number > 0`, nil),
		pos("1 dsq:alpha=1e-50", plan("dsq:alpha=1e-50"), `estimators: dsq: bad value alpha="1e-50": below float32's smallest normal magnitude, 1.1754944e-38 (it would be 0): want a number in [0.001, 0.999]`, nil),
		pos("1 fda:omega=1e-50", plan("fda:omega=1e-50"), `estimators: fda: bad value omega="1e-50": below float32's smallest normal magnitude, 1.1754944e-38 (it would be 0): want a number > 0`, nil),
		pos("1 fda:c=1e-50", plan("fda:c=1e-50"), `estimators: fda: bad value c="1e-50": below float32's smallest normal magnitude, 1.1754944e-38 (it would be 0): want a number > 0`, nil),
		pos("1 ede:tmin=1e-50,tmax=1e-50", plan("ede:tmin=1e-50,tmax=1e-50"), `estimators: ede: bad value tmin="1e-50": below float32's smallest normal magnitude, 1.1754944e-38 (it would be 0): want a number > 0`, nil),
		// 2. bnnplus:beta is refused outside the range list states, not clamped.
		pos("2 bnnplus:beta=1e-10", plan("bnnplus:beta=1e-10"), `estimators: bnnplus: bad value beta="1e-10": want a number in [0.001, 1000]`, nil),
		pos("2 bnnplus:beta=1e6", plan("bnnplus:beta=1e6"), `estimators: bnnplus: bad value beta="1e6": want a number in [0.001, 1000]`, nil),
		// 3. A subset larger than its split is refused: no heading overstates the training set.
		pos("3 quick on synthetic", []string{"run", "--recipe", "quick", "--dataset", "synthetic", "--out", fx.scratch("quick")},
			"suite: recipe quick: train_subset 10000 is more than the 2048 images of the train split of synthetic: give fewer than 2048, or 0 for the whole split", nil),
		pos("3 train_subset 100000000", []string{"run", "--recipe", fx.hugeSubset, "--out", fx.scratch("huge")},
			"suite: recipe huge: train_subset 100000000 is more than the 2048 images of the train split of synthetic: give fewer than 2048, or 0 for the whole split", nil),
		// 4. Unequal seed sets (paired statistics, issue 15): only the seeds both rows have are compared, and the table says which.
		pos("4 ste n=4, bnnplus n=3", []string{"table", "--runs", fx.unequal}, "", func(t *testing.T, stdout, _ string) {
			flat := texttest.Squash(stdout)
			for _, want := range []string{"| seeds | paired with ste |", "| bnnplus | ", " | 3 | 0 | 1–3 | 1–3 | -", "| ste | ", " | 4 | 0 | 1–4 | – |"} {
				if !strings.Contains(flat, want) {
					t.Errorf("table lacks %q:\n%s", want, stdout)
				}
			}
		}),
		// 5. A record edited by hand is refused by name, with what to do.
		pos("5 sealed record edited", []string{"table", "--runs", fx.edited},
			"suite: record "+fx.editedPath+": its checksum "+fx.editedSum+" does not match its content: edited by hand or corrupted; delete it to retrain the run", nil),
		pos("5 legacy record edited", []string{"table", "--runs", fx.legacyEdited},
			"suite: record "+fx.legacyEditedPath+": final test_top1 99, but the last epoch's is "+fx.lastTop1+": edited by hand or corrupted; delete it to retrain the run", nil),
		pos("5 checksum removed", []string{"table", "--runs", fx.unsealed},
			"suite: record "+fx.unsealedPath+": it has no checksum, but its training segments and data digests are of a gradbench that checksums every record it writes: its checksum was removed: edited by hand or corrupted; delete it to retrain the run", nil),
		pos("5 legacy record", []string{"table", "--runs", fx.legacy}, "", func(t *testing.T, _, stderr string) {
			want := "note: 1 record, written before gradbench checksummed its records, agrees with itself but is not verified against edits (" + suite.RecordPath(fx.legacy, oneKey) + ")\n"
			if stderr != want {
				t.Errorf("stderr = %q, want %q", stderr, want)
			}
		}),
		// 6. plan validates the sweep as run and slurm do.
		pos("6 plan --dataset nosuch", []string{"plan", "--recipe", fx.recipe, "--dataset", "nosuch", "--out", fx.scratch("nosuch")},
			`suite: unknown dataset "nosuch" (have cifar10, fashion-mnist, imagenet, mnist, synthetic)`, nil),
		pos("6 run --dataset nosuch", []string{"run", "--recipe", fx.recipe, "--dataset", "nosuch", "--out", fx.scratch("nosuch")},
			`suite: unknown dataset "nosuch" (have cifar10, fashion-mnist, imagenet, mnist, synthetic)`, nil),
		pos("6 slurm --dataset nosuch", []string{"slurm", "--recipe", fx.recipe, "--dataset", "nosuch", "--out", fx.scratch("nosuch")},
			`suite: unknown dataset "nosuch" (have cifar10, fashion-mnist, imagenet, mnist, synthetic)`, nil),
		// 7. A recipe key given twice is refused.
		pos("7 recipe key twice", []string{"plan", "--recipe", fx.dupKey, "--out", fx.scratch("dup")},
			`suite: recipe dup: key "lr" given twice (in `+fx.dupKey+")", nil),
		// 9. fidelity (issue 14) refuses states it cannot measure, by name, with what to do.
		pos("9 fidelity without a state", []string{"fidelity"},
			"suite: fidelity: give --run <dir>/<key>.json (a finished run's states) or --init (the recipe's initial state)", nil),
		pos("9 fidelity --run and --init", []string{"fidelity", "--run", fx.oneRecord, "--init"},
			"suite: fidelity: --run and --init both given: --run measures its initial state as epoch 0", nil),
		pos("9 fidelity epoch not kept", []string{"fidelity", "--run", fx.oneRecord, "--epochs", "0,1"},
			"suite: fidelity: run "+oneKey+" has no weights after epoch 1 ("+suite.EpochWeightsPath(filepath.Dir(fx.oneRecord), oneKey, 1)+"): gradbench run --keep-epochs keeps them", nil),
		pos("9 fidelity epoch past the run", []string{"fidelity", "--run", fx.oneRecord, "--epochs", "3"},
			`suite: fidelity: --epochs "3": epoch 3 is outside the run's 0..2`, nil),
		// Each epoch as typed, not as the parsed number prints.
		pos("9 fidelity epoch past the run, leading zero", []string{"fidelity", "--run", fx.oneRecord, "--epochs", "0,03"},
			`suite: fidelity: --epochs "0,03": item 2 of 2: epoch 03 is outside the run's 0..2`, nil),
		pos("9 fidelity epoch not kept, leading zero", []string{"fidelity", "--run", fx.oneRecord, "--epochs", "0,01"},
			"suite: fidelity: run "+oneKey+" has no weights after epoch 01 ("+suite.EpochWeightsPath(filepath.Dir(fx.oneRecord), oneKey, 1)+"): gradbench run --keep-epochs keeps them", nil),
		pos("9 fidelity --epochs x", []string{"fidelity", "--run", fx.oneRecord, "--epochs", "x"},
			`suite: fidelity: --epochs "x": "x" is not an epoch (want comma-separated epochs >= 0 in plain digits, such as 0,5,10)`, nil),
		// An --out that cannot take the files is refused before the
		// measurement, not after it: here the run's record, a file.
		pos("9 fidelity --out a file", []string{"fidelity", "--run", fx.oneRecord, "--out", fx.oneRecord},
			"fidelity: --out "+fx.oneRecord+": not a directory: name a directory to write into (it is created if missing)", nil),
		pos("9 fidelity --epochs 0,0", []string{"fidelity", "--run", fx.oneRecord, "--epochs", "0,0"},
			`suite: fidelity: --epochs "0,0": item 2 of 2: epoch 0 is given twice (item 1, "0", is the same epoch): each state is measured once, so give each epoch once`, nil),
		pos("9 fidelity --epochs 2,0,2", []string{"fidelity", "--run", fx.oneRecord, "--epochs", "2,0,2"},
			`suite: fidelity: --epochs "2,0,2": item 3 of 3: epoch 2 is given twice (item 1, "2", is the same epoch): each state is measured once, so give each epoch once`, nil),
		pos("9 fidelity --init --epochs 2", []string{"fidelity", "--init", "--recipe", fx.recipe, "--epochs", "2"},
			`suite: fidelity: --epochs "2" with --init: --init has the initial state only; other epochs need a run (--run)`, nil),
		pos("9 fidelity --bootstrap 2", []string{"fidelity", "--init", "--recipe", fx.recipe, "--bootstrap", "2"},
			"suite: fidelity: --bootstrap 2: want at least 200 resamples: a 95% interval's ends are the 2.5% and 97.5% points of the resampled scores, which 200 resamples put 5 resamples from either end (below 40 they are the smallest and largest resample)", nil),
		pos("9 fidelity --bootstrap 199", []string{"fidelity", "--init", "--recipe", fx.recipe, "--bootstrap", "199"},
			"suite: fidelity: --bootstrap 199: want at least 200 resamples: a 95% interval's ends are the 2.5% and 97.5% points of the resampled scores, which 200 resamples put 5 resamples from either end (below 40 they are the smallest and largest resample)", nil),
		// No upper bound let --bootstrap 1e8 grow past 3 GB, tried as a
		// new user would; refused before any work, with the reason.
		pos("9 fidelity --bootstrap 100000000", []string{"fidelity", "--init", "--recipe", fx.recipe, "--bootstrap", "100000000"},
			"suite: fidelity: --bootstrap 100000000: want at most 1000000 resamples: every resample's scores are kept until their percentiles are taken (32 bytes per resample and estimator, 72 with --eval-batches 2 or more, all estimators at once), and more would not make the intervals meaningfully more precise", nil),
		pos("9 fidelity --sample 0", []string{"fidelity", "--init", "--sample", "0"},
			"suite: fidelity: --sample 0: want at least 1 sampled weight per stratum and binary layer", nil),
		// A count given is used as given or refused: 0 is not the default.
		pos("9 fidelity --batch 0", []string{"fidelity", "--init", "--batch", "0"},
			"suite: fidelity: --batch 0: want an evaluation batch of at least 2 images", nil),
		pos("9 fidelity --batch 1", []string{"fidelity", "--init", "--batch", "1"},
			"suite: fidelity: --batch 1: want an evaluation batch of at least 2 images", nil),
		pos("9 fidelity --eval-batches 0", []string{"fidelity", "--init", "--eval-batches", "0"},
			"suite: fidelity: --eval-batches 0: want at least 1 evaluation batch", nil),
		pos("9 fidelity --bootstrap 0", []string{"fidelity", "--init", "--bootstrap", "0"},
			"suite: fidelity: --bootstrap 0: want at least 200 resamples: a 95% interval's ends are the 2.5% and 97.5% points of the resampled scores, which 200 resamples put 5 resamples from either end (below 40 they are the smallest and largest resample)", nil),
		pos("9 fidelity --batch past the split", []string{"fidelity", "--init", "--recipe", fx.recipe, "--batch", "5000"},
			"suite: fidelity: --batch 5000 is more than the 32 images of the run's train_subset of synthetic: want at most 31, which leaves one for the training batch after it", nil),
		pos("9 fidelity --batch of the whole subset", []string{"fidelity", "--init", "--recipe", fx.recipe, "--batch", "32"},
			"suite: fidelity: --batch 32 takes all the 32 images of the run's train_subset of synthetic, leaving none for the training batch after it: want at most 31", nil),
		pos("9 fidelity --eval-batches past the split", []string{"fidelity", "--init", "--recipe", fx.recipe, "--batch", "10", "--eval-batches", "3"},
			"suite: fidelity: --eval-batches 3 with --batch 10: the evaluation batches and the batch between the first two (the training batch's) need 40 images, more than the 32 images of the run's train_subset of synthetic", nil),
		pos("9 fidelity of a run", []string{"fidelity", "--run", fx.oneRecord, "--estimators", "ste,fda+na", "--batch", "16", "--sample", "4", "--bootstrap", "200"}, "", func(t *testing.T, stdout, stderr string) {
			texttest.ContainsAll(t, "fidelity output", stdout, "epoch 0 (true loss", "epoch 2 (true loss", "| ste ", "| fda+na ", "control (last layer) Pearson")
			if !strings.Contains(stderr, "network passes, expected") {
				t.Errorf("fidelity did not print the expected time first:\n%s", stderr)
			}
			// Tried as a new user would: sub-second work read
			// "expected about 0s" and "took 0s (expected 0s)".
			if strings.Contains(stderr, " 0s") {
				t.Errorf("fidelity printed a duration of 0s:\n%s", stderr)
			}
			// The table's wall time counted loading and timing while
			// stderr's "took" counted the measurement alone, neither
			// saying so: each names what it covers, the same total.
			took := regexp.MustCompile(`fidelity: measured in (?:under a second|\S+) \(expected (?:under a second|\S+)\); ((?:under a second|\S+)) in all, loading the data and the network and timing the passes included \(the report's wall time\)\n`).FindStringSubmatch(stderr)
			if took == nil {
				t.Fatalf("fidelity's stderr does not say what its times cover:\n%s", stderr)
			}
			if want := "Wall time " + took[1] + " in all, loading the data and the network and timing the passes included."; !strings.Contains(stdout, want) {
				t.Errorf("fidelity's report: want %q, as stderr says:\n%s", want, stdout)
			}
		}),
		// fidelity measures one network: --seeds is its one seed, used as
		// given and named in the heading; a list, range or sign is refused,
		// and so are --recipe and --seeds beside --run, whose record gives
		// both.
		pos("fidelity --init --seeds 2,3", []string{"fidelity", "--init", "--recipe", fx.recipe, "--seeds", "2,3"},
			`suite: fidelity: --seeds: bad seed "2,3": one network is measured, so one seed: not a list or a range (want one seed, an integer >= 1 such as 3)`, nil),
		pos("fidelity --init --seeds 2..3", []string{"fidelity", "--init", "--recipe", fx.recipe, "--seeds", "2..3"},
			`suite: fidelity: --seeds: bad seed "2..3": one network is measured, so one seed: not a list or a range (want one seed, an integer >= 1 such as 3)`, nil),
		pos("fidelity --init --seeds +3", []string{"fidelity", "--init", "--recipe", fx.recipe, "--seeds", "+3"},
			`suite: fidelity: --seeds: bad seed "+3": a sign (+ or -) is not allowed: write the seed as plain digits (want one seed, an integer >= 1 such as 3)`, nil),
		pos("fidelity --init --seeds 0", []string{"fidelity", "--init", "--recipe", fx.recipe, "--seeds", "0"},
			`suite: fidelity: --seeds: bad seed "0": not an integer >= 1 (want one seed, an integer >= 1 such as 3)`, nil),
		pos("fidelity --run --seeds", []string{"fidelity", "--run", fx.oneRecord, "--seeds", "2"},
			"suite: fidelity: --seeds with --run: the run's record gives its recipe and seed; drop --seeds (they go with --init)", nil),
		pos("fidelity --run --recipe --seeds", []string{"fidelity", "--run", fx.oneRecord, "--recipe", "quick", "--seeds", "2"},
			"suite: fidelity: --recipe and --seeds with --run: the run's record gives its recipe and seed; drop --recipe and --seeds (they go with --init)", nil),
		pos("fidelity --init --seeds 3", []string{"fidelity", "--init", "--recipe", fx.recipe, "--seeds", "3", "--estimators", "ste", "--batch", "16", "--sample", "4", "--bootstrap", "200", "--quiet"}, "", func(t *testing.T, stdout, _ string) {
			// --sample 4 is more than the tenth of smallest |w| of the
			// first six layers (36 weights, a tenth of 3): the output
			// says what each layer gave.
			texttest.ContainsAll(t, "fidelity output", stdout, "#### Gradient fidelity: initial state of seed 3, resnet20", "| sampled: uniform + smallest tenth |",
				"| stage1.block0.unit0.conv | 4 + all 3 ", "| stage2.block0.unit0.conv | 4 + 4 ", "over 138 sampled weights per state (4 per binary layer drawn uniformly and 4 among its 10% smallest |w|; in 6 of the 18 layers a stratum holds fewer, and all its weights were taken: see the per-layer table's sampled column)")
		}),
		// 8. curves refuses a grid float32 cannot hold.
		pos("8 curves --from -1e300 --to 1e300", []string{"curves", "--from", "-1e300", "--to", "1e300"},
			"suite: curves: --from -1e300 is outside float32's range (±3.4028235e+38), in which the estimators take x", nil),
		pos("8 curves --from that float32 rounds to 0", []string{"curves", "--estimators", "ste", "--from", "1e-50", "--to", "1", "--points", "2"},
			"suite: curves: --from 1e-50 is 0 as float32, in which the estimators take x (its smallest magnitude is 1e-45): give 0 or a number at least that far from it", nil),
		pos("8 curves points float32 cannot tell apart", []string{"curves", "--from", "1", "--to", "1.0000001"},
			"suite: curves: --points 401 between 1 and 1.0000001 are closer than float32 resolves (x 1 repeats): give fewer points or a wider range", nil),

		// Unclear today.
		pos("c=+Inf", plan("ste:c=+Inf"), `estimators: ste: bad value c="+Inf": want a finite number > 0`, nil),
		pos("fda,omega=0.2", plan("fda,omega=0.2"), `estimators: "fda,omega=0.2": parameters follow a colon, as in "fda:omega=0.2"`, nil),
		pos("image file replaced by a folder", []string{"run", "--recipe", fx.recipe, "--dataset", "mnist", "--data", fx.folderData, "--out", fx.scratch("folder")},
			"data: "+filepath.Join(fx.folderData, "train-images-idx3-ubyte")+" is a directory, want the train split's data file (train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz])", nil),
		pos(`run --out ""`, []string{"run", "--recipe", fx.recipe, "--out", ""}, `run: --out "" is empty: give the directory, or leave --out out for its default (results/runs)`, nil),
		pos(`plan --out ""`, []string{"plan", "--recipe", fx.recipe, "--out", ""}, `plan: --out "" is empty: give the directory, or leave --out out for its default (results/runs)`, nil),
		pos(`table --runs ""`, []string{"table", "--runs", ""}, `table: --runs "" is empty: give the directory, or leave --runs out for its default (results/runs)`, nil),
		pos("table --diagnostics --ablation main", []string{"table", "--runs", filepath.Dir(fx.oneRecord), "--diagnostics", "--ablation", "main"},
			"suite: --diagnostics with --ablation main: give one of them", nil),
		pos("table --diagnostics", []string{"table", "--runs", filepath.Dir(fx.oneRecord), "--diagnostics"}, "", func(t *testing.T, stdout, _ string) {
			// A fresh record has the training diagnostics; the table shows them.
			texttest.ContainsAll(t, "table --diagnostics", stdout, "| estimator | n | flip ratio | oscillation f̄ |", "| ste       | 1 |")
		}),
		pos("export --out DIR", []string{"export", "--run", fx.oneRecord, "--out", fx.aDir},
			"suite: export: --out "+fx.aDir+": refusing to write there: it is a directory, want a file name; name another file", nil),
		pos("curves --svg DIR", []string{"curves", "--svg", fx.aDir}, "suite: curves: --svg "+fx.aDir+": refusing to write there: it is a directory, want a file name; name another file", nil),
		// eval evaluates the run's test_subset (32 of the 40 images) by
		// default, the whole split with --test-subset 0.
		// The largest int, of whichever size the build has.
		pos("eval --batch past the test subset", []string{"eval", "--model", fx.mnistModel, "--data", fx.mnistData, "--batch", maxInt},
			"suite: eval: --batch "+maxInt+" is more than the 32 test images of the run's test_subset: want at most 32", nil),
		pos("eval --batch past the test split", []string{"eval", "--model", fx.mnistModel, "--data", fx.mnistData, "--batch", maxInt, "--test-subset", "0"},
			"suite: eval: --batch "+maxInt+" is more than the 40 images of the test split of mnist: want at most 40", nil),
		pos("eval with a corrupt training split", []string{"eval", "--model", fx.mnistModel, "--data", fx.mnistData, "--batch", "16"}, "", func(t *testing.T, stdout, _ string) {
			if !strings.Contains(stdout, " on mnist test (32 of 40 images, the run's test_subset)") || !strings.Contains(stdout, "predictions equal: 32 of 32 (100.00%)") {
				t.Errorf("eval on the test split alone:\n%s\nwant the run's 32 test images evaluated", stdout)
			}
		}),
		// The run's test subset is of its own dataset: with another
		// --dataset, eval wants --test-subset.
		pos("eval --dataset of another dataset than the run's test subset", []string{"eval", "--model", fx.mnistModel, "--dataset", "fashion-mnist", "--batch", "8"},
			"suite: eval: --dataset fashion-mnist: the run evaluated a test_subset of 32 images of mnist, which does not apply to fashion-mnist: give --test-subset 0 for the whole test split of fashion-mnist, or --test-subset N", nil),
		// A dataset of another shape is refused as such first: the advice
		// to give --test-subset 0 led only to that refusal.
		pos("eval --dataset of another shape, the run's test subset recorded", []string{"eval", "--model", fx.mnistModel, "--dataset", "cifar10", "--batch", "8"},
			"suite: eval: dataset cifar10 has 3×32×32 images of 10 classes; the model takes 1×28×28 images of 10 classes", nil),
		// --dataset evaluates another dataset of the model's shape, here
		// 24 Fashion-MNIST test images, not the model's own (mnist, 40):
		// ignoring --dataset passed every other test, whose --dataset
		// named the model's own.
		{name: "eval --dataset fashion-mnist", do: func(t *testing.T) (string, string, error) {
			fashion := filepath.Join(t.TempDir(), "fashion")
			writeMNIST(t, fashion, "t10k", 24)
			stdout, stderr, err := runGradbench(t, "eval", "--model", fx.mnistModel, "--dataset", "fashion-mnist", "--data", fashion, "--batch", "8", "--test-subset", "0")
			if err == nil && (!strings.Contains(stdout, " on fashion-mnist test (24 images)") || !strings.Contains(stdout, "predictions equal: 24 of 24")) {
				t.Errorf("eval --dataset fashion-mnist:\n%s\nwant the 24 fashion-mnist test images evaluated", stdout)
			}
			return stdout, stderr, err
		}},
		// eval --dataset mnist needs the test split alone: a directory of
		// its files, given or found in the search order, is enough, and
		// nothing is downloaded into the user cache for the training split.
		{name: "eval --dataset mnist with the test split's files alone", do: func(t *testing.T) (string, string, error) {
			root := t.TempDir()
			testOnly := filepath.Join(root, "mnist")
			writeMNIST(t, testOnly, "t10k", 40)
			cache := t.TempDir()
			t.Setenv("XDG_CACHE_HOME", cache)
			t.Setenv(data.EnvDataDir, root)
			for _, args := range [][]string{
				{"eval", "--model", fx.mnistModel, "--dataset", "mnist", "--data", testOnly, "--batch", "16"},
				{"eval", "--model", fx.mnistModel, "--dataset", "mnist", "--batch", "16"},
			} {
				stdout, stderr, err := runGradbench(t, args...)
				if err != nil {
					return stdout, stderr, err
				}
				if !strings.Contains(stdout, "predictions equal: 32 of 32 (100.00%)") {
					t.Errorf("gradbench %q:\n%s\nwant the run's 32 test images evaluated", args, stdout)
				}
			}
			if ents, _ := os.ReadDir(testOnly); len(ents) != 2 {
				t.Errorf("eval changed the test-only data directory: %d files, want its 2", len(ents))
			}
			if _, err := os.Stat(filepath.Join(cache, "gradbench")); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("eval wrote into the user cache (%v): it fetched the training split", err)
			}
			return "", "", nil
		}},
		{name: "--out that cannot take a checkpoint", args: []string{"run", "--recipe", fx.recipe, "--estimators", "ste", "--quiet", "--out", fx.fullOut},
			errCheck: func(t *testing.T, err error) {
				if fx.fullCause == "" {
					t.Skip("no read-only or full directory to try here")
				}
				msg := fmt.Sprint(err)
				if fx.fullCause == "permission denied" {
					// A directory no file can be created in is refused
					// before the data is loaded (TestRunReadOnlyOut).
					if want := "run: --out " + fx.fullOut + ": cannot write there: creating a file in " + fx.fullOut + ": permission denied; nothing was trained"; msg != want {
						t.Errorf("error %v, want %s", err, want)
					}
				} else if !strings.HasPrefix(msg, "suite: the runs directory "+fx.fullOut+" cannot take an epoch checkpoint (") ||
					!strings.HasSuffix(msg, fx.fullCause+"; nothing was trained") {
					t.Errorf("error %v, want the runs directory named, before any training, with the cause %q", err, fx.fullCause)
				}
				if ents, _ := os.ReadDir(fx.fullOut); len(ents) != 0 {
					t.Errorf("left in --out: %v", ents)
				}
			}},
		pos("sbatch hint with spaces", []string{"slurm", "--recipe", fx.recipe, "--out", fx.spaced}, "", func(t *testing.T, stdout, _ string) {
			s := filepath.Join(fx.spaced, "slurm")
			want := "job=$(sbatch --parsable '" + s + "/cells.sh') && sbatch --dependency=afterany:${job%%;*} '" + s + "/table.sh'\n"
			if stdout != want {
				t.Errorf("slurm printed:\n%s\nwant the paths quoted:\n%s", stdout, want)
			}
		}),
		pos("--time 99:99:99", []string{"slurm", "--recipe", fx.recipe, "--time", "99:99:99", "--out", fx.scratch("time")}, `suite: bad --time "99:99:99": 99 minutes, want 0 to 59`, nil),
		pos("--time 1-24", []string{"slurm", "--recipe", fx.recipe, "--time", "1-24", "--out", fx.scratch("time")}, `suite: bad --time "1-24": 24 hours after the days, want 0 to 23`, nil),

		together,

		// Also.
		{name: "one mode for every output, less the umask", do: fx.umaskRun, check: func(t *testing.T, stdout, _ string) {
			if stdout != "" {
				t.Errorf("files whose mode is not 0664 under umask 002:\n%s", stdout)
			}
		}},
		{name: "results/runs is git-ignored", do: func(t *testing.T) (string, string, error) {
			if _, err := exec.LookPath("git"); err != nil {
				t.Skip("no git")
			}
			out, err := exec.Command("git", "check-ignore", filepath.Join("..", "..", "results", "runs", "0123456789abcdef.json")).CombinedOutput()
			if ee := (*exec.ExitError)(nil); errors.As(err, &ee) && ee.ExitCode() == 128 {
				t.Skipf("not a git checkout: %s", out)
			}
			return string(out), "", err
		}},
		pos("table --curves over two workloads", []string{"table", "--runs", fx.twoWorkloads, "--curves", filepath.Join(fx.twoWorkloads, "c.svg")}, "", func(t *testing.T, _, stderr string) {
			for _, name := range []string{"c-tiny-resnet20-w0.125-synthetic-2ep.svg", "c-tiny-resnet20-w0.125-synthetic-3ep.svg"} {
				path := filepath.Join(fx.twoWorkloads, name)
				if !strings.Contains(stderr, path+" (curves of resnet20 (width 0.125) on synthetic") || !strings.HasPrefix(stderr, "wrote ") {
					t.Errorf("table does not say it wrote %s:\n%s", name, stderr)
				}
				if _, err := os.Stat(path); err != nil {
					t.Error(err)
				}
			}
		}),
	}
	run(rows)
}

// refuseFixture holds the files TestRefuses's rows work on.
type refuseFixture struct {
	dir, recipe, hugeSubset, dupKey string
	unequal                         string // runs: ste seeds 1-4, bnnplus seeds 1-3
	edited, editedPath, editedSum   string // runs with a sealed record edited
	legacy                          string // runs with a legacy record (no checksum, segments or data digests)
	legacyEdited, legacyEditedPath  string // runs with a legacy record edited
	unsealed, unsealedPath          string // runs with a record of this build, its checksum removed and its top-1 edited
	lastTop1                        string // the last epoch's top-1 of those records
	folderData                      string // mnist with its training images a folder
	oneRecord                       string // a finished run's record
	mnistData, mnistRecord          string // a tiny mnist copy and a run trained on it
	mnistModel                      string // that run exported, its training split then damaged
	aDir, spaced, twoWorkloads      string
	fullOut, fullCause              string // an --out that cannot take a checkpoint, and why
}

// scratch returns a path under a directory that refused commands must
// leave empty.
func (fx *refuseFixture) scratch(name string) string {
	return filepath.Join(fx.dir, "scratch", name)
}

func newRefuseFixture(t *testing.T) *refuseFixture {
	dir := t.TempDir()
	fx := &refuseFixture{dir: dir, recipe: writeRecipe(t, dir, tinyRecipe)}
	os.MkdirAll(fx.scratch(""), 0o755)
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	fx.hugeSubset = write("huge.json", strings.Replace(strings.Replace(tinyRecipe, `"train_subset": 32`, `"train_subset": 100000000`, 1), `"tiny"`, `"huge"`, 1))
	fx.dupKey = write("dup.json", strings.Replace(strings.Replace(tinyRecipe, `"lr": 0.1`, `"lr": 0.1, "lr": 0.01`, 1), `"tiny"`, `"dup"`, 1))
	if racebuild.Enabled {
		return fx // the runs below are for the rows TestRefuses skips under -race
	}
	run := func(args ...string) {
		t.Helper()
		gradbenchOK(t, append([]string{"run", "--quiet"}, args...)...)
	}

	// Item 4: ste with seeds 1-4, bnnplus with 1-3.
	fx.unequal = filepath.Join(dir, "unequal")
	run("--recipe", fx.recipe, "--estimators", "ste", "--seeds", "4", "--out", fx.unequal)
	run("--recipe", fx.recipe, "--estimators", "bnnplus", "--seeds", "3", "--out", fx.unequal)

	// Item 5: one record, edited with and without its checksum.
	one := filepath.Join(dir, "one")
	rec := trainOne(t, one, "--recipe", fx.recipe, "--estimators", "ste")
	fx.oneRecord = suite.RecordPath(one, rec.Key)
	sealed, _ := os.ReadFile(suite.RecordPath(one, rec.Key))
	fx.editedSum, fx.lastTop1 = rec.Checksum, fmt.Sprint(rec.Final.TestTop1)
	editFinal := func(b string) string {
		i := strings.Index(b, `"final"`)
		return b[:i] + strings.Replace(b[i:], `"test_top1": `+fx.lastTop1, `"test_top1": 99`, 1)
	}
	fx.edited = filepath.Join(dir, "edited")
	os.MkdirAll(fx.edited, 0o755)
	fx.editedPath = suite.RecordPath(fx.edited, rec.Key)
	os.WriteFile(fx.editedPath, []byte(editFinal(string(sealed))), 0o644)
	// A legacy record, as written before checksums: no checksum, and
	// none of what came with them or after (training segments, data
	// digests).
	old := *rec
	old.Checksum, old.Segments, old.Data = "", nil, nil
	legacy, err := json.MarshalIndent(&old, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	fx.legacy = filepath.Join(dir, "legacy")
	os.MkdirAll(fx.legacy, 0o755)
	os.WriteFile(suite.RecordPath(fx.legacy, rec.Key), append(legacy, '\n'), 0o644)
	fx.legacyEdited = filepath.Join(dir, "legacy-edited")
	os.MkdirAll(fx.legacyEdited, 0o755)
	fx.legacyEditedPath = suite.RecordPath(fx.legacyEdited, rec.Key)
	os.WriteFile(fx.legacyEditedPath, []byte(editFinal(string(legacy))), 0o644)
	// This build's record with its checksum taken out, and both top-1s
	// edited alike, which would agree with itself.
	fx.unsealed = filepath.Join(dir, "unsealed")
	os.MkdirAll(fx.unsealed, 0o755)
	fx.unsealedPath = suite.RecordPath(fx.unsealed, rec.Key)
	unsealed := strings.Replace(string(sealed), ",\n\t\"checksum\": \""+rec.Checksum+"\"", "", 1)
	unsealed = strings.ReplaceAll(unsealed, `"test_top1": `+fx.lastTop1+`,`, `"test_top1": 99,`)
	os.WriteFile(fx.unsealedPath, []byte(unsealed), 0o644)

	// A tiny mnist: 64 training and 40 test images.
	fx.mnistData = filepath.Join(dir, "mnist")
	writeMNIST(t, fx.mnistData, "train", 64)
	writeMNIST(t, fx.mnistData, "t10k", 40) // more than the recipe's test_subset 32: a subset of the whole split is refused
	fx.folderData = filepath.Join(dir, "folder")
	writeMNIST(t, fx.folderData, "train", 64)
	os.Remove(filepath.Join(fx.folderData, "train-images-idx3-ubyte"))
	os.Mkdir(filepath.Join(fx.folderData, "train-images-idx3-ubyte"), 0o755)
	mnistRuns := filepath.Join(dir, "mnist-runs")
	fx.mnistRecord = suite.RecordPath(mnistRuns, trainOne(t, mnistRuns, "--recipe", fx.recipe, "--dataset", "mnist", "--data", fx.mnistData, "--estimators", "ste").Key)
	fx.mnistModel = filepath.Join(dir, "mnist.gbnn")
	gradbenchOK(t, "export", "--run", fx.mnistRecord, "--data", fx.mnistData, "--out", fx.mnistModel)
	// Damage the training split, one file corrupt and one gone (opening
	// it would fail, or try a download): eval needs the test split alone.
	os.WriteFile(filepath.Join(fx.mnistData, "train-images-idx3-ubyte"), []byte("not an IDX file"), 0o644)
	os.Remove(filepath.Join(fx.mnistData, "train-labels-idx1-ubyte"))

	fx.aDir = filepath.Join(dir, "a-directory")
	os.Mkdir(fx.aDir, 0o755)
	fx.spaced = filepath.Join(dir, "my runs")

	// Two workloads (2 and 3 epochs) in one directory.
	fx.twoWorkloads = filepath.Join(dir, "two")
	run("--recipe", fx.recipe, "--estimators", "ste", "--out", fx.twoWorkloads)
	run("--recipe", fx.recipe, "--estimators", "ste", "--epochs", "3", "--out", fx.twoWorkloads)

	// An --out that cannot take a checkpoint: read-only, or (as root,
	// whom permissions do not stop) a full 4 KiB file system.
	fx.fullOut = filepath.Join(dir, "full")
	os.Mkdir(fx.fullOut, 0o755)
	if os.Geteuid() != 0 {
		os.Chmod(fx.fullOut, 0o555)
		t.Cleanup(func() { os.Chmod(fx.fullOut, 0o755) })
		fx.fullCause = "permission denied"
	} else if unmount, err := mountFull(fx.fullOut); err == nil {
		t.Cleanup(unmount)
		fx.fullCause = "no space left on device"
	} else {
		t.Logf("no read-only or full --out to try (root, and mounting a tmpfs failed: %v)", err)
	}
	return fx
}

// twoRuns starts two plain gradbench run of one sweep into one --out at
// once, as two processes, and returns their stderr one after the other.
func (fx *refuseFixture) twoRuns(t *testing.T) (string, string, error) {
	recipe := filepath.Join(fx.dir, "six.json")
	os.WriteFile(recipe, []byte(strings.Replace(strings.Replace(tinyRecipe, `"epochs": 2`, `"epochs": 6`, 1), `"tiny"`, `"six"`, 1)), 0o644)
	out := filepath.Join(fx.dir, "shared")
	args := []string{"run", "--recipe", recipe, "--estimators", "ste,fda", "--out", out}
	stderrs, errs := runTogether(2, args)
	if recs, err := suite.ReadRecords(out); err != nil || len(recs) != 2 {
		errs = append(errs, fmt.Errorf("%d records in the shared --out, want 2 (%v)", len(recs), err))
	}
	return "", stderrs[0].String() + "---\n" + stderrs[1].String(), errors.Join(errs...)
}

// umaskRun trains and exports a run under umask 002 and lists the files
// of --out and the model file whose mode is not 0664.
func (fx *refuseFixture) umaskRun(t *testing.T) (string, string, error) {
	old := syscall.Umask(0o002)
	defer syscall.Umask(old)
	out := filepath.Join(fx.dir, "group")
	if _, stderr, err := runGradbench(t, "run", "--quiet", "--recipe", fx.recipe, "--estimators", "ste", "--out", out); err != nil {
		return "", stderr, err
	}
	recs, err := suite.ReadRecords(out)
	if err != nil || len(recs) != 1 {
		return "", "", fmt.Errorf("records: %v, %v", recs, err)
	}
	model := filepath.Join(fx.dir, "group.gbnn")
	if _, stderr, err := runGradbench(t, "export", "--run", suite.RecordPath(out, recs[0].Key), "--out", model); err != nil {
		return "", stderr, err
	}
	paths, _ := filepath.Glob(filepath.Join(out, "*"))
	var bad strings.Builder
	for _, p := range append(paths, model) {
		if st, err := os.Stat(p); err != nil || st.Mode().Perm() != 0o664 {
			fmt.Fprintf(&bad, "%s %v %v\n", p, st.Mode().Perm(), err)
		}
	}
	if len(paths) < 5 {
		fmt.Fprintf(&bad, "only %d files in --out (want the record, weights, table, curves and benchmark lines)\n", len(paths))
	}
	return bad.String(), "", nil
}

// TestExportRefusesDatasetFile: the dataset files export reads (the run's
// training and test splits, to rebuild its model) are inputs like its
// record and weights: an --out naming one is refused, and the file is
// left as it was, not replaced by the model.
func TestExportRefusesDatasetFile(t *testing.T) {
	dir := t.TempDir()
	mnist := filepath.Join(dir, "mnist")
	writeMNIST(t, mnist, "train", 64)
	writeMNIST(t, mnist, "t10k", 40)
	runs := filepath.Join(dir, "runs")
	rec := trainOne(t, runs, "--recipe", writeRecipe(t, dir, tinyRecipe), "--dataset", "mnist", "--data", mnist, "--estimators", "ste")
	record := suite.RecordPath(runs, rec.Key)
	for _, name := range []string{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"} {
		path := filepath.Join(mnist, name)
		before, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		split := "train"
		if strings.HasPrefix(name, "t10k") {
			split = "test"
		}
		want := fmt.Sprintf("suite: export: --out %s: refusing to write there: it is the same file as the mnist %s split's file %s, which this command reads; name another file", path, split, path)
		_, _, err = runGradbench(t, "export", "--run", record, "--data", mnist, "--out", path)
		if err == nil || err.Error() != want {
			t.Errorf("export --out %s: error %v, want %s", name, err, want)
		}
		if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
			t.Errorf("export --out %s replaced the dataset file it read", name)
		}
	}
	// Another spelling of the same file is the same file.
	other := filepath.Join(mnist, ".", "t10k-labels-idx1-ubyte")
	if _, _, err := runGradbench(t, "export", "--run", record, "--data", mnist, "--out", other); err == nil || !strings.Contains(err.Error(), "which this command reads") {
		t.Errorf("export --out %s: error %v, want a refusal", other, err)
	}
	// Nor may it write a name Open would read instead of a file it reads
	// now: a .gz beside the uncompressed file.
	gz := filepath.Join(mnist, "t10k-images-idx3-ubyte.gz")
	want := fmt.Sprintf("suite: export: --out %s: refusing to write there: it is the same file as the mnist test split's file, when present, %s, which this command reads; name another file", gz, gz)
	if _, _, err := runGradbench(t, "export", "--run", record, "--data", mnist, "--out", gz); err == nil || err.Error() != want {
		t.Errorf("export --out %s: error %v, want %s", gz, err, want)
	}
	if _, err := os.Stat(gz); err == nil {
		t.Errorf("export wrote %s, which would shadow the test split's images", gz)
	}
	// A file beside them is an ordinary output.
	if _, stderr, err := runGradbench(t, "export", "--run", record, "--data", mnist, "--out", filepath.Join(mnist, "model.gbnn")); err != nil {
		t.Errorf("export into the dataset's directory: %v\n%s", err, stderr)
	}

	// Without --data, where no place of the search order holds mnist,
	// export would download it into the user cache: an --out naming a
	// file that download writes is refused before anything is fetched.
	if _, err := os.Stat("/usr/share/datasets/mnist"); err == nil {
		t.Skip("this machine has mnist installed: export would read it, not download it")
	}
	t.Setenv(data.EnvDataDir, t.TempDir())
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	path := filepath.Join(cache, "gradbench", "mnist", "t10k-labels-idx1-ubyte.gz")
	want = fmt.Sprintf("suite: export: --out %s: refusing to write there: it is the same file as the mnist test split's file, when present, %s, which this command reads; name another file", path, path)
	if _, _, err := runGradbench(t, "export", "--run", record, "--out", path); err == nil || err.Error() != want {
		t.Errorf("export --out %s with the dataset to download: error %v, want %s", path, err, want)
	}
	if _, err := os.Stat(filepath.Join(cache, "gradbench")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the refused export wrote into the user cache (%v): it downloaded before refusing", err)
	}
}
