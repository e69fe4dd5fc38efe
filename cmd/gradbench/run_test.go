package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/gradbench/gradbench/internal/recipetest"
	"github.com/gradbench/gradbench/internal/texttest"
	"github.com/gradbench/gradbench/suite"
)

// tinyRecipe is a recipe file for tests: reduced ResNet-20 on 32
// synthetic images, about a second per run.
var tinyRecipe = recipetest.Tiny("tiny", 2, 16, 32, 32)

func writeRecipe(t *testing.T, dir, text string) string { return recipetest.Write(t, dir, text) }

// trainOne runs gradbench run --quiet --out runs with args, which must
// print nothing on stderr (--quiet) and leave exactly one record in runs,
// and returns it.
func trainOne(t *testing.T, runs string, args ...string) *suite.Record {
	t.Helper()
	_, stderr := gradbenchOK(t, append([]string{"run", "--quiet", "--out", runs}, args...)...)
	if stderr != "" {
		// Such as the files written after the sweep, which --quiet
		// printed anyway with every test passing.
		t.Errorf("gradbench run --quiet %q printed on stderr:\n%s", args, stderr)
	}
	recs, err := suite.ReadRecords(runs)
	if err != nil || len(recs) != 1 {
		t.Fatalf("records: %v, %v", recs, err)
	}
	return recs[0]
}

// tinyWorkdir writes tinyRecipe into a new temporary directory dir and
// returns dir, the recipe file and runs, the path of a runs directory in
// dir that does not exist yet.
func tinyWorkdir(t *testing.T) (dir, recipe, runs string) {
	t.Helper()
	dir = t.TempDir()
	return dir, writeRecipe(t, dir, tinyRecipe), filepath.Join(dir, "runs")
}

// trainTiny trains one run of tinyRecipe into the runs directory of
// tinyWorkdir, as trainOne does with args, and returns dir, runs and the
// run's record.
//
// Sixteen tests need such a run, most with the same args, only as the
// input of the command they check. The first call with given args
// trains, in its test's dir, and keeps a copy of that dir (trainedTiny);
// a later call with the same args gets a copy of it, byte for byte and
// with the files' modes and times, and so the same run, without training
// it again (a second or more each under the race detector).
func trainTiny(t *testing.T, args ...string) (dir, runs string, rec *suite.Record) {
	t.Helper()
	trainedTiny.Lock()
	defer trainedTiny.Unlock()
	id := strings.Join(args, "\x00")
	if trainedTiny.dirs == nil {
		trainedTiny.dirs = map[string]string{}
	}
	if kept, ok := trainedTiny.dirs[id]; ok {
		dir = t.TempDir()
		copyTree(t, kept, dir)
		runs = filepath.Join(dir, "runs")
		recs, err := suite.ReadRecords(runs)
		if err != nil || len(recs) != 1 {
			t.Fatalf("records of the kept tiny run %q: %v, %v", args, recs, err)
		}
		return dir, runs, recs[0]
	}
	dir, recipe, runs := tinyWorkdir(t)
	rec = trainOne(t, runs, append([]string{"--recipe", recipe}, args...)...)
	kept, err := os.MkdirTemp("", "gradbench-tiny-run-")
	if err != nil {
		t.Fatal(err)
	}
	copyTree(t, dir, kept)
	trainedTiny.dirs[id] = kept
	return dir, runs, rec
}

// trainedTiny holds, for each args of trainTiny, a copy of the dir of
// the run it trained, until TestMain removes them.
var trainedTiny struct {
	sync.Mutex
	dirs map[string]string
}

// removeTrainedTiny removes the copies trainedTiny holds.
func removeTrainedTiny() {
	for _, dir := range trainedTiny.dirs {
		os.RemoveAll(dir)
	}
}

// copyTree copies the directories and regular files below src into dst,
// which exists, with their permission bits and modification times; it
// fails the test on anything else, such as a symbolic link.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	var dirs []string // set their times last, after their files are written
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			if rel != "." {
				if err := os.Mkdir(to, info.Mode().Perm()); err != nil {
					return err
				}
			}
			dirs = append(dirs, rel)
			return nil
		case !info.Mode().IsRegular():
			return fmt.Errorf("%s is neither a directory nor a regular file (%v)", p, info.Mode())
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.WriteFile(to, b, info.Mode().Perm()); err != nil {
			return err
		}
		return os.Chtimes(to, info.ModTime(), info.ModTime())
	})
	for i := len(dirs) - 1; err == nil && i >= 0; i-- {
		var info os.FileInfo
		if info, err = os.Stat(filepath.Join(src, dirs[i])); err == nil {
			err = os.Chtimes(filepath.Join(dst, dirs[i]), info.ModTime(), info.ModTime())
		}
	}
	if err != nil {
		t.Fatalf("copying %s to %s: %v", src, dst, err)
	}
}

// TestRunEndToEnd runs the whole path on the synthetic dataset at width
// 0.25: run → records → table → SVG and benchmark lines; then the same
// command again finishes from the records and prints the same table.
func TestRunEndToEnd(t *testing.T) {
	dir, recipe, out := tinyWorkdir(t)
	args := []string{"run", "--recipe", recipe, "--width", "0.25", "--estimators", "ste,fda,fda+na", "--seeds", "1", "--out", out}
	start := time.Now()
	stdout, stderr := gradbenchOK(t, args...)
	t.Logf("3 runs in %v", time.Since(start).Round(time.Millisecond))
	for _, row := range []string{"| ste ", "| fda ", "| fda+na "} {
		if !strings.Contains(stdout, row) {
			t.Errorf("table lacks a row %q:\n%s", row, stdout)
		}
	}
	if !strings.Contains(stdout, "top-1 % (mean ± std)") || !strings.Contains(stdout, "Δ vs ste (pp)") {
		t.Errorf("table lacks the mean ± std or Δ column:\n%s", stdout)
	}
	if got := strings.Count(stderr, ": top-1 "); got != 3 { // not the epoch lines' "test top-1"
		t.Errorf("stderr has %d finished-run lines, want 3:\n%s", got, stderr)
	}
	table, err := os.ReadFile(filepath.Join(out, "table.md"))
	if err != nil || string(table) != stdout {
		t.Errorf("table.md = %q, %v; want the table printed", table, err)
	}
	svg, err := os.ReadFile(filepath.Join(out, "curves.svg"))
	if err != nil || !bytes.Contains(svg, []byte("<svg")) || !bytes.Contains(svg, []byte("fda+na (n=1)")) {
		t.Errorf("curves.svg: %v, %.100s", err, svg)
	}
	bench, err := os.ReadFile(filepath.Join(out, "bench.txt"))
	if err != nil {
		t.Fatal(err)
	}
	rd := benchfmt.NewReader(bytes.NewReader(bench), "bench.txt")
	var names []string
	for rd.Scan() {
		if r, ok := rd.Result().(*benchfmt.Result); ok {
			names = append(names, r.Name.String())
		}
	}
	if len(names) != 3 || !strings.HasSuffix(names[0], "/est=fda") && !strings.HasSuffix(names[0], "/est=ste") && !strings.HasSuffix(names[0], "/est=fda+na") {
		t.Errorf("bench.txt results: %v", names)
	}

	// Again: everything cached, nothing trained, the same table.
	stdout2, stderr2 := gradbenchOK(t, args...)
	if stdout2 != stdout {
		t.Errorf("re-run printed a different table:\n%s\nwant\n%s", stdout2, stdout)
	}
	if got := strings.Count(stderr2, "already done"); got != 3 {
		t.Errorf("re-run: %d runs found done, want 3:\n%s", got, stderr2)
	}

	// gradbench table rebuilds the same table from the records.
	tb, _, err := runGradbench(t, "table", "--runs", out, "--curves", filepath.Join(dir, "c.svg"), "--estimators", "ste,fda,fda+na")
	if err != nil || tb != stdout {
		t.Errorf("gradbench table = %v\n%s\nwant the run's table", err, tb)
	}
	tb, _, err = runGradbench(t, "table", "--runs", out, "--estimators", "fda+na,ste")
	if err != nil || strings.Contains(tb, "| fda ") || strings.Index(tb, "| fda+na") > strings.Index(tb, "| ste") {
		t.Errorf("gradbench table --estimators fda+na,ste = %v\n%s\nwant rows fda+na then ste only", err, tb)
	}
	if _, _, err := runGradbench(t, "table", "--runs", out, "--ablation", "table9"); err == nil || !strings.Contains(err.Error(), `unknown --ablation "table9"`) {
		t.Errorf("gradbench table --ablation table9: %v", err)
	}
	if _, _, err := runGradbench(t, "table", "--runs", filepath.Join(dir, "none")); err == nil {
		t.Error("gradbench table on a missing directory: no error")
	}
	if _, err := os.Stat(filepath.Join(dir, "c.svg")); err != nil {
		t.Errorf("table --curves: %v", err)
	}
}

// TestRunBadInput: every bad input is one clear error and nothing is
// written under --out.
func TestRunBadInput(t *testing.T) {
	dir := t.TempDir()
	recipe := writeRecipe(t, dir, tinyRecipe)
	unknownKey := filepath.Join(dir, "typo.json")
	os.WriteFile(unknownKey, []byte(strings.Replace(tinyRecipe, `"epochs": 2`, `"epochs": 2, "epoch": 3`, 1)), 0o644)
	bigBatch := filepath.Join(dir, "big.json")
	os.WriteFile(bigBatch, []byte(recipetest.Tiny("big", 1, 64, 32, 32)), 0o644)
	biggerBatch := filepath.Join(dir, "bigger.json")
	os.WriteFile(biggerBatch, []byte(recipetest.Tiny("bigger", 1, 4096, 0, 32)), 0o644)
	emptyDir := filepath.Join(dir, "empty")
	if err := os.Mkdir(emptyDir, 0o755); err != nil {
		t.Fatal(err)
	}
	// 2^62 epochs had wrapped a run's step count; a 32-bit build, whose
	// int cannot hold them, gets its largest int instead.
	const manyEpochs = min(1<<62, math.MaxInt)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown model", []string{"--recipe", recipe, "--model", "resnet50"}, `unknown model "resnet50" (have alexnet, resnet18, resnet20, vgg-small)`},
		{"unknown dataset", []string{"--recipe", recipe, "--dataset", "cifar100"}, `unknown dataset "cifar100"`},
		{"unknown recipe", []string{"--recipe", "fmnist10"}, `unknown recipe "fmnist10" (have cifar10-paper, fmnist-10, imagenet-paper, quick`},
		{"missing recipe file", []string{"--recipe", filepath.Join(dir, "none.json")}, "no such file"},
		{"recipe unknown key", []string{"--recipe", unknownKey}, `unknown field "epoch"`},
		{"seeds 0", []string{"--recipe", recipe, "--seeds", "0"}, `bad seeds "0"`},
		{"unknown estimator", []string{"--recipe", recipe, "--estimators", "ste,fdaa"}, `unknown estimator "fdaa"`},
		{"bad spec value", []string{"--recipe", recipe, "--estimators", "fda:n=-1"}, "bad value n="},
		{"epochs 0", []string{"--recipe", recipe, "--epochs", "0"}, "bad --epochs 0"},
		{"epochs past the step count", []string{"--recipe", recipe, "--epochs", strconv.Itoa(manyEpochs)}, fmt.Sprintf("bad --epochs %d: want an integer from 1 to 1000000", manyEpochs)},
		{"one side", []string{"--recipe", recipe, "--estimators", "ste,w=fda"}, `"w=fda" names the weight side only: name both, as in "w=fda/a=ste"`},
		{"bad side", []string{"--recipe", recipe, "--estimators", "w=fda:n=-1/a=ste"}, `"w=fda:n=-1/a=ste": weight side: fda: bad value n="-1"`},
		{"ablation", []string{"--recipe", recipe, "--ablation", "table9"}, `unknown --ablation "table9" (have paper, sides)`},
		{"ablation and estimators", []string{"--recipe", recipe, "--ablation", "paper", "--estimators", "ste"}, "--ablation paper chooses the estimators"},
		{"data without the dataset", []string{"--recipe", recipe, "--dataset", "fashion-mnist", "--data", emptyDir}, "train-images-idx3-ubyte"},
		{"data for synthetic", []string{"--recipe", recipe, "--data", emptyDir}, "synthetic dataset is generated, not read"},
		{"alexnet too small", []string{"--recipe", recipe, "--model", "alexnet"}, "alexnet takes inputs of at least 63×63"},
		{"positional", []string{"--recipe", recipe, "extra"}, `unexpected argument "extra"`},
		{"lr grid 0 as float32", []string{"--recipe", recipe, "--lr-grid", "1,1e-300"}, "×1e-300 of tiny's lr"},
		{"lr grid 0 as float32 error", []string{"--recipe", recipe, "--lr-grid", "1,1e-300"}, "it is 0 as float32, the precision training computes in"},
		{"lr grid infinite as float32", []string{"--recipe", recipe, "--lr-grid", "1e300"}, "it is infinite as float32"},
		{"lr grid subnormal as float32", []string{"--recipe", recipe, "--lr-grid", "1,1e-39"}, "suite: --lr-grid ×1e-39 of tiny's lr 0.1: bad lr 1e-40: it is 1e-40 as float32, the precision training computes in: a subnormal, which holds fewer digits"},
		{"lr grid same float32", []string{"--recipe", recipe, "--lr-grid", "1.00000001,1"}, "suite: --lr-grid ×1.00000001 and ×1 of tiny's lr 0.1 both train at lr 0.1 as float32, the precision training computes in"},
		{"lr grid adam", []string{"--recipe", recipe, "--optimizers", "adam", "--lr-grid", "1,1e41"}, "suite: --lr-grid ×1e41 of tiny's lr 0.001: bad lr 1e+38: Adam's first step"},
		{"batch past the training subset", []string{"--recipe", bigBatch}, "suite: recipe big: batch 64 is larger than the 32 images a run trains on (train_subset 32): want at most 32"},
		{"batch past the training split", []string{"--recipe", biggerBatch}, "suite: recipe bigger: batch 4096 is larger than the 2048 images a run trains on (the 2048 training images of synthetic): want at most 2048"},
		{"width too small", []string{"--recipe", recipe, "--width", "0.01"}, "models: resnet20: width 0.01 gives stem 0 channels (16 × 0.01, rounded): want at least 1"},
		// Tried as a new user would: 0.13 rounded to 0.125's channels and
		// trained that network again under a key of its own.
		{"width between whole ones", []string{"--recipe", recipe, "--width", "0.13"}, "models: resnet20: width 0.13 gives stem 2.08 channels (16 × 0.13): want a whole number of channels in every layer, which resnet20 gives at widths that are multiples of 1/16 (nearest: 0.125 and 0.1875)"},
		{"width huge", []string{"--recipe", recipe, "--width", "1e300"}, "width 1e300 gives stem 1.6e+301 channels (16 × 1e300, rounded): want at most 65536"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(dir, "out-"+strings.ReplaceAll(tt.name, " ", "-"))
			err := runRefused(t, out, tt.want, append(append([]string{"run"}, tt.args...), "--out", out)...)
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans several lines: %q", err)
			}
		})
	}
}

// TestHelperProcess is the gradbench command when run as a subprocess by
// TestKillResume (and plan's concurrency tests). With
// $GRADBENCH_HELPER_KILL_WHEN set to a list of paths it kills itself,
// as SIGKILL would, once all of them exist.
func TestHelperProcess(t *testing.T) {
	if os.Getenv("GRADBENCH_HELPER") != "1" {
		t.Skip("only run as a subprocess")
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	if w := os.Getenv("GRADBENCH_HELPER_KILL_WHEN"); w != "" {
		go killWhen(filepath.SplitList(w))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := gradbench(ctx, &cmdEnv{stdout: os.Stdout, stderr: os.Stderr}, args); err != nil {
		fmt.Fprintln(os.Stderr, "gradbench:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// killWhen kills this process, with no chance to clean up, as soon as
// every one of paths exists. It looks every millisecond from inside the
// process that writes them: a test process polling from outside, on a
// loaded machine, could be descheduled for the whole time a checkpoint
// exists and then wait for one that never comes.
func killWhen(paths []string) {
	for {
		all := true
		for _, p := range paths {
			if _, err := os.Stat(p); err != nil {
				all = false
				break
			}
		}
		if all {
			if p, err := os.FindProcess(os.Getpid()); err == nil {
				p.Kill()
			}
		}
		time.Sleep(time.Millisecond)
	}
}

// TestKillResume kills the gradbench process with SIGKILL in the middle of
// a sweep's second run and runs the command again: the first run is not
// redone, the second resumes from its checkpoint, and the records equal
// those of an uninterrupted sweep.
func TestKillResume(t *testing.T) {
	dir := t.TempDir()
	recipe := writeRecipe(t, dir, strings.Replace(tinyRecipe, `"epochs": 2`, `"epochs": 6`, 1))
	sweep := []string{"run", "--recipe", recipe, "--estimators", "ste,fda+na", "--seeds", "1", "--quiet"}

	whole := filepath.Join(dir, "whole")
	start := time.Now()
	gradbenchOK(t, append(sweep, "--out", whole)...)
	// The killed sweep gets the whole sweep's time, under the machine's
	// load now, several times over before the test gives up on it: a
	// fixed 2 minutes failed on a 2-core machine loaded 4 times over.
	wait := max(2*time.Minute, 5*time.Since(start))
	want, err := suite.ReadRecords(whole)
	if err != nil || len(want) != 2 {
		t.Fatalf("uninterrupted sweep: %d records, %v", len(want), err)
	}
	keys := map[string]string{} // estimator -> key
	for _, r := range want {
		keys[r.Config.Estimator] = r.Key
	}

	out := filepath.Join(dir, "killed")
	// The process kills itself once the first run is recorded and the
	// second has a checkpoint (killWhen).
	first := suite.RecordPath(out, keys["ste"])
	second := suite.CheckpointPath(out, keys["fda+na"])
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestHelperProcess$", "--"}, append(sweep, "--out", out)...)...)
	cmd.Env = append(os.Environ(), "GRADBENCH_HELPER=1", "GRADBENCH_HELPER_KILL_WHEN="+first+string(filepath.ListSeparator)+second)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.Exited() {
			// Not killed: ended by itself, with an error or (every
			// run done before the checkpoint was seen) without one.
			t.Fatalf("the sweep to be killed ended by itself (%v), not killed after the second run's checkpoint:\n%s", err, stderr.String())
		}
	case <-time.After(wait):
		cmd.Process.Kill()
		<-exited
		t.Fatalf("the sweep was not killed within %v, 5 times the uninterrupted sweep's: no record of the first run and checkpoint of the second together:\n%s", wait.Round(time.Second), stderr.String())
	}
	if _, err := os.Stat(suite.RecordPath(out, keys["fda+na"])); err == nil {
		t.Skip("the second run finished before the kill landed; nothing to resume")
	}
	firstBytes, err := os.ReadFile(first)
	if err != nil {
		t.Fatal(err)
	}

	_, stderr2, err := runGradbench(t, append(sweep[:len(sweep)-1], "--out", out)...)
	if err != nil {
		t.Fatalf("re-run after SIGKILL: %v\n%s", err, stderr2)
	}
	if !strings.Contains(stderr2, "[1/2] ste seed 1: already done") || !strings.Contains(stderr2, "[2/2] fda+na seed 1: resuming after epoch") {
		t.Errorf("re-run did not skip the first run and resume the second:\n%s", stderr2)
	}
	if again, _ := os.ReadFile(first); !bytes.Equal(again, firstBytes) {
		t.Error("the finished first run was redone")
	}
	got, err := suite.ReadRecords(out)
	if err != nil || len(got) != 2 {
		t.Fatalf("after resume: %d records, %v", len(got), err)
	}
	for i := range want {
		w, g := want[i], got[i]
		if g.Config.Estimator == "fda+na" && g.Resumes < 1 {
			t.Errorf("fda+na record says %d resumes, want at least 1", g.Resumes)
		}
		// Each process that trained a part of the run is kept, with its
		// machine (GOMAXPROCS included).
		if segs := g.Segments; len(segs) != g.Resumes+1 || segs[len(segs)-1].LastEpoch != len(g.Epochs) || segs[0].Machine.GOMAXPROCS < 1 {
			t.Errorf("%s: %d resumes, segments %+v; want one per process, covering every epoch", g.Config.Estimator, g.Resumes, segs)
		}
		if len(w.Epochs) != len(g.Epochs) {
			t.Fatalf("%s: %d epochs, want %d", g.Config.Estimator, len(g.Epochs), len(w.Epochs))
		}
		for e := range w.Epochs {
			a, b := w.Epochs[e], g.Epochs[e]
			if a.TrainLoss != b.TrainLoss || a.TestTop1 != b.TestTop1 || a.TestLoss != b.TestLoss || a.FlipRatio != b.FlipRatio {
				t.Errorf("%s epoch %d: loss %v top-1 %v flips %v, uninterrupted %v %v %v", g.Config.Estimator, e+1,
					b.TrainLoss, b.TestTop1, b.FlipRatio, a.TrainLoss, a.TestTop1, a.FlipRatio)
			}
		}
	}
	ents, _ := os.ReadDir(out)
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".ckpt") || strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

// TestRunAblationPaper: --ablation paper runs exactly the specs of the
// paper's Tables 2-4 and prints the main table and the three ablations.
func TestRunAblationPaper(t *testing.T) {
	dir := t.TempDir()
	recipe := writeRecipe(t, dir, strings.Replace(tinyRecipe, `"epochs": 2`, `"epochs": 1`, 1))
	out := filepath.Join(dir, "runs")
	stdout, _ := gradbenchOK(t, "run", "--recipe", recipe, "--ablation", "paper", "--out", out)
	recs, err := suite.ReadRecords(out)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, r := range recs {
		got[r.Config.Estimator] = true
	}
	for _, s := range suite.PaperSpecs() {
		if !got[s.String()] {
			t.Errorf("--ablation paper did not run %s", s)
		}
	}
	if len(got) != len(suite.PaperSpecs()) {
		t.Errorf("--ablation paper ran %d specs, want %d", len(got), len(suite.PaperSpecs()))
	}
	texttest.ContainsAll(t, "output", stdout, "| estimator ", "Table 2 of the FDA paper", "Table 3 of the FDA paper", "Table 4 of the FDA paper",
		"| no sine, no NA | ste ", "| DSQ (dsq → dsq+na) ", "| a·x          | fda+na:eta=x ")
}
