package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// update (-update) is declared in curves_test.go.

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestModelsGolden(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"models.golden", []string{"models", "--width", "0.25"}},
		{"models-resnet20.golden", []string{"models", "--model", "resnet20", "--input", "1x28x28", "--width", "0.5"}},
	} {
		out, _, err := runGradbench(t, tt.args...)
		if err != nil {
			t.Fatalf("gradbench %v: %v", tt.args, err)
		}
		golden(t, tt.name, out)
	}
}

func TestModelsErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--model", "lenet"}, `unknown model "lenet"`},
		{[]string{"--input", "3x32"}, "want CxHxW"},
		{[]string{"--input", "0x32x32"}, "positive integers"},
		{[]string{"--classes", "1"}, "bad classes 1"},
		{[]string{"--width", "0"}, "bad width 0"},
		{[]string{"--model", "alexnet", "--input", "1x28x28"}, "at least 63×63"},
	} {
		_, _, err := runGradbench(t, append([]string{"models"}, tt.args...)...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("gradbench models %v: error %v, want %q", tt.args, err, tt.want)
		}
	}
}
