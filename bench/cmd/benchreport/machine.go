package main

import (
	"fmt"
	"runtime"
	"slices"
	"strings"

	"github.com/gradbench/gradbench/internal/cpuinfo"
)

// machineOf returns the machine that an input's lines name and the key of
// those lines: its machine: line, the most specific (results/lib.sh's
// record_head writes the model with its family and model numbers and the
// core count: "Intel(R) Xeon(R) Processor (family 6, model 207), 2
// cores"), else its cpu: line (go test's, the model name alone). n is the
// number of different machines the lines name (a file joined from runs on
// two machines names both, joined by " and "); 0 when the input has
// neither line.
func machineOf(in *input) (machine, key string, n int) {
	for _, k := range []string{"machine", "cpu"} {
		if v := in.machines[k]; len(v) > 0 {
			return strings.Join(v, " and "), k, len(v)
		}
	}
	return "", "", 0
}

// machineLine returns what the report's Machine line says after
// "Machine: ": the machine the inputs name, not the one writing the
// report (which may be another: a report is regenerated from its
// committed inputs anywhere). When the inputs do not all name the same
// one, each input's is listed; only when none names any is the machine
// writing the report given, and said to be that.
func (r *report) machineLine() string {
	named, same := false, true
	m0, k0, _ := machineOf(r.inputs[0])
	for _, in := range r.inputs {
		m, k, n := machineOf(in)
		named = named || n > 0
		same = same && n == 1 && m == m0 && k == k0
	}
	switch {
	case !named:
		model := cpuinfo.Model()
		if model == "" {
			model = "a CPU the system does not name"
		}
		return fmt.Sprintf("%s, %d cores (runtime.NumCPU), the machine that wrote this report, not necessarily the one that ran the benchmarks: no input names one (no machine: or cpu: line)", model, runtime.NumCPU())
	case same:
		whose := "the input's"
		if len(r.inputs) > 1 {
			whose = "every input's"
		}
		if k0 == "cpu" {
			return fmt.Sprintf("%s (%s cpu: line, which gives no core count)", m0, whose)
		}
		return fmt.Sprintf("%s (%s machine: line)", m0, whose)
	}
	return "the inputs name different machines, each listed: " + r.perInput(func(in *input) string {
		m, k, n := machineOf(in)
		switch {
		case n == 0:
			return "none (no machine: or cpu: line)"
		case n > 1:
			return fmt.Sprintf("%s (its %s: lines)", m, k)
		}
		return fmt.Sprintf("%s (its %s: line)", m, k)
	})
}

// goLine returns the Go version the inputs' go: lines name, each input's
// when they differ, or the report generator's when none has one.
func (r *report) goLine() string {
	var versions []string
	for _, in := range r.inputs {
		if v := strings.TrimSpace(in.config["go"]); v != "" && !slices.Contains(versions, v) {
			versions = append(versions, v)
		}
	}
	switch len(versions) {
	case 0:
		return runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + " (the report generator's)"
	case 1:
		return versions[0]
	}
	return "the inputs name different Go versions, each listed: " + r.perInput(func(in *input) string {
		if v := strings.TrimSpace(in.config["go"]); v != "" {
			return v
		}
		return "none (no go: line)"
	})
}

// perInput lists what f says of each input: "**a**: X; **b**: Y" (a
// machine: line has commas of its own).
func (r *report) perInput(f func(*input) string) string {
	var parts []string
	for _, in := range r.inputs {
		parts = append(parts, fmt.Sprintf("**%s**: %s", in.label, f(in)))
	}
	return strings.Join(parts, "; ")
}
