package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/internal/dirtest"
	"github.com/gradbench/gradbench/internal/texttest"
)

const fast = `command: go test -bench . ./bench
build: default
cpu: Test CPU
BenchmarkBackward/est=ste/n=1000/impl=fast-2   	100	  400 ns/op	30000 MB/s
BenchmarkBackward/est=ste/n=1000/impl=fast-2   	100	  420 ns/op	28571.43 MB/s
BenchmarkBackward/est=fda:n=1/n=1000/impl=fast-2	100	  800 ns/op	15000 MB/s
BenchmarkBackward/est=fda:n=18/n=1000/impl=fast-2	100	 1000 ns/op	12000 MB/s
BenchmarkCopy/n=1000/bytes=12-2               	100	  200 ns/op	60000 MB/s
BenchmarkCopy/n=1000/bytes=8-2                	100	  150 ns/op	53333.33 MB/s
`

func TestReport(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "a.txt")
	if err := os.WriteFile(in, []byte(fast), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "report.md")
	err := run([]string{"-o", out, "-title", "Test",
		"-target", ".name:Backward /est:ste: ns/elem < 0.5",
		"-target", ".name:Backward /est:\"fda:n=1\": ns/elem < 0.5",
		"-target", ".name:Backward /est:\"fda:n=18\" :: .name:Backward /est:\"fda:n=1\": ratio <= 1.2",
		"default=" + in}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got := texttest.Squash(string(b))
	for _, want := range []string{
		"# Test",
		"go test -bench . ./bench",
		// ste: median of 400 and 420 ns over 1000 elements.
		"| default | BenchmarkBackward/est=ste/n=1000/impl=fast | 0.410 ns/elem | < 0.500 |   PASS |",
		"| default | BenchmarkBackward/est=fda:n=1/n=1000/impl=fast | 0.800 ns/elem | < 0.500 |   FAIL |",
		"1.250× | <= 1.200 |   FAIL |",
		// The copy of 12 bytes per element sits beside the backward rows,
		// also for ste, whose runs sort differently by time and by B/s.
		"| BenchmarkBackward/est=ste/n=1000/impl=fast | 0.410 | 29.3 | 0.200 | 60.0 |",
		"| BenchmarkBackward/est=fda:n=18/n=1000/impl=fast |           1.000 |         12.0 |                   0.200 |              60.0 |",
		"## Summary",
	} {
		if want = texttest.Squash(want); !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
}

func TestReportErrors(t *testing.T) {
	// A file without results (a benchmark that failed to build) is an
	// error, not an empty column: accepting it passed every other test.
	empty := filepath.Join(t.TempDir(), "empty.txt")
	if err := os.WriteFile(empty, []byte("goos: linux\nFAIL\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "no inputs"},
		{[]string{"nolabel"}, `argument "nolabel": want label=file`},
		{[]string{"a=/nonexistent"}, "no such file"},
		{[]string{"a=" + empty}, "no benchmark results"},
	} {
		if err := run(tc.args, &strings.Builder{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run(%q) = %v, want an error containing %q", tc.args, err, tc.want)
		}
	}
	// Tried as a new user would: two inputs of one label headed two
	// columns alike, and an -ignore key no benchmark has (a typo) or an
	// empty one was dropped without a word, leaving the rows it was to
	// merge apart.
	in := writeInputs(t, "BenchmarkConv/gemm=go/n=10-2 100 1000 ns/op\n", "BenchmarkConv/gemm=simd/n=10-2 100 500 ns/op\n")
	a, b := in[0], in[1]
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"x=" + a, "x=" + b}, `argument "x=` + b + `": label "x" is given twice (first in "x=` + a + `"): give each input a label of its own`},
		{[]string{"-ignore", "gem", "go=" + a, "simd=" + b}, `-ignore "gem": no benchmark of the inputs has the name key "gem"`},
		{[]string{"-ignore", "gemm,,n", "go=" + a, "simd=" + b}, `-ignore "gemm,,n": key "": want comma-separated name keys without spaces, such as gemm,n`},
		{[]string{"-ignore", "gemm, n", "go=" + a, "simd=" + b}, `-ignore "gemm, n": key " n": want comma-separated name keys without spaces`},
		{[]string{"-ignore", "gemm,gemm", "go=" + a, "simd=" + b}, `-ignore "gemm,gemm": key "gemm" is given twice`},
		// An -elements key or a -reference no benchmark has left the
		// per-element table, or its reference columns, out without a word.
		{[]string{"-elements", "m", "go=" + a}, `-elements "m": no benchmark of the inputs has the name key "m" (-elements none leaves the per-element table out)`},
		{[]string{"-reference", "Cpy", "go=" + a}, `-reference "Cpy": no benchmark of the inputs is BenchmarkCpy`},
		{[]string{"-reference", "Conv", "-elements", "none", "go=" + a}, `-reference "Conv" with -elements none: there is no per-element table to set it beside`},
		// Auditing the float values the commands read: a bound 1e-400
		// was read as 0, and NaN as a bound no benchmark can meet.
		{[]string{"-target", "/gemm:go: ns/op < 1e-400", "go=" + a}, `bad bound "1e-400": underflows to 0 in float64`},
		{[]string{"-target", "/gemm:go: ns/op < 1e400", "go=" + a}, `bad bound "1e400": overflows float64 to +Inf`},
		{[]string{"-target", "/gemm:go: ns/op < NaN", "go=" + a}, `bad bound "NaN": want a finite number`},
		{[]string{"-target", "/gemm:go: ns/op < 0x1p-3", "go=" + a}, `bad bound "0x1p-3": want a decimal number`},
		// A title of two lines made the second a heading or paragraph
		// of its own under a title of the first.
		{[]string{"-title", "Kernels\n# Other", "go=" + a}, `-title "Kernels\n# Other": a title is one line, want no line break`},
	} {
		if err := run(tc.args, &strings.Builder{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run(%q) = %v, want an error containing %q", tc.args, err, tc.want)
		}
	}
}

// TestIgnore matches benchmarks whose names differ only in an ignored key.
func TestIgnore(t *testing.T) {
	in := writeInputs(t, "BenchmarkConv/gemm=go/n=10-2 100 1000 ns/op\n", "BenchmarkConv/gemm=simd/n=10-2 100 500 ns/op\n")
	a, b := in[0], in[1]
	if got := runText(t, "-ignore", "gemm", "go="+a, "simd="+b); !strings.Contains(got, "| BenchmarkConv/n=10 | 1.000µs ± ∞ (n=1) | 500ns ± ∞ (n=1) |") {
		t.Errorf("-ignore gemm did not put both builds in one row:\n%s", got)
	}
	// Every key of the list is left out, n as well as gemm: taking the
	// first key only passed the test above.
	mustWrite(t, b, "BenchmarkConv/gemm=simd/n=20-2 100 500 ns/op\n")
	if got := runText(t, "-ignore", "gemm,n", "go="+a, "simd="+b); !strings.Contains(got, "| BenchmarkConv | 1.000µs ± ∞ (n=1) | 500ns ± ∞ (n=1) |") {
		t.Errorf("-ignore gemm,n did not put both builds in one row:\n%s", got)
	}
}

// stepRuns returns the output of alternated BenchmarkStep runs, engine
// ours taking ours[i] and engine peer peer[i] ns/op in run i, the runs
// left over of the longer list last.
func stepRuns(ours, peer []int) []byte {
	var b strings.Builder
	for i := range max(len(ours), len(peer)) {
		if i < len(ours) {
			fmt.Fprintf(&b, "BenchmarkStep/engine=ours 1 %d ns/op\n", ours[i])
		}
		if i < len(peer) {
			fmt.Fprintf(&b, "BenchmarkStep/engine=peer 1 %d ns/op\n", peer[i])
		}
	}
	return []byte(b.String())
}

// TestPaired takes ratios run by run: the medians of the runs alone give
// 12/3 = 4, the runs taken in pairs 1, 4 and 3, whose median is 3.
func TestPaired(t *testing.T) {
	in := writeInputs(t, string(stepRuns([]int{3, 6, 9}, []int{3, 3, 3, 9})))[0]
	target := "/engine:ours :: /engine:peer: ratio < 3.5"
	if err := run([]string{"-paired", "-target", target, "x=" + in}, &strings.Builder{}); err == nil || !strings.Contains(err.Error(), "has 3 runs and BenchmarkStep/engine=peer 4") {
		t.Fatalf("-paired with 3 and 4 runs: err = %v, want a run count error", err)
	}
	mustWrite(t, in, string(stepRuns([]int{3, 12, 27}, []int{3, 3, 9})))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-target", target}, "| 4.000× | < 3.500 | FAIL |"},
		{[]string{"-paired", "-target", target}, "| 3.000× (1.000–4.000, 3 pairs) | < 3.500 | PASS |"},
	} {
		if got := runText(t, append(tc.args, "x="+in)...); !strings.Contains(got, tc.want) {
			t.Errorf("%q: report lacks %q:\n%s", tc.args, tc.want, got)
		}
	}
}

// runReport writes input to a file, runs benchreport on it as label=file
// with args before it, and returns the report with its runs of blanks
// squashed to one space.
func runReport(t *testing.T, input string, args ...string) string {
	t.Helper()
	return runText(t, append(args, "x="+writeInputs(t, input)[0])...)
}

// runText runs benchreport with args and returns its report with its
// runs of blanks squashed to one space; an error fails the test.
func runText(t *testing.T, args ...string) string {
	t.Helper()
	return texttest.Squash(texttest.Run(t, run, args...))
}

// writeInputs writes each of contents to a file of its own, a.txt, b.txt
// and so on, in a new temporary directory, and returns their paths.
func writeInputs(t *testing.T, contents ...string) []string {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for i, c := range contents {
		path := filepath.Join(dir, string(rune('a'+i))+".txt")
		mustWrite(t, path, c)
		paths = append(paths, path)
	}
	return paths
}

// TestElementsAndReference: -elements names the key holding the element
// count and -reference the bandwidth reference, and the per-element
// table's columns are labelled with both. Ignoring either flag (using n
// and Copy) passed every other test, which used those defaults.
func TestElementsAndReference(t *testing.T) {
	got := runReport(t, `BenchmarkFoo/size=1000-2 100 400 ns/op 30000 MB/s
BenchmarkMemcpy/size=1000/bytes=12-2 100 200 ns/op 60000 MB/s
`, "-elements", "size", "-reference", "Memcpy")
	texttest.ContainsAll(t, "-elements size -reference Memcpy: report", got,
		"| benchmark | x ns/elem | x GB/s | x Memcpy ns/elem | x Memcpy GB/s |",
		"| BenchmarkFoo/size=1000 | 0.400 | 30.0 | 0.200 | 60.0 |",
	)
	if strings.Contains(got, "| BenchmarkMemcpy/size=1000/bytes=12 | 0.200") {
		t.Errorf("the reference benchmark has a per-element row of its own:\n%s", got)
	}
}

// TestTargetChecks: a bound met exactly passes <= and >=, a filter that
// matches nothing is a FAIL row naming it, and malformed ratio targets
// are refused. Each of these could be broken (<= as <, the FAIL row
// dropped, a ratio over several matches taken from the first, a ratio
// with one filter read as a plain check) with every other test passing.
func TestTargetChecks(t *testing.T) {
	const input = `BenchmarkStep/engine=ours-2 1 800 ns/op
BenchmarkStep/engine=peer-2 1 800 ns/op
BenchmarkStep/engine=other-2 1 400 ns/op
`
	got := runReport(t, input,
		"-target", "/engine:ours :: /engine:peer: ratio <= 1",
		"-target", "/engine:ours :: /engine:peer: ratio >= 1",
		"-target", "/engine:ours :: /engine:other: ratio < 2",
		"-target", ".name:Nothing: ns/op < 1")
	texttest.ContainsAll(t, "report", got,
		"| x | BenchmarkStep/engine=ours ÷ BenchmarkStep/engine=peer | 1.000× | <= 1.000 | PASS |",
		"| x | BenchmarkStep/engine=ours ÷ BenchmarkStep/engine=peer | 1.000× | >= 1.000 | PASS |",
		// The first over the second: 800/400, not 400/800.
		"| x | BenchmarkStep/engine=ours ÷ BenchmarkStep/engine=other | 2.000× | < 2.000 | FAIL |",
		"| x | .name:Nothing | no benchmark matched | < 1.000 | FAIL |",
	)
	in := writeInputs(t, input)[0]
	for _, tc := range []struct{ target, want string }{
		{"/engine:(ours OR peer) :: /engine:other: ratio < 2", "the filters match 2 and 1 benchmarks, want 1 each"},
		{"/engine:ours :: /engine:(peer OR other): ratio < 2", "the filters match 1 and 2 benchmarks, want 1 each"},
		{"/engine:ours: ratio < 2", "a ratio needs two filters separated by ::"},
		{"/engine:ours :: /engine:peer: ns/op < 2", "two filters need the metric ratio"},
		{"/engine:ours: ns/op < ", "want METRIC OP BOUND"},
		{"/engine:ours: ns/op ≤ 2", "want METRIC OP BOUND"},
		{"/engine:ours: ns/op < 2 ms", "want METRIC OP BOUND"},
		{"/engine:ours: ms/op < 2", `unknown metric "ms/op"`},
		// A filter that is not key:value answered with the filter
		// library's bare "syntax error: expected key:value": say how a
		// FILTER is written, for either side of a ratio.
		{"X: ns/op < 10", `filter "X": syntax error: expected key:value; a FILTER is key:value terms, such as '.name:Backward /impl:fast' or '/est:(ste OR fda)' (go doc golang.org/x/perf/benchproc/syntax)`},
		{"/engine:ours :: Y: ratio < 2", `filter "Y": syntax error: expected key:value; a FILTER is key:value terms`},
	} {
		err := run([]string{"-target", tc.target, "x=" + in}, &strings.Builder{})
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.target) {
			t.Errorf("-target %q: err = %v, want an error naming the target and containing %q", tc.target, err, tc.want)
		}
	}
}

// TestSummaryAcrossInputs: the summary has a row for a benchmark that
// only a later input has, and its change column, headed with the first
// input's label, is the later input against the first: 1µs to 500ns is
// -50%, not +100%. Dropping the later input's own benchmarks, heading
// the column with the later label or computing the change the wrong way
// round passed every other test, whose inputs had the same benchmarks and
// one run each (no significant change to print).
func TestSummaryAcrossInputs(t *testing.T) {
	var sa, sb strings.Builder
	for i := range 5 {
		fmt.Fprintf(&sa, "BenchmarkConv/n=10-2 100 %d ns/op\n", 1000+i)
		fmt.Fprintf(&sb, "BenchmarkConv/n=10-2 100 %d ns/op\n", 500+i)
	}
	sb.WriteString("BenchmarkOnlyNew/n=10-2 100 700 ns/op\n")
	in := writeInputs(t, sa.String(), sb.String())
	texttest.ContainsAll(t, "summary", runText(t, "old="+in[0], "new="+in[1]),
		"| benchmark | old sec/op | new sec/op | vs old |",
		"| BenchmarkConv/n=10 | 1.002µs ",
		"| 502ns ",
		"| -49.90% p=0.008 n=5 |",
		"| BenchmarkOnlyNew/n=10 | | 700ns ± ∞ (n=1) | |",
	)
}

// TestOutputAtomic: -o replaces the report by renaming a finished file
// over it, so a reader never sees it half written: a hard link to the old
// report keeps the old text, and nothing else is left in the directory.
// Writing -o in place passed every other test, which only read the file.
func TestOutputAtomic(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.txt")
	if err := os.WriteFile(in, []byte(fast), 0o644); err != nil {
		t.Fatal(err)
	}
	out, old := filepath.Join(dir, "report.md"), filepath.Join(dir, "old.md")
	dirtest.HardLinked(t, out, "old report\n", old)
	if err := run([]string{"-o", out, "-title", "New", "default=" + in}, nil); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(out); err != nil || !strings.HasPrefix(string(b), "# New\n") {
		t.Errorf("-o %s holds %q (%v), want the new report", out, b, err)
	}
	if b, err := os.ReadFile(old); err != nil || string(b) != "old report\n" {
		t.Errorf("a hard link to the old report holds %q (%v), want the old text: -o was written in place, not renamed over", b, err)
	}
	if names := dirtest.Names(t, dir); len(names) != 3 {
		t.Errorf("directory holds %q, want only in.txt, old.md and report.md", names)
	}
}

// TestPairedEvenAndRange: with an even number of pairs the median of the
// ratios is the mean of the middle two (1, 2, 3 and 10 give 2.5, which
// meets <= 2.5 exactly), and the range takes every pair, the largest
// ratio being the last. The upper middle as the median (a FAIL), a range
// without the last pair (1–3) and a run count check that let the first
// benchmark have more runs (an index out of range) passed every other
// test, whose paired input had three pairs, the largest one in the middle.
func TestPairedEvenAndRange(t *testing.T) {
	in := writeInputs(t, string(stepRuns([]int{2, 2, 6, 10}, []int{2, 1, 2, 1})))[0]
	texttest.ContainsAll(t, "report", runText(t, "-paired", "-target", "/engine:ours :: /engine:peer: ratio <= 2.5", "x="+in),
		"| 2.500× (1.000–10.0, 4 pairs) | <= 2.500 | PASS |")
	mustWrite(t, in, string(stepRuns([]int{3, 6, 9, 9}, []int{3, 3, 3})))
	err := run([]string{"-paired", "-target", "/engine:ours :: /engine:peer: ratio < 3.5", "x=" + in}, &strings.Builder{})
	if err == nil || !strings.Contains(err.Error(), "has 4 runs and BenchmarkStep/engine=peer 3") {
		t.Errorf("-paired with 4 and 3 runs: err = %v, want a run count error", err)
	}
}

// TestTargetValues: a ns/op target shows the median in nanoseconds, >
// fails at its bound, a verdict is taken on the ratio itself and not on
// the rounded ratio shown (1.2004 does not meet <= 1.2 though it prints
// as 1.200), and a .unit filter keeps the benchmarks reporting that
// unit; the command line quotes each target as one word. ns/op in the
// wrong unit, > as >=, a verdict on the printed number, a filter that had
// to match every unit and the arguments joined unquoted passed every
// other test.
func TestTargetValues(t *testing.T) {
	got := runReport(t, `BenchmarkStep/engine=ours-2 1 12004 ns/op
BenchmarkStep/engine=peer-2 1 10000 ns/op
BenchmarkStep/engine=other-2 1 400 ns/op 2000 MB/s
`,
		"-target", "/engine:other: ns/op < 500",
		"-target", "/engine:peer: ns/op > 10000",
		"-target", "/engine:ours :: /engine:peer: ratio <= 1.2",
		"-target", ".unit:B/s: GB/s > 1")
	texttest.ContainsAll(t, "report", got,
		// The command reads back as the same arguments: each target,
		// blanks and all, is one quoted word.
		"Generated by `go run ./bench/cmd/benchreport -target '/engine:other: ns/op < 500' -target '/engine:peer: ns/op > 10000' ",
		"| x | BenchmarkStep/engine=other | 400 ns/op | < 500 | PASS |",
		"| x | BenchmarkStep/engine=peer | 10000 ns/op | > 10000 | FAIL |",
		"| x | BenchmarkStep/engine=ours ÷ BenchmarkStep/engine=peer | 1.200× | <= 1.200 | FAIL |",
		"| x | BenchmarkStep/engine=other | 2.000 GB/s | > 1.000 | PASS |",
	)
}

// TestTargetsEveryInput: a target has a row for each input, with that
// input's value. Checking the first input only passed every other test,
// which gave targets one input.
func TestTargetsEveryInput(t *testing.T) {
	in := writeInputs(t, "BenchmarkConv/n=10-2 100 1000 ns/op\n", "BenchmarkConv/n=10-2 100 20 ns/op\n")
	texttest.ContainsAll(t, "report", runText(t, "-target", ".name:Conv: ns/elem < 50", "old="+in[0], "new="+in[1]),
		"| old | BenchmarkConv/n=10 | 100 ns/elem | < 50.0 | FAIL |",
		"| new | BenchmarkConv/n=10 | 2.000 ns/elem | < 50.0 | PASS |",
	)
}

// TestReferenceChoice: the reference beside a benchmark has its element
// count and its bytes per element, among copies of other sizes and
// widths listed before it; a benchmark without an element count has no
// per-element row. A reference of another size or width, and per-element
// rows for every benchmark, passed every other test, whose inputs had one
// size and every benchmark at 12 bytes per element; so did b.SetBytes
// read back from B/s without rounding to the nearest byte.
func TestReferenceChoice(t *testing.T) {
	got := runReport(t, `BenchmarkCopy/n=2000/bytes=12-2 100 300 ns/op 80000 MB/s
BenchmarkCopy/n=1000/bytes=8-2 100 100 ns/op 80000 MB/s
BenchmarkCopy/n=1000/bytes=12-2 100 200 ns/op 60000 MB/s
BenchmarkFoo/n=1000-2 100 400 ns/op 30000 MB/s
BenchmarkBar-2 100 300 ns/op
BenchmarkCopy/n=1/bytes=12-2 100 10 ns/op 1200 MB/s
BenchmarkOne/n=1-2 100 420 ns/op 28.57 MB/s
`)
	texttest.ContainsAll(t, "report", got,
		"| BenchmarkFoo/n=1000 | 0.400 | 30.0 | 0.200 | 60.0 |",
		// 420 ns at 28.57 MB/s (rounded as go test prints it) is 11.9994
		// bytes: b.SetBytes(12), rounded back to the nearest byte.
		"| BenchmarkOne/n=1 | 420 | 0.029 | 10.0 | 1.200 |")
	if n := strings.Count(got, "| BenchmarkBar |"); n != 1 {
		t.Errorf("BenchmarkBar, without an element count, has %d rows, want 1 (the summary's):\n%s", n, got)
	}
}

// TestSummaryDetails: the summary's interval is the 95% one (none for
// five runs, 5% for six), the change
// names the first input's runs first (n=5+6), a benchmark appears once
// however many inputs have it, a benchmark the first input lacks keeps
// its later cells in their columns, and the warnings of small samples
// are listed under the input they come from. Each of these (a 90%
// interval, the comparison taken the other way, a row per input, a cell
// dropped, the warnings left out or labelled with the first input)
// passed every other test.
func TestSummaryDetails(t *testing.T) {
	var sa, sb strings.Builder
	for i := range 5 {
		fmt.Fprintf(&sa, "BenchmarkConv/n=10-2 100 %d ns/op\n", 1000+10*i)
	}
	for i := range 6 {
		fmt.Fprintf(&sb, "BenchmarkConv/n=10-2 100 %d ns/op\n", 500+10*i)
	}
	sb.WriteString("BenchmarkOnlyNew/n=10-2 100 700 ns/op\n")
	in := writeInputs(t, sa.String(), sb.String(), sb.String())
	got := runText(t, "old="+in[0], "new="+in[1], "third="+in[2])
	texttest.ContainsAll(t, "summary", got,
		"| BenchmarkConv/n=10 | 1.020µs ± ∞ (n=5) | 525ns ± 5% (n=6) | -48.53% p=0.004 n=5+6 | 525ns ± 5% (n=6) |",
		"| BenchmarkOnlyNew/n=10 | | 700ns ± ∞ (n=1) | | 700ns ± ∞ (n=1) | |",
		"- BenchmarkOnlyNew/n=10 (new): need >= 6 samples for confidence interval at level 0.95",
		"- BenchmarkOnlyNew/n=10 (third): need >= 6 samples for confidence interval at level 0.95",
	)
	if n := strings.Count(got, "| BenchmarkConv/n=10 | 1.020µs"); n != 1 {
		t.Errorf("BenchmarkConv/n=10 has %d summary rows, want 1:\n%s", n, got)
	}
}

// TestSummaryCell pins the summary's cells to benchstat's form, the
// median, "±", the 95% interval in percent and the runs: "1.020µs ± 4%
// (n=6)", and "± ∞" with a line saying what it means when the runs are
// too few for an interval. Cells without the "±" ("1.020µs 4% (n=6)")
// passed every test, and left a reader to guess that the percentage was
// an interval.
func TestSummaryCell(t *testing.T) {
	for _, tc := range []struct {
		secs []float64
		want string
	}{
		{[]float64{98.6e-3}, "98.6ms ± ∞ (n=1)"},
		{[]float64{240e-6, 241e-6, 239e-6, 242e-6, 238e-6}, "240µs ± ∞ (n=5)"},
		{[]float64{1000e-9, 1010e-9, 1020e-9, 1030e-9, 1040e-9, 1050e-9}, "1.025µs ± 2% (n=6)"},
	} {
		if got := summaryCell(summary(tc.secs), len(tc.secs)); got != tc.want {
			t.Errorf("summaryCell(%v) = %q, want %q", tc.secs, got, tc.want)
		}
	}
	const why = "± ∞: too few runs for a 95% confidence interval; the Warnings under the table name each such benchmark and the runs it needs."
	var six strings.Builder
	for i := range 6 {
		fmt.Fprintf(&six, "BenchmarkConv-2 100 %d ns/op\n", 1000+10*i)
	}
	got := runReport(t, six.String(), "-elements", "none")
	texttest.ContainsAll(t, "report", got,
		"| BenchmarkConv | 1.025µs ± 2% (n=6) |")
	if strings.Contains(got, "∞") {
		t.Errorf("a report whose every benchmark has an interval mentions ∞:\n%s", got)
	}
	got = runReport(t, six.String()+"BenchmarkOne-2 100 700 ns/op\n", "-elements", "none")
	texttest.ContainsAll(t, "report", got,
		"| BenchmarkOne | 700ns ± ∞ (n=1) |",
		why,
		"- BenchmarkOne (x): need >= 6 samples for confidence interval at level 0.95")
	// The line stands between the summary's lead and its table.
	if i, j := strings.Index(got, why), strings.Index(got, "| BenchmarkOne "); i < strings.Index(got, "## Summary") || i > j {
		t.Errorf("the line on ∞ is not above the summary table:\n%s", got)
	}
}

// TestMachineInputs: the inputs list says build default for a file
// without a build: line and notes a file without a command: line, and
// the machine line has the Go version of the one input that names one.
// Each of these could be broken with every other test passing.
func TestMachineInputs(t *testing.T) {
	in := writeInputs(t, "go: go1.99 plan9/mips\ncommand: go test -bench .\nbuild: GOEXPERIMENT=simd\nBenchmarkConv/n=10-2 100 1000 ns/op\n", "BenchmarkConv/n=10-2 100 1000 ns/op\n")
	a, b := in[0], in[1]
	texttest.ContainsAll(t, "report", runText(t, "first="+a, "second="+b),
		". Go: go1.99 plan9/mips.",
		"- **first**: `"+a+"`, build GOEXPERIMENT=simd, made by ```sh go test -bench . ```",
		"- **second**: `"+b+"`, build default (no command: line in the file)",
	)
}

// TestFormat pins the number formats at their thresholds. The seconds and
// milliseconds units, and the thresholds, could be broken with every other
// test passing, as the reports tested ran in µs and ns.
func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{100, "100"}, {99.94, "99.9"}, {10, "10.0"}, {0.05, "0.050"}, {0.01, "0.010"}, {0.005, "0.005"}, {-250, "-250"}, {0, "0"},
	} {
		if got := fmtNum(tc.v); got != tc.want {
			t.Errorf("fmtNum(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
	for _, tc := range []struct {
		s    float64
		want string
	}{
		{1.5, "1.500s"}, {1, "1.000s"}, {2.5e-3, "2.500ms"}, {1e-3, "1.000ms"}, {5e-3, "5.000ms"}, {1e-6, "1.000µs"}, {5e-7, "500ns"},
	} {
		if got := fmtSecs(tc.s); got != tc.want {
			t.Errorf("fmtSecs(%v) = %q, want %q", tc.s, got, tc.want)
		}
	}
}

// TestSections: a report without targets has no Targets section, one
// whose benchmarks have no element count (-elements none, as the engine
// and peer reports use) no Per element section, and only a paired report
// says its ratios were taken run by run. Printing either section empty,
// or the paired note the wrong way round, passed every other test.
func TestSections(t *testing.T) {
	const input = "BenchmarkStep/engine=ours-2 1 800 ns/op\nBenchmarkStep/engine=peer-2 1 400 ns/op\n"
	got := runReport(t, input, "-elements", "none")
	for _, bad := range []string{"## Targets", "## Per element"} {
		if strings.Contains(got, bad) {
			t.Errorf("report without targets or element counts has %q:\n%s", bad, got)
		}
	}
	const note = "The runs were alternated: a ratio is the median of the ratios of the runs taken together"
	target := "/engine:ours :: /engine:peer: ratio < 3"
	if got := runReport(t, input, "-target", target); strings.Contains(got, note) {
		t.Errorf("a report without -paired says its runs were alternated:\n%s", got)
	}
	if got := runReport(t, input, "-paired", "-target", target); !strings.Contains(got, note) {
		t.Errorf("a report with -paired lacks %q:\n%s", note, got)
	}
}

// mustWrite writes content to the input file path.
func mustWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRefusesOutputOverInput: tried as a new user would, -o naming one of
// the inputs (here by another spelling) replaced the benchmarks with the
// report and exited 0. It is refused before anything is read or written,
// and the input keeps its text.
func TestRefusesOutputOverInput(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.txt")
	if err := os.WriteFile(in, []byte(fast), 0o644); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "sub", "..", "in.txt")
	err := run([]string{"-o", other, "a=" + in}, nil)
	if want := "-o " + other + ": refusing to write there: it is the same file as input a: " + in; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("-o over an input: %v, want an error containing %q", err, want)
	}
	if b, err := os.ReadFile(in); err != nil || string(b) != fast {
		t.Errorf("the input holds %q (%v), want its benchmarks unchanged", b, err)
	}
}

// TestPairedNeedsRatio: tried as a new user would, -paired with no
// target, or with targets of one benchmark each, was accepted and
// changed nothing (it takes ratios run by run, and there were none),
// while the command line the report names says its runs were paired.
// It is refused, naming what it needs.
func TestPairedNeedsRatio(t *testing.T) {
	in := writeInputs(t, "BenchmarkStep/engine=ours-2 1 800 ns/op\nBenchmarkStep/engine=peer-2 1 400 ns/op\n")[0]
	const want = "-paired without a ratio target"
	for _, args := range [][]string{
		{"-paired", "x=" + in},
		{"-paired", "-target", "/engine:ours: ns/op < 900", "x=" + in},
	} {
		if err := run(args, &strings.Builder{}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("run(%q) = %v, want an error containing %q", args, err, want)
		}
	}
}

// TestRefusesOutputInMissingDir: tried as a new user would, -o in a
// directory that does not exist was found only when the report was
// written, after every input was read. It is refused first, naming the
// flag and the directory: with an input that does not exist, the error
// is -o's.
func TestRefusesOutputInMissingDir(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none")
	out := filepath.Join(missing, "report.md")
	err := run([]string{"-o", out, "a=" + filepath.Join(t.TempDir(), "absent.txt")}, nil)
	if want := "-o " + out + ": its directory " + missing + " does not exist"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("-o in a missing directory: %v, want an error starting %q", err, want)
	}
}

// TestRefusesOutputOfAnotherFormat: -o report.svg wrote the markdown
// report under an SVG image's name, which viewers and scripts take at its
// word. A name whose extension is another format's is refused, as
// gradbench's own outputs are (suite.CheckFormat), before any input is
// read: with an input that does not exist, the error is -o's.
func TestRefusesOutputOfAnotherFormat(t *testing.T) {
	dir := t.TempDir()
	for _, ext := range []string{".svg", ".png", ".json", ".txt"} {
		out := filepath.Join(dir, "report"+ext)
		err := run([]string{"-o", out, "a=" + filepath.Join(dir, "absent.txt")}, nil)
		if want := "-o " + out + ": " + ext + " names "; err == nil || !strings.HasPrefix(err.Error(), want) ||
			!strings.HasSuffix(err.Error(), ", and -o writes a Markdown document: name the file "+filepath.Join(dir, "report.md")) {
			t.Errorf("-o %s: %v, want an error starting %q that names the report a Markdown document and report.md", out, err, want)
		}
	}
}

// TestOutputDashSaysLeaveItOut: -o - is refused (a file named -, not the
// standard output), but the refusal did not say that leaving -o out
// writes the report to the standard output, which is what -o - meant.
func TestOutputDashSaysLeaveItOut(t *testing.T) {
	in := filepath.Join(t.TempDir(), "in.txt")
	if err := os.WriteFile(in, []byte(fast), 0o644); err != nil {
		t.Fatal(err)
	}
	err := run([]string{"-o", "-", "a=" + in}, nil)
	if want := "leave -o out to write to the standard output"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("-o -: %v, want an error saying %q", err, want)
	}
}
