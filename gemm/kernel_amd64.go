//go:build !purego

package gemm

import (
	"golang.org/x/sys/cpu"

	"github.com/gradbench/gradbench/internal/impl"
)

// The AVX2+FMA micro-kernels (kernel_amd64.s), for amd64 CPUs that have
// both (Intel since Haswell, AMD since Zen): the "avx2" implementation. Go
// assembly, so the default build gets them without cgo or GOEXPERIMENT;
// the portable Go kernel remains for other CPUs and architectures.
var (
	avx2Kernel6x16 = kernel{name: "avx2-6x16", mr: 6, nr: 16, fn: kernel6x16, fnA: kernel6x16A, transpose8: true}
	avx2Kernel4x24 = kernel{name: "avx2-4x24", mr: 4, nr: 24, fn: kernel4x24, fnB: kernel4x24B, transpose8: true}
)

// hasAVX2FMA reports whether the CPU runs the AVX2 kernels.
var hasAVX2FMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

func init() {
	impls.Add(impl.AVX2, hasAVX2FMA, "an amd64 CPU with AVX2 and FMA")
	avx2 := newEngines(avx2Kernel6x16, avx2Kernel4x24)
	sgemmKernel.Add(impl.AVX2, avx2.sgemm)
	rowsKernel.Add(impl.AVX2, avx2.rows)
}

// archKernels returns the AVX2 kernels if the CPU has AVX2 and FMA.
func archKernels() []kernel {
	if hasAVX2FMA {
		return []kernel{avx2Kernel6x16, avx2Kernel4x24}
	}
	return nil
}

//go:noescape
func kern6x16(k int, a, b, c *float32, ldc int, beta float32)

//go:noescape
func kern4x24(k int, a, b, c *float32, ldc int, beta float32)

// kernel6x16 is the micro-kernel contract of kernel.fn: full tiles are
// stored by the assembly, edge tiles through a local tile.
func kernel6x16(k int, a, b []float32, beta float32, c []float32, ldc, m, n int) {
	_ = a[6*k-1]
	_ = b[16*k-1]
	if m == 6 && n == 16 {
		_ = c[5*ldc+15]
		kern6x16(k, &a[0], &b[0], &c[0], ldc, beta)
		return
	}
	var acc [6 * 16]float32
	kern6x16(k, &a[0], &b[0], &acc[0], 16, 0)
	storeTile(acc[:], 16, beta, c, ldc, m, n)
}

// kernel4x24 is the micro-kernel contract of kernel.fn (see kernel6x16).
func kernel4x24(k int, a, b []float32, beta float32, c []float32, ldc, m, n int) {
	_ = a[4*k-1]
	_ = b[24*k-1]
	if m == 4 && n == 24 {
		_ = c[3*ldc+23]
		kern4x24(k, &a[0], &b[0], &c[0], ldc, beta)
		return
	}
	var acc [4 * 24]float32
	kern4x24(k, &a[0], &b[0], &acc[0], 24, 0)
	storeTile(acc[:], 24, beta, c, ldc, m, n)
}

//go:noescape
func transpose8(dst *float32, ldd int, src *float32, lds int, k int)

//go:noescape
func kern4x24B(k int, a, b *float32, boff *int, c *float32, ldc int, beta float32)

//go:noescape
func kern6x16A(k int, a *float32, aoff *int, b, c *float32, ldc int, beta float32)

// kernel4x24B is the fnB contract of kernel (full tiles only).
func kernel4x24B(k int, a, b []float32, boff []int, beta float32, c []float32, ldc int) {
	_ = a[4*k-1]
	_ = boff[k-1]
	_ = c[3*ldc+23]
	kern4x24B(k, &a[0], &b[0], &boff[0], &c[0], ldc, beta)
}

// kernel6x16A is the fnA contract of kernel (full tiles only).
func kernel6x16A(k int, a []float32, aoff []int, b []float32, beta float32, c []float32, ldc int) {
	_ = aoff[5]
	_ = b[16*k-1]
	_ = c[5*ldc+15]
	kern6x16A(k, &a[0], &aoff[0], &b[0], &c[0], ldc, beta)
}
