package main

import (
	"fmt"
	"math"
	"strconv"
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

// TestModelsInputSeparators: --input takes x, X or × between the
// numbers: 1X28X28 was refused where 1x28x28 and 1×28×28 (the form the
// help writes shapes in) were taken, though it can mean nothing else.
func TestModelsInputSeparators(t *testing.T) {
	want, _ := gradbenchOK(t, "models", "--model", "resnet20", "--input", "1x28x28")
	for _, in := range []string{"1X28X28", "1×28×28", "1x28X28"} {
		if got, _ := gradbenchOK(t, "models", "--model", "resnet20", "--input", in); got != want {
			t.Errorf("models --input %s:\n%s\nwant as for 1x28x28:\n%s", in, got, want)
		}
	}
}

func TestModelsErrors(t *testing.T) {
	// Past a 32-bit int; a 32-bit build gets its largest int instead.
	const big, bigSide = min(100000000000, math.MaxInt), min(4000000000, math.MaxInt)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--model", "lenet"}, `unknown model "lenet"`},
		// Named by the command, like its other errors.
		{[]string{"--input", "3x32"}, `models: bad --input "3x32": want CxHxW, such as 3x32x32 (x, X or × between the numbers)`},
		{[]string{"--input", "28x28"}, `models: bad --input "28x28": want CxHxW, such as 3x32x32 (x, X or × between the numbers)`},
		// Another separator is refused naming the ones taken.
		{[]string{"--input", "3*32*32"}, `models: bad --input "3*32*32": want CxHxW, such as 3x32x32 (x, X or × between the numbers)`},
		{[]string{"--input", "3,32,32"}, `models: bad --input "3,32,32": want CxHxW, such as 3x32x32 (x, X or × between the numbers)`},
		{[]string{"--input", "0x32x32"}, `models: bad --input "0x32x32": want CxHxW with positive integers, such as 3x32x32`},
		{[]string{"--input", "+3x32x32"}, `models: bad --input "+3x32x32": want CxHxW with positive integers`},
		{[]string{"--classes", "1"}, "models: bad --classes 1: want at least 2, or leave --classes out for each model's paper workload"},
		{[]string{"--classes", "-2"}, "models: bad --classes -2: want at least 2"},
		// 0 is the query's "not given": given, it is refused, not defaulted.
		{[]string{"--classes", "0"}, "models: bad --classes 0: want at least 2, or leave --classes out for each model's paper workload"},
		{[]string{"--model", "resnet20", "--classes", "0"}, "models: bad --classes 0"},
		{[]string{"--width", "0"}, "models: bad --width 0: want a number > 0"},
		{[]string{"--model", "alexnet", "--input", "1x28x28"}, "at least 63×63"},
		// Without --model, --input is every model's: the error says which
		// models take it, so that the one wanted can be named.
		{[]string{"--input", "1x28x28"}, "models: alexnet: input 1x28x28 too small: conv1.layer needs at least 3×3 here (alexnet takes inputs of at least 63×63); without --model every model is summarized with --input, --classes and --width: resnet18, resnet20 and vgg-small take them (name one with --model)"},
		// The largest int, and sizes past a 32-bit one (a 32-bit build
		// gets its largest int instead), are read and refused by the
		// model's bounds; digits past any int are refused as such.
		{[]string{"--classes", strconv.Itoa(math.MaxInt)}, strconv.Itoa(math.MaxInt) + " classes, want at most 65536"},
		{[]string{"--classes", strconv.Itoa(big)}, strconv.Itoa(big) + " classes, want at most 65536"},
		{[]string{"--input", fmt.Sprintf("3x%dx%d", bigSide, bigSide)}, "want a height and width of at most 16384"},
		{[]string{"--input", "3x99999999999999999999x32"}, fmt.Sprintf(`models: bad --input "3x99999999999999999999x32": 99999999999999999999 is more than an int holds (%d)`, math.MaxInt)},
		{[]string{"--model", "resnet20", "--width", "0.01"}, "width 0.01 gives stem 0 channels (16 × 0.01, rounded): want at least 1"},
		// Every model is summarized: alexnet's conv0 fails first.
		{[]string{"--width", "0.01"}, "models: alexnet: width 0.01 gives conv0 0.96 channels (96 × 0.01): want a whole number of channels in every layer"},
		// The fraction is 96 × 0.3 as a reader works it out, not the
		// float64 product 28.799999999999997.
		{[]string{"--width", "0.3"}, "models: alexnet: width 0.3 gives conv0 28.8 channels (96 × 0.3): want a whole number of channels in every layer"},
		// Rounded to 2/4/8 channels, it was the network of width 0.125.
		{[]string{"--model", "resnet20", "--width", "0.13"}, "models: resnet20: width 0.13 gives stem 2.08 channels (16 × 0.13): want a whole number of channels in every layer, which resnet20 gives at widths that are multiples of 1/16 (nearest: 0.125 and 0.1875)"},
		{[]string{"--width", "1e18"}, "width 1e18 gives conv0 9.6e+19 channels (96 × 1e18, rounded): want at most 65536"},
		{[]string{"--model", "alexnet", "--width", "8"}, "more than 1073741824 parameters by layer fc0.fc"},
	} {
		_, _, err := runGradbench(t, append([]string{"models"}, tt.args...)...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("gradbench models %v: error %v, want %q", tt.args, err, tt.want)
		}
	}
	// Settings no model takes: no model to name.
	if _, _, err := runGradbench(t, "models", "--classes", "70000"); err == nil || err.Error() != "models: alexnet: 70000 classes, want at most 65536" {
		t.Errorf("gradbench models --classes 70000: error %v, want alexnet's alone", err)
	}
}
