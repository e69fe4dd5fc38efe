package main

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"

	"github.com/gradbench/gradbench/internal/cli"
)

// An input is one labelled file of benchmark results.
type input struct {
	label, path string
	config      map[string]string   // file configuration: command, build, cpu, ... (the last value of each key; command, build, go and commit have one, see oneValue)
	machines    map[string][]string // every value of the keys machine and cpu, in the order first seen (see machineOf)
	bench       map[string]*bench   // by name without the GOMAXPROCS suffix
}

// A bench is every run of one benchmark in one input.
type bench struct {
	name    string            // BenchmarkBackward/est=ste/n=1048576/impl=fast
	base    string            // Backward
	keys    map[string]string // est=ste, n=1048576, ...
	result  *benchfmt.Result  // the first result, for filters
	secs    []float64         // sec/op of each run
	bps     []float64         // B/s of each run, if reported
	bytes   float64           // b.SetBytes of the first run (B/s times sec/op)
	full    string            // the first run's full name, with its GOMAXPROCS and ignored keys
	line    int               // the first run's line
	config  map[string]string // the first run's values of the keys of sameConfig
	bpsUnit string            // the unit its bandwidth is written in (MB/s), if any
}

// oneValue are the configuration keys of which the report names one value
// per input (its command, build, Go version and commit): a file in which
// one changes (two files joined) is refused, as the report would name the
// last value for runs of both.
var oneValue = []string{"command", "build", "go", "commit"}

// sameConfig are the configuration keys that tell apart benchmarks of one
// name, as benchstat's tables do: runs of one benchmark under two values
// of one are refused, as benchreport would pool them into one sample.
var sameConfig = []string{"pkg", "goos", "goarch"}

// A report is what the command writes: its settings and the inputs read.
type report struct {
	title, elements, reference string
	args                       []string
	inputs                     []*input
	names                      []string        // every benchmark name, in first-seen order
	ignore                     map[string]bool // name keys not part of a benchmark's identity
	paired                     bool            // ratios run by run (-paired)
	seen                       map[string]bool // the members of names
}

func (r *report) read(args []string) error {
	r.seen = map[string]bool{}
	labels := cli.Labels{Path: "file", Item: "input"}
	for _, a := range args {
		label, path, err := labels.Cut(a)
		if err != nil {
			return err
		}
		in := &input{label: label, path: path, config: map[string]string{}, machines: map[string][]string{}, bench: map[string]*bench{}}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		err = r.readInput(in, f)
		f.Close()
		if err != nil {
			return err
		}
		if len(in.bench) == 0 {
			return fmt.Errorf("%s: no benchmark results", path)
		}
		r.inputs = append(r.inputs, in)
	}
	return nil
}

// readInput reads the results of in from f, refusing a line benchfmt
// cannot read, and what would pool runs that benchstat keeps apart, or
// report a time or bandwidth some runs do not have (see pooled).
func (r *report) readInput(in *input, f io.Reader) error {
	path := in.path
	oneAt := map[string]int{} // line of the first result under each oneValue key
	rd := benchfmt.NewReader(bufio.NewReader(f), path)
	for rd.Scan() {
		var res *benchfmt.Result
		switch rec := rd.Result().(type) {
		case *benchfmt.Result:
			res = rec
		case *benchfmt.SyntaxError:
			// A benchmark line benchfmt cannot read (cut short by an
			// interrupted run, say): skipped, its run would be missing
			// from the medians without a word; benchstat names it.
			return fmt.Errorf("%v: want the lines of go test -bench output", rec)
		default:
			continue // unit metadata
		}
		_, line := res.Pos()
		for _, c := range res.Config {
			if !c.File {
				continue
			}
			if old, ok := in.config[c.Key]; ok && old != string(c.Value) && slices.Contains(oneValue, c.Key) {
				return fmt.Errorf("%s:%d: %s: %q, and at line %d %q: the report names one %s: per input, and would pool runs of both; give each its own input",
					path, line, c.Key, c.Value, oneAt[c.Key], old, c.Key)
			}
			if _, ok := oneAt[c.Key]; !ok {
				oneAt[c.Key] = line
			}
			in.config[c.Key] = string(c.Value)
			if c.Key == "machine" || c.Key == "cpu" {
				// go test pads its cpu: line with spaces.
				v := strings.TrimSpace(string(c.Value))
				if v != "" && !slices.Contains(in.machines[c.Key], v) {
					in.machines[c.Key] = append(in.machines[c.Key], v)
				}
			}
		}
		base, parts := res.Name.Parts()
		b := &bench{base: string(base), keys: map[string]string{}, full: "Benchmark" + string(res.Name.Full()), line: line, config: map[string]string{}}
		for _, k := range sameConfig {
			b.config[k] = res.GetConfig(k)
		}
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
		if res.Iters < 1 {
			return fmt.Errorf("%s:%d: %s: %d iterations: want at least 1, as go test writes", path, line, b.full, res.Iters)
		}
		var secs, bps []float64
		for _, v := range res.Values {
			if err := checkValue(v); err != "" {
				return fmt.Errorf("%s:%d: %s: %s", path, line, b.full, err)
			}
			switch v.Unit {
			case "sec/op":
				secs = append(secs, v.Value)
			case "B/s":
				bps = append(bps, v.Value)
				b.bpsUnit = cmp.Or(v.OrigUnit, v.Unit)
			}
		}
		if len(secs) == 0 {
			// Its median would be NaN, written as a time.
			return fmt.Errorf("%s:%d: %s reports no time (ns/op): want go test -bench lines, which always do", path, line, b.full)
		}
		if old := in.bench[name]; old != nil {
			if err := pooled(path, old, b, len(bps) > 0, r.ignore); err != nil {
				return err
			}
			b = old
		} else {
			b.name, b.result = name, res.Clone()
			in.bench[name] = b
			if !r.seen[name] {
				r.seen[name] = true
				r.names = append(r.names, name)
			}
		}
		b.secs = append(b.secs, secs...)
		b.bps = append(b.bps, bps...)
		if b.bytes == 0 && len(bps) > 0 {
			b.bytes = math.Round(secs[0] * bps[0])
		}
	}
	return rd.Err()
}

// checkValue returns why v, a value of a benchmark line, is no result go
// test writes, or "": a time (ns/op) that is not a number > 0, or a
// bandwidth (MB/s) that is not a number >= 0. A NaN time was reported as
// "NaNns", and a time of 0 or below as a time, which passes any "<"
// target, ratio or time per element; a negative bandwidth as one.
func checkValue(v benchfmt.Value) string {
	// benchfmt scales ns/op to sec/op and MB/s to B/s, but for a value it
	// cannot scale (0, ±Inf), which it leaves in the unit written.
	written, unit := v.OrigValue, v.OrigUnit
	if unit == "" {
		written, unit = v.Value, v.Unit
	}
	show := strconv.FormatFloat(written, 'g', -1, 64) + " " + unit
	switch v.Unit {
	case "sec/op", "ns/op":
		if !(v.Value > 0) || math.IsInf(v.Value, 0) {
			return show + ": want a time > 0, as go test writes"
		}
	case "B/s", "MB/s":
		if !(v.Value >= 0) || math.IsInf(v.Value, 0) {
			return show + ": want a bandwidth >= 0, as go test writes"
		}
	}
	return ""
}

// pooled returns an error when the run b of an input (at path) is not
// one more run of the benchmark old, whose runs it would join under one
// name: when their full names differ (in GOMAXPROCS, or in a key of
// ignore), when they ran under different values of a key of sameConfig,
// or when only one of them reports a bandwidth (hasBps says whether b
// does). benchstat keeps the first two apart; the third would
// set a median bandwidth of some runs beside a median time of all.
func pooled(path string, old, b *bench, hasBps bool, ignore map[string]bool) error {
	bpsUnit := cmp.Or(b.bpsUnit, old.bpsUnit)
	at := fmt.Sprintf("%s:%d", path, b.line)
	if b.full != old.full {
		var why string
		_, bp := benchfmt.Name(strings.TrimPrefix(b.full, "Benchmark")).Parts()
		_, op := benchfmt.Name(strings.TrimPrefix(old.full, "Benchmark")).Parts()
		if procs(bp) != procs(op) && samePartsBut(bp, op) {
			why = "differ only in GOMAXPROCS (go test -cpu), and would be pooled into one sample; give each GOMAXPROCS its own input"
		} else {
			var keys []string
			for k := range ignore {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			why = fmt.Sprintf("are both %s with -ignore %q, and would be pooled into one sample; -ignore is for keys that differ between inputs, not within one", old.name, strings.Join(keys, ","))
		}
		return fmt.Errorf("%s: %s and %s (line %d) %s", at, b.full, old.full, old.line, why)
	}
	for _, k := range sameConfig {
		if b.config[k] != old.config[k] {
			return fmt.Errorf("%s: %s has %s: %q, and at line %d %q: benchstat keeps these apart, and benchreport would pool them into one sample; give each its own input",
				at, b.full, k, b.config[k], old.line, old.config[k])
		}
	}
	if hadBps := len(old.bps) > 0; hasBps != hadBps {
		if hasBps {
			return fmt.Errorf("%s: %s reports %s, and at line %d it did not: want every run of a benchmark to report its bytes (b.SetBytes) or none", at, b.full, bpsUnit, old.line)
		}
		return fmt.Errorf("%s: %s reports no %s, and at line %d it did: want every run of a benchmark to report its bytes (b.SetBytes) or none", at, b.full, bpsUnit, old.line)
	}
	return nil
}

// procs returns the GOMAXPROCS part of a name's parts ("-4"), or "".
func procs(parts [][]byte) string {
	if n := len(parts); n > 0 && parts[n-1][0] == '-' {
		return string(parts[n-1])
	}
	return ""
}

// samePartsBut reports whether two names' parts are the same but for
// their GOMAXPROCS.
func samePartsBut(a, b [][]byte) bool {
	trim := func(p [][]byte) [][]byte {
		if procs(p) != "" {
			return p[:len(p)-1]
		}
		return p
	}
	return slices.EqualFunc(trim(a), trim(b), func(x, y []byte) bool { return string(x) == string(y) })
}

// hasKey reports whether a benchmark of some input has the name key k
// (its name holds /k=value).
func (r *report) hasKey(k string) bool {
	for _, in := range r.inputs {
		for _, b := range in.bench {
			if _, ok := b.keys[k]; ok {
				return true
			}
		}
	}
	return false
}

// hasBase reports whether a benchmark of the inputs has the base name
// base (Copy for BenchmarkCopy/n=4096/bytes=8).
func (r *report) hasBase(base string) bool {
	for _, in := range r.inputs {
		for _, b := range in.bench {
			if b.base == base {
				return true
			}
		}
	}
	return false
}
