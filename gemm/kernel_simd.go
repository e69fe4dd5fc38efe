//go:build goexperiment.simd && amd64 && !openblas

package gemm

import "simd/archsimd"

// simdKernel is the AVX-512 micro-kernel: a 4×32 tile of C in eight
// 16-lane accumulators, each depth step two 16-lane loads of the B panel,
// four broadcasts of A values and eight fused multiply-adds. The Go
// compiler allocates only 15 vector registers (X15 is its zero register)
// and archsimd's MulAdd overwrites a multiplicand (VFMADD213PS), so larger
// tiles (6×32, 8×32, 12×16, 14×16) spill accumulators to the stack; 4×32
// keeps all of them in registers and measured fastest.
var simdKernel = kernel{name: "simd", mr: 4, nr: 32, fn: kernel4x32}

func init() {
	if archsimd.X86.AVX512() {
		kernels = append(kernels, simdKernel)
		fast = &blocked{kern: simdKernel}
		impl = "simd"
	}
}

// kernel4x32 is the micro-kernel contract of kernel.fn, unrolled.
func kernel4x32(k int, a, b []float32, beta float32, c []float32, ldc, m, n int) {
	var c0_0, c0_1, c1_0, c1_1, c2_0, c2_1, c3_0, c3_1 archsimd.Float32x16
	a = a[:4*k]
	b = b[:32*k]
	for p := range k {
		bp := (*[32]float32)(b[p*32:])
		ap := (*[4]float32)(a[p*4:])
		b0 := archsimd.LoadFloat32x16((*[16]float32)(bp[0:16]))
		b1 := archsimd.LoadFloat32x16((*[16]float32)(bp[16:32]))
		x0 := archsimd.BroadcastFloat32x16(ap[0])
		c0_0 = x0.MulAdd(b0, c0_0)
		c0_1 = x0.MulAdd(b1, c0_1)
		x1 := archsimd.BroadcastFloat32x16(ap[1])
		c1_0 = x1.MulAdd(b0, c1_0)
		c1_1 = x1.MulAdd(b1, c1_1)
		x2 := archsimd.BroadcastFloat32x16(ap[2])
		c2_0 = x2.MulAdd(b0, c2_0)
		c2_1 = x2.MulAdd(b1, c2_1)
		x3 := archsimd.BroadcastFloat32x16(ap[3])
		c3_0 = x3.MulAdd(b0, c3_0)
		c3_1 = x3.MulAdd(b1, c3_1)
	}
	if m == 4 && n == 32 {
		if beta == 0 {
			c0_0.Store((*[16]float32)(c[0*ldc+0:]))
			c0_1.Store((*[16]float32)(c[0*ldc+16:]))
			c1_0.Store((*[16]float32)(c[1*ldc+0:]))
			c1_1.Store((*[16]float32)(c[1*ldc+16:]))
			c2_0.Store((*[16]float32)(c[2*ldc+0:]))
			c2_1.Store((*[16]float32)(c[2*ldc+16:]))
			c3_0.Store((*[16]float32)(c[3*ldc+0:]))
			c3_1.Store((*[16]float32)(c[3*ldc+16:]))
			return
		}
		bv := archsimd.BroadcastFloat32x16(beta)
		bv.MulAdd(archsimd.LoadFloat32x16((*[16]float32)(c[0*ldc+0:])), c0_0).Store((*[16]float32)(c[0*ldc+0:]))
		bv.MulAdd(archsimd.LoadFloat32x16((*[16]float32)(c[0*ldc+16:])), c0_1).Store((*[16]float32)(c[0*ldc+16:]))
		bv.MulAdd(archsimd.LoadFloat32x16((*[16]float32)(c[1*ldc+0:])), c1_0).Store((*[16]float32)(c[1*ldc+0:]))
		bv.MulAdd(archsimd.LoadFloat32x16((*[16]float32)(c[1*ldc+16:])), c1_1).Store((*[16]float32)(c[1*ldc+16:]))
		bv.MulAdd(archsimd.LoadFloat32x16((*[16]float32)(c[2*ldc+0:])), c2_0).Store((*[16]float32)(c[2*ldc+0:]))
		bv.MulAdd(archsimd.LoadFloat32x16((*[16]float32)(c[2*ldc+16:])), c2_1).Store((*[16]float32)(c[2*ldc+16:]))
		bv.MulAdd(archsimd.LoadFloat32x16((*[16]float32)(c[3*ldc+0:])), c3_0).Store((*[16]float32)(c[3*ldc+0:]))
		bv.MulAdd(archsimd.LoadFloat32x16((*[16]float32)(c[3*ldc+16:])), c3_1).Store((*[16]float32)(c[3*ldc+16:]))
		return
	}
	var acc [128]float32
	c0_0.Store((*[16]float32)(acc[0:]))
	c0_1.Store((*[16]float32)(acc[16:]))
	c1_0.Store((*[16]float32)(acc[32:]))
	c1_1.Store((*[16]float32)(acc[48:]))
	c2_0.Store((*[16]float32)(acc[64:]))
	c2_1.Store((*[16]float32)(acc[80:]))
	c3_0.Store((*[16]float32)(acc[96:]))
	c3_1.Store((*[16]float32)(acc[112:]))
	storeTile(acc[:], 32, beta, c, ldc, m, n)
}
