//go:build goexperiment.simd && amd64 && !purego

package bitconv

import (
	"fmt"
	"simd/archsimd"
	"unsafe"

	"github.com/gradbench/gradbench/internal/impl"
)

// The "simd" implementation (GOEXPERIMENT=simd on amd64): packing (whole
// blocks of 64 pixels in assembly, packHalf512), the output stages and the
// shortcut's pooling on archsimd AVX-512 vectors around the AVX-512
// assembly kernel (the "avx512" variants of xorKernel and fusedKernel,
// which it falls back to). They use VPOPCNTQ
// (AVX512_VPOPCNTDQ) on 512-bit vectors of 8 words, one word per lane, and
// are cross-checked bit for bit against the portable kernels
// (TestImplsAgree).
func init() {
	impls.Add(impl.SIMD, hasAVX512 && archsimd.X86.AVX512() && archsimd.X86.AVX512VPOPCNTDQ(),
		"a build with GOEXPERIMENT=simd on amd64 without the purego build tag, and a CPU with AVX-512 F, DQ, VL and VPOPCNTDQ")
	packKernel.Add(impl.SIMD, packBlockSIMD)
	outFloatKernel.Add(impl.SIMD, (*Conv).outFloatSIMD)
	outMasksKernel.Add(impl.SIMD, (*Conv).outMasksSIMD)
	avgPoolKernel.Add(impl.SIMD, func(dst, src []float32, w, oh, ow, st int) {
		if st != 2 {
			avgPool2(dst, src, w, oh, ow, st)
			return
		}
		avgPool2SIMD(dst, src, w, oh, ow)
	})
	doneKernel.Add(impl.SIMD, vzeroupper)
}

// packBlockSIMD packs pixels p0 to p0+np−1 (np <= packBlock) of image n,
// every channel word, as packBlockGo does, on vectors of 16 pixels: for
// each channel, a VCMPPS of 16 values against 0 gives their codes as a
// mask (x < 0: +0, −0 and NaN give +1), and a masked VPORD sets the
// channel's bit in the 16 lanes of a 32-bit accumulator (one for channels
// 0–31 of the word, one for 32–63). A whole block of 64 pixels runs in
// assembly (packHalf512, 4 vectors of pixels at a time so that the OR
// chains overlap), a short one on archsimd vectors (packHalf1). The two
// halves are then widened and joined into the pixels' words. It reports
// whether a value read is NaN.
func packBlockSIMD(dst *Bits, x []float32, n, p0, np, hw int) (nan bool) {
	c := dst.C
	if np < 1 || np > packBlock || p0 < 0 || p0+np > hw || len(x) < (n+1)*c*hw {
		panic(fmt.Sprintf("xnor: packBlockSIMD: bad sizes len(x)=%d n=%d c=%d hw=%d p0=%d np=%d", len(x), n, c, hw, p0, np))
	}
	if np < packBlock && n*c*hw+(c-1)*hw+p0+(np+15)&^15 > len(x) {
		// The masked loads of the last channel would reach past the end
		// of x (the last pixels of the last image).
		vzeroupper() // before scalar float code (see vzeroupper)
		return packBlocks(dst, x, n, p0, np, hw)
	}
	ws := dst.Words
	out := dst.Data[(n*hw+p0)*ws:][:np*ws]
	base := unsafe.Pointer(&x[n*c*hw+p0])
	row := uintptr(4 * hw)
	var half [2][packBlock]uint32 // codes of channels 0–31 and 32–63 of the word
	for w := range ws {
		c0, c1 := w*64, min(c, w*64+64)
		for h := range 2 {
			ch0, ch1 := c0+32*h, min(c1, c0+32*h+32)
			if ch0 >= ch1 {
				half[1] = [packBlock]uint32{}
				break
			}
			p := unsafe.Add(base, uintptr(ch0)*row)
			if np == packBlock {
				nan = packHalf512(&half[h], (*float32)(p), row, ch1-ch0) || nan
				continue
			}
			for g := 0; g < np; g += 16 {
				nan = packHalf1((*[16]uint32)(half[h][g:]), unsafe.Add(p, 4*g), row, ch1-ch0, min(16, np-g)) || nan
			}
		}
		if ws == 1 && np == packBlock {
			for g := 0; g < packBlock; g += 8 {
				lo := archsimd.LoadUint32x8((*[8]uint32)(half[0][g:])).ExtendToUint64()
				hi := archsimd.LoadUint32x8((*[8]uint32)(half[1][g:])).ExtendToUint64()
				lo.Or(hi.ShiftAllLeft(32)).Store((*[8]uint64)(out[g:]))
			}
			continue
		}
		for q := range np {
			out[q*ws+w] = uint64(half[0][q]) | uint64(half[1][q])<<32
		}
	}
	return nan
}

// packHalf1 sets bit i of lane q of dst to the code of channel i of pixel
// q, for the nc <= 32 channels whose rows (row bytes apart) start at p,
// and the first np <= 16 pixels, read under a mask: lanes past np get
// code 0 (and read no NaN). It reports whether a value read is NaN.
func packHalf1(dst *[16]uint32, p unsafe.Pointer, row uintptr, nc, np int) bool {
	var zero archsimd.Float32x16
	var a, nans archsimd.Uint32x16
	bit := archsimd.BroadcastUint32x16(1)
	valid := archsimd.Mask32x16FromBits(uint16(1<<np - 1))
	for i := range nc {
		// Channel i's row, from p each time: stepping p on after the last
		// row would make a pointer past the end of x, which unsafe.Add
		// must not (checkptr, on under -race, stops the program there).
		p := unsafe.Add(p, uintptr(i)*row)
		var v archsimd.Float32x16
		if np == 16 {
			v = archsimd.LoadFloat32x16((*[16]float32)(p))
		} else {
			v = archsimd.LoadMaskedFloat32x16((*[16]float32)(p), valid)
		}
		a = a.Or(bit).Merge(a, v.Less(zero))
		nans = nans.Or(bit).Merge(nans, v.IsNaN())
		bit = bit.ShiftAllLeft(1)
	}
	a.Store(dst)
	return nans.NotEqual(archsimd.Uint32x16{}).ToBits() != 0
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
		vzeroupper()
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
		vzeroupper()
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
		vzeroupper()
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

var evenIdx, oddIdx = func() (e, o archsimd.Uint32x16) {
	var ev, od [16]uint32
	for i := range 16 {
		ev[i], od[i] = uint32(2*i), uint32(2*i+1)
	}
	return archsimd.LoadUint32x16(&ev), archsimd.LoadUint32x16(&od)
}()

// avgPool2SIMD is avgPool2 for stride 2 on vectors of 16 outputs: the even
// and odd columns of two input rows split by VPERMT2PS, then the same sums
// in the same order; a short last vector of a row reads and writes under a
// mask. (No scalar tail: SSE scalar code after 512-bit code measured 30
// times slower here; the caller calls vzeroupper when done.)
func avgPool2SIMD(dst, src []float32, w, oh, ow int) {
	if len(src) < (2*oh-1)*w+2*ow || len(dst) < oh*ow {
		panic(fmt.Sprintf("xnor: avgPool2SIMD: %d inputs of width %d, %d outputs, for %dx%d", len(src), w, len(dst), oh, ow))
	}
	var zero archsimd.Float32x16
	quarter := archsimd.BroadcastFloat32x16(0.25)
	for oy := range oh {
		r0, r1 := 2*oy*w, (2*oy+1)*w
		for ox := 0; ox < ow; ox += 16 {
			n := min(16, ow-ox) // outputs, from 2n inputs per row
			m0 := archsimd.Mask32x16FromBits(uint16(1<<min(16, 2*n) - 1))
			a0 := loadMasked16(src, r0+2*ox, m0)
			b0 := loadMasked16(src, r1+2*ox, m0)
			var a1, b1 archsimd.Float32x16
			if n > 8 {
				m1 := archsimd.Mask32x16FromBits(uint16(1<<(2*n-16) - 1))
				a1 = loadMasked16(src, r0+2*ox+16, m1)
				b1 = loadMasked16(src, r1+2*ox+16, m1)
			}
			y := zero.Add(a0.ConcatPermute(a1, evenIdx)).Add(a0.ConcatPermute(a1, oddIdx))
			y = y.Add(b0.ConcatPermute(b1, evenIdx)).Add(b0.ConcatPermute(b1, oddIdx)).Mul(quarter)
			storeMasked16(dst, oy*ow+ox, n, y)
		}
	}
}

// loadMasked16 loads the 16 values of s from i on under mask m (lanes off
// in m read nothing and are 0). Where fewer than 16 values are left in s,
// it loads from a copy of them: a *[16]float32 reaching past the end of
// s's array would be an invalid pointer conversion (checkptr, on under
// -race, stops the program on it) even though the mask reads nothing
// there.
func loadMasked16(s []float32, i int, m archsimd.Mask32x16) archsimd.Float32x16 {
	if i+16 <= len(s) {
		return archsimd.LoadMaskedFloat32x16((*[16]float32)(s[i:]), m)
	}
	var t [16]float32
	copy(t[:], s[i:])
	return archsimd.LoadMaskedFloat32x16(&t, m)
}

// storeMasked16 stores the first n lanes of y to s from i on, under a mask,
// through a copy where fewer than 16 values are left in s (see
// loadMasked16).
func storeMasked16(s []float32, i, n int, y archsimd.Float32x16) {
	m := archsimd.Mask32x16FromBits(uint16(1<<n - 1))
	if i+16 <= len(s) {
		y.StoreMasked((*[16]float32)(s[i:]), m)
		return
	}
	var t [16]float32
	y.StoreMasked(&t, m)
	copy(s[i:i+n], t[:n])
}
