package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// vecRun runs every loop of vec.go once on inputs drawn from seed at
// length n (and rows of width w for the row loops) under the current
// implementation, and returns all it wrote and returned, in order.
func vecRun(seed uint64, n int) []float32 {
	r := rand.New(rand.NewPCG(seed, 77))
	in := func(scale float64) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = float32(scale * r.NormFloat64())
		}
		return s
	}
	x, y, dy, t := in(3), in(1), in(1), in(30)
	var out []float32
	keep := func(s ...float32) { out = append(out, s...) }
	s1, s2 := sumSq(x, 0.3)
	keep(s1, s2)
	s1, s2 = sumDot(dy, x, 0.3)
	keep(s1, s2)
	d := make([]float32, n)
	normalize(d, x, 0.3, 1.7, -0.2)
	keep(d...)
	normalizeAdd(d, x, y, 0.3, 1.7, -0.2)
	keep(d...)
	bnGrad(d, dy, x, 1.3, 0.1, 0.4, 0.3)
	keep(d...)
	addTo(d, x, y)
	keep(d...)
	z := slices.Clone(y)
	axpy(z, -0.3, x)
	keep(z...)
	z = slices.Clone(y)
	addCosMul(z, t, dy, 0.7)
	keep(z...)
	z = slices.Clone(y)
	addNASin(z, t, x, -0.3, 0.7)
	keep(z...)
	z = slices.Clone(y)
	keep(dotAxpy(x, dy, z, 1.7))
	keep(z...)
	z = slices.Clone(y)
	keep(dotAxpyCos(t, dy, z, x, 1.7, 0.7))
	keep(z...)
	return out
}

// vecRowsRun runs the row loops on rows rows of width w under the
// current implementation and returns what they wrote.
func vecRowsRun(seed uint64, rows, w int) []float32 {
	r := rand.New(rand.NewPCG(seed, 78))
	ls, ld := w+5, w+3
	src := make([]float32, rows*ls)
	fill(r, src)
	var out []float32
	dst := make([]float32, rows*ld)
	copyRows(dst, ld, src, ls, rows, w)
	out = append(out, dst...)
	signRows(dst, ld, src, ls, rows, w)
	out = append(out, dst...)
	h := (w + 1) / 2
	even, odd := make([]float32, rows*(h+2)), make([]float32, rows*(h+2))
	splitRows(even, odd, h+2, src, ls, rows, w)
	out = append(append(out, even...), odd...)
	splitSignRows(even, odd, h+2, src, ls, rows, w)
	out = append(append(out, even...), odd...)
	mergeRows(dst, ld, even, odd, h+2, rows, w)
	return append(out, dst...)
}

// TestImplsBitIdentical checks that every implementation ranked above
// "avx2" gives bit for bit what "avx2" gives, on ragged lengths and row
// shapes: its variants keep the AVX2 loops' operations and partial sums.
func TestImplsBitIdentical(t *testing.T) {
	have := Impls()
	if !slices.Contains(have, "avx2") {
		t.Skip("no avx2 implementation on this build and CPU")
	}
	i := slices.Index(have, "avx2")
	above := have[i+1:]
	if len(above) == 0 {
		t.Skip("no implementation above avx2 on this build and CPU")
	}
	prev := Impl()
	defer SetImpl(prev)
	run := func(name string, f func() []float32) []float32 {
		t.Helper()
		if err := SetImpl(name); err != nil {
			t.Fatal(err)
		}
		return f()
	}
	same := func(what, name string, got, want []float32) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %s gave %d values, avx2 %d", what, name, len(got), len(want))
		}
		for k := range want {
			if math.Float32bits(got[k]) != math.Float32bits(want[k]) {
				t.Fatalf("%s: %s value %d = %v (%#x), avx2 %v (%#x)", what, name, k, got[k], math.Float32bits(got[k]), want[k], math.Float32bits(want[k]))
			}
		}
	}
	lengths := []int{0, 1, 7, 8, 9, 15, 16, 17, 23, 24, 25, 31, 32, 33, 47, 48, 49, 63, 64, 65, 196, 784, 1000 + 7, 4096 + 24}
	for _, n := range lengths {
		for seed := range uint64(3) {
			what := fmt.Sprintf("n=%d seed=%d", n, seed)
			want := run("avx2", func() []float32 { return vecRun(seed, n) })
			for _, name := range above {
				same(what, name, run(name, func() []float32 { return vecRun(seed, n) }), want)
			}
		}
	}
	for w := 1; w <= 70; w++ {
		for _, rows := range []int{1, 2, 5} {
			what := fmt.Sprintf("rows=%d w=%d", rows, w)
			want := run("avx2", func() []float32 { return vecRowsRun(uint64(w), rows, w) })
			for _, name := range above {
				same(what, name, run(name, func() []float32 { return vecRowsRun(uint64(w), rows, w) }), want)
			}
		}
	}
}

// BenchmarkVecKernels times each loop of vec.go on rows of the sizes of
// BenchmarkTrainStep's ResNet-20 planes (28×28, 14×14, 7×7), which stay
// in L1, and on a whole feature map of one worker's half of a batch of
// 128 (64 images of 16×28×28, 3.2 MB: past L2, as BatchNorm and the
// residual adds stream it), under every implementation this build and CPU
// can run.
func BenchmarkVecKernels(b *testing.B) {
	prev := Impl()
	defer SetImpl(prev)
	r := rand.New(rand.NewPCG(79, 80))
	for _, n := range []int{784, 196, 49, 64 * 16 * 784} {
		x, y, z, t, d := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		fill(r, x)
		fill(r, y)
		fill(r, t)
		ops := []struct {
			name string
			f    func()
		}{
			{"sumSq", func() { sumSq(x, 1) }},
			{"sumDot", func() { sumDot(x, y, 1) }},
			{"normalize", func() { normalize(d, x, 0.1, 1.1, 0.2) }},
			{"normalizeAdd", func() { normalizeAdd(d, x, y, 0.1, 1.1, 0.2) }},
			{"bnGrad", func() { bnGrad(d, x, y, 1, 2, 3, 4) }},
			{"add", func() { addTo(d, x, y) }},
			{"axpy", func() { axpy(z, 1e-3, x) }},
			{"addCosMul", func() { addCosMul(z, t, y, 1e-3) }},
			{"addNASin", func() { addNASin(z, t, x, 1e-3, 1e-3) }},
			{"dotAxpy", func() { dotAxpy(x, y, z, 1e-3) }},
			{"dotAxpyCos", func() { dotAxpyCos(t, y, z, x, 1e-3, 1e-3) }},
		}
		for _, op := range ops {
			for _, name := range Impls() {
				if err := SetImpl(name); err != nil {
					b.Fatal(err)
				}
				b.Run(fmt.Sprintf("op=%s/n=%d/impl=%s", op.name, n, name), func(b *testing.B) {
					b.SetBytes(int64(4 * n))
					for b.Loop() {
						op.f()
					}
				})
			}
		}
	}
}

// BenchmarkRows times copyRows and signRows as the convolution grids use
// them, each plane of h×h values into a plane of rows of h+2 (the pad),
// on one plane (in L1) and on the feature maps of one worker's half of a
// batch of 128 at BenchmarkTrainStep's ResNet-20 sizes (64 images of
// 16×28×28, 32×14×14 and 64×7×7), under every implementation this build
// and CPU can run.
func BenchmarkRows(b *testing.B) {
	prev := Impl()
	defer SetImpl(prev)
	r := rand.New(rand.NewPCG(81, 82))
	for _, s := range []struct{ c, h int }{{16, 28}, {32, 14}, {64, 7}} {
		for _, planes := range []int{1, 64 * s.c} {
			hw, ps := s.h*s.h, (s.h+2)*(s.h+1)
			src, dst := make([]float32, planes*hw), make([]float32, planes*ps)
			fill(r, src)
			for _, op := range []string{"copyRows", "signRows"} {
				f := copyRows
				if op == "signRows" {
					f = signRows
				}
				for _, name := range Impls() {
					if err := SetImpl(name); err != nil {
						b.Fatal(err)
					}
					b.Run(fmt.Sprintf("op=%s/h=%d/planes=%d/impl=%s", op, s.h, planes, name), func(b *testing.B) {
						b.SetBytes(int64(4 * len(src)))
						for b.Loop() {
							for p := range planes {
								f(dst[p*ps:], s.h+2, src[p*hw:], s.h, s.h, s.h)
							}
						}
					})
				}
			}
		}
	}
}
