package dirtest

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestNames(t *testing.T) {
	dir := t.TempDir()
	if names := Names(t, dir); len(names) != 0 {
		t.Errorf("Names of an empty directory = %q, want none", names)
	}
	for _, name := range []string{"b", "a"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "c"), 0o755); err != nil {
		t.Fatal(err)
	}
	if names := Names(t, dir); !slices.Equal(names, []string{"a", "b", "c"}) {
		t.Errorf("Names = %q, want a, b and c", names)
	}
}
