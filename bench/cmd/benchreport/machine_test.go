package main

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/internal/cpuinfo"
)

// machineOfReport runs a report of the inputs (label=content, in order)
// and returns its Machine line.
func machineOfReport(t *testing.T, inputs ...string) string {
	t.Helper()
	dir := t.TempDir()
	var args []string
	for i, in := range inputs {
		label, content, _ := strings.Cut(in, "=")
		path := filepath.Join(dir, fmt.Sprintf("%d.txt", i))
		mustWrite(t, path, content)
		args = append(args, label+"="+path)
	}
	var out strings.Builder
	if err := run(append([]string{"-elements", "none"}, args...), &out); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(line, "Machine: ") {
			return line
		}
	}
	t.Fatalf("report has no Machine line:\n%s", out.String())
	return ""
}

// TestMachine: the Machine line names the machine the inputs' lines name,
// not the one writing the report. It was taken from the /proc/cpuinfo
// and core count of the machine that wrote the report, so that a report
// regenerated from its committed inputs on another machine named that
// one: results/peer.md, run on an Intel Xeon, said AMD EPYC.
func TestMachine(t *testing.T) {
	const bench = "BenchmarkConv/n=10-2 100 1000 ns/op\n"
	const xeon = "machine: Intel(R) Xeon(R) Processor (family 6, model 207), 2 cores\n"
	for _, tc := range []struct {
		name   string
		inputs []string
		want   string
	}{
		{"cpu line, padded as go test pads it",
			[]string{"a=cpu: Input CPU             \ngo: go1.99 plan9/mips\n" + bench},
			"Machine: Input CPU (the input's cpu: line, which gives no core count). Go: go1.99 plan9/mips."},
		{"machine line before cpu line",
			[]string{"a=" + xeon + "cpu: Intel(R) Xeon(R) Processor\n" + bench},
			"Machine: Intel(R) Xeon(R) Processor (family 6, model 207), 2 cores (the input's machine: line). Go: " + generatorGo + "."},
		{"machine line after cpu line",
			[]string{"a=cpu: Intel(R) Xeon(R) Processor\n" + xeon + bench},
			"Machine: Intel(R) Xeon(R) Processor (family 6, model 207), 2 cores (the input's machine: line). Go: " + generatorGo + "."},
		{"inputs agree",
			[]string{"a=" + xeon + bench, "b=" + xeon + bench},
			"Machine: Intel(R) Xeon(R) Processor (family 6, model 207), 2 cores (every input's machine: line). Go: " + generatorGo + "."},
		{"inputs disagree",
			[]string{"a=" + xeon + bench, "b=cpu: Intel(R) Xeon(R) Processor\n" + bench, "c=cpu: AMD EPYC\n" + bench},
			"Machine: the inputs name different machines, each listed: **a**: Intel(R) Xeon(R) Processor (family 6, model 207), 2 cores (its machine: line); **b**: Intel(R) Xeon(R) Processor (its cpu: line); **c**: AMD EPYC (its cpu: line). Go: " + generatorGo + "."},
		{"one input names none",
			[]string{"a=cpu: AMD EPYC\n" + bench, "b=" + bench},
			"Machine: the inputs name different machines, each listed: **a**: AMD EPYC (its cpu: line); **b**: none (no machine: or cpu: line). Go: " + generatorGo + "."},
		{"one input names two",
			[]string{"a=cpu: AMD EPYC\n" + bench + "cpu: Other CPU\n" + bench},
			"Machine: the inputs name different machines, each listed: **a**: AMD EPYC and Other CPU (its cpu: lines). Go: " + generatorGo + "."},
		{"Go versions disagree",
			[]string{"a=cpu: X\ngo: go1.98\n" + bench, "b=cpu: X\ngo: go1.99\n" + bench, "c=cpu: X\n" + bench},
			"Machine: X (every input's cpu: line, which gives no core count). Go: the inputs name different Go versions, each listed: **a**: go1.98; **b**: go1.99; **c**: none (no go: line)."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := machineOfReport(t, tc.inputs...); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

var generatorGo = runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + " (the report generator's)"

// TestMachineNoneNamed: only when no input names a machine is the one
// writing the report given, and the line says that it is that one.
func TestMachineNoneNamed(t *testing.T) {
	model := cpuinfo.Model()
	if model == "" {
		model = "a CPU the system does not name"
	}
	want := fmt.Sprintf("Machine: %s, %d cores (runtime.NumCPU), the machine that wrote this report, not necessarily the one that ran the benchmarks: no input names one (no machine: or cpu: line). Go: go1.99.",
		model, runtime.NumCPU())
	if got := machineOfReport(t, "a=go: go1.99\nBenchmarkConv-2 1 1 ns/op\n"); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestInputsNameCommitAndLoad: the records of results/kernels.sh and the
// other scripts whose reports benchreport writes name the commit
// measured and the machine's load before the runs, and the report named
// neither: which code a committed report timed, and on how busy a
// machine, was in its input files alone. Each input's entry names both
// when its file does.
func TestInputsNameCommitAndLoad(t *testing.T) {
	in := writeInputs(t,
		"command: go test ./a\ncommit: abc1234 (modified)\nload-before:  10:00:00 up 1 min,  0 user,  load average: 1.00, 0.50, 0.20\nBenchmarkX 100 101 ns/op\n",
		"command: go test ./b\nBenchmarkX 100 102 ns/op\n")
	got := runText(t, "-elements", "none", "a="+in[0], "b="+in[1])
	for _, want := range []string{
		"- **a**: `" + in[0] + "`, build default, commit abc1234 (modified), load before the runs: 10:00:00 up 1 min, 0 user, load average: 1.00, 0.50, 0.20, made by ",
		"- **b**: `" + in[1] + "`, build default, made by ",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
}
