package estimators

import (
	"math"
	"testing"
)

// TestFastMath measures the maximum error of each approximation in
// fastmath.go against float64 math on a dense grid and fails if it exceeds
// the bound the file's comment documents.
func TestFastMath(t *testing.T) {
	steps := 1 << 20
	if testing.Short() {
		steps = 1 << 16
	}
	grid := func(lo, hi float64, f func(x float32) float64) (worst, at float64) {
		for i := 0; i <= steps; i++ {
			x := float32(lo + (hi-lo)*float64(i)/float64(steps))
			if e := f(x); e > worst {
				worst, at = e, float64(x)
			}
		}
		return worst, at
	}
	for _, tc := range []struct {
		name   string
		lo, hi float64
		bound  float64
		err    func(x float32) float64
	}{
		{"sinPoly", -math.Pi / 2, math.Pi / 2, 1.2e-7, func(x float32) float64 {
			return math.Abs(float64(sinPoly(x)) - math.Sin(float64(x)))
		}},
		{"sin32", -4096, 4096, 2.5e-7, func(x float32) float64 {
			// The bound grows with |x| by the float32 rounding of x/π.
			return math.Abs(float64(sin32(x))-math.Sin(float64(x))) - 6e-8*math.Abs(float64(x))/math.Pi
		}},
		{"sinPiPoly", -0.5, 0.5, 2e-7, func(x float32) float64 {
			return math.Abs(float64(sinPiPoly(x)) - math.Sin(math.Pi*float64(x)))
		}},
		{"sin32 small", -20, 20, 2.5e-7, func(x float32) float64 {
			return math.Abs(float64(sin32(x)) - math.Sin(float64(x)))
		}},
		{"exp32", -86.5, 88, 2.5e-7, func(x float32) float64 {
			// The bound grows with |x| by the float32 rounding of x·log2(e).
			want := math.Exp(float64(x))
			return math.Abs(float64(exp32(x))-want)/want - 1e-7*math.Abs(float64(x))
		}},
		{"exp32 flush", -104, -87.2, 0, func(x float32) float64 { return float64(exp32(x)) }},
		{"sech2", 0, sechMax, 4e-7, func(x float32) float64 {
			c := math.Cosh(float64(x))
			return math.Abs(float64(sech2(x)) - 1/(c*c))
		}},
		{"tanhPos", 0, sechMax, 2.5e-7, func(x float32) float64 {
			return math.Abs(float64(tanhPos(x)) - math.Tanh(float64(x)))
		}},
		{"sinhRemPoly", 0, 57.8, 3e-7, func(y float32) float64 {
			want := sinhRem(math.Sqrt(float64(y)))
			return math.Abs(float64(sinhRemPoly(y))-want) / want
		}},
	} {
		worst, at := grid(tc.lo, tc.hi, tc.err)
		t.Logf("%-12s max error %.3g at x=%g (bound %.3g)", tc.name, worst, at, tc.bound)
		if worst > tc.bound {
			t.Errorf("%s: max error %.3g at x=%g, want <= %.3g", tc.name, worst, at, tc.bound)
		}
	}
}

func TestBitHelpers(t *testing.T) {
	vals := []float32{0, 1e-45, 0.5, 1, 1.0000001, 2, 44, 1e30, float32(math.Inf(1))}
	for _, a := range vals {
		for _, b := range vals {
			ab, bb := math.Float32bits(a), math.Float32bits(b)
			if got, want := math.Float32frombits(minBits(ab, bb)), min(a, b); got != want {
				t.Errorf("minBits(%g, %g) = %g, want %g", a, b, got, want)
			}
			if got, want := leMask(ab, bb) == ^uint32(0), a <= b; got != want {
				t.Errorf("leMask(%g, %g) all ones = %v, want %v", a, b, got, want)
			}
		}
	}
	if got := absBits(float32(math.Copysign(0, -1))); got != 0 {
		t.Errorf("absBits(-0) = %#x, want 0", got)
	}
}

// sin32 returns sin(x) as the FDA kernel computes it: x = qπ + r with
// |r| <= π/2, then (-1)^q·sin(r).
func sin32(x float32) float32 {
	r, odd := reducePi(x)
	return math.Float32frombits(math.Float32bits(sinPoly(r)) ^ odd)
}

// sinPiPoly returns sin(πf) for |f| <= 1/2: the polynomial the vector
// FDA kernels (fda_amd64.s) evaluate.
func sinPiPoly(f float32) float32 {
	t := f * f
	return f * (sinPi0 + t*(sinPi1+t*(sinPi2+t*(sinPi3+t*sinPi4))))
}

// exp32 returns e^x as the kernels compute it: x·log2(e) = k + f with
// |f| <= 1/2, then 2^f by polynomial and 2^k by adding k to the exponent
// bits, 0 below 2^-125.
func exp32(x float32) float32 {
	k, f := expSplit(x)
	return scaleFlush(exp2Frac(f), k)
}

// sech2 returns sech²(u) = 4e/(1+e)² with e = exp(-2u), for 0 <= u <= sechMax.
func sech2(u float32) float32 {
	e := exp32(-2 * u)
	r := 1 / (1 + e)
	return 4 * e * r * r
}

// tanhPos returns tanh(u) = 2/(1+e) - 1 with e = exp(-2u), for 0 <= u <= sechMax.
func tanhPos(u float32) float32 {
	e := exp32(-2 * u)
	return 2/(1+e) - 1
}
