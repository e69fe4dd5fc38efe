package main

import (
	"strings"
	"testing"
)

// TestRefusesPooling: tried as a new user would, with files benchstat
// reads as several benchmarks or several configurations, benchreport
// pooled their runs into one sample and reported its median and interval
// as one benchmark's (benchstat keeps them apart): the runs of go test
// -cpu 2,4, a file of two packages' benchmarks of one name, two
// benchmarks that differ only in an -ignore key, a file joined from two
// commands or builds, which the report named one of. A result without a
// time was reported as "NaNns", and B/s reported by some runs only gave
// a bandwidth of those runs beside a time of all. Each is refused, naming
// the file, the line and what differs.
func TestRefusesPooling(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		args     []string
		want     string
	}{
		{"gomaxprocs", "BenchmarkX/n=10-2 100 101 ns/op\nBenchmarkX/n=10-4 100 301 ns/op\n", nil,
			`a.txt:2: BenchmarkX/n=10-4 and BenchmarkX/n=10-2 (line 1) differ only in GOMAXPROCS (go test -cpu)`},
		{"package", "pkg: a\nBenchmarkX/n=10-2 100 101 ns/op\npkg: b\nBenchmarkX/n=10-2 100 201 ns/op\n", nil,
			`a.txt:4: BenchmarkX/n=10-2 has pkg: "b", and at line 2 "a"`},
		{"goarch", "goarch: amd64\nBenchmarkX 100 101 ns/op\ngoarch: arm64\nBenchmarkX 100 201 ns/op\n", nil,
			`a.txt:4: BenchmarkX has goarch: "arm64", and at line 2 "amd64"`},
		{"ignored key", "BenchmarkConv/gemm=go/n=10-2 100 1000 ns/op\nBenchmarkConv/gemm=simd/n=10-2 100 500 ns/op\n", []string{"-ignore", "gemm"},
			`a.txt:2: BenchmarkConv/gemm=simd/n=10-2 and BenchmarkConv/gemm=go/n=10-2 (line 1) are both BenchmarkConv/n=10 with -ignore "gemm"`},
		{"command", "command: go test -count=5 ./a\nBenchmarkX 100 101 ns/op\ncommand: go test -count=5 ./b\nBenchmarkY 100 201 ns/op\n", nil,
			`a.txt:4: command: "go test -count=5 ./b", and at line 2 "go test -count=5 ./a": the report names one command: per input`},
		{"build", "build: default\nBenchmarkX 100 101 ns/op\nbuild: avx2\nBenchmarkX 100 201 ns/op\n", nil,
			`a.txt:4: build: "avx2", and at line 2 "default": the report names one build: per input`},
		{"go", "go: go1.25\nBenchmarkX 100 101 ns/op\ngo: go1.26\nBenchmarkX 100 201 ns/op\n", nil,
			`a.txt:4: go: "go1.26", and at line 2 "go1.25": the report names one go: per input`},
		{"commit", "commit: abc\nBenchmarkX 100 101 ns/op\ncommit: def\nBenchmarkX 100 201 ns/op\n", nil,
			`a.txt:4: commit: "def", and at line 2 "abc": the report names one commit: per input`},
		{"no time", "BenchmarkY/n=8 100 5 MB/s\n", nil,
			`a.txt:1: BenchmarkY/n=8 reports no time (ns/op)`},
		{"some B/s", "BenchmarkY/n=8 100 5 ns/op 7 MB/s\nBenchmarkY/n=8 100 6 ns/op\n", nil,
			`a.txt:2: BenchmarkY/n=8 reports no MB/s, and at line 1 it did`},
		{"B/s later", "BenchmarkY/n=8 100 5 ns/op\nBenchmarkY/n=8 100 6 ns/op 7 MB/s\n", nil,
			`a.txt:2: BenchmarkY/n=8 reports MB/s, and at line 1 it did not`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := writeInputs(t, tc.in)
			err := run(append(tc.args, "x="+in[0]), &strings.Builder{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
	// What stays accepted: a configuration line repeated with its value
	// (results/peer.sh's file repeats goos: and pkg: before each run), and
	// a key other than these changing between runs (its pair: line).
	ok := "command: c\ngoos: linux\npair: 1\nBenchmarkX-2 100 101 ns/op 7 MB/s\ncommand: c\ngoos: linux\npair: 2\nBenchmarkX-2 100 102 ns/op 8 MB/s\n"
	in := writeInputs(t, ok)
	if got := runText(t, "-elements", "none", "x="+in[0]); !strings.Contains(got, "| BenchmarkX | 102ns ± ∞ (n=2) |") {
		t.Errorf("two runs of one benchmark under repeated configuration lines:\n%s", got)
	}
}

// TestRefusesBadElementCount: an element count that is no positive whole
// number was read as 0 (n=abc, n=0: the benchmark left out of the
// per-element table without a word) or as +Inf (n=1e400: 0 ns/elem, which
// passed every ns/elem target). It is refused, naming the benchmark.
func TestRefusesBadElementCount(t *testing.T) {
	for _, n := range []string{"abc", "0", "1e400", "-4", "4.5"} {
		in := writeInputs(t, "BenchmarkX/n="+n+"-2 100 101 ns/op\n")
		err := run([]string{"-target", ".name:X: ns/elem < 1", "x=" + in[0]}, &strings.Builder{})
		want := `-elements "n": BenchmarkX/n=` + n + ` (input x): n=` + n + ` is no element count, want a whole number of at least 1`
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("n=%s: got %v, want an error containing %q", n, err, want)
		}
	}
}

// TestRefusesSyntaxErrors: a benchmark line benchfmt cannot read (one cut
// short by an interrupted run, or with a value that is no number) was
// skipped without a word, where benchstat names it; the report's medians
// then left that run out. It is refused, naming the file and the line.
func TestRefusesSyntaxErrors(t *testing.T) {
	for _, tc := range []struct{ line, want string }{
		{"BenchmarkX/n=10-2 100 10\n", "a.txt:2: missing units"},
		{"BenchmarkX/n=10-2 100 102 ns/op garbage\n", "a.txt:2: parsing measurement: invalid syntax"},
	} {
		in := writeInputs(t, "BenchmarkX/n=10-2 100 101 ns/op\n"+tc.line)
		err := run([]string{"x=" + in[0]}, &strings.Builder{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want an error containing %q", tc.line, err, tc.want)
		}
	}
}

// TestRefusesBadValues: tried as a new user would, with a hand-edited or
// damaged file, benchreport took a time of NaN, -5 or 0 ns/op, a
// bandwidth of -3 MB/s and a line of 0 iterations as results: NaN was
// reported as "NaNns", a negative or zero time as a time (and as a ratio
// or a time per element that passes any "<" target), a negative
// bandwidth as one. go test writes none of them. Each is refused,
// naming the file, the line and the value.
func TestRefusesBadValues(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"NaN time", "BenchmarkX/n=10 100 101 ns/op\nBenchmarkX/n=10 100 NaN ns/op\n",
			`a.txt:2: BenchmarkX/n=10: NaN ns/op: want a time > 0`},
		{"negative time", "BenchmarkX/n=10 100 -5 ns/op\n",
			`a.txt:1: BenchmarkX/n=10: -5 ns/op: want a time > 0`},
		{"zero time", "BenchmarkX/n=10 100 0 ns/op\n",
			`a.txt:1: BenchmarkX/n=10: 0 ns/op: want a time > 0`},
		{"infinite time", "BenchmarkX/n=10 100 +Inf ns/op\n",
			`a.txt:1: BenchmarkX/n=10: +Inf ns/op: want a time > 0`},
		{"negative bandwidth", "BenchmarkX/n=10 100 5 ns/op -3 MB/s\n",
			`a.txt:1: BenchmarkX/n=10: -3 MB/s: want a bandwidth >= 0`},
		{"NaN bandwidth", "BenchmarkX/n=10 100 5 ns/op NaN MB/s\n",
			`a.txt:1: BenchmarkX/n=10: NaN MB/s: want a bandwidth >= 0`},
		{"zero iterations", "BenchmarkX/n=10 0 5 ns/op\n",
			`a.txt:1: BenchmarkX/n=10: 0 iterations: want at least 1`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := writeInputs(t, tc.in)
			err := run([]string{"x=" + in[0]}, &strings.Builder{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
	// A bandwidth of 0 (a benchmark of so few bytes that MB/s rounds to
	// 0.00) stays accepted.
	in := writeInputs(t, "BenchmarkX/n=10 100 5 ns/op 0.00 MB/s\n")
	if err := run([]string{"x=" + in[0]}, &strings.Builder{}); err != nil {
		t.Errorf("a bandwidth of 0.00 MB/s: %v", err)
	}
}
