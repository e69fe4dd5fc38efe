package impl

import (
	"strings"
	"testing"
)

func TestSetDefaultIsHighestAvailable(t *testing.T) {
	s := NewSet("p")
	if got := s.Impl(); got != Go {
		t.Fatalf("new set: Impl() = %q, want %q", got, Go)
	}
	s.Add(AVX2, true, "")
	s.Add(AVX512, false, "avx512 needs AVX-512 F")
	s.Add(SIMD, true, "")
	if got := s.Impl(); got != SIMD {
		t.Errorf("Impl() = %q, want %q", got, SIMD)
	}
	if got, want := strings.Join(s.Impls(), ","), "go,avx2,simd"; got != want {
		t.Errorf("Impls() = %s, want %s", got, want)
	}
	// Adding a lower-ranked implementation later does not take over.
	s2 := NewSet("p")
	s2.Add(AVX512, true, "")
	s2.Add(AVX2, true, "")
	if got := s2.Impl(); got != AVX512 {
		t.Errorf("after adding avx512 then avx2: Impl() = %q, want %q", got, AVX512)
	}
}

func TestSetImplErrors(t *testing.T) {
	s := NewSet("p")
	s.Add(AVX512, false, "a CPU with AVX-512 F")
	for _, tc := range []struct{ name, want string }{
		{"nosuch", `p: unknown implementation "nosuch" (have go)`},
		{AVX512, `p: implementation "avx512" is not available in this build on this CPU (have go): it needs a CPU with AVX-512 F`},
		{AVX2, `p: implementation "avx2" is not available in this build on this CPU (have go)`},
	} {
		err := s.SetImpl(tc.name)
		if err == nil || err.Error() != tc.want {
			t.Errorf("SetImpl(%q) = %v, want %s", tc.name, err, tc.want)
		}
	}
	if err := s.SetImpl(Go); err != nil || s.Impl() != Go {
		t.Errorf("SetImpl(go) = %v, Impl() = %q", err, s.Impl())
	}
}

func TestKernelFallsBackDownTheRanks(t *testing.T) {
	s := NewSet("p")
	s.Add(AVX2, true, "")
	s.Add(AVX512, true, "")
	s.Add(SIMD, true, "")
	k := NewKernel(s, func() string { return "portable" })
	k.Add(AVX2, func() string { return "avx2" })
	for _, tc := range []struct{ impl, want string }{
		{Go, "portable"}, {AVX2, "avx2"}, {AVX512, "avx2"}, {SIMD, "avx2"},
	} {
		if err := s.SetImpl(tc.impl); err != nil {
			t.Fatal(err)
		}
		if got := k.Get()(); got != tc.want {
			t.Errorf("impl %s: Get() runs %q, want %q", tc.impl, got, tc.want)
		}
	}
	if got, want := strings.Join(k.Variants(), ","), "go,avx2"; got != want {
		t.Errorf("Variants() = %s, want %s", got, want)
	}
}

// A library outranks the CPU's choices, and a fallback passes over the
// variants of implementations the set cannot run: an openblas build on a
// CPU without AVX2 must not reach the AVX2 variant.
func TestKernelSkipsUnavailableVariants(t *testing.T) {
	s := NewSet("p")
	s.Add(AVX2, false, "an amd64 CPU with AVX2")
	s.Add(SIMD, true, "")
	s.Add(OpenBLAS, true, "")
	if got := s.Impl(); got != OpenBLAS {
		t.Fatalf("Impl() = %q, want %q, the library the build linked", got, OpenBLAS)
	}
	k := NewKernel(s, func() string { return "portable" })
	k.Add(AVX2, func() string { return "avx2" })
	rows := NewKernel(s, func() string { return "portable" })
	rows.Add(AVX2, func() string { return "avx2" })
	rows.Add(OpenBLAS, func() string { return "openblas" })
	for _, tc := range []struct{ impl, k, rows string }{
		{Go, "portable", "portable"}, {SIMD, "portable", "portable"}, {OpenBLAS, "portable", "openblas"},
	} {
		if err := s.SetImpl(tc.impl); err != nil {
			t.Fatal(err)
		}
		if got := k.Get()(); got != tc.k {
			t.Errorf("impl %s: Get() runs %q, want %q", tc.impl, got, tc.k)
		}
		if got := rows.Get()(); got != tc.rows {
			t.Errorf("impl %s: second kernel's Get() runs %q, want %q", tc.impl, got, tc.rows)
		}
	}
	if got, want := strings.Join(k.Variants(), ","), "go"; got != want {
		t.Errorf("Variants() = %s, want %s (avx2 cannot run)", got, want)
	}
}

func TestPanics(t *testing.T) {
	s := NewSet("p")
	k := NewKernel(s, 0)
	k.Add(AVX2, 1)
	for name, f := range map[string]func(){
		"Set.Add unknown":       func() { s.Add("sse", true, "") },
		"Kernel.Add unknown":    func() { k.Add("sse", 2) },
		"Kernel.Add duplicated": func() { k.Add(AVX2, 3) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", name)
				}
			}()
			f()
		}()
	}
}
