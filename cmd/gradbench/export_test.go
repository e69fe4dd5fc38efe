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

// TestExportOutReplacesOnlyModelFiles: export --out replaces an existing
// file only if it is a model file (it starts with the format's magic, as
// eval's reader recognises one: an earlier export, of any format version)
// or is empty; any other file, or the file a link there points to, is
// refused before the run is loaded, named, and left as it was, rather
// than silently destroyed by a mistyped --out.
func TestExportOutReplacesOnlyModelFiles(t *testing.T) {
	dir, runs, rec := trainTiny(t, "--estimators", "ste", "--seeds", "1")
	run := filepath.Join(runs, rec.Key+".json")
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	notes := write("notes", "| table | a study's notes |\n")
	bad := write("bad.gbnn", "not a model")
	log := write("export.log", "a log\n")
	link := filepath.Join(dir, "link.gbnn")
	if err := os.Symlink(notes, link); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ out, file, why string }{
		{notes, notes, "it is not a gradbench model file"},
		{bad, bad, "it is not a gradbench model file"},
		{log, log, "it is not a gradbench model file"},
		{link, notes, "it is a link to " + notes + ", which is not a gradbench model file"},
	} {
		before, _ := os.ReadFile(tc.file)
		_, _, err := runGradbench(t, "export", "--run", run, "--out", tc.out)
		want := "suite: export: --out " + tc.out + ": refusing to replace it: " + tc.why +
			" (it does not start with one's header), and export replaces only a model file (an earlier export) or an empty file: remove it, or name another file"
		if err == nil || err.Error() != want {
			t.Errorf("--out %s: error %v\nwant %s", tc.out, err, want)
		}
		if after, _ := os.ReadFile(tc.file); !bytes.Equal(after, before) {
			t.Errorf("--out %s: %s was replaced (%d bytes now, %d before)", tc.out, tc.file, len(after), len(before))
		}
	}

	// An empty file holds nothing to lose (mktemp's); a model file is
	// replaced, atomically, by its new export: the file is a new one.
	model := write("m.gbnn", "")
	gradbenchOK(t, "export", "--run", run, "--out", model)
	first, _ := os.ReadFile(model)
	if !bytes.HasPrefix(first, []byte("GBNN\x00\r\n\x1a")) {
		t.Fatalf("export into an empty file wrote no model file: %q", first[:min(len(first), 16)])
	}
	st0, _ := os.Stat(model)
	gradbenchOK(t, "export", "--run", run, "--out", model)
	if b, _ := os.ReadFile(model); !bytes.Equal(b, first) {
		t.Errorf("export over its own model file wrote another file")
	}
	if st1, _ := os.Stat(model); os.SameFile(st0, st1) {
		t.Errorf("export over a model file wrote it in place, not by a rename")
	}
	// A model file of another format version is a model file still, as
	// eval's reader says (it names the version it cannot read).
	old := append([]byte(nil), first...)
	old[8] = 9
	os.WriteFile(model, old, 0o644)
	gradbenchOK(t, "export", "--run", run, "--out", model)
	if b, _ := os.ReadFile(model); !bytes.Equal(b, first) {
		t.Errorf("export over a model file of another version did not replace it")
	}
}
