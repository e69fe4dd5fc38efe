package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/pprof/profile"
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

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		stack string
		want  int
	}{
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
	} {
		if got := classify(stack(tc.stack)); got != tc.want {
			t.Errorf("classify(%s) = %q, want %q", tc.stack, names[got], names[tc.want])
		}
	}
}

// TestRun writes a profile of 1 s on 2 cores: 0.5 s of forward GEMM,
// 0.25 s of BatchNorm and 0.25 s on the scheduler, so 1 s is idle.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	fn := func(id uint64, name string) *profile.Function { return &profile.Function{ID: id, Name: name} }
	funcs := []*profile.Function{
		fn(1, module+"gemm.kern4x24B"), fn(2, module+"nn.(*convCore).forwardGrid"),
		fn(3, module+"nn.(*BatchNorm).forwardChannel"), fn(4, "runtime.findRunnable"),
	}
	var locs []*profile.Location
	for i, f := range funcs {
		locs = append(locs, &profile.Location{ID: uint64(i + 1), Line: []profile.Line{{Function: f}}})
	}
	p := &profile.Profile{
		SampleType:    []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		DurationNanos: 1e9,
		Function:      funcs,
		Location:      locs,
		Sample: []*profile.Sample{
			{Location: []*profile.Location{locs[0], locs[1]}, Value: []int64{50, 5e8}},
			{Location: []*profile.Location{locs[2]}, Value: []int64{25, 2.5e8}},
			{Location: []*profile.Location{locs[3]}, Value: []int64{25, 2.5e8}},
		},
	}
	in := filepath.Join(dir, "a.pprof")
	f, err := os.Create(in)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Write(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	var out strings.Builder
	if err := run([]string{"-cores", "2", "-steps", "4", "x=" + in}, &out); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(strings.Fields(out.String()), " ")
	for _, want := range []string{
		"| conv GEMM forward | 25.0% | 125.0 |",
		"| BatchNorm fwd+bwd | 12.5% | 62.5 |",
		"| pool hand-off (wake-ups, waits) and scheduler | 12.5% | 62.5 |",
		"| idle: waits, imbalance, serial parts | 50.0% | 250.0 |",
		"| step (wall) | 100% | 250.0 |",
		"| conv GEMM forward | gemm.kern4x24B 100% |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	// -title heads the report and -o receives it, replacing the file
	// atomically: a hard link to the old file keeps the old text. Ignoring
	// -title, or writing -o in place, passed every test, as none gave
	// either.
	report, old := filepath.Join(dir, "profile.md"), filepath.Join(dir, "old.md")
	if err := os.WriteFile(report, []byte("old report\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(report, old); err != nil {
		t.Fatalf("hard link: %v", err)
	}
	out.Reset()
	if err := run([]string{"-cores", "2", "-steps", "4", "-title", "Test steps", "-o", report, "x=" + in}, &out); err != nil {
		t.Fatal(err)
	}
	if out.Len() != 0 {
		t.Errorf("with -o, stdout holds %q, want nothing", out.String())
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
	out.Reset()
	if err := run([]string{"-cores", "2", "-steps", "010", "x=" + in}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "(10 steps per profile)") {
		t.Errorf("-steps 010: output lacks (10 steps per profile):\n%s", out.String())
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"x=" + in}, "-cores 0"},
		{[]string{"-cores", "2"}, "no profiles"},
		{[]string{"-cores", "2", "nolabel"}, "want label=profile"},
		{[]string{"-cores", "0b11", "x=" + in}, `invalid value "0b11" for flag -cores: want a decimal integer`},
		{[]string{"-cores", "2", "-steps", "0x10", "x=" + in}, `invalid value "0x10" for flag -steps: want a decimal integer`},
		{[]string{"-cores", "2", "x=" + filepath.Join(dir, "none")}, "no such file"},
	} {
		if err := run(tc.args, &strings.Builder{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run(%q) = %v, want an error containing %q", tc.args, err, tc.want)
		}
	}
}
