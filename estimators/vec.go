package estimators

import (
	"fmt"
	"strings"
	"sync/atomic"
)

// A vecImpl is one set of vector kernels. Each kernel processes the longest
// prefix of whole vectors it handles and returns its length; the portable
// loop then does the rest. A nil kernel processes nothing. Tests cross-check
// every set against the portable loops (TestVecMatchesPortable) and run the
// conformance suite on each (TestConformance).
type vecImpl struct {
	name string
	// rank orders the sets this build and CPU can run: the highest one is
	// used unless SetImpl says otherwise.
	rank int

	sign       func(dst, x []float32) int
	ste        func(k *steKernel, dx, x, dy []float32) int
	approxSign func(dx, x, dy []float32) int
	dsq        func(k *dsqKernel, dx, x, dy []float32) int
	bnnPlus    func(k *bnnPlusKernel, dx, x, dy []float32) int
	ede        func(k *edeKernel, dx, x, dy []float32) int
	fda        func(k *fdaKernel, dx, x, dy []float32) int

	// The learnable kernels also return the sum of the scalar's gradient
	// over the prefix they processed.
	dsqGrad     func(k *dsqKernel, dx, x, dy []float32) (int, float64)
	bnnPlusGrad func(k *bnnPlusKernel, dx, x, dy []float32) (int, float64)
}

// Ranks of the vector kernel sets (see vecImpl.rank and Impl).
const (
	rankAVX2   = 1 // vec_amd64.go
	rankSIMD   = 2 // vec_simd.go
	rankAVX512 = 3 // vec_amd64.go
)

var (
	// goImpl is the portable loops alone.
	goImpl = &vecImpl{name: "go"}

	// impls lists the sets this build and CPU can run, by ascending rank.
	// The vec_*.go files add theirs in init functions (addImpl).
	impls = []*vecImpl{goImpl}

	// active is the set in use; nil before any addImpl means goImpl.
	active atomic.Pointer[vecImpl]
)

// addImpl makes v available, and the one in use if it ranks highest.
func addImpl(v *vecImpl) {
	i := len(impls)
	for i > 0 && impls[i-1].rank > v.rank {
		i--
	}
	impls = append(impls[:i], append([]*vecImpl{v}, impls[i:]...)...)
	active.Store(impls[len(impls)-1])
}

// vec returns the vector kernels in use.
func vec() *vecImpl {
	if v := active.Load(); v != nil {
		return v
	}
	return goImpl
}

// Impl returns the name of the kernels the fast Forward and Backward of
// the built-in estimators use. In order of preference:
//
//   - "go-avx512": Go assembly with AVX-512, 16 lanes (any build on amd64
//     CPUs with AVX-512 F, such as Intel Xeons since Skylake-SP and AMD
//     since Zen 4);
//   - "simd": simd/archsimd with AVX-512, 16 lanes (a GOEXPERIMENT=simd
//     build on amd64 CPUs with AVX-512 F, CD, BW, DQ and VL);
//   - "go-avx2": Go assembly with AVX2 and FMA, 8 lanes (any build on amd64
//     CPUs with both: Intel since Haswell, AMD since Zen);
//   - "go": portable Go alone (other CPUs and architectures, or the build
//     tag purego).
//
// The default is the first of these the build and CPU can run; the order
// is what the kernels measured on the project machine (see the package
// documentation), so "simd", which needs AVX-512 too, runs only when
// SetImpl asks for it.
func Impl() string { return vec().name }

// Impls returns the names of the kernels this build and CPU can run, "go"
// first and the default last.
func Impls() []string {
	names := make([]string, len(impls))
	for i, v := range impls {
		names[i] = v.name
	}
	return names
}

// SetImpl selects the kernels by name (one of Impls), for tests and
// benchmarks that compare them; the default needs no call. Naming kernels
// this build or CPU cannot run is an error. Do not call it while kernels
// run.
func SetImpl(name string) error {
	for _, v := range impls {
		if v.name == name {
			active.Store(v)
			return nil
		}
	}
	return fmt.Errorf("estimators: kernels %q are not available in this build on this CPU (have %s)", name, strings.Join(Impls(), ", "))
}
