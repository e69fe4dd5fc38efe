//go:build !purego

package nn

import (
	"golang.org/x/sys/cpu"

	"github.com/gradbench/gradbench/internal/impl"
)

// The "avx512" implementation: AVX-512 variants of the kernels that a
// measurement on the project machine shows faster with 512-bit vectors
// (the noise adaptation's sine and cosine loops and axpy, vec512_amd64.s;
// the table build and lookup of the binary input gradient,
// lutgrad512_amd64.s, and the rows of the table weight gradient,
// lutweights512_amd64.s, results/lut.md), each bit for bit the same as
// its AVX2 variant; every other kernel runs its "avx2" variant under this
// name (an impl.Kernel falls back to the highest-ranked variant below the
// one selected), so the name needs AVX2 and FMA as well.
func init() {
	impls.Add(impl.AVX512, cpu.X86.HasAVX2 && cpu.X86.HasFMA && cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VL,
		"an amd64 CPU with AVX-512 F, BW and VL, AVX2 and FMA")
}
