// Package impl is the one convention every gradbench package with
// alternative kernels follows (estimators, gemm, nn, xnor): a named, ranked
// set of implementations, of which the highest-ranked one that the build
// and CPU can run is the default.
//
// The names and their ranks are the same in every package, lowest first:
//
//   - "go": portable Go; always available, and the only one under the
//     build tag purego or on architectures without assembly;
//   - "avx2": Go assembly with AVX2 and FMA (amd64, checked at start-up
//     with golang.org/x/sys/cpu);
//   - "avx512": Go assembly with AVX-512 (amd64);
//   - "simd": simd/archsimd code, in a GOEXPERIMENT=simd build only;
//   - "openblas": a library linked in with a build tag (package gemm's
//     -tags openblas), not a CPU feature. A build that names a library
//     asked for it, so it outranks what the CPU offers: it is that
//     build's default, and the others stay selectable with SetImpl for
//     comparison.
//
// A package keeps one [Set], adds in init functions what the build and CPU
// can run, and exports Impl, Impls and SetImpl as thin wrappers of the
// Set's methods. Each kernel with alternatives is a [Kernel]: a portable
// function plus variants registered under the names above by the files
// that define them. A Kernel called while the Set selects a name it has no
// variant for uses the highest-ranked variant below it, down to the
// portable function, so a package can offer one impl for some kernels only.
// Availability is not assumed to nest: a variant whose implementation the
// build or CPU cannot run is passed over (an openblas build on a CPU
// without AVX2 falls back from "openblas" to "go", not to "avx2").
//
// A package adds an implementation only where a measurement on the project
// machine shows it beats every lower-ranked one; a kernel that is never the
// default on any CPU belongs in a test, not here.
package impl

import (
	"fmt"
	"strings"
	"sync/atomic"
)

// The implementation names, by ascending rank.
const (
	Go       = "go"
	AVX2     = "avx2"
	AVX512   = "avx512"
	SIMD     = "simd"
	OpenBLAS = "openblas"
)

// names lists the implementation names by ascending rank.
var names = [...]string{Go, AVX2, AVX512, SIMD, OpenBLAS}

func rank(name string) int {
	for i, n := range names {
		if n == name {
			return i
		}
	}
	return -1
}

// A Set is one package's choice among its implementations. The zero value
// is not usable: make one with [NewSet].
type Set struct {
	pkg   string
	ok    [len(names)]bool
	needs [len(names)]string
	cur   atomic.Int32
}

// NewSet returns the set of package pkg (used as the prefix of error
// messages) with only "go" available.
func NewSet(pkg string) *Set {
	s := &Set{pkg: pkg}
	s.ok[0] = true
	return s
}

// Add records whether implementation name can run in this build on this
// CPU, and if not, what it needs (SetImpl's error message ends "it needs
// " and needs); a build without an implementation's files can record it
// as not available, naming the build it takes. An
// available implementation that outranks the current default becomes the
// default; the default added again as not available gives way to the
// highest-ranked one still available. Add is meant for init functions; it
// panics on an unknown name, and on "go" as not available (the portable
// code always runs).
func (s *Set) Add(name string, available bool, needs string) {
	r := rank(name)
	if r < 0 {
		panic(fmt.Sprintf("%s: unknown implementation name %q (have %s)", s.pkg, name, strings.Join(names[:], ", ")))
	}
	if r == 0 && !available {
		panic(fmt.Sprintf("%s: implementation %q added as not available: the portable code always runs", s.pkg, name))
	}
	s.ok[r] = available
	s.needs[r] = needs
	switch cur := int(s.cur.Load()); {
	case available && r > cur:
		s.cur.Store(int32(r))
	case !available && r == cur:
		for cur > 0 && !s.ok[cur] {
			cur--
		}
		s.cur.Store(int32(cur))
	}
}

// Impl returns the name of the implementation in use.
func (s *Set) Impl() string { return names[s.cur.Load()] }

// Impls returns the names of the implementations this build and CPU can
// run, by ascending rank: "go" first, the default last.
func (s *Set) Impls() []string {
	var have []string
	for i, ok := range s.ok {
		if ok {
			have = append(have, names[i])
		}
	}
	return have
}

// SetImpl selects an implementation by name, for tests and benchmarks that
// compare them; the default needs no call. A name this build or CPU cannot
// run is an error that says what it needs. Do not call SetImpl while
// kernels run.
func (s *Set) SetImpl(name string) error {
	r := rank(name)
	switch {
	case r < 0:
		return fmt.Errorf("%s: unknown implementation %q (have %s)", s.pkg, name, strings.Join(s.Impls(), ", "))
	case !s.ok[r]:
		msg := fmt.Sprintf("%s: implementation %q is not available in this build on this CPU (have %s)", s.pkg, name, strings.Join(s.Impls(), ", "))
		if s.needs[r] != "" {
			msg += ": it needs " + s.needs[r]
		}
		return fmt.Errorf("%s", msg)
	}
	s.cur.Store(int32(r))
	return nil
}

// A Kernel is one operation with a portable function and variants under
// implementation names. Make it with [NewKernel] in a package-level
// variable; register variants with Add in the init functions of the files
// that define them.
type Kernel[F any] struct {
	set *Set
	fns [len(names)]F
	has [len(names)]bool
}

// NewKernel returns a kernel of set s whose "go" implementation is
// portable.
func NewKernel[F any](s *Set, portable F) *Kernel[F] {
	k := &Kernel[F]{set: s}
	k.fns[0], k.has[0] = portable, true
	return k
}

// Add registers f as the kernel's variant for implementation name. It
// panics on an unknown name or a second variant under one name.
func (k *Kernel[F]) Add(name string, f F) {
	r := rank(name)
	if r < 0 {
		panic(fmt.Sprintf("%s: unknown implementation name %q", k.set.pkg, name))
	}
	if k.has[r] {
		panic(fmt.Sprintf("%s: kernel variant %q added twice", k.set.pkg, name))
	}
	k.fns[r], k.has[r] = f, true
}

// Get returns the function to call under the set's current
// implementation: its own variant if the kernel has one, else the variant
// of the highest rank below it that the set can run, down to the portable
// function.
func (k *Kernel[F]) Get() F {
	for r := k.set.cur.Load(); r > 0; r-- {
		if k.has[r] && k.set.ok[r] {
			return k.fns[r]
		}
	}
	return k.fns[0]
}
