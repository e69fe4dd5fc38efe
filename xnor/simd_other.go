//go:build !(goexperiment.simd && amd64)

package xnor

// Without GOEXPERIMENT=simd on amd64 there are no archsimd kernels: the
// simd implementation is never selected, so these are never called.

func simdSupported() bool { return false }

func packBlockSIMD(dst *Bits, x []float32, n, p0, np, hw int) {
	panic("xnor: no SIMD kernels in this build")
}

func (c *Conv) outFloatSIMD(out, res []float32, s *scratch, b, o0, nc int) {
	panic("xnor: no SIMD kernels in this build")
}

func (c *Conv) outMasksSIMD(s *scratch, b, o0, nc int) { panic("xnor: no SIMD kernels in this build") }

func avgPool2SIMD(dst, src []float32, w, oh, ow int) { panic("xnor: no SIMD kernels in this build") }
