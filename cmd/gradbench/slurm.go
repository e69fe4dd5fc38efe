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
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gradbench/gradbench/internal/cli"
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
(#SBATCH --array=0-(N-1) over the N pending cells, with %M appended
when --max-parallel gives M): task i runs
gradbench run --cell <key of the i-th pending cell> with the sweep's
flags, this gradbench binary by its absolute path (so build one; a go run
binary does not last) and the absolute --out. table.sh, a 10-minute job,
runs gradbench run --no-train with the sweep's flags, which trains nothing
and writes --out/table.md, curves.svg and bench.txt as gradbench run of
the sweep writes them: over every record in --out, other sweeps' too, the
sweep's estimators and workloads first (an estimator none of whose cells
of a workload finished is a "not run" row there); then it lists the cells
still pending. --submit submits both with sbatch --parsable, the table
job with --dependency=afterany:<array job>, and prints both job ids.
Without --submit it prints the shell command that submits both on stdout
(gradbench slurm ... | sh runs it), and which scripts it wrote on stderr.
Task logs go to --out/slurm/logs: a task's log has a line per finished
epoch of its cell (training loss, test top-1, images per second, time
left), then the cell's result.

Where scontrol is on PATH, an array of more tasks than the cluster's
MaxArraySize (scontrol show config; Slurm's default, 1001, takes indices
0 to 1000) allows is refused before anything is written, with what to do
instead: submit the sweep in parts (a range of --seeds, or fewer
--estimators) into the same --out. Without --submit scontrol is given 3
seconds to answer; stderr says whether the array was checked, and
cells.sh says in its comments how many tasks it has and what bounds them.

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
nothing pending it says so on stderr, prints nothing on stdout and
submits nothing.

With --keep-epochs every task runs gradbench run --keep-epochs, keeping
its run's weights after each epoch for gradbench fidelity --epochs. As
with gradbench run, it is refused where --out holds cells done or begun
without it, whose earlier epochs' weights no task would write, or cells
another live process is training now without it.

Examples:

	gradbench slurm --recipe quick --ablation paper --seeds 3 \
	    --out /shared/runs --partition cpu --time 1:00:00 \
	    --cpus-per-task 8 --mem 8G
	gradbench slurm --recipe quick --ablation paper --seeds 3 \
	    --out /shared/runs --partition cpu --time 1:00:00 \
	    --cpus-per-task 8 --mem 8G --submit`,
	run:           runSlurm,
	interruptible: true,
}

// slurmFlags are the options of the job array.
type slurmFlags struct {
	opts   suite.SlurmOptions
	extra  sbatchLines
	submit bool
}

// sbatchLines collects repeated --sbatch flags.
type sbatchLines []string

func (l *sbatchLines) String() string { return strings.Join(*l, "; ") }
func (l *sbatchLines) Set(s string) error {
	*l = append(*l, s)
	return nil
}

// Repeatable marks --sbatch as a flag given once per line (see parseFlags).
func (l *sbatchLines) Repeatable() {}

// positiveInt is an int flag that, when given, must be at least 1: its
// zero value means "not given" (the cluster's default), so a 0 on the
// command line is refused rather than read as that. max is the largest
// Slurm reads, which digits past an int are refused with (a value in an
// int past it is refused by SlurmOptions.Validate, which says why).
type positiveInt struct {
	v     *int
	max   int
	typed *string // the value as typed (cli.TypedValue)
}

func (p positiveInt) Typed() string {
	if p.typed == nil {
		return ""
	}
	return *p.typed
}

func (p positiveInt) String() string {
	if p.v == nil {
		return "0"
	}
	return strconv.Itoa(*p.v)
}

func (p positiveInt) Set(s string) error {
	n, ok := cli.Digits(s)
	if !ok && s != "" && strings.Trim(s, "0123456789") == "" {
		// Plain digits, but past an int: say so, not that they are
		// not plain digits.
		return fmt.Errorf("value out of range: want an integer from 1 to %d", p.max)
	}
	if !ok || n < 1 {
		return errors.New("want an integer >= 1 in plain digits")
	}
	*p.v = n
	*p.typed = s
	return nil
}

func (f *slurmFlags) define(fs *flag.FlagSet) {
	o := &f.opts
	fs.StringVar(&o.Partition, "partition", "", "Slurm `partition` of every job (default: the cluster's default partition)")
	fs.StringVar(&o.Time, "time", "", "time limit of each array task, in Slurm's format: minutes, `H:MM:SS` or D-HH:MM:SS, written as given (Slurm rounds seconds up to a minute; 0 is Slurm's no limit, which a partition with a finite MaxTime leaves pending or refuses) (default: the partition's)")
	fs.Var(positiveInt{&o.CPUs, suite.SlurmMaxCPUs, new(string)}, "cpus-per-task", "`CPUs` of each array task (default: the cluster's, usually 1)")
	fs.StringVar(&o.Mem, "mem", "", "memory of each array task, such as 4G: megabytes without a unit, written as given (Slurm rounds K up to a megabyte; 0 is Slurm's all of a node's memory) (default: the cluster's)")
	fs.Var(positiveInt{&o.MaxParallel, suite.SlurmMaxParallel, new(string)}, "max-parallel", "run at most `N` array tasks at once (default: no limit)")
	fs.Var(&f.extra, "sbatch", "an extra #SBATCH `line` for both jobs, such as --account=proj or '--qos=short' (repeatable; read as sbatch reads it, and refused if any of its words, -c2 or --cpus-per-task 2 alike, is an option gradbench slurm sets or has a flag for, --error and --output included, or one sbatch refuses beside such a flag given: --mem-per-cpu and --mem-per-gpu with --mem, --cpus-per-gpu with --cpus-per-task)")
	fs.StringVar(&o.JobName, "job-name", "gradbench", "Slurm job `name` of the array (the table job adds -table)")
	fs.BoolVar(&f.submit, "submit", false, "submit the scripts with sbatch and print the job ids")
}

func runSlurm(ctx context.Context, env *cmdEnv, fs *flag.FlagSet, args []string) error {
	var sf sweepFlags
	sf.define(fs)
	out := fs.String("out", defaultRunsDir, "runs `directory` on a file system every node sees: records, checkpoints, table.md, and the scripts and logs under slurm/")
	var f slurmFlags
	f.define(fs)
	quiet := fs.Bool("quiet", false, "print no hints, no scripts written and no download progress on stderr (stdout is the same: the jobs submitted, or the command that submits them)")
	keep := fs.Bool("keep-epochs", false, keepEpochsUsage+" (the array tasks run gradbench run --keep-epochs)")
	sweep, err := sf.parse(fs, args)
	if err != nil {
		return err
	}
	sweepArgs, err := sweepArgs(fs)
	if err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("slurm: finding the gradbench binary for the job scripts: %w", err)
	}
	// As gradbench run checks it: --out takes files at all (a read-only
	// file system, a directory the user may not write), before the data
	// is loaded and the sweep planned, not when the scripts are written
	// after them.
	if err := suite.ProbeOutputDir("--out", *out); err != nil {
		return fmt.Errorf("slurm: %w; no script was written or submitted", err)
	}
	f.opts.Extra = f.extra
	f.opts.Typed = cli.Typed(fs)
	runner := &suite.Runner{}
	if !*quiet {
		runner.DataProgress, runner.DataProgressBar, runner.DataColumns = env.stderr, env.stderrTTY, env.stderrColumns
	}
	jobs, err := runner.Slurm(ctx, suite.SlurmSpec{Sweep: sweep, Exe: exe, Out: *out, Args: sweepArgs, KeepEpochs: *keep, Options: f.opts})
	if err != nil {
		return err
	}
	if len(jobs.Pending) == 0 {
		msg := fmt.Sprintf("nothing to submit: all %d cells of the sweep have records in %s (gradbench table --runs %s)", jobs.Total, jobs.Out, jobs.Out)
		if jobs.Running > 0 {
			msg = fmt.Sprintf("nothing to submit: %d of the %d cells are being trained now (gradbench plan --pending shows where), the others have records", jobs.Running, jobs.Total)
		}
		// Status, on stderr: stdout stays empty, so a script reading the
		// job ids (or piping the submit command to sh) gets none.
		_, err := fmt.Fprintln(env.stderr, msg)
		return err
	}
	if jobs.Running > 0 && !*quiet {
		what := fmt.Sprintf("%d cells are being trained now by other processes (live locks)", jobs.Running)
		if jobs.Running == 1 {
			what = "1 cell is being trained now by another process (a live lock)"
		}
		fmt.Fprintf(env.stderr, "%s: not submitted again\n", what)
	}
	// Before anything is written: scripts that sbatch would refuse, and
	// the command printed to submit them, are of no use either.
	arrayNote, err := checkArraySize(ctx, len(jobs.Pending), f.submit)
	if err != nil {
		return err
	}
	if *quiet {
		arrayNote = ""
	}
	if err := jobs.Write(); err != nil {
		return err
	}
	if !f.submit {
		// The scripts written are status, on stderr, as for run and
		// table; the command that submits them is the output, alone on
		// stdout, so that gradbench slurm ... | sh submits them.
		if !*quiet {
			fmt.Fprintf(env.stderr, "wrote %s (%s, one per pending cell of %d) and %s\n",
				jobs.CellsPath, plural(len(jobs.Pending), "array task"), jobs.Total, jobs.TablePath)
			if arrayNote != "" {
				fmt.Fprintln(env.stderr, arrayNote)
			}
			fmt.Fprintln(env.stderr, "submit them with this command (on stdout: pipe it to sh), or run this command again with --submit:")
		}
		_, err := fmt.Fprintln(env.stdout, jobs.SubmitCommand())
		return err
	}
	if arrayNote != "" {
		fmt.Fprintln(env.stderr, arrayNote)
	}
	arrayID, err := sbatch(ctx, jobs.Out, jobs.CellsPath)
	if err != nil {
		return fmt.Errorf("slurm: %w", err)
	}
	tableID, err := sbatch(ctx, jobs.Out, "--dependency=afterany:"+arrayID, jobs.TablePath)
	if err != nil {
		return fmt.Errorf("slurm: array job %s is submitted, but not the table job: %w (submit it by hand: %s)", arrayID, err, jobs.TableSubmitCommand(arrayID))
	}
	fmt.Fprintf(env.stdout, "submitted array job %s (%s, one per pending cell of %d) and table job %s (after job %s ends)\n",
		arrayID, plural(len(jobs.Pending), "task"), jobs.Total, tableID, arrayID)
	if *quiet {
		return nil
	}
	fmt.Fprintf(env.stderr, "logs: %s; table: %s once job %s ends\nthen list the cells still pending with gradbench plan --pending, and resubmit them with this same command\n",
		filepath.Join(jobs.LogDir, arrayID+"_<task>.out"), filepath.Join(jobs.Out, "table.md"), tableID)
	return nil
}

// sweepArgs returns the sweep's flags as given on the command line, as
// --name=value, with the paths among them made absolute (tasks may start
// in another directory).
func sweepArgs(fs *flag.FlagSet) ([]string, error) {
	names := map[string]bool{}
	probe := flag.NewFlagSet("", flag.ContinueOnError)
	(&sweepFlags{}).define(probe)
	probe.VisitAll(func(fl *flag.Flag) { names[fl.Name] = true })
	var args []string
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
		args = append(args, "--"+fl.Name+"="+v)
	})
	return args, ferr
}

// checkArraySize refuses an array of tasks tasks that the cluster's
// MaxArraySize does not allow, where scontrol can tell it: sbatch would
// refuse it only with "Invalid job array specification". With submit,
// scontrol is asked as long as it takes (sbatch needs the same
// controller); without, for at most scontrolWait, as the scripts may be
// written where no controller answers. It returns a note for stderr:
// whether the array was checked, and what bounds it where it was not.
// With submit and no scontrol the array is not checked, and there is no
// note: sbatch then says why it cannot submit. An interrupt of the
// command (ctx canceled) while scontrol runs is an error.
func checkArraySize(ctx context.Context, tasks int, submit bool) (note string, err error) {
	ask := ctx
	if !submit {
		var cancel context.CancelFunc
		ask, cancel = context.WithTimeout(ctx, scontrolWait)
		defer cancel()
	}
	limit, err := clusterMaxArraySize(ask)
	if ctx.Err() != nil {
		// Interrupted (a Ctrl-C kills scontrol with the command), which
		// is no scontrol that cannot tell the limit: stop, as the command
		// does anywhere else, rather than write the scripts.
		return "", fmt.Errorf("slurm: interrupted (%w) before the scripts were written; no script was written or submitted", ctx.Err())
	}
	bound := fmt.Sprintf("Slurm takes an array only if its last index, %d, is below it (%d unless the cluster sets another)", tasks-1, suite.SlurmDefaultMaxArraySize)
	switch {
	case errors.Is(err, exec.ErrNotFound):
		if submit {
			return "", nil
		}
		return fmt.Sprintf("the array of %s is not checked against a cluster's MaxArraySize (no scontrol on PATH); %s", plural(tasks, "task"), bound), nil
	case err != nil:
		if ask.Err() == context.DeadlineExceeded {
			err = fmt.Errorf("scontrol show config did not answer within %v", scontrolWait)
		}
		msg := fmt.Sprintf("the array of %s is not checked against the cluster's MaxArraySize: %v", plural(tasks, "task"), err)
		if !submit {
			msg += "; " + bound
		}
		return msg, nil
	case limit == 0:
		return "", fmt.Errorf("slurm: this cluster's MaxArraySize (scontrol show config) is 0, which turns job arrays off, and gradbench slurm submits the sweep's %s as one: ask the cluster's administrators to turn them on, or train the cells with gradbench run (--cell <key> trains one; gradbench plan lists the keys)",
			plural(tasks, "pending cell"))
	case int64(tasks) > limit:
		// The indices run from 0 to MaxArraySize-1.
		return "", fmt.Errorf("slurm: the sweep has %s, one array task each, more than the %d tasks this cluster's MaxArraySize (scontrol show config) lets one job array hold: submit the sweep in parts of at most %d cells into the same --out (a range of --seeds, such as --seeds 1..3 and then 4..6, or fewer --estimators) and, once their arrays have ended, this command, which submits whatever is still pending; or ask the cluster's administrators to raise MaxArraySize",
			plural(tasks, "pending cell"), limit, limit)
	case !submit:
		verb := "are"
		if tasks == 1 {
			verb = "is"
		}
		return fmt.Sprintf("the array's %s %s within this cluster's MaxArraySize, %d (scontrol show config)", plural(tasks, "task"), verb, limit), nil
	}
	return "", nil
}

// scontrolWait is how long gradbench slurm without --submit waits for
// scontrol show config: one whose controller does not answer takes about
// 9 s to say so. A variable for the tests.
var scontrolWait = 3 * time.Second

// clusterMaxArraySize is maxArraySize; the tests replace it so that no
// scontrol installed on the machine is asked (see TestMain).
var clusterMaxArraySize = maxArraySize

// maxArraySize returns the cluster's MaxArraySize from scontrol show
// config, or an error wrapping exec.ErrNotFound without scontrol.
func maxArraySize(ctx context.Context) (int64, error) {
	path, err := exec.LookPath("scontrol")
	if err != nil {
		return 0, err
	}
	cmd := exec.CommandContext(ctx, path, "show", "config")
	// Killed at the context's end, it may leave a child holding its
	// output open: wait no longer for that.
	cmd.WaitDelay = time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return 0, fmt.Errorf("scontrol show config: %s", msg)
		}
		return 0, fmt.Errorf("scontrol show config: %w", err)
	}
	// Lines of "Name = value", the name padded with spaces.
	for _, line := range strings.Split(string(out), "\n") {
		name, value, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(name) != "MaxArraySize" {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("scontrol show config gives MaxArraySize %q, want a count", strings.TrimSpace(value))
		}
		return n, nil
	}
	return 0, errors.New("scontrol show config gives no MaxArraySize")
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
