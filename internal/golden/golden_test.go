package golden

import (
	"os"
	"path/filepath"
	"testing"
)

// fakeT records failures instead of failing the test.
type fakeT struct {
	testing.TB
	failed bool
}

func (f *fakeT) Helper()               {}
func (f *fakeT) Errorf(string, ...any) { f.failed = true }
func (f *fakeT) Fatalf(string, ...any) { f.failed = true }
func (f *fakeT) Fatal(...any)          { f.failed = true }

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	if err := os.MkdirAll("testdata", 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join("testdata", "a.golden"), []byte("hello\n"), 0o644)
	for _, tt := range []struct {
		name, got string
		fail      bool
	}{
		{"a.golden", "hello\n", false},
		{"a.golden", "hello", true},
		{"missing.golden", "x", true},
	} {
		f := &fakeT{TB: t}
		Check(f, tt.name, []byte(tt.got))
		if f.failed != tt.fail {
			t.Errorf("Check(%s, %q) failed = %v, want %v", tt.name, tt.got, f.failed, tt.fail)
		}
	}
	*update = true
	defer func() { *update = false }()
	f := &fakeT{TB: t}
	Check(f, "new.golden", []byte("new\n"))
	if b, err := os.ReadFile(filepath.Join("testdata", "new.golden")); f.failed || err != nil || string(b) != "new\n" {
		t.Errorf("-update: failed %v, file %q, %v", f.failed, b, err)
	}
}
