package estimators

import (
	"math"

	"github.com/gradbench/gradbench/internal/impl"
)

// signRef is the reference forward pass shared by every estimator:
//
//	if x[i] >= 0 { dst[i] = 1 } else if x[i] < 0 { dst[i] = -1 } else { dst[i] = NaN }
func signRef(dst, x []float32) {
	checkLen("Forward", dst, x)
	for i, v := range x {
		switch {
		case v >= 0:
			dst[i] = 1
		case v < 0:
			dst[i] = -1
		default:
			dst[i] = float32(math.NaN())
		}
	}
}

// Sign sets dst[i] = sign(x[i]) as every built-in Forward does: +1 for
// x >= 0 (including -0), -1 for x < 0, NaN for NaN. It is there for
// estimators written outside this package; it runs on the calling goroutine.
func Sign(dst, x []float32) {
	checkLen("Forward", dst, x)
	signBlock(dst, x)
}

// signKernels is the fast forward pass over one chunk: signFast, and the
// vector variants of sign_amd64.go.
var signKernels = impl.NewKernel(impls, signFast)

// signBlock runs the fast forward pass over one chunk.
func signBlock(dst, x []float32) { signKernels.Get()(dst, x) }

// signKernel is the fast forward pass of every built-in estimator.
type signKernel struct{}

func (signKernel) forward(dst, x []float32) { signBlock(dst, x) }

// signFast is signRef without branches, on the bits (see bitsOf): the sign
// bit of x picks ±1 unless |x| = 0 (so -0 gives +1), and a NaN input sets
// the quiet-NaN bits.
func signFast(dst, x []float32) {
	xb, db := bitsOf(x), bitsOf(dst)
	db = db[:len(xb)]
	for i, b := range xb {
		abs := b &^ signBit
		neg := b & -abs & signBit                  // -abs has the sign bit set iff abs != 0
		nan := uint32(int32(0x7f800000-abs) >> 31) // all ones if NaN
		db[i] = neg | oneBits | nan&0x7fc00000
	}
}
