package bitconv

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gradbench/gradbench/internal/impl/impltest"
)

// forEachImpl runs f once per implementation this build and CPU can run
// (impltest.Each), with its name, restoring the default afterwards.
func forEachImpl(t *testing.T, f func(t *testing.T, impl string)) {
	t.Helper()
	impltest.Each(t, impls, func(t *testing.T) { f(t, Impl()) })
}

// randSigns returns n values from {−1, +1} (with some exact zeros, which
// binarize to +1).
func randSigns(r *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		switch r.IntN(5) {
		case 0:
			x[i] = 0
		case 1, 2:
			x[i] = -1 - r.Float32()
		default:
			x[i] = 1 + r.Float32()
		}
	}
	return x
}

// q is the training forward's sign: +1 for x >= 0 (so q(0) = +1).
func q(x float32) float64 {
	if x < 0 {
		return -1
	}
	return 1
}

// naiveConv is the float convolution of q(x) with q(w) and zero padding: the
// obvious loop, padded taps contributing 0. x is N×C×H×W, w Out×C×k×k; it
// returns N×Out×OH×OW exact integers.
func naiveConv(x, w []float32, n, c, h, wd int, s Shape) []float64 {
	oh, ow := s.OutSize(h, wd)
	k, st := s.Kernel, s.stride()
	y := make([]float64, n*s.Out*oh*ow)
	for b := range n {
		for o := range s.Out {
			for oy := range oh {
				for ox := range ow {
					var sum float64
					for ch := range c {
						for ky := range k {
							for kx := range k {
								iy, ix := oy*st-s.Pad+ky, ox*st-s.Pad+kx
								if iy < 0 || iy >= h || ix < 0 || ix >= wd {
									continue
								}
								sum += q(x[((b*c+ch)*h+iy)*wd+ix]) * q(w[((o*c+ch)*k+ky)*k+kx])
							}
						}
					}
					y[((b*s.Out+o)*oh+oy)*ow+ox] = sum
				}
			}
		}
	}
	return y
}

type convCase struct {
	n, c, h, w, out, k, stride, pad int
}

func (tc convCase) String() string {
	return fmt.Sprintf("n=%d/c=%d/hw=%dx%d/out=%d/k=%d/s=%d/p=%d", tc.n, tc.c, tc.h, tc.w, tc.out, tc.k, tc.stride, tc.pad)
}

func convCases(short bool) []convCase {
	var cs []convCase
	r := rand.New(rand.NewPCG(1, 5))
	for _, c := range []int{1, 3, 63, 64, 65, 130} {
		for _, k := range []int{1, 3} {
			for _, st := range []int{1, 2} {
				for _, pad := range []int{0, 1} {
					h := 3 + r.IntN(7) // odd and even sizes, 3..9
					w := 3 + r.IntN(7)
					out := []int{1, 5, 8, 16, 70}[r.IntN(5)]
					n := 1 + r.IntN(3)
					if short && (c > 64 && out > 16) {
						out = 9
					}
					cs = append(cs, convCase{n, c, h, w, out, k, st, pad})
				}
			}
		}
	}
	// Whole-layer sizes: blocks crossing rows and images, several chunks
	// of output channels, 7×7 maps of ResNet-20's last stage.
	cs = append(cs, convCase{2, 64, 7, 7, 130, 3, 1, 1}, convCase{1, 16, 28, 28, 16, 3, 1, 1},
		convCase{3, 32, 14, 14, 64, 3, 2, 1}, convCase{1, 200, 5, 6, 129, 3, 1, 2})
	// Pairs of blocks whose outputs follow one another (the 16-lane
	// output transform) and pairs that end a row with a short block.
	cs = append(cs, convCase{2, 64, 5, 17, 24, 3, 1, 1}, convCase{2, 16, 4, 16, 16, 3, 1, 1}, convCase{1, 70, 3, 24, 9, 3, 1, 1})
	// Merged taps (stride 1, at most 32 channels): groups of 3 (16 or 21
	// channels, 3×3), of 2 and 1 (32 channels, 3×3), of 5 (12, 5×5) and
	// of 2, 2 and 1 (30, 5×5); rows narrower than 4 take im2col instead.
	cs = append(cs, convCase{2, 32, 6, 9, 10, 3, 1, 1}, convCase{1, 21, 5, 5, 8, 3, 1, 1}, convCase{2, 16, 9, 4, 24, 3, 1, 0},
		convCase{1, 12, 7, 6, 9, 5, 1, 2}, convCase{2, 30, 6, 11, 8, 5, 1, 2}, convCase{1, 2, 8, 8, 8, 5, 1, 1})
	return cs
}

func TestConvMatchesFloat(t *testing.T) {
	forEachImpl(t, func(t *testing.T, impl string) {
		r := rand.New(rand.NewPCG(2, 7))
		for _, tc := range convCases(testing.Short()) {
			s := Shape{In: tc.c, Out: tc.out, Kernel: tc.k, Stride: tc.stride, Pad: tc.pad}
			x := randSigns(r, tc.n*tc.c*tc.h*tc.w)
			w := randSigns(r, tc.out*tc.c*tc.k*tc.k)
			want := naiveConv(x, w, tc.n, tc.c, tc.h, tc.w, s)
			pw := PackWeights(s, w)
			xb := NewBits(tc.n, tc.h, tc.w, tc.c)
			Pack(xb, x)

			// Integer dot products: Mul = 1, Add = 0 gives y = d exactly.
			conv, err := NewConv(pw, ScaleOnly(ones(tc.out)))
			if err != nil {
				t.Fatal(err)
			}
			got := nanSlice(len(want))
			conv.Forward(got, xb)
			for i := range want {
				if float64(got[i]) != want[i] {
					t.Fatalf("%v: dot product %d = %v, want %v (exact)", tc, i, got[i], want[i])
				}
			}

			// Scaled by mean|W|: within 1e-5 (relative to the scale).
			conv, err = NewConv(pw, ScaleOnly(pw.Scale))
			if err != nil {
				t.Fatal(err)
			}
			conv.Forward(got, xb)
			oh, ow := s.OutSize(tc.h, tc.w)
			for i := range want {
				o := i / (oh * ow) % tc.out
				ref := want[i] * float64(pw.Scale[o])
				if d := math.Abs(float64(got[i]) - ref); d > 1e-5*math.Max(1, math.Abs(ref)) {
					t.Fatalf("%v: scaled output %d = %v, want %v", tc, i, got[i], ref)
				}
			}
		}
	})
}

func ones(n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = 1
	}
	return x
}

// nanSlice returns n NaNs: a kernel that leaves a value unwritten is caught.
func nanSlice(n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(math.NaN())
	}
	return x
}

// TestConvPaddingEveryBorder checks the padding correction at every output
// position of maps from 1×1 to 6×6 with padding 1 and 2, against the float
// convolution, with all-negative inputs (where a wrong correction is
// largest) and random ones.
func TestConvPaddingEveryBorder(t *testing.T) {
	forEachImpl(t, func(t *testing.T, impl string) {
		r := rand.New(rand.NewPCG(3, 1))
		for _, in := range []int{70, 16, 30} { // 16 and 30: merged taps
			for _, k := range []int{3, 5} {
				for _, pad := range []int{1, 2} {
					for h := 1; h <= 6; h++ {
						for _, st := range []int{1, 2} {
							s := Shape{In: in, Out: 9, Kernel: k, Stride: st, Pad: pad}
							oh, ow, ok := s.outSize(h, h+1)
							if !ok { // smaller than the kernel with its padding: refused
								continue
							}
							for _, fill := range []string{"negative", "random"} {
								x := randSigns(r, 2*in*h*(h+1))
								if fill == "negative" {
									for i := range x {
										x[i] = -1
									}
								}
								w := randSigns(r, 9*in*k*k)
								conv, err := NewConv(PackWeights(s, w), ScaleOnly(ones(9)))
								if err != nil {
									t.Fatal(err)
								}
								xb := NewBits(2, h, h+1, in)
								Pack(xb, x)
								got := nanSlice(2 * 9 * oh * ow)
								conv.Forward(got, xb)
								want := naiveConv(x, w, 2, in, h, h+1, s)
								for i := range want {
									if float64(got[i]) != want[i] {
										pix := i % (oh * ow)
										t.Fatalf("in=%d k=%d pad=%d s=%d %dx%d %s: output (y=%d, x=%d) = %v, want %v",
											in, k, pad, st, h, h+1, fill, pix/ow, pix%ow, got[i], want[i])
									}
								}
							}
						}
					}
				}
			}
		}
	})
}

// TestConvBitsIsSignOfForward checks ForwardBits against the sign of
// Forward's output (same transform) with random BatchNorm folds of both
// signs, and that every word of dst is written and padding bits are zero.
func TestConvBitsIsSignOfForward(t *testing.T) {
	forEachImpl(t, func(t *testing.T, impl string) {
		r := rand.New(rand.NewPCG(4, 4))
		for _, tc := range convCases(true) {
			s := Shape{In: tc.c, Out: tc.out, Kernel: tc.k, Stride: tc.stride, Pad: tc.pad}
			x := randSigns(r, tc.n*tc.c*tc.h*tc.w)
			w := randSigns(r, tc.out*tc.c*tc.k*tc.k)
			pw := PackWeights(s, w)
			gamma, beta, mean, vari := make([]float32, tc.out), make([]float32, tc.out), make([]float32, tc.out), make([]float32, tc.out)
			kk := float64(tc.c * tc.k * tc.k)
			for o := range tc.out {
				gamma[o] = float32(r.NormFloat64())
				beta[o] = float32(r.NormFloat64())
				// Mean near the typical output so that both signs occur.
				mean[o] = float32(r.NormFloat64() * math.Sqrt(kk) * float64(pw.Scale[o]))
				vari[o] = float32(0.1 + r.Float64())
			}
			conv, err := NewConv(pw, FoldBatchNorm(pw.Scale, gamma, beta, mean, vari, 1e-5))
			if err != nil {
				t.Fatal(err)
			}
			xb := NewBits(tc.n, tc.h, tc.w, tc.c)
			Pack(xb, x)
			oh, ow := s.OutSize(tc.h, tc.w)
			y := nanSlice(tc.n * tc.out * oh * ow)
			conv.Forward(y, xb)
			dst := &Bits{Data: make([]uint64, tc.n*oh*ow*WordsFor(tc.out))}
			for i := range dst.Data {
				dst.Data[i] = 0xdeadbeefdeadbeef // must all be overwritten
			}
			conv.ForwardBits(dst, xb)
			checkPadding(t, dst)
			want := make([]float32, len(y))
			for i, v := range y {
				want[i] = float32(q(v))
			}
			got := make([]float32, len(y))
			dst.Unpack(got)
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("%v: ForwardBits code %d = %v, want q(%v) = %v", tc, i, got[i], y[i], want[i])
				}
			}
		}
	})
}

func checkPadding(t *testing.T, b *Bits) {
	t.Helper()
	if b.C%64 == 0 {
		return
	}
	mask := ^uint64(0) << (b.C % 64)
	for i := b.Words - 1; i < len(b.Data); i += b.Words {
		if b.Data[i]&mask != 0 {
			t.Fatalf("Bits %v: padding bits of word %d are %#x, want 0", b, i, b.Data[i]&mask)
		}
	}
}

// TestConvBitsTies checks the threshold path against float BatchNorm +
// sign computed the long way, with constants chosen so that some outputs
// are exactly 0 (y = 0 must give +1), and with negative γ (flipped
// comparison).
func TestConvBitsTies(t *testing.T) {
	forEachImpl(t, func(t *testing.T, impl string) {
		r := rand.New(rand.NewPCG(5, 9))
		s := Shape{In: 10, Out: 16, Kernel: 3, Stride: 1, Pad: 1}
		n, h, wd := 2, 5, 4
		x := randSigns(r, n*s.In*h*wd)
		w := randSigns(r, s.Out*s.In*9)
		pw := PackWeights(s, w)
		// BN with ε = 0 and variance 1 is exact: y = γ·(s·d − μ) + β.
		// Scales of 1/2, μ = s·m for an integer m and β = 0 put the tie at
		// d = m; odd/even m hit or miss the reachable dot products (they
		// have the parity of the number of in-bounds terms).
		gamma, beta, mean, vari := make([]float32, s.Out), make([]float32, s.Out), make([]float32, s.Out), make([]float32, s.Out)
		for o := range s.Out {
			pw.Scale[o] = 0.5
			gamma[o] = []float32{1, -1, 2, -0.25, 0}[o%5]
			mean[o] = 0.5 * float32(r.IntN(21)-10)
			vari[o] = 1
			if o%5 == 4 {
				beta[o] = []float32{0, -1, 1}[o%3] // γ = 0: constant output
			}
		}
		conv, err := NewConv(pw, FoldBatchNorm(pw.Scale, gamma, beta, mean, vari, 0))
		if err != nil {
			t.Fatal(err)
		}
		xb := NewBits(n, h, wd, s.In)
		Pack(xb, x)
		var dst Bits
		conv.ForwardBits(&dst, xb)
		got := make([]float32, n*s.Out*h*wd)
		dst.Unpack(got)
		dots := naiveConv(x, w, n, s.In, h, wd, s)
		ties := 0
		for i, d := range dots {
			o := i / (h * wd) % s.Out
			y := float64(gamma[o])*(0.5*d-float64(mean[o])) + float64(beta[o])
			if y == 0 {
				ties++
			}
			if want := float32(q(float32(y))); got[i] != want {
				t.Fatalf("channel %d, d = %v: code %v, want q(%v) = %v", o, d, got[i], y, want)
			}
		}
		if ties == 0 {
			t.Fatal("no output fell exactly on a threshold: the test does not test ties")
		}
	})
}

func TestThresholdMatchesApply(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 2))
	muls := []float32{1, -1, 0, float32(math.Copysign(0, -1)), 0.37, -0.37, 1e-30, -1e-30, 3e30, -3e30, 0.5, -2}
	adds := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 0.5, -0.5, 3.7, -3.7, 1e-30, 1e35, -1e35}
	for range 200 {
		muls = append(muls, float32(r.NormFloat64()))
		adds = append(adds, float32(r.NormFloat64()*20))
	}
	for _, k := range []int64{1, 9, 576, 4608} {
		for i, mul := range muls {
			for _, add := range adds[i%7 : i%7+4] {
				flip, tau := threshold(mul, add, k)
				for d := -k; d <= k; d++ {
					want := apply(mul, add, d) < 0
					if got := (d^flip)-flip < tau; got != want {
						t.Fatalf("threshold(%g, %g, k=%d) = (%d, %d): d=%d gives %v, want apply < 0 = %v (y=%g)",
							mul, add, k, flip, tau, d, got, want, apply(mul, add, d))
					}
				}
			}
		}
	}
}

func TestNewConvErrors(t *testing.T) {
	s := Shape{In: 4, Out: 2, Kernel: 3, Pad: 1}
	pw := PackWeights(s, make([]float32, 2*4*9))
	for _, tc := range []struct {
		name string
		a    Affine
	}{
		{"short", Affine{Mul: []float32{1}, Add: []float32{0}}},
		{"nan", Affine{Mul: []float32{1, float32(math.NaN())}, Add: []float32{0, 0}}},
		{"inf", Affine{Mul: []float32{1, 1}, Add: []float32{float32(math.Inf(-1)), 0}}},
	} {
		if _, err := NewConv(pw, tc.a); err == nil {
			t.Errorf("NewConv with %s transform: no error", tc.name)
		}
	}
	for _, bad := range []Shape{{In: 0, Out: 1, Kernel: 1}, {In: 1, Out: 1, Kernel: 65}, {In: 1, Out: 1, Kernel: 3, Stride: -1}, {In: 1 << 20, Out: 1, Kernel: 5}} {
		if bad.Validate() == nil {
			t.Errorf("Shape%+v.Validate() = nil, want an error", bad)
		}
	}
}

func TestConvForwardAllocatesNothing(t *testing.T) {
	forEachImpl(t, func(t *testing.T, impl string) {
		r := rand.New(rand.NewPCG(7, 7))
		s := Shape{In: 64, Out: 64, Kernel: 3, Stride: 1, Pad: 1}
		conv, err := NewConv(PackWeights(s, randSigns(r, 64*64*9)), ScaleOnly(make([]float32, 64)))
		if err != nil {
			t.Fatal(err)
		}
		x := randSigns(r, 4*64*14*14)
		xb := NewBits(4, 14, 14, 64)
		y := make([]float32, 4*64*14*14)
		var yb Bits
		run := func() {
			Pack(xb, x)
			conv.Forward(y, xb)
			conv.ForwardBits(&yb, xb)
		}
		run()
		if a := testing.AllocsPerRun(10, run); a != 0 {
			t.Errorf("Pack + Forward + ForwardBits allocate %v times per run, want 0", a)
		}
	})
}

// TestImplsAgree cross-checks every implementation (assembly, SIMD)
// against the portable one, bit for bit, on random BatchNorm folds (float
// and packed outputs, and the packing itself).
func TestImplsAgree(t *testing.T) {
	type implCase struct {
		conv    *Conv
		x, res  []float32
		n, h, w int
		c       int
		want    outputs // the portable implementation's
	}
	run := func(tc *implCase) (o outputs) {
		o.x = NewBits(tc.n, tc.h, tc.w, tc.c)
		Pack(o.x, tc.x)
		o.y = nanSlice(len(tc.res))
		tc.conv.Forward(o.y, o.x)
		o.add = nanSlice(len(tc.res))
		tc.conv.ForwardAdd(o.add, o.x, tc.res)
		tc.conv.ForwardBits(&o.bits, o.x)
		return o
	}
	r := rand.New(rand.NewPCG(8, 3))
	var cases []*implCase
	prev := Impl()
	if err := SetImpl("go"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range convCases(true) {
		s := Shape{In: tc.c, Out: tc.out, Kernel: tc.k, Stride: tc.stride, Pad: tc.pad}
		pw := PackWeights(s, randSigns(r, tc.out*tc.c*tc.k*tc.k))
		a := Affine{Mul: make([]float32, tc.out), Add: make([]float32, tc.out)}
		for o := range tc.out {
			a.Mul[o] = float32(r.NormFloat64())
			a.Add[o] = float32(r.NormFloat64() * 3)
		}
		conv, err := NewConv(pw, a)
		if err != nil {
			t.Fatal(err)
		}
		ic := &implCase{conv: conv, n: tc.n, h: tc.h, w: tc.w, c: tc.c, x: make([]float32, tc.n*tc.c*tc.h*tc.w)}
		for i := range ic.x {
			ic.x[i] = float32(r.NormFloat64())
		}
		oh, ow := s.OutSize(tc.h, tc.w)
		ic.res = make([]float32, tc.n*tc.out*oh*ow)
		for i := range ic.res {
			ic.res[i] = float32(r.NormFloat64())
		}
		ic.want = run(ic)
		cases = append(cases, ic)
	}
	if err := SetImpl(prev); err != nil {
		t.Fatal(err)
	}
	impltest.Each(t, impls, func(t *testing.T) {
		for _, tc := range cases {
			got := run(tc)
			where := fmt.Sprintf("%+v on %dx%dx%dx%d", tc.conv.Shape, tc.n, tc.h, tc.w, tc.c)
			for i := range got.x.Data {
				if got.x.Data[i] != tc.want.x.Data[i] {
					t.Fatalf("%s: Pack word %d: %#x, go %#x", where, i, got.x.Data[i], tc.want.x.Data[i])
				}
			}
			for _, o := range []struct {
				name      string
				got, want []float32
			}{{"Forward", got.y, tc.want.y}, {"ForwardAdd", got.add, tc.want.add}} {
				for i := range o.want {
					if math.Float32bits(o.got[i]) != math.Float32bits(o.want[i]) {
						t.Fatalf("%s: %s output %d: %v, go %v", where, o.name, i, o.got[i], o.want[i])
					}
				}
			}
			for i := range tc.want.bits.Data {
				if got.bits.Data[i] != tc.want.bits.Data[i] {
					t.Fatalf("%s: ForwardBits word %d: %#x, go %#x", where, i, got.bits.Data[i], tc.want.bits.Data[i])
				}
			}
		}
	})
}

// outputs are what TestImplsAgree compares: the packed input and the three
// kinds of output of a convolution.
type outputs struct {
	x      *Bits
	y, add []float32
	bits   Bits
}

// TestConvGuards runs the kernels on outputs with NaN (or all-ones word)
// guard regions before and after them, as gonum's asm tests do, so that a
// write out of range is caught; and on empty batches.
func TestConvGuards(t *testing.T) {
	forEachImpl(t, func(t *testing.T, impl string) {
		r := rand.New(rand.NewPCG(15, 2))
		const guard = 37
		for _, tc := range []convCase{{3, 16, 7, 9, 8, 3, 1, 1}, {2, 70, 5, 5, 9, 3, 2, 1}, {1, 64, 1, 1, 130, 1, 1, 0}, {0, 8, 5, 5, 8, 3, 1, 1}} {
			s := Shape{In: tc.c, Out: tc.out, Kernel: tc.k, Stride: tc.stride, Pad: tc.pad}
			conv, err := NewConv(PackWeights(s, randSigns(r, tc.out*tc.c*tc.k*tc.k)), ScaleOnly(ones(tc.out)))
			if err != nil {
				t.Fatal(err)
			}
			x := randSigns(r, tc.n*tc.c*tc.h*tc.w)
			xb := NewBits(tc.n, tc.h, tc.w, tc.c)
			Pack(xb, x)
			oh, ow := s.OutSize(tc.h, tc.w)
			size := tc.n * tc.out * oh * ow
			buf := nanSlice(size + 2*guard)
			res := nanSlice(size + 2*guard)
			for i := range size {
				res[guard+i] = 1
			}
			conv.Forward(buf[guard:guard+size], xb)
			conv.ForwardAdd(buf[guard:guard+size], xb, res[guard:guard+size])
			for i, v := range buf {
				inside := i >= guard && i < guard+size
				if inside == math.IsNaN(float64(v)) {
					t.Fatalf("%v: output %d (guards of %d around %d values) = %v", tc, i-guard, guard, size, v)
				}
			}
			words := WordsFor(tc.out)
			bb := make([]uint64, tc.n*oh*ow*words+2*guard)
			for i := range bb {
				bb[i] = ^uint64(0)
			}
			dst := &Bits{Data: bb[guard : guard+tc.n*oh*ow*words]}
			conv.ForwardBits(dst, xb)
			for i := range guard {
				if bb[i] != ^uint64(0) || bb[len(bb)-1-i] != ^uint64(0) {
					t.Fatalf("%v: ForwardBits wrote into a guard word", tc)
				}
			}
		}
	})
}

// TestSetWeights checks that a convolution whose weights and transform are
// replaced after plans for several input sizes exist computes exactly what
// a new convolution of the new weights computes, in float and packed
// outputs, and that SetWeights allocates nothing.
func TestSetWeights(t *testing.T) {
	forEachImpl(t, func(t *testing.T, impl string) {
		r := rand.New(rand.NewPCG(3, 9))
		for _, tc := range convCases(true) {
			s := Shape{In: tc.c, Out: tc.out, Kernel: tc.k, Stride: tc.stride, Pad: tc.pad}
			nw := tc.out * tc.c * tc.k * tc.k
			old, neu := PackWeights(s, randSigns(r, nw)), PackWeights(s, randSigns(r, nw))
			a := Affine{Mul: make([]float32, tc.out), Add: make([]float32, tc.out)}
			for o := range a.Mul {
				a.Mul[o] = float32(r.NormFloat64())
				a.Add[o] = float32(r.NormFloat64())
			}
			conv, err := NewConv(old, ScaleOnly(ones(tc.out)))
			if err != nil {
				t.Fatal(err)
			}
			fresh, err := NewConv(neu, a)
			if err != nil {
				t.Fatal(err)
			}
			// Two input sizes, so that a plan other than the current one
			// must get the new corrections too.
			sizes := [][3]int{{tc.n, tc.h, tc.w}, {tc.n + 1, tc.h + 1, tc.w}}
			xs := make([]*Bits, len(sizes))
			for i, sz := range sizes {
				xs[i] = NewBits(sz[0], sz[1], sz[2], tc.c)
				Pack(xs[i], randSigns(r, sz[0]*tc.c*sz[1]*sz[2]))
				oh, ow := s.OutSize(sz[1], sz[2])
				conv.Forward(make([]float32, sz[0]*tc.out*oh*ow), xs[i])
			}
			if allocs := testing.AllocsPerRun(5, func() { conv.SetWeights(neu, a) }); allocs != 0 {
				t.Errorf("%v: SetWeights allocates %v times per call, want 0", tc, allocs)
			}
			for i, sz := range sizes {
				oh, ow := s.OutSize(sz[1], sz[2])
				got, want := nanSlice(sz[0]*tc.out*oh*ow), nanSlice(sz[0]*tc.out*oh*ow)
				conv.Forward(got, xs[i])
				fresh.Forward(want, xs[i])
				for j := range want {
					if math.Float32bits(got[j]) != math.Float32bits(want[j]) {
						t.Fatalf("%v size %v: output %d = %v after SetWeights, want %v (a new Conv's)", tc, sz, j, got[j], want[j])
					}
				}
				var gb, wb Bits
				conv.ForwardBits(&gb, xs[i])
				fresh.ForwardBits(&wb, xs[i])
				if !slices.Equal(gb.Data[:len(wb.Data)], wb.Data) {
					t.Fatalf("%v size %v: packed outputs differ after SetWeights", tc, sz)
				}
			}
		}
	})
}

// TestFusedChannelGroups checks the float outputs of every implementation
// against the portable one, bit for bit, where the fused kernel's
// blocking has its edges: it computes 8 output channels per pass and
// stores the first Out mod 8 of the last one (every remainder, and Out
// past a chunk of 64), on pairs of blocks whose outputs are consecutive
// (one 16-lane store), pairs stored apart (a short block ending an odd
// width), a last pair of one block (an odd number of blocks, with a batch
// remainder), border lanes with padding corrections, and a residual.
func TestFusedChannelGroups(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 4))
	var cases []fusedCase
	for out := 1; out <= 17; out++ {
		// Widths 11 to 23: 2 or 3 blocks a row, the last one short.
		cases = append(cases, fusedCase{1 + out%3, 64, 5, 11 + out%13, out, out % 2})
	}
	for _, out := range []int{63, 65, 71, 72, 130} {
		cases = append(cases, fusedCase{3, 70, 4, 19, out, 1}, fusedCase{1, 16, 5, 21, out, 1})
	}
	for _, tc := range cases {
		checkFusedCase(t, r, tc)
	}
}

// A fusedCase is a convolution of a 3×3 kernel at stride 1 over n images
// of c channels of h×w, to out channels, with padding pad.
type fusedCase struct {
	n, c, h, w, out, pad int
}

// checkFusedCase checks Forward and ForwardAdd of tc under every
// implementation against the portable one's, bit for bit, on random
// inputs, weights, transform and residual from r.
func checkFusedCase(t *testing.T, r *rand.Rand, tc fusedCase) {
	t.Helper()
	prev := Impl()
	defer SetImpl(prev)
	s := Shape{In: tc.c, Out: tc.out, Kernel: 3, Stride: 1, Pad: tc.pad}
	pw := PackWeights(s, randSigns(r, tc.out*tc.c*9))
	a := Affine{Mul: make([]float32, tc.out), Add: make([]float32, tc.out)}
	for o := range tc.out {
		a.Mul[o] = float32(r.NormFloat64())
		a.Add[o] = float32(r.NormFloat64() * 3)
	}
	x := make([]float32, tc.n*tc.c*tc.h*tc.w)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	oh, ow := s.OutSize(tc.h, tc.w)
	res := make([]float32, tc.n*tc.out*oh*ow)
	for i := range res {
		res[i] = float32(r.NormFloat64())
	}
	run := func() (y, add []float32) {
		conv, err := NewConv(pw, a)
		if err != nil {
			t.Fatal(err)
		}
		xb := NewBits(tc.n, tc.h, tc.w, tc.c)
		Pack(xb, x)
		y, add = nanSlice(len(res)), nanSlice(len(res))
		conv.Forward(y, xb)
		conv.ForwardAdd(add, xb, res)
		return y, add
	}
	if err := SetImpl("go"); err != nil {
		t.Fatal(err)
	}
	wantY, wantAdd := run()
	for _, name := range Impls() {
		if err := SetImpl(name); err != nil {
			t.Fatal(err)
		}
		y, add := run()
		for i := range wantY {
			if math.Float32bits(y[i]) != math.Float32bits(wantY[i]) || math.Float32bits(add[i]) != math.Float32bits(wantAdd[i]) {
				t.Fatalf("%s: %+v on %dx%dx%dx%d: output %d: Forward %v, ForwardAdd %v; go %v, %v",
					name, s, tc.n, tc.h, tc.w, tc.c, i, y[i], add[i], wantY[i], wantAdd[i])
			}
		}
	}
}
