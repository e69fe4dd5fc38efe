package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gradbench/gradbench/internal/racebuild"
	"github.com/gradbench/gradbench/internal/recipetest"
	"github.com/gradbench/gradbench/suite"
)

// The Slurm acceptance test needs a single-node Slurm cluster on this
// machine, the one .ci/slurm.sh starts (.ci/run does, before the tests).
// Without one it skips, unless GRADBENCH_REQUIRE_SLURM=1 (set by .ci/run)
// makes that a failure; outside -short, as root with the Slurm packages
// installed, it starts one itself and stops it afterwards.

// slurmRecipe trains a reduced ResNet-20 on 1024 synthetic images for 8
// epochs: about 1.5 s per cell on the project machine, long enough to
// kill a task between two epochs.
var slurmRecipe = recipetest.Tiny("slurm", 8, 32, 1024, 128)

// puregoBuild is set by slurm_purego_test.go under -tags purego.
var puregoBuild = false

// TestSlurmArray is issue 6's acceptance test, against a real Slurm: a
// sweep of 2 estimators × 2 seeds submitted with gradbench slurm --submit
// runs as a 4-task array in which cell 2 fails (a fault of the test
// binary, which the job scripts run as gradbench: see TestMain) and cell 1 is killed with SIGKILL after its first epoch
// checkpoint; gradbench plan --pending reports exactly those two; the same
// command resubmits them, cell 1 resumes from its checkpoint, no finished
// record is touched, and the dependent table job writes the same table
// (every number but wall time) as gradbench run of the sweep on one
// machine.
func TestSlurmArray(t *testing.T) {
	if racebuild.Enabled {
		t.Skip("skipped under -race: the race detector slows the training of its 8 cells several times over (CI runs it in the openblas pass)")
	}
	if puregoBuild {
		t.Skip("skipped under -tags purego: it tests the Slurm array, not the kernels, which the other tests check in that build (CI runs it in the openblas pass)")
	}
	slurmCluster(t)
	dir := t.TempDir()
	// The job scripts run this test binary as the gradbench binary (built
	// with the same tags and GOEXPERIMENT), which can fail a cell on purpose.
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	recipe := writeRecipe(t, dir, slurmRecipe)
	sweep := []string{"--recipe", recipe, "--estimators", "ste,fda", "--seeds", "2"}
	// Training results depend on the number of worker goroutines (see the
	// README: bit-identical for the same binary, CPU and GOMAXPROCS): pin
	// it for the local run and, through sbatch's environment, the tasks.
	env := append(os.Environ(), "GOMAXPROCS=2", asGradbenchEnv+"=1")
	start := time.Now()

	// The sweep on one machine.
	local := filepath.Join(dir, "local")
	localTable := gradbenchExe(t, exe, env, append([]string{"run", "--quiet", "--out", local}, sweep...)...)
	localRecs := recordsByKey(t, local)
	t.Logf("local sweep: %v", time.Since(start).Round(time.Millisecond))

	out := filepath.Join(dir, "cluster")
	sweepOut := append([]string{"--out", out}, sweep...)
	var plan []planCell
	if err := json.Unmarshal([]byte(gradbenchExe(t, exe, env, append([]string{"plan", "--json"}, sweepOut...)...)), &plan); err != nil || len(plan) != 4 {
		t.Fatalf("plan --json: %d cells, %v", len(plan), err)
	}
	for _, c := range plan {
		if localRecs[c.Key] == nil {
			t.Fatalf("cell %d key %s has no record in the local sweep", c.Index, c.Key)
		}
	}

	// First submission: cell 2 fails, cell 1 is killed mid-run.
	first := gradbenchExe(t, exe, append(env, failCellEnv+"="+plan[2].Key), append([]string{"slurm", "--submit", "--partition", slurmPartition(t)}, sweepOut...)...)
	arrayID, tableID := submittedJobs(t, first, 4)
	killed := plan[1]
	ckpt := suite.CheckpointPath(out, killed.Key)
	waitUntil(t, time.Minute, "cell 1's first epoch checkpoint", func() bool { _, err := os.Stat(ckpt); return err == nil })
	lock, err := suite.ReadLock(out, killed.Key)
	if err != nil {
		t.Fatalf("cell 1 has a checkpoint but no lock: %v", err)
	}
	if cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", lock.PID)); !bytes.Contains(cmdline, []byte(killed.Key)) {
		t.Fatalf("the lock of cell 1 names pid %d, which is not its task (%q)", lock.PID, cmdline)
	}
	if err := killPID(lock.PID); err != nil {
		t.Fatalf("kill -9 %d: %v", lock.PID, err)
	}
	states := waitJobs(t, arrayID, tableID)
	want := map[string]string{"0": "COMPLETED", "1": "FAILED", "2": "FAILED", "3": "COMPLETED"}
	if fmt.Sprint(states[arrayID]) != fmt.Sprint(want) {
		t.Errorf("array job %s tasks: %v, want %v (4 tasks; cell 1 killed, cell 2 failed by the hook)", arrayID, states[arrayID], want)
	}
	if _, err := os.Stat(suite.RecordPath(out, killed.Key)); err == nil {
		t.Fatal("cell 1 finished before the kill landed: nothing was killed mid-run")
	}
	var pending []planCell
	json.Unmarshal([]byte(gradbenchExe(t, exe, env, append([]string{"plan", "--pending", "--json"}, sweepOut...)...)), &pending)
	if len(pending) != 2 || pending[0].Index != 1 || pending[0].State != suite.CellResumable || pending[1].Index != 2 || pending[1].State != suite.CellPending {
		t.Fatalf("plan --pending after the first array: %+v, want cell 1 resumable and cell 2 pending", pending)
	}
	finished := map[string][]byte{}
	for _, c := range []planCell{plan[0], plan[3]} {
		b, err := os.ReadFile(suite.RecordPath(out, c.Key))
		if err != nil {
			t.Fatalf("cell %d: %v", c.Index, err)
		}
		finished[c.Key] = b
	}
	t.Logf("first array: %v", time.Since(start).Round(time.Millisecond))

	// The same command again submits the two pending cells.
	second := gradbenchExe(t, exe, env, append([]string{"slurm", "--submit", "--partition", slurmPartition(t)}, sweepOut...)...)
	arrayID, tableID = submittedJobs(t, second, 2)
	states = waitJobs(t, arrayID, tableID)
	if want := map[string]string{"0": "COMPLETED", "1": "COMPLETED"}; fmt.Sprint(states[arrayID]) != fmt.Sprint(want) {
		t.Errorf("resubmitted array job %s tasks: %v, want %v", arrayID, states[arrayID], want)
	}
	if want := map[string]string{"": "COMPLETED"}; fmt.Sprint(states[tableID]) != fmt.Sprint(want) {
		t.Errorf("table job %s: %v, want COMPLETED", tableID, states[tableID])
	}
	t.Logf("second array and table: %v", time.Since(start).Round(time.Millisecond))

	// Nothing lost, nothing duplicated, nothing redone.
	recs := recordsByKey(t, out)
	if len(recs) != 4 {
		t.Errorf("%d records after the resubmission, want 4", len(recs))
	}
	for _, c := range plan {
		r, l := recs[c.Key], localRecs[c.Key]
		if r == nil {
			t.Errorf("cell %d (%s seed %d): no record", c.Index, c.Estimator, c.Seed)
			continue
		}
		if d := numbersDiffer(r, l); d != "" {
			t.Errorf("cell %d (%s seed %d): %s differs from the local run's", c.Index, c.Estimator, c.Seed, d)
		}
	}
	for key, b := range finished {
		if again, _ := os.ReadFile(suite.RecordPath(out, key)); !bytes.Equal(again, b) {
			t.Errorf("record %s, finished in the first array, was rewritten", key)
		}
	}
	if r := recs[killed.Key]; r != nil && r.Resumes < 1 {
		t.Errorf("cell 1 was not resumed from its checkpoint (resumes = %d)", r.Resumes)
	}
	ents, _ := os.ReadDir(out)
	for _, e := range ents {
		if n := e.Name(); strings.HasSuffix(n, ".ckpt") || strings.HasSuffix(n, ".tmp") || strings.Contains(n, ".lock") {
			t.Errorf("left behind in --out: %s", n)
		}
	}

	// The dependent job's table is the local one but for wall times.
	table, err := os.ReadFile(filepath.Join(out, "table.md"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := maskTiming(string(table)), maskTiming(localTable); got != want {
		t.Errorf("the table job's table.md:\n%s\ndiffers from gradbench run's (sec/epoch masked):\n%s", table, localTable)
	}
	log, _ := os.ReadFile(filepath.Join(out, "slurm", "logs", "table-"+tableID+".out"))
	if !bytes.Contains(log, []byte("4 cells: 4 done; nothing pending")) {
		t.Errorf("table job log does not say that nothing is pending:\n%s", log)
	}
	if again, status := gradbenchExeStderr(t, exe, env, append([]string{"slurm", "--submit"}, sweepOut...)...); again != "" || !strings.Contains(status, "nothing to submit") {
		t.Errorf("a third gradbench slurm --submit printed %q on stdout and %q on stderr, want nothing submitted (said on stderr)", again, status)
	}
}

// slurmCluster makes sure a single-node Slurm cluster of this machine
// answers, or skips the test.
func slurmCluster(t *testing.T) {
	t.Helper()
	skip := func(format string, args ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, args...)
		if os.Getenv("GRADBENCH_REQUIRE_SLURM") == "1" {
			t.Fatalf("%s; GRADBENCH_REQUIRE_SLURM=1 says .ci/run started Slurm, so it must answer", msg)
		}
		t.Skip(msg)
	}
	if _, err := exec.LookPath("sbatch"); err != nil {
		skip("no sbatch: Slurm is not installed here (.ci/run installs and starts a single-node cluster: sudo .ci/slurm.sh install && sudo .ci/slurm.sh start)")
	}
	err := localCluster()
	if err == nil {
		return
	}
	script, _ := filepath.Abs(filepath.Join("..", "..", ".ci", "slurm.sh"))
	_, errd := exec.LookPath("slurmctld")
	switch {
	case testing.Short():
		skip("no Slurm cluster of this machine answers (%v): start one as root with .ci/slurm.sh start, as .ci/run does", err)
	case os.Geteuid() != 0:
		skip("no Slurm cluster of this machine answers (%v), and starting one needs root (.ci/slurm.sh start)", err)
	case errd != nil:
		skip("no Slurm cluster answers and slurmctld is not installed (.ci/slurm.sh install)")
	}
	start := exec.Command("bash", script, "start")
	if b, err := start.CombinedOutput(); err != nil {
		skip("could not start Slurm with %s start: %v\n%s", script, err, b)
	}
	t.Cleanup(func() {
		if b, err := exec.Command("bash", script, "stop").CombinedOutput(); err != nil {
			t.Errorf("%s stop: %v\n%s", script, err, b)
		}
	})
	if err := localCluster(); err != nil {
		skip("Slurm started but does not answer: %v", err)
	}
}

// localCluster checks that the Slurm cluster that answers is one node,
// this machine, so that jobs see this machine's temporary directories.
func localCluster() error {
	// A local controller answers in milliseconds; a configured but
	// stopped one makes sinfo retry for about 10 s.
	limit := 3 * time.Second
	if os.Getenv("GRADBENCH_REQUIRE_SLURM") == "1" {
		limit = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	b, err := exec.CommandContext(ctx, "sinfo", "-h", "-o", "%n %t").Output()
	if err != nil {
		var ee *exec.ExitError
		if ctx.Err() != nil {
			return fmt.Errorf("sinfo: no answer within %v", limit)
		}
		if errors.As(err, &ee) {
			return fmt.Errorf("sinfo: %s", strings.TrimSpace(string(ee.Stderr)))
		}
		return fmt.Errorf("sinfo: %w", err)
	}
	host, _ := os.Hostname()
	host, _, _ = strings.Cut(host, ".")
	nodes := strings.Fields(strings.TrimSpace(string(b)))
	if len(nodes) != 2 || nodes[0] != host {
		return fmt.Errorf("sinfo lists %q, want this machine (%s) alone: not a single-node cluster of this machine", strings.TrimSpace(string(b)), host)
	}
	switch strings.TrimRight(nodes[1], "*~#$@") {
	case "idle", "mix", "alloc", "comp":
		return nil
	}
	return fmt.Errorf("node %s is %s, not up", host, nodes[1])
}

// slurmPartition returns the default partition.
func slurmPartition(t *testing.T) string {
	b, err := exec.Command("sinfo", "-h", "-o", "%P").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range strings.Fields(string(b)) {
		if name, ok := strings.CutSuffix(p, "*"); ok {
			return name
		}
	}
	t.Fatalf("sinfo lists no default partition: %q", b)
	return ""
}

// gradbenchExe runs the gradbench binary and returns its stdout.
func gradbenchExe(t *testing.T, exe string, env []string, args ...string) string {
	t.Helper()
	stdout, _ := gradbenchExeStderr(t, exe, env, args...)
	return stdout
}

// gradbenchExeStderr runs the gradbench binary and returns its stdout and
// its stderr.
func gradbenchExeStderr(t *testing.T, exe string, env []string, args ...string) (string, string) {
	t.Helper()
	cmd := exec.Command(exe, args...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("gradbench %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), stderr.String()
}

var submittedRE = regexp.MustCompile(`^submitted array job (\d+) \((\d+) tasks?, one per pending cell of 4\) and table job (\d+) \(after job \d+ ends\)\n$`)

// submittedJobs parses gradbench slurm --submit's output, checks the
// number of array tasks, and cancels the jobs when the test ends.
func submittedJobs(t *testing.T, stdout string, tasks int) (array, table string) {
	t.Helper()
	m := submittedRE.FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("gradbench slurm --submit printed %q, want the array and table job ids", stdout)
	}
	if m[2] != fmt.Sprint(tasks) {
		t.Errorf("submitted an array of %s tasks, want %d", m[2], tasks)
	}
	t.Cleanup(func() { exec.Command("scancel", m[1], m[3]).Run() })
	return m[1], m[3]
}

// waitJobs waits until every task of the jobs has ended and returns
// their final states: job id → array task id ("" for a plain job) →
// state.
func waitJobs(t *testing.T, ids ...string) map[string]map[string]string {
	t.Helper()
	var states map[string]map[string]string
	waitUntil(t, 3*time.Minute, "jobs "+strings.Join(ids, ", ")+" to end", func() bool {
		states = map[string]map[string]string{}
		for _, id := range ids {
			b, err := exec.Command("scontrol", "-o", "show", "job", id).Output()
			if err != nil {
				return false
			}
			states[id] = map[string]string{}
			for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
				f := map[string]string{}
				for _, kv := range strings.Fields(line) {
					k, v, _ := strings.Cut(kv, "=")
					f[k] = v
				}
				switch f["JobState"] {
				case "PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "REQUEUED", "RESIZING":
					return false
				}
				states[id][f["ArrayTaskId"]] = f["JobState"]
			}
		}
		return true
	})
	return states
}

func waitUntil(t *testing.T, limit time.Duration, what string, done func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !done() {
		if time.Now().After(deadline) {
			out, _ := exec.Command("squeue").CombinedOutput()
			t.Fatalf("waited %v for %s; squeue:\n%s", limit, what, out)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func recordsByKey(t *testing.T, dir string) map[string]*suite.Record {
	t.Helper()
	rs, err := suite.ReadRecords(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]*suite.Record{}
	for _, r := range rs {
		if m[r.Key] != nil {
			t.Errorf("two records of key %s", r.Key)
		}
		m[r.Key] = r
	}
	return m
}

// numbersDiffer names the first number (not a wall time) in which two
// records of a run differ, or returns "".
func numbersDiffer(a, b *suite.Record) string {
	if a.Status != b.Status || len(a.Epochs) != len(b.Epochs) || a.InitHash != b.InitHash || fmt.Sprint(a.DataHashes) != fmt.Sprint(b.DataHashes) {
		return "status, epochs, initial weights or batches"
	}
	for i := range a.Epochs {
		x, y := a.Epochs[i], b.Epochs[i]
		x.TrainSeconds, x.EvalSeconds, x.ImagesPerSec = 0, 0, 0
		y.TrainSeconds, y.EvalSeconds, y.ImagesPerSec = 0, 0, 0
		// The diagnostics by value, not by their pointers.
		dx, dy := x.Diagnostics, y.Diagnostics
		x.Diagnostics, y.Diagnostics = nil, nil
		if fmt.Sprintf("%+v", x) != fmt.Sprintf("%+v", y) || !reflect.DeepEqual(dx, dy) {
			return fmt.Sprintf("epoch %d (%+v %+v vs %+v %+v)", i+1, x, dx, y, dy)
		}
	}
	if a.Final.TestTop1 != b.Final.TestTop1 || a.Final.TrainLoss != b.Final.TrainLoss {
		return "the final numbers"
	}
	return ""
}

// timingNote is the main table's note on a row whose runs' wall times
// differ widely, which runs trained on a busy machine may get.
var timingNote = regexp.MustCompile(` The runs of one row took from [0-9.]+ to [0-9.]+ s per epoch \(.*?\): a run's wall time is also [^.]*\.`)

// maskTiming blanks the last column (sec/epoch) of every markdown table
// row and trims the cells, and drops the note on wall times that differ
// within a row, so that tables that differ only in wall times compare
// equal.
func maskTiming(md string) string {
	md = timingNote.ReplaceAllString(md, "")
	var b strings.Builder
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "|") {
			cells := strings.Split(strings.Trim(line, "|"), "|")
			for i := range cells {
				cells[i] = strings.TrimSpace(cells[i])
			}
			cells[len(cells)-1] = "…"
			line = "|" + strings.Join(cells, "|") + "|"
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

// killPID kills process pid outright (SIGKILL on Unix).
func killPID(pid int) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return err
	}
	return p.Kill()
}

// TestMaskTiming: tables of the same runs trained twice, once on a busy
// machine, compare equal under maskTiming: their sec/epoch cells differ,
// and so does the note on a row whose runs' wall times differ widely,
// which one of them may have.
func TestMaskTiming(t *testing.T) {
	idle := "| estimator | sec/epoch |\n|:--|--:|\n| expr:g=max(0, 1) | 1.0 |\n\nsec/epoch: training and evaluation wall time. With one paired seed there is no CI or p.\n"
	busy := "| estimator | sec/epoch |\n|:--|--:|\n| expr:g=max(0, 1) | 2.5 |\n\nsec/epoch: training and evaluation wall time." +
		" The runs of one row took from 1.0 to 4.0 s per epoch (expr:g=max(0, 1)): a run's wall time is also the machine's and its load's when it trained, so sec/epoch compares rows only where their runs trained together on one otherwise idle machine." +
		" With one paired seed there is no CI or p.\n"
	if got, want := maskTiming(busy), maskTiming(idle); got != want {
		t.Errorf("maskTiming of the busy table:\n%s\nof the idle one:\n%s", got, want)
	}
}
