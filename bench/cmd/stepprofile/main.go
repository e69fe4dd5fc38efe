// Command stepprofile turns CPU profiles of training steps (written by
// BenchmarkTrainStep with -trainstep.cpuprofile, see results/profile.sh)
// into a markdown table of where a step's time goes, by component: the
// convolutions' GEMMs (forward, backward-data, backward-weights), their
// data movement, BatchNorm, the residual additions, the estimator kernels,
// noise adaptation, the rest, and the time the cores spent idle.
//
// Usage:
//
//	go run ./bench/cmd/stepprofile -cores N [-steps N] [-o FILE] label=profile ...
//
// Shares are of the capacity of the profiled window: the profile's
// duration times -cores (the number of cores the steps ran on). The
// samples of all goroutines add up to the busy part; the rest is idle
// (waiting for the slowest worker, parts that run on one core). -steps,
// the number of steps profiled, adds the milliseconds per step.
//
// A profile's samples can add up to more than its capacity (the
// profiler's overhead, the granularity of its timer, samples attributed
// to the window). Its idle row is then 0 and its components add up to
// more than 100%: they stay shares of the capacity, not scaled to it, and
// a note under the table names the profile and gives the excess. An
// excess of a tenth of the capacity or more is more than those add: the
// note then says that the steps most likely ran on more cores than
// -cores, and on how many at least.
//
// # Components
//
// A sample belongs to the first frame, from the leaf up, that names a
// component:
//
//   - a frame of nn's convolution code (convCore, the grid and phase-grid
//     layouts) under which the sample is in package gemm is a conv GEMM:
//     forward from the forward methods; backward-weights for
//     gemm.SgemmRowsA and backward-data for the other GEMMs from the
//     backward methods. The lookup-table products that replace the
//     backward GEMMs of binary convolutions count as backward-data
//     (nn/lutgrad.go) and backward-weights (nn/lutweights.go). Without gemm below it, it is conv data movement
//     (padding grids, stride-2 phase splits, scatters back to NCHW); so
//     are the jobs that sum the parts' weight gradients and flip the
//     weights for backward-data on the pool (sumJob, flipJob).
//   - internal/bitconv (packing the codes, the XNOR-popcount kernels, the
//     padding correction and output transform) and nn's codesForward are
//     the binary convolutions' forward on the XNOR path.
//   - BatchNorm's methods and job; Residual and its addition job; package
//     estimators and nn's binarizeWeights, backwardWeights (and their
//     job, weightRows) and BinaryConv2d's own code (the weights' sign and
//     scale); noise
//     adaptation's methods and job; optimizer, pools, classifier and loss.
//   - A sample that reaches the worker pool (internal/parallel) or the
//     scheduler (findRunnable, park_m, ...) before any computation is the
//     pool's hand-off: waking workers and waiting for them, on the CPU.
//   - A GEMM on a pool worker has no caller in its stack (the pool starts
//     it): such samples are "GEMM outside convolutions", since the
//     convolutions run their GEMMs inside their own parallel parts (on
//     the worker, below convCore.Do); they come from noise adaptation's
//     weight rows and from the classifier.
//
// Helpers shared by several layers (nn.addTo, nn.axpy, ...) are skipped so
// that their caller decides.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"al.essio.dev/pkg/shellescape"

	"github.com/google/pprof/profile"

	"github.com/gradbench/gradbench/internal/atomicfile"
	"github.com/gradbench/gradbench/internal/cli"
	"github.com/gradbench/gradbench/internal/mdtable"
	"github.com/gradbench/gradbench/suite"
)

const module = "github.com/gradbench/gradbench/"

// The components, in table order.
const (
	gemmFwd = iota
	xnorFwd
	gemmData
	gemmWeights
	convMove
	batchNorm
	residual
	estimator
	noiseAdapt
	gemmOther
	other
	handoff
	runtimeOther
	idle
	ncomp
)

var names = [ncomp]string{
	gemmFwd:      "conv GEMM forward",
	xnorFwd:      "binary conv forward (XNOR kernels)",
	gemmData:     "conv backward-data product (GEMM or tables)",
	gemmWeights:  "conv backward-weights product (GEMM or tables)",
	convMove:     "conv data movement",
	batchNorm:    "BatchNorm fwd+bwd",
	residual:     "residual add",
	estimator:    "estimator kernels (signs, g, weight scales)",
	noiseAdapt:   "noise adaptation",
	gemmOther:    "GEMM outside convolutions (on a pool worker)",
	other:        "pools, classifier, loss, optimizer",
	handoff:      "pool hand-off (wake-ups, waits) and scheduler",
	runtimeOther: "Go runtime (GC, profiler)",
	idle:         "idle: waits, imbalance, serial parts",
}

// rules map a frame (function name without the module path) to a
// component; the first rule whose prefix matches decides. conv is a
// placeholder resolved with the GEMM seen below the frame.
const conv = -1

var rules = []struct {
	prefix string
	comp   int
}{
	{"internal/bitconv.", xnorFwd},
	{"nn.(*codesForward)", xnorFwd},
	{"nn.(*NoiseAdaptation)", noiseAdapt},
	{"nn.(*naJob)", noiseAdapt},
	// The lookup-table products of binary convolutions (nn/lutgrad.go,
	// nn/lutweights.go), which replace the backward GEMMs.
	{"nn.(*lutWeights)", gemmData},
	{"nn.(*lutIndex)", gemmData}, // lutWeights.prepare's job, on the pool
	{"nn.lutBuild", gemmData},
	{"nn.lutLookup", gemmData},
	{"nn.(*convCore).weightGradLUT", gemmWeights},
	{"nn.(*lutScratch)", gemmWeights},
	{"nn.lutTables", gemmWeights},
	{"nn.lutRows", gemmWeights},
	{"nn.lutSignBytes", gemmWeights},
	{"nn.lutNibbles", gemmWeights},
	{"nn.lutProduct", gemmWeights},
	{"nn.lutCorrection", gemmWeights},
	{"nn.(*convCore).forward", conv},
	{"nn.(*convCore).backward", conv},
	{"nn.(*convCore)", convMove},
	{"nn.(*sumJob)", convMove},  // the parts' weight gradients, summed on the pool
	{"nn.(*flipJob)", convMove}, // the flipped weights of backward-data, on the pool
	{"nn.grid.", convMove},
	{"nn.phaseGrid.", convMove},
	{"nn.copyRows", convMove},
	{"nn.planes", convMove},
	{"nn.(*BatchNorm)", batchNorm},
	{"nn.(*bnJob)", batchNorm},
	{"nn.(*addJob)", residual},
	{"nn.(*Residual)", residual},
	{"estimators.", estimator},
	{"nn.(*binarySides)", estimator}, // binarizeWeights, backwardWeights
	{"nn.(*weightRows)", estimator},  // their per-row job, on the pool
	{"nn.meanAbs", estimator},
	{"nn.(*BinaryConv2d)", estimator},
	{"nn.(*SGD)", other},
	{"nn.(*AvgPool2d)", other},
	{"nn.(*avgPoolJob)", other},
	{"nn.(*GlobalAvgPool)", other},
	{"nn.(*globalPoolJob)", other},
	{"nn.(*Linear)", other},
	{"nn.(*SoftmaxCrossEntropy)", other},
	{"nn.Sequential", other},
	{"bench.", other},
}

// scheduler lists the runtime functions of an idle P looking for work.
var scheduler = []string{"runtime.findRunnable", "runtime.schedule", "runtime.park_m", "runtime.stopm", "runtime.mcall", "runtime.stealWork"}

// classify returns the component of a stack, leaf first.
func classify(stack []string) int {
	gemmEntry := "" // the outermost gemm function below the current frame
	for _, f := range stack {
		g, ours := strings.CutPrefix(f, module)
		switch {
		case !ours:
			continue // runtime, sync, ...
		case strings.HasPrefix(g, "gemm."):
			gemmEntry = g
			continue
		case strings.HasPrefix(g, "internal/parallel."):
			if gemmEntry == "" {
				return handoff
			}
			continue
		}
		for _, r := range rules {
			if !strings.HasPrefix(g, r.prefix) {
				continue
			}
			if r.comp != conv {
				return r.comp
			}
			switch {
			case gemmEntry == "":
				return convMove
			case strings.HasPrefix(g, "nn.(*convCore).forward"):
				return gemmFwd
			case strings.HasPrefix(gemmEntry, "gemm.SgemmRowsA"):
				return gemmWeights
			}
			return gemmData
		}
	}
	if gemmEntry != "" {
		return gemmOther
	}
	for _, f := range stack {
		if slices.Contains(scheduler, f) {
			return handoff
		}
	}
	return runtimeOther
}

// A result is one profile's time per component, in CPU nanoseconds, and
// the leaf functions of each.
type result struct {
	label    string
	capacity float64 // cores × duration, ns
	busy     float64 // the samples' CPU time, ns: above capacity, idle is 0
	ns       [ncomp]float64
	leaves   [ncomp]map[string]float64
}

func read(label, path string, cores int) (*result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p, err := profile.Parse(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	vi := -1
	for i, st := range p.SampleType {
		if st.Type == "cpu" && st.Unit == "nanoseconds" {
			vi = i
		}
	}
	if vi < 0 || p.DurationNanos <= 0 {
		return nil, fmt.Errorf("%s: not a CPU profile with a duration", path)
	}
	r := &result{label: label, capacity: float64(cores) * float64(p.DurationNanos)}
	for i := range r.leaves {
		r.leaves[i] = map[string]float64{}
	}
	for _, s := range p.Sample {
		var stack []string
		for _, loc := range s.Location {
			for _, line := range loc.Line { // innermost first
				if line.Function != nil {
					stack = append(stack, line.Function.Name)
				}
			}
		}
		c := classify(stack)
		v := float64(s.Value[vi])
		r.ns[c] += v
		r.busy += v
		if len(stack) > 0 {
			r.leaves[c][strings.TrimPrefix(stack[0], module)] += v
		}
	}
	r.ns[idle] = max(0, r.capacity-r.busy)
	return r, nil
}

func main() {
	cli.Main("stepprofile", func() error { return run(os.Args[1:], os.Stdout) })
}

func run(args []string, stdout io.Writer) error {
	fs := cli.FlagSet("stepprofile", "stepprofile [flags] label=profile ...", "./bench/cmd/stepprofile", "the components")
	cores := cli.Int(fs, "cores", 0, "cores the profiled steps ran on (GOMAXPROCS; required)")
	steps := cli.Int(fs, "steps", 0, "steps in each profile, for ms per step (0: shares only)")
	out := fs.String("o", "", "write the table to this `file` (atomically) instead of standard output; name.md, or a name without an extension: another format's, such as .svg or .txt, is refused")
	title := fs.String("title", "Where a training step's time goes (BenchmarkTrainStep)", "report title")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	switch {
	case !given["cores"]:
		return errors.New("-cores is required: give the number of cores the steps ran on (GOMAXPROCS), >= 1")
	case *cores < 1:
		return fmt.Errorf("-cores %s: want the number of cores the steps ran on, >= 1", cli.Typed(fs)["cores"])
	case *steps < 0:
		return fmt.Errorf("-steps %s: want >= 0", cli.Typed(fs)["steps"])
	case fs.NArg() == 0:
		return errors.New("no profiles: want label=profile arguments (see -h)")
	case strings.ContainsAny(*title, "\r\n"):
		// The title is the table's heading line: a second line would be
		// a paragraph of its own.
		return fmt.Errorf("-title %q: a title is one line, want no line break", *title)
	}
	var rs []*result
	labels := cli.Labels{Path: "profile", Item: "profile"}
	// An -o that is one of the profiles would replace it with the table:
	// refuse it before reading.
	var inputs []suite.NamedFile
	for _, a := range fs.Args() {
		// A Labels of its own: one remembers the labels it has cut.
		if label, path, err := (&cli.Labels{Path: "profile", Item: "profile"}).Cut(a); err == nil {
			inputs = append(inputs, suite.NamedFile{Flag: "profile " + label + ":", Path: path})
		}
	}
	if err := suite.CheckOutputsOrStdout([]suite.NamedFile{{Flag: "-o", Path: *out}}, inputs); err != nil {
		return err
	}
	// The table is markdown: a name that says another format (steps.svg)
	// is refused, as gradbench's outputs are.
	if err := suite.CheckFormat("-o", *out, suite.FormatMarkdown); err != nil {
		return err
	}
	for _, a := range fs.Args() {
		label, path, err := labels.Cut(a)
		if err != nil {
			return err
		}
		r, err := read(label, path, *cores)
		if err != nil {
			return err
		}
		rs = append(rs, r)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\nGenerated by `go run ./bench/cmd/stepprofile %s`; do not edit.\n\n", *title, shellescape.QuoteCommand(args))
	fmt.Fprintf(&b, "Share of the capacity of the profiled steps (%s × the profile's duration)", coresText(*cores))
	if *steps > 0 {
		fmt.Fprintf(&b, ", and milliseconds per step (%d steps per profile)", *steps)
	}
	b.WriteString("; see `go doc ./bench/cmd/stepprofile` for what each component holds.\n\n")
	header := []string{"component"}
	for _, r := range rs {
		header = append(header, r.label)
		if *steps > 0 {
			header = append(header, r.label+" ms/step")
		}
	}
	var rows [][]string
	for c := range ncomp {
		row := []string{names[c]}
		any := false
		for _, r := range rs {
			any = any || r.ns[c] > 0
			row = append(row, fmt.Sprintf("%.1f%%", 100*r.ns[c]/r.capacity))
			if *steps > 0 {
				row = append(row, fmt.Sprintf("%.1f", r.ns[c]/float64(*steps)/1e6))
			}
		}
		if any {
			rows = append(rows, row)
		}
	}
	total := []string{"step (wall)"}
	for _, r := range rs {
		total = append(total, "100%")
		if *steps > 0 {
			total = append(total, fmt.Sprintf("%.1f", r.capacity/float64(*cores)/float64(*steps)/1e6))
		}
	}
	rows = append(rows, total)
	if err := mdtable.Write(&b, 1, header, rows); err != nil {
		return err
	}
	b.WriteString("\n")
	for _, r := range rs {
		overCapacity(&b, r, *cores, *steps > 0)
	}
	if *steps > 0 {
		b.WriteString("The ms/step of a component is its CPU time per step summed over the cores; the wall row is the step's wall time, which the components (each over the cores) fill ×cores.\n\n")
	}
	b.WriteString("## Leaf functions\n\nThe three functions where each component spends most of its CPU time (share of the component).\n\n")
	header = []string{"component"}
	for _, r := range rs {
		header = append(header, r.label)
	}
	rows = rows[:0]
	for c := range ncomp {
		if c == idle {
			continue
		}
		row := []string{names[c]}
		any := false
		for _, r := range rs {
			row = append(row, topLeaves(r.leaves[c], r.ns[c], 3))
			any = any || r.ns[c] > 0
		}
		if any {
			rows = append(rows, row)
		}
	}
	if err := mdtable.Write(&b, len(header), header, rows); err != nil {
		return err
	}
	if *out == "" {
		_, err := io.WriteString(stdout, b.String())
		return err
	}
	return atomicfile.WriteFile(*out, []byte(b.String()), 0o644)
}

// overCapacity writes a note when r's samples add up to more CPU time
// than its cores had in the profiled window, which the profile's own
// overhead, the granularity of its timer and samples attributed to the
// window can do: the column's shares then add up to more than 100% and
// its idle row is 0, which a reader must not take for a table that lost
// track of its time. The shares stay of the capacity, as the header says,
// rather than scaled down to it: every number of the column remains what
// the profile measured (a component's ms/step its recorded CPU time), and
// the note gives the excess, so a reader can scale it if they wish. An
// excess too large for overhead says that -cores is likely too low.
func overCapacity(b *strings.Builder, r *result, cores int, perStep bool) {
	if r.busy <= r.capacity {
		return
	}
	excess := 100 * (r.busy - r.capacity) / r.capacity
	// One decimal, or as many as the excess's first significant digit
	// needs: an excess below 0.05% is not "0.0% more".
	d := 1
	for e := excess; e < 0.1 && d < 9; e *= 10 {
		d++
	}
	wall := time.Duration(r.capacity / float64(cores)).Round(time.Millisecond)
	// The profile's overhead and its timer add a few percent at most
	// (none of the committed profiles is over at its -cores). A tenth of
	// the capacity or more is CPU time of more cores than -cores says:
	// the steps ran with a larger GOMAXPROCS, and every share of the
	// column is of too small a capacity.
	why := "profiling overhead, timer granularity or samples attributed to the window"
	if perCore := r.capacity / float64(cores); r.busy-r.capacity >= r.capacity/10 {
		why = fmt.Sprintf("more than those explain, which add a few percent: the samples hold the CPU time of at least %d cores in that window, so the steps most likely ran on more cores than -cores %d says (give -cores the GOMAXPROCS they ran with)",
			int(math.Ceil(r.busy/perCore-1e-9)), cores)
	}
	its := "its cores"
	if cores == 1 {
		its = "its core"
	}
	fmt.Fprintf(b, "**Over capacity.** In %s the profile's samples add up to %.*f%% of its capacity (%s × %v), %.*f%% more CPU time than %s had in that window: %s. Its shares are still of the capacity, not scaled to it, so its components add up to %.*f%% and its idle row is 0, not negative",
		r.label, d, 100+excess, coresText(cores), wall, d, excess, its, why, d, 100+excess)
	if perStep {
		b.WriteString("; its ms/step are the CPU time the profile recorded")
	}
	b.WriteString(".\n\n")
}

// topLeaves returns the n leaves with the most time, with their shares of
// total.
func topLeaves(leaves map[string]float64, total float64, n int) string {
	keys := make([]string, 0, len(leaves))
	for k := range leaves {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if leaves[a] != leaves[b] {
			if leaves[a] > leaves[b] {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	var parts []string
	for _, k := range keys[:min(n, len(keys))] {
		parts = append(parts, fmt.Sprintf("%s %.0f%%", k, 100*leaves[k]/total))
	}
	return strings.Join(parts, ", ")
}

// coresText is "1 core" or "n cores".
func coresText(n int) string {
	if n == 1 {
		return "1 core"
	}
	return fmt.Sprintf("%d cores", n)
}
