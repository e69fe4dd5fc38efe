package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/pprof/profile"

	"github.com/gradbench/gradbench/internal/dirtest"
	"github.com/gradbench/gradbench/internal/texttest"
)

// stack turns "a < b < c" (leaf first) into frame names, prefixing the
// module path to the names of gradbench's packages.
func stack(s string) []string {
	var out []string
	for _, f := range strings.Split(s, " < ") {
		for _, p := range []string{"nn.", "gemm.", "estimators.", "internal/parallel.", "internal/bitconv.", "bench."} {
			if strings.HasPrefix(f, p) {
				f = module + f
				break
			}
		}
		out = append(out, f)
	}
	return out
}

// A classifyCase is a sample's stack, leaf first and frames joined by
// " < ", and the component classify must assign it.
type classifyCase struct {
	stack string
	want  int
}

// checkClassify checks classify on each case's stack.
func checkClassify(t *testing.T, cases []classifyCase) {
	t.Helper()
	for _, tc := range cases {
		if got := classify(stack(tc.stack)); got != tc.want {
			t.Errorf("classify(%s) = %q, want %q", tc.stack, names[got], names[tc.want])
		}
	}
}

func TestClassify(t *testing.T) {
	checkClassify(t, []classifyCase{
		{"gemm.kern4x24B < gemm.(*call).block < gemm.(*blocked).run < gemm.SgemmRowsB < nn.(*convCore).forwardGrid < nn.(*convCore).doGrid < nn.(*convCore).Do < internal/parallel.start.func1.1", gemmFwd},
		{"gemm.kern6x16A < gemm.(*call).block < gemm.(*blocked).run < gemm.SgemmRowsA < nn.(*convCore).backwardGrid < nn.(*convCore).Do < internal/parallel.For < nn.(*convCore).backward", gemmWeights},
		{"gemm.kern4x24B < gemm.(*call).block < gemm.SgemmRowsB < nn.(*convCore).backwardPhase < nn.(*convCore).doGrid", gemmData},
		{"gemm.kern4x24B < gemm.Sgemm < nn.(*convCore).backwardSame < nn.(*convCore).backwardGroup", gemmData},
		{"nn.lutLookupAVX2 < nn.init.5.func2 < nn.(*lutWeights).lutGrad < nn.(*convCore).backwardGrid < nn.(*convCore).Do < internal/parallel.start.func1.1", gemmData},
		{"nn.(*lutWeights).prepare < nn.(*convCore).backward < nn.(*BinaryConv2d).convBackward", gemmData},
		{"nn.lutRows32AVX2 < nn.init.6.func3 < nn.lutProduct < nn.(*convCore).weightGradLUT < nn.(*convCore).backwardGrid < nn.(*convCore).Do", gemmWeights},
		{"nn.lutSignBytesAVX2 < nn.(*lutScratch).lutSigns < nn.(*convCore).weightGradLUT < nn.(*convCore).backwardGrid", gemmWeights},
		{"internal/bitconv.xorPopcnt512x2 < internal/bitconv.kernelAVX512 < internal/bitconv.(*convJob).Do < internal/parallel.start.func1.1", xnorFwd},
		{"internal/bitconv.packBlockAVX512 < internal/bitconv.(*packJob).Do < internal/parallel.For < internal/bitconv.Pack < nn.(*codesForward).forward", xnorFwd},
		{"nn.copyRows < nn.grid.gather < nn.(*convCore).forwardGrid < nn.(*convCore).doGrid", convMove},
		{"runtime.memmove < nn.(*convCore).backward < nn.(*BinaryConv2d).Backward", convMove},
		{"nn.(*sumJob).Do < internal/parallel.For < nn.(*convCore).backward < nn.(*BinaryConv2d).Backward", convMove},
		{"nn.(*flipJob).Do < internal/parallel.start.func1.1", convMove},
		{"nn.bnGradAVX2 < nn.bnGrad < nn.(*BatchNorm).backwardChannel < nn.(*bnJob).Do < internal/parallel.start.func1.1", batchNorm},
		{"nn.addAVX2 < nn.addTo < nn.(*addJob).Do < internal/parallel.For < nn.(*addJob).run < nn.(*Residual).Forward", residual},
		{"nn.addAVX2 < nn.addTo < nn.(*binarySides).backwardWeights < nn.(*BinaryConv2d).backward", estimator},
		{"nn.(*weightRows).Do < internal/parallel.(*task).run < internal/parallel.(*worker).loop", estimator},
		{"nn.meanAbs < nn.(*weightRows).Do < internal/parallel.For < nn.(*weightRows).run < nn.(*binarySides).binarizeWeights", estimator},
		{"nn.(*lutIndex).Do < internal/parallel.start.func1.1", gemmData},
		{"estimators.avx512Sign < estimators.signBlock < estimators.(*job).Do < internal/parallel.start.func1.1", estimator},
		{"nn.dotAVX2 < nn.dot < nn.(*NoiseAdaptation).backwardImage < nn.(*naJob).Do", noiseAdapt},
		{"gemm.kern4x24B < gemm.(*call).block < gemm.Sgemm < nn.(*NoiseAdaptation).ForwardRows < nn.(*BinaryConv2d).Forward", noiseAdapt},
		{"gemm.kern4x24B < gemm.(*call).block < gemm.(*call).Do < internal/parallel.start.func1.1", gemmOther},
		{"nn.(*AvgPool2d).forwardPlanes < nn.(*avgPoolJob).Do", other},
		{"nn.(*SGD).Step < bench.BenchmarkTrainStep.func1.1", other},
		{"runtime.futex < runtime.futexwakeup < sync.(*WaitGroup).Wait < internal/parallel.For < nn.(*convCore).forward", handoff},
		{"runtime.futex < runtime.futexsleep < runtime.stopm < runtime.findRunnable < runtime.schedule < runtime.park_m < runtime.mcall", handoff},
		{"runtime.scanobject < runtime.gcDrain < runtime.gcBgMarkWorker", runtimeOther},
	})
}

// TestRun writes a profile of 1 s on 2 cores: 0.5 s of forward GEMM,
// 0.25 s of BatchNorm and 0.25 s on the scheduler, so 1 s is idle.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "a.pprof")
	writeProfile(t, in, 1e9, cpuType, []sample{
		{[][]string{{"gemm.kern4x24B"}, {"nn.(*convCore).forwardGrid"}}, 5e8},
		{[][]string{{"nn.(*BatchNorm).forwardChannel"}}, 2.5e8},
		{[][]string{{"runtime.findRunnable"}}, 2.5e8},
	})
	texttest.ContainsAll(t, "output", runText(t, "-cores", "2", "-steps", "4", "x="+in),
		"| conv GEMM forward | 25.0% | 125.0 |",
		"| BatchNorm fwd+bwd | 12.5% | 62.5 |",
		"| pool hand-off (wake-ups, waits) and scheduler | 12.5% | 62.5 |",
		"| idle: waits, imbalance, serial parts | 50.0% | 250.0 |",
		"| step (wall) | 100% | 250.0 |",
		"| conv GEMM forward | gemm.kern4x24B 100% |",
	)
	// One core is "1 core", not "1 cores".
	texttest.ContainsAll(t, "-cores 1: output", runText(t, "-cores", "1", "x="+in),
		"Share of the capacity of the profiled steps (1 core × the profile's duration)")
	var over strings.Builder
	overCapacity(&over, &result{label: "c", capacity: 1e9, busy: 2e9}, 1, false)
	texttest.ContainsAll(t, "-cores 1: over capacity", over.String(),
		"of its capacity (1 core × 1s), 100.0% more CPU time than its core had in that window",
		"the CPU time of at least 2 cores in that window, so the steps most likely ran on more cores than -cores 1 says")
	if out := runText(t, "-cores", "2", "x="+in); strings.Contains(out, "Over capacity") {
		t.Errorf("a profile within its capacity has an over-capacity note:\n%s", out)
	}
	// -title heads the report and -o receives it, replacing the file
	// atomically: a hard link to the old file keeps the old text. Ignoring
	// -title, or writing -o in place, passed every test, as none gave
	// either.
	report, old := filepath.Join(dir, "profile.md"), filepath.Join(dir, "old.md")
	dirtest.HardLinked(t, report, "old report\n", old)
	if out := texttest.Run(t, run, "-cores", "2", "-steps", "4", "-title", "Test steps", "-o", report, "x="+in); out != "" {
		t.Errorf("with -o, stdout holds %q, want nothing", out)
	}
	if b, err := os.ReadFile(report); err != nil || !strings.HasPrefix(string(b), "# Test steps\n") || !strings.Contains(string(b), "| conv GEMM forward ") {
		t.Errorf("-o %s holds %q (%v), want the report titled Test steps", report, b, err)
	}
	// The command line it was generated by reads back as the same
	// arguments: the title with its blank is quoted.
	if b, _ := os.ReadFile(report); !strings.Contains(string(b), "`go run ./bench/cmd/stepprofile -cores 2 -steps 4 -title 'Test steps' -o "+report+" x="+in+"`") {
		t.Errorf("the report's command line does not quote -title 'Test steps':\n%s", b)
	}
	if b, err := os.ReadFile(old); err != nil || string(b) != "old report\n" {
		t.Errorf("a hard link to the old -o file holds %q (%v), want the old text: -o was written in place, not renamed over", b, err)
	}
	// 010 is ten steps, not eight (octal).
	texttest.ContainsAll(t, "-steps 010: output", texttest.Run(t, run, "-cores", "2", "-steps", "010", "x="+in), "(10 steps per profile)")
	for _, tc := range []struct {
		args []string
		want string
	}{
		// -cores left out was refused as "-cores 0", a value not given.
		{[]string{"x=" + in}, "-cores is required: give the number of cores the steps ran on (GOMAXPROCS), >= 1"},
		{[]string{"-cores", "0", "x=" + in}, "-cores 0: want the number of cores the steps ran on, >= 1"},
		// A title of two lines made the second a paragraph of its own.
		{[]string{"-cores", "2", "-title", "Steps\r\nbefore", "x=" + in}, `-title "Steps\r\nbefore": a title is one line, want no line break`},
		{[]string{"-cores", "2"}, "no profiles"},
		{[]string{"-cores", "2", "nolabel"}, "want label=profile"},
		// Two profiles of one label headed two columns alike.
		{[]string{"-cores", "2", "x=" + in, "x=" + in}, `argument "x=` + in + `": label "x" is given twice (first in "x=` + in + `"): give each profile a label of its own`},
		{[]string{"-cores", "0b11", "x=" + in}, `invalid value "0b11" for flag -cores: want a decimal integer`},
		{[]string{"-cores", "2", "-steps", "0x10", "x=" + in}, `invalid value "0x10" for flag -steps: want a decimal integer`},
		{[]string{"-cores", "2", "x=" + filepath.Join(dir, "none")}, "no such file"},
	} {
		if err := run(tc.args, &strings.Builder{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run(%q) = %v, want an error containing %q", tc.args, err, tc.want)
		}
	}
}

// TestClassifyRules: each of these frames decides its sample's component
// (the frames below it name none), so assigning it to another component
// passed every other case, where a frame below or above decided first.
func TestClassifyRules(t *testing.T) {
	checkClassify(t, []classifyCase{
		{"nn.(*codesForward).forward < nn.(*BinaryConv2d).Forward", xnorFwd},
		{"nn.(*naJob).Do < internal/parallel.start.func1.1", noiseAdapt},
		{"nn.lutBuildAVX2 < nn.(*lutWeights).prepare", gemmData},
		{"nn.(*lutScratch).lutSigns < nn.(*convCore).weightGradLUT", gemmWeights},
		{"nn.lutTablesAVX2 < nn.(*convCore).weightGradLUT", gemmWeights},
		{"nn.lutNibblesAVX2 < nn.(*convCore).weightGradLUT", gemmWeights},
		{"nn.lutCorrection < nn.(*convCore).weightGradLUT", gemmWeights},
		{"nn.grid.scatter < internal/parallel.start.func1.1", convMove},
		{"nn.phaseGrid.interleaveRows < internal/parallel.start.func1.1", convMove},
		{"nn.planes < nn.(*BinaryConv2d).backwardPlanes", convMove},
		{"nn.(*bnJob).Do < internal/parallel.start.func1.1", batchNorm},
		{"runtime.memmove < nn.(*Residual).Forward", residual},
		{"runtime.memclrNoHeapPointers < nn.(*BinaryConv2d).Forward", estimator},
		{"nn.(*GlobalAvgPool).Forward < nn.Sequential.Forward", other},
		{"nn.(*globalPoolJob).Do < internal/parallel.start.func1.1", other},
		{"nn.(*Linear).Backward < nn.Sequential.Backward", other},
		{"nn.(*SoftmaxCrossEntropy).Forward < bench.BenchmarkTrainStep.func1.1", other},
		{"runtime.memmove < nn.Sequential.Forward", other},
		{"runtime.mallocgc < bench.BenchmarkTrainStep.func1.1", other},
	})
}

// A sample of writeProfile: its locations, leaf first, each with its
// lines, innermost first (an inlined call has several); and its CPU time.
type sample struct {
	locs [][]string
	ns   int64
}

// writeProfile writes a profile of the given duration, sample type and
// samples to path; the frame names are given as stack takes them.
func writeProfile(t *testing.T, path string, duration int64, kind profile.ValueType, samples []sample) {
	t.Helper()
	p := &profile.Profile{
		SampleType:    []*profile.ValueType{{Type: "samples", Unit: "count"}, &kind},
		DurationNanos: duration,
	}
	funcs := map[string]*profile.Function{}
	for _, s := range samples {
		ps := &profile.Sample{Value: []int64{1, s.ns}}
		for _, lines := range s.locs {
			loc := &profile.Location{ID: uint64(len(p.Location) + 1)}
			for _, name := range stack(strings.Join(lines, " < ")) {
				f := funcs[name]
				if f == nil {
					f = &profile.Function{ID: uint64(len(p.Function) + 1), Name: name}
					funcs[name] = f
					p.Function = append(p.Function, f)
				}
				loc.Line = append(loc.Line, profile.Line{Function: f})
			}
			p.Location = append(p.Location, loc)
			ps.Location = append(ps.Location, loc)
		}
		p.Sample = append(p.Sample, ps)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := p.Write(f); err != nil {
		t.Fatal(err)
	}
}

var cpuType = profile.ValueType{Type: "cpu", Unit: "nanoseconds"}

// TestTwoProfiles: two profiles side by side on 4 cores, 2 steps each.
// Profile a (1 s, capacity 4 s) has 0.2 s of BatchNorm inlined into a
// residual block's code, 0.4 s of residual addition and 0.9 s of
// estimator kernels in four functions (two tied); profile b (0.25 s,
// capacity 1 s) has 1.2 s of estimator kernels, 20% more than its
// capacity, so its idle time is none rather than negative, and a note
// under the table says that b's shares add up to 120%, of the capacity,
// unscaled (a share above 100% without it read as a bug of the table).
//
// Each of these passed every other test, which had one profile on as
// many cores as this machine has, with one leaf per component: the
// capacity from this machine's cores, a row or leaf row kept or dropped
// by the last profile alone, the shares of every profile over the first
// one's capacity, the rows of components without time kept, the leaf
// table with an idle row, two leaves instead of three, leaves in
// ascending order or ties in reverse name order, the caller of an
// inlined call taken as the innermost frame, the leaf of a one-frame
// sample dropped, the ms/step column without its profile's label, idle
// time below zero, and the header's words for the command and the cores.
func TestTwoProfiles(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.pprof"), filepath.Join(dir, "b.pprof")
	writeProfile(t, a, 1e9, cpuType, []sample{
		{[][]string{{"nn.(*BatchNorm).normalize", "nn.(*Residual).Forward"}}, 2e8},
		{[][]string{{"nn.addAVX2"}, {"nn.(*addJob).Do"}}, 4e8},
		{[][]string{{"estimators.a"}}, 4e8},
		{[][]string{{"estimators.c"}}, 2e8},
		{[][]string{{"estimators.b"}}, 2e8},
		{[][]string{{"estimators.d"}}, 1e8},
	})
	writeProfile(t, b, 2.5e8, cpuType, []sample{{[][]string{{"estimators.a"}}, 1.2e9}})
	got := runText(t, "-cores", "4", "-steps", "2", "a="+a, "b="+b)
	texttest.ContainsAll(t, "output", got,
		"Generated by `go run ./bench/cmd/stepprofile -cores 4 -steps 2 a=",
		"Share of the capacity of the profiled steps (4 cores × the profile's duration), and milliseconds per step (2 steps per profile);",
		"| component | a | a ms/step | b | b ms/step |",
		"|:-----",
		"| BatchNorm fwd+bwd | 5.0% | 100.0 | 0.0% | 0.0 | | residual add | 10.0% | 200.0 | 0.0% | 0.0 | | estimator kernels (signs, g, weight scales) | 22.5% | 450.0 | 120.0% | 600.0 | | idle: waits, imbalance, serial parts | 62.5% | 1250.0 | 0.0% | 0.0 | | step (wall) | 100% | 500.0 | 100% | 125.0 |",
		"| BatchNorm fwd+bwd | nn.(*BatchNorm).normalize 100% | | | residual add | nn.addAVX2 100% | | | estimator kernels (signs, g, weight scales) | estimators.a 44%, estimators.b 22%, estimators.c 22% | estimators.a 100% |",
	)
	texttest.ContainsAll(t, "over capacity", got,
		"**Over capacity.** In b the profile's samples add up to 120.0% of its capacity (4 cores × 250ms), 20.0% more CPU time than its cores had in that window: more than those explain, which add a few percent: the samples hold the CPU time of at least 5 cores in that window, so the steps most likely ran on more cores than -cores 4 says (give -cores the GOMAXPROCS they ran with). Its shares are still of the capacity, not scaled to it, so its components add up to 120.0% and its idle row is 0, not negative; its ms/step are the CPU time the profile recorded.",
	)
	if n := strings.Count(got, "**Over capacity.**"); n != 1 {
		t.Errorf("%d over-capacity notes, want 1 (b's):\n%s", n, got)
	}
	if strings.Contains(got, "In a the profile") {
		t.Errorf("a (within its capacity) has an over-capacity note:\n%s", got)
	}
	if n := strings.Count(got, "| idle: waits"); n != 1 {
		t.Errorf("idle has %d rows, want 1 (none in the leaf table):\n%s", n, got)
	}
	if strings.Contains(got, "conv GEMM forward") {
		t.Errorf("a component with no time has a row:\n%s", got)
	}

	// Without -steps, shares only, and no note on a ms/step column.
	got = runText(t, "-cores", "4", "a="+a, "b="+b)
	texttest.ContainsAll(t, "-steps 0", got,
		"| component | a | b |",
		"| residual add | 10.0% | 0.0% |",
		"| step (wall) | 100% | 100% |",
		"**Over capacity.** In b the profile's samples add up to 120.0% of its capacity (4 cores × 250ms), 20.0% more",
	)
	for _, bad := range []string{"ms/step", "Inf", "NaN"} {
		if strings.Contains(got, bad) {
			t.Errorf("-steps 0: output has %q:\n%s", bad, got)
		}
	}

	// Refused: a profile without a duration, one of another kind of
	// time (a block profile's delay), and a negative step count. Each was
	// accepted with every other test passing.
	none, block := filepath.Join(dir, "none.pprof"), filepath.Join(dir, "block.pprof")
	writeProfile(t, none, 0, cpuType, []sample{{[][]string{{"estimators.a"}}, 1e8}})
	writeProfile(t, block, 1e9, profile.ValueType{Type: "delay", Unit: "nanoseconds"}, []sample{{[][]string{{"estimators.a"}}, 1e8}})
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-cores", "4", "x=" + none}, "not a CPU profile with a duration"},
		{[]string{"-cores", "4", "x=" + block}, "not a CPU profile with a duration"},
		{[]string{"-cores", "4", "-steps", "-1", "x=" + a}, "-steps -1"},
	} {
		if err := run(tc.args, &strings.Builder{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run(%q) = %v, want an error containing %q", tc.args, err, tc.want)
		}
	}
}

// TestOverCapacityDecimals: an excess too small for one decimal is given
// to its first significant digit, not as "0.0% more"; a profile exactly
// at its capacity has no note.
func TestOverCapacityDecimals(t *testing.T) {
	for _, tc := range []struct {
		busy float64
		want string
	}{
		{4.0012e9, "In c the profile's samples add up to 100.03% of its capacity (4 cores × 1s), 0.03% more CPU time"},
		{4.00002e9, "add up to 100.0005% of its capacity (4 cores × 1s), 0.0005% more"},
		{4.4e9, "add up to 110.0% of its capacity (4 cores × 1s), 10.0% more CPU time than its cores had in that window: more than those explain, which add a few percent: the samples hold the CPU time of at least 5 cores"},
		{4e9, ""},
		// A tenth over or more is not the profile's overhead but
		// -cores below the cores the steps ran on (a 2-core profile
		// given -cores 1 was put down to overhead at 197%).
		{8e9, "add up to 200.0% of its capacity (4 cores × 1s), 100.0% more CPU time than its cores had in that window: more than those explain, which add a few percent: the samples hold the CPU time of at least 8 cores in that window, so the steps most likely ran on more cores than -cores 4 says"},
		{5e9, "the CPU time of at least 5 cores in that window"},
		{4.3e9, "7.5% more CPU time than its cores had in that window: profiling overhead"},
	} {
		var b strings.Builder
		overCapacity(&b, &result{label: "c", capacity: 4e9, busy: tc.busy}, 4, false)
		if got := b.String(); tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("busy %g of capacity 4e9: note %q, want one containing %q", tc.busy, got, tc.want)
		}
	}
	// On 64 cores a core's worth over is under 2%: overhead, still.
	for _, tc := range []struct {
		busy float64
		want string
	}{
		{65e9, "1.6% more CPU time than its cores had in that window: profiling overhead"},
		{72e9, "the CPU time of at least 72 cores in that window, so the steps most likely ran on more cores than -cores 64 says"},
		{70.3e9, "9.8% more CPU time than its cores had in that window: profiling overhead"},
	} {
		var b strings.Builder
		overCapacity(&b, &result{label: "c", capacity: 64e9, busy: tc.busy}, 64, false)
		if got := b.String(); !strings.Contains(got, tc.want) {
			t.Errorf("busy %g of capacity 64e9: note %q, want one containing %q", tc.busy, got, tc.want)
		}
	}
}

// runText runs stepprofile with args and returns its output with its
// runs of blanks squashed to one space; an error fails the test.
func runText(t *testing.T, args ...string) string {
	t.Helper()
	return texttest.Squash(texttest.Run(t, run, args...))
}

// TestRefusesOutputOverProfile: tried as a new user would, -o naming one
// of the profiles replaced it with the table and exited 0. It is refused
// before anything is read or written, and the profile is unchanged.
func TestRefusesOutputOverProfile(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "a.pprof")
	writeProfile(t, in, 1e9, cpuType, []sample{{[][]string{{"gemm.kern4x24B"}}, 5e8}})
	before, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	err = run([]string{"-cores", "2", "-o", in, "x=" + in}, nil)
	if want := "-o " + in + ": refusing to write there: it is the same file as profile x: " + in; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("-o over a profile: %v, want an error containing %q", err, want)
	}
	if after, err := os.ReadFile(in); err != nil || string(after) != string(before) {
		t.Errorf("the profile changed (%v): -o replaced it", err)
	}
}

// TestRefusesOutputInMissingDir: tried as a new user would, -o in a
// directory that does not exist was found only when the table was
// written, after every profile was read. It is refused first, naming the
// flag and the directory: with a profile that does not exist, the error
// is -o's.
func TestRefusesOutputInMissingDir(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none")
	out := filepath.Join(missing, "steps.md")
	err := run([]string{"-cores", "2", "-o", out, "x=" + filepath.Join(t.TempDir(), "absent.pprof")}, nil)
	if want := "-o " + out + ": its directory " + missing + " does not exist"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("-o in a missing directory: %v, want an error starting %q", err, want)
	}
}

// TestRefusesOutputOfAnotherFormat: -o steps.svg wrote the markdown
// table under an SVG image's name. A name whose extension is another
// format's is refused, as gradbench's own outputs are
// (suite.CheckFormat), before any profile is read: with a profile that
// does not exist, the error is -o's.
func TestRefusesOutputOfAnotherFormat(t *testing.T) {
	dir := t.TempDir()
	for _, ext := range []string{".svg", ".pdf", ".txt"} {
		out := filepath.Join(dir, "steps"+ext)
		err := run([]string{"-cores", "2", "-o", out, "x=" + filepath.Join(dir, "absent.pprof")}, nil)
		if want := "-o " + out + ": " + ext + " names "; err == nil || !strings.HasPrefix(err.Error(), want) ||
			!strings.HasSuffix(err.Error(), ", and -o writes a Markdown document: name the file "+filepath.Join(dir, "steps.md")) {
			t.Errorf("-o %s: %v, want an error starting %q that names the table a Markdown document and steps.md", out, err, want)
		}
	}
}

// TestCountsQuotedAsTyped: a refused -cores or -steps is quoted as typed,
// not as the parsed number prints ("-0" and "00" are 0).
func TestCountsQuotedAsTyped(t *testing.T) {
	for _, args := range [][]string{{"-cores", "00"}, {"-cores", "-0"}, {"-cores", "1", "-steps", "-01"}} {
		err := run(append(args, "x=absent.pprof"), nil)
		if want := args[len(args)-2] + " " + args[len(args)-1] + ": "; err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q: error %v, want it to start %q", args, err, want)
		}
	}
}
