package racebuild

import (
	"runtime/debug"
	"testing"
)

// TestEnabledMatchesBuild: Enabled says what the go command recorded in
// the binary's build settings, -race=true or no -race setting at all.
func TestEnabledMatchesBuild(t *testing.T) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		t.Fatal("no build information in the test binary")
	}
	race := false
	for _, s := range bi.Settings {
		if s.Key == "-race" {
			race = s.Value == "true"
		}
	}
	if Enabled != race {
		t.Errorf("Enabled = %v, the build settings say -race=%v (%v)", Enabled, race, bi.Settings)
	}
}

// TestSkip: Skip stops the test under the race detector and lets it go
// on in every other build.
func TestSkip(t *testing.T) {
	Skip(t, "this test checks Skip")
	if Enabled {
		t.Fatal("Skip returned under the race detector")
	}
}
