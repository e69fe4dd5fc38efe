package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/internal/golden"
)

// runGradbench runs gradbench in-process and returns its stdout and stderr.
func runGradbench(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	err = gradbench(context.Background(), &cmdEnv{stdout: &out, stderr: &errb}, args)
	return out.String(), errb.String(), err
}

// gradbenchOK runs gradbench as runGradbench does and stops the test,
// naming the arguments and showing what gradbench printed on stderr,
// unless it succeeds.
func gradbenchOK(t *testing.T, args ...string) (stdout, stderr string) {
	t.Helper()
	stdout, stderr, err := runGradbench(t, args...)
	if err != nil {
		t.Fatalf("gradbench %q: %v\n%s", args, err, stderr)
	}
	return stdout, stderr
}

// runRefused runs gradbench with args and checks that it fails with an
// error containing want and does not create out, the directory its --out
// names. It returns the error.
func runRefused(t *testing.T, out, want string, args ...string) error {
	t.Helper()
	_, _, err := runGradbench(t, args...)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("gradbench %v: error %v, want %q", args, err, want)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("gradbench %v created --out %s", args, out)
	}
	return err
}

func TestCurvesGolden(t *testing.T) {
	out, _ := gradbenchOK(t, "curves", "--estimators", "fda:n=9,ste,approxsign,dsq,bnnplus,ede", "--points", "41", "--format", "tsv")
	golden.Check(t, "curves.tsv", []byte(out))
}

func TestCurvesTable(t *testing.T) {
	out, _ := gradbenchOK(t, "curves", "--estimators", "fda:n=9,ste,approxsign,dsq,bnnplus,ede", "--format", "tsv")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 402 {
		t.Fatalf("got %d lines, want a header and 401 rows", len(lines))
	}
	if want := "x\tfda:n=9\tste\tapproxsign\tdsq\tbnnplus\tede"; lines[0] != want {
		t.Errorf("header = %q, want %q", lines[0], want)
	}
	// The middle row is x = 0: g(0) of each estimator.
	if want := "0\t1.2732396\t1\t2\t1.3732654\t5\t1"; lines[201] != want {
		t.Errorf("row x=0 = %q, want %q", lines[201], want)
	}

	out, _ = gradbenchOK(t, "curves", "--estimators", "fda:omega=0.10,n=9..18,ste", "--from", "-1", "--to", "1", "--points", "3", "--progress", "1", "--format", "csv")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// At p = 1 the default FDA schedule has n = 18: g(0) = 4·0.1·19/π and
	// g(±1) = -0.39017079 (python3, the explicit sum of 19 cosines).
	want := [][]string{{"x", "fda", "ste"}, {"-1", "-0.3901708", "1"}, {"0", "2.4191551", "1"}, {"1", "-0.3901708", "1"}}
	if len(rows) != len(want) {
		t.Fatalf("csv = %q, want %q", rows, want)
	}
	for i := range want {
		if strings.Join(rows[i], ",") != strings.Join(want[i], ",") {
			t.Errorf("csv row %d = %q, want %q", i, rows[i], want[i])
		}
	}
}

// TestCurvesDefault: with no --estimators, curves shows every registered
// estimator at its defaults, in the registry's order.
func TestCurvesDefault(t *testing.T) {
	out, _ := gradbenchOK(t, "curves", "--points", "3")
	header, _, _ := strings.Cut(out, "\n")
	if want := "x\t" + strings.Join(estimators.Names(), "\t"); header != want {
		t.Errorf("header = %q, want %q", header, want)
	}
}

func TestCurvesSVG(t *testing.T) {
	path := filepath.Join(t.TempDir(), "curves.svg")
	out, stderr := gradbenchOK(t, "curves", "--svg", path)
	if out != "" {
		t.Errorf("--svg without --format printed a table:\n%.200s", out)
	}
	if !strings.Contains(stderr, "wrote "+path) {
		t.Errorf("stderr = %q, want it to name the file written", stderr)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	var root string
	for {
		tok, err := d.Token()
		if err != nil {
			if root == "" {
				t.Fatalf("SVG does not parse as XML: %v", err)
			}
			break
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
	if root != "svg" {
		t.Errorf("SVG root element = %q, want svg", root)
	}
	for _, label := range estimators.Names() { // the default: every registered estimator
		if !bytes.Contains(b, []byte(">"+label+"<")) {
			t.Errorf("SVG has no legend entry or panel title %q", label)
		}
	}
	// biper's peak of 20 beside ste's 1: by default a panel per curve,
	// each on its own y scale, as the heading says.
	if !bytes.Contains(b, []byte("one panel per curve, each y axis on its own scale")) {
		t.Errorf("default SVG is not a panel per curve under the heading that says so")
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*.tmp")); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestCurvesErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--estimators", "fdaa"}, `estimators: unknown estimator "fdaa" (have ` + strings.Join(estimators.Names(), ", ") + ")"},
		{[]string{"--estimators", "fda:n=-1"}, `estimators: fda: bad value n="-1"`},
		{[]string{"--estimators", "fda+na"}, `suite: curves: "fda+na": noise adaptation (+na) is a learned module`},
		{[]string{"--points", "1"}, "suite: curves: --points must be at least 2, got 1"},
		{[]string{"--from", "2", "--to", "-2"}, "suite: curves: --from must be less than --to, got --from 2 --to -2"},
		// --from NaN and --to Inf are refused by the flags themselves
		// (TestRefusalsQuoteValuesAsTyped), as every float flag's are.
		{[]string{"--progress", "1.5"}, "suite: curves: --progress must be in [0, 1], got 1.5"},
		// No estimator listed has a schedule: --progress was given and
		// then ignored.
		{[]string{"--estimators", "ste,w=approxsign/a=dsq", "--progress", "0.5"}, "suite: curves: --progress 0.5: none of the estimators has a schedule that changes its curve (as fda's n over a range lo..hi, ede's t and a formula in p do; fda:n=9 fixes n), so it would change no curve: drop --progress"},
		// Nor where the spec fixes the schedule: fda:n=9 is the same
		// curve at every progress.
		{[]string{"--estimators", "fda:n=9", "--progress", "0.5"}, "suite: curves: --progress 0.5: none of the estimators has a schedule that changes its curve"},
		{[]string{"--format", "json"}, `suite: curves: --format must be tsv or csv, got "json"`},
		{[]string{"--layout", "grid", "--svg", filepath.Join(t.TempDir(), "c.svg")}, `suite: curves: --layout must be auto, overlay or panels, got "grid"`},
		// The layout is the plot's: without --svg it was given and then
		// ignored, the table printed as if it had not been.
		{[]string{"--layout", "panels"}, `curves: --layout "panels" without --svg: the layout is the plot's, and only --svg FILE draws one; give --svg, or drop --layout`},
		{[]string{"--layout", "auto", "--format", "csv"}, `curves: --layout "auto" without --svg`},
		{[]string{"--svg", "/nonexistent-dir/x.svg"}, "suite: curves: --svg /nonexistent-dir/x.svg: its directory /nonexistent-dir does not exist: make it first, or name a file in a directory that exists"},
		{[]string{"extra"}, `curves: unexpected argument "extra"`},
	} {
		// Each error names its layer first, as other commands' do: the
		// checks and writes made in package suite lead with "suite:
		// curves:" ("suite: export: writing ...", "suite: table: writing
		// ..."), where they read "curves: writing ..." as if the command
		// had made them; the command's own checks with "curves:".
		_, _, err := runGradbench(t, append([]string{"curves"}, tc.args...)...)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("curves %s: error = %v, want %q", strings.Join(tc.args, " "), err, tc.want)
		}
	}
}

// TestCurvesExitCode runs the real main in a child process: a bad spec
// prints one line and exits 1.
func TestCurvesExitCode(t *testing.T) {
	if os.Getenv("GRADBENCH_CURVES_MAIN") == "1" {
		os.Args = []string{"gradbench", "curves", "--estimators", "fdaa"}
		main()
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestCurvesExitCode$")
	cmd.Env = append(os.Environ(), "GRADBENCH_CURVES_MAIN=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("exit = %v, want exit status 1", err)
	}
	want := "gradbench: estimators: unknown estimator \"fdaa\" (have " + strings.Join(estimators.Names(), ", ") + ")\n"
	if stderr.String() != want {
		t.Errorf("stderr = %q, want %q", stderr.String(), want)
	}
}

// TestCurvesSides: a sided spec has a column per side, each the curve of
// its side's estimator, and its SVG two panels, the weights' and the
// activations'; with plain specs only, one panel.
func TestCurvesSides(t *testing.T) {
	out, _ := gradbenchOK(t, "curves", "--estimators", "ste,a=approxsign/w=fda:n=9,fda:n=9,approxsign", "--points", "5", "--format", "csv")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if want := "x,ste,w=fda:n=9/a=approxsign (weights),w=fda:n=9/a=approxsign (activations),fda:n=9,approxsign"; strings.Join(rows[0], ",") != want {
		t.Errorf("header = %q, want %q", strings.Join(rows[0], ","), want)
	}
	for _, r := range rows[1:] {
		if r[2] != r[4] || r[3] != r[5] {
			t.Errorf("row x=%s: the sides' curves %s, %s differ from fda:n=9 %s and approxsign %s", r[0], r[2], r[3], r[4], r[5])
		}
	}

	dir := t.TempDir()
	for _, tc := range []struct {
		specs  string
		panels bool
	}{
		{"ste,w=fda/a=approxsign", true},
		{"ste,w=fda/a=fda,approxsign", false},
	} {
		path := filepath.Join(dir, "c.svg")
		gradbenchOK(t, "curves", "--estimators", tc.specs, "--svg", path)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		two := bytes.Contains(b, []byte("g(x) on the latent weights")) && bytes.Contains(b, []byte("g(x) on the activations"))
		if two != tc.panels || bytes.Contains(b, []byte("Surrogate gradients")) == tc.panels {
			t.Errorf("curves --estimators %s: two panels %v, want %v", tc.specs, two, tc.panels)
		}
		if tc.panels && bytes.Count(b, []byte(">ste<")) != 2 {
			t.Errorf("curves --estimators %s: ste's legend entry %d times, want once in each panel", tc.specs, bytes.Count(b, []byte(">ste<")))
		}
	}
	if _, _, err := runGradbench(t, "curves", "--estimators", "w=fda+na/a=ste"); err == nil || !strings.Contains(err.Error(), "noise adaptation (+na) is a learned module") {
		t.Errorf("curves of a spec with +na on one side: %v", err)
	}
}

// TestCurvesSVGNoteCounts: the note after --svg counts its curves and
// points in the singular when there is one ("1 curve", not "1 curves").
func TestCurvesSVGNoteCounts(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ specs, want string }{
		{"ste", "(1 curve, 401 points)\n"},
		{"ste,fda", "(2 curves, 401 points)\n"},
	} {
		path := filepath.Join(dir, "c.svg")
		_, stderr := gradbenchOK(t, "curves", "--estimators", tc.specs, "--svg", path)
		if want := "wrote " + path + " " + tc.want; stderr != want {
			t.Errorf("curves --estimators %s: stderr %q, want %q", tc.specs, stderr, want)
		}
	}
}
