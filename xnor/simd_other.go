//go:build !(goexperiment.simd && amd64)

package xnor

// Without GOEXPERIMENT=simd on amd64 only the portable kernels exist;
// useSIMD is always false, so these are never called.

func simdSupported() bool { return false }

func packBlockSIMD(dst *Bits, x []float32, n, p0, np, hw int) {
	panic("xnor: no SIMD kernels in this build")
}

func kernelSIMD(pc, src []uint64, base [2]int, koff []int, kmax int, w []uint64, nc, nblk int) {
	panic("xnor: no SIMD kernels in this build")
}

func (c *Conv) outFloatSIMD(out, res []float32, s *scratch, b, o0, nc int) {
	panic("xnor: no SIMD kernels in this build")
}

func (c *Conv) outMasksSIMD(s *scratch, b, o0, nc int) { panic("xnor: no SIMD kernels in this build") }
