package xnor

import (
	"slices"
	"testing"

	"github.com/gradbench/gradbench/internal/impl/impltest"
)

// forEachImpl runs f once per kernel implementation this build and CPU
// can run, with that implementation selected.
func forEachImpl(t *testing.T, f func(t *testing.T, impl string)) {
	t.Helper()
	impls := impltest.Funcs{ImplFunc: Impl, ImplsFunc: Impls, SetImplFunc: SetImpl}
	impltest.Each(t, impls, func(t *testing.T) { f(t, Impl()) })
}

// checkPadding fails t unless b's padding bits (past C in each pixel's
// last word) are zero: b must equal the codes of its own unpacked values,
// which Pack writes with zero padding.
func checkPadding(t *testing.T, b *Bits) {
	t.Helper()
	x := make([]float32, b.N*b.C*b.H*b.W)
	b.Unpack(x)
	ref := NewBits(b.N, b.H, b.W, b.C)
	Pack(ref, x)
	if !slices.Equal(ref.Data, b.Data[:len(ref.Data)]) {
		t.Fatalf("Bits %v: the padding bits of some word are not zero", b)
	}
}

// q is the ±1 code of x, q(0) = +1.
func q(x float32) float64 {
	if x < 0 {
		return -1
	}
	return 1
}
