package racebuild

import "testing"

// Skip skips t under the race detector, saying why and which builds run
// it in full: for a test that checks numbers or learning alone, with no
// goroutines of its own (see the package doc). It does nothing in other
// builds.
func Skip(t testing.TB, why string) {
	t.Helper()
	if Enabled {
		t.Skip("skipped under the race detector: " + why)
	}
}
