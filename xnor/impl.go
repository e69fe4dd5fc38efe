package xnor

import (
	"fmt"
	"strings"
	"sync/atomic"
)

// The implementations, slowest first (see the package documentation).
const (
	implGo     = iota // portable Go, math/bits.OnesCount64
	implAVX2          // the AVX2 assembly XOR-popcount kernel, portable Go elsewhere
	implAVX512        // AVX-512 assembly kernels (kernel_amd64.s)
	implSIMD          // the assembly kernel, packing and output transforms on archsimd vectors
	numImpls
)

var implNames = [numImpls]string{"go", "avx2", "avx512", "simd"}

// implOK[i] reports whether implementation i can run in this build on this
// CPU. The simd implementation uses the assembly kernel too.
var implOK = [numImpls]bool{
	implGo:     true,
	implAVX2:   hasAVX2,
	implAVX512: hasAVX512,
	implSIMD:   hasAVX512 && simdSupported(),
}

// best is the fastest implementation available, the default.
var best = func() int32 {
	b := int32(implGo)
	for i, ok := range implOK {
		if ok {
			b = int32(i)
		}
	}
	return b
}()

var current atomic.Int32

func init() { current.Store(best) }

// curImpl returns the implementation in use.
func curImpl() int { return int(current.Load()) }

// Impl returns the kernels in use: "simd" (GOEXPERIMENT=simd on amd64: the
// AVX-512 assembly kernel with archsimd packing and output transforms),
// "avx512" (the assembly kernels, AVX-512 with VPOPCNTQ, in the default
// build on a CPU that has it), "avx2" (the AVX2 assembly kernels, on an
// amd64 CPU without those) or "go" (portable, with math/bits.OnesCount64).
// Benchmark names carry it as impl=<Impl()>; the package documentation
// says what each runs.
func Impl() string { return implNames[curImpl()] }

// Impls returns the implementations this build and CPU can run, slowest
// ("go") first.
func Impls() []string {
	var names []string
	for i, ok := range implOK {
		if ok {
			names = append(names, implNames[i])
		}
	}
	return names
}

// SetImpl selects the kernels, "go", "avx2", "avx512" or "simd", for benchmarks
// and tests that compare them; the default is the fastest available.
// Selecting one that cannot run here is an error. Do not call it while
// kernels run.
func SetImpl(name string) error {
	for i, n := range implNames {
		if n != name {
			continue
		}
		if !implOK[i] {
			return fmt.Errorf("xnor: impl %q is not available in this build on this CPU (have %s; %s)",
				name, strings.Join(Impls(), ", "), implNeeds[i])
		}
		current.Store(int32(i))
		return nil
	}
	return fmt.Errorf("xnor: unknown impl %q (have %s)", name, strings.Join(Impls(), ", "))
}

var implNeeds = [numImpls]string{
	implAVX2:   "avx2 needs amd64 without the purego build tag and a CPU with AVX2",
	implAVX512: "avx512 needs amd64 without the purego build tag and a CPU with AVX-512 F, DQ, VL and VPOPCNTDQ",
	implSIMD:   "simd needs a GOEXPERIMENT=simd build on amd64 and a CPU with AVX-512 F, DQ, VL and VPOPCNTDQ",
}
