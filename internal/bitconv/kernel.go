package bitconv

import "math/bits"

// kernelGo is the portable XNOR-popcount kernel: for nblk blocks of 8
// lanes, whose window word k of lane j is src[base[b]+koff[k]+j], and the
// nc weight rows of w (len(koff) words each; kmax, the words a block reads
// from its base, is for the assembly's bounds checks),
//
//	pc[(b·64+i)·8+j] = Σ_k popcount(src[base[b]+koff[k]+j] XOR w[i][k])
//
// the number of sign mismatches, so that the dot product of the ±1 codes is
// taps·In − 2·pc (before the padding correction). It computes 4 lanes × 2
// channels at a time (register blocking: each loaded word is used twice).
func kernelGo(pc, src []uint64, base [2]int, koff []int, kmax int, w []uint64, nc, nblk int) {
	kw := len(koff)
	for b := range nblk {
		for i := 0; i < nc; i += 2 {
			w0 := w[i*kw:][:kw]
			w1 := w[(i+1)*kw:][:kw]
			for l := 0; l < 8; l += 4 {
				var c00, c01, c02, c03, c10, c11, c12, c13 int
				lsrc := src[base[b]+l:]
				for k, v0 := range w0 {
					x := lsrc[koff[k]:][:4]
					v1 := w1[k]
					c00 += bits.OnesCount64(x[0] ^ v0)
					c01 += bits.OnesCount64(x[1] ^ v0)
					c02 += bits.OnesCount64(x[2] ^ v0)
					c03 += bits.OnesCount64(x[3] ^ v0)
					c10 += bits.OnesCount64(x[0] ^ v1)
					c11 += bits.OnesCount64(x[1] ^ v1)
					c12 += bits.OnesCount64(x[2] ^ v1)
					c13 += bits.OnesCount64(x[3] ^ v1)
				}
				r := pc[(b*64+i)*8+l:][:4]
				r[0], r[1], r[2], r[3] = uint64(c00), uint64(c01), uint64(c02), uint64(c03)
				r = pc[(b*64+i+1)*8+l:][:4]
				r[0], r[1], r[2], r[3] = uint64(c10), uint64(c11), uint64(c12), uint64(c13)
			}
		}
	}
}
