package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"testing"
)

// TestNumericFlagsDecimal: a number given with a leading 0 is read in base
// 10, as --seeds and --cell always read theirs; the flag package read
// --epochs 010 as 8 (octal), as it read --points and --classes.
func TestNumericFlagsDecimal(t *testing.T) {
	_, recipe, runs := tinyWorkdir(t)
	plan := func(args ...string) []string {
		return append([]string{"plan", "--json", "--quiet", "--recipe", recipe, "--out", runs, "--estimators", "ste"}, args...)
	}
	for _, tc := range []struct {
		name  string
		args  []string
		check func(stdout string) error
	}{
		{"plan --epochs 010", plan("--epochs", "010"), func(stdout string) error {
			if !strings.Contains(stdout, `"epochs": 10,`) {
				return fmt.Errorf("want 10 epochs")
			}
			return nil
		}},
		{"plan --seeds 010", plan("--seeds", "010"), func(stdout string) error {
			if n := strings.Count(stdout, `"index": `); n != 10 {
				return fmt.Errorf("%d cells, want 10 (seeds 1..10)", n)
			}
			return nil
		}},
		{"curves --points 010", []string{"curves", "--estimators", "ste", "--points", "010"}, func(stdout string) error {
			if n := strings.Count(stdout, "\n"); n != 11 {
				return fmt.Errorf("%d lines, want a header and 10 points", n)
			}
			return nil
		}},
		{"models --classes 010", []string{"models", "--model", "resnet20", "--classes", "010"}, func(stdout string) error {
			if !strings.Contains(stdout, "inputs, 10 classes") {
				return fmt.Errorf("want 10 classes")
			}
			return nil
		}},
	} {
		stdout, stderr, err := runGradbench(t, tc.args...)
		if err == nil {
			err = tc.check(stdout)
		}
		if err != nil {
			t.Errorf("gradbench %q: %v\n%s%s", tc.args, err, stdout, stderr)
		}
	}
}

// TestNumericFlagsRefuseNonDecimal: the forms Go source allows but a
// decimal number does not (0x10, 0b11, 0o7, 1_0 and hexadecimal floats)
// are refused, naming the flag and the value, instead of being read as
// 16, 3, 7 and 10 (or 0x1p-3 as 0.125), and so is a float float64 would
// make 0 (1e-400).
func TestNumericFlagsRefuseNonDecimal(t *testing.T) {
	_, recipe, out := tinyWorkdir(t)
	// An unknown estimator makes a command that read the value fail at
	// once rather than train.
	sweep := func(cmd string) []string {
		return []string{cmd, "--quiet", "--recipe", recipe, "--out", out, "--estimators", "nosuch"}
	}
	ints := []string{"0x10", "0b11", "1_0", "0o7", "0X10", "1e1", "10.0"}
	floats := []string{"0x1p-3", "0x10", "0X1P1", "1_0", "0x1_0p0"}
	for _, tc := range []struct {
		args  []string
		flag  string
		float bool
	}{
		{sweep("plan"), "epochs", false},
		{sweep("run"), "epochs", false},
		{sweep("slurm"), "epochs", false},
		{sweep("plan"), "width", true},
		{sweep("run"), "width", true},
		{[]string{"curves", "--estimators", "ste"}, "points", false},
		{[]string{"curves", "--estimators", "ste"}, "from", true},
		{[]string{"curves", "--estimators", "ste"}, "to", true},
		{[]string{"curves", "--estimators", "ste"}, "progress", true},
		{[]string{"models"}, "classes", false},
		{[]string{"models"}, "width", true},
		{[]string{"fidelity", "--quiet"}, "batch", false},
		{[]string{"fidelity", "--quiet"}, "sample", false},
		{[]string{"fidelity", "--quiet"}, "bootstrap", false},
		{[]string{"fidelity", "--quiet"}, "eval-batches", false},
		{[]string{"eval"}, "batch", false},
	} {
		vals, want := ints, "want a decimal integer"
		if tc.float {
			vals, want = floats, "want a decimal number"
		}
		check := func(v, want string) {
			args := append(tc.args[:len(tc.args):len(tc.args)], "--"+tc.flag, v)
			_, stderr, err := runGradbench(t, args...)
			msg := fmt.Sprintf("gradbench: %s: invalid value %q for flag --%s: %s\n", tc.args[0], v, tc.flag, want)
			if err == nil || !strings.HasPrefix(stderr, msg) {
				t.Errorf("gradbench %q: error %v, stderr %q, want %q", args, err, firstLine(stderr), msg)
			}
		}
		for _, v := range vals {
			check(v, want)
		}
		if tc.float {
			// Read as 0 by strconv.ParseFloat without an error: curves
			// --from 1e-400 printed x = 0, and --width 1e-400 was
			// refused as "bad --width 0", a value not given.
			check("1e-400", "value out of range: underflows to 0 in float64 (its smallest magnitude is 5e-324)")
		}
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// TestNoPlainNumericFlags: every numeric flag of every command is defined
// with cli.Int, cli.Float64 and the like (read in base 10 only), not with
// the flag package's own (read as Go source reads numbers).
func TestNoPlainNumericFlags(t *testing.T) {
	for _, c := range commands {
		fs := newFlagSet(c, io.Discard, io.Discard)
		_ = c.run(context.Background(), &cmdEnv{stdout: io.Discard, stderr: io.Discard}, fs, []string{"-h"})
		fs.VisitAll(func(f *flag.Flag) {
			switch typ := fmt.Sprintf("%T", f.Value); typ {
			case "*flag.intValue", "*flag.int64Value", "*flag.uintValue", "*flag.uint64Value", "*flag.float64Value":
				t.Errorf("gradbench %s --%s is a %s, which reads numbers as Go source does (010 as 8, 0x10 as 16, 0x1p-3 as 0.125): define it with cli.Int, cli.Float64 or the like", c.name, f.Name, typ)
			}
		})
	}
}
