package suite

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"al.essio.dev/pkg/shellescape"

	"github.com/gradbench/gradbench/data"
)

// A SlurmSpec says which job array to write for a sweep.
type SlurmSpec struct {
	Sweep *Sweep
	// Exe is the gradbench binary the jobs run, Out the runs directory,
	// which every node must see. Both are made absolute.
	Exe, Out string
	// Args are the sweep's flags as gradbench run takes them
	// (--name=value), with paths absolute: the tasks pass them on, and
	// the table job gives them to gradbench run --no-train (its
	// --ablation among them).
	Args []string
	// KeepEpochs makes every array task keep its run's weights after each
	// epoch (gradbench run --keep-epochs, Runner.KeepEpochs), for
	// gradbench fidelity --epochs. As with gradbench run, a sweep whose
	// cells in Out are done or to resume without the weights of the epochs
	// they already trained, or trained now by a live process without
	// KeepEpochs, is refused (checkKeepEpochs).
	KeepEpochs bool
	Options    SlurmOptions
}

// SlurmJobs are the scripts of a sweep's job array and table job, and
// the cells they train.
type SlurmJobs struct {
	// Dir is where the scripts go (<out>/slurm) and LogDir where the
	// tasks write their logs; CellsPath and TablePath are the scripts'
	// paths and Cells and Table their text (empty when nothing is
	// pending).
	Dir, LogDir          string
	CellsPath, TablePath string
	Cells, Table         string
	// Out is the absolute runs directory.
	Out string
	// Pending are the cells the array trains, one task each; Running
	// counts the cells left out because a live process trains them now,
	// Total the cells of the sweep.
	Pending        []CellState
	Running, Total int
}

// Slurm plans a Slurm job array that trains the sweep's pending cells (see
// Sweep.Plan), one array task per cell, and a job that builds the table
// once the array has ended. It loads the data and builds the model once
// first (Prepare), so that a missing dataset fails here and not in every
// task, and refuses a sweep whose Out holds a record of its dataset (of
// its cells or another's) trained on other data files than those read
// now, as Runner.Run does (CheckData; records without data digests are
// taken unchecked). It writes nothing: the caller writes the
// scripts and submits them (SubmitCommand).
func (r *Runner) Slurm(ctx context.Context, s SlurmSpec) (*SlurmJobs, error) {
	if err := s.Sweep.Check(); err != nil {
		return nil, err
	}
	if err := checkRunsDir(s.Out); err != nil {
		return nil, err
	}
	// The scripts and the logs directory are checked before the data
	// is loaded and the sweep planned, by --out as given.
	if err := CheckOutputDir("--out", s.Out, slurmFiles...); err != nil {
		return nil, fmt.Errorf("suite: %w", err)
	}
	if err := s.Options.Validate(); err != nil {
		return nil, err
	}
	// --data reaches the scripts made absolute; $GRADBENCH_DATA reaches the
	// tasks through their environment as it is, and an array task may
	// start in another directory (sbatch --submit's is --out), where a
	// relative one names another directory than the one checked here.
	if env := os.Getenv(data.EnvDataDir); env != "" && !filepath.IsAbs(env) && s.Sweep.Workload.DataDir == "" {
		if _, generated := data.KnownSize(s.Sweep.Workload.Recipe.Dataset, data.Train); !generated {
			return nil, fmt.Errorf("suite: $%s is %q, a relative path: the array tasks may start in another directory, where it would name another one: set it to an absolute path, or give --data", data.EnvDataDir, env)
		}
	}
	exe, err := filepath.Abs(s.Exe)
	if err != nil {
		return nil, err
	}
	if err := checkExecutable(exe); err != nil {
		return nil, err
	}
	out, err := filepath.Abs(s.Out)
	if err != nil {
		return nil, err
	}
	if strings.ContainsAny(out, "\n\r") {
		return nil, fmt.Errorf("suite: --out %q holds a line break, which #SBATCH lines cannot hold", out)
	}
	if strings.Contains(out, `\`) {
		// A backslash in --output turns off Slurm's %A_%a: every task
		// would write the one log file named so.
		return nil, fmt.Errorf("suite: --out %q holds a backslash, which keeps Slurm from naming each task's log file (--output)", out)
	}
	s.Exe, s.Out = exe, out
	if s.KeepEpochs {
		// Before the data is loaded, as gradbench run checks it.
		if err := r.checkEpochWeights(ctx, out, s.Sweep.Cells()); err != nil {
			return nil, err
		}
	}
	if err := r.Prepare(ctx, &s.Sweep.Workload); err != nil {
		return nil, err
	}
	// Every array task would refuse a cell whose training batches its
	// network cannot train (see checkNormBatch): refused here instead.
	if err := r.checkNormBatches(ctx, s.Sweep.Cells()); err != nil {
		return nil, err
	}
	// The data are loaded: a record trained on other files than those
	// read now is refused, as gradbench run refuses it (CheckData): the
	// array, which leaves recorded cells out, would never meet one of the
	// sweep's cells, and the table job, which tabulates every record of
	// --out, would tabulate it as the sweep's, or refuse, once the array
	// had trained, another cell's record of the same dataset beside the
	// sweep's.
	if err := r.checkData(ctx, out, s.Sweep); err != nil {
		return nil, err
	}
	states, err := s.Sweep.Plan(out)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(out, "slurm")
	j := &SlurmJobs{Dir: dir, LogDir: filepath.Join(dir, "logs"), CellsPath: filepath.Join(dir, "cells.sh"), TablePath: filepath.Join(dir, "table.sh"),
		Out: out, Total: len(states)}
	for _, st := range states {
		switch {
		case st.State == CellRunning:
			j.Running++
		case !st.Finished():
			j.Pending = append(j.Pending, st)
		}
	}
	if len(j.Pending) > 0 {
		j.Cells, j.Table = s.cellsScript(j.Pending, j.Total), s.tableScript(states)
	}
	return j, nil
}

// slurmFiles are what SlurmJobs.Write writes into the runs directory.
var slurmFiles = []string{"slurm/cells.sh", "slurm/table.sh", "slurm/logs/"}

// Write creates the logs directory and writes the two scripts,
// executable (less the umask), both or neither (see outputBatch).
func (j *SlurmJobs) Write() error {
	if err := os.MkdirAll(j.LogDir, 0o755); err != nil {
		return wrapErr("suite: slurm", err)
	}
	var batch outputBatch
	defer batch.abort()
	for _, f := range []struct{ path, text string }{{j.CellsPath, j.Cells}, {j.TablePath, j.Table}} {
		if err := batch.addPerm(f.path, []byte(f.text), 0o777); err != nil {
			return wrapErr("suite: slurm", err)
		}
	}
	if err := batch.commit(); err != nil {
		return wrapErr("suite: slurm", err)
	}
	return nil
}

// SubmitCommand returns the shell command that submits the two scripts,
// the table job after the array.
func (j *SlurmJobs) SubmitCommand() string {
	return fmt.Sprintf("job=$(sbatch --parsable %s) && sbatch --dependency=afterany:${job%%%%;*} %s", shellescape.Quote(j.CellsPath), shellescape.Quote(j.TablePath))
}

// TableSubmitCommand returns the shell command that submits the table
// job after the array job arrayID.
func (j *SlurmJobs) TableSubmitCommand(arrayID string) string {
	return fmt.Sprintf("sbatch --dependency=afterany:%s %s", arrayID, shellescape.Quote(j.TablePath))
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

// sbatchOutput returns the value of an #SBATCH --output line for the
// file pattern (%A_%a.out) in the directory dir. sbatch reads an #SBATCH
// line with blanks between words, quotes grouping, a backslash escaping
// the next character and an unquoted # starting a comment (sbatchWords),
// so each of those characters in dir is escaped with a backslash; and
// Slurm reads a % in the value as a pattern, so each % of dir is
// doubled (%% is a %). dir holds no backslash or line break (Slurm
// refuses them).
func sbatchOutput(dir, pattern string) string {
	var b strings.Builder
	for _, c := range dir {
		switch c {
		case ' ', '\t', '\'', '"', '#':
			b.WriteByte('\\')
		case '%':
			b.WriteByte('%')
		}
		b.WriteRune(c)
	}
	return b.String() + string(filepath.Separator) + pattern
}

// header writes the #SBATCH lines common to both jobs and the job's own.
func (s *SlurmSpec) header(b *bytes.Buffer, own ...string) {
	b.WriteString("#!/bin/bash\n")
	for _, l := range own {
		fmt.Fprintf(b, "#SBATCH %s\n", l)
	}
	if s.Options.Partition != "" {
		fmt.Fprintf(b, "#SBATCH --partition=%s\n", s.Options.Partition)
	}
}

func (s *SlurmSpec) extra(b *bytes.Buffer) {
	for _, l := range s.Options.Extra {
		fmt.Fprintf(b, "#SBATCH %s\n", l)
	}
}

// SlurmDefaultMaxArraySize is Slurm's MaxArraySize where slurm.conf sets
// none: an array's indices must be below it, so an array holds at most
// 1001 tasks, indices 0 to 1000.
const SlurmDefaultMaxArraySize = 1001

// cellsScript returns the job array script.
func (s *SlurmSpec) cellsScript(pending []CellState, total int) string {
	o := &s.Options
	var b bytes.Buffer
	array := fmt.Sprintf("--array=0-%d", len(pending)-1)
	if o.MaxParallel > 0 {
		array += fmt.Sprintf("%%%d", o.MaxParallel)
	}
	s.header(&b, "--job-name="+o.JobName, array, "--output="+sbatchOutput(filepath.Join(s.Out, "slurm", "logs"), "%A_%a.out"))
	if o.Time != "" {
		fmt.Fprintf(&b, "#SBATCH --time=%s\n", o.Time)
	}
	if o.CPUs > 0 {
		fmt.Fprintf(&b, "#SBATCH --cpus-per-task=%d\n", o.CPUs)
	}
	if o.Mem != "" {
		fmt.Fprintf(&b, "#SBATCH --mem=%s\n", o.Mem)
	}
	s.extra(&b)
	fmt.Fprintf(&b, "#\n# Written by gradbench slurm: %d pending cells of the %d of the sweep\n", len(pending), total)
	// A flag may hold a line break (quoted, the exec line below takes
	// it): each line of the command is a comment line of its own.
	fmt.Fprintf(&b, "#   gradbench run %s\n", strings.ReplaceAll(strings.Join(s.runArgs(), " "), "\n", "\n#   "))
	// sbatch refuses an array whose last index is not below the cluster's
	// MaxArraySize with only "Invalid job array specification".
	tasks := fmt.Sprintf("%d tasks, indices 0 to %d", len(pending), len(pending)-1)
	if len(pending) == 1 {
		tasks = "1 task, index 0"
	}
	fmt.Fprintf(&b, "# This array has %s: Slurm takes it only where its last\n# index, %d, is below the cluster's MaxArraySize (%d unless the cluster sets\n# another; scontrol show config shows it).\n",
		tasks, len(pending)-1, SlurmDefaultMaxArraySize)
	b.WriteString("# Array task i trains the cell whose key is cells[i] (gradbench plan lists\n")
	b.WriteString("# them) and records it in --out; a cell recorded meanwhile exits at once.\n")
	b.WriteString("# The cells still pending after this array are resubmitted by the same\n# gradbench slurm command.\n#\n")
	var t bytes.Buffer
	tw := tabwriter.NewWriter(&t, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#   task\tcell\tkey\testimator\tseed")
	keys := make([]string, len(pending))
	for i, st := range pending {
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
	fmt.Fprintf(&b, "exec %s run --cell \"${cells[task]}\" --out=%s %s\n", shellescape.Quote(s.Exe), shellescape.Quote(s.Out), strings.Join(s.runArgs(), " "))
	return b.String()
}

// runArgs are the flags, shell-quoted, that the array tasks give
// gradbench run besides --cell and --out: the sweep's, and --keep-epochs
// with KeepEpochs.
func (s *SlurmSpec) runArgs() []string {
	args := make([]string, len(s.Args))
	for i, a := range s.Args {
		args[i] = shellescape.Quote(a)
	}
	if s.KeepEpochs {
		args = append(args, "--keep-epochs")
	}
	return args
}

// tableScript returns the script of the job that builds the table.
func (s *SlurmSpec) tableScript(states []CellState) string {
	var b bytes.Buffer
	s.header(&b, "--job-name="+s.Options.JobName+"-table", "--output="+sbatchOutput(filepath.Join(s.Out, "slurm", "logs"), "table-%j.out"), "--time=10")
	s.extra(&b)
	b.WriteString("#\n# Written by gradbench slurm: runs after the array job ends (afterany), writes\n")
	b.WriteString("# table.md, curves.svg and bench.txt into --out as gradbench run of the sweep\n")
	b.WriteString("# does (run --no-train: every record in --out, the sweep's first) and lists\n")
	b.WriteString("# the cells still pending (failed tasks): an estimator with none of its cells\n")
	b.WriteString("# recorded is a \"not run\" row, and a line \"gradbench: FAILED: ...\" names\n")
	b.WriteString("# the cells without a record.\n")
	b.WriteString("set -uo pipefail\n")
	fmt.Fprintf(&b, "gradbench=%s\nout=%s\n", shellescape.Quote(s.Exe), shellescape.Quote(s.Out))
	b.WriteString("status=0\n")
	// The files gradbench run of the sweep writes once its cells have
	// records, by the same code: every record of --out, other sweeps'
	// too, the sweep's estimators and workloads first, in its order,
	// with the tables of its --ablation (its flags, which run takes). A
	// sweep submitted into a directory that holds another's adds its rows
	// to that sweep's table rather than replacing them; an estimator
	// none of whose cells has a record is shown as not run.
	fmt.Fprintf(&b, "if \"$gradbench\" run --no-train --out=\"$out\" %s >/dev/null; then\n\tcat \"$out/table.md\"\nelse\n\tstatus=$?\nfi\n", shellescape.QuoteCommand(s.Args))
	// The sweep's state (plan --pending: its summary, "N cells: N done;
	// nothing pending", on stderr, into the log; the cells without a
	// record, listed, on stdout), then those cells
	// named on one line: the table shows their estimators' rows without
	// them, or as not run.
	// The cells are named by key through a table of the sweep's cells, not
	// by the plan's columns: an estimator's spec may hold spaces
	// (expr:g=1 - x * x), which split it over columns.
	b.WriteString("cell() {\n\tcase $1 in\n")
	for _, st := range states {
		fmt.Fprintf(&b, "\t%s) echo %s ;;\n", st.Key, shellescape.Quote(fmt.Sprintf("%d (%s seed %d, key %s)", st.Index, st.Spec, st.Seed, st.Key)))
	}
	b.WriteString("\t*) echo \"$1\" ;;\n\tesac\n}\n")
	fmt.Fprintf(&b, "if pending=$(\"$gradbench\" plan --pending --out=\"$out\" %s); then\n", shellescape.QuoteCommand(s.Args))
	b.WriteString("\tprintf '%s\\n' \"$pending\"\n")
	b.WriteString("\tmissing= sep=\n")
	b.WriteString("\tfor key in $(printf '%s\\n' \"$pending\" | awk 'NR > 1 { print $2 }'); do\n\t\tmissing+=\"$sep$(cell \"$key\")\"\n\t\tsep=\", \"\n\tdone\n")
	b.WriteString("\tif [ -n \"$missing\" ]; then\n")
	fmt.Fprintf(&b, "\t\techo \"gradbench: FAILED: $(($(printf '%%s\\n' \"$pending\" | wc -l) - 1)) of the %d cells have no record, so the table lacks them: cells $missing; see $out/slurm/logs and resubmit them with the same gradbench slurm command\" >&2\n", len(s.Sweep.Cells()))
	b.WriteString("\t\tstatus=1\n\tfi\nelse\n\tstatus=$?\nfi\n")
	b.WriteString("exit $status\n")
	return b.String()
}
