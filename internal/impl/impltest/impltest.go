// Package impltest runs a test once per implementation of a package that
// follows the internal/impl convention, the same way in every package.
package impltest

import "testing"

// A Selector is what a package exposes of its implementations: its
// *impl.Set, or its exported Impl, Impls and SetImpl functions wrapped in
// [Funcs].
type Selector interface {
	Impl() string
	Impls() []string
	SetImpl(name string) error
}

// Funcs adapts a package's exported functions to a Selector.
type Funcs struct {
	ImplFunc    func() string
	ImplsFunc   func() []string
	SetImplFunc func(string) error
}

func (f Funcs) Impl() string              { return f.ImplFunc() }
func (f Funcs) Impls() []string           { return f.ImplsFunc() }
func (f Funcs) SetImpl(name string) error { return f.SetImplFunc(name) }

// Each runs f as a subtest named impl=<name> for every implementation s can
// run, with that implementation selected, and restores the one in use
// before. Subtests do not run in parallel with each other.
func Each(t *testing.T, s Selector, f func(t *testing.T)) {
	t.Helper()
	prev := s.Impl()
	t.Cleanup(func() {
		if err := s.SetImpl(prev); err != nil {
			t.Errorf("restoring implementation %q: %v", prev, err)
		}
	})
	for _, name := range s.Impls() {
		if err := s.SetImpl(name); err != nil {
			t.Fatalf("SetImpl(%q) = %v, want nil for a name Impls returned", name, err)
		}
		t.Run("impl="+name, f)
	}
}
