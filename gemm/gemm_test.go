package gemm

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/gradbench/gradbench/internal/impl/impltest"
	"github.com/gradbench/gradbench/internal/parallel"
	"github.com/gradbench/gradbench/internal/texttest"
)

// implSelector is the package's Impl, Impls and SetImpl for impltest:
// the tests select implementations as a caller of the package would.
var implSelector = impltest.Funcs{ImplFunc: Impl, ImplsFunc: Impls, SetImplFunc: SetImpl}

// TestImpls runs the public functions' cross-checks against ref under
// every implementation this build and CPU can run: "go" is what CPUs
// without AVX2 and FMA (and other architectures) get.
func TestImpls(t *testing.T) {
	impltest.Each(t, implSelector, func(t *testing.T) {
		r := rand.New(rand.NewPCG(7, 8))
		for _, s := range [][3]int{{5, 33, 9}, {97, 35, 300}, {144, 16, 200}} {
			m, n, k := s[0], s[1], s[2]
			for _, ta := range []bool{false, true} {
				for _, tb := range []bool{false, true} {
					checkGemm(t, r, ta, tb, m, n, k, 0.5, 1, Sgemm)
					checkGemm(t, r, ta, tb, m, n, k, -1, 0, Sgemm)
				}
			}
			for _, rowsA := range []bool{false, true} {
				checkRowsGemm(t, r, rowsA, m, n, k, 1, 0, publicRows)
				checkRowsGemm(t, r, rowsA, m, n, k, 0.5, 1, publicRows)
			}
		}
	})
}

// publicRows calls SgemmRowsA (a given by offsets) or SgemmRowsB.
func publicRows(m, n, k int, alpha float32, a, b operand, beta float32, c []float32, ldc int) {
	if a.off != nil {
		SgemmRowsA(b.trans, m, n, k, alpha, a.data, a.off, b.data, b.ld, beta, c, ldc)
	} else {
		SgemmRowsB(a.trans, m, n, k, alpha, a.data, a.ld, b.data, b.off, beta, c, ldc)
	}
}

// TestSgemm cross-checks Sgemm against the reference triple loop on odd
// sizes around the block and tile edges, every transpose combination,
// leading dimensions larger than the rows, and alpha/beta cases. Entries
// of C outside the m×n matrix (the ldc padding) start as NaN and must stay
// NaN; with beta = 0, C starts as NaN and must be overwritten.
func TestSgemm(t *testing.T) {
	sizes := [][3]int{
		{1, 1, 1}, {0, 3, 2}, {3, 0, 2}, {2, 3, 0}, {1, 17, 1}, {17, 1, 3},
		{3, 5, 7}, {4, 4, 4}, {5, 33, 9}, {13, 31, 257}, {97, 35, 64},
		{mc + 1, 2*16 + 3, kc + 1}, {65, 129, 300},
	}
	if !testing.Short() {
		sizes = append(sizes, [3]int{200, nc + 17, 33}, [3]int{301, 259, 513})
	}
	r := rand.New(rand.NewPCG(1, 2))
	for _, s := range sizes {
		m, n, k := s[0], s[1], s[2]
		for _, ta := range []bool{false, true} {
			for _, tb := range []bool{false, true} {
				for _, ab := range [][2]float32{{1, 0}, {0.5, 1}, {-2, 0.25}, {0, 2}} {
					name := fmt.Sprintf("m=%d/n=%d/k=%d/ta=%v/tb=%v/alpha=%v/beta=%v", m, n, k, ta, tb, ab[0], ab[1])
					t.Run(name, func(t *testing.T) {
						checkGemm(t, r, ta, tb, m, n, k, ab[0], ab[1], Sgemm)
					})
				}
			}
		}
	}
}

// ref is the reference implementation, the obvious triple loop, against
// which the tests check every implementation:
//
//	for i, j: s = Σ_p op(A)[i][p]·op(B)[p][j]; C[i][j] = alpha·s + beta·C[i][j]
//
// (with beta = 0, C[i][j] = alpha·s). It accumulates in float64.
func ref(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	check(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	for i := range m {
		for j := range n {
			var s float64
			for p := range k {
				var av, bv float32
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += float64(av) * float64(bv)
			}
			v := float64(alpha) * s
			if beta != 0 {
				v += float64(beta) * float64(c[i*ldc+j])
			}
			c[i*ldc+j] = float32(v)
		}
	}
}

type gemmFunc func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)

// checkGemm runs f and ref on the same random matrices, with padded
// leading dimensions, and compares the results.
func checkGemm(t *testing.T, r *rand.Rand, ta, tb bool, m, n, k int, alpha, beta float32, f gemmFunc) {
	a, lda := randOp(r, m, k, ta, 3)
	b, ldb := randOp(r, k, n, tb, 1)
	ldc := n + 2
	c := randMat(r, m, n, ldc)
	c = append(c, randMat(r, 1, ldc, ldc)[:m*ldc-len(c)]...) // full last row of padding
	nan := float32(math.NaN())
	for i := range c {
		if i%ldc >= n {
			c[i] = nan
		} else if beta == 0 {
			c[i] = nan
		}
	}
	want := append([]float32(nil), c...)
	ref(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, want, ldc)
	f(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	compare(t, c, want, m, n, k, ldc)
}

// compare checks c against want (m×n, row stride ldc): entries within
// rounding of a k-term sum, and the padding past column n still NaN.
func compare(t *testing.T, c, want []float32, m, n, k, ldc int) {
	t.Helper()
	for i := range m {
		for j := range ldc {
			got, w := c[i*ldc+j], want[i*ldc+j]
			if j >= n {
				if !math.IsNaN(float64(got)) {
					t.Fatalf("C[%d][%d] = %v outside the %dx%d result, want it untouched (NaN)", i, j, got, m, n)
				}
				continue
			}
			tol := 1e-5 * float64(k+1) * (1 + math.Abs(float64(w)))
			if d := math.Abs(float64(got - w)); !(d <= tol) {
				t.Fatalf("C[%d][%d] = %v, want %v (ref)", i, j, got, w)
			}
		}
	}
}

// randMat returns rows×cols values in [-1, 1) with row stride ld; the
// padding holds NaN, which a correct kernel never reads into the result.
func randMat(r *rand.Rand, rows, cols, ld int) []float32 {
	s := make([]float32, max(0, (rows-1)*ld+cols))
	for i := range s {
		if i%ld < cols {
			s[i] = float32(2*r.Float64() - 1)
		} else {
			s[i] = float32(math.NaN())
		}
	}
	return s
}

// randOp returns a random operand op(X) of rows×cols as the products take
// it: X stored transposed (cols×rows) if trans, each stored row followed
// by pad NaN, and its leading dimension.
func randOp(r *rand.Rand, rows, cols int, trans bool, pad int) (x []float32, ld int) {
	if trans {
		rows, cols = cols, rows
	}
	return randMat(r, rows, cols, cols+pad), cols + pad
}

// TestKernels runs the blocked GEMM with every micro-kernel this build
// has on this CPU (the portable one, which is also the fallback on other
// CPUs and architectures, and the AVX2 ones where the CPU has AVX2 and
// FMA), whichever Sgemm dispatches to, through the same cross-check as
// TestSgemm, and the row-offset products through TestSgemmRows's check.
func TestKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, kern := range kernels {
		g := &blocked{kern: kern}
		mr, nr := kern.mr, kern.nr
		sizes := [][3]int{{1, 1, 1}, {mr, nr, 1}, {mr + 1, nr - 1, 3}, {2*mr - 1, 2*nr + 1, kc + 2}, {70, 90, 40}, {3 * mr, 2 * nr, 2*kc + 5}}
		for _, s := range sizes {
			m, n, k := s[0], s[1], s[2]
			for _, ta := range []bool{false, true} {
				for _, tb := range []bool{false, true} {
					for _, ab := range [][2]float32{{1, 0}, {-0.75, 1.5}} {
						name := fmt.Sprintf("kernel=%s/m=%d/n=%d/k=%d/ta=%v/tb=%v/alpha=%v/beta=%v", kern.name, m, n, k, ta, tb, ab[0], ab[1])
						t.Run(name, func(t *testing.T) {
							checkGemm(t, r, ta, tb, m, n, k, ab[0], ab[1], g.sgemm)
						})
					}
				}
			}
			for _, rowsA := range []bool{false, true} {
				name := fmt.Sprintf("kernel=%s/rows=%s/m=%d/n=%d/k=%d", kern.name, map[bool]string{true: "a", false: "b"}[rowsA], m, n, k)
				t.Run(name, func(t *testing.T) {
					checkRowsGemm(t, r, rowsA, m, n, k, 0.5, 1, g.run)
				})
			}
		}
	}
}

// TestSgemmRows cross-checks SgemmRowsA and SgemmRowsB against ref on the
// same matrices built out (rows at their offsets), on sizes around the
// tile and block edges, with rows that overlap like the rows of an im2col
// matrix and NaN everywhere in the offset operand's storage that no row
// covers.
func TestSgemmRows(t *testing.T) {
	sizes := [][3]int{{1, 1, 1}, {0, 3, 2}, {3, 0, 2}, {2, 3, 0}, {5, 33, 9}, {13, 31, 257}, {97, 35, 64}, {144, 16, 300}, {16, 100, 144}, {3, 4*nc + 5, kc + 40}}
	r := rand.New(rand.NewPCG(5, 6))
	for _, s := range sizes {
		m, n, k := s[0], s[1], s[2]
		for _, rowsA := range []bool{false, true} {
			for _, ab := range [][2]float32{{1, 0}, {-0.5, 1.25}} {
				name := fmt.Sprintf("rows=%s/m=%d/n=%d/k=%d/alpha=%v/beta=%v", map[bool]string{true: "a", false: "b"}[rowsA], m, n, k, ab[0], ab[1])
				t.Run(name, func(t *testing.T) {
					checkRowsGemm(t, r, rowsA, m, n, k, ab[0], ab[1], publicRows)
				})
			}
		}
	}
}

type rowsFunc func(m, n, k int, alpha float32, a, b operand, beta float32, c []float32, ldc int)

// rowsOperands returns random operands of an m×n×k product with A
// (rowsA) or B given by row offsets, the other plain, transposed if trans,
// and the offset operand's rows as a dense matrix.
func rowsOperands(r *rand.Rand, rowsA, trans bool, m, n, k int) (a, b operand, dense []float32) {
	if rowsA {
		a, dense = randRows(r, m, k)
		b.data, b.ld = randOp(r, k, n, trans, 1)
		b.trans = trans
		return a, b, dense
	}
	b, dense = randRows(r, k, n)
	a.data, a.ld = randOp(r, m, k, trans, 2)
	a.trans = trans
	return a, b, dense
}

// checkRowsGemm runs f with A (rowsA) or B given by row offsets, and the
// other operand plain and transposed, against ref.
func checkRowsGemm(t *testing.T, r *rand.Rand, rowsA bool, m, n, k int, alpha, beta float32, f rowsFunc) {
	t.Helper()
	for _, trans := range []bool{false, true} {
		a, b, dense := rowsOperands(r, rowsA, trans, m, n, k)
		ldc := n + 3
		c := make([]float32, max(0, m*ldc))
		for i := range c {
			c[i] = float32(r.Float64())
			if i%ldc >= n || beta == 0 {
				c[i] = float32(math.NaN())
			}
		}
		want := append([]float32(nil), c...)
		if rowsA {
			ref(false, b.trans, m, n, k, alpha, dense, max(1, k), b.data, b.ld, beta, want, ldc)
		} else {
			ref(a.trans, false, m, n, k, alpha, a.data, a.ld, dense, max(1, n), beta, want, ldc)
		}
		f(m, n, k, alpha, a, b, beta, c, ldc)
		compare(t, c, want, m, n, k, ldc)
	}
}

// randRows returns a rows×cols matrix given by row offsets into shared
// storage, where consecutive rows overlap or leave gaps (like the rows
// of an im2col matrix over a padded image), with NaN in the gaps, and the
// same matrix dense.
func randRows(r *rand.Rand, rows, cols int) (operand, []float32) {
	off := make([]int, rows)
	pos := r.IntN(3)
	for i := range off {
		off[i] = pos
		pos = max(0, pos+r.IntN(cols+5)-2)
	}
	size := 0
	if rows > 0 {
		size = slicesMax(off) + cols
	}
	data := make([]float32, size)
	for i := range data {
		data[i] = float32(math.NaN())
	}
	for _, o := range off {
		for j := range cols {
			data[o+j] = float32(2*r.Float64() - 1)
		}
	}
	dense := make([]float32, rows*cols)
	for i, o := range off {
		copy(dense[i*cols:][:cols], data[o:][:cols])
	}
	return operand{data: data, off: off}, dense
}

func slicesMax(s []int) int {
	m := s[0]
	for _, v := range s {
		m = max(m, v)
	}
	return m
}

// TestDeterministic checks that every kernel gives bit-identical results
// whether a product is split over the worker pool or runs on one core
// (called from inside a pool job): the parts split rows or columns of C,
// never the sum over the depth, so each entry is summed in the same order.
func TestDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	m, n, k := 150, 130, 2*kc+7
	a := randMat(r, m, k, k)
	b := randMat(r, k, n, n)
	for _, kern := range kernels {
		g := &blocked{kern: kern}
		c1 := make([]float32, m*n)
		c2 := make([]float32, m*n)
		g.sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c1, n)
		parallel.For(2, 1, 1, jobFunc(func(lo, hi int) {
			if lo == 0 {
				g.sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c2, n)
			}
		}))
		for i := range c1 {
			if math.Float32bits(c1[i]) != math.Float32bits(c2[i]) {
				t.Fatalf("kernel %s: C[%d] = %v on the pool, %v on one core", kern.name, i, c1[i], c2[i])
			}
		}
	}
}

type jobFunc func(lo, hi int)

func (f jobFunc) Do(lo, hi int) { f(lo, hi) }

// TestSgemmPanics checks that the products refuse bad dimensions, leading
// dimensions, slices and row offsets with a panic naming the value, before
// any kernel runs: the assembly kernels read the offset operands in place
// without bounds checks, so a row that the check lets past the end of its
// slice (or before its start) is read out of bounds rather than refused.
func TestSgemmPanics(t *testing.T) {
	a := make([]float32, 6)
	x := make([]float32, 10)
	c := make([]float32, 64)
	tests := []struct {
		name string
		f    func()
		want string
	}{
		{"short a", func() { Sgemm(false, false, 3, 2, 3, 1, a, 3, a, 2, 0, a, 2) }, "gemm: len(a) = 6, want >= 9 for 3x3 with lda 3"},
		{"small lda", func() { Sgemm(false, false, 2, 2, 3, 1, a, 2, a, 2, 0, a, 2) }, "gemm: lda = 2, want >= 3"},
		{"negative", func() { Sgemm(false, false, -1, 2, 3, 1, a, 3, a, 2, 0, a, 2) }, "gemm: negative dimension m=-1 n=2 k=3"},
		// Short by one value of the last row (rows−1 full strides and
		// cols−1 values): the check must count the last row's cols.
		{"a short of its last value", func() { Sgemm(false, false, 2, 2, 3, 1, x[:6], 4, x, 2, 0, c, 2) }, "gemm: len(a) = 6, want >= 7 for 2x3 with lda 4"},
		{"c short of its last value", func() { Sgemm(false, false, 2, 3, 1, 1, x, 1, x, 3, 0, c[:7], 5) }, "gemm: len(c) = 7, want >= 8 for 2x3 with ldc 5"},
		// Transposed: A stored k×m, B stored n×k.
		{"transposed a, small lda", func() { Sgemm(true, false, 3, 2, 2, 1, x, 2, x, 2, 0, c, 2) }, "gemm: lda = 2, want >= 3"},
		{"transposed a, short", func() { Sgemm(true, false, 3, 2, 2, 1, x[:5], 3, x, 2, 0, c, 2) }, "gemm: len(a) = 5, want >= 6 for 2x3 with lda 3"},
		{"transposed b, small ldb", func() { Sgemm(false, true, 2, 3, 2, 1, x, 2, x, 1, 0, c, 3) }, "gemm: ldb = 1, want >= 2"},
		{"transposed b, short", func() { Sgemm(false, true, 2, 3, 2, 1, x, 2, x[:5], 2, 0, c, 3) }, "gemm: len(b) = 5, want >= 6 for 3x2 with ldb 2"},
		{"rows a, too few offsets", func() { SgemmRowsA(false, 3, 2, 4, 1, x, []int{0, 1}, x, 2, 0, c, 2) }, "gemm: len(aoff) = 2, want >= 3"},
		{"rows a, row past the end", func() { SgemmRowsA(false, 2, 2, 4, 1, x, []int{0, 7}, x, 2, 0, c, 2) }, "gemm: aoff[1] = 7: row of 4 values outside len(a) = 10"},
		{"rows a, negative offset", func() { SgemmRowsA(false, 2, 2, 4, 1, x, []int{-1, 0}, x, 2, 0, c, 2) }, "gemm: aoff[0] = -1: row of 4 values outside len(a) = 10"},
		{"rows b, too few offsets", func() { SgemmRowsB(false, 2, 3, 3, 1, x, 3, x, []int{0, 1}, 0, c, 3) }, "gemm: len(boff) = 2, want >= 3"},
		{"rows b, row past the end", func() { SgemmRowsB(false, 2, 3, 2, 1, x, 2, x, []int{8, 0}, 0, c, 3) }, "gemm: boff[0] = 8: row of 3 values outside len(b) = 10"},
		{"rows b, negative offset", func() { SgemmRowsB(false, 2, 3, 2, 1, x, 2, x, []int{0, -2}, 0, c, 3) }, "gemm: boff[1] = -2: row of 3 values outside len(b) = 10"},
		// A leading dimension is at least 1 even for an empty operand
		// (k = 0), as in BLAS; every dimension is checked for sign.
		{"lda 0 with k 0", func() { Sgemm(false, false, 2, 2, 0, 1, nil, 0, nil, 2, 0, c, 2) }, "gemm: lda = 0, want >= 1"},
		{"ldb 0 with k 0, transposed", func() { Sgemm(false, true, 2, 2, 0, 1, nil, 1, nil, 0, 0, c, 2) }, "gemm: ldb = 0, want >= 1"},
		{"negative n", func() { Sgemm(false, false, 2, -1, 3, 1, a, 3, a, 2, 0, a, 2) }, "gemm: negative dimension m=2 n=-1 k=3"},
		{"negative k", func() { Sgemm(false, false, 2, 2, -1, 1, a, 3, a, 2, 0, a, 2) }, "gemm: negative dimension m=2 n=2 k=-1"},
		{"rows a, negative k", func() { SgemmRowsA(false, 2, 2, -1, 1, x, []int{0, 1}, x, 2, 0, c, 2) }, "gemm: negative dimension m=2 n=2 k=-1"},
		{"rows b, negative k", func() { SgemmRowsB(false, 2, 2, -1, 1, x, 2, x, nil, 0, c, 2) }, "gemm: negative dimension m=2 n=2 k=-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { texttest.CheckPanic(t, tt.f, tt.want) })
	}
	// The largest valid operands pass: the checks are not off by one the
	// other way.
	Sgemm(false, false, 2, 2, 3, 1, x[:7], 4, x, 2, 0, c, 2)
	Sgemm(true, false, 3, 2, 2, 1, x[:6], 3, x, 2, 0, c, 2)
	SgemmRowsA(false, 2, 2, 4, 1, x, []int{0, 6}, x, 2, 0, c, 2)
	SgemmRowsB(false, 2, 3, 2, 1, x, 2, x, []int{7, 0}, 0, c, 3)
}

func TestSgemmAllocs(t *testing.T) {
	a := make([]float32, 256*256)
	b := make([]float32, 256*256)
	c := make([]float32, 256*256)
	Sgemm(false, false, 256, 256, 256, 1, a, 256, b, 256, 0, c, 256)
	if n := testing.AllocsPerRun(10, func() {
		Sgemm(false, true, 256, 256, 256, 1, a, 256, b, 256, 0, c, 256)
	}); n != 0 {
		t.Errorf("Sgemm allocates %v times per call, want 0", n)
	}
	// A garbage collection between calls must not make the next call
	// allocate (a sync.Pool of call records would be emptied by it).
	if n := testing.AllocsPerRun(10, func() {
		runtime.GC()
		Sgemm(false, true, 256, 256, 256, 1, a, 256, b, 256, 0, c, 256)
	}); n != 0 {
		t.Errorf("Sgemm after a garbage collection allocates %v times per call, want 0", n)
	}
}

var benchImpls = flag.Bool("gemm.impls", false, "run BenchmarkSgemm and BenchmarkRows under every implementation but \"go\" that the build and CPU have, not just the default")

// eachImpl calls f with the default implementation selected or, with
// -gemm.impls, with each implementation but "go" that this build and CPU
// can run (benchmarks name it as gemm=<name>), restoring the default
// after.
func eachImpl(b *testing.B, f func(name string)) {
	flagsRead.Read("gemm.impls")
	if !*benchImpls {
		f(Impl())
		return
	}
	def := Impl()
	defer SetImpl(def)
	for _, name := range Impls() {
		if name == "go" {
			continue
		}
		if err := SetImpl(name); err != nil {
			b.Fatal(err)
		}
		f(name)
	}
}

// BenchmarkSgemm times Sgemm under the default implementation, or with
// -gemm.impls each one but the portable one (gemm=<impl>; BenchmarkKernels
// times that), on all cores (on one with GOMAXPROCS=1).
func BenchmarkSgemm(b *testing.B) {
	eachImpl(b, func(impl string) {
		for _, s := range [][3]int{{256, 256, 256}, {512, 512, 512}, {16, 784 * 2, 144}, {64, 294, 576}, {16, 144, 784}} {
			m, n, k := s[0], s[1], s[2]
			b.Run(fmt.Sprintf("m=%d/n=%d/k=%d/gemm=%s", m, n, k, impl), func(b *testing.B) {
				x := randMat(rand.New(rand.NewPCG(1, 1)), m, k, k)
				y := randMat(rand.New(rand.NewPCG(2, 2)), k, n, n)
				z := make([]float32, m*n)
				b.SetBytes(int64(2 * m * n * k)) // "MB/s" reads as MFLOP/s
				b.ReportAllocs()
				for b.Loop() {
					Sgemm(false, false, m, n, k, 1, x, k, y, n, 0, z, n)
				}
			})
		}
	})
}

// BenchmarkKernels times the blocked GEMM with each micro-kernel this
// build has on this CPU, and gonum's pure-Go Sgemm (kernel=gonum) on the
// same products for comparison (run with GOMAXPROCS=1 for per-core
// numbers). SetBytes counts floating-point operations: MB/s reads as
// MFLOP/s.
func BenchmarkKernels(b *testing.B) {
	sizes := [][3]int{{256, 256, 256}, {16, 784, 144}, {64, 294, 576}, {144, 16, 784}, {512, 512, 512}}
	type impl struct {
		name string
		f    gemmFunc
	}
	var impls []impl
	for _, kern := range kernels {
		impls = append(impls, impl{kern.name, (&blocked{kern: kern}).sgemm})
	}
	impls = append(impls, impl{"gonum", func(ta, tb bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
		gonum.Implementation{}.Sgemm(blas.NoTrans, blas.NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	}})
	for _, im := range impls {
		for _, s := range sizes {
			m, n, k := s[0], s[1], s[2]
			b.Run(fmt.Sprintf("kernel=%s/m=%d/n=%d/k=%d", im.name, m, n, k), func(b *testing.B) {
				// Nonzero values: gonum's loops skip zero entries of A.
				x := randMat(rand.New(rand.NewPCG(1, 1)), m, k, k)
				y := randMat(rand.New(rand.NewPCG(2, 2)), k, n, n)
				z := make([]float32, m*n)
				b.SetBytes(int64(2 * m * n * k))
				b.ReportAllocs()
				im.f(false, false, m, n, k, 1, x, k, y, n, 0, z, n)
				for b.Loop() {
					im.f(false, false, m, n, k, 1, x, k, y, n, 0, z, n)
				}
			})
		}
	}
}

// BenchmarkRows times, under the default implementation or with
// -gemm.impls each one but the portable one, the row-offset products at the shapes of the same-convolution grid path
// of binary ResNet-20 (package nn, convgrid.go) in each of its three
// stages: backward data and forward (SgemmRowsB: channels × grid ×
// channels·9) and weight gradient (SgemmRowsA: channels·9 × channels ×
// grid) for a group of g images of h×h with c channels in and out.
func BenchmarkRows(b *testing.B) {
	eachImpl(b, func(impl string) {
		for _, st := range []struct{ c, h, g int }{{16, 28, 4}, {32, 14, 16}, {64, 7, 64}} {
			c, h, w, g := st.c, st.h, st.h, st.g
			r := w + 1
			nq := ((g-1)*(h+1) + h) * r
			s := nq + 2*r + 2
			off := make([]int, c*9)
			for ci := range c {
				for i := range 3 {
					for j := range 3 {
						off[(ci*3+i)*3+j] = ci*s + i*r + j
					}
				}
			}
			planes := make([]float32, c*s)
			for i := range planes {
				planes[i] = float32(i%7) - 3
			}
			wt := make([]float32, c*c*9)
			out := make([]float32, c*nq)
			dw := make([]float32, c*9*c)
			b.Run(fmt.Sprintf("op=rowsB/m=%d/n=%d/k=%d/gemm=%s", c, nq, c*9, impl), func(b *testing.B) {
				b.SetBytes(int64(2 * c * nq * c * 9))
				for b.Loop() {
					SgemmRowsB(false, c, nq, c*9, 1, wt, c*9, planes, off, 0, out, nq)
				}
			})
			b.Run(fmt.Sprintf("op=rowsA/m=%d/n=%d/k=%d/gemm=%s", c*9, c, nq, impl), func(b *testing.B) {
				b.SetBytes(int64(2 * c * nq * c * 9))
				for b.Loop() {
					SgemmRowsA(true, c*9, c, nq, 1, planes, off, planes[r+1:], s, 0, dw, c)
				}
			})
		}
	})
}
