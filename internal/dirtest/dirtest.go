// Package dirtest reads directories for tests: what a test left in one.
package dirtest

import (
	"os"
	"testing"
)

// Names returns the names of dir's entries, sorted; it fails the test
// when dir cannot be read.
func Names(t testing.TB, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}
