// Built as scripts_atomic_test.go is, for the reason given there: the
// scripts run with a fake go.

//go:build !race && !purego && !goexperiment.simd

package bench

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// withoutUptime returns path, a PATH= entry for a script's environment,
// with a directory first that holds an uptime that fails, as on a
// machine without procps (a minimal Debian).
func withoutUptime(t *testing.T, path string) string {
	t.Helper()
	noUptime := t.TempDir()
	writeFiles(t, noUptime, "#!/bin/sh\necho 'uptime: not found' >&2\nexit 127\n", "uptime")
	if err := os.Chmod(filepath.Join(noUptime, "uptime"), 0o755); err != nil {
		t.Fatal(err)
	}
	return "PATH=" + noUptime + string(os.PathListSeparator) + strings.TrimPrefix(path, "PATH=")
}

// loadLines finds a record's load lines (load-before:, # load after:,
// - load before:, and so on), with the value each names.
var loadLines = regexp.MustCompile(`(?m)^(?:[#-] )?load[- ](before|after): (.*)$`)

// loadInline finds the load before and after a report's runs given in
// one sentence (results/diagnostics-overhead.md's).
var loadInline = regexp.MustCompile("(?i)load (before): `([^`]*)`; (after): `([^`]*)`")

// loadValue is what a load line names: the time of day and the load
// averages over 1, 5 and 15 minutes, as results/lib.sh's load_now prints
// them.
var loadValue = regexp.MustCompile(`^[0-9:]+ UTC, load average: [0-9.]+, [0-9.]+, [0-9.]+$`)

// checkLoadLines reports an error unless the file rec below dir has a
// load line before its runs and one after them, and each of its load
// lines names the load.
func checkLoadLines(t *testing.T, what, dir, rec string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, rec))
	if err != nil {
		t.Errorf("%s: %v", what, err)
		return
	}
	seen := map[string]bool{}
	for _, re := range []*regexp.Regexp{loadLines, loadInline} {
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			for i := 1; i+1 < len(m); i += 2 {
				seen[strings.ToLower(m[i])] = true
				if !loadValue.MatchString(m[i+1]) {
					t.Errorf("%s wrote %s with the load line %q, want the time of day and the load averages, \"15:34:13 UTC, load average: 0.84, 0.88, 0.80\"", what, rec, m[0])
				}
			}
		}
	}
	if !seen["before"] || !seen["after"] {
		t.Errorf("%s wrote %s without a load line before its runs and one after them:\n%s", what, rec, b)
	}
}

// TestScriptsNameLoadWithoutUptime: results/lib.sh's record_head, which
// opens the record of most scripts, and the scripts themselves read the
// load from uptime, which procps provides and a minimal Debian lacks:
// without it a record said "load-before: " with nothing after it, and a
// script that kept the load in a variable first (load_before=$(uptime),
// under set -e) stopped there. Each script runs here with fakes of go and
// of the programs it runs, and an uptime that fails, and each of its
// records names the load before and after its runs.
func TestScriptsNameLoadWithoutUptime(t *testing.T) {
	skipWithout(t, "bash", "flock", "git", "mktemp")
	const key = "0123456789abcdef"
	for _, c := range []struct {
		name  string
		fake  string   // the go to run with
		env   []string // added to the script's environment
		args  []string
		recs  []string // the records to read, below the tree's top
		needs []string // the programs the script needs
	}{
		// record_head's scripts.
		{"ab-step", fakeGo, nil, []string{"x", "HEAD", "1"}, []string{"results/ab-step-x.txt"}, nil},
		{"ab-expr", fakeGo, nil, []string{"x", "HEAD", "1"}, []string{"results/ab-expr-x.txt"}, nil},
		{"ab-phase", fakeGo, nil, []string{"x", "HEAD", "1"}, []string{"results/ab-phase-x.txt"}, nil},
		{"arm64", fakeCallingGo, nil, nil, []string{"results/arm64.txt"}, nil},
		{"backward-add", fakeGo, nil, []string{"1"}, []string{"results/backward-add.txt"}, nil},
		{"contention", fakeGo, nil, []string{"1"}, []string{"results/contention.txt"}, nil},
		{"couple", fakeCallingGo, []string{"RUNS=5"}, []string{"x"}, []string{"results/couple-x.txt"}, []string{"tar"}},
		{"gemm512", fakeCallingGo, nil, []string{"1"}, []string{"results/gemm512.txt"}, nil},
		{"i386", fakeCallingGo, nil, nil, []string{"results/i386.txt"}, nil},
		{"kernelpair", fakeGo, nil, []string{"1"}, []string{"results/kernelpair.txt"}, nil},
		{"lut", fakeCallingGo, nil, []string{"1"}, []string{"results/lut.txt"}, nil},
		{"winograd-bound", fakeGo, nil, []string{"1"}, []string{"results/winograd-bound.txt"}, nil},
		// Those that write their own head.
		{"bop-bn", fakeGo, nil, []string{"results/fmnist-10"}, []string{"results/bop-bn.md"}, nil},
		{"diagnostics-overhead", fakeGo, nil, nil, []string{"results/diagnostics-overhead.md"}, []string{"ps"}},
		{"fidelity-bench", fakeGo, nil, nil, []string{"results/fidelity-bench.txt"}, []string{"/usr/bin/time", "free"}},
		{"fidelity-cost", fakeGo, nil, []string{"HEAD", "1"}, []string{"results/fidelity-cost.txt"}, []string{"/usr/bin/time", "free"}},
		{"quick-since-fda", fakeGo, []string{"FAKEGO_LINES=2"}, nil, []string{"results/quick-since-fda/machine.txt"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			skipWithout(t, c.needs...)
			dir := scriptTree(t, c.name)
			awk, err := os.ReadFile("../results/failing.awk")
			if err != nil {
				t.Fatal(err)
			}
			writeFiles(t, dir, string(awk), "results/failing.awk")
			writeFiles(t, dir, "package x\n", "bench/x.go", "nn/x.go", "suite/x.go", "gemm/x.go",
				"nn/convphase_bench_test.go", "suite/fidelity_cost_test.go")
			writeFiles(t, dir, "{}\n", "results/fmnist-10/"+key+".json")
			writeFiles(t, dir, "w\n", "results/fmnist-10/"+key+".weights")
			// A repository, for the scripts that build an older commit,
			// with the tag results/couple.sh builds its experiment from.
			for _, args := range [][]string{{"init", "-q"}, {"add", "."}, {"-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "t"}, {"tag", "c0a5bed"}} {
				git := exec.Command("git", args...)
				git.Dir = dir
				if b, err := git.CombinedOutput(); err != nil {
					t.Fatalf("git %q: %v\n%s", args, err, b)
				}
			}
			bin := t.TempDir()
			writeFake(t, bin, "go", c.fake)
			// The emulators results/arm64.sh and results/i386.sh run the
			// tests under, which give their version.
			for _, name := range []string{"qemu-aarch64", "qemu-i386"} {
				writeFiles(t, bin, fakeQemu, name)
				if err := os.Chmod(filepath.Join(bin, name), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			count := filepath.Join(t.TempDir(), "count")
			writeFiles(t, filepath.Dir(count), "0\n", "count")
			env := append([]string{withoutUptime(t, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH")), "FAKEGO_COUNT=" + count, "CALLS=" + t.TempDir()}, c.env...)
			what := strings.TrimSpace(strings.Join(append(append(c.env, "results/"+c.name+".sh"), c.args...), " "))
			if out, err := runScript(t, dir, c.name, dir, env, c.args...); err != nil {
				t.Fatalf("%s without uptime: %v, want success\n%s", what, err, out)
			}
			for _, rec := range c.recs {
				checkLoadLines(t, what, dir, rec)
			}
		})
	}
}

// TestLoadNowUnreadable: where /proc/loadavg cannot be read (a system
// other than Linux), results/lib.sh's load_now, under the scripts' set
// -eu, stopped a script that kept the load in a variable, and left the
// line of one that printed it empty. It names the load unknown and why,
// and the script goes on; where the file reads, it gives its three
// averages, and record_head's load-before: line is that.
func TestLoadNowUnreadable(t *testing.T) {
	skipWithout(t, "bash")
	dir := scriptTree(t)
	readable := filepath.Join(t.TempDir(), "loadavg")
	writeFiles(t, filepath.Dir(readable), "0.50 0.40 0.30 1/123 4567\n", "loadavg")
	missing := filepath.Join(t.TempDir(), "loadavg")
	for _, c := range []struct{ file, want string }{
		{readable, "load average: 0.50, 0.40, 0.30"},
		{missing, "load average: unknown (cannot read " + missing + ": not Linux?)"},
	} {
		script := `set -eu; cd "$1" && . results/lib.sh && loadavg=$2 && now=$(load_now) && echo "$now" && record_head x | grep '^load-before: ' && echo end`
		cmd := exec.Command("bash", "-c", script, "bash", dir, c.file)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		b, err := cmd.Output()
		out := string(b)
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		time := `^[0-9]{2}:[0-9]{2}:[0-9]{2} UTC, `
		if err != nil || stderr.Len() != 0 || len(lines) != 3 || lines[2] != "end" ||
			!regexp.MustCompile(time+regexp.QuoteMeta(c.want)+"$").MatchString(lines[0]) ||
			!regexp.MustCompile("^load-before: "+time[1:]+regexp.QuoteMeta(c.want)+"$").MatchString(lines[1]) {
			t.Errorf("load_now and record_head with loadavg=%s: %v, stdout\n%s\nstderr\n%s\nwant the time of day and %q, then the line load-before: with them, and no error", c.file, err, out, stderr.String(), c.want)
		}
	}
}

// TestScriptsReadLoadOneWay: results/lib.sh's load_now is the one reader
// of the load: the scripts also ran uptime (which a machine without
// procps lacks) and cut /proc/loadavg (which fails, leaving the line
// empty, on a system other than Linux) each in their own words. No
// script's command runs uptime or reads /proc/loadavg but load_now,
// also those the tests above cannot run with fakes (study, profile,
// threads, peer, poolstats, timing, fidelity-estimate).
func TestScriptsReadLoadOneWay(t *testing.T) {
	scripts, err := filepath.Glob("../results/*.sh")
	if err != nil || len(scripts) == 0 {
		t.Fatalf("no results/*.sh: %v", err)
	}
	word := regexp.MustCompile(`\buptime\b|/proc/loadavg`)
	for _, p := range scripts {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			code := strings.TrimSpace(line)
			if strings.HasPrefix(code, "#") || !word.MatchString(code) {
				continue
			}
			if filepath.Base(p) == "lib.sh" && code == "loadavg=/proc/loadavg" {
				continue
			}
			t.Errorf("results/%s:%d reads the load itself, not through load_now (results/lib.sh): %s", filepath.Base(p), i+1, code)
		}
	}
}
