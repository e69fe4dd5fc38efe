//go:build !purego && !openblas

package steptest

import (
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/gemm"
	"github.com/gradbench/gradbench/internal/golden"
	"github.com/gradbench/gradbench/internal/racebuild"
	"github.com/gradbench/gradbench/nn"
)

// TestTrainingGolden trains binary ResNet-20 for three SGD steps under
// several estimator specs, with the XNOR and the float training forward,
// and with the lookup-table backward products of binary convolutions (the
// default) and with the GEMM's (nn.SetBinaryBackward(false)), and
// compares a hash of every parameter, gradient and running statistic,
// and the losses, with testdata/train.golden. Its lut=false lines were
// written by the engine that trained the committed study (results/study),
// before the lookup tables; its lut=true lines by the engine since. So a
// change that alters any bit of training (a fused pass, a reordered sum)
// fails here by name: rewriting the file (go test -update) is a change of
// the engine's numerics, to be said in the commit and in results/.
//
// The assembly GEMMs (avx2 and avx512 are bit-identical) are the
// reference; the portable Go GEMM and OpenBLAS round differently, so the
// test skips under them.
//
// Under the race detector it trains raceSpecs alone, with the xnor and
// lut settings raceTrains gives, and compares each line with the same
// line of testdata/train.golden, which stays the one record of the bits.
func TestTrainingGolden(t *testing.T) {
	if impl := gemm.Impl(); impl != "avx2" && impl != "avx512" {
		t.Skipf("gemm %q: the golden file holds the assembly GEMMs' results", impl)
	}
	specs := []string{"ste", "fda", "fda+na", "w=fda/a=approxsign", "bnnplus", "dsq", "ede"}
	// Every spec takes the same concurrent path through the engine; the
	// others differ in their estimators' numerics, which the simd build
	// pins in full.
	if racebuild.Enabled {
		if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
			t.Fatal("-update under the race detector: it trains a subset of the lines, and the file is rewritten whole; run -update without -race")
		}
		var got []string
		for _, spec := range raceSpecs {
			if !slices.Contains(specs, spec) {
				t.Fatalf("race subset spec %q is not one of the specs the file holds, %q", spec, specs)
			}
			for _, lut := range []bool{true, false} {
				for _, xnor := range []bool{true, false} {
					if raceTrains(spec, xnor, lut) {
						got = append(got, goldenLine(spec, xnor, lut, trainHash(t, spec, xnor, lut)))
					}
				}
			}
		}
		want, err := os.ReadFile(filepath.Join("testdata", "train.golden"))
		if err != nil {
			t.Fatal(err)
		}
		if err := sameLines(want, got); err != nil {
			t.Errorf("testdata/train.golden: %v", err)
		}
		return
	}
	var b strings.Builder
	for _, lut := range []bool{true, false} {
		for _, xnor := range []bool{true, false} {
			for _, spec := range specs {
				b.WriteString(goldenLine(spec, xnor, lut, trainHash(t, spec, xnor, lut)))
			}
		}
	}
	golden.Check(t, "train.golden", []byte(b.String()))
}

// raceSpecs are the specs TestTrainingGolden trains under the race
// detector: the plain clipped STE, and fda+na, whose noise adaptation
// adds layers of its own to every binary convolution.
var raceSpecs = []string{"ste", "fda+na"}

// raceTrains reports whether TestTrainingGolden trains spec with the
// xnor and lut settings under the race detector: every setting for a
// spec without noise adaptation, and for fda+na, with it on both sides,
// the defaults alone. There the settings change no code that runs in
// training: BinaryConv2d.Forward takes the XNOR kernels only without
// noise adaptation, and the lookup-table backward products need the
// codes of unadapted weights (wbCodes) or activations (signIn, or the
// XNOR path's codes), so every setting would run the same concurrent
// code again (trainHash's epoch gives a nonzero α; the file's four fda+na
// lines are one hash). The one forward that differs, the evaluation at
// the end, is the same layer code ste's lines run.
func raceTrains(spec string, xnor, lut bool) bool {
	return spec != "fda+na" || (xnor && lut)
}

// goldenLine is the line of train.golden for spec, xnor and lut: its key
// (spec, xnor, lut) padded to fixed columns, then hash.
func goldenLine(spec string, xnor, lut bool, hash string) string {
	return fmt.Sprintf("%-20s xnor=%-5v lut=%-5v %s\n", spec, xnor, lut, hash)
}

// sameLines checks each of got, lines made by goldenLine, against the
// line of want with the same key: it reports, by line number and key,
// each line that differs, and each key that want lacks or holds twice.
// No line to check is an error too.
func sameLines(want []byte, got []string) error {
	if len(got) == 0 {
		return errors.New("no lines to compare")
	}
	lines := strings.SplitAfter(string(want), "\n")
	var errs []error
	for _, g := range got {
		key, _, ok := strings.Cut(g, " loss=")
		if !ok {
			return fmt.Errorf("line %q has no loss= field", g)
		}
		key += " "
		var at []int
		for i, l := range lines {
			if strings.HasPrefix(l, key) {
				at = append(at, i)
			}
		}
		name := strings.Join(strings.Fields(key), " ")
		switch {
		case len(at) == 0:
			errs = append(errs, fmt.Errorf("no line for %s", name))
		case len(at) > 1:
			errs = append(errs, fmt.Errorf("%d lines for %s (lines %v)", len(at), name, at))
		case lines[at[0]] != g:
			errs = append(errs, fmt.Errorf("line %d (%s) differs:\n got  %s want %s", at[0]+1, name, g, lines[at[0]]))
		}
	}
	return errors.Join(errs...)
}

// trainHash runs three SGD steps (momentum, weight decay) on 26 random
// images, an uneven split over the engine's parts, then one evaluation
// forward, and returns the losses and a SHA-256 of the bits of every
// step's gradients, the final parameters and running statistics, and the
// evaluation logits.
func trainHash(t *testing.T, spec string, xnor, lut bool) string {
	defer nn.SetBinaryForward(nn.SetBinaryForward(xnor))
	defer nn.SetBinaryBackward(nn.SetBinaryBackward(lut))
	m, x, labels, err := ResNet20(spec, 26, "steptest/golden")
	if err != nil {
		t.Fatal(err)
	}
	ps := nn.Params(m.Net)
	opt := nn.NewSGD(ps, nn.SGDConfig{Momentum: 0.9, WeightDecay: 1e-4})
	nn.SetProgress(m.Net, nn.Progress{Epoch: 2, Epochs: 5})
	h := sha256.New()
	put := func(v []float32) {
		for _, f := range v {
			u := math.Float32bits(f)
			h.Write([]byte{byte(u), byte(u >> 8), byte(u >> 16), byte(u >> 24)})
		}
	}
	var ce nn.SoftmaxCrossEntropy
	var losses []string
	for range 3 {
		loss := ce.Forward(m.Net.Forward(x), labels)
		losses = append(losses, fmt.Sprintf("%08x", math.Float32bits(float32(loss))))
		m.Net.Backward(ce.Backward())
		for _, p := range ps {
			put(p.Grad) // Step zeroes them
		}
		opt.Step(0.05)
	}
	for _, p := range ps {
		put(p.Data)
	}
	for _, buf := range nn.Buffers(m.Net) {
		put(buf.Data)
	}
	nn.SetTraining(m.Net, false)
	put(m.Net.Forward(x).Data)
	return fmt.Sprintf("loss=%s sha256=%x", strings.Join(losses, ","), h.Sum(nil)[:12])
}

// TestSameLines: the race detector's comparison fails on a line that
// differs from the file's, naming it, and on a key the file lacks or
// holds twice, and on nothing to compare; it passes lines equal to the
// file's, in any order.
func TestSameLines(t *testing.T) {
	a := goldenLine("ste", true, true, "loss=1,2,3 sha256=aa")
	b := goldenLine("fda+na", false, true, "loss=4,5,6 sha256=bb")
	file := []byte(a + b)
	for _, tc := range []struct {
		name string
		file []byte
		got  []string
		want string // a part of the error, "" for none
	}{
		{"equal", file, []string{b, a}, ""},
		{"one equal", file, []string{b}, ""},
		{"a bit differs", file, []string{a, goldenLine("fda+na", false, true, "loss=4,5,6 sha256=bc")}, "line 2 (fda+na xnor=false lut=true) differs"},
		{"a loss differs", file, []string{goldenLine("ste", true, true, "loss=1,2,4 sha256=aa")}, "line 1 (ste xnor=true lut=true) differs"},
		{"spec not in the file", file, []string{goldenLine("fda", true, true, "loss=1,2,3 sha256=aa")}, "no line for fda xnor=true lut=true"},
		{"xnor not in the file", file, []string{goldenLine("ste", false, true, "loss=1,2,3 sha256=aa")}, "no line for ste xnor=false lut=true"},
		{"key twice", []byte(a + a), []string{a}, "2 lines for ste xnor=true lut=true"},
		{"nothing to compare", file, nil, "no lines to compare"},
	} {
		err := sameLines(tc.file, tc.got)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}
