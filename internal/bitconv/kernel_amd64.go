//go:build !purego

package bitconv

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/cpu"

	"github.com/gradbench/gradbench/internal/impl"
)

// hasAVX512 reports whether the CPU runs the AVX-512 assembly kernels
// (kernel_amd64.s): AVX-512F with VPOPCNTQ (AVX512_VPOPCNTDQ), and DQ and
// VL for the fused output transform (VEXTRACTF32X8, masked 256-bit stores):
// Intel since Ice Lake, AMD since Zen 4. Checked once at start-up.
var hasAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ && cpu.X86.HasAVX512VL && cpu.X86.HasAVX512VPOPCNTDQ

// The "avx2" and "avx512" implementations: the XOR-popcount kernel and
// packing in assembly, and with AVX-512 the float output transform fused
// into the kernel. The other output stages stay portable.
func init() {
	impls.Add(impl.AVX2, cpu.X86.HasAVX2, "an amd64 CPU with AVX2")
	impls.Add(impl.AVX512, hasAVX512, "an amd64 CPU with AVX-512 F, DQ, VL and VPOPCNTDQ")
	packKernel.Add(impl.AVX2, packBlockAVX2)
	packKernel.Add(impl.AVX512, packBlockAVX512)
	xorKernel.Add(impl.AVX2, kernelAVX2)
	xorKernel.Add(impl.AVX512, kernelAVX512)
	fusedKernel.Add(impl.AVX512, (*Conv).fusedFloat)
	grainWords.Add(impl.AVX2, 1<<16)
	grainWords.Add(impl.AVX512, 1<<18)
}

// checkKernel panics unless the arguments of an assembly XOR-popcount
// kernel (named fn) stay within their slices, the bounds kernelGo's slices
// would check, done once: kmax bounds the words a block reads from its
// base (max(koff)+8), and nc must be even. It returns len(koff).
func checkKernel(fn string, pc, src []uint64, base [2]int, koff []int, kmax int, w []uint64, nc, nblk int) int {
	kw := len(koff)
	if kw < 1 || len(w) < nc*kw || len(pc) < 2*64*8 || nc < 2 || nc > 64 || nc%2 != 0 || nblk < 1 || nblk > 2 ||
		base[0] < 0 || base[1] < 0 || base[0]+kmax > len(src) || base[nblk-1]+kmax > len(src) {
		panic(fmt.Sprintf("xnor: %s: bad sizes len(src)=%d base=%v kmax=%d len(w)=%d kw=%d nc=%d nblk=%d",
			fn, len(src), base, kmax, len(w), kw, nc, nblk))
	}
	return kw
}

//go:noescape
func xorPopcnt256(pc *uint64, p0 *uint64, koff *int, kw int, w *uint64, nc int)

// kernelAVX2 is kernelGo in assembly for AVX2 (xorPopcnt256, one call per
// block), its bounds checked by checkKernel.
func kernelAVX2(pc, src []uint64, base [2]int, koff []int, kmax int, w []uint64, nc, nblk int) {
	kw := checkKernel("kernelAVX2", pc, src, base, koff, kmax, w, nc, nblk)
	for b := range nblk {
		xorPopcnt256(&pc[b*64*8], &src[base[b]], &koff[0], kw, &w[0], nc)
	}
}

// pack256 returns whether the values it read hold a NaN.
//
//go:noescape
func pack256(out *uint64, ws int, x *float32, row int, nc int) (nan bool)

// packBlockAVX2 is packBlocks for up to packBlock pixels: whole blocks in
// assembly (pack256, one call per channel word), a short one (the end of
// an image) in Go.
func packBlockAVX2(dst *Bits, x []float32, n, p0, np, hw int) (nan bool) {
	c := dst.C
	if np < packBlock {
		return packBlocks(dst, x, n, p0, np, hw)
	}
	if np != packBlock || p0 < 0 || p0+np > hw || len(x) < (n+1)*c*hw {
		panic(fmt.Sprintf("xnor: packBlockAVX2: bad sizes len(x)=%d n=%d c=%d hw=%d p0=%d np=%d", len(x), n, c, hw, p0, np))
	}
	ws := dst.Words
	out := dst.Data[(n*hw+p0)*ws:][:np*ws]
	for w := range ws {
		c0, c1 := w*64, min(c, w*64+64)
		if pack256(&out[w], ws, &x[(n*c+c0)*hw+p0], 4*hw, c1-c0) {
			nan = true
		}
	}
	return nan
}

// vzeroupper clears the upper halves of the vector registers. The Go
// compiler does not after archsimd code, and scalar SSE code (any Go
// float32 arithmetic) that follows 512-bit code then waits on the old
// register contents: a scalar loop measured 30 times slower. The simd
// kernels call it when they hand back to Go code.
func vzeroupper()

// pack512 returns whether the values it read hold a NaN.
//
//go:noescape
func pack512(out *uint64, ws int, x *float32, row int, nc int, masks *[4]uint16, np int) (nan bool)

// packBlockAVX512 is packBlocks for up to packBlock pixels in assembly
// (pack512, one call per channel word).
func packBlockAVX512(dst *Bits, x []float32, n, p0, np, hw int) (nan bool) {
	c := dst.C
	if np < 1 || np > packBlock || p0 < 0 || p0+np > hw || len(x) < (n+1)*c*hw {
		panic(fmt.Sprintf("xnor: packBlockAVX512: bad sizes len(x)=%d n=%d c=%d hw=%d p0=%d np=%d", len(x), n, c, hw, p0, np))
	}
	var masks [4]uint16
	for g := range masks {
		masks[g] = uint16(1<<min(16, max(0, np-16*g)) - 1)
	}
	ws := dst.Words
	out := dst.Data[(n*hw+p0)*ws:][:np*ws]
	for w := range ws {
		c0, c1 := w*64, min(c, w*64+64)
		if pack512(&out[w], ws, &x[(n*c+c0)*hw+p0], 4*hw, c1-c0, &masks, np) {
			nan = true
		}
	}
	return nan
}

// packHalf512 returns whether the values it read hold a NaN.
//
//go:noescape
func packHalf512(dst *[packBlock]uint32, x *float32, row uintptr, nc int) (nan bool)

//go:noescape
func xorPopcnt512x2(pc *uint64, p0, p1 *uint64, koff *int, kw int, w *uint64, nc int)

//go:noescape
func xorPopcnt512x1(pc *uint64, p0 *uint64, koff *int, kw int, w *uint64, nc int)

// kernelAVX512 is kernelGo in assembly (xorPopcnt512x2 and x1), its bounds
// checked by checkKernel.
func kernelAVX512(pc, src []uint64, base [2]int, koff []int, kmax int, w []uint64, nc, nblk int) {
	kw := checkKernel("kernelAVX512", pc, src, base, koff, kmax, w, nc, nblk)
	if nblk == 2 {
		xorPopcnt512x2(&pc[0], &src[base[0]], &src[base[1]], &koff[0], kw, &w[0], nc)
		return
	}
	xorPopcnt512x1(&pc[0], &src[base[0]], &koff[0], kw, &w[0], nc)
}

// fusedArgs are fusedFloat8's operands; the FA_ constants of
// kernel_amd64.s repeat the field offsets (checked below at compile time).
type fusedArgs struct {
	x    [2]*uint64 // the blocks' windows (x[1] = x[0] for one block)
	koff *int
	kw   int
	w    *uint64 // interleaved weights (Conv.w8) from the first channel's group on
	nst  int     // channels stored, at least 1
	mul  *float32
	add  *float32
	corr *float32    // the corrections as float32 (plan.corrF) from the first channel on, 16 per channel; nil: no border lanes
	dst  [2]*float32 // each block's first output of the first channel
	res  [2]*float32 // likewise in the residual, nil for none
	step int         // bytes from a channel's output to the next's
	kf   float32     // taps·In
	_    uint32
	// Both blocks with consecutive outputs (block 0 full, block 1 right
	// after it): one 16-lane store per channel under maskJ; otherwise
	// lanes 0–7 go to dst[0] under mask[0] and lanes 8–15 to dst[1]
	// under mask[1] (0 for one block).
	joint int
	mask  [2]uint64
	maskJ uint64
	cls   [16]uint32 // the lanes' border classes, block 0's then block 1's
	pf    int        // whether to prefetch the output lines stored next (see OUTJ)
}

// prefetchMin is the smallest output, in values, for which the fused
// kernel prefetches its output lines: 1 MiB of float32, a Zen 4 or 5
// core's L2 cache. A smaller output stays in cache from one call to the
// next (and the prefetches measured 30% slower on a 16x28x28 layer's
// 50 KB).
const prefetchMin = 1 << 18

// Compile-time checks of the offsets the assembly uses (a constant index
// out of range fails to compile).
var _ = [1]struct{}{}[unsafe.Offsetof(fusedArgs{}.nst)-40] // FA_NST
var _ = [1]struct{}{}[unsafe.Offsetof(fusedArgs{}.corr)-64]
var _ = [1]struct{}{}[unsafe.Offsetof(fusedArgs{}.res)-88]
var _ = [1]struct{}{}[unsafe.Offsetof(fusedArgs{}.step)-104]
var _ = [1]struct{}{}[unsafe.Offsetof(fusedArgs{}.kf)-112]
var _ = [1]struct{}{}[unsafe.Offsetof(fusedArgs{}.joint)-120]
var _ = [1]struct{}{}[unsafe.Offsetof(fusedArgs{}.maskJ)-144]
var _ = [1]struct{}{}[unsafe.Offsetof(fusedArgs{}.cls)-152]
var _ = [1]struct{}{}[unsafe.Offsetof(fusedArgs{}.pf)-216]

//go:noescape
func fusedFloat8(a *fusedArgs)

// fusedFloat computes output channels o0 to o1−1 of the pair of blocks
// prepared in s, whose windows are in src (the padded input of a direct
// convolution, or s.a after im2col), and writes them as Forward
// (ForwardAdd with res) does: the assembly kernel with the output
// transform fused, so that the popcounts go from the accumulators to the
// output without a round trip through s.pc. It returns false, having done
// nothing, where a block needs the general path: outputs not consecutive
// in out (an im2col block across two images) or more than 16 border
// classes.
func (c *Conv) fusedFloat(out, res []float32, src []uint64, s *scratch, o0, o1 int) bool {
	p := c.plan
	nst := min(o1, c.Shape.Out) - o0
	if nst <= 0 {
		return true
	}
	nblk := 2
	if s.valid[1] == 0 {
		nblk = 1
	}
	// The kernel computes whole groups of 8 channels (the padding rows
	// of Conv.w8 are zero) and stores nst of them.
	ng := (nst + 7) / 8
	if o0 < 0 || o0%8 != 0 || (o0+8*ng)*p.kwp > len(p.wmat8) || o0+nst > len(c.mul) || o0+nst > len(c.add) || (res != nil && len(res) != len(out)) {
		panic(fmt.Sprintf("xnor: fusedFloat: channels %d to %d of %d, res %d values for %d", o0, o1, c.Shape.Out, len(res), len(out)))
	}
	border := false
	for b := range nblk {
		if !s.contig[b] || (s.border[b] && p.cstride != 16) {
			return false
		}
		border = border || s.border[b]
	}
	var a fusedArgs
	for b := range nblk {
		v := s.valid[b]
		first := s.off[b][0] + o0*p.ohw
		if v < 1 || v > 8 || first < 0 || first+(nst-1)*p.ohw+v > len(out) || s.base[b] < 0 || s.base[b]+p.kmax > len(src) {
			panic(fmt.Sprintf("xnor: fusedFloat: block %d of %d lanes at %d (base %d) outside the output (%d) or input (%d)",
				b, v, first, s.base[b], len(out), len(src)))
		}
		a.x[b] = &src[s.base[b]]
		a.dst[b] = &out[first]
		if res != nil {
			a.res[b] = &res[first]
		}
		a.mask[b] = 1<<v - 1
		*(*[8]uint32)(a.cls[8*b:]) = [8]uint32(s.cls[b][:8])
	}
	if nblk == 1 {
		a.x[1], a.dst[1], a.res[1] = a.x[0], a.dst[0], a.res[0]
	} else if s.valid[0] == 8 && s.off[1][0] == s.off[0][0]+8 {
		a.joint = 1
		a.maskJ = a.mask[0] | a.mask[1]<<8
	}
	if border {
		if (o0+nst)*16 > len(p.corrF) {
			panic("xnor: fusedFloat: short correction table")
		}
		a.corr = &p.corrF[o0*16]
	}
	a.koff, a.kw = &p.koff[0], len(p.koff)
	a.w = &p.wmat8[o0*p.kwp]
	a.nst = nst
	a.kf = float32(c.k)
	a.mul, a.add = &c.mul[o0], &c.add[o0]
	a.step = 4 * p.ohw
	if len(out) >= prefetchMin {
		a.pf = 1
	}
	fusedFloat8(&a)
	return true
}
