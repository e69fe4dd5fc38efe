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
// simd=results/kernels-simd.txt). Configuration lines in a file (key:
// value, as go test prints goos, cpu and pkg) are read too: "command" is
// printed as the command that produced the file and "build" as its build
// (for example GOEXPERIMENT=simd).
//
// With -ignore gemm, the gemm=<build> part of a name is left out when the
// same benchmark is matched across inputs, so that builds compare side by side.
//
// Benchmark names are expected to use key=value parts
// (BenchmarkBackward/est=ste/n=1048576/impl=fast). The -elements key gives
// the element count used for ns/elem and GB/s; the -reference benchmark
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
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"
	"golang.org/x/perf/benchproc"

	"github.com/gradbench/gradbench/internal/atomicfile"
	"github.com/gradbench/gradbench/internal/cpuinfo"
	"github.com/gradbench/gradbench/internal/mdtable"
)

type targetList []string

func (t *targetList) String() string     { return strings.Join(*t, "; ") }
func (t *targetList) Set(s string) error { *t = append(*t, s); return nil }

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "benchreport:", err)
		}
		os.Exit(1)
	}
}

// run is the whole command: it parses args and writes the report to -o or
// to stdout.
func run(args []string, stdout io.Writer) error {
	var targets targetList
	fs := flag.NewFlagSet("benchreport", flag.ContinueOnError)
	out := fs.String("o", "", "write the report to this file (atomically) instead of standard output")
	title := fs.String("title", "Benchmarks", "report title")
	elements := fs.String("elements", "n", "name key holding the number of elements of a benchmark")
	reference := fs.String("reference", "Copy", "base name of the bandwidth reference benchmark")
	ignore := fs.String("ignore", "", "comma-separated name keys left out when matching benchmarks across inputs (such as gemm, which names each input's build)")
	fs.Var(&targets, "target", "a target to check, 'FILTER: METRIC OP BOUND' or 'FILTER :: FILTER: ratio OP BOUND' (repeatable)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: benchreport [flags] label=file ...\n\nRun `go doc ./bench/cmd/benchreport` for the report it writes.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("no inputs: want label=file arguments (see -h)")
	}
	r := &report{title: *title, elements: *elements, reference: *reference, args: args, ignore: map[string]bool{}}
	for _, k := range strings.Split(*ignore, ",") {
		if k != "" {
			r.ignore[k] = true
		}
	}
	if err := r.read(fs.Args()); err != nil {
		return err
	}
	return r.write(*out, targets, stdout)
}

// An input is one labelled file of benchmark results.
type input struct {
	label, path string
	config      map[string]string // file configuration: command, build, cpu, ...
	bench       map[string]*bench // by name without the GOMAXPROCS suffix
}

// A bench is every run of one benchmark in one input.
type bench struct {
	name   string            // BenchmarkBackward/est=ste/n=1048576/impl=fast
	base   string            // Backward
	keys   map[string]string // est=ste, n=1048576, ...
	result *benchfmt.Result  // the first result, for filters
	secs   []float64         // sec/op of each run
	bps    []float64         // B/s of each run, if reported
	bytes  float64           // b.SetBytes of the first run (B/s times sec/op)
}

type report struct {
	title, elements, reference string
	args                       []string
	inputs                     []*input
	names                      []string        // every benchmark name, in first-seen order
	ignore                     map[string]bool // name keys not part of a benchmark's identity
}

func (r *report) read(args []string) error {
	seen := map[string]bool{}
	for _, a := range args {
		label, path, ok := strings.Cut(a, "=")
		if !ok || label == "" || path == "" {
			return fmt.Errorf("argument %q: want label=file", a)
		}
		in := &input{label: label, path: path, config: map[string]string{}, bench: map[string]*bench{}}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		rd := benchfmt.NewReader(bufio.NewReader(f), path)
		for rd.Scan() {
			res, ok := rd.Result().(*benchfmt.Result)
			if !ok {
				continue
			}
			for _, c := range res.Config {
				if c.File {
					in.config[c.Key] = string(c.Value)
				}
			}
			base, parts := res.Name.Parts()
			b := &bench{base: string(base), keys: map[string]string{}}
			name := "Benchmark" + string(base)
			for _, p := range parts {
				if p[0] == '-' { // GOMAXPROCS
					continue
				}
				k, v, _ := strings.Cut(string(p[1:]), "=")
				b.keys[k] = v
				if !r.ignore[k] {
					name += string(p)
				}
			}
			if old := in.bench[name]; old != nil {
				b = old
			} else {
				b.name, b.result = name, res.Clone()
				in.bench[name] = b
				if !seen[name] {
					seen[name] = true
					r.names = append(r.names, name)
				}
			}
			var secs, bps float64
			for _, v := range res.Values {
				switch v.Unit {
				case "sec/op":
					secs = v.Value
					b.secs = append(b.secs, v.Value)
				case "B/s":
					bps = v.Value
					b.bps = append(b.bps, v.Value)
				}
			}
			if b.bytes == 0 {
				b.bytes = math.Round(secs * bps)
			}
		}
		f.Close()
		if err := rd.Err(); err != nil {
			return err
		}
		if len(in.bench) == 0 {
			return fmt.Errorf("%s: no benchmark results", path)
		}
		r.inputs = append(r.inputs, in)
	}
	return nil
}

var thresholds = benchmath.DefaultThresholds

// summary summarizes xs (a copy: NewSample sorts its argument).
func summary(xs []float64) benchmath.Summary {
	return benchmath.AssumeNothing.Summary(benchmath.NewSample(slices.Clone(xs), &thresholds), 0.95)
}

func median(xs []float64) float64 { return summary(xs).Center }

// n returns the element count of b, or 0.
func (r *report) n(b *bench) float64 {
	v, _ := strconv.ParseFloat(b.keys[r.elements], 64)
	return v
}

// metric returns the median of b's metric: ns/elem, ns/op or GB/s.
func (r *report) metric(b *bench, m string) (float64, error) {
	switch m {
	case "ns/op":
		return median(b.secs) * 1e9, nil
	case "ns/elem":
		n := r.n(b)
		if n == 0 {
			return 0, fmt.Errorf("%s has no %s= element count", b.name, r.elements)
		}
		return median(b.secs) * 1e9 / n, nil
	case "GB/s":
		if len(b.bps) == 0 {
			return 0, fmt.Errorf("%s reports no bytes (b.SetBytes)", b.name)
		}
		return median(b.bps) / 1e9, nil
	}
	return 0, fmt.Errorf("unknown metric %q (have ns/elem, ns/op, GB/s)", m)
}

func (r *report) write(out string, targets []string, stdout io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", r.title)
	fmt.Fprintf(&b, "Generated by `go run ./bench/cmd/benchreport %s`; do not edit.\n\n", quoteArgs(r.args))
	r.writeMachine(&b)
	if len(targets) > 0 {
		if err := r.writeTargets(&b, targets); err != nil {
			return err
		}
	}
	if err := r.writePerElement(&b); err != nil {
		return err
	}
	if err := r.writeSummary(&b); err != nil {
		return err
	}
	if out == "" {
		_, err := io.WriteString(stdout, b.String())
		return err
	}
	return atomicfile.WriteFile(out, []byte(b.String()), 0o644)
}

func quoteArgs(args []string) string {
	var q []string
	for _, a := range args {
		if strings.ContainsAny(a, " '\"()*|<>:") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		q = append(q, a)
	}
	return strings.Join(q, " ")
}

func (r *report) writeMachine(b *strings.Builder) {
	model := cpuinfo.Model()
	if model == "" {
		model = r.inputs[0].config["cpu"]
	}
	goVersion := r.inputs[0].config["go"]
	if goVersion == "" {
		goVersion = runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + " (the report generator's)"
	}
	fmt.Fprintf(b, "Machine: %s, %d cores (runtime.NumCPU), %s.\n\n", model, runtime.NumCPU(), goVersion)
	fmt.Fprintf(b, "Inputs:\n\n")
	for _, in := range r.inputs {
		build := in.config["build"]
		if build == "" {
			build = "default"
		}
		fmt.Fprintf(b, "- **%s**: `%s`, build %s", in.label, in.path, build)
		if c := in.config["command"]; c != "" {
			fmt.Fprintf(b, ", made by\n\n  ```sh\n  %s\n  ```\n", c)
		} else {
			fmt.Fprintf(b, " (no command: line in the file)\n")
		}
	}
	b.WriteString("\n")
}

// match returns the benchmarks of in that filter keeps, in name order.
func match(in *input, f *benchproc.Filter, names []string) []*bench {
	var out []*bench
	for _, name := range names {
		b := in.bench[name]
		if b == nil {
			continue
		}
		m, err := f.Match(b.result)
		if err == nil && m.Any() {
			out = append(out, b)
		}
	}
	return out
}

var ops = map[string]func(a, b float64) bool{
	"<": func(a, b float64) bool { return a < b }, "<=": func(a, b float64) bool { return a <= b },
	">": func(a, b float64) bool { return a > b }, ">=": func(a, b float64) bool { return a >= b },
}

// parseCheck parses "METRIC OP BOUND".
func parseCheck(s string) (metric, op string, bound float64, err error) {
	f := strings.Fields(s)
	if len(f) != 3 || ops[f[1]] == nil {
		return "", "", 0, fmt.Errorf("check %q: want METRIC OP BOUND, such as ns/elem < 0.5", s)
	}
	bound, err = strconv.ParseFloat(f[2], 64)
	if err != nil {
		return "", "", 0, fmt.Errorf("check %q: bad bound: %w", s, err)
	}
	return f[0], f[1], bound, nil
}

func (r *report) writeTargets(b *strings.Builder, targets []string) error {
	var rows [][]string
	for _, t := range targets {
		i := strings.LastIndex(t, ":")
		if i < 0 {
			return fmt.Errorf("target %q: want 'FILTER: METRIC OP BOUND'", t)
		}
		metric, op, bound, err := parseCheck(t[i+1:])
		if err != nil {
			return fmt.Errorf("target %q: %w", t, err)
		}
		fa, fb, ratio := strings.Cut(t[:i], "::")
		if ratio != (metric == "ratio") {
			return fmt.Errorf("target %q: a ratio needs two filters separated by ::, and two filters need the metric ratio", t)
		}
		filterA, err := benchproc.NewFilter(strings.TrimSpace(fa))
		if err != nil {
			return fmt.Errorf("target %q: %w", t, err)
		}
		var filterB *benchproc.Filter
		if ratio {
			if filterB, err = benchproc.NewFilter(strings.TrimSpace(fb)); err != nil {
				return fmt.Errorf("target %q: %w", t, err)
			}
		}
		for _, in := range r.inputs {
			as := match(in, filterA, r.names)
			if !ratio {
				if len(as) == 0 {
					rows = append(rows, []string{in.label, strings.TrimSpace(fa), "no benchmark matched", op + " " + fmtNum(bound), "FAIL"})
				}
				for _, a := range as {
					v, err := r.metric(a, metric)
					if err != nil {
						return fmt.Errorf("target %q: %w", t, err)
					}
					rows = append(rows, []string{in.label, a.name, fmtNum(v) + " " + metric, op + " " + fmtNum(bound), passFail(ops[op](v, bound))})
				}
				continue
			}
			bs := match(in, filterB, r.names)
			if len(as) != 1 || len(bs) != 1 {
				return fmt.Errorf("target %q: input %s: the filters match %d and %d benchmarks, want 1 each", t, in.label, len(as), len(bs))
			}
			v := median(as[0].secs) / median(bs[0].secs)
			rows = append(rows, []string{in.label, as[0].name + " ÷ " + bs[0].name, fmtNum(v) + "×", op + " " + fmtNum(bound), passFail(ops[op](v, bound))})
		}
	}
	b.WriteString("## Targets\n\nMedians of the runs; a target holds when the median meets the bound.\n\n")
	if err := mdtable.Write(b, 2, []string{"input", "benchmark", "median", "target", "result"}, rows); err != nil {
		return err
	}
	b.WriteString("\n")
	return nil
}

func passFail(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

func fmtNum(v float64) string {
	switch a := math.Abs(v); {
	case a == 0:
		return "0"
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case a >= 0.01:
		return strconv.FormatFloat(v, 'f', 3, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// writePerElement writes ns/elem and GB/s of every benchmark with an
// element count, per input, beside the reference benchmark moving the same
// bytes per element.
func (r *report) writePerElement(b *strings.Builder) error {
	header := []string{"benchmark"}
	for _, in := range r.inputs {
		header = append(header, in.label+" ns/elem", in.label+" GB/s", in.label+" "+r.reference+" ns/elem", in.label+" "+r.reference+" GB/s")
	}
	var rows [][]string
	for _, name := range r.names {
		row := []string{name}
		has := false
		for _, in := range r.inputs {
			bn := in.bench[name]
			if bn == nil || bn.base == r.reference || r.n(bn) == 0 {
				row = append(row, "", "", "", "")
				continue
			}
			has = true
			ns, _ := r.metric(bn, "ns/elem")
			gbs := ""
			if g, err := r.metric(bn, "GB/s"); err == nil {
				gbs = fmtNum(g)
			}
			row = append(row, fmtNum(ns), gbs)
			if ref := r.referenceFor(in, bn); ref != nil {
				rns, _ := r.metric(ref, "ns/elem")
				rg, _ := r.metric(ref, "GB/s")
				row = append(row, fmtNum(rns), fmtNum(rg))
			} else {
				row = append(row, "", "")
			}
		}
		if has {
			rows = append(rows, row)
		}
	}
	if len(rows) == 0 {
		return nil
	}
	fmt.Fprintf(b, "## Per element\n\nMedian time per element (ns/elem) and bandwidth (GB/s, from b.SetBytes), beside the %s benchmark that moves the same bytes per element at the same size.\n\n", r.reference)
	if err := mdtable.Write(b, 1, header, rows); err != nil {
		return err
	}
	b.WriteString("\n")
	return nil
}

// referenceFor returns the reference benchmark of in with bn's element
// count and bytes per element.
func (r *report) referenceFor(in *input, bn *bench) *bench {
	if bn.bytes == 0 {
		return nil
	}
	per := math.Round(bn.bytes / r.n(bn))
	for _, name := range r.names {
		ref := in.bench[name]
		if ref != nil && ref.base == r.reference && ref.keys[r.elements] == bn.keys[r.elements] && ref.keys["bytes"] == strconv.Itoa(int(per)) {
			return ref
		}
	}
	return nil
}

// writeSummary writes the benchstat-style table of sec/op.
func (r *report) writeSummary(b *strings.Builder) error {
	header := []string{"benchmark"}
	for i, in := range r.inputs {
		header = append(header, in.label+" sec/op")
		if i > 0 {
			header = append(header, "vs "+r.inputs[0].label)
		}
	}
	var rows [][]string
	var warn []string
	for _, name := range r.names {
		row := []string{name}
		var base *benchmath.Sample
		for i, in := range r.inputs {
			bn := in.bench[name]
			if bn == nil {
				row = append(row, "")
				if i > 0 {
					row = append(row, "")
				}
				continue
			}
			s := benchmath.NewSample(slices.Clone(bn.secs), &thresholds)
			sum := benchmath.AssumeNothing.Summary(s, 0.95)
			row = append(row, fmtSecs(sum.Center)+" "+sum.PctRangeString()+fmt.Sprintf(" (n=%d)", len(bn.secs)))
			for _, w := range sum.Warnings {
				warn = append(warn, fmt.Sprintf("%s (%s): %v", name, in.label, w))
			}
			if i == 0 {
				base = s
				continue
			}
			if base == nil {
				row = append(row, "")
				continue
			}
			c := benchmath.AssumeNothing.Compare(base, s)
			row = append(row, c.FormatDelta(median(base.Values), sum.Center)+" "+c.String())
		}
		rows = append(rows, row)
	}
	b.WriteString("## Summary\n\nbenchstat style: median ± the 95% confidence interval of the runs (n), and the change against the first input with its p-value (Mann-Whitney U; ~ means no significant difference).\n\n")
	if err := mdtable.Write(b, 1, header, rows); err != nil {
		return err
	}
	if len(warn) > 0 {
		slices.Sort(warn)
		b.WriteString("\nWarnings:\n\n")
		for _, w := range warn {
			fmt.Fprintf(b, "- %s\n", w)
		}
	}
	return nil
}

func fmtSecs(s float64) string {
	switch {
	case s >= 1:
		return fmtNum(s) + "s"
	case s >= 1e-3:
		return fmtNum(s*1e3) + "ms"
	case s >= 1e-6:
		return fmtNum(s*1e6) + "µs"
	}
	return fmtNum(s*1e9) + "ns"
}
