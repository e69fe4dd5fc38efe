//go:build goexperiment.simd && amd64

package estimators

import (
	"math"
	"simd/archsimd"
)

// AVX-512 kernels written with simd/archsimd, 16 float32 lanes, built with
// GOEXPERIMENT=simd on CPUs that report AVX-512 (F, CD, BW, DQ, VL). They
// are the "simd" kernels of Impl, selected only with SetImpl: on the
// project machine the assembly kernels of vec512_amd64.s, which such CPUs
// can also run, measured faster for every estimator (as fast for the
// memory-bound sign, STE and ApproxSign). Each computes what the portable
// loop of the same estimator computes, with the same branchless masks and
// polynomials, with fused multiply-adds, and for DSQ, EDE and FDA with
// ω·C > π/2 a reciprocal estimate refined by one Newton step (relative
// error ~1e-8) instead of a division. TestVecMatchesPortable and TestConformance check them.

func init() {
	if !archsimd.X86.AVX512() {
		return
	}
	addImpl(&vecImpl{
		name:        "simd",
		rank:        rankSIMD,
		sign:        signAVX512,
		ste:         steAVX512,
		approxSign:  approxSignAVX512,
		dsq:         dsqAVX512,
		bnnPlus:     bnnPlusAVX512,
		ede:         edeAVX512,
		fda:         fdaAVX512,
		dsqGrad:     dsqGradAVX512,
		bnnPlusGrad: bnnPlusGradAVX512,
	})
}

type (
	f32x16 = archsimd.Float32x16
	u32x16 = archsimd.Uint32x16
)

// The kernels keep every constant in a local variable: vectors in a struct
// or behind a pointer would be reloaded from memory on each use.

func splat(v float32) f32x16  { return archsimd.BroadcastFloat32x16(v) }
func splatU(v uint32) u32x16  { return archsimd.BroadcastUint32x16(v) }
func load(s []float32) f32x16 { return archsimd.LoadFloat32x16Slice(s) }

// exp2V returns 2^z on 16 lanes as exp32 does: z = k + f, |f| <= 1/2, 2^f
// by polynomial, scaled by 2^k (VSCALEFPS), and 0 where k < -125.
func exp2V(z, minK f32x16) f32x16 {
	k := z.RoundToEvenScaled(0)
	f := z.Sub(k)
	p := f.MulAdd(splat(exp5), splat(exp4)).MulAdd(f, splat(exp3)).MulAdd(f, splat(exp2)).MulAdd(f, splat(exp1)).MulAdd(f, splat(exp0))
	return p.Scale(k).Masked(k.GreaterEqual(minK))
}

// exp2NoFlushV is exp2V for z >= -125, without the flush.
func exp2NoFlushV(z f32x16) f32x16 {
	k := z.RoundToEvenScaled(0)
	f := z.Sub(k)
	p := f.MulAdd(splat(exp5), splat(exp4)).MulAdd(f, splat(exp3)).MulAdd(f, splat(exp2)).MulAdd(f, splat(exp1)).MulAdd(f, splat(exp0))
	return p.Scale(k)
}

// recipV returns 1/d for a normal d: VRCP14PS (relative error < 2^-14) and
// one Newton step.
func recipV(d, two f32x16) f32x16 {
	r := d.Reciprocal()
	return r.Mul(two.Sub(d.Mul(r)))
}

func signAVX512(dst, x []float32) int {
	n := len(x) &^ 15
	dst = dst[:len(x)]
	nan, zero := splat(float32(math.NaN())), splat(0)
	signMask, one := splatU(signBit), splatU(oneBits)
	for i := 0; i < n; i += 16 {
		v := load(x[i:])
		b := v.Add(zero).AsUint32x16().And(signMask).Or(one).AsFloat32x16()
		nan.Merge(b, v.IsNaN()).StoreSlice(dst[i:])
	}
	return n
}

func steAVX512(k *steKernel, dx, x, dy []float32) int {
	n := len(x) &^ 15
	dx, dy = dx[:len(x)], dy[:len(x)]
	absMask, cb := splatU(^uint32(signBit)), splatU(k.cb)
	for i := 0; i < n; i += 16 {
		keep := load(x[i:]).AsUint32x16().And(absMask).LessEqual(cb)
		load(dy[i:]).Masked(keep).StoreSlice(dx[i:])
	}
	return n
}

func approxSignAVX512(dx, x, dy []float32) int {
	n := len(x) &^ 15
	dx, dy = dx[:len(x)], dy[:len(x)]
	absMask, two, zero := splatU(^uint32(signBit)), splat(2), splat(0)
	for i := 0; i < n; i += 16 {
		a := load(x[i:]).AsUint32x16().And(absMask).AsFloat32x16()
		g := two.Sub(two.Mul(a)).Max(zero)
		g.Mul(load(dy[i:])).StoreSlice(dx[i:])
	}
	return n
}

func dsqAVX512(k *dsqKernel, dx, x, dy []float32) int {
	n := len(x) &^ 15
	dx, dy = dx[:len(x)], dy[:len(x)]
	absMask, oneB := splatU(^uint32(signBit)), splatU(oneBits)
	one, two, minK := splat(1), splat(2), splat(-125)
	kk, sk4 := splat(-2*k.k*log2e), splat(4*k.sk)
	for i := 0; i < n; i += 16 {
		ab := load(x[i:]).AsUint32x16().And(absMask)
		keep := ab.LessEqual(oneB)
		e := exp2V(ab.Min(oneB).AsFloat32x16().Mul(kk), minK)
		r := recipV(e.Add(one), two)
		g := sk4.Mul(e).Mul(r).Mul(r)
		g.Mul(load(dy[i:])).Masked(keep).StoreSlice(dx[i:])
	}
	return n
}

func bnnPlusAVX512(k *bnnPlusKernel, dx, x, dy []float32) int {
	n := len(x) &^ 15
	dx, dy = dx[:len(x)], dy[:len(x)]
	// Few constants, so that no vector is spilled: |βx/2| is clamped on its
	// bits shifted left by one (no sign mask).
	vmax2 := splatU(sechMaxBits << 1)
	one, minK := splat(1), splat(-125)
	half, beta4, m2 := splat(k.half), splat(4*k.beta), splat(-2*log2e)
	for i := 0; i < n; i += 16 {
		v := load(x[i:]).Mul(half).AsUint32x16().ShiftAllLeft(1).Min(vmax2).RotateAllRight(1).AsFloat32x16()
		// g = 4βe·r²·(1 - v·tanh v) with r = 1/(1+e) and tanh v = (1-e)·r,
		// written 4βe·((1-v) + e(1+v))/(1+e)³.
		e := exp2V(v.Mul(m2), minK)
		f := beta4.Mul(e).Mul(e.MulAdd(one.Add(v), one.Sub(v)))
		d := e.Add(one)
		f.Div(d.Mul(d).Mul(d)).Mul(load(dy[i:])).StoreSlice(dx[i:])
	}
	return n
}

func edeAVX512(k *edeKernel, dx, x, dy []float32) int {
	n := len(x) &^ 15
	dx, dy = dx[:len(x)], dy[:len(x)]
	absMask, xmax := splatU(^uint32(signBit)), splatU(k.xmax)
	one, two, minK := splat(1), splat(2), splat(-125)
	t2, kt4 := splat(-2*k.t*log2e), splat(4*k.kt)
	for i := 0; i < n; i += 16 {
		a := load(x[i:]).AsUint32x16().And(absMask).Min(xmax).AsFloat32x16()
		e := exp2V(a.Mul(t2), minK)
		r := recipV(e.Add(one), two)
		kt4.Mul(e).Mul(r).Mul(r).Mul(load(dy[i:])).StoreSlice(dx[i:])
	}
	return n
}

// sum16 adds a vector's lanes to a float64 accumulator (two Float64x8).
func sum16(acc archsimd.Float64x8, v f32x16) archsimd.Float64x8 {
	return acc.Add(v.GetLo().ConvertToFloat64()).Add(v.GetHi().ConvertToFloat64())
}

func lanes(acc archsimd.Float64x8) float64 {
	var l [8]float64
	acc.Store(&l)
	var s float64
	for _, v := range l {
		s += v
	}
	return s
}

// dsqGradAVX512 is dsqAVX512 that also sums
// dy·∂φ/∂α = dy·e·r²·t·(c + m·t²·S(t²)), in float64 lanes.
func dsqGradAVX512(k *dsqKernel, dx, x, dy []float32) (int, float64) {
	n := len(x) &^ 15
	dx, dy = dx[:len(x)], dy[:len(x)]
	// Few vectors live across iterations, so that none is spilled within
	// one (a spilled vector reloaded soon after costs more than the rest
	// of the loop): 1 is oneB's bits, |x| is x's bits shifted left and back
	// right, x's sign is x XOR |x|, and 2^(-log2(e)·2k|x|) needs no flush
	// (the exponent is >= -11 for α >= 1e-3).
	oneB := splatU(oneBits)
	sk4, k2, c, m := splat(4*k.sk), splat(2*k.k), splat(k.c), splat(k.m)
	acc := archsimd.BroadcastFloat64x8(0)
	for i := 0; i < n; i += 16 {
		xb := load(x[i:]).AsUint32x16()
		ab := xb.ShiftAllLeft(1).ShiftAllRight(1)
		keep := ab.LessEqual(oneB)
		ta := ab.Min(oneB).AsFloat32x16().Mul(k2) // 2k·|x|, |x| clamped to 1
		e := exp2NoFlushV(ta.Mul(splat(-log2e)))
		one := oneB.AsFloat32x16()
		r := one.Div(e.Add(one))
		g := e.Mul(r).Mul(r).Mul(load(dy[i:])) // dy·sech²/4
		sk4.Mul(g).Masked(keep).StoreSlice(dx[i:])
		t := ta.AsUint32x16().Or(xb.Xor(ab)).AsFloat32x16()
		y := t.Mul(t)
		s := y.MulAdd(splat(sinhRem7), splat(sinhRem6)).MulAdd(y, splat(sinhRem5)).MulAdd(y, splat(sinhRem4)).
			MulAdd(y, splat(sinhRem3)).MulAdd(y, splat(sinhRem2)).MulAdd(y, splat(sinhRem1)).MulAdd(y, splat(sinhRem0))
		acc = sum16(acc, g.Mul(t).Mul(y.Mul(s).MulAdd(m, c)).Masked(keep))
	}
	return n, lanes(acc)
}

// bnnPlusGradAVX512 is bnnPlusAVX512 that also sums dy·(x/β)·g.
func bnnPlusGradAVX512(k *bnnPlusKernel, dx, x, dy []float32) (int, float64) {
	n := len(x) &^ 15
	dx, dy = dx[:len(x)], dy[:len(x)]
	absMask, signMask, vmax := splatU(^uint32(signBit)), splatU(signBit), splatU(sechMaxBits)
	one, minK := splat(1), splat(-125)
	half, beta4, m2, c := splat(k.half), splat(4*k.beta), splat(-2*log2e), splat(2*k.invBeta*k.invBeta)
	acc := archsimd.BroadcastFloat64x8(0)
	for i := 0; i < n; i += 16 {
		hx := load(x[i:]).Mul(half).AsUint32x16()
		v := hx.And(absMask).Min(vmax).AsFloat32x16()
		e := exp2V(v.Mul(m2), minK)
		f := beta4.Mul(e).Mul(e.MulAdd(one.Add(v), one.Sub(v)))
		d := e.Add(one)
		g := f.Div(d.Mul(d).Mul(d))
		gdy := g.Mul(load(dy[i:]))
		gdy.StoreSlice(dx[i:])
		// x/β with x clamped like v: ±2v/β, so x/β·g = ±2v/β²·g.
		xb := v.Mul(c).AsUint32x16().Xor(hx.And(signMask)).AsFloat32x16()
		acc = sum16(acc, gdy.Mul(xb))
	}
	return n, lanes(acc)
}

// sinV returns sin(r) for |r| <= π/2 (sinPoly on 16 lanes).
func sinV(r f32x16) f32x16 {
	r2 := r.Mul(r)
	p := r2.MulAdd(splat(sin4), splat(sin3)).MulAdd(r2, splat(sin2)).MulAdd(r2, splat(sin1))
	return r.Mul(r2).MulAdd(p, r)
}

// reduceV returns y - qπ and the parity of q = round(y/π) as a sign bit;
// with fused multiply-adds, π in two parts is exact enough.
func reduceV(y, magic f32x16) (f32x16, u32x16) {
	t := y.MulAdd(splat(invPi), magic)
	q := t.Sub(magic)
	return q.MulAdd(splat(-fmaPiB), q.MulAdd(splat(-fmaPiA), y)), t.AsUint32x16().ShiftAllLeft(31)
}

func fdaAVX512(k *fdaKernel, dx, x, dy []float32) int {
	if k.far {
		return fdaFarAVX512(k, dx, x, dy)
	}
	// Go gives the loop 16 vector registers, so it is written to need 10
	// constants: it works with θ/π, whose sine sinπ(f) one polynomial
	// (sinPiPoly) gives for both sin(2Nθ) (after q = round(2Nθ/π) by
	// VRNDSCALEPS) and sin θ, and it compares and clamps |x| as its bits
	// shifted left by one, which needs no mask.
	n := len(x) &^ 15
	dx, dy = dx[:len(x)], dy[:len(x)]
	cb2 := splatU(k.cb << 1)
	epsPi := splatU(math.Float32bits(float32(float64(math.Float32frombits(k.eps)) / math.Pi)))
	omegaPi, twoN, scale := splat(float32(float64(k.omega)/math.Pi)), splat(k.twoN), splat(k.scale)
	c0, c1, c2, c3, c4 := splat(sinPi0), splat(sinPi1), splat(sinPi2), splat(sinPi3), splat(sinPi4)
	sinPi := func(f f32x16) f32x16 { // sin(πf) for |f| <= 1/2
		t := f.Mul(f)
		return f.Mul(t.MulAdd(c4, c3).MulAdd(t, c2).MulAdd(t, c1).MulAdd(t, c0))
	}
	// Two vectors per iteration, statement by statement: one vector's chain
	// of dependent operations is ~60 cycles long and the core does not look
	// far enough ahead to overlap the next one by itself.
	i := 0
	for ; i+32 <= n; i += 32 {
		ua := load(x[i:]).AsUint32x16().ShiftAllLeft(1)
		ub := load(x[i+16:]).AsUint32x16().ShiftAllLeft(1)
		ta := ua.Min(cb2).RotateAllRight(1).AsFloat32x16().Mul(omegaPi).AsUint32x16().Max(epsPi).AsFloat32x16()
		tb := ub.Min(cb2).RotateAllRight(1).AsFloat32x16().Mul(omegaPi).AsUint32x16().Max(epsPi).AsFloat32x16()
		wa, wb := ta.Mul(twoN), tb.Mul(twoN)
		qa, qb := wa.RoundToEvenScaled(0), wb.RoundToEvenScaled(0)
		na, nb := sinPi(wa.Sub(qa)), sinPi(wb.Sub(qb))
		da, db := sinPi(ta), sinPi(tb)
		sa, sb := load(dy[i:]).Mul(scale), load(dy[i+16:]).Mul(scale)
		na = na.AsUint32x16().Xor(qa.ConvertToInt32().ShiftAllLeft(31).AsUint32x16()).AsFloat32x16()
		nb = nb.AsUint32x16().Xor(qb.ConvertToInt32().ShiftAllLeft(31).AsUint32x16()).AsFloat32x16()
		na.Div(da).Mul(sa).Masked(ua.LessEqual(cb2)).StoreSlice(dx[i:])
		nb.Div(db).Mul(sb).Masked(ub.LessEqual(cb2)).StoreSlice(dx[i+16:])
	}
	for ; i < n; i += 16 {
		u := load(x[i:]).AsUint32x16().ShiftAllLeft(1)
		tp := u.Min(cb2).RotateAllRight(1).AsFloat32x16().Mul(omegaPi).AsUint32x16().Max(epsPi).AsFloat32x16() // θ/π
		w := tp.Mul(twoN)
		q := w.RoundToEvenScaled(0)
		odd := q.ConvertToInt32().ShiftAllLeft(31).AsUint32x16()
		num := sinPi(w.Sub(q)).AsUint32x16().Xor(odd).AsFloat32x16()
		num.Div(sinPi(tp)).Mul(load(dy[i:]).Mul(scale)).Masked(u.LessEqual(cb2)).StoreSlice(dx[i:])
	}
	return n
}

// fdaFarAVX512 is fdaAVX512 for ω·C > π/2, reducing θ modulo π first.
func fdaFarAVX512(k *fdaKernel, dx, x, dy []float32) int {
	n := len(x) &^ 15
	dx, dy = dx[:len(x)], dy[:len(x)]
	absMask, cb, eps := splatU(^uint32(signBit)), splatU(k.cb), splatU(k.eps)
	two, magic := splat(2), splat(magicRound)
	omega, twoN, scale := splat(k.omega), splat(k.twoN), splat(k.scale)
	for i := 0; i < n; i += 16 {
		ab := load(x[i:]).AsUint32x16().And(absMask)
		keep := ab.LessEqual(cb)
		phi, flip := reduceV(ab.Min(cb).AsFloat32x16().Mul(omega), magic)
		th := phi.AsUint32x16().And(absMask).Max(eps).AsFloat32x16()
		r, odd := reduceV(th.Mul(twoN), magic)
		num := sinV(r).AsUint32x16().Xor(odd).Xor(flip).AsFloat32x16()
		g := num.Mul(scale).Mul(recipV(sinV(th), two))
		g.Mul(load(dy[i:])).Masked(keep).StoreSlice(dx[i:])
	}
	return n
}
