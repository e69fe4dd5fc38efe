//go:build !amd64 || purego

package xnor

// Other architectures (and the purego build tag) have no assembly
// kernels: hasAVX512 is false, so kernelAVX512 is never called.

const hasAVX512, hasAVX2 = false, false

func kernelAVX512(pc, src []uint64, base [2]int, koff []int, kmax int, w []uint64, nc, nblk int) {
	panic("xnor: no assembly kernels in this build")
}

func (c *Conv) fusedFloat(out, res []float32, src []uint64, s *scratch, o0, o1 int) bool {
	panic("xnor: no assembly kernels in this build")
}

func vzeroupper() {}

func packBlockAVX512(dst *Bits, x []float32, n, p0, np, hw int) {
	panic("xnor: no assembly kernels in this build")
}

func kernelAVX2(pc, src []uint64, base [2]int, koff []int, kmax int, w []uint64, nc, nblk int) {
	panic("xnor: no assembly kernels in this build")
}

func packBlockAVX2(dst *Bits, x []float32, n, p0, np, hw int) {
	panic("xnor: no assembly kernels in this build")
}
