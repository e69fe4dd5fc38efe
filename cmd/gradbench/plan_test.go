package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/gradbench/gradbench/internal/racebuild"
	"github.com/gradbench/gradbench/internal/texttest"
	"github.com/gradbench/gradbench/nn"
	"github.com/gradbench/gradbench/nn/checkpoint"
	"github.com/gradbench/gradbench/suite"
)

// planJSON runs gradbench plan --json with args and decodes its output.
func planJSON(t *testing.T, args ...string) []planCell {
	t.Helper()
	stdout, _ := gradbenchOK(t, append([]string{"plan", "--json"}, args...)...)
	var cells []planCell
	if err := json.Unmarshal([]byte(stdout), &cells); err != nil {
		t.Fatalf("gradbench plan --json: %v\n%s", err, stdout)
	}
	return cells
}

func TestPlan(t *testing.T) {
	_, recipe, out := tinyWorkdir(t)
	sweep := []string{"--recipe", recipe, "--estimators", "ste,fda", "--seeds", "2", "--out", out}

	stdout, stderr := gradbenchOK(t, append([]string{"plan"}, sweep...)...)
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(lines) != 5 || texttest.Squash(lines[0]) != "cell key state estimator seed model dataset recipe" {
		t.Fatalf("plan printed %d lines, want a header and 4 cells:\n%s", len(lines), stdout)
	}
	row := regexp.MustCompile(`^(\d) +([0-9a-f]{16}) +pending +(ste|fda) +([12]) +resnet20 +synthetic +tiny$`)
	wantCells := []string{"0 ste 1", "1 fda 1", "2 ste 2", "3 fda 2"}
	keys := make([]string, 4)
	for i, l := range lines[1:] {
		m := row.FindStringSubmatch(l)
		if m == nil || m[1]+" "+m[3]+" "+m[4] != wantCells[i] {
			t.Errorf("plan line %d = %q, want cell %s pending", i+1, l, wantCells[i])
			continue
		}
		keys[i] = m[2]
	}
	if want := "4 cells: 4 pending; 4 without a record\n"; stderr != want {
		t.Errorf("plan summary = %q, want %q", stderr, want)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("plan created --out")
	}

	// Train cell 2 by index and cell 1 by key.
	stdout, stderr = gradbenchOK(t, append([]string{"run", "--cell", "2"}, sweep...)...)
	if want := "cell 2 of 4 (ste seed 2): top-1 "; !strings.HasPrefix(stdout, want) || !strings.HasSuffix(stdout, keys[2]+".json\n") {
		t.Errorf("run --cell 2 printed %q, want %q... %s.json", stdout, want, keys[2])
	}
	if !strings.Contains(stderr, "[3/4] ste seed 2: epoch 2/2  train loss") {
		t.Errorf("run --cell 2 logged no epoch lines (stderr is not a terminal):\n%s", stderr)
	}
	gradbenchOK(t, append([]string{"run", "--cell", keys[1]}, sweep...)...)
	recs, err := suite.ReadRecords(out)
	if err != nil || len(recs) != 2 {
		t.Fatalf("%d records, %v; want 2", len(recs), err)
	}
	for _, r := range recs {
		if r.Key != keys[1] && r.Key != keys[2] {
			t.Errorf("record %s (%s seed %d) is not one of the cells run", r.Key, r.Config.Estimator, r.Config.Seed)
		}
	}

	cells := planJSON(t, append([]string{"--pending"}, sweep...)...)
	if len(cells) != 2 || cells[0].Index != 0 || cells[1].Index != 3 || cells[0].Key != keys[0] || cells[1].State != suite.CellPending {
		t.Errorf("plan --pending --json = %+v, want cells 0 and 3 pending", cells)
	}
	// A cell with a checkpoint and no record is resumable: --pending
	// lists it too (a new array must run it), and the summary counts it
	// without a record. Listing only the pending cells passed every
	// other test, which had no resumable cell. The checkpoint is a
	// placeholder (plan reads a checkpoint only for the run it names,
	// and this one names none), removed before cell 0 runs.
	ckpt := suite.CheckpointPath(out, keys[0])
	if err := os.WriteFile(ckpt, []byte("placeholder"), 0o644); err != nil {
		t.Fatal(err)
	}
	cells = planJSON(t, append([]string{"--pending", "--quiet"}, sweep...)...)
	if len(cells) != 2 || cells[0].Index != 0 || cells[0].State != suite.CellResumable || cells[1].Index != 3 || cells[1].State != suite.CellPending {
		t.Errorf("plan --pending --json with cell 0 resumable = %+v, want cell 0 resumable and cell 3 pending", cells)
	}
	if _, stderr, _ := runGradbench(t, append([]string{"plan", "--pending"}, sweep...)...); stderr != "4 cells: 2 done, 1 resumable, 1 pending; 2 without a record\n" {
		t.Errorf("plan summary with cell 0 resumable = %q", stderr)
	}
	if err := os.Remove(ckpt); err != nil {
		t.Fatal(err)
	}
	cells = planJSON(t, sweep...)
	if len(cells) != 4 || cells[1].State != suite.CellDone || cells[1].Top1 == nil || cells[1].Estimator != "fda" || cells[1].Seed != 1 ||
		cells[1].Config.Estimator != "fda" || cells[1].Config.Seed != 1 || cells[0].Top1 != nil || cells[2].Recipe != "tiny" {
		t.Errorf("plan --json = %+v", cells)
	}

	// All done: --pending lists nothing.
	for _, c := range []string{"0", "3"} {
		gradbenchOK(t, append([]string{"run", "--cell", c}, sweep...)...)
	}
	stdout, _, err = runGradbench(t, append([]string{"plan", "--pending", "--json"}, sweep...)...)
	if err != nil || strings.TrimSpace(stdout) != "[]" {
		t.Errorf("plan --pending --json with every cell done = %q, %v; want []", stdout, err)
	}
	_, stderr, _ = runGradbench(t, append([]string{"plan", "--pending"}, sweep...)...)
	if want := "4 cells: 4 done; nothing pending\n"; stderr != want {
		t.Errorf("plan summary = %q, want %q", stderr, want)
	}
	// gradbench run's --quiet is taken too (a run command line pasted).
	if _, stderr, err := runGradbench(t, append([]string{"plan", "--quiet"}, sweep...)...); err != nil || stderr != "" {
		t.Errorf("plan --quiet: %v, stderr %q", err, stderr)
	}
}

func TestRunCellBadInput(t *testing.T) {
	dir := t.TempDir()
	recipe := writeRecipe(t, dir, tinyRecipe)
	t.Setenv("GRADBENCH_TEST_INDEX", "")
	tests := []struct {
		name string
		env  string // value of GRADBENCH_TEST_INDEX, "-" for unset
		args []string
		want string
	}{
		{"index out of range", "-", []string{"--cell", "4"}, "suite: no cell 4: the sweep has 4 cells (0..3)"},
		// As typed, not as parsed.
		{"index out of range, leading zero", "-", []string{"--cell", "004"}, "suite: no cell 004: the sweep has 4 cells (0..3)"},
		{"negative index", "-", []string{"--cell", "-1"}, `suite: bad cell "-1": want an index 0..3 or a 16-digit key`},
		{"signed index", "-", []string{"--cell", "+1"}, `suite: bad cell "+1": want an index 0..3 or a 16-digit key`},
		{"not an index", "-", []string{"--cell", "two"}, `suite: bad cell "two": want an index 0..3 or a 16-digit key`},
		{"empty", "-", []string{"--cell", ""}, `run: --cell "" is empty: give the cell (--cell has no default: left out, every cell is trained)`},
		{"unknown key", "-", []string{"--cell", "0123456789abcdef"}, "suite: no cell of the sweep has key 0123456789abcdef"},
		{"env unset", "-", []string{"--index-from-env", "GRADBENCH_TEST_INDEX"}, "--index-from-env GRADBENCH_TEST_INDEX: the variable is not set"},
		{"env empty", "", []string{"--index-from-env", "GRADBENCH_TEST_INDEX"}, `--index-from-env GRADBENCH_TEST_INDEX: its value "" is not a cell index (want an integer 0..3 in plain digits)`},
		{"env not a number", "3a", []string{"--index-from-env", "GRADBENCH_TEST_INDEX"}, `its value "3a" is not a cell index (want an integer 0..3 in plain digits)`},
		{"env signed", "+1", []string{"--index-from-env", "GRADBENCH_TEST_INDEX"}, `its value "+1" is not a cell index (want an integer 0..3 in plain digits)`},
		{"env minus zero", "-0", []string{"--index-from-env", "GRADBENCH_TEST_INDEX"}, `its value "-0" is not a cell index`},
		{"env with a newline", "1\n", []string{"--index-from-env", "GRADBENCH_TEST_INDEX"}, `its value "1\n" is not a cell index`},
		{"env out of range", "4", []string{"--index-from-env", "GRADBENCH_TEST_INDEX"}, "--index-from-env GRADBENCH_TEST_INDEX=4: suite: no cell 4: the sweep has 4 cells (0..3)"},
		// The variable's value as set, not as parsed: 010 is cell 10.
		{"env out of range, leading zero", "010", []string{"--index-from-env", "GRADBENCH_TEST_INDEX"}, "--index-from-env GRADBENCH_TEST_INDEX=010: suite: no cell 10: the sweep has 4 cells (0..3)"},
		{"env name empty", "-", []string{"--index-from-env", ""}, `run: --index-from-env "" is empty: give the variable (--index-from-env has no default: left out, every cell is trained)`},
		{"env name with $", "-", []string{"--index-from-env", "$SLURM_ARRAY_TASK_ID"}, `--index-from-env "$SLURM_ARRAY_TASK_ID": want the name`},
		{"both", "1", []string{"--cell", "0", "--index-from-env", "GRADBENCH_TEST_INDEX"}, "--cell and --index-from-env both select a cell: give one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.env == "-" {
				os.Unsetenv("GRADBENCH_TEST_INDEX")
			} else {
				t.Setenv("GRADBENCH_TEST_INDEX", tt.env)
			}
			out := filepath.Join(dir, "out-"+strings.ReplaceAll(tt.name, " ", "-"))
			runRefused(t, out, tt.want, append([]string{"run", "--recipe", recipe, "--estimators", "ste,fda", "--seeds", "2", "--out", out}, tt.args...)...)
		})
	}
}

// TestRunCellIndexFromEnv: the variable's value is the cell index; a
// finished cell exits at once.
func TestRunCellIndexFromEnv(t *testing.T) {
	_, recipe, out := tinyWorkdir(t)
	args := []string{"run", "--recipe", recipe, "--estimators", "ste,fda", "--seeds", "2", "--out", out, "--index-from-env", "JOB_COMPLETION_INDEX"}
	t.Setenv("JOB_COMPLETION_INDEX", "3")
	stdout, stderr := gradbenchOK(t, args...)
	if !strings.HasPrefix(stdout, "cell 3 of 4 (fda seed 2): top-1 ") {
		t.Errorf("stdout = %q, want cell 3 (fda seed 2) trained", stdout)
	}
	stdout2, stderr, err := runGradbench(t, args...)
	if err != nil || stdout2 != stdout || !strings.Contains(stderr, "[4/4] fda seed 2: already done") || strings.Contains(stderr, "epoch") {
		t.Errorf("second run of a finished cell: %v, stdout %q, stderr:\n%s\nwant the same line and nothing trained", err, stdout2, stderr)
	}
}

// TestRunCellKeepEpochs: --keep-epochs keeps the weights after every
// epoch of a cell trained alone (--cell, --index-from-env), as it does for
// a whole sweep, instead of being ignored.
func TestRunCellKeepEpochs(t *testing.T) {
	dir := t.TempDir()
	recipe := writeRecipe(t, dir, tinyRecipe) // 2 epochs
	t.Setenv("JOB_COMPLETION_INDEX", "1")
	for _, sel := range [][]string{{"--cell", "0"}, {"--index-from-env", "JOB_COMPLETION_INDEX"}} {
		t.Run(sel[0], func(t *testing.T) {
			out := filepath.Join(dir, strings.TrimLeft(sel[0], "-"))
			args := append([]string{"--recipe", recipe, "--estimators", "ste,fda", "--keep-epochs"}, sel...)
			rec := trainOne(t, out, args...)
			if _, err := os.Stat(suite.EpochWeightsPath(out, rec.Key, 1)); err != nil {
				t.Errorf("gradbench run %q kept no weights after epoch 1: %v", args, err)
			}
			// Run again, the cell is done: its line names the weights
			// kept, as a whole sweep's does (it named the record alone).
			stdout, _, err := runGradbench(t, append([]string{"run", "--quiet", "--out", out}, args...)...)
			want := ", recorded in " + suite.RecordPath(out, rec.Key) + ", and 1 epoch weights file of --keep-epochs, " + filepath.Join(out, rec.Key+".e<epoch>.weights") + "\n"
			if err != nil || !strings.HasSuffix(stdout, want) {
				t.Errorf("gradbench run %q again: %v, stdout %q, want it to end %q", args, err, stdout, want)
			}
		})
	}
}

// TestRunKeepEpochsOnFinishedRuns: --keep-epochs over a --out whose runs
// were trained without it is refused, for the sweep and for one cell,
// naming the cell and what to do, instead of reporting the runs done with
// no weights after their epochs; over runs trained with it, it goes on.
func TestRunKeepEpochsOnFinishedRuns(t *testing.T) {
	dir, recipe, out := tinyWorkdir(t) // 2 epochs
	rec := trainOne(t, out, "--recipe", recipe, "--estimators", "ste")
	for _, sel := range [][]string{nil, {"--cell", "0"}} {
		args := append([]string{"run", "--quiet", "--out", out, "--recipe", recipe, "--estimators", "ste", "--keep-epochs"}, sel...)
		_, _, err := runGradbench(t, args...)
		want := "suite: --keep-epochs: a cell in " + out + " was trained without it and lacks the weights of epochs it already trained, which running again would not make: " +
			rec.Key + " (ste seed 1: done, no weights after epoch 1); give a new --out to train it with --keep-epochs, or drop --keep-epochs"
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("gradbench %q: error %v, want %q", args, err, want)
		}
		if _, err := os.Stat(suite.EpochWeightsPath(out, rec.Key, 1)); err == nil {
			t.Errorf("gradbench %q wrote weights after epoch 1", args)
		}
	}
	kept := filepath.Join(dir, "kept")
	trainOne(t, kept, "--recipe", recipe, "--estimators", "ste", "--keep-epochs")
	trainOne(t, kept, "--recipe", recipe, "--estimators", "ste", "--keep-epochs")
}

// TestRunCellTwoProcesses starts two processes on the same cell at once:
// both exit 0, the cell is trained once, and its record is whole.
func TestRunCellTwoProcesses(t *testing.T) {
	dir := t.TempDir()
	recipe := writeRecipe(t, dir, strings.Replace(tinyRecipe, `"epochs": 2`, `"epochs": 12`, 1))
	out := filepath.Join(dir, "runs")
	args := []string{"run", "--recipe", recipe, "--estimators", "fda+na", "--seeds", "1", "--out", out, "--cell", "0"}
	stderrs, errs := runTogether(2, args)
	trained, waited := 0, 0
	for i := range 2 {
		if errs[i] != nil {
			t.Fatalf("process %d: %v\n%s", i, errs[i], stderrs[i].String())
		}
		s := stderrs[i].String()
		switch {
		case strings.Contains(s, "top-1") && strings.Contains(s, "after 12 epochs"):
			trained++
		case strings.Contains(s, "already done"):
			if strings.Contains(s, "is training it") {
				waited++
			}
		default:
			t.Errorf("process %d neither trained nor found the record:\n%s", i, s)
		}
	}
	if trained != 1 {
		t.Errorf("%d processes trained the cell, want 1:\n%s\n---\n%s", trained, stderrs[0].String(), stderrs[1].String())
	}
	t.Logf("the second process waited for the first: %v", waited == 1)
	recs, err := suite.ReadRecords(out)
	if err != nil || len(recs) != 1 || recs[0].Status != suite.StatusOK || len(recs[0].Epochs) != 12 {
		t.Fatalf("records: %d, %v", len(recs), err)
	}
	if _, err := suite.ReadLock(out, recs[0].Key); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("lock left behind: %v", err)
	}
	ents, _ := os.ReadDir(out)
	for _, e := range ents {
		if n := e.Name(); strings.HasSuffix(n, ".ckpt") || strings.HasSuffix(n, ".tmp") || strings.Contains(n, ".lock") {
			t.Errorf("left behind: %s", n)
		}
	}
}

// runTogether starts n gradbench processes (this test binary, through
// TestHelperProcess) with args at the same moment, waits for them, and
// returns their stderr and errors.
func runTogether(n int, args []string) ([]bytes.Buffer, []error) {
	var wg sync.WaitGroup
	stderrs := make([]bytes.Buffer, n)
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestHelperProcess$", "--"}, args...)...)
		cmd.Env = append(os.Environ(), "GRADBENCH_HELPER=1")
		cmd.Stderr = &stderrs[i]
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = cmd.Run()
		}()
	}
	close(start)
	wg.Wait()
	return stderrs, errs
}

// TestPlanChecksData: plan and slurm open no dataset, but a --data they
// are given is checked as run checks it, not accepted unread.
func TestPlanChecksData(t *testing.T) {
	dir := t.TempDir()
	recipe := writeRecipe(t, dir, tinyRecipe)
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"missing directory", []string{"--dataset", "fashion-mnist", "--data", missing}, "data: fashion-mnist: data directory " + missing + " does not exist: want train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz] in it or in " + filepath.Join(missing, "fashion-mnist")},
		{"a file", []string{"--dataset", "fashion-mnist", "--data", recipe}, "data: fashion-mnist: data directory " + recipe + " is not a directory"},
		{"without the dataset", []string{"--dataset", "fashion-mnist", "--data", empty}, "data: fashion-mnist: train split not found in data directory " + empty},
		{"synthetic", []string{"--data", empty}, "synthetic dataset is generated, not read"},
	} {
		for _, cmd := range []string{"plan", "slurm"} {
			_, _, err := runGradbench(t, append([]string{cmd, "--recipe", recipe, "--estimators", "ste", "--out", filepath.Join(dir, "runs")}, tc.args...)...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s --data (%s): error %v, want %q", cmd, tc.name, err, tc.want)
			}
		}
	}
}

// TestPlanChecksDataEnv: a $GRADBENCH_DATA that names no directory is
// refused by plan as run and slurm refuse it, not skipped: plan would
// otherwise list the cells as pending and run then refuse every one.
func TestPlanChecksDataEnv(t *testing.T) {
	dir := t.TempDir()
	recipe := writeRecipe(t, dir, tinyRecipe)
	missing := filepath.Join(dir, "typo")
	t.Setenv("GRADBENCH_DATA", missing)
	want := `data: fashion-mnist: $GRADBENCH_DATA is "` + missing + `", which is not a directory`
	for _, cmd := range []string{"plan", "slurm"} {
		_, _, err := runGradbench(t, cmd, "--recipe", recipe, "--dataset", "fashion-mnist", "--estimators", "ste", "--out", filepath.Join(dir, "runs"))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s with $GRADBENCH_DATA=%s: error %v, want %q", cmd, missing, err, want)
		}
	}
	// The synthetic dataset is generated: the variable does not concern it.
	if _, _, err := runGradbench(t, "plan", "--recipe", recipe, "--estimators", "ste", "--out", filepath.Join(dir, "runs")); err != nil {
		t.Errorf("plan of the synthetic dataset with $GRADBENCH_DATA=%s: %v", missing, err)
	}
}

// TestPlanRefusesWhatRunRefuses: the quick recipe's train_subset is more
// than the synthetic dataset's training split; plan, which loads no data,
// refused nothing and listed cells that run and slurm then refused. All
// three refuse it now, with the same message.
func TestPlanRefusesWhatRunRefuses(t *testing.T) {
	out := filepath.Join(t.TempDir(), "runs")
	sweep := []string{"--recipe", "quick", "--dataset", "synthetic", "--out", out}
	var msgs []string
	for _, cmd := range []string{"plan", "run", "slurm"} {
		stdout, _, err := runGradbench(t, append([]string{cmd}, sweep...)...)
		if err == nil {
			t.Fatalf("gradbench %s %v succeeded, want a refusal:\n%s", cmd, sweep, stdout)
		}
		if !strings.Contains(err.Error(), "train_subset 10000 is more than the 2048 images of the train split of synthetic") {
			t.Errorf("gradbench %s: %v, want the train_subset refusal", cmd, err)
		}
		msgs = append(msgs, err.Error())
	}
	if msgs[0] != msgs[1] || msgs[0] != msgs[2] {
		t.Errorf("the refusals differ:\nplan:  %s\nrun:   %s\nslurm: %s", msgs[0], msgs[1], msgs[2])
	}
	if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a refused command made %s: %v", out, err)
	}
}

// TestPlanSummary: the summary names the cells of each state, in the
// order of plan's help, and counts as without a record all but the done
// and the diverged ones (diverged runs are finished: never retried).
// Counting the diverged cells as without a record passed every other
// test, none of which had a diverged cell.
func TestPlanSummary(t *testing.T) {
	for _, tc := range []struct {
		n      int
		counts map[string]int
		want   string
	}{
		{9, map[string]int{suite.CellPending: 1, suite.CellResumable: 2, suite.CellRunning: 1, suite.CellDiverged: 2, suite.CellDone: 3},
			"9 cells: 3 done, 2 diverged, 1 running, 2 resumable, 1 pending; 4 without a record"},
		{3, map[string]int{suite.CellDiverged: 1, suite.CellDone: 2}, "3 cells: 2 done, 1 diverged; nothing pending"},
		{1, map[string]int{suite.CellRunning: 1}, "1 cell: 1 running; 1 without a record"},
	} {
		if got := planSummary(tc.n, tc.counts); got != tc.want {
			t.Errorf("planSummary(%d, %v) = %q, want %q", tc.n, tc.counts, got, tc.want)
		}
	}
}

// TestPlanCheckDataRefusesOtherData: plan lists a record trained on other
// data than the files read now as done (it loads no data), which run then
// refuses; plan --check-data refuses it as run does, with run's message
// naming the record and the split that differs. With the files the record
// was trained on it lists the cells as plain plan does. Tried as a new
// user would: the test files replaced by more images after the sweep's
// one cell was recorded, then the sweep planned with another estimator.
func TestPlanCheckDataRefusesOtherData(t *testing.T) {
	// Which data a record was trained on, checked in one process after another.
	racebuild.Skip(t, "it checks a refusal, with no goroutines or processes side by side; the openblas and purego builds run it in full")
	dir, recipe, runs := tinyWorkdir(t)
	data := filepath.Join(dir, "mnist")
	writeMNIST(t, data, "train", 64)
	writeMNIST(t, data, "t10k", 40)
	workload := []string{"--recipe", recipe, "--dataset", "mnist", "--data", data}
	rec := trainOne(t, runs, append(workload, "--estimators", "ste")...)
	sweep := append(workload, "--out", runs, "--estimators", "ste,fda")
	plain, _ := gradbenchOK(t, append([]string{"plan"}, sweep...)...)
	if checked, _, err := runGradbench(t, append([]string{"plan", "--check-data"}, sweep...)...); err != nil || checked != plain {
		t.Errorf("plan --check-data with the files the run was trained on: error %v, output\n%s\nwant plan's:\n%s", err, checked, plain)
	}
	writeMNIST(t, data, "t10k", 41)
	if _, _, err := runGradbench(t, append([]string{"plan"}, sweep...)...); err != nil {
		t.Errorf("plan, which loads no data, with other test files: %v", err)
	}
	_, _, err := runGradbench(t, append([]string{"plan", "--check-data"}, sweep...)...)
	_, _, runErr := runGradbench(t, append([]string{"run", "--quiet"}, sweep...)...)
	if err == nil || runErr == nil || err.Error() != runErr.Error() || !strings.Contains(err.Error(), suite.RecordPath(runs, rec.Key)) || !strings.Contains(err.Error(), "test split") {
		t.Errorf("plan --check-data with other test files: %v\nrun: %v\nwant run's refusal, naming %s and its test split", err, runErr, suite.RecordPath(runs, rec.Key))
	}
}

// TestPlanRefusesCheckpointOfAnotherRun: a checkpoint under cell 0's
// name that holds cell 1's progress, which run refuses when it comes to
// cell 0, naming the file, the run it holds and where that run would
// resume from it, is refused by plan and slurm with run's message, rather
// than listed as resumable (and, by slurm, submitted to a task that would
// fail). Tried as a new user would: a checkpoint renamed by hand in --out
// to another cell's name, then plan, slurm and run.
func TestPlanRefusesCheckpointOfAnotherRun(t *testing.T) {
	_, recipe, out := tinyWorkdir(t)
	sweep := []string{"--quiet", "--recipe", recipe, "--estimators", "ste,fda", "--out", out}
	cells := planJSON(t, sweep...)
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	ckpt := suite.CheckpointPath(out, cells[0].Key)
	progress := []byte(`{"key":"` + cells[1].Key + `"}`)
	if err := checkpoint.Save(ckpt, &checkpoint.State{Net: nn.NewLinear(2, 1, true, nn.NewInit(1)), Epoch: 1, Extra: map[string][]byte{"progress": progress}}); err != nil {
		t.Fatal(err)
	}
	want := "suite: checkpoint " + ckpt + " holds the checkpoint of run " + cells[1].Key + " (its key), not of " + cells[0].Key + " (ste seed 1)"
	_, _, runErr := runGradbench(t, append([]string{"run"}, sweep...)...)
	if runErr == nil || !strings.HasPrefix(runErr.Error(), want) || !strings.Contains(runErr.Error(), "move it to "+suite.CheckpointPath(out, cells[1].Key)) {
		t.Fatalf("gradbench run with cell 1's checkpoint under cell 0's name: error %v\nwant one starting %s", runErr, want)
	}
	for _, cmd := range []string{"plan", "slurm"} {
		stdout, _, err := runGradbench(t, append([]string{cmd}, sweep...)...)
		if err == nil || err.Error() != runErr.Error() {
			t.Errorf("gradbench %s with cell 1's checkpoint under cell 0's name: error %v\nwant run's: %v", cmd, err, runErr)
		}
		if stdout != "" {
			t.Errorf("gradbench %s listed the cells before refusing:\n%s", cmd, stdout)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "slurm")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("slurm wrote its scripts for a cell run refuses: %v", err)
	}
}

// TestPlanRefusesCellRunRefuses: a directory at a cell's lock name,
// which run refuses when it comes to the cell, is refused by plan and
// slurm with run's message, rather than listed as pending (and, by slurm,
// submitted to a task that would fail). Tried as a new user would: a
// directory made by hand in --out under the name plan gives a cell's
// lock, then plan, slurm and run.
func TestPlanRefusesCellRunRefuses(t *testing.T) {
	_, recipe, out := tinyWorkdir(t)
	sweep := []string{"--quiet", "--recipe", recipe, "--estimators", "ste,fda", "--out", out}
	cells := planJSON(t, sweep...)
	lock := suite.LockPath(out, cells[1].Key)
	blockWith(t, lock, false)
	want := "suite: " + lock + " is a directory, where the lock of run " + cells[1].Key + " would be (a file gradbench run creates): move it out of the runs directory"
	for _, cmd := range []string{"plan", "slurm", "run"} {
		stdout, _, err := runGradbench(t, append([]string{cmd}, sweep...)...)
		if err == nil || err.Error() != want {
			t.Errorf("gradbench %s with a directory at cell 1's lock name: error %v\nwant %s", cmd, err, want)
		}
		if cmd != "run" && stdout != "" {
			t.Errorf("gradbench %s listed the cells before refusing:\n%s", cmd, stdout)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "slurm")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("slurm wrote its scripts for a cell run refuses: %v", err)
	}
}

// TestPlanRefusesNormBatchAsRun: a sweep whose training images leave a
// last batch of one image for a network whose BatchNorm layers see one
// value per channel for each image (resnet18 on the synthetic 16×16
// images: a 1×1 map in its last stage), which run refuses before it
// trains, is listed by plain plan, which loads no data and so cannot
// count the images, and refused with run's message by plan --check-data
// and plan --estimate, which load them. Both had listed it as pending.
// Tried as a new user would: a recipe of 9 training images in batches of
// 4, planned with each flag before running it.
func TestPlanRefusesNormBatchAsRun(t *testing.T) {
	dir := t.TempDir()
	recipe := writeRecipe(t, dir, `{"name": "norm", "model": "resnet18", "dataset": "synthetic", "width": 0.125, "epochs": 1, "batch": 4,
 "optimizer": "sgd", "lr": 0.1, "momentum": 0.9, "weight_decay": 1e-4, "schedule": "cosine", "augment": false,
 "train_subset": 9, "test_subset": 8}`)
	runs := filepath.Join(dir, "runs")
	sweep := []string{"--recipe", recipe, "--estimators", "ste", "--out", runs}
	if out, _ := gradbenchOK(t, append([]string{"plan", "--quiet"}, sweep...)...); !strings.Contains(out, "pending") {
		t.Errorf("plain plan listed\n%s\nwant the cell pending", out)
	}
	_, _, runErr := runGradbench(t, append([]string{"run", "--quiet"}, sweep...)...)
	if runErr == nil || !strings.Contains(runErr.Error(), "leave a last batch of 1 image") {
		t.Fatalf("run: %v, want the last batch of one refused", runErr)
	}
	for _, flag := range []string{"--check-data", "--estimate"} {
		out, _, err := runGradbench(t, append([]string{"plan", "--quiet", flag}, sweep...)...)
		if err == nil || err.Error() != runErr.Error() {
			t.Errorf("plan %s: error %v, output\n%s\nwant run's refusal: %v", flag, err, out, runErr)
		}
	}
	if _, err := os.Stat(runs); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after the refusals, --out: %v, want it never created", err)
	}
}
