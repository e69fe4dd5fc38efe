package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/internal/texttest"
)

// TestExportEval trains a reduced ResNet-20 on the synthetic dataset,
// exports it and evaluates the packed model on the whole synthetic test
// split: its predictions must equal the float network's.
func TestExportEval(t *testing.T) {
	dir, runs, rec := trainTiny(t, "--estimators", "fda+na", "--seeds", "1")
	model := filepath.Join(dir, "m.gbnn")
	out, stderr := gradbenchOK(t, "export", "--run", filepath.Join(runs, rec.Key+".json"), "--out", model)
	t.Log(out)
	// The network is named with its width, as the tables name it: a
	// width-0.125 model is not the resnet20 of the paper.
	// Which file it wrote is status, on stderr; the sizes are its output.
	texttest.ContainsAll(t, "export stderr", stderr, "wrote "+model+": resnet20 (width 0.125) on synthetic (")
	if strings.Contains(out, "wrote") {
		t.Errorf("export printed its status line on stdout:\n%s", out)
	}
	m := regexp.MustCompile(`binary layers: 18, \d+ weights: .* ([0-9.]+)× smaller`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("export output does not report 18 binary layers and a size ratio:\n%s", out)
	}
	if r, _ := strconv.ParseFloat(m[1], 64); r < 10 {
		// Width 0.125 leaves 2 to 8 channels, so the per-filter scales weigh
		// more than in the full model (about 30×): see xnor's tests.
		t.Errorf("binary layers %.1f× smaller, want >= 10 at width 0.125", r)
	}
	if _, err := os.Stat(model); err != nil {
		t.Fatal(err)
	}
	out, stderr = gradbenchOK(t, "eval", "--model", model, "--batch", "32")
	t.Log(out)
	m = regexp.MustCompile(`predictions equal: (\d+) of (\d+)`).FindStringSubmatch(out)
	if m == nil || m[1] != m[2] || m[2] == "0" {
		t.Errorf("packed and float predictions differ:\n%s", out)
	}
	texttest.ContainsAll(t, "eval output", out, "| float | nn (gemm ", "| packed | xnor (", ": resnet20 (width 0.125) on synthetic test (32 of 512 images, the run's test_subset)")
	if stderr != "" {
		t.Errorf("eval with stderr not a terminal wrote %q to it, want nothing", stderr)
	}

	// On a terminal eval draws a progress bar, as run and fidelity do: the
	// test images both networks have run, of all of them, ending at all of
	// them and erased before the report; --quiet draws none.
	for _, quiet := range []bool{false, true} {
		var stdout, errb bytes.Buffer
		env := &cmdEnv{stdout: &stdout, stderr: &errb, stderrTTY: true, stderrColumns: func() int { return 80 }}
		args := []string{"eval", "--model", model, "--batch", "128", "--test-subset", "0"}
		if quiet {
			args = append(args, "--quiet")
		}
		if err := gradbench(context.Background(), env, args); err != nil {
			t.Fatalf("gradbench %v: %v\n%s", args, err, errb.String())
		}
		bar := errb.String()
		if quiet {
			if bar != "" {
				t.Errorf("eval --quiet on a terminal wrote %q to stderr", bar)
			}
			continue
		}
		if !strings.HasPrefix(bar, "\reval: test images  ") || !strings.Contains(bar, "\reval: test images  512/512") || !strings.HasSuffix(bar, "\r") || strings.Contains(bar, "\n") {
			t.Errorf("eval on a terminal: stderr %q, want a status line ending at 512/512, erased", bar)
		}
		if !strings.Contains(stdout.String(), "predictions equal: ") {
			t.Errorf("eval on a terminal printed no report:\n%s", stdout.String())
		}
	}
}

func TestExportEvalErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.gbnn")
	os.WriteFile(bad, []byte("not a model"), 0o644)
	os.WriteFile(filepath.Join(dir, "fedcba9876543210.ckpt"), []byte("a checkpoint"), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"export"}, "--run is required"},
		{[]string{"export", "--run", filepath.Join(dir, "0123456789abcdef.ckpt")}, "unfinished run"},
		{[]string{"export", "--run", filepath.Join(dir, "model.bin")}, "want a run record"},
		{[]string{"export", "--run", filepath.Join(dir, "0123456789abcdef.json")}, filepath.Join(dir, "0123456789abcdef.json") + " does not exist"},
		{[]string{"export", "--run", "nope.json"}, "nope.json does not exist"},
		// A run with a checkpoint and no record started and is not finished.
		{[]string{"export", "--run", filepath.Join(dir, "fedcba9876543210.json")}, "the run is not finished"},
		{[]string{"eval"}, "--model is required"},
		{[]string{"eval", "--model", filepath.Join(dir, "missing.gbnn")}, "no such file"},
		{[]string{"eval", "--model", bad}, "not a gradbench model file"},
		{[]string{"eval", "--model", bad, "--impl", "fast"}, "unknown impl"},
	} {
		_, _, err := runGradbench(t, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("gradbench %s: error %v, want one containing %q", strings.Join(tc.args, " "), err, tc.want)
		}
	}
}
