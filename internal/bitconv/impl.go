package bitconv

import "github.com/gradbench/gradbench/internal/impl"

// impls is the package's choice of kernels, the internal/impl convention
// every package with alternative kernels follows (see Implementations in
// the package documentation): "go" everywhere, "avx2" and "avx512"
// (kernel_amd64.go) and "simd" (simd_amd64.go) where the build and CPU
// have them.
var impls = impl.NewSet("xnor")

// Impl returns the name of the implementation in use: "simd"
// (GOEXPERIMENT=simd on amd64: the AVX-512 assembly kernel with its own
// packing and archsimd output transforms), "avx512" (the assembly kernels, AVX-512
// with VPOPCNTQ, in the default build on a CPU that has it), "avx2" (the
// AVX2 assembly kernels, on an amd64 CPU without those) or "go" (portable,
// with math/bits.OnesCount64). Benchmark names carry it as impl=<Impl()>;
// the package documentation says what each runs.
func Impl() string { return impls.Impl() }

// Impls returns the names of the implementations this build and CPU can
// run, "go" first and the default last.
func Impls() []string { return impls.Impls() }

// SetImpl selects the implementation by name (one of Impls), for tests and
// benchmarks that compare them; the default needs no call. A name this
// build or CPU cannot run is an error that says what it needs. Do not call
// it while kernels run.
func SetImpl(name string) error { return impls.SetImpl(name) }

// The kernels with alternatives, each with its portable function; the arch
// files add their variants in init functions. A kernel with no variant of
// the implementation in use runs the next lower one's: "simd" runs the
// "avx512" XOR-popcount kernel, for example.
var (
	// packKernel packs pixels p0 to p0+np−1 (np <= packBlock) of image n
	// and reports whether their values hold a NaN.
	packKernel = impl.NewKernel(impls, packBlocks)
	// xorKernel computes the popcounts of up to 64 channels of a pair of
	// blocks (see kernelGo).
	xorKernel = impl.NewKernel(impls, kernelGo)
	// fusedKernel computes and stores the float outputs of a pair of
	// blocks with the output transform fused into the kernel, or reports
	// false, having done nothing, where it cannot (the portable one
	// never can).
	fusedKernel = impl.NewKernel(impls, func(*Conv, []float32, []float32, []uint64, *scratch, int, int) bool { return false })
	// outFloatKernel and outMasksKernel are the output stages of a block
	// after xorKernel: float outputs, or the codes of their signs.
	outFloatKernel = impl.NewKernel(impls, (*Conv).outFloat)
	outMasksKernel = impl.NewKernel(impls, (*Conv).outMasksGo)
	// avgPoolKernel is the 2×2 average pooling of a downsampling shortcut.
	avgPoolKernel = impl.NewKernel(impls, avgPool2)
	// doneKernel runs after a kernel call's vector code hands back to Go
	// (see vzeroupper).
	doneKernel = impl.NewKernel(impls, func() {})
	// grainWords is the number of word XORs of the smallest part of a
	// convolution worth sending to another core: a wake-up costs several
	// µs, so about 15 µs of work, fewer words for slower kernels. (2^15
	// with the AVX-512 kernels made a one-image ResNet-20 slower on 2
	// cores than on 1.)
	grainWords = impl.NewKernel(impls, 1<<15)
)
