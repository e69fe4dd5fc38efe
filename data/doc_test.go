package data

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestSearchDirs checks that SearchDirs gives Open's search order: with
// $GRADBENCH_DATA unset the user cache, then the system directory; with
// it set, its directory first.
func TestSearchDirs(t *testing.T) {
	system, cache := sandbox(t)
	want := []string{filepath.Join(cache, "mnist"), filepath.Join(system, "mnist")}
	if got := SearchDirs("mnist"); !slices.Equal(got, want) {
		t.Errorf("SearchDirs(mnist) = %q, want %q", got, want)
	}
	env := t.TempDir()
	t.Setenv(EnvDataDir, env)
	want = append([]string{filepath.Join(env, "mnist")}, want...)
	if got := SearchDirs("mnist"); !slices.Equal(got, want) {
		t.Errorf("with $%s: SearchDirs(mnist) = %q, want %q", EnvDataDir, got, want)
	}
}

// TestDoc checks each dataset's line against the facts it states, and
// that an unknown name has none.
func TestDoc(t *testing.T) {
	for name, want := range map[string][]string{
		"cifar10":       {"CIFAR-10: 3×32×32, 10 classes; downloaded when not found"},
		"fashion-mnist": {"Fashion-MNIST: 1×28×28, 10 classes; downloaded when not found"},
		"mnist":         {"MNIST: 1×28×28, 10 classes; downloaded when not found"},
		"imagenet":      {"ImageNet: 3 channels", "train/ and val/", "never downloaded"},
		"synthetic":     {"no files: 1×16×16, 10 classes, 2048 training and 512 test images"},
	} {
		d := Doc(name)
		for _, w := range want {
			if !strings.Contains(d, w) {
				t.Errorf("Doc(%s) = %q, want it to say %q", name, d, w)
			}
		}
	}
	for _, name := range Names() {
		if Doc(name) == "" {
			t.Errorf("Doc(%s) is empty", name)
		}
	}
	if d := Doc("cifar100"); d != "" {
		t.Errorf("Doc(cifar100) = %q, want empty", d)
	}
}
