package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gradbench/gradbench/internal/impl/impltest"
)

// implSelector is the package's Impl, Impls and SetImpl for impltest.
var implSelector = impltest.Funcs{ImplFunc: Impl, ImplsFunc: Impls, SetImplFunc: SetImpl}

// The tests' wrappers of BatchNorm's kernels (vec.go), under the
// implementation in use.

// sumSq returns Σ (x-k) and Σ (x-k)².
func sumSq(x []float32, k float32) (float32, float32) { return sumSqKernel.Get()(x, k) }

// sumDot returns Σ dy and Σ dy·(x-mu).
func sumDot(dy, x []float32, mu float32) (float32, float32) {
	return sumDotKernel.Get()(dy, x[:len(dy)], mu)
}

// normalize sets dst = (x - mean)·scale + beta.
func normalize(dst, x []float32, mean, scale, beta float32) {
	normalizeKernel.Get()(dst[:len(x)], x, mean, scale, beta)
}

// normalizeAdd sets dst = ((x - mean)·scale + beta) + add, bit for bit
// normalize followed by addTo.
func normalizeAdd(dst, x, add []float32, mean, scale, beta float32) {
	normAddKernel.Get()(dst[:len(x)], x, add[:len(x)], mean, scale, beta)
}

// bnGrad sets dst = k·(dy - c1) - kc2·(x - mean).
func bnGrad(dst, dy, x []float32, k, c1, kc2, mean float32) {
	bnGradKernel.Get()(dst, dy[:len(dst)], x[:len(dst)], k, c1, kc2, mean)
}

// cos32 is the float32 cosine of the η shortcut's gradient (see sin32):
// the reference the cosine loops (addCosMul, dotAxpyCos) are checked
// against, which inline its steps.
func cos32(x float32) float32 {
	r, odd := reducePi(x)
	return negateIf(cosPoly(r), odd)
}

// TestImpls runs the checks of the elementwise loops under every
// implementation this build and CPU can run ("go" is what CPUs without
// AVX2 and FMA, and other architectures, get), and BatchNorm, which uses
// them, end to end.
func TestImpls(t *testing.T) {
	impltest.Each(t, implSelector, func(t *testing.T) {
		t.Run("VecLoops", testVecLoops)
		t.Run("AddSinCos", testAddSinCos)
		t.Run("Rows", testRows)
		t.Run("BatchNorm", TestBatchNormRunningStats)
	})
}

// testVecLoops cross-checks the elementwise loops against the obvious
// loops in float64, on every length up to 40 and the feature-map sizes,
// with NaN guards after each destination to catch writes out of range.
func testVecLoops(t *testing.T) {
	r := rand.New(rand.NewPCG(51, 52))
	lengths := []int{}
	for n := range 41 {
		lengths = append(lengths, n)
	}
	lengths = append(lengths, 49, 63, 64, 65, 196, 784, 785)
	nan := float32(math.NaN())
	for _, n := range lengths {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			x, dy := make([]float32, n), make([]float32, n)
			for i := range x {
				x[i] = float32(3 + r.NormFloat64())
				dy[i] = float32(r.NormFloat64())
			}
			if n > 2 {
				x[0], x[1], dy[2] = 0, float32(math.Copysign(0, -1)), 1e6
			}
			k, mu := float32(2.5), float32(3.1)
			s1, s2 := sumSq(x, k)
			var w1, w2 float64
			for _, v := range x {
				w1 += float64(v - k)
				w2 += float64(v-k) * float64(v-k)
			}
			near(t, "sumSq Σ(x-k)", float64(s1), w1, n)
			near(t, "sumSq Σ(x-k)²", float64(s2), w2, n)
			d1, d2 := sumDot(dy, x, mu)
			w1, w2 = 0, 0
			for i, v := range x {
				w1 += float64(dy[i])
				w2 += float64(dy[i]) * float64(v-mu)
			}
			near(t, "sumDot Σdy", float64(d1), w1, n)
			near(t, "sumDot Σdy·(x-μ)", float64(d2), w2, n)

			guarded := func() []float32 {
				s := make([]float32, n+9)
				for i := range s {
					s[i] = nan
				}
				return s
			}
			checkOut := func(name string, got []float32, want func(i int) float64) {
				t.Helper()
				for i := range n {
					if w := want(i); math.Abs(float64(got[i])-w) > 1e-6*(1+math.Abs(w)) {
						t.Fatalf("%s: [%d] = %v, want %v", name, i, got[i], w)
					}
				}
				for i := n; i < len(got); i++ {
					if !math.IsNaN(float64(got[i])) {
						t.Fatalf("%s wrote [%d] past the end (n=%d)", name, i, n)
					}
				}
			}
			out := guarded()
			normalize(out[:n], x, mu, 0.7, -0.2)
			checkOut("normalize", out, func(i int) float64 { return (float64(x[i])-float64(mu))*0.7 - 0.2 })
			// normalizeAdd: bit for bit normalize, then addTo.
			sep := guarded()
			normalize(sep[:n], x, mu, 0.7, -0.2)
			addTo(sep[:n], sep[:n], dy)
			out = guarded()
			normalizeAdd(out[:n], x, dy, mu, 0.7, -0.2)
			checkOut("normalizeAdd", out, func(i int) float64 { return float64(sep[i]) })
			for i := range n {
				if math.Float32bits(out[i]) != math.Float32bits(sep[i]) {
					t.Fatalf("normalizeAdd: [%d] = %v, normalize then addTo %v", i, out[i], sep[i])
				}
			}
			out = guarded()
			bnGrad(out[:n], dy, x, 1.3, 0.1, 0.4, mu)
			checkOut("bnGrad", out, func(i int) float64 {
				return 1.3*(float64(dy[i])-float64(float32(0.1))) - float64(float32(0.4))*(float64(x[i])-float64(mu))
			})
			out = guarded()
			addTo(out[:n], x, dy)
			checkOut("addTo", out, func(i int) float64 { return float64(x[i]) + float64(dy[i]) })
			out = guarded()
			copy(out, dy)
			axpy(out[:n], -0.3, x)
			checkOut("axpy", out, func(i int) float64 { return float64(dy[i]) - 0.3*float64(x[i]) })
			var wd float64
			for i := range x {
				wd += float64(x[i]) * float64(dy[i])
			}
			// The fused noise adaptation loops: bit for bit axpy, then
			// the shortcut's term, and nothing written past n (the
			// guards). (addNASin with a = 0 adds +0 before the sine.)
			sameBits := func(name string, got, want []float32) {
				t.Helper()
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%s: [%d] = %v, the separate loops %v (n=%d)", name, i, got[i], want[i], n)
					}
				}
			}
			zero := make([]float32, n)
			sep = guarded()
			copy(sep, dy)
			axpy(sep[:n], -0.3, x)
			addNASin(sep[:n], dy, zero, 0, 0.7)
			out = guarded()
			copy(out, dy)
			addNASin(out[:n], dy, x, -0.3, 0.7)
			sameBits("addNASin", out, sep)
			sep = guarded()
			copy(sep, x)
			axpy(sep[:n], 1.7, dy)
			out = guarded()
			copy(out, x)
			sd := dotAxpy(x, dy, out[:n], 1.7)
			near(t, "dotAxpy Σx·y", float64(sd), wd, n)
			sameBits("dotAxpy", out, sep)
			addCosMul(sep[:n], x, dy, 0.7)
			out = guarded()
			copy(out, x)
			if got := dotAxpyCos(x, dy, out[:n], dy, 1.7, 0.7); math.Float32bits(got) != math.Float32bits(sd) {
				t.Fatalf("dotAxpyCos Σx·y = %v, dotAxpy's %v", got, sd)
			}
			sameBits("dotAxpyCos", out, sep)
		})
	}
}

// near checks a float32 sum of n terms against the float64 sum.
func near(t *testing.T, name string, got, want float64, n int) {
	t.Helper()
	if math.Abs(got-want) > 1e-6*float64(n+1)*(1+math.Abs(want)) {
		t.Fatalf("%s = %v, want %v", name, got, want)
	}
}

// testAddSinCos checks the noise adaptation's sine shortcut loops against
// sin32 and cos32, on every length up to 20 and a long slice; the
// assembly fuses multiply-adds, so it may differ in the last bits.
func testAddSinCos(t *testing.T) {
	r := rand.New(rand.NewPCG(45, 46))
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 20, 1000} {
		x := make([]float32, n)
		dy := make([]float32, n)
		for i := range x {
			x[i] = float32(30 * r.NormFloat64())
			dy[i] = float32(r.NormFloat64())
		}
		s, c := make([]float32, n+1), make([]float32, n+1)
		s[n], c[n] = 7, 7 // guards
		addNASin(s[:n], x, make([]float32, n), 0, 0.5)
		addCosMul(c[:n], x, dy, 0.5)
		for i, v := range x {
			tol := 1e-6 * (1 + math.Abs(float64(v))/8)
			ws, wc := 0.5*sin32(v), 0.5*dy[i]*cos32(v)
			if math.Abs(float64(s[i]-ws)) > tol || math.Abs(float64(c[i]-wc)) > tol*(1+math.Abs(float64(dy[i]))) {
				t.Fatalf("n=%d x=%v: addNASin %v, addCosMul %v; want %v, %v", n, v, s[i], c[i], ws, wc)
			}
		}
		if s[n] != 7 || c[n] != 7 {
			t.Fatalf("n=%d: wrote past the end", n)
		}
	}
}

func TestSinCos32(t *testing.T) {
	var worst float64
	for _, x := range []float64{0, math.Copysign(0, -1), 1e-30, 0.5, -0.5, 1.5707963, 3.1415927, -3.1415927, 4.712389, 10, -37.2, 100.3, 1000.7, 4096.2} {
		for _, f := range []struct {
			name string
			got  float32
			want float64
		}{{"sin", sin32(float32(x)), math.Sin(float64(float32(x)))}, {"cos", cos32(float32(x)), math.Cos(float64(float32(x)))}} {
			// The polynomials are accurate to 3.6e-6; large inputs add the
			// reduction's error, proportional to |x|.
			tol := 4e-6 + math.Abs(x)*6e-8
			if e := math.Abs(float64(f.got) - f.want); e > tol {
				t.Errorf("%s32(%v) = %v, want %v", f.name, x, f.got, f.want)
			}
		}
	}
	r := rand.New(rand.NewPCG(43, 44))
	for range 100000 {
		x := float32(20 * (2*r.Float64() - 1))
		worst = max(worst, math.Abs(float64(sin32(x))-math.Sin(float64(x))), math.Abs(float64(cos32(x))-math.Cos(float64(x))))
	}
	if worst > 4e-6 {
		t.Errorf("sin32/cos32 on [-20, 20]: worst absolute error %g, want <= 4e-6", worst)
	}
}

// BenchmarkVecLoops times the BatchNorm loops on a 28×28 plane under every
// implementation this build and CPU can run.
func BenchmarkVecLoops(b *testing.B) {
	const n = 784
	x, y, z := make([]float32, n), make([]float32, n), make([]float32, n)
	prev := Impl()
	defer SetImpl(prev)
	for _, name := range Impls() {
		if err := SetImpl(name); err != nil {
			b.Fatal(err)
		}
		b.Run("op=sumSq/impl="+name, func(b *testing.B) {
			b.SetBytes(4 * n)
			for b.Loop() {
				sumSq(x, 1)
			}
		})
		b.Run("op=bnGrad/impl="+name, func(b *testing.B) {
			b.SetBytes(4 * n)
			for b.Loop() {
				bnGrad(z, x, y, 1, 2, 3, 4)
			}
		})
	}
}

// testRows checks copyRows (bit for bit) and signRows (against code) on
// rows of every width up to 40, with zeros of both signs, infinities and
// tiny values, row strides wider than the rows, and NaN guards between
// the destination rows and after the last.
func testRows(t *testing.T) {
	r := rand.New(rand.NewPCG(53, 54))
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), 1e-45, -1e-45}
	for w := range 41 {
		for _, rows := range []int{1, 3} {
			ls, ld := w+5, w+3
			src := make([]float32, rows*ls)
			for i := range src {
				if r.IntN(4) == 0 {
					src[i] = special[r.IntN(len(special))]
				} else {
					src[i] = float32(r.NormFloat64())
				}
			}
			dst := make([]float32, rows*ld+4)
			for _, k := range []struct {
				name string
				f    func(dst []float32, ld int, src []float32, ls int, rows, w int)
				want func(float32) float32
			}{{"copyRows", copyRows, func(v float32) float32 { return v }}, {"signRows", signRows, code}} {
				for i := range dst {
					dst[i] = float32(math.NaN())
				}
				k.f(dst, ld, src, ls, rows, w)
				for y := range rows {
					for i := range ld {
						got := dst[y*ld+i]
						if i >= w {
							if !math.IsNaN(float64(got)) {
								t.Fatalf("%s w=%d rows=%d: wrote [%d][%d] outside the row", k.name, w, rows, y, i)
							}
							continue
						}
						if v := src[y*ls+i]; math.Float32bits(got) != math.Float32bits(k.want(v)) {
							t.Fatalf("%s w=%d rows=%d: [%d][%d] = %v for %v, want %v", k.name, w, rows, y, i, got, v, k.want(v))
						}
					}
				}
				for _, v := range dst[rows*ld:] {
					if !math.IsNaN(float64(v)) {
						t.Fatalf("%s w=%d rows=%d: wrote past the end", k.name, w, rows)
					}
				}
			}
		}
	}
}
