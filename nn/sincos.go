package nn

import "math"

// The float32 sine and cosine of the noise adaptation module's shortcut
// η = a·sin(t), and the portable loops of the vector kernels that use
// them (vec.go).

// sin32 and cos32 are the float32 sine and cosine of the η shortcut,
// whose amplitude (a = 0.1) makes 1e-6 accuracy plenty: x = kπ + r with
// |r| <= π/2 (k rounded with the 1.5·2^23 trick, π split in two constants,
// Cody & Waite), then Taylor polynomials of degree 9 (sine, truncation
// error <= 3.6e-6 at π/2) and 10 (cosine, <= 4.7e-7), and the sign
// (-1)^k. math.Sincos in float64 costs several times more per element,
// and η is evaluated on every activation of every binary layer twice per
// step. cos32 is in vec_test.go: the cosine loops inline its steps, and
// the tests check them against it.
func sin32(x float32) float32 {
	r, odd := reducePi(x)
	return negateIf(sinPoly(r), odd)
}

// sinPoly and cosPoly are the Taylor polynomials of sin32 and cos32 on
// [-π/2, π/2].
func sinPoly(r float32) float32 {
	r2 := r * r
	return r * (1 + r2*(-1.0/6+r2*(1.0/120+r2*(-1.0/5040+r2*(1.0/362880)))))
}

func cosPoly(r float32) float32 {
	r2 := r * r
	return 1 + r2*(-0.5+r2*(1.0/24+r2*(-1.0/720+r2*(1.0/40320+r2*(-1.0/3628800)))))
}

// negateIf returns -v if odd is 1, v if it is 0.
func negateIf(v float32, odd uint32) float32 {
	return math.Float32frombits(math.Float32bits(v) ^ odd<<31)
}

// addSinGo is the shortcut's loop of addNASin's portable variant (vec.go):
// dst += k·sin32(t), in which every step inlines, so the loop has no
// call. The AVX2 variant (vec_amd64.s) computes the same reduction and
// polynomial eight values at a time, with fused multiply-adds, and the
// AVX-512 one (vec512_amd64.s) the same sixteen at a time.
func addSinGo(dst, t []float32, k float32) {
	dst = dst[:len(t)]
	for i, x := range t {
		r, odd := reducePi(x)
		dst[i] += k * negateIf(sinPoly(r), odd)
	}
}

// addCosMulGo is addCosMul's portable loop (vec.go): dt += k·dy·cos32(t)
// (AVX2: eight values at a time).
func addCosMulGo(dt, t, dy []float32, k float32) {
	dt, dy = dt[:len(t)], dy[:len(t)]
	for i, x := range t {
		r, odd := reducePi(x)
		dt[i] += k * dy[i] * negateIf(cosPoly(r), odd)
	}
}

const (
	pi1        = 3.140625               // π's first 12 bits: n·pi1 is exact
	pi2        = 9.67653589793e-4       // π - pi1
	invPi      = 0.31830988618379067154 // 1/π
	roundMagic = 12582912               // 1.5·2^23
)

// reducePi returns r = x - kπ in [-π/2, π/2] with k = round(x/π), and k's
// parity. Adding and subtracting 1.5·2^23 rounds x/π to an integer in
// float32 arithmetic (exact for |x/π| < 2^22), whose parity is then the
// low bit of the sum. Beyond |x| ≈ 1.3e4 the reduction loses precision
// (no BNN activation or weight is that large); ±Inf and NaN give NaN.
func reducePi(x float32) (float32, uint32) {
	t := x*invPi + roundMagic
	k := t - roundMagic
	r := (x - k*pi1) - k*pi2
	return r, math.Float32bits(t) & 1
}
