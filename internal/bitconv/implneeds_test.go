package bitconv

import (
	"slices"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/internal/impl"
)

// TestUnavailableImplSaysWhatItNeeds: asking for an implementation this
// build or CPU cannot run (gradbench eval --impl simd) is refused saying
// what it needs. In a build without GOEXPERIMENT=simd the refusal of
// "simd" used to end at "is not available in this build on this CPU
// (have go, avx2, avx512)", which did not say that it takes a
// GOEXPERIMENT=simd build.
func TestUnavailableImplSaysWhatItNeeds(t *testing.T) {
	defer SetImpl(Impl())
	have := Impls()
	for _, tc := range []struct{ name, want string }{
		{impl.AVX2, "it needs "},
		{impl.AVX512, "it needs "},
		{impl.SIMD, "it needs a build with GOEXPERIMENT=simd"},
	} {
		if slices.Contains(have, tc.name) {
			continue
		}
		err := SetImpl(tc.name)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("SetImpl(%q) = %v, want an error saying %q", tc.name, err, tc.want)
		}
	}
}
