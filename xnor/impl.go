package xnor

import (
	"fmt"
	"sync/atomic"
)

// simdOK reports whether the SIMD kernels can run: built with
// GOEXPERIMENT=simd on amd64, on a CPU with AVX-512 and VPOPCNTQ.
var simdOK = simdSupported()

var forceGo atomic.Bool

func useSIMD() bool { return simdOK && !forceGo.Load() }

// Impl returns the kernels in use: "simd" (AVX-512 with VPOPCNTQ, in a
// GOEXPERIMENT=simd build on a CPU that has them) or "go" (portable, with
// math/bits.OnesCount64). Benchmark names carry it as impl=<Impl()>.
func Impl() string {
	if useSIMD() {
		return "simd"
	}
	return "go"
}

// Impls returns the implementations this build and CPU can run, "go" first.
func Impls() []string {
	if simdOK {
		return []string{"go", "simd"}
	}
	return []string{"go"}
}

// SetImpl selects the kernels, "go" or "simd", for benchmarks and tests
// that compare them; the default is the fastest available. Selecting
// "simd" where it cannot run is an error. Do not call it while kernels
// run.
func SetImpl(name string) error {
	switch name {
	case "go":
		forceGo.Store(true)
	case "simd":
		if !simdOK {
			return fmt.Errorf("xnor: impl \"simd\" is not available (needs a GOEXPERIMENT=simd build on amd64 and a CPU with AVX-512 VPOPCNTQ; have go)")
		}
		forceGo.Store(false)
	default:
		return fmt.Errorf("xnor: unknown impl %q (have %s)", name, fmt.Sprint(Impls()))
	}
	return nil
}
