package main

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"

	"golang.org/x/perf/benchfmt"

	"github.com/gradbench/gradbench/internal/cli"
)

// An input is one labelled file of benchmark results.
type input struct {
	label, path string
	config      map[string]string   // file configuration: command, build, cpu, ... (the last value of each key)
	machines    map[string][]string // every value of the keys machine and cpu, in the order first seen (see machineOf)
	bench       map[string]*bench   // by name without the GOMAXPROCS suffix
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

// A report is what the command writes: its settings and the inputs read.
type report struct {
	title, elements, reference string
	args                       []string
	inputs                     []*input
	names                      []string        // every benchmark name, in first-seen order
	ignore                     map[string]bool // name keys not part of a benchmark's identity
	paired                     bool            // ratios run by run (-paired)
}

func (r *report) read(args []string) error {
	seen := map[string]bool{}
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
		rd := benchfmt.NewReader(bufio.NewReader(f), path)
		for rd.Scan() {
			res, ok := rd.Result().(*benchfmt.Result)
			if !ok {
				continue
			}
			for _, c := range res.Config {
				if !c.File {
					continue
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
