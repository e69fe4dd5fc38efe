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

// packBlockSIMD is packBlockGo with a vector compare: for 8 channels at a
// time, the 8 pixels' sign masks (VCMPPS into a mask register) form an 8×8
// bit matrix that transpose8 turns into one byte per pixel.
func packBlockSIMD(dst *Bits, x []float32, n, p0, np, hw int) {
	if np < 8 {
		packBlockGo(dst, x, n, p0, np, hw)
		return
	}
	c := dst.C
	img := x[n*c*hw:][:c*hw]
	ws := dst.Words
	out := dst.Data[(n*hw+p0)*ws:][:8*ws]
	var zero archsimd.Float32x8
	for w := range ws {
		c0, c1 := w*64, min(c, w*64+64)
		var acc [8]uint64
		for g := c0; g < c1; g += 8 {
			var m uint64
			for i := range min(8, c1-g) {
				v := archsimd.LoadFloat32x8((*[8]float32)(img[(g+i)*hw+p0:]))
				m |= uint64(v.Less(zero).ToBits()) << (8 * i)
			}
			t := transpose8(m)
			sh := uint(g - c0)
			for j := range acc {
				acc[j] |= (t >> (8 * j) & 0xff) << sh
			}
		}
		for j, v := range acc {
			out[j*ws+w] = v
		}
	}
}

// kernelSIMD is kernelGo on vectors: lane j of a vector is pixel j of a
// block, and each weight word is broadcast to all lanes, so the
// accumulators hold the popcounts of 8 pixels for one channel and need no
// horizontal sum. The tile is 2 blocks × 2 channels (4 accumulators, 2
// loads and 2 broadcasts per 4 XOR+VPOPCNTQ+ADD): larger tiles spill under
// the Go register allocator and measured slower.
func kernelSIMD(pc, a, w []uint64, kw, nc, nblk int) {
	if len(a) < 2*8*kw || len(w) < nc*kw || len(pc) < 2*64*8 || nc > 64 || nc%2 != 0 || kw < 1 {
		panic(fmt.Sprintf("xnor: kernelSIMD: bad sizes len(a)=%d len(w)=%d len(pc)=%d kw=%d nc=%d", len(a), len(w), len(pc), kw, nc))
	}
	pa0 := unsafe.Pointer(unsafe.SliceData(a))
	pa1 := unsafe.Add(pa0, 8*8*kw)
	pw := unsafe.Pointer(unsafe.SliceData(w))
	row := uintptr(8 * kw)
	if nblk == 1 {
		for i := 0; i < nc; i += 2 {
			w0 := unsafe.Add(pw, uintptr(i)*row)
			w1 := unsafe.Add(w0, row)
			var c00, c01 archsimd.Uint64x8
			for k := uintptr(0); k < uintptr(kw); k++ {
				x0 := archsimd.LoadUint64x8((*[8]uint64)(unsafe.Add(pa0, 64*k)))
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
			x0 := archsimd.LoadUint64x8((*[8]uint64)(unsafe.Add(pa0, 64*k)))
			x1 := archsimd.LoadUint64x8((*[8]uint64)(unsafe.Add(pa1, 64*k)))
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

// dotsSIMD returns the 8 corrected dot products of block b for channel o
// (o < Out) from their popcounts.
func (c *Conv) dotsSIMD(s *scratch, b, i, o int, cls archsimd.Uint32x16) archsimd.Int64x8 {
	pc := archsimd.LoadUint64x8((*[8]uint64)(s.pc[(b*64+i)*8:])).AsInt64x8()
	d := archsimd.BroadcastInt64x8(c.k).Sub(pc.ShiftAllLeft(1))
	if !s.border[b] {
		return d
	}
	p := &c.plan
	if p.cstride == 16 { // one VPERMD looks up the 8 lanes' classes
		t := archsimd.LoadInt32x16((*[16]int32)(p.corr[o*16:]))
		return d.Add(t.Permute(cls).GetLo().ExtendToInt64())
	}
	var corr [8]int64
	row := p.corr[o*p.cstride:][:p.cstride]
	for j := range corr {
		corr[j] = int64(row[s.cls[b][j]])
	}
	return d.Add(archsimd.LoadInt64x8(&corr))
}

// outFloatSIMD is outFloatGo for a block whose 8 outputs are consecutive
// (the others take the portable path): VCVTQQ2PS, then VMULPS and VADDPS
// (not fused, as apply defines the transform).
func (c *Conv) outFloatSIMD(out []float32, s *scratch, b, o0, nc int) {
	if !s.contig[b] {
		c.outFloatGo(out, s, b, o0, nc)
		return
	}
	ohw, base := c.plan.ohw, s.off[b][0]
	cls := archsimd.LoadUint32x16(&s.cls[b])
	for i := range min(nc, c.Shape.Out-o0) {
		o := o0 + i
		y := c.dotsSIMD(s, b, i, o, cls).ConvertToFloat32().
			Mul(archsimd.BroadcastFloat32x8(c.mul[o])).
			Add(archsimd.BroadcastFloat32x8(c.add[o]))
		y.Store((*[8]float32)(out[base+o*ohw:]))
	}
}

// outMasksSIMD is outMasksGo on vectors: a VPCMPQ against the channel's
// threshold gives the 8 lanes' codes as a mask register.
func (c *Conv) outMasksSIMD(s *scratch, b, o0, nc int) {
	cls := archsimd.LoadUint32x16(&s.cls[b])
	for i := range nc {
		o := o0 + i
		var d archsimd.Int64x8
		if o < c.Shape.Out {
			d = c.dotsSIMD(s, b, i, o, cls)
		} else {
			pc := archsimd.LoadUint64x8((*[8]uint64)(s.pc[(b*64+i)*8:])).AsInt64x8()
			d = archsimd.BroadcastInt64x8(c.k).Sub(pc.ShiftAllLeft(1))
		}
		f := archsimd.BroadcastInt64x8(c.flip[o])
		d = d.Xor(f).Sub(f)
		s.masks[b][i] = d.Less(archsimd.BroadcastInt64x8(c.tau[o])).ToBits()
	}
}
