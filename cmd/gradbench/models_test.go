package main

import (
	"strings"
	"testing"

	"github.com/gradbench/gradbench/internal/golden"
)

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
		golden.Check(t, tt.name, []byte(out))
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
