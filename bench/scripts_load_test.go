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
// with a directory first that holds an uptime, a ps and a free that
// fail, as on a machine without procps (a minimal Debian), which
// provides all three.
func withoutUptime(t *testing.T, path string) string {
	t.Helper()
	noProcps := t.TempDir()
	for _, name := range []string{"uptime", "ps", "free"} {
		writeFiles(t, noProcps, "#!/bin/sh\necho '"+name+": not found' >&2\nexit 127\n", name)
		if err := os.Chmod(filepath.Join(noProcps, name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return "PATH=" + noProcps + string(os.PathListSeparator) + strings.TrimPrefix(path, "PATH=")
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

// checkLoadLines reports an error unless rec, a record that what wrote,
// holding b, has a load line before its runs and one after them, and
// each of its load lines names the load.
func checkLoadLines(t *testing.T, what, rec string, b []byte) {
	t.Helper()
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

// procLines finds what the records of results/diagnostics-overhead.sh
// and results/fidelity-bench.sh (and fidelity-cost.sh) read from /proc
// besides the load: the busiest processes and the machine's memory,
// with the value each names.
var procLines = regexp.MustCompile(`(?m)(?:Busiest processes when it started: (.*)$|^# machine: .*, ([^,\n]*), go version |^# machine: .*, ([^,\n]*)$)`)

// procValue is what such a value must be: the processes, as
// results/lib.sh's busiest prints them, or the memory, as its mem_total
// does, or either unknown and why.
var procValue = regexp.MustCompile(`^(?:[^,]+ \([0-9.]+% CPU, nice -?[0-9]+\)(?:, [^,]+ \([0-9.]+% CPU, nice -?[0-9]+\))*\.(?: .*)?|[0-9]+ GiB|unknown \(cannot read [^ ]+: not Linux\?\)\.?)$`)

// checkProcLines reports an error if a line of rec, a record that what
// wrote, holding b, that names the busiest processes or the memory
// (procLines) names neither, nor says it is unknown, and where the
// record is one of the scripts that give them (diagnostics-overhead,
// fidelity-bench, fidelity-cost), if it has no such line.
func checkProcLines(t *testing.T, what, rec string, b []byte) {
	t.Helper()
	n := 0
	for _, m := range procLines.FindAllStringSubmatch(string(b), -1) {
		for _, v := range m[1:] {
			if v == "" {
				continue
			}
			n++
			if !procValue.MatchString(v) {
				t.Errorf("%s wrote %s with the line %q, whose %q names neither the processes nor the memory, nor says it is unknown", what, rec, m[0], v)
			}
		}
	}
	switch filepath.Base(rec) {
	case "diagnostics-overhead.md", "fidelity-bench.txt", "fidelity-cost.txt":
		if n == 0 {
			t.Errorf("%s wrote %s without the busiest processes or the memory:\n%s", what, rec, b)
		}
	}
}

// TestScriptsNameLoadWithoutUptime: results/lib.sh's record_head, which
// opens the record of most scripts, and the scripts themselves read the
// load from uptime, which procps provides and a minimal Debian lacks:
// without it a record said "load-before: " with nothing after it, and a
// script that kept the load in a variable first (load_before=$(uptime),
// under set -e) stopped there. The same went for the busiest processes
// (ps, which stopped results/diagnostics-overhead.sh) and the memory
// (free, which left results/fidelity-bench.sh's "# machine:" line with
// " GiB" alone), which procps provides too. Each script runs here with
// fakes of go and of the programs it runs, and an uptime, a ps and a
// free that fail, and each of its records names the load before and
// after its runs, and the busiest processes or the memory it gives. The
// scripts that TestScriptsCommitAllOutputsTogether runs are checked
// there instead, on its run with a go that never fails, which has the
// same failing uptime, ps and free (its cases' load field): a second
// run of each here cost as much again, for no check of its own. These
// are the others, all record_head's, with fakeCallingGo.
func TestScriptsNameLoadWithoutUptime(t *testing.T) {
	skipWithout(t, "bash", "flock", "git", "mktemp")
	for _, c := range []struct {
		name  string
		env   []string // added to the script's environment
		args  []string
		recs  []string // the records to read, below the tree's top
		needs []string // the programs the script needs
	}{
		{"arm64", nil, nil, []string{"results/arm64.txt"}, nil},
		{"couple", []string{"RUNS=5"}, []string{"x"}, []string{"results/couple-x.txt"}, []string{"tar"}},
		{"gemm512", nil, []string{"1"}, []string{"results/gemm512.txt"}, nil},
		{"i386", nil, nil, []string{"results/i386.txt"}, nil},
		{"lut", nil, []string{"1"}, []string{"results/lut.txt"}, nil},
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
			writeFiles(t, dir, "package x\n", "bench/x.go", "nn/x.go", "suite/x.go", "gemm/x.go")
			// A repository, with the tag results/couple.sh builds its
			// experiment from.
			commitTree(t, dir, []string{"tag", "c0a5bed"})
			bin := t.TempDir()
			writeFake(t, bin, "go", fakeCallingGo)
			// The emulators results/arm64.sh and results/i386.sh run the
			// tests under, which give their version.
			for _, name := range []string{"qemu-aarch64", "qemu-i386"} {
				writeFiles(t, bin, fakeQemu, name)
				if err := os.Chmod(filepath.Join(bin, name), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			env := append([]string{withoutUptime(t, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH")), "CALLS=" + t.TempDir()}, c.env...)
			what := strings.TrimSpace(strings.Join(append(append(c.env, "results/"+c.name+".sh"), c.args...), " "))
			if out, err := runScript(t, dir, c.name, dir, env, c.args...); err != nil {
				t.Fatalf("%s without uptime: %v, want success\n%s", what, err, out)
			}
			for _, rec := range c.recs {
				b, err := os.ReadFile(filepath.Join(dir, rec))
				if err != nil {
					t.Errorf("%s: %v", what, err)
					continue
				}
				checkLoadLines(t, what, rec, b)
				checkProcLines(t, what, rec, b)
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
	word := regexp.MustCompile(`\buptime\b|/proc/loadavg`)
	for _, l := range scriptCode(t) {
		if !word.MatchString(l.code) {
			continue
		}
		// The files load_now and busiest (the time since boot) read.
		if l.script == "lib.sh" && (l.code == "loadavg=/proc/loadavg" || l.code == "local upfile=$procdir/uptime") {
			continue
		}
		t.Errorf("results/%s:%d reads the load itself, not through load_now (results/lib.sh): %s", l.script, l.n, l.code)
	}
}

// A scriptLine is a line of code of a script of results/: the script's
// base name, the line's number from 1 and its text, trimmed.
type scriptLine struct {
	script string
	n      int
	code   string
}

// scriptCode returns the lines of code of every results/*.sh, the
// comments left out.
func scriptCode(t *testing.T) []scriptLine {
	t.Helper()
	scripts, err := filepath.Glob("../results/*.sh")
	if err != nil || len(scripts) == 0 {
		t.Fatalf("no results/*.sh: %v", err)
	}
	var lines []scriptLine
	for _, p := range scripts {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if code := strings.TrimSpace(line); !strings.HasPrefix(code, "#") {
				lines = append(lines, scriptLine{filepath.Base(p), i + 1, code})
			}
		}
	}
	return lines
}

// TestMemTotalAndBusiestUnreadable: results/lib.sh's mem_total and
// busiest read /proc, as load_now does, where the scripts ran free and
// ps (procps, which a minimal Debian lacks). Where /proc reads, they give
// the memory in whole GiB and the busiest processes; where it cannot be
// read (a system other than Linux), each says it is unknown and why, and
// the script, under set -euo pipefail, goes on.
func TestMemTotalAndBusiestUnreadable(t *testing.T) {
	skipWithout(t, "bash")
	dir := scriptTree(t)
	proc := t.TempDir()
	// 24683748 kB is 23.5 GiB: free -g said 23. Process 7 has used
	// 80 of its 100 seconds (100 ticks a second, started at tick 100
	// of an uptime of 101 s); process 8 (a name with spaces and a
	// parenthesis) 1 of its 10, at nice 5; process 9 ended before its
	// stat was read (a directory without one).
	writeFiles(t, proc, "MemTotal:       24683748 kB\nMemFree: 1 kB\n", "meminfo")
	writeFiles(t, proc, "101.00 150.00\n", "uptime")
	writeFiles(t, proc, "7 (gradbench) R 1 1 1 0 -1 0 0 0 0 0 6000 2000 0 0 20 0 3 0 100 0\n", "7/stat")
	writeFiles(t, proc, "8 (a b) c) S 1 1 1 0 -1 0 0 0 0 0 60 40 0 0 20 5 1 0 9100 0\n", "8/stat")
	if err := os.Mkdir(filepath.Join(proc, "9"), 0o755); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "proc")
	for _, c := range []struct{ proc, mem, busiest string }{
		{proc, "23 GiB", "gradbench (80.0% CPU, nice 0), a b) c (10.0% CPU, nice 5)"},
		{missing, "unknown (cannot read " + missing + "/meminfo: not Linux?)", "unknown (cannot read " + missing + "/uptime: not Linux?)"},
	} {
		script := `set -euo pipefail; cd "$1" && . results/lib.sh && meminfo=$2/meminfo procdir=$2 && mem=$(mem_total) && procs=$(busiest 3) && echo "$mem" && echo "$procs" && echo end`
		cmd := exec.Command("bash", "-c", script, "bash", dir, c.proc)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		b, err := cmd.Output()
		if want := c.mem + "\n" + c.busiest + "\nend\n"; err != nil || stderr.Len() != 0 || string(b) != want {
			t.Errorf("mem_total and busiest with /proc at %s: %v, stdout\n%s\nstderr\n%s\nwant\n%s", c.proc, err, b, stderr.String(), want)
		}
	}
}

// TestScriptsReadProcOneWay: the memory and the busiest processes are
// read through results/lib.sh's mem_total and busiest alone: no script's
// command runs free or ps (procps), or names them as programs it needs,
// also the scripts the tests above cannot run with fakes.
func TestScriptsReadProcOneWay(t *testing.T) {
	run := regexp.MustCompile("(?:^|[;&|(`]|\\$\\(|\\b(?:then|do|else|exec|command|need [a-z0-9-]+(?: [^ ]+)*?))\\s*(?:ps|free)(?:\\s|$|\\))")
	for _, l := range scriptCode(t) {
		if run.MatchString(l.code) {
			t.Errorf("results/%s:%d runs ps or free (procps), not results/lib.sh's busiest or mem_total: %s", l.script, l.n, l.code)
		}
	}
}
