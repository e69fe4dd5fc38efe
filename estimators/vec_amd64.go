//go:build goexperiment.simd && amd64

package estimators

import (
	"math"
	"simd/archsimd"
)

// AVX-512 kernels, 16 float32 lanes, built with GOEXPERIMENT=simd and used
// when the CPU reports AVX-512 (F, CD, BW, DQ, VL) at start-up. Each computes
// what the portable loop of the same estimator computes, with the same
// branchless masks and polynomials, but with fused multiply-adds and a
// reciprocal estimate refined by one Newton step (relative error ~1e-8)
// instead of a division. TestVecMatchesScalar cross-checks them.

func init() {
	if !archsimd.X86.AVX512() {
		return
	}
	signVec = signAVX512
	steVec = steAVX512
	approxSignVec = approxSignAVX512
	dsqVec = dsqAVX512
	bnnPlusVec = bnnPlusAVX512
	edeVec = edeAVX512
	fdaVec = fdaAVX512
}

type (
	f32x16 = archsimd.Float32x16
	u32x16 = archsimd.Uint32x16
)

func splat(v float32) f32x16  { return archsimd.BroadcastFloat32x16(v) }
func splatU(v uint32) u32x16  { return archsimd.BroadcastUint32x16(v) }
func load(s []float32) f32x16 { return archsimd.LoadFloat32x16Slice(s) }

// vecConst holds the constants every kernel needs, broadcast once per call.
type vecConst struct {
	absMask, signMask u32x16
	one, two, four    f32x16
	magic             f32x16
	log2e             f32x16
	e1, e2, e3, e4    f32x16
	e0, e5            f32x16
	minK              f32x16
}

func newVecConst() vecConst {
	return vecConst{
		absMask: splatU(^uint32(signBit)), signMask: splatU(signBit),
		one: splat(1), two: splat(2), four: splat(4),
		magic: splat(magicRound), log2e: splat(log2e),
		e0: splat(exp0), e1: splat(exp1), e2: splat(exp2), e3: splat(exp3), e4: splat(exp4), e5: splat(exp5),
		minK: splat(-125),
	}
}

// expV is exp32 on 16 lanes: e^x, flushed to 0 where round(x·log2 e) < -125.
func (c *vecConst) expV(x f32x16) f32x16 {
	z := x.Mul(c.log2e)
	k := z.Add(c.magic).Sub(c.magic)
	f := z.Sub(k)
	p := f.MulAdd(c.e5, c.e4).MulAdd(f, c.e3).MulAdd(f, c.e2).MulAdd(f, c.e1).MulAdd(f, c.e0)
	return p.Scale(k).Masked(k.GreaterEqual(c.minK))
}

// recipV returns 1/d for a normal d: VRCP14PS (relative error < 2^-14) and
// one Newton step.
func (c *vecConst) recipV(d f32x16) f32x16 {
	r := d.Reciprocal()
	return r.Mul(c.two.Sub(d.Mul(r)))
}

func signAVX512(dst, x []float32) int {
	n := len(x) &^ 15
	dst = dst[:len(x)]
	c := newVecConst()
	nan := splat(float32(math.NaN()))
	zero := splat(0)
	one := c.one.AsUint32x16()
	for i := 0; i < n; i += 16 {
		v := load(x[i:])
		b := v.Add(zero).AsUint32x16().And(c.signMask).Or(one).AsFloat32x16()
		nan.Merge(b, v.IsNaN()).StoreSlice(dst[i:])
	}
	return n
}

func steAVX512(k *steKernel, dx, x, dy []float32) int {
	n := len(x) &^ 15
	dx, dy = dx[:len(x)], dy[:len(x)]
	c := newVecConst()
	cb := splatU(k.cb)
	for i := 0; i < n; i += 16 {
		keep := load(x[i:]).AsUint32x16().And(c.absMask).LessEqual(cb)
		load(dy[i:]).Masked(keep).StoreSlice(dx[i:])
	}
	return n
}

func approxSignAVX512(dx, x, dy []float32) int {
	n := len(x) &^ 15
	dx, dy = dx[:len(x)], dy[:len(x)]
	c := newVecConst()
	zero := splat(0)
	for i := 0; i < n; i += 16 {
		a := load(x[i:]).AsUint32x16().And(c.absMask).AsFloat32x16()
		g := c.two.Sub(c.two.Mul(a)).Max(zero) // NaN in a gives 0 here, NaN in the scalar loop
		g.Mul(load(dy[i:])).StoreSlice(dx[i:])
	}
	return n
}

func dsqAVX512(k *dsqKernel, dx, x, dy []float32) int {
	n := len(x) &^ 15
	dx, dy = dx[:len(x)], dy[:len(x)]
	c := newVecConst()
	kk, sk4 := splat(-2*k.k), splat(4*k.sk)
	oneB := splatU(oneBits)
	for i := 0; i < n; i += 16 {
		ab := load(x[i:]).AsUint32x16().And(c.absMask)
		keep := ab.LessEqual(oneB)
		e := c.expV(ab.Min(oneB).AsFloat32x16().Mul(kk))
		r := c.recipV(e.Add(c.one))
		g := sk4.Mul(e).Mul(r).Mul(r)
		g.Mul(load(dy[i:])).Masked(keep).StoreSlice(dx[i:])
	}
	return n
}

func bnnPlusAVX512(k *bnnPlusKernel, dx, x, dy []float32) int {
	n := len(x) &^ 15
	dx, dy = dx[:len(x)], dy[:len(x)]
	c := newVecConst()
	half, beta4 := splat(k.half), splat(4*k.beta)
	vmax, m2, m1 := splatU(sechMaxBits), splat(-2), splat(-1)
	for i := 0; i < n; i += 16 {
		v := load(x[i:]).Mul(half).AsUint32x16().And(c.absMask).Min(vmax).AsFloat32x16()
		e := c.expV(v.Mul(m2))
		r := c.recipV(e.Add(c.one))
		th := r.MulAdd(c.two, m1)
		g := beta4.Mul(e).Mul(r).Mul(r).Mul(c.one.Sub(v.Mul(th)))
		g.Mul(load(dy[i:])).StoreSlice(dx[i:])
	}
	return n
}

func edeAVX512(k *edeKernel, dx, x, dy []float32) int {
	n := len(x) &^ 15
	dx, dy = dx[:len(x)], dy[:len(x)]
	c := newVecConst()
	t2, kt4 := splat(-2*k.t), splat(4*k.kt)
	xmax := splatU(k.xmax)
	for i := 0; i < n; i += 16 {
		a := load(x[i:]).AsUint32x16().And(c.absMask).Min(xmax).AsFloat32x16()
		e := c.expV(a.Mul(t2))
		r := c.recipV(e.Add(c.one))
		kt4.Mul(e).Mul(r).Mul(r).Mul(load(dy[i:])).StoreSlice(dx[i:])
	}
	return n
}

// sinV returns sin(r) for |r| <= π/2 (sinPoly on 16 lanes).
func sinV(r f32x16, s1, s2, s3, s4 f32x16) f32x16 {
	r2 := r.Mul(r)
	p := r2.MulAdd(s4, s3).MulAdd(r2, s2).MulAdd(r2, s1)
	return r.Mul(r2).MulAdd(p, r)
}

func fdaAVX512(k *fdaKernel, dx, x, dy []float32) int {
	n := len(x) &^ 15
	dx, dy = dx[:len(x)], dy[:len(x)]
	c := newVecConst()
	omega, twoN, scale := splat(k.omega), splat(k.twoN), splat(k.scale)
	cb, eps := splatU(k.cb), splatU(k.eps)
	invPiV, pa, pb, pc := splat(invPi), splat(-piA), splat(-piB), splat(-piC)
	s1, s2, s3, s4 := splat(sin1), splat(sin2), splat(sin3), splat(sin4)
	// reduce returns y - qπ and the parity of q = round(y/π) as a sign bit.
	reduce := func(y f32x16) (f32x16, u32x16) {
		t := y.MulAdd(invPiV, c.magic)
		q := t.Sub(c.magic)
		r := q.MulAdd(pa, y)
		r = q.MulAdd(pb, r)
		r = q.MulAdd(pc, r)
		return r, t.AsUint32x16().ShiftAllLeft(31)
	}
	for i := 0; i < n; i += 16 {
		ab := load(x[i:]).AsUint32x16().And(c.absMask)
		keep := ab.LessEqual(cb)
		th := ab.Min(cb).AsFloat32x16().Mul(omega)
		var flip u32x16
		if k.far {
			th, flip = reduce(th)
			th = th.AsUint32x16().And(c.absMask).AsFloat32x16()
		}
		th = th.AsUint32x16().Max(eps).AsFloat32x16()
		r, odd := reduce(th.Mul(twoN))
		if k.far {
			odd = odd.Xor(flip)
		}
		num := sinV(r, s1, s2, s3, s4).AsUint32x16().Xor(odd).AsFloat32x16()
		den := sinV(th, s1, s2, s3, s4)
		g := num.Mul(scale).Mul(c.recipV(den))
		g.Mul(load(dy[i:])).Masked(keep).StoreSlice(dx[i:])
	}
	return n
}
