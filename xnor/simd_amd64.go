//go:build goexperiment.simd && amd64

package xnor

import (
	"fmt"
	"simd/archsimd"
	"unsafe"
)

// The AVX-512 kernels (GOEXPERIMENT=simd on amd64). They use VPOPCNTQ
// (AVX512_VPOPCNTDQ) on 512-bit vectors of 8 words, one word per lane, and
// are cross-checked bit for bit against the portable kernels
// (TestImplsAgree).

func simdSupported() bool {
	return archsimd.X86.AVX512() && archsimd.X86.AVX512VPOPCNTDQ()
}

// packBlockSIMD is packBlockGo on vectors of the block's 8 pixels, one
// 64-bit lane per pixel: for each channel, from the highest down, the
// accumulator shifts left by one and takes the channel's codes, 1 where
// x < 0 (compared as float64: VCVTPS2PD, VCMPPD into a mask, a masked OR).
func packBlockSIMD(dst *Bits, x []float32, n, p0, np, hw int) {
	if np < 8 {
		packBlockGo(dst, x, n, p0, np, hw)
		return
	}
	c := dst.C
	if len(x) < (n+1)*c*hw || p0+8 > hw {
		panic(fmt.Sprintf("xnor: packBlockSIMD: bad sizes len(x)=%d n=%d c=%d hw=%d p0=%d", len(x), n, c, hw, p0))
	}
	ws := dst.Words
	out := dst.Data[(n*hw+p0)*ws:][:8*ws]
	base := unsafe.Pointer(&x[n*c*hw+p0])
	row := uintptr(4 * hw)
	var zero archsimd.Float64x8
	one := archsimd.BroadcastUint64x8(1)
	for w := range ws {
		c0, c1 := w*64, min(c, w*64+64)
		var acc archsimd.Uint64x8
		for ch := uintptr(c1 - 1); ch+1 > uintptr(c0); ch-- {
			v := archsimd.LoadFloat32x8((*[8]float32)(unsafe.Add(base, ch*row))).ConvertToFloat64()
			acc = acc.ShiftAllLeft(1)
			acc = acc.Or(one).Merge(acc, v.Less(zero))
		}
		if ws == 1 {
			acc.Store((*[8]uint64)(out))
			continue
		}
		var a [8]uint64
		acc.Store(&a)
		for j, v := range a {
			out[j*ws+w] = v
		}
	}
}

// kernelSIMD is kernelGo on vectors: lane j of a vector is lane j of a
// block, and each weight word is broadcast to all lanes, so the
// accumulators hold the popcounts of 8 pixels for one channel and need no
// horizontal sum. The tile is 2 blocks × 2 channels (4 accumulators, 2
// loads and 2 broadcasts per 4 XOR+VPOPCNTQ+ADD): larger tiles spill under
// the Go register allocator and measured slower. kmax bounds the words a
// block reads from its base (max(koff)+8).
func kernelSIMD(pc, src []uint64, base [2]int, koff []int, kmax int, w []uint64, nc, nblk int) {
	kw := len(koff)
	if kw < 1 || len(w) < nc*kw || len(pc) < 2*64*8 || nc > 64 || nc%2 != 0 || nblk < 1 || nblk > 2 ||
		base[0] < 0 || base[1] < 0 || base[0]+kmax > len(src) || base[nblk-1]+kmax > len(src) {
		panic(fmt.Sprintf("xnor: kernelSIMD: bad sizes len(src)=%d base=%v kmax=%d len(w)=%d kw=%d nc=%d nblk=%d",
			len(src), base, kmax, len(w), kw, nc, nblk))
	}
	p0 := unsafe.Pointer(&src[base[0]])
	p1 := unsafe.Pointer(&src[base[nblk-1]])
	pw := unsafe.Pointer(unsafe.SliceData(w))
	pk := unsafe.Pointer(unsafe.SliceData(koff))
	row := uintptr(8 * kw)
	if nblk == 1 {
		for i := 0; i < nc; i += 2 {
			w0 := unsafe.Add(pw, uintptr(i)*row)
			w1 := unsafe.Add(w0, row)
			var c00, c01 archsimd.Uint64x8
			for k := uintptr(0); k < uintptr(kw); k++ {
				off := 8 * uintptr(*(*int)(unsafe.Add(pk, 8*k)))
				x0 := archsimd.LoadUint64x8((*[8]uint64)(unsafe.Add(p0, off)))
				v0 := archsimd.BroadcastUint64x8(*(*uint64)(unsafe.Add(w0, 8*k)))
				v1 := archsimd.BroadcastUint64x8(*(*uint64)(unsafe.Add(w1, 8*k)))
				c00 = c00.Add(x0.Xor(v0).OnesCount())
				c01 = c01.Add(x0.Xor(v1).OnesCount())
			}
			c00.Store((*[8]uint64)(pc[i*8:]))
			c01.Store((*[8]uint64)(pc[(i+1)*8:]))
		}
		return
	}
	for i := 0; i < nc; i += 2 {
		w0 := unsafe.Add(pw, uintptr(i)*row)
		w1 := unsafe.Add(w0, row)
		var c00, c01, c10, c11 archsimd.Uint64x8
		for k := uintptr(0); k < uintptr(kw); k++ {
			off := 8 * uintptr(*(*int)(unsafe.Add(pk, 8*k)))
			x0 := archsimd.LoadUint64x8((*[8]uint64)(unsafe.Add(p0, off)))
			x1 := archsimd.LoadUint64x8((*[8]uint64)(unsafe.Add(p1, off)))
			v0 := archsimd.BroadcastUint64x8(*(*uint64)(unsafe.Add(w0, 8*k)))
			c00 = c00.Add(x0.Xor(v0).OnesCount())
			c10 = c10.Add(x1.Xor(v0).OnesCount())
			v1 := archsimd.BroadcastUint64x8(*(*uint64)(unsafe.Add(w1, 8*k)))
			c01 = c01.Add(x0.Xor(v1).OnesCount())
			c11 = c11.Add(x1.Xor(v1).OnesCount())
		}
		c00.Store((*[8]uint64)(pc[i*8:]))
		c01.Store((*[8]uint64)(pc[(i+1)*8:]))
		c10.Store((*[8]uint64)(pc[(64+i)*8:]))
		c11.Store((*[8]uint64)(pc[(64+i+1)*8:]))
	}
}

// corrSIMD returns the padding corrections of block b's 8 lanes for the
// channel whose row of corrections (p.cstride values) is row.
func corrSIMD(row []int32, cls archsimd.Uint32x16, s *scratch, b int) archsimd.Int64x8 {
	if len(row) == 16 { // one VPERMD looks up the 8 lanes' classes
		return archsimd.LoadInt32x16((*[16]int32)(row)).Permute(cls).GetLo().ExtendToInt64()
	}
	var corr [8]int64
	for j := range corr {
		corr[j] = int64(row[s.cls[b][j]])
	}
	return archsimd.LoadInt64x8(&corr)
}

// outFloatSIMD is outFloatGo on vectors for a block whose valid outputs
// are consecutive (the others take the portable path): d = k − 2·pc
// (+ correction), then VCVTQQ2PS, VMULPS and VADDPS (not fused, as apply
// defines the transform), plus res; masked loads and stores for a block of
// fewer than 8 lanes.
func (c *Conv) outFloatSIMD(out, res []float32, s *scratch, b, o0, nc int) {
	if !s.contig[b] {
		c.outFloatGo(out, res, s, b, o0, 0, nc)
		return
	}
	p := c.plan
	nOut := min(nc, c.Shape.Out-o0)
	if nOut <= 0 {
		return
	}
	ohw, v := p.ohw, s.valid[b]
	first := s.off[b][0] + o0*ohw
	last := first + (nOut-1)*ohw // where the last channel's block starts
	if first < 0 || last+v > len(out) || (res != nil && len(res) != len(out)) {
		panic(fmt.Sprintf("xnor: outFloatSIMD: output of %d values (res %d) too short for block at %d", len(out), len(res), first))
	}
	// A short block's masked stores are 16 lanes wide (an AVX-512 store
	// under a K mask: the 8-lane AVX2 VPMASKMOVD is microcoded and slow on
	// AMD CPUs), so they need 16 addressable values: a short block at the
	// very end of out takes the portable path for its last channels.
	vec := nOut
	if room := len(out) - 16 - first; v < 8 && room < 0 {
		vec = 0
	} else if v < 8 {
		vec = min(nOut, room/ohw+1)
	}
	if s.border[b] && p.cstride != 16 { // more than 16 border classes: rare
		c.outFloatGo(out, res, s, b, o0, 0, nc)
		return
	}
	if len(c.mul) < o0+nOut || len(c.add) < o0+nOut || len(p.corr) < (o0+nOut)*p.cstride || len(s.pc) < 2*64*8 {
		panic("xnor: outFloatSIMD: short transform tables")
	}
	// The loop runs on pointers, bounds checked above: with slices the Go
	// compiler spills and rechecks enough to double its cost.
	mask := archsimd.Mask32x16FromBits(uint16(1<<v - 1))
	var wide archsimd.Float32x16
	dst := unsafe.Pointer(unsafe.SliceData(out))
	var src unsafe.Pointer
	if res != nil {
		src = unsafe.Pointer(unsafe.SliceData(res))
	}
	ppc := unsafe.Pointer(&s.pc[b*64*8])
	pmul := unsafe.Pointer(&c.mul[o0])
	padd := unsafe.Pointer(&c.add[o0])
	var pcorr unsafe.Pointer
	if s.border[b] {
		pcorr = unsafe.Pointer(&p.corr[o0*16])
	}
	k := archsimd.BroadcastInt64x8(c.k)
	cls := archsimd.LoadUint32x16(&s.cls[b])
	at := uintptr(4 * first)
	step := uintptr(4 * ohw)
	for i := uintptr(0); i < uintptr(vec); i++ {
		d := k.Sub(archsimd.LoadUint64x8((*[8]uint64)(unsafe.Add(ppc, 64*i))).AsInt64x8().ShiftAllLeft(1))
		if pcorr != nil { // one VPERMD looks up the 8 lanes' classes
			t := archsimd.LoadInt32x16((*[16]int32)(unsafe.Add(pcorr, 64*i)))
			d = d.Add(t.Permute(cls).GetLo().ExtendToInt64())
		}
		y := d.ConvertToFloat32().
			Mul(archsimd.BroadcastFloat32x8(*(*float32)(unsafe.Add(pmul, 4*i)))).
			Add(archsimd.BroadcastFloat32x8(*(*float32)(unsafe.Add(padd, 4*i))))
		if v == 8 {
			if src != nil {
				y = y.Add(archsimd.LoadFloat32x8((*[8]float32)(unsafe.Add(src, at))))
			}
			y.Store((*[8]float32)(unsafe.Add(dst, at)))
		} else {
			y16 := wide.SetLo(y)
			if src != nil {
				y16 = y16.Add(archsimd.LoadMaskedFloat32x16((*[16]float32)(unsafe.Add(src, at)), mask))
			}
			y16.StoreMasked((*[16]float32)(unsafe.Add(dst, at)), mask)
		}
		at += step
	}
	if vec < nOut {
		c.outFloatGo(out, res, s, b, o0, vec, nc)
	}
}

// outMasksSIMD is outMasksGo on vectors: a VPCMPQ against the channel's
// threshold gives the 8 lanes' codes as a mask register.
func (c *Conv) outMasksSIMD(s *scratch, b, o0, nc int) {
	p := c.plan
	pc := s.pc[b*64*8:][:nc*8]
	flip, tau := c.flip[o0:][:nc], c.tau[o0:][:nc]
	masks := s.masks[b][:nc]
	k := archsimd.BroadcastInt64x8(c.k)
	border := s.border[b]
	cls := archsimd.LoadUint32x16(&s.cls[b])
	nOut := min(nc, c.Shape.Out-o0) // padding channels have no corrections
	for i := range nc {
		d := k.Sub(archsimd.LoadUint64x8((*[8]uint64)(pc[i*8:])).AsInt64x8().ShiftAllLeft(1))
		if border && i < nOut {
			d = d.Add(corrSIMD(p.corr[(o0+i)*p.cstride:][:p.cstride], cls, s, b))
		}
		f := archsimd.BroadcastInt64x8(flip[i])
		masks[i] = d.Xor(f).Sub(f).Less(archsimd.BroadcastInt64x8(tau[i])).ToBits()
	}
}
