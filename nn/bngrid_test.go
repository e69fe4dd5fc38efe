package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gradbench/gradbench/estimators"
)

// TestBatchNormDeferredBitIdentical runs convolutions followed by
// BatchNorm with BatchNorm's input gradient computed as the convolution
// fills its grid (deferPair) and the same layers hidden behind opaque,
// where BatchNorm writes it and the convolution copies it, and asks for
// the same bits: the input gradient and every parameter gradient, in
// training and in evaluation mode, under every implementation. Binary
// 3×3 convolutions on the grid (stride 1) and the phase grid (stride 2),
// full-precision 1×1 and strided ones, several uneven groups per part and
// a smaller batch after a larger; a residual unit whose body starts with
// the pair (the convolution adds the shortcut's gradient) and one with
// two pairs, and a Sequential with a pair after another layer. The
// deferred runs must not have written BatchNorm's input gradient.
func TestBatchNormDeferredBitIdentical(t *testing.T) {
	defer func(v int) { gridTarget = v }(gridTarget)
	prev := Impl()
	defer SetImpl(prev)
	bin := func(in, out, k, s, p int, init *Init) Layer {
		l, err := NewBinaryConv2d(Conv{In: in, Out: out, Kernel: k, Stride: s, Pad: p}, Binary{Estimator: estimators.MustParse("ste")}, init)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	fp := func(in, out, k, s, p int, init *Init) Layer {
		return NewConv2d(Conv{In: in, Out: out, Kernel: k, Stride: s, Pad: p}, init)
	}
	type net struct {
		top  Layer
		all  Sequential
		bns  []*BatchNorm
		in   int
		h, w int
	}
	// Each case builds its network from init, its layers wrapped by wrap.
	cases := []struct {
		name   string
		target int
		build  func(init *Init, wrap func(Layer) Layer) net
	}{
		{"binary-3x3-s1", 3000, func(init *Init, wrap func(Layer) Layer) net {
			c, b := bin(16, 16, 3, 1, 1, init), NewBatchNorm2d(16)
			return net{top: Sequential{wrap(c), wrap(b)}, all: Sequential{c, b}, bns: []*BatchNorm{b}, in: 16, h: 8, w: 8}
		}},
		{"binary-3x3-s2", 5000, func(init *Init, wrap func(Layer) Layer) net {
			c, b := bin(16, 32, 3, 2, 1, init), NewBatchNorm2d(32)
			return net{top: Sequential{wrap(c), wrap(b)}, all: Sequential{c, b}, bns: []*BatchNorm{b}, in: 16, h: 8, w: 8}
		}},
		{"binary-3x3-s2-odd", 1 << 16, func(init *Init, wrap func(Layer) Layer) net {
			c, b := bin(8, 8, 3, 2, 1, init), NewBatchNorm2d(8)
			return net{top: Sequential{wrap(c), wrap(b)}, all: Sequential{c, b}, bns: []*BatchNorm{b}, in: 8, h: 7, w: 7}
		}},
		{"conv-1x1", 2000, func(init *Init, wrap func(Layer) Layer) net {
			p, c, b := NewAvgPool2d(Pool{Kernel: 2}), fp(8, 16, 1, 1, 0, init), NewBatchNorm2d(16)
			return net{top: Sequential{wrap(p), wrap(c), wrap(b)}, all: Sequential{p, c, b}, bns: []*BatchNorm{b}, in: 8, h: 14, w: 14}
		}},
		{"conv-3x3-s2", 3000, func(init *Init, wrap func(Layer) Layer) net {
			c, b := fp(6, 8, 3, 2, 1, init), NewBatchNorm2d(8)
			return net{top: Sequential{wrap(c), wrap(b)}, all: Sequential{c, b}, bns: []*BatchNorm{b}, in: 6, h: 9, w: 9}
		}},
		{"residual-projection", 3000, func(init *Init, wrap func(Layer) Layer) net {
			c, b := bin(8, 16, 3, 2, 1, init), NewBatchNorm2d(16)
			p, sc, sb := NewAvgPool2d(Pool{Kernel: 2}), fp(8, 16, 1, 1, 0, init), NewBatchNorm2d(16)
			r := &Residual{Body: Sequential{wrap(c), wrap(b)}, Shortcut: Sequential{wrap(p), wrap(sc), wrap(sb)}}
			return net{top: r, all: Sequential{c, b, p, sc, sb}, bns: []*BatchNorm{b, sb}, in: 8, h: 8, w: 8}
		}},
		{"residual-two-pairs", 3000, func(init *Init, wrap func(Layer) Layer) net {
			c1, b1 := bin(8, 8, 3, 1, 1, init), NewBatchNorm2d(8)
			c2, b2 := bin(8, 8, 3, 1, 1, init), NewBatchNorm2d(8)
			r := &Residual{Body: Sequential{wrap(c1), wrap(b1), wrap(c2), wrap(b2)}}
			return net{top: r, all: Sequential{c1, b1, c2, b2}, bns: []*BatchNorm{b1, b2}, in: 8, h: 8, w: 8}
		}},
	}
	for _, name := range Impls() {
		if err := SetImpl(name); err != nil {
			t.Fatal(err)
		}
		for _, tc := range cases {
			for _, train := range []bool{true, false} {
				t.Run(fmt.Sprintf("impl=%s/%s/train=%v", name, tc.name, train), func(t *testing.T) {
					gridTarget = tc.target
					hide := func(l Layer) Layer { return opaque{l} }
					keep := func(l Layer) Layer { return l }
					fused, plain := tc.build(NewInit(9), keep), tc.build(NewInit(9), hide)
					r := rand.New(rand.NewPCG(11, 12))
					for _, n := range []int{13, 5} {
						x := randTensor(r, n, fused.in, fused.h, fused.w)
						var dx [2][]float32
						var state [2][][]float32
						for k, nt := range []net{fused, plain} {
							SetTraining(nt.all, true)
							y := nt.top.Forward(x)
							SetTraining(nt.all, train)
							for _, p := range Params(nt.all) {
								clear(p.Grad)
							}
							for _, b := range nt.bns {
								b.dx = buffer{}
							}
							dy := make([]float32, len(y.Data))
							fill(rand.New(rand.NewPCG(uint64(n), 13)), dy)
							g := nt.top.Backward(&Tensor{N: y.N, C: y.C, H: y.H, W: y.W, Data: dy})
							dx[k] = clone(g.Data)
							for _, p := range Params(nt.all) {
								state[k] = append(state[k], clone(p.Grad))
							}
							for _, b := range nt.bns {
								if wrote := b.dx.buf != nil; wrote != (k == 1) {
									t.Fatalf("fused run %v: BatchNorm wrote its input gradient: %v", k == 0, wrote)
								}
							}
						}
						checkBits(t, fmt.Sprintf("batch %d: input gradient", n), dx[0], dx[1])
						if len(state[0]) != len(state[1]) || len(state[0]) == 0 {
							t.Fatalf("%d and %d parameter gradients", len(state[0]), len(state[1]))
						}
						for i := range state[0] {
							checkBits(t, fmt.Sprintf("batch %d: parameter gradient %d", n, i), state[0][i], state[1][i])
						}
					}
				})
			}
		}
	}
}
