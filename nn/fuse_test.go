package nn

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/estimators"
)

// opaque hides every interface of a layer but Layer, so that a Residual
// around it takes the separate additions (no forwardAdd, backwardAdd).
type opaque struct{ Layer }

// TestResidualFusedBitIdentical runs residual units whose layers add in
// their own passes (forwardAdder, backwardAdder) and the same units with
// every layer hidden behind opaque, which takes the separate additions,
// and asks for the same bits: the output and input gradient of a training
// step, every parameter gradient and running statistic, and an evaluation
// output; with the identity shortcut and a downsampling one, a body
// ending in BatchNorm and one that is a bare BatchNorm.
func TestResidualFusedBitIdentical(t *testing.T) {
	for _, tc := range []struct {
		name              string
		stride, in, out   int
		bareBody, project bool
	}{
		{name: "identity", stride: 1, in: 4, out: 4},
		{name: "projection", stride: 2, in: 4, out: 8, project: true},
		{name: "projection/same-size", stride: 1, in: 4, out: 6, project: true},
		{name: "bare-batchnorm", in: 5, out: 5, bareBody: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			type run struct {
				y, dx, yEval []float32
				state        [][]float32
			}
			do := func(hide bool) run {
				init := NewInit(3)
				var body, short []Layer
				if tc.bareBody {
					body = []Layer{NewBatchNorm2d(tc.out)}
				} else {
					c, err := NewBinaryConv2d(Conv{In: tc.in, Out: tc.out, Kernel: 3, Stride: tc.stride, Pad: 1},
						Binary{Estimator: estimators.MustParse("ste")}, init)
					if err != nil {
						t.Fatal(err)
					}
					body = []Layer{c, NewBatchNorm2d(tc.out)}
				}
				if tc.project {
					if tc.stride != 1 {
						short = append(short, NewAvgPool2d(Pool{Kernel: tc.stride}))
					}
					short = append(short, NewConv2d(Conv{In: tc.in, Out: tc.out, Kernel: 1}, init), NewBatchNorm2d(tc.out))
				}
				all := Sequential(append(append([]Layer{}, body...), short...))
				wrap := func(ls []Layer) Sequential {
					s := Sequential{}
					for _, l := range ls {
						if hide {
							l = opaque{l}
						}
						s = append(s, l)
					}
					return s
				}
				r := &Residual{Body: wrap(body)}
				if tc.bareBody {
					r.Body = wrap(body)[0]
				}
				if short != nil {
					r.Shortcut = wrap(short)
				}
				rnd := rand.New(rand.NewPCG(7, 8))
				x := randTensor(rnd, 6, tc.in, 8, 8)
				y := r.Forward(x)
				// The fused run must have taken the fused pass: its result
				// is the body's BatchNorm's output.
				if bn := body[len(body)-1].(*BatchNorm); !hide && &y.Data[0] != &bn.out.t.Data[0] {
					t.Fatal("the Residual did not add in BatchNorm's pass")
				}
				dy := make([]float32, len(y.Data))
				fill(rnd, dy)
				dx := r.Backward(&Tensor{N: y.N, C: y.C, H: y.H, W: y.W, Data: dy})
				// The Residual's own buffers hold a separate sum only: its
				// output never when fused, its input gradient unless the
				// body's first layer adds in its own pass.
				_, firstAdds := body[0].(backwardAdder)
				if hide == (r.out.buf == nil) || (hide || !firstAdds) == (r.dx.buf == nil) {
					t.Fatalf("hidden %v: the Residual summed the output separately: %v, the input gradient: %v (first layer a backwardAdder: %v)",
						hide, r.out.buf != nil, r.dx.buf != nil, firstAdds)
				}
				res := run{y: clone(y.Data), dx: clone(dx.Data)}
				for _, p := range Params(all) {
					res.state = append(res.state, clone(p.Grad))
				}
				for _, b := range Buffers(all) {
					res.state = append(res.state, clone(b.Data))
				}
				SetTraining(all, false)
				res.yEval = clone(r.Forward(x).Data)
				return res
			}
			fused, plain := do(false), do(true)
			checkBits(t, "output", fused.y, plain.y)
			checkBits(t, "input gradient", fused.dx, plain.dx)
			checkBits(t, "evaluation output", fused.yEval, plain.yEval)
			if len(fused.state) != len(plain.state) || len(fused.state) == 0 {
				t.Fatalf("%d and %d parameter gradients and buffers", len(fused.state), len(plain.state))
			}
			for i := range fused.state {
				checkBits(t, "parameter gradient or buffer", fused.state[i], plain.state[i])
			}
		})
	}
}

// TestResidualFusedChecks: a body's output of another shape than the
// shortcut's panics as before, whether the body adds in its own pass or
// not, and BatchNorm refuses to add a tensor that shares its output's
// memory.
func TestResidualFusedChecks(t *testing.T) {
	x := NewTensor(2, 3, 4, 4)
	for i := range x.Data {
		x.Data[i] = float32(i % 7)
	}
	short := NewConv2d(Conv{In: 3, Out: 2, Kernel: 1}, NewInit(1))
	for _, body := range []Layer{NewBatchNorm2d(3), opaque{NewBatchNorm2d(3)}} {
		wantPanic(t, "differ in shape", func() { (&Residual{Body: body, Shortcut: short}).Forward(x) })
	}
	bn := NewBatchNorm2d(3)
	y := bn.Forward(x)
	wantPanic(t, "shares its memory", func() { bn.forwardAdd(x, y) })
}

func wantPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		if e := recover(); e == nil || !strings.Contains(e.(string), want) {
			t.Errorf("panic %v, want one saying %q", e, want)
		}
	}()
	f()
}

func clone(v []float32) []float32 { return append([]float32(nil), v...) }
