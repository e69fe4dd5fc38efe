package estimators

import (
	"math"
	"unsafe"
)

// Fast float32 approximations of the elementary functions the kernels need.
// They are small enough to inline, use no branches and no table, and each
// has a maximum error measured against float64 math on a dense grid by
// TestFastMath (fastmath_test.go), which fails if the bound below is not met.
// exp32, sech2, tanhPos and sin32 are the compositions the kernels write
// inline (exp32 = scaleFlush(exp2Frac(f), k) after expSplit; sech² and
// tanh from one e = exp32(-2u); sin32 = sinPoly after reducePi), and
// sinPiPoly the polynomial the vector FDA kernels evaluate in assembly;
// they are spelled out in fastmath_test.go. exp32 returns 0 exactly below
// 2^-125 (a flush, not a denormal): that is what makes the sech²-based
// surrogates exactly zero where cosh overflows float32.
//
//	sinPoly(r), |r| <= π/2          absolute error <= 1.2e-7
//	sin32(x),   |x| <= 4096         absolute error <= 2.5e-7 + 6e-8·|x|/π
//	sinPiPoly(f), |f| <= 1/2        absolute error <= 2e-7
//	exp32(x),   -86.5 <= x <= 88    relative error <= 2.5e-7 + 1e-7·|x|; exactly 0 for -104 <= x <= -87.2
//	sech2(u),   0 <= u <= 44        absolute error <= 4e-7 (peak value 1)
//	tanhPos(u), 0 <= u <= 44        absolute error <= 2.5e-7
//	sinhRemPoly(y), 0 <= y <= 57.8  relative error <= 3e-7
//
// The polynomials are Chebyshev fits computed with mpmath (chebyfit),
// rounded to float32: sin(r) = r·P(r²) of degree 9 on [-π/2, π/2] (fit error
// 4.3e-9) and 2^f of degree 5 on [-1/2, 1/2] (fit error 7.9e-8); the rest of
// the error is float32 rounding. sinPiPoly, sin(πf) = f·Q(f²) of degree 9
// on [-1/2, 1/2] (fit error 1.3e-8), serves the vector FDA kernels, which
// work with θ/π. sinhRemPoly, (sinh t - t)/t³ = P(t²) of degree 7 in
// t² <= 57.8 (t up to 2·k of DSQ at α = 1e-3), minimizes the relative error
// instead (Lawson's iteration on 300 Chebyshev nodes; fit error 1.1e-7 with
// the float32 coefficients; testdata/sinhrem_fit.py): its coefficients are
// all positive, so Horner's rule adds no cancellation.

const (
	signBit    = 1 << 31
	magicRound = 12582912 // 1.5·2^23: x + magicRound - magicRound rounds |x| < 2^22 to an integer

	invPi = 0.31830987334251404 // 1/π
	// π split in three so that q·piA is exact for |q| < 2^15 (Cody and Waite).
	piA = 3.140625
	piB = 0.0009676535846665502
	piC = 5.126688136514179e-12
	// π in two parts for the vector kernels' reductions with fused
	// multiply-adds (q·fmaPiA is not rounded): fmaPiA = float32(π),
	// fmaPiB = π - fmaPiA.
	fmaPiA = 3.1415927410125732
	fmaPiB = -8.742277657347586e-08

	log2e = 1.4426950216293335 // 1/ln 2

	sin1 = -0.16666658222675323
	sin2 = 0.008333049714565277
	sin3 = -0.0001980901724891737
	sin4 = 2.6051077384181553e-06

	sinPi0 = 3.1415927410125732
	sinPi1 = -5.167710304260254
	sinPi2 = 2.550077438354492
	sinPi3 = -0.5982903838157654
	sinPi4 = 0.07765591144561768

	exp0 = 1.0000001192092896
	exp1 = 0.6931471824645996
	exp2 = 0.2402210682630539
	exp3 = 0.055503569543361664
	exp4 = 0.009676031768321991
	exp5 = 0.0013390863314270973

	sinhRem0 = 0.1666666567325592
	sinhRem1 = 0.008333375677466393
	sinhRem2 = 0.0001983932452276349
	sinhRem3 = 2.758955815806985e-06
	sinhRem4 = 2.4799776454642597e-08
	sinhRem5 = 1.7093894355557637e-10
	sinhRem6 = 5.387327411433829e-13
	sinhRem7 = 5.219237026479707e-15

	// sechMax is where the sech²/tanh kernels clamp their argument:
	// exp32(-2·44) flushes to 0, so sech²(u) = 0 and tanh(u) = 1 beyond it
	// (true sech²(44) = 3e-38).
	sechMax = 44
)

// sinPoly returns sin(r) for |r| <= π/2.
func sinPoly(r float32) float32 {
	r2 := r * r
	return r + r*r2*(sin1+r2*(sin2+r2*(sin3+r2*sin4)))
}

// sinhRemPoly returns (sinh t - t)/t³ for y = t² in [0, 57.8]: the
// Taylor series Σ t^(2j)/(2j+3)! without the cancellation of sinh t - t
// for small t.
func sinhRemPoly(y float32) float32 {
	return sinhRem0 + y*(sinhRem1+y*(sinhRem2+y*(sinhRem3+y*(sinhRem4+y*(sinhRem5+y*(sinhRem6+y*sinhRem7))))))
}

// reducePi returns r = x - qπ with q = round(x/π), so |r| <= π/2, and
// odd = 1<<31 if q is odd, else 0 (XOR it into a sign bit).
func reducePi(x float32) (r float32, odd uint32) {
	t := x*invPi + magicRound
	q := t - magicRound
	return x - q*piA - q*piB - q*piC, math.Float32bits(t) << 31
}

// expSplit returns k = round(x·log2(e)) and f = x·log2(e) - k: with
// exp2Frac and scaleFlush, the three inlinable parts of e^x that the
// kernels call (see exp32 in the tests).
func expSplit(x float32) (k int32, f float32) {
	z := x * log2e
	t := z + magicRound
	return int32(math.Float32bits(t)) - int32(math.Float32bits(magicRound)), z - (t - magicRound)
}

// exp2Frac returns 2^f for |f| <= 1/2.
func exp2Frac(f float32) float32 {
	return exp0 + f*(exp1+f*(exp2+f*(exp3+f*(exp4+f*exp5))))
}

// scaleFlush returns p·2^k for p in [0.7, 1.5] and k <= 127, and 0 when
// k < -125.
func scaleFlush(p float32, k int32) float32 {
	b := int32(math.Float32bits(p)) + k<<23
	under := (k + 125) >> 31 // all ones if k < -125
	return math.Float32frombits(uint32(b &^ under))
}

// absBits returns the bits of |x|; for non-negative floats (and +Inf and
// NaN) the bit patterns order like the values, which lets the kernels clamp
// and compare with integer operations instead of branches.
func absBits(x float32) uint32 { return math.Float32bits(x) &^ signBit }

// bitsOf returns the float32 slice s as a []uint32 of the same memory
// (same size and alignment, so the conversion is valid). Loops that only
// mask and compare load the bits directly, without a move out of a float
// register per element.
func bitsOf(s []float32) []uint32 {
	return unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}

// minBits returns min(a, b) for non-negative float bit patterns, branch free.
func minBits(a, b uint32) uint32 {
	d := int32(a - b)
	return b + uint32(d&(d>>31))
}

// leMask returns all ones if a <= b, else 0 (a, b non-negative float bits,
// below 2^31).
func leMask(a, b uint32) uint32 { return uint32(^(int32(b-a) >> 31)) }
