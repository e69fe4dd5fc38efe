//go:build !purego

package gemm

import (
	"golang.org/x/sys/cpu"

	"github.com/gradbench/gradbench/internal/impl"
)

// The assembly micro-kernels: AVX2+FMA (kernel_amd64.s), for amd64 CPUs
// that have both (Intel since Haswell, AMD since Zen), the "avx2"
// implementation; AVX-512F (kernel512_amd64.s) with twice the vector
// width and register count, the "avx512" implementation. Go assembly, so
// the default build gets them without cgo or GOEXPERIMENT; the portable Go
// kernel remains for other CPUs and architectures.
//
// They compute full tiles; the blocked loop stores their edge tiles
// through a local tile with storeFMA, which stores every element as the
// full-tile stores do. Each element of C is so computed by the same
// sequence of operations under either implementation, whatever their tile
// shapes: "avx512" is bit-identical to "avx2".
var (
	avx2Kernel6x16 = kernel{name: "avx2-6x16", mr: 6, nr: 16,
		fn: asmKernel(6, 16, kern6x16), fnA: asmKernelA(6, 16, kern6x16A), store: storeTileFMA, transpose8: true}
	avx2Kernel4x24 = kernel{name: "avx2-4x24", mr: 4, nr: 24,
		fn: asmKernel(4, 24, kern4x24), fnB: asmKernelB(4, 24, kern4x24B), store: storeTileFMA, transpose8: true}

	avx512Kernel12x32 = kernel{name: "avx512-12x32", mr: 12, nr: 32,
		fn: asmKernel(12, 32, kern12x32), fnA: asmKernelA(12, 32, kern12x32A), store: storeTileFMA, transpose8: true}
	avx512Kernel8x48 = kernel{name: "avx512-8x48", mr: 8, nr: 48,
		fn: asmKernel(8, 48, kern8x48), fnB: asmKernelB(8, 48, kern8x48B), store: storeTileFMA, transpose8: true}
	avx512Kernel12x16 = kernel{name: "avx512-12x16", mr: 12, nr: 16,
		fn: asmKernel(12, 16, kern12x16), fnA: asmKernelA(12, 16, kern12x16A), store: storeTileFMA, transpose8: true}
)

// hasAVX2FMA reports whether the CPU runs the AVX2 kernels; hasAVX512
// whether it runs the AVX-512 ones (x/sys/cpu includes the operating
// system's support for the AVX-512 register state). The AVX-512
// implementation packs transposed operands with the AVX2 transpose8.
var (
	hasAVX2FMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA
	hasAVX512  = hasAVX2FMA && cpu.X86.HasAVX512F
)

func init() {
	impls.Add(impl.AVX2, hasAVX2FMA, "an amd64 CPU with AVX2 and FMA")
	avx2 := newEngines(avx2Kernel6x16, avx2Kernel4x24)
	sgemmKernel.Add(impl.AVX2, avx2.sgemm)
	rowsKernel.Add(impl.AVX2, avx2.rows)

	impls.Add(impl.AVX512, hasAVX512, "an amd64 CPU with AVX-512F, AVX2 and FMA")
	avx512 := newEngines(avx512Kernel12x32, avx512Kernel8x48, avx512Kernel12x16)
	sgemmKernel.Add(impl.AVX512, avx512.sgemm)
	rowsKernel.Add(impl.AVX512, avx512.rows)
}

// archKernels returns the assembly kernels the CPU runs.
func archKernels() []kernel {
	var ks []kernel
	if hasAVX2FMA {
		ks = append(ks, avx2Kernel6x16, avx2Kernel4x24)
	}
	if hasAVX512 {
		ks = append(ks, avx512Kernel12x32, avx512Kernel8x48, avx512Kernel12x16)
	}
	return ks
}

// The assembly kernels on packed panels, and with A or B read in place
// (row offsets aoff, boff): full mr×nr tiles into C.
type (
	asmFunc  func(k int, a, b, c *float32, ldc int, beta float32)
	asmFuncA func(k int, a *float32, aoff *int, b, c *float32, ldc int, beta float32)
	asmFuncB func(k int, a, b *float32, boff *int, c *float32, ldc int, beta float32)
)

// asmKernel returns the kernel.fn of the mr×nr assembly kernel f: full
// tiles only (the kernel's store takes the edges), bounds checked here.
func asmKernel(mr, nr int, f asmFunc) func(k int, a, b []float32, beta float32, c []float32, ldc, m, n int) {
	return func(k int, a, b []float32, beta float32, c []float32, ldc, m, n int) {
		if m != mr || n != nr {
			panic("gemm: edge tile passed to a full-tile kernel")
		}
		_ = a[mr*k-1]
		_ = b[nr*k-1]
		_ = c[(mr-1)*ldc+nr-1]
		f(k, &a[0], &b[0], &c[0], ldc, beta)
	}
}

// asmKernelA returns the kernel.fnA of the mr×nr assembly kernel f.
func asmKernelA(mr, nr int, f asmFuncA) func(k int, a []float32, aoff []int, b []float32, beta float32, c []float32, ldc int) {
	return func(k int, a []float32, aoff []int, b []float32, beta float32, c []float32, ldc int) {
		_ = aoff[mr-1]
		_ = b[nr*k-1]
		_ = c[(mr-1)*ldc+nr-1]
		f(k, &a[0], &aoff[0], &b[0], &c[0], ldc, beta)
	}
}

// asmKernelB returns the kernel.fnB of the mr×nr assembly kernel f.
func asmKernelB(mr, nr int, f asmFuncB) func(k int, a, b []float32, boff []int, beta float32, c []float32, ldc int) {
	return func(k int, a, b []float32, boff []int, beta float32, c []float32, ldc int) {
		_ = a[mr*k-1]
		_ = boff[k-1]
		_ = c[(mr-1)*ldc+nr-1]
		f(k, &a[0], &b[0], &boff[0], &c[0], ldc, beta)
	}
}

// storeTileFMA is the kernel.store of the assembly kernels: storeFMA on
// checked slices.
func storeTileFMA(acc []float32, nr int, beta float32, c []float32, ldc, m, n int) {
	_ = acc[(m-1)*nr+n-1]
	_ = c[(m-1)*ldc+n-1]
	storeFMA(&acc[0], nr, beta, &c[0], ldc, m, n)
}

//go:noescape
func kern6x16(k int, a, b, c *float32, ldc int, beta float32)

//go:noescape
func kern4x24(k int, a, b, c *float32, ldc int, beta float32)

//go:noescape
func kern4x24B(k int, a, b *float32, boff *int, c *float32, ldc int, beta float32)

//go:noescape
func kern6x16A(k int, a *float32, aoff *int, b, c *float32, ldc int, beta float32)

//go:noescape
func kern12x32(k int, a, b, c *float32, ldc int, beta float32)

//go:noescape
func kern8x48(k int, a, b, c *float32, ldc int, beta float32)

//go:noescape
func kern8x48B(k int, a, b *float32, boff *int, c *float32, ldc int, beta float32)

//go:noescape
func kern12x32A(k int, a *float32, aoff *int, b, c *float32, ldc int, beta float32)

//go:noescape
func kern12x16(k int, a, b, c *float32, ldc int, beta float32)

//go:noescape
func kern12x16A(k int, a *float32, aoff *int, b, c *float32, ldc int, beta float32)

//go:noescape
func storeFMA(acc *float32, nr int, beta float32, c *float32, ldc, m, n int)

//go:noescape
func transpose8(dst *float32, ldd int, src *float32, lds int, k int)
