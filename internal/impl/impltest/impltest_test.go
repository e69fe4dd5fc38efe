package impltest_test

import (
	"testing"

	"github.com/gradbench/gradbench/internal/impl"
	"github.com/gradbench/gradbench/internal/impl/impltest"
)

func TestEachVisitsEveryImplAndRestores(t *testing.T) {
	s := impl.NewSet("p")
	s.Add(impl.AVX2, true, "")
	s.Add(impl.AVX512, true, "")
	if err := s.SetImpl(impl.AVX2); err != nil {
		t.Fatal(err)
	}
	var seen []string
	t.Run("each", func(t *testing.T) {
		impltest.Each(t, s, func(t *testing.T) { seen = append(seen, s.Impl()) })
	})
	if len(seen) != 3 || seen[0] != "go" || seen[1] != "avx2" || seen[2] != "avx512" {
		t.Errorf("Each visited %v, want [go avx2 avx512]", seen)
	}
	if got := s.Impl(); got != impl.AVX2 {
		t.Errorf("after Each: Impl() = %q, want the one selected before, avx2", got)
	}
}
