//go:build !purego

package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"golang.org/x/sys/cpu"
)

// TestAVX512BitIdentical checks that the "avx512" implementation gives
// bit for bit the results of "avx2" (its tiles differ in shape, so an
// element on a full tile of one is on an edge tile of the other): Sgemm
// with every transpose, SgemmRowsA and SgemmRowsB (the in-place kernels),
// on sizes around both implementations' tile edges, depths that are not a
// multiple of the four-step unroll or span several depth blocks, and
// alpha and beta values whose products round (beta·C is then rounded once,
// in the fused store, by either).
func TestAVX512BitIdentical(t *testing.T) {
	if !hasAVX512 {
		t.Skip("the CPU has no AVX-512F")
	}
	def := Impl()
	defer SetImpl(def)
	sizes := [][3]int{
		{1, 1, 1}, {1, 17, 3}, {5, 33, 7}, {6, 16, 4}, {4, 24, 5}, {8, 48, 6}, {12, 32, 9}, {12, 16, 2},
		{13, 49, 11}, {11, 31, 13}, {16, 100, 144}, {25, 47, 257}, {144, 16, 300}, {97, 65, 64},
		{288, 32, 77}, {64, 300, 576}, {7, 200, 513}, {130, 18, 40},
	}
	if testing.Short() {
		sizes = sizes[:12]
	}
	abs := [][2]float32{{1, 0}, {1, 1}, {0.7, 0.3}, {-1.3, -2}, {1, 1.1}}
	r := rand.New(rand.NewPCG(11, 12))
	for _, s := range sizes {
		m, n, k := s[0], s[1], s[2]
		for _, ab := range abs {
			alpha, beta := ab[0], ab[1]
			for _, ta := range []bool{false, true} {
				for _, tb := range []bool{false, true} {
					a, lda := randOp(r, m, k, ta, 1)
					b, ldb := randOp(r, k, n, tb, 2)
					c0 := randMat(r, m, n, n+3)
					name := fmt.Sprintf("sgemm/m=%d/n=%d/k=%d/ta=%v/tb=%v/alpha=%v/beta=%v", m, n, k, ta, tb, alpha, beta)
					sameUnder(t, name, c0, func(c []float32) {
						Sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, n+3)
					})
				}
			}
			for _, rowsA := range []bool{false, true} {
				for _, trans := range []bool{false, true} {
					a, b, _ := rowsOperands(r, rowsA, trans, m, n, k)
					c0 := randMat(r, m, n, n+1)
					name := fmt.Sprintf("rowsA=%v/m=%d/n=%d/k=%d/trans=%v/alpha=%v/beta=%v", rowsA, m, n, k, trans, alpha, beta)
					sameUnder(t, name, c0, func(c []float32) {
						publicRows(m, n, k, alpha, a, b, beta, c, n+1)
					})
				}
			}
		}
	}
}

// sameUnder runs f on copies of c0 under "avx2" and "avx512" and fails
// unless the results agree bit for bit.
func sameUnder(t *testing.T, name string, c0 []float32, f func(c []float32)) {
	t.Helper()
	var got [2][]float32
	for i, impl := range []string{"avx2", "avx512"} {
		if err := SetImpl(impl); err != nil {
			t.Fatal(err)
		}
		got[i] = append([]float32(nil), c0...)
		f(got[i])
	}
	for i := range c0 {
		x, y := math.Float32bits(got[0][i]), math.Float32bits(got[1][i])
		if x != y && !(math.IsNaN(float64(got[0][i])) && math.IsNaN(float64(got[1][i]))) {
			t.Fatalf("%s: C[%d] = %v (%#08x) under avx2, %v (%#08x) under avx512", name, i, got[0][i], x, got[1][i], y)
		}
	}
}

// TestKernelsListed checks that kernels, the list TestKernels and
// TestDeterministic cross-check one by one, holds every assembly kernel
// the CPU runs: the implementations reach a kernel only where it pads
// least, so one left off the list is checked on a few shapes at most.
func TestKernelsListed(t *testing.T) {
	want := []string{"go"}
	if hasAVX2FMA {
		want = append(want, avx2Kernel6x16.name, avx2Kernel4x24.name)
	}
	if hasAVX512 {
		want = append(want, avx512Kernel12x32.name, avx512Kernel8x48.name, avx512Kernel12x16.name)
	}
	if got := names(kernels); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("kernels = %v, want %v", got, want)
	}
}

// TestImplsFollowCPU checks Impls against the CPU's features as
// golang.org/x/sys/cpu reports them: "avx2" where the CPU has AVX2 and FMA,
// "avx512" where it also has AVX-512F, and no more (the openblas build adds
// "openblas" after them). A check that offered a kernel the CPU lacks
// would fail with an illegal instruction in the first product, one that
// hid a kernel the CPU has would run every product on a slower one.
func TestImplsFollowCPU(t *testing.T) {
	want := []string{"go"}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		want = append(want, "avx2")
		if cpu.X86.HasAVX512F {
			want = append(want, "avx512")
		}
	}
	var got []string
	for _, name := range Impls() {
		if name != "openblas" {
			got = append(got, name)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Impls() = %v without openblas, want %v for this CPU (AVX2 %v, FMA %v, AVX-512F %v)",
			got, want, cpu.X86.HasAVX2, cpu.X86.HasFMA, cpu.X86.HasAVX512F)
	}
}
