// Command benchreport turns raw `go test -bench` output into a markdown
// report: the machine and the exact commands at the top, a table of the
// targets with PASS/FAIL, a table of time and bandwidth per element next to
// a bandwidth reference (a copy of the same bytes), and a benchstat-style
// summary of every benchmark (median ± 95% confidence interval, and the
// change against the first input with its p-value). It is what makes
// results/kernels.md; other benchmark reports can reuse it.
//
// Usage:
//
//	go run ./bench/cmd/benchreport [flags] label=file ...
//
// Each input is a file of Go benchmark format, usually from -count=10,
// with a label for its column (such as default=results/kernels.txt
// avx2=results/kernels-avx2.txt). Configuration lines in a file (key:
// value, as go test prints goos, cpu and pkg) are read too: "command" is
// printed as the command that produced the file, "build" as its build
// (for example "default, AVX2 estimator kernels"), and "commit" and
// "load-before", where the file has them (as results/lib.sh's records
// do), as the commit measured and the load before the runs. The Machine
// line names the inputs name, by their "machine" line (as results/lib.sh's record_head
// writes it, with the CPU's family, model and cores) or else their "cpu"
// line, each input's when they differ, and their "go" version: a report
// made again from its inputs on another machine still names the one that
// ran the benchmarks. Only when no input names a machine is the one
// writing the report given, and said to be that.
//
// With -ignore gemm, the gemm=<build> part of a name is left out when the
// same benchmark is matched across inputs, so that builds compare side by side.
//
// The runs of one benchmark in an input are one sample. Runs that
// benchstat would keep apart are refused rather than pooled into it: two
// benchmarks of an input that differ only in GOMAXPROCS (go test -cpu 2,4)
// or in an -ignore key, or one benchmark run under two pkg, goos or goarch
// lines; so is an input whose command, build, go or commit line changes
// (two files joined, which the report would name by the last), a result without
// ns/op, a benchmark that reports MB/s in some runs only, and a benchmark
// line that does not parse or that go test would not write (a time of
// NaN, ±Inf, 0 or below, a negative bandwidth, 0 iterations).
//
// Benchmark names are expected to use key=value parts
// (BenchmarkBackward/est=ste/n=1048576/impl=fast). The -elements key gives
// the element count used for ns/elem and GB/s (a whole number of at least
// 1 wherever a name has the key; any other value is refused); the -reference benchmark
// (one with keys n and bytes, bytes being the bytes per element) is shown
// beside each row with the same element count and bytes per element.
//
// Targets are checked with -target, repeatable:
//
//	-target 'FILTER: METRIC OP BOUND'
//	-target 'FILTER :: FILTER: ratio OP BOUND'
//
// FILTER is a golang.org/x/perf/benchproc filter (go doc
// golang.org/x/perf/benchproc/syntax), such as
// '.name:Backward /impl:fast /n:1048576 /est:(ste OR approxsign)'; METRIC
// is ns/elem, ns/op or GB/s; OP is <, <=, > or >=. Each matching benchmark
// of each input is one PASS/FAIL row. The second form compares the medians
// of two benchmarks (the first over the second), each filter matching one
// benchmark per input: '... /est:"fda:n=18" :: ... /est:"fda:n=1": ratio <= 1.2'.
//
// With -paired, the runs of an input were taken in alternation, the i-th
// run of every benchmark in the same window (as results/peer.sh does with
// gradbench and PyTorch): a ratio is then taken run by run, and its target
// checks the median of those ratios, shown with their range. The two
// benchmarks of a ratio must have the same number of runs, and -paired
// needs a ratio target.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/gradbench/gradbench/internal/cli"
	"github.com/gradbench/gradbench/suite"
)

type targetList []string

func (t *targetList) String() string     { return strings.Join(*t, "; ") }
func (t *targetList) Set(s string) error { *t = append(*t, s); return nil }

// Repeatable lets -target be given once per target (cli.Parse refuses
// other flags given twice).
func (t *targetList) Repeatable() {}

func main() {
	cli.Main("benchreport", func() error { return run(os.Args[1:], os.Stdout) })
}

// run is the whole command: it parses args and writes the report to -o or
// to stdout.
func run(args []string, stdout io.Writer) error {
	var targets targetList
	fs := cli.FlagSet("benchreport", "benchreport [flags] label=file ...", "./bench/cmd/benchreport", "the report it writes")
	out := fs.String("o", "", "write the report to this `file` (atomically) instead of standard output; name.md, or a name without an extension: another format's, such as .svg or .txt, is refused")
	title := fs.String("title", "Benchmarks", "report title")
	elements := fs.String("elements", "n", "name key holding the number of elements of a benchmark, for the per-element table; none for no such table")
	reference := fs.String("reference", "Copy", "base name of the bandwidth reference benchmark of the per-element table")
	paired := fs.Bool("paired", false, "runs alternated between benchmarks: take ratios run by run (median and range of the ratios)")
	ignore := fs.String("ignore", "", "comma-separated name keys left out when matching benchmarks across inputs (such as gemm, which names each input's build); each must be in some benchmark's name")
	fs.Var(&targets, "target", "a target to check, 'FILTER: METRIC OP BOUND' or 'FILTER :: FILTER: ratio OP BOUND' (repeatable)")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("no inputs: want label=file arguments (see -h)")
	}
	// The title is the report's heading line: a second line would be a
	// heading or paragraph of its own.
	if strings.ContainsAny(*title, "\r\n") {
		return fmt.Errorf("-title %q: a title is one line, want no line break", *title)
	}
	// -paired changes how a ratio is taken, and nothing else: without a
	// ratio target it would be ignored, the report's command line saying
	// its runs were paired.
	if *paired && !slices.ContainsFunc(targets, func(t string) bool { return strings.Contains(t, "::") }) {
		return errors.New("-paired without a ratio target ('FILTER :: FILTER: ratio OP BOUND'): it takes ratios run by run, and there are none; give a ratio target or drop -paired")
	}
	// An -o that is one of the inputs would replace the benchmarks the
	// report was made from with the report: refuse it before reading.
	if err := checkOutput(*out, fs.Args(), cli.Labels{Path: "file", Item: "input"}); err != nil {
		return err
	}
	r := &report{title: *title, elements: *elements, reference: *reference, args: args, ignore: map[string]bool{}, paired: *paired}
	if *ignore != "" {
		for _, k := range strings.Split(*ignore, ",") {
			if k == "" || strings.TrimSpace(k) != k {
				return fmt.Errorf("-ignore %q: key %q: want comma-separated name keys without spaces, such as gemm,n", *ignore, k)
			}
			if r.ignore[k] {
				return fmt.Errorf("-ignore %q: key %q is given twice", *ignore, k)
			}
			r.ignore[k] = true
		}
	}
	if err := r.read(fs.Args()); err != nil {
		return err
	}
	// A key no benchmark has (a typo) would leave the rows it was to
	// merge apart without a word.
	for _, k := range strings.Split(*ignore, ",") {
		if k != "" && !r.hasKey(k) {
			return fmt.Errorf("-ignore %q: no benchmark of the inputs has the name key %q", *ignore, k)
		}
	}
	// Likewise an -elements key or a -reference given that no benchmark
	// has: the per-element table, or its reference columns, would be left
	// out without a word.
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	switch {
	case given["elements"] && *elements != "none" && !r.hasKey(*elements):
		return fmt.Errorf("-elements %q: no benchmark of the inputs has the name key %q (-elements none leaves the per-element table out)", *elements, *elements)
	case given["reference"] && *elements == "none":
		return fmt.Errorf("-reference %q with -elements none: there is no per-element table to set it beside", *reference)
	case given["reference"] && !r.hasBase(*reference):
		return fmt.Errorf("-reference %q: no benchmark of the inputs is Benchmark%s", *reference, *reference)
	}
	if *elements != "none" {
		if err := r.checkElements(); err != nil {
			return err
		}
	}
	return r.write(*out, targets, stdout)
}

// checkElements refuses an element count (the -elements key of a name)
// that is not a whole number of at least 1: one that does not parse was
// read as 0, which left the benchmark out of the per-element table
// without a word, and 1e400 as +Inf, which made its time per element 0
// and passed every ns/elem target.
func (r *report) checkElements() error {
	for _, in := range r.inputs {
		for _, name := range r.names {
			b := in.bench[name]
			if b == nil {
				continue
			}
			if v, ok := b.keys[r.elements]; ok {
				if n, err := strconv.ParseUint(v, 10, 64); err != nil || n == 0 {
					return fmt.Errorf("-elements %q: %s (input %s): %s=%s is no element count, want a whole number of at least 1 (-elements none leaves the per-element table out)",
						r.elements, b.name, in.label, r.elements, v)
				}
			}
		}
	}
	return nil
}

// checkOutput refuses an -o that names one of the label=file arguments
// (by any spelling, link or hard link), which the written report would
// replace, or a run's file (suite.CheckOutputsOrStdout). Arguments that are not
// label=file are left to the reading, which names them.
func checkOutput(out string, args []string, labels cli.Labels) error {
	var inputs []suite.NamedFile
	for _, a := range args {
		if label, path, err := labels.Cut(a); err == nil {
			inputs = append(inputs, suite.NamedFile{Flag: "input " + label + ":", Path: path})
		}
	}
	if err := suite.CheckOutputsOrStdout([]suite.NamedFile{{Flag: "-o", Path: out}}, inputs); err != nil {
		return err
	}
	// The report is markdown: a name that says another format (report.svg)
	// is refused, as gradbench's outputs are.
	return suite.CheckFormat("-o", out, suite.FormatMarkdown)
}
