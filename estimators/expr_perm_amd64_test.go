//go:build !purego

package estimators

import (
	"math"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/cpu"
)

// exprPermCases are the tables of TestExprPermMatchesGather and
// TestExprPermYMatchesGather, with the AVX-512 routine each picks (want)
// and the AVX2 one (wantY), "" for gathers: each of the routines, with
// the last node reached (c/h = 32 and 64) or not, g there +0 or not, an
// asymmetric g, negative values and -0 in the table; tables that do not
// fit (c/h > 64, several segments a side) must keep the gathers.
var exprPermCases = []struct{ spec, want, wantY string }{
	{"expr", "avx512ExprPermSym", "avx2ExprPermSym"},
	{"expr:g=max(0, 1 - abs(x)),c=2", "avx512ExprPermSym", "avx2ExprPermSym"},
	{"expr:g=1,c=0.25", "avx512ExprPermSym", "avx2ExprPermSymGC"},
	{"expr:g=x >= 0 ? 1 : 0.5,knots=0", "avx512ExprPerm", "avx2ExprPerm"},
	{"expr:g=1 - x/4,c=0.5", "avx512ExprPerm", "avx2ExprPerm"},
	{"expr:g=x >= 0 ? max(0, 1 - x) : 0.5*max(0, 1 + x),knots=0", "avx512ExprPerm", "avx2ExprPerm"}, // g +0 at node 32
	{"expr:g=-max(0, abs(x) - 0.5),monotone=false", "avx512ExprPermSym", "avx2ExprPermSymGC"},
	{"expr:g=x < 0 ? -max(0, abs(x) - 0.5) : 3*x - 1,knots=0,monotone=false", "avx512ExprPerm", "avx2ExprPerm"},
	{"expr:g=1,c=0.7", "avx512ExprPerm64Sym", "avx2ExprPerm64Sym"},                    // c/h = 44.8
	{"expr:g=max(0, 2 - 2*abs(x)),c=1.5", "avx512ExprPerm64Sym", "avx2ExprPerm64Sym"}, // 48
	{"expr:g=1 + x/8,c=1.015625", "avx512ExprPerm64", ""},                             // 32.5: node 32 with f > 0
	{"expr:g=1 + 0.1*x*x", "avx512ExprPerm64Sym", "avx2ExprPerm64Sym"},                // 64, a finer grid: node 64
	{"expr:g=1 + 0.1*x*x + x/8", "avx512ExprPerm64", ""},                              // 64
	{"expr:g=1 + 0.1*x*x,c=1.0078125", "", ""},                                        // 64.5
	{"expr:g=exp(-x*x)", "", ""},                                                      // a finer grid
	{"expr:g=abs(x) < 0.3 ? 2 : 1,knots=0.3", "", ""},                                 // segments
}

// permRoutine is the signature of the permute routines.
type permRoutine = func(dx, x, dy *float32, n int, perm *exprPermVec, cb uint32, invh float32)

// A permCall is a permute routine and the bits of c it gets.
type permCall struct {
	r  permRoutine
	cb uint32
}

// funcName returns the name of a routine without its package.
func funcName(f any) string {
	name := runtime.FuncForPC(reflect.ValueOf(f).Pointer()).Name()
	return name[strings.LastIndex(name, ".")+1:]
}

// permXDY returns the x of permInputs for a table with every kind of dy
// (±0, ±Inf, NaN, huge, subnormal).
func permXDY(tab *exprTable) (x, dy []float32) {
	for _, d := range []float32{1, -1, 0.75, float32(math.Copysign(0, -1)), 0, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 3e38, 1e-40} {
		xs := permInputs(tab)
		x = append(x, xs...)
		for range xs {
			dy = append(dy, d)
		}
	}
	return x, dy
}

// sameOutput reports the elements of got that differ from want in their
// bits (the first three), and a write to got[n], which must stay 42.
func sameOutput(t *testing.T, what string, got, want, x, dy []float32) {
	t.Helper()
	n := len(want)
	bad := 0
	for i := range n {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			if bad++; bad <= 3 {
				t.Errorf("%s n=%d: x=%g (%#08x), dy=%g: %g (%#08x), want %g (%#08x)", what, n, x[i], math.Float32bits(x[i]), dy[i], got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
			}
		}
	}
	if got[n] != 42 {
		t.Errorf("%s n=%d: wrote past the end", what, n)
	}
}

// TestExprPermMatchesGather checks the permute kernels (avx512ExprPerm
// and the Sym and 64 forms) against the gather kernel of the same tables
// (avx512Expr) bit for bit: at every node and the float32s next to it, at
// ±c and past it, at -0, NaNs of both signs, ±Inf, tiny and huge |x|, each
// with every kind of dy (±0, ±Inf, NaN, huge, subnormal), at lengths that
// end in a partial vector. The tables (exprPermCases) are run on every
// routine that takes them.
func TestExprPermMatchesGather(t *testing.T) {
	if !cpu.X86.HasAVX512F || !cpu.X86.HasAVX2 || !cpu.X86.HasFMA {
		t.Skip("no AVX-512")
	}
	for _, tc := range exprPermCases {
		tab := tableOf(t, tc.spec)
		u := tab.c * tab.invh
		got := ""
		if tab.perm != nil {
			got = funcName(exprPermRoutine(tab.perm))
		}
		if got != tc.want {
			t.Errorf("%s: c/h = %g, %d and %d segments: routine %q, want %q", tc.spec, u, len(tab.side[0]), len(tab.side[1]), got, tc.want)
		}
		if tab.perm == nil {
			continue
		}
		// The routine the kernel picks, and those that take the table too:
		// the general ones for an even g, the wide ones for a narrow table.
		routines := map[string]permRoutine{"avx512ExprPerm64": avx512ExprPerm64}
		if tab.perm.sym {
			routines["avx512ExprPerm64Sym"] = avx512ExprPerm64Sym
		}
		if !tab.perm.wide {
			routines["avx512ExprPerm"] = avx512ExprPerm
			if tab.perm.sym {
				routines["avx512ExprPermSym"] = avx512ExprPermSym
			}
		}
		x, dy := permXDY(tab)
		cb := math.Float32bits(tab.c)
		offP, offN := tab.side[0][0].off, tab.side[1][0].off
		for _, n := range []int{len(x), len(x) - 1, len(x) - 15, 17, 1} {
			want := make([]float32, n)
			avx512Expr(&want[0], &x[0], &dy[0], n, &tab.tab[0], cb, tab.invh, offP, offN)
			for name, r := range routines {
				got := make([]float32, n+1)
				got[n] = 42 // past the end: must stay
				r(&got[0], &x[0], &dy[0], n, tab.perm, cb, tab.invh)
				sameOutput(t, tc.spec+" "+name+" (gathers)", got, want, x, dy)
			}
		}
	}
}

// TestExprPermYMatchesGather checks the AVX2 permute kernels
// (avx2ExprPerm and the Sym, SymGC and 64Sym forms) as
// TestExprPermMatchesGather does the AVX-512 ones: the routine each table
// picks, and every routine that takes the table (with the bound it is
// given) against the AVX2 gather kernel (avx2Expr) bit for bit on the
// whole vectors of lengths around the inputs', and the AVX2 kernel as
// the package runs it (its routine, then the portable loop for the last
// len%8) against the gathers and the portable loop, at every length from
// 1 to 17 and around the inputs'.
func TestExprPermYMatchesGather(t *testing.T) {
	if !cpu.X86.HasAVX2 || !cpu.X86.HasFMA {
		t.Skip("no AVX2")
	}
	for _, tc := range exprPermCases {
		tab := tableOf(t, tc.spec)
		r, rcb := exprPermRoutineY(tab)
		got := ""
		if r != nil {
			got = funcName(r)
		}
		if got != tc.wantY {
			t.Errorf("%s: c/h = %g, %d and %d segments: AVX2 routine %q, want %q", tc.spec, tab.c*tab.invh, len(tab.side[0]), len(tab.side[1]), got, tc.wantY)
		}
		cb := math.Float32bits(tab.c)
		if tc.wantY == "avx2ExprPermSym" && rcb != cb-1 || tc.wantY != "avx2ExprPermSym" && rcb != cb {
			t.Errorf("%s: %s gets the bound %#08x, c is %#08x", tc.spec, got, rcb, cb)
		}
		x, dy := permXDY(tab)
		// The kernel as it runs, against the gathers and the portable loop
		// for the last len%8 (which rounds g = v + f·d twice, not fused,
		// so the portable kernel matches only where that is exact), or the
		// portable loop alone for several segments a side.
		offP, offN := tab.side[0][0].off, tab.side[1][0].off
		k := &exprKernel{t: tab}
		lengths := []int{len(x), len(x) - 1, len(x) - 7, len(x) - 8, len(x) - 15}
		for n := 1; n <= 17; n++ {
			lengths = append(lengths, n)
		}
		withImpl(t, "avx2", func() {
			for _, n := range lengths {
				want := make([]float32, n)
				v := n &^ 7
				if len(tab.side[0]) > 1 || len(tab.side[1]) > 1 {
					v = 0 // the portable loop only
				}
				if v > 0 {
					avx2Expr(&want[0], &x[0], &dy[0], v, &tab.tab[0], cb, tab.invh, offP, offN)
				}
				k.backwardGo(want[v:], x[v:n], dy[v:n])
				got := make([]float32, n+1)
				got[n] = 42
				k.backward(got[:n], x[:n], dy[:n])
				sameOutput(t, tc.spec+" avx2 kernel (gathers, portable tail)", got, want, x, dy)
			}
		})
		if tab.perm == nil {
			continue
		}
		// Every routine that takes the table: the general ones for an even
		// g, the wide one for a narrow table, the one without node 32's g
		// (given the float32 below c) where g is +0 there.
		routines := map[string]permCall{}
		if tab.perm.sym {
			routines["avx2ExprPerm64Sym"] = permCall{avx2ExprPerm64Sym, cb}
		}
		if !tab.perm.wide {
			routines["avx2ExprPerm"] = permCall{avx2ExprPerm, cb}
			if tab.perm.sym {
				routines["avx2ExprPermSymGC"] = permCall{avx2ExprPermSymGC, cb}
				if math.Float32bits(tab.perm.gc[0]) == 0 {
					routines["avx2ExprPermSym"] = permCall{avx2ExprPermSym, cb - 1}
				}
			}
		}
		for _, n := range []int{len(x) &^ 7, (len(x) - 8) &^ 7, 16, 8} {
			want := make([]float32, n)
			avx2Expr(&want[0], &x[0], &dy[0], n, &tab.tab[0], cb, tab.invh, offP, offN)
			for name, rc := range routines {
				got := make([]float32, n+1)
				got[n] = 42
				rc.r(&got[0], &x[0], &dy[0], n, tab.perm, rc.cb, tab.invh)
				sameOutput(t, tc.spec+" "+name+" (gathers)", got, want, x, dy)
			}
		}
	}
}

// permInputs returns the x of TestExprPermMatchesGather for a table: each
// node's |x| and its float32 neighbours, the same past c, the special
// values and a spread of values within ±2c, on both sides.
func permInputs(tab *exprTable) []float32 {
	h := 1 / tab.invh
	var xs []float32
	for k := 0; float32(k)*h <= tab.c+2*h; k++ {
		xs = append(xs, float32(k)*h)
	}
	nan := math.Float32frombits(0x7fc00001)
	xs = append(xs, tab.c, 2*tab.c, 1e-45, 1e-38, 1e-30, 1e30, math.MaxFloat32, float32(math.Inf(1)), nan,
		math.Float32frombits(0x7f800001), float32(math.NaN()))
	for i := range 200 {
		xs = append(xs, 2*tab.c*float32(i)/199)
	}
	x := around(xs...)
	x = append(x, 0, float32(math.Copysign(0, -1)))
	return x
}
