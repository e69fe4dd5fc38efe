package suite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

// SlurmOptions are the Slurm options of the job array (and, for
// Partition and Extra, of the table job too). Zero values leave the
// cluster's defaults.
type SlurmOptions struct {
	Partition string
	// Time is the time limit of each array task, in Slurm's format:
	// minutes, MM:SS, H:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS.
	Time string
	Mem  string // memory per task, such as 4G
	CPUs int    // CPUs per task
	// MaxParallel, when > 0, runs at most that many array tasks at once.
	MaxParallel int
	JobName     string // the array's; the table job's adds -table
	// Extra holds more #SBATCH lines for both jobs, such as
	// --account=proj (with or without the #SBATCH prefix).
	Extra []string
}

var (
	slurmTimeRE = regexp.MustCompile(`^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?$`)
	slurmMemRE  = regexp.MustCompile(`^\d+[KMGTkmgt]?$`)
	slurmNameRE = regexp.MustCompile(`^[A-Za-z0-9_.,+-]+$`)
)

// checkSlurmTime checks a time limit in one of Slurm's formats (minutes,
// MM:SS, H:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS), with every field after the
// first in its clock range: seconds and minutes below 60, and hours below
// 24 after a day count. Slurm would read 99:99:99 as more than 100 hours
// rather than refuse it.
func checkSlurmTime(s string) error {
	m := slurmTimeRE.FindStringSubmatch(s)
	if m == nil {
		return errors.New("want minutes, MM:SS, H:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS")
	}
	days := m[1] != ""
	if h, _ := strconv.Atoi(m[2]); days && h >= 24 {
		return fmt.Errorf("%s hours after the days, want 0 to 23", m[2])
	}
	// The fields after the first: MM:SS and D-HH:MM have one, H:MM:SS
	// and D-HH:MM:SS two.
	names := []string{"minutes", "seconds"}
	switch {
	case m[3] == "":
		return nil
	case m[4] == "" && !days:
		names = names[1:]
	}
	for i, f := range []string{m[3], m[4]}[:len(names)] {
		if v, _ := strconv.Atoi(f); v >= 60 {
			return fmt.Errorf("%s %s, want 0 to 59", f, names[i])
		}
	}
	return nil
}

// sbatchReserved are the sbatch options that gradbench slurm sets itself
// or has a flag for, by long name, with what to use instead.
var sbatchReserved = map[string]string{
	"array":         "gradbench slurm sets --array itself (one task per pending cell; --max-parallel sets its limit)",
	"dependency":    "gradbench slurm sets --dependency itself (the table job waits for the array)",
	"output":        "gradbench slurm sets --output itself (task logs go to --out/slurm/logs)",
	"error":         "gradbench slurm sets --output itself, which holds the tasks' stderr too (task logs go to --out/slurm/logs)",
	"job-name":      "use gradbench slurm's --job-name",
	"partition":     "use gradbench slurm's --partition",
	"time":          "use gradbench slurm's --time",
	"cpus-per-task": "use gradbench slurm's --cpus-per-task",
	"mem":           "use gradbench slurm's --mem",
}

// sbatchShort maps sbatch's short options for the reserved ones to their
// long names.
var sbatchShort = map[byte]string{'a': "array", 'd': "dependency", 'o': "output", 'e': "error", 'J': "job-name", 'p': "partition", 't': "time", 'c': "cpus-per-task"}

// sbatchShortArg are sbatch's short options that take a value, which is
// the rest of the word (-Jname) or else the next word (-J name). The
// others (-H, -v, -Q, ...) take none, so a word may group them (-HJname).
// An unknown letter is read as taking none, so that a reserved option
// grouped after it is still found.
const sbatchShortArg = "aABcCdDeFgGiJLmMnNopPqStUwx"

// sbatchWords splits an #SBATCH line into words as sbatch does: blanks
// separate them, single or double quotes group, a backslash escapes the
// next character and an unquoted # starts a comment.
func sbatchWords(s string) ([]string, error) {
	var words []string
	var w strings.Builder
	in, quote, escape := false, byte(0), false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case escape:
			escape = false
		case c == '\\':
			escape, in = true, true
			continue
		case quote != 0:
			if c == quote {
				quote = 0
				continue
			}
		case c == '"' || c == '\'':
			quote, in = c, true
			continue
		case c == '#':
			i = len(s)
			continue
		case c == ' ' || c == '\t':
			if in {
				words = append(words, w.String())
				w.Reset()
				in = false
			}
			continue
		}
		w.WriteByte(c)
		in = true
	}
	switch {
	case quote != 0:
		return nil, fmt.Errorf("unterminated %c quote", quote)
	case escape:
		return nil, errors.New("a backslash ends the line")
	}
	if in {
		words = append(words, w.String())
	}
	return words, nil
}

// checkSbatchLine reads the words of an #SBATCH line as sbatch's option
// parser would (short options grouped or with attached values, long
// options with = or a separate value, long options abbreviated) and
// refuses every option gradbench slurm sets or has a flag for.
func checkSbatchLine(s string) error {
	words, err := sbatchWords(s)
	if err != nil {
		return err
	}
	if len(words) == 0 {
		return errors.New("want an sbatch option such as --account=proj")
	}
	// value: the word may be the value of the long option before it;
	// skip: it is the value of the short option before it (-A -x is the
	// account -x), as getopt reads it.
	value, skip := false, false
	for _, w := range words {
		mayBeValue, isValue := value, skip
		value, skip = false, false
		switch {
		case isValue:
		case strings.HasPrefix(w, "--") && len(w) > 2:
			name, _, hasValue := strings.Cut(w[2:], "=")
			if name == "" {
				return fmt.Errorf("%q is not an sbatch option", w)
			}
			// sbatch reads an unambiguous abbreviation as the option it
			// abbreviates (--part=cpu is --partition=cpu); no sbatch
			// option is itself a prefix of a reserved one.
			for long, why := range sbatchReserved {
				if strings.HasPrefix(long, name) {
					return fmt.Errorf("%q sets --%s: %s", w, long, why)
				}
			}
			value = !hasValue
		case strings.HasPrefix(w, "-") && len(w) > 1 && w[1] != '-':
			for i := 1; i < len(w); i++ {
				c := w[i]
				if long, ok := sbatchShort[c]; ok {
					return fmt.Errorf("%q sets --%s (-%c): %s", w, long, c, sbatchReserved[long])
				}
				if strings.IndexByte(sbatchShortArg, c) >= 0 {
					skip = i == len(w)-1 // -A proj: the next word is the value
					break
				}
			}
		case mayBeValue:
		default:
			return fmt.Errorf("%q is not an sbatch option: want an sbatch option such as --account=proj", w)
		}
	}
	return nil
}

// Validate checks the options and normalizes the extra lines to bare
// sbatch options.
func (o *SlurmOptions) Validate() error {
	if o.Partition != "" && !slurmNameRE.MatchString(o.Partition) {
		return fmt.Errorf("bad --partition %q: want a partition name (letters, digits, _ . - or a comma-separated list)", o.Partition)
	}
	if o.Time != "" {
		if err := checkSlurmTime(o.Time); err != nil {
			return fmt.Errorf("bad --time %q: %s", o.Time, err)
		}
	}
	if o.Mem != "" && !slurmMemRE.MatchString(o.Mem) {
		return fmt.Errorf("bad --mem %q: want an integer with an optional unit K, M, G or T, such as 4G", o.Mem)
	}
	if o.CPUs < 0 {
		return fmt.Errorf("bad --cpus-per-task %d: want an integer >= 1", o.CPUs)
	}
	if o.MaxParallel < 0 {
		return fmt.Errorf("bad --max-parallel %d: want an integer >= 1", o.MaxParallel)
	}
	if !slurmNameRE.MatchString(o.JobName) {
		return fmt.Errorf("bad --job-name %q: want letters, digits, _ . - +", o.JobName)
	}
	for i, l := range o.Extra {
		s := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "#SBATCH"))
		switch {
		case strings.ContainsAny(s, "\n\r"):
			return fmt.Errorf("bad --sbatch %q: one line only", l)
		case !strings.HasPrefix(s, "-"):
			return fmt.Errorf("bad --sbatch %q: want an sbatch option such as --account=proj", l)
		}
		if err := checkSbatchLine(s); err != nil {
			return fmt.Errorf("bad --sbatch %q: %s", l, err)
		}
		// The same line twice is a slip (an edited command line): sbatch
		// would read it twice, the scripts would hold it twice.
		if j := slices.Index(o.Extra[:i], s); j >= 0 {
			return fmt.Errorf("bad --sbatch %q: the same line as --sbatch %q: give each line once", l, o.Extra[j])
		}
		o.Extra[i] = s
	}
	return nil
}

// A SlurmSpec says which job array to write for a sweep.
type SlurmSpec struct {
	Sweep *Sweep
	// Exe is the gradbench binary the jobs run, Out the runs directory,
	// which every node must see. Both are made absolute.
	Exe, Out string
	// Args are the sweep's flags as gradbench run takes them
	// (--name=value), with paths absolute: the tasks pass them on.
	Args []string
	// Ablation, when set, makes the table job write that ablation's tables
	// too: AblationPaper (the FDA paper's) or AblationSides (the sides
	// table of the sweep's estimators).
	Ablation string
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
// task, and writes nothing: the caller writes the scripts and submits them
// (SubmitCommand).
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
		return nil, err
	}
	if err := s.Options.Validate(); err != nil {
		return nil, err
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
	if strings.ContainsAny(out, "\"\n\r") {
		return nil, fmt.Errorf("--out %q holds a double quote or a line break, which #SBATCH lines cannot hold", out)
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
		j.Cells, j.Table = s.cellsScript(j.Pending, j.Total), s.tableScript()
	}
	return j, nil
}

// slurmFiles are what SlurmJobs.Write writes into the runs directory.
var slurmFiles = []string{"slurm/cells.sh", "slurm/table.sh", "slurm/logs/"}

// Write creates the logs directory and writes the two scripts,
// executable (less the umask), both or neither (see outputBatch).
func (j *SlurmJobs) Write() error {
	if err := os.MkdirAll(j.LogDir, 0o755); err != nil {
		return fmt.Errorf("suite: slurm: %w", err)
	}
	var batch outputBatch
	defer batch.abort()
	for _, f := range []struct{ path, text string }{{j.CellsPath, j.Cells}, {j.TablePath, j.Table}} {
		if err := batch.addPerm(f.path, []byte(f.text), 0o777); err != nil {
			return fmt.Errorf("suite: slurm: %w", err)
		}
	}
	if err := batch.commit(); err != nil {
		return fmt.Errorf("suite: slurm: %w", err)
	}
	return nil
}

// SubmitCommand returns the shell command that submits the two scripts,
// the table job after the array.
func (j *SlurmJobs) SubmitCommand() string {
	return fmt.Sprintf("job=$(sbatch --parsable %s) && sbatch --dependency=afterany:${job%%%%;*} %s", shellQuote(j.CellsPath), shellQuote(j.TablePath))
}

// TableSubmitCommand returns the shell command that submits the table
// job after the array job arrayID.
func (j *SlurmJobs) TableSubmitCommand(arrayID string) string {
	return fmt.Sprintf("sbatch --dependency=afterany:%s %s", arrayID, shellQuote(j.TablePath))
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

// cellsScript returns the job array script.
func (s *SlurmSpec) cellsScript(pending []CellState, total int) string {
	o := &s.Options
	var b bytes.Buffer
	array := fmt.Sprintf("--array=0-%d", len(pending)-1)
	if o.MaxParallel > 0 {
		array += fmt.Sprintf("%%%d", o.MaxParallel)
	}
	s.header(&b, "--job-name="+o.JobName, array, "--output="+sbatchValue(filepath.Join(s.Out, "slurm", "logs", "%A_%a.out")))
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
	fmt.Fprintf(&b, "#   gradbench run %s\n", strings.Join(s.runArgs(), " "))
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
	fmt.Fprintf(&b, "exec %s run --cell \"${cells[task]}\" --out=%s %s\n", shellQuote(s.Exe), shellQuote(s.Out), strings.Join(s.runArgs(), " "))
	return b.String()
}

// runArgs are the flags, shell-quoted, that the array tasks give
// gradbench run besides --cell and --out: the sweep's, and --keep-epochs
// with KeepEpochs.
func (s *SlurmSpec) runArgs() []string {
	args := quoteAll(s.Args)
	if s.KeepEpochs {
		args = append(args, "--keep-epochs")
	}
	return args
}

// tableScript returns the script of the job that builds the table.
func (s *SlurmSpec) tableScript() string {
	var b bytes.Buffer
	s.header(&b, "--job-name="+s.Options.JobName+"-table", "--output="+sbatchValue(filepath.Join(s.Out, "slurm", "logs", "table-%j.out")), "--time=10")
	s.extra(&b)
	b.WriteString("#\n# Written by gradbench slurm: runs after the array job ends (afterany), builds\n")
	b.WriteString("# the sweep's table from the records in --out into table.md (with curves.svg\n")
	b.WriteString("# and bench.txt) and lists the cells still pending (failed tasks).\n")
	b.WriteString("set -uo pipefail\n")
	fmt.Fprintf(&b, "gradbench=%s\nout=%s\n", shellQuote(s.Exe), shellQuote(s.Out))
	var order []string
	for _, sp := range s.Sweep.Specs {
		order = append(order, sp.String())
	}
	ord := shellQuote(strings.Join(order, ","))
	b.WriteString("status=0\n")
	fmt.Fprintf(&b, "\"$gradbench\" table --runs \"$out\" --estimators %s --curves \"$out/curves.svg\" --bench \"$out/bench.txt\" >\"$out/.table.md.tmp\" || status=$?\n", ord)
	switch s.Ablation {
	case AblationPaper:
		fmt.Fprintf(&b, "if [ $status = 0 ]; then\n\t{ echo; \"$gradbench\" table --runs \"$out\" --ablation paper --estimators %s; } >>\"$out/.table.md.tmp\" || status=$?\nfi\n", ord)
	case AblationSides:
		// The estimators the sides were made of: the plain specs but ste
		// (SidesSpecs).
		var es []string
		for _, sp := range s.Sweep.Specs {
			if !sp.Sided() && sp.String() != baseline {
				es = append(es, sp.String())
			}
		}
		if len(es) > 0 {
			fmt.Fprintf(&b, "if [ $status = 0 ]; then\n\t{ echo; \"$gradbench\" table --runs \"$out\" --ablation sides --estimators %s; } >>\"$out/.table.md.tmp\" || status=$?\nfi\n", shellQuote(strings.Join(es, ",")))
		}
	}
	b.WriteString("if [ $status = 0 ]; then\n\tmv -f \"$out/.table.md.tmp\" \"$out/table.md\"\n\tcat \"$out/table.md\"\nelse\n\trm -f \"$out/.table.md.tmp\"\nfi\n")
	fmt.Fprintf(&b, "\"$gradbench\" plan --pending --out=\"$out\" %s || status=$?\n", strings.Join(quoteAll(s.Args), " "))
	b.WriteString("exit $status\n")
	return b.String()
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
