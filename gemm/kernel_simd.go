//go:build goexperiment.simd && amd64 && !openblas

package gemm

import "simd/archsimd"

// simdKernel is the AVX-512 micro-kernel: a 3×32 tile of C in six 16-lane
// accumulators; each depth step loads two 16-lane rows of the B panel,
// broadcasts three A values and makes six fused multiply-adds. The Go
// compiler allocates only 15 vector registers (X15 is its zero register)
// and archsimd's MulAdd overwrites a multiplicand (VFMADD213PS, so a
// reused broadcast is copied first), so tiles with more accumulators spill
// or shuffle registers. Measured on one Zen 4 core (m=128, n=k=256):
// 3×32 50 GFLOP/s, 2×48 47, 2×32 45, 6×16 43, 5×16 41, 4×16 40, 4×32 22,
// 8×16 21.
var simdKernel = kernel{name: "simd", mr: 3, nr: 32, fn: kernel3x32}

func init() {
	if archsimd.X86.AVX512() {
		kernels = append(kernels, simdKernel)
		fast = &blocked{kern: simdKernel}
		impl = "simd"
	}
}

// kernel3x32 is the micro-kernel contract of kernel.fn, unrolled.
func kernel3x32(k int, a, b []float32, beta float32, c []float32, ldc, m, n int) {
	var c0_0, c0_1, c1_0, c1_1, c2_0, c2_1 archsimd.Float32x16
	a = a[:3*k]
	b = b[:32*k]
	for p := range k {
		bp := (*[32]float32)(b[p*32:])
		ap := (*[3]float32)(a[p*3:])
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
	}
	if m == 3 && n == 32 {
		if beta == 0 {
			c0_0.Store((*[16]float32)(c[0*ldc+0:]))
			c0_1.Store((*[16]float32)(c[0*ldc+16:]))
			c1_0.Store((*[16]float32)(c[1*ldc+0:]))
			c1_1.Store((*[16]float32)(c[1*ldc+16:]))
			c2_0.Store((*[16]float32)(c[2*ldc+0:]))
			c2_1.Store((*[16]float32)(c[2*ldc+16:]))
			return
		}
		bv := archsimd.BroadcastFloat32x16(beta)
		bv.MulAdd(archsimd.LoadFloat32x16((*[16]float32)(c[0*ldc+0:])), c0_0).Store((*[16]float32)(c[0*ldc+0:]))
		bv.MulAdd(archsimd.LoadFloat32x16((*[16]float32)(c[0*ldc+16:])), c0_1).Store((*[16]float32)(c[0*ldc+16:]))
		bv.MulAdd(archsimd.LoadFloat32x16((*[16]float32)(c[1*ldc+0:])), c1_0).Store((*[16]float32)(c[1*ldc+0:]))
		bv.MulAdd(archsimd.LoadFloat32x16((*[16]float32)(c[1*ldc+16:])), c1_1).Store((*[16]float32)(c[1*ldc+16:]))
		bv.MulAdd(archsimd.LoadFloat32x16((*[16]float32)(c[2*ldc+0:])), c2_0).Store((*[16]float32)(c[2*ldc+0:]))
		bv.MulAdd(archsimd.LoadFloat32x16((*[16]float32)(c[2*ldc+16:])), c2_1).Store((*[16]float32)(c[2*ldc+16:]))
		return
	}
	var acc [96]float32
	c0_0.Store((*[16]float32)(acc[0:]))
	c0_1.Store((*[16]float32)(acc[16:]))
	c1_0.Store((*[16]float32)(acc[32:]))
	c1_1.Store((*[16]float32)(acc[48:]))
	c2_0.Store((*[16]float32)(acc[64:]))
	c2_1.Store((*[16]float32)(acc[80:]))
	storeTile(acc[:], 32, beta, c, ldc, m, n)
}
