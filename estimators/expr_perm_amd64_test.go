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

// TestExprPermMatchesGather checks the permute kernels (avx512ExprPerm
// and the Sym and 64 forms) against the gather kernel of the same tables
// (avx512Expr) bit for bit: at every node and the float32s next to it, at
// ±c and past it, at -0, NaNs of both signs, ±Inf, tiny and huge |x|, each
// with every kind of dy (±0, ±Inf, NaN, huge, subnormal), at lengths that
// end in a partial vector. The tables pick each of the four routines, with
// the last node reached (c/h = 32 and 64) or not, an asymmetric g,
// negative values and -0 in the table, and are run on every routine that
// takes them; tables that do not fit (c/h > 64, several segments a side)
// must keep the gathers.
func TestExprPermMatchesGather(t *testing.T) {
	if !cpu.X86.HasAVX512F || !cpu.X86.HasAVX2 || !cpu.X86.HasFMA {
		t.Skip("no AVX-512")
	}
	type routine = func(dx, x, dy *float32, n int, perm *exprPermVec, cb uint32, invh float32)
	for _, tc := range []struct {
		spec, want string // want: the routine picked, "" for gathers
	}{
		{"expr", "avx512ExprPermSym"},
		{"expr:g=max(0, 1 - abs(x)),c=2", "avx512ExprPermSym"},
		{"expr:g=1,c=0.25", "avx512ExprPermSym"},
		{"expr:g=x >= 0 ? 1 : 0.5,knots=0", "avx512ExprPerm"},
		{"expr:g=1 - x/4,c=0.5", "avx512ExprPerm"},
		{"expr:g=-max(0, abs(x) - 0.5),monotone=false", "avx512ExprPermSym"},
		{"expr:g=x < 0 ? -max(0, abs(x) - 0.5) : 3*x - 1,knots=0,monotone=false", "avx512ExprPerm"},
		{"expr:g=1,c=0.7", "avx512ExprPerm64Sym"},                    // c/h = 44.8
		{"expr:g=max(0, 2 - 2*abs(x)),c=1.5", "avx512ExprPerm64Sym"}, // 48
		{"expr:g=1 + x/8,c=1.015625", "avx512ExprPerm64"},            // 32.5: node 32 with f > 0
		{"expr:g=1 + 0.1*x*x", "avx512ExprPerm64Sym"},                // 64, a finer grid: node 64
		{"expr:g=1 + 0.1*x*x + x/8", "avx512ExprPerm64"},             // 64
		{"expr:g=1 + 0.1*x*x,c=1.0078125", ""},                       // 64.5
		{"expr:g=exp(-x*x)", ""},                                     // a finer grid
		{"expr:g=abs(x) < 0.3 ? 2 : 1,knots=0.3", ""},                // segments
	} {
		tab := tableOf(t, tc.spec)
		u := tab.c * tab.invh
		got := ""
		if tab.perm != nil {
			got = runtime.FuncForPC(reflect.ValueOf(exprPermRoutine(tab.perm)).Pointer()).Name()
			got = got[strings.LastIndex(got, ".")+1:]
		}
		if got != tc.want {
			t.Errorf("%s: c/h = %g, %d and %d segments: routine %q, want %q", tc.spec, u, len(tab.side[0]), len(tab.side[1]), got, tc.want)
		}
		if tab.perm == nil {
			continue
		}
		// The routine the kernel picks, and those that take the table too:
		// the general ones for an even g, the wide ones for a narrow table.
		routines := map[string]routine{"avx512ExprPerm64": avx512ExprPerm64}
		if tab.perm.sym {
			routines["avx512ExprPerm64Sym"] = avx512ExprPerm64Sym
		}
		if !tab.perm.wide {
			routines["avx512ExprPerm"] = avx512ExprPerm
			if tab.perm.sym {
				routines["avx512ExprPermSym"] = avx512ExprPermSym
			}
		}
		// Every x with every dy.
		var x, dy []float32
		for _, d := range []float32{1, -1, 0.75, float32(math.Copysign(0, -1)), 0, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 3e38, 1e-40} {
			xs := permInputs(tab)
			x = append(x, xs...)
			for range xs {
				dy = append(dy, d)
			}
		}
		cb := math.Float32bits(tab.c)
		offP, offN := tab.side[0][0].off, tab.side[1][0].off
		for _, n := range []int{len(x), len(x) - 1, len(x) - 15, 17, 1} {
			want := make([]float32, n)
			avx512Expr(&want[0], &x[0], &dy[0], n, &tab.tab[0], cb, tab.invh, offP, offN)
			for name, r := range routines {
				got := make([]float32, n+1)
				got[n] = 42 // past the end: must stay
				r(&got[0], &x[0], &dy[0], n, tab.perm, cb, tab.invh)
				bad := 0
				for i := range n {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						if bad++; bad <= 3 {
							t.Errorf("%s %s n=%d: x=%g (%#08x), dy=%g: %g (%#08x), gathers %g (%#08x)", tc.spec, name, n, x[i], math.Float32bits(x[i]), dy[i], got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
						}
					}
				}
				if got[n] != 42 {
					t.Errorf("%s %s n=%d: wrote past the end", tc.spec, name, n)
				}
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
