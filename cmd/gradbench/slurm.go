package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/gradbench/gradbench/suite"
)

var slurmCmd = &command{
	name:  "slurm",
	short: "run the pending cells of a sweep as a Slurm job array",
	long: `
Slurm writes, and with --submit submits, a Slurm job array that trains the
pending cells of the sweep gradbench run would train with the same flags
(gradbench plan --pending lists them), one array task per cell, and a job
that builds the table once the array has ended.

It writes two scripts into --out/slurm. cells.sh is the array
(#SBATCH --array=0-N-1, with %M from --max-parallel): task i runs
gradbench run --cell <key of the i-th pending cell> with the sweep's
flags, this gradbench binary by its absolute path (so build one; a go run
binary does not last) and the absolute --out. table.sh, a 10-minute job,
runs gradbench table over --out into --out/table.md (and curves.svg and
bench.txt) and lists the cells still pending. --submit submits both with
sbatch --parsable, the table job with --dependency=afterany:<array job>,
and prints both job ids. Task logs go to --out/slurm/logs.

The cells are named by key, so cells finishing between submission and
run never shift which task runs which cell. --out must be a directory
every node sees (a shared file system): tasks record cells there
atomically and lock the cell they train, so a cell submitted twice is
trained once. A task whose cell has a record exits 0 at once.

A task that fails (a node failure, a time limit, scancel) leaves its cell
without a record, and a killed task leaves its last epoch checkpoint: run
the same gradbench slurm command again and it submits exactly the cells
still pending, which resume from their checkpoints. Cells that another
task is training right now (a live lock) are not submitted again. With
nothing pending it says so and submits nothing.

Examples:

	gradbench slurm --recipe quick --ablation paper --seeds 3 --out /shared/runs --partition cpu --time 1:00:00 --cpus-per-task 8 --mem 8G
	gradbench slurm --recipe quick --ablation paper --seeds 3 --out /shared/runs --partition cpu --time 1:00:00 --cpus-per-task 8 --mem 8G --submit`,
	run: runSlurm,
}

// slurmFlags are the options of the job array.
type slurmFlags struct {
	partition, time, mem, jobName string
	cpus, maxParallel             int
	extra                         sbatchLines
	submit                        bool
}

// sbatchLines collects repeated --sbatch flags.
type sbatchLines []string

func (l *sbatchLines) String() string { return strings.Join(*l, "; ") }
func (l *sbatchLines) Set(s string) error {
	*l = append(*l, s)
	return nil
}

func (f *slurmFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&f.partition, "partition", "", "Slurm `partition` of every job (default: the cluster's default partition)")
	fs.StringVar(&f.time, "time", "", "time limit of each array task, in Slurm's format: minutes, `H:MM:SS` or D-HH:MM:SS (default: the partition's)")
	fs.IntVar(&f.cpus, "cpus-per-task", 0, "`CPUs` of each array task (default: the cluster's, usually 1)")
	fs.StringVar(&f.mem, "mem", "", "memory of each array task, such as 4G (default: the cluster's)")
	fs.IntVar(&f.maxParallel, "max-parallel", 0, "run at most `N` array tasks at once (default: no limit)")
	fs.Var(&f.extra, "sbatch", "an extra #SBATCH `line` for both jobs, such as --account=proj or '--qos=short' (repeatable)")
	fs.StringVar(&f.jobName, "job-name", "gradbench", "Slurm job `name` of the array (the table job adds -table)")
	fs.BoolVar(&f.submit, "submit", false, "submit the scripts with sbatch and print the job ids")
}

var (
	slurmTimeRE = regexp.MustCompile(`^(\d+-)?\d+(:\d+){0,2}$`)
	slurmMemRE  = regexp.MustCompile(`^\d+[KMGTkmgt]?$`)
	slurmNameRE = regexp.MustCompile(`^[A-Za-z0-9_.,+-]+$`)
)

// check validates the options and normalizes the extra lines to bare
// sbatch options.
func (f *slurmFlags) check() error {
	if f.partition != "" && !slurmNameRE.MatchString(f.partition) {
		return fmt.Errorf("bad --partition %q: want a partition name (letters, digits, _ . - or a comma-separated list)", f.partition)
	}
	if f.time != "" && !slurmTimeRE.MatchString(f.time) {
		return fmt.Errorf("bad --time %q: want minutes, MM:SS, H:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS", f.time)
	}
	if f.mem != "" && !slurmMemRE.MatchString(f.mem) {
		return fmt.Errorf("bad --mem %q: want an integer with an optional unit K, M, G or T, such as 4G", f.mem)
	}
	if f.cpus < 0 {
		return fmt.Errorf("bad --cpus-per-task %d: want an integer >= 1", f.cpus)
	}
	if f.maxParallel < 0 {
		return fmt.Errorf("bad --max-parallel %d: want an integer >= 1", f.maxParallel)
	}
	if !slurmNameRE.MatchString(f.jobName) {
		return fmt.Errorf("bad --job-name %q: want letters, digits, _ . - +", f.jobName)
	}
	for i, l := range f.extra {
		s := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "#SBATCH"))
		switch {
		case strings.ContainsAny(s, "\n\r"):
			return fmt.Errorf("bad --sbatch %q: one line only", l)
		case !strings.HasPrefix(s, "-"):
			return fmt.Errorf("bad --sbatch %q: want an sbatch option such as --account=proj", l)
		}
		name, _, _ := strings.Cut(strings.TrimLeft(s, "-"), "=")
		name, _, _ = strings.Cut(name, " ")
		switch name {
		case "a", "array", "d", "dependency":
			return fmt.Errorf("bad --sbatch %q: gradbench slurm sets --array and --dependency itself", l)
		}
		f.extra[i] = s
	}
	return nil
}

// slurmJob is everything the two scripts say.
type slurmJob struct {
	exe, out  string
	sweepArgs []string // the sweep's flags, --name=value, paths absolute
	order     string   // the sweep's canonical specs, for gradbench table
	paper     bool     // also the paper's ablation tables
	pending   []suite.CellState
	cells     int // cells in the sweep
	opts      *slurmFlags
}

func runSlurm(ctx context.Context, env *cmdEnv, fs *flag.FlagSet, args []string) error {
	var sf sweepFlags
	sf.define(fs)
	out := fs.String("out", filepath.Join("results", "runs"), "runs `directory` on a file system every node sees: records, checkpoints, table.md, and the scripts and logs under slurm/")
	var opts slurmFlags
	opts.define(fs)
	quiet := fs.Bool("quiet", false, "print only the job ids (or the scripts written), no hints or download progress on stderr")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	sweep, err := sf.sweep(fs)
	if err != nil {
		return err
	}
	if err := sweep.Check(); err != nil {
		return err
	}
	if err := opts.check(); err != nil {
		return err
	}
	job, err := newSlurmJob(fs, &sf, sweep, *out, &opts)
	if err != nil {
		return err
	}
	// Load the data and build the model once here, so that a dataset
	// missing or a model that does not fit fails now and not in every
	// task (a dataset found nowhere is downloaded into the user cache,
	// which compute nodes usually share).
	prep := &suite.Runner{}
	if !*quiet {
		prep.DataProgress, prep.DataProgressBar = env.stderr, env.stderrTTY
	}
	if err := prep.Prepare(ctx, &sweep.Workload); err != nil {
		return err
	}
	states, err := sweep.Plan(job.out)
	if err != nil {
		return err
	}
	running := 0
	for _, st := range states {
		switch {
		case st.State == suite.CellRunning:
			running++
		case !st.Finished():
			job.pending = append(job.pending, st)
		}
	}
	if len(job.pending) == 0 {
		msg := fmt.Sprintf("nothing to submit: all %d cells of the sweep have records in %s (gradbench table --runs %s)", len(states), job.out, job.out)
		if running > 0 {
			msg = fmt.Sprintf("nothing to submit: %d of the %d cells are being trained now (gradbench plan --pending shows where), the others have records", running, len(states))
		}
		_, err := fmt.Fprintln(env.stdout, msg)
		return err
	}
	if running > 0 && !*quiet {
		what := fmt.Sprintf("%d cells are being trained now by other processes (live locks)", running)
		if running == 1 {
			what = "1 cell is being trained now by another process (a live lock)"
		}
		fmt.Fprintf(env.stderr, "%s: not submitted again\n", what)
	}
	dir := filepath.Join(job.out, "slurm")
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o755); err != nil {
		return err
	}
	cellsPath, tablePath := filepath.Join(dir, "cells.sh"), filepath.Join(dir, "table.sh")
	if err := os.WriteFile(cellsPath, []byte(job.cellsScript()), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(tablePath, []byte(job.tableScript()), 0o755); err != nil {
		return err
	}
	if !opts.submit {
		_, err := fmt.Fprintf(env.stdout, "wrote %s (%s, one per pending cell of %d) and %s\nsubmit them with:\n\n\tjob=$(sbatch --parsable %s) && sbatch --dependency=afterany:${job%%%%;*} %s\n\nor run this command again with --submit\n",
			cellsPath, plural(len(job.pending), "array task"), job.cells, tablePath, cellsPath, tablePath)
		return err
	}
	arrayID, err := sbatch(ctx, job.out, cellsPath)
	if err != nil {
		return err
	}
	tableID, err := sbatch(ctx, job.out, "--dependency=afterany:"+arrayID, tablePath)
	if err != nil {
		return fmt.Errorf("array job %s is submitted, but not the table job: %w (submit it by hand: sbatch --dependency=afterany:%s %s)", arrayID, err, arrayID, tablePath)
	}
	fmt.Fprintf(env.stdout, "submitted array job %s (%s, one per pending cell of %d) and table job %s (after job %s ends)\n",
		arrayID, plural(len(job.pending), "task"), job.cells, tableID, arrayID)
	if *quiet {
		return nil
	}
	fmt.Fprintf(env.stderr, "logs: %s; table: %s once job %s ends\nthen list the cells still pending with gradbench plan --pending, and resubmit them with this same command\n",
		filepath.Join(dir, "logs", arrayID+"_<task>.out"), filepath.Join(job.out, "table.md"), tableID)
	return nil
}

// newSlurmJob collects what the scripts need: the absolute paths of this
// binary and of --out, and the sweep's flags as given, with the paths
// among them made absolute (tasks may start in another directory).
func newSlurmJob(fs *flag.FlagSet, sf *sweepFlags, sweep *suite.Sweep, out string, opts *slurmFlags) (*slurmJob, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("finding the gradbench binary for the job scripts: %w", err)
	}
	if exe, err = filepath.Abs(exe); err != nil {
		return nil, err
	}
	if err := checkExecutable(exe); err != nil {
		return nil, err
	}
	absOut, err := filepath.Abs(out)
	if err != nil {
		return nil, err
	}
	if strings.ContainsAny(absOut, "\"\n\r") {
		return nil, fmt.Errorf("--out %q holds a double quote or a line break, which #SBATCH lines cannot hold", absOut)
	}
	names := map[string]bool{}
	probe := flag.NewFlagSet("", flag.ContinueOnError)
	(&sweepFlags{}).define(probe)
	probe.VisitAll(func(fl *flag.Flag) { names[fl.Name] = true })
	var sweepArgs []string
	var ferr error
	fs.Visit(func(fl *flag.Flag) {
		if !names[fl.Name] {
			return
		}
		v := fl.Value.String()
		if fl.Name == "data" && v != "" || fl.Name == "recipe" && !slices.Contains(suite.RecipeNames(), v) {
			a, err := filepath.Abs(v)
			if err != nil && ferr == nil {
				ferr = err
			}
			v = a
		}
		sweepArgs = append(sweepArgs, "--"+fl.Name+"="+v)
	})
	if ferr != nil {
		return nil, ferr
	}
	var order []string
	for _, s := range sweep.Specs {
		order = append(order, s.String())
	}
	return &slurmJob{
		exe: exe, out: absOut, sweepArgs: sweepArgs, order: strings.Join(order, ","), paper: sf.ablation == "paper",
		cells: len(sweep.Cells()), opts: opts,
	}, nil
}

// checkExecutable rejects a binary that go run built: the tasks run the
// binary by its path, and go run leaves it in a temporary directory it
// deletes on exit or (Go 1.24 and later) in the build cache, which
// go clean -cache and cache trimming delete. Test binaries (*.test) pass.
func checkExecutable(exe string) error {
	if strings.Contains(exe, "go-build") && !strings.HasSuffix(exe, ".test") {
		return fmt.Errorf("the job scripts would run this gradbench binary by its path, %s, which go run built in a temporary directory or the build cache: build one (go build -o ~/bin/gradbench ./cmd/gradbench) and run gradbench slurm with it", exe)
	}
	return nil
}

// sbatchValue quotes a value for an #SBATCH line when it holds blanks.
func sbatchValue(s string) string {
	if strings.ContainsAny(s, " \t") {
		return `"` + s + `"`
	}
	return s
}

// header writes the #SBATCH lines common to both jobs and the job's own.
func (j *slurmJob) header(b *bytes.Buffer, own ...string) {
	b.WriteString("#!/bin/bash\n")
	for _, l := range own {
		fmt.Fprintf(b, "#SBATCH %s\n", l)
	}
	if j.opts.partition != "" {
		fmt.Fprintf(b, "#SBATCH --partition=%s\n", j.opts.partition)
	}
}

func (j *slurmJob) extra(b *bytes.Buffer) {
	for _, l := range j.opts.extra {
		fmt.Fprintf(b, "#SBATCH %s\n", l)
	}
}

// cellsScript returns the job array script.
func (j *slurmJob) cellsScript() string {
	var b bytes.Buffer
	array := fmt.Sprintf("--array=0-%d", len(j.pending)-1)
	if j.opts.maxParallel > 0 {
		array += fmt.Sprintf("%%%d", j.opts.maxParallel)
	}
	j.header(&b, "--job-name="+j.opts.jobName, array, "--output="+sbatchValue(filepath.Join(j.out, "slurm", "logs", "%A_%a.out")))
	if j.opts.time != "" {
		fmt.Fprintf(&b, "#SBATCH --time=%s\n", j.opts.time)
	}
	if j.opts.cpus > 0 {
		fmt.Fprintf(&b, "#SBATCH --cpus-per-task=%d\n", j.opts.cpus)
	}
	if j.opts.mem != "" {
		fmt.Fprintf(&b, "#SBATCH --mem=%s\n", j.opts.mem)
	}
	j.extra(&b)
	fmt.Fprintf(&b, "#\n# Written by gradbench slurm: %d pending cells of the %d of the sweep\n", len(j.pending), j.cells)
	fmt.Fprintf(&b, "#   gradbench run %s\n", strings.Join(quoteAll(j.sweepArgs), " "))
	b.WriteString("# Array task i trains the cell whose key is cells[i] (gradbench plan lists\n")
	b.WriteString("# them) and records it in --out; a cell recorded meanwhile exits at once.\n")
	b.WriteString("# The cells still pending after this array are resubmitted by the same\n# gradbench slurm command.\n#\n")
	var t bytes.Buffer
	tw := tabwriter.NewWriter(&t, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#   task\tcell\tkey\testimator\tseed")
	keys := make([]string, len(j.pending))
	for i, st := range j.pending {
		fmt.Fprintf(tw, "#   %d\t%d\t%s\t%s\t%d\n", i, st.Index, st.Key, st.Spec, st.Seed)
		keys[i] = st.Key
	}
	tw.Flush()
	for _, l := range strings.Split(strings.TrimSuffix(t.String(), "\n"), "\n") {
		b.WriteString(strings.TrimRight(l, " ") + "\n") // tabwriter pads the last column
	}
	b.WriteString("set -euo pipefail\n")
	fmt.Fprintf(&b, "cells=(%s)\n", strings.Join(keys, " "))
	b.WriteString("task=${SLURM_ARRAY_TASK_ID:?not a Slurm array task: submit this script with sbatch}\n")
	b.WriteString("if ((task < 0 || task >= ${#cells[@]})); then\n")
	b.WriteString("\techo \"gradbench: array task $task has no cell: this array has ${#cells[@]} tasks\" >&2\n\texit 1\nfi\n")
	fmt.Fprintf(&b, "exec %s run --cell \"${cells[task]}\" --out=%s %s\n", shellQuote(j.exe), shellQuote(j.out), strings.Join(quoteAll(j.sweepArgs), " "))
	return b.String()
}

// tableScript returns the script of the job that builds the table.
func (j *slurmJob) tableScript() string {
	var b bytes.Buffer
	j.header(&b, "--job-name="+j.opts.jobName+"-table", "--output="+sbatchValue(filepath.Join(j.out, "slurm", "logs", "table-%j.out")), "--time=10")
	j.extra(&b)
	b.WriteString("#\n# Written by gradbench slurm: runs after the array job ends (afterany), builds\n")
	b.WriteString("# the sweep's table from the records in --out into table.md (with curves.svg\n")
	b.WriteString("# and bench.txt) and lists the cells still pending (failed tasks).\n")
	b.WriteString("set -uo pipefail\n")
	fmt.Fprintf(&b, "gradbench=%s\nout=%s\n", shellQuote(j.exe), shellQuote(j.out))
	order := shellQuote(j.order)
	b.WriteString("status=0\n")
	fmt.Fprintf(&b, "\"$gradbench\" table --runs \"$out\" --estimators %s --curves \"$out/curves.svg\" --bench \"$out/bench.txt\" >\"$out/.table.md.tmp\" || status=$?\n", order)
	if j.paper {
		fmt.Fprintf(&b, "if [ $status = 0 ]; then\n\t{ echo; \"$gradbench\" table --runs \"$out\" --ablation paper --estimators %s; } >>\"$out/.table.md.tmp\" || status=$?\nfi\n", order)
	}
	b.WriteString("if [ $status = 0 ]; then\n\tmv -f \"$out/.table.md.tmp\" \"$out/table.md\"\n\tcat \"$out/table.md\"\nelse\n\trm -f \"$out/.table.md.tmp\"\nfi\n")
	fmt.Fprintf(&b, "\"$gradbench\" plan --pending --out=\"$out\" %s || status=$?\n", strings.Join(quoteAll(j.sweepArgs), " "))
	b.WriteString("exit $status\n")
	return b.String()
}

// sbatch submits a script with sbatch --parsable and returns the job id.
func sbatch(ctx context.Context, dir string, args ...string) (string, error) {
	path, err := exec.LookPath("sbatch")
	if err != nil {
		return "", fmt.Errorf("sbatch not found (is this a Slurm login node?); the scripts are written, submit them by hand: %w", err)
	}
	args = append([]string{"--parsable"}, args...)
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		var ee *exec.ExitError
		if errors.As(err, &ee) && msg != "" {
			return "", fmt.Errorf("sbatch %s: %s", strings.Join(args, " "), msg)
		}
		return "", fmt.Errorf("sbatch %s: %w", strings.Join(args, " "), err)
	}
	// --parsable prints "jobid" or "jobid;cluster".
	id, _, _ := strings.Cut(strings.TrimSpace(string(out)), ";")
	if _, err := strconv.ParseUint(id, 10, 64); err != nil {
		return "", fmt.Errorf("sbatch %s printed %q, want a job id", strings.Join(args, " "), strings.TrimSpace(string(out)))
	}
	return id, nil
}

func quoteAll(args []string) []string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = shellQuote(a)
	}
	return q
}

// shellQuote quotes s for bash when it holds anything but plain
// characters.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:=,+@%-") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
