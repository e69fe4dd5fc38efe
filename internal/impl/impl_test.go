package impl

import (
	"fmt"
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
}

func TestPanics(t *testing.T) {
	s := NewSet("p")
	k := NewKernel(s, 0)
	k.Add(AVX2, 1)
	for name, f := range map[string]func(){
		"Set.Add unknown":        func() { s.Add("sse", true, "") },
		"Set.Add go unavailable": func() { s.Add(Go, false, "") },
		"Kernel.Add unknown":     func() { k.Add("sse", 2) },
		"Kernel.Add duplicated":  func() { k.Add(AVX2, 3) },
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

// TestSetImplExactNames checks that only the exact names are accepted: a
// name in another case, a prefix, the empty name or one with a space is
// unknown, refused, and leaves the selection as it was.
func TestSetImplExactNames(t *testing.T) {
	s := NewSet("p")
	s.Add(AVX2, true, "")
	s.Add(AVX512, true, "")
	if err := s.SetImpl(AVX2); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"", "AVX2", "Go", "avx", "avx5", "go ", " avx512", "avx2\x00", "open"} {
		err := s.SetImpl(name)
		want := fmt.Sprintf("p: unknown implementation %q (have go, avx2, avx512)", name)
		if err == nil || err.Error() != want {
			t.Errorf("SetImpl(%q) = %v, want %s", name, err, want)
		}
		if got := s.Impl(); got != AVX2 {
			t.Errorf("after SetImpl(%q): Impl() = %q, want %q, the one selected before", name, got, AVX2)
		}
	}
	for _, tc := range []struct {
		name, want string
		f          func()
	}{
		{"AVX2", `p: unknown implementation name "AVX2" (have go, avx2, avx512, simd, openblas)`, func() { s.Add("AVX2", true, "") }},
		{"avx", `p: unknown implementation name "avx" (have go, avx2, avx512, simd, openblas)`, func() { s.Add("avx", true, "") }},
		{"Go", `p: unknown implementation name "Go"`, func() { NewKernel(s, 0).Add("Go", 1) }},
		{"", `p: unknown implementation name ""`, func() { NewKernel(s, 0).Add("", 1) }},
	} {
		func() {
			defer func() {
				if e := recover(); fmt.Sprint(e) != tc.want {
					t.Errorf("Add(%q) panicked with %v, want %s", tc.name, e, tc.want)
				}
			}()
			tc.f()
		}()
	}
}

// TestUnavailableNeverDefault checks that an implementation the build or
// CPU cannot run never becomes the default, whether it is added last,
// first or between available ones: a default the CPU lacks would run its
// kernels' instructions on it.
func TestUnavailableNeverDefault(t *testing.T) {
	type add struct {
		name string
		ok   bool
	}
	for _, tc := range []struct {
		adds []add
		want string
	}{
		{[]add{{AVX2, true}, {AVX512, false}}, AVX2},
		{[]add{{AVX512, false}, {AVX2, true}}, AVX2},
		{[]add{{AVX2, true}, {SIMD, false}, {OpenBLAS, false}}, AVX2},
		{[]add{{AVX2, false}, {AVX512, false}, {OpenBLAS, false}}, Go},
		// Added again as not available, the default gives way.
		{[]add{{AVX2, true}, {AVX512, true}, {AVX512, false}}, AVX2},
		{[]add{{AVX2, true}, {AVX512, true}, {AVX512, false}, {AVX2, false}}, Go},
		{[]add{{AVX2, true}, {OpenBLAS, true}, {OpenBLAS, false}}, AVX2},
		// A lower one withdrawn leaves the default as it is.
		{[]add{{AVX2, true}, {AVX512, true}, {AVX2, false}}, AVX512},
	} {
		s := NewSet("p")
		for _, a := range tc.adds {
			s.Add(a.name, a.ok, "")
		}
		if got := s.Impl(); got != tc.want {
			t.Errorf("after Add %v: Impl() = %q, want %q", tc.adds, got, tc.want)
		}
	}
}
