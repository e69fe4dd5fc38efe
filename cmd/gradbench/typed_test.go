package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestRefusalsQuoteValuesAsTyped: every refusal of a number given on the
// command line quotes it as the user typed it, not as the parsed number
// prints ("-0" and "00" printed as 0, "1e41" as 1e+41, "3.3e-1" as 0.33,
// "Inf" as +Inf), and the refusal of one item of a list names the item as
// typed and its place. And the rule of every numeric flag (cli.Int): a
// leading "+" and, for a float, inf and nan are refused at the flag,
// quoted as typed.
func TestRefusalsQuoteValuesAsTyped(t *testing.T) {
	_, recipe, runs := tinyWorkdir(t)
	plan := func(args ...string) []string {
		return append([]string{"plan", "--quiet", "--recipe", recipe, "--out", runs, "--estimators", "ste"}, args...)
	}
	fidelity := func(args ...string) []string {
		return append([]string{"fidelity", "--quiet", "--init", "--recipe", recipe, "--estimators", "ste"}, args...)
	}
	for _, tc := range []struct {
		args []string
		want string // in the error's first line
	}{
		{plan("--epochs", "-0"), "bad --epochs -0: "},
		{plan("--epochs", "00"), "bad --epochs 00: "},
		{plan("--width", "-0"), "bad --width -0: "},
		{plan("--width", "1e41"), "width 1e41 gives stem 1.6e+42 channels (16 × 1e41, rounded)"},
		{plan("--width", "3.3e-1"), "width 3.3e-1 gives stem 5.28 channels (16 × 3.3e-1)"},
		{plan("--lr-grid", "0.3,1e41"), "--lr-grid ×1e41 of tiny's lr 0.1: "},
		{plan("--lr-grid", "1,1.0000000001e0"), "--lr-grid ×1 and ×1.0000000001e0 of tiny's lr 0.1 both train at lr 0.1"},
		{[]string{"models", "--model", "resnet20", "--width", "1E2"}, "width 1E2: the network has more than"},
		{[]string{"models", "--model", "resnet20", "--width", "3.3e-1"}, "width 3.3e-1 gives stem 5.28 channels"},
		{[]string{"models", "--model", "resnet20", "--classes", "-0"}, "bad --classes -0: "},
		// The bounds models.Build checks: the classes and the input as
		// typed, not 70000 and 1×28×99999.
		{[]string{"models", "--classes", "0070000"}, "models: alexnet: 0070000 classes, want at most 65536"},
		{[]string{"models", "--model", "resnet20", "--classes", "0070000"}, "models: resnet20: 0070000 classes, want at most 65536"},
		{[]string{"models", "--input", "1x028x099999"}, "models: alexnet: input shape 1x028x099999, want a height and width of at most 16384"},
		{[]string{"models", "--model", "vgg-small", "--input", "070000X28×28"}, "models: vgg-small: input shape 070000X28×28, want at most 65536 channels"},
		{[]string{"models", "--model", "alexnet", "--input", "1x028x028"}, "models: alexnet: input 1x028x028 too small: "},
		{[]string{"models", "--model", "resnet20", "--input", "1x028x027"}, "models: resnet20: input 1x028x027: a 28×27 map cannot be halved"},
		{[]string{"models", "--model", "alexnet", "--input", "03x064x064", "--classes", "010", "--width", "16"}, "models: alexnet: 03x064x064 inputs, 010 classes, width 16: the network has more than"},
		{[]string{"curves", "--estimators", "ste", "--points", "00"}, "--points must be at least 2, got 00"},
		{[]string{"curves", "--estimators", "ste", "--from", "1e39"}, "--from 1e39 is outside float32's range"},
		{[]string{"curves", "--estimators", "ste", "--from", "2E0", "--to", "1"}, "got --from 2E0 --to 1"},
		{[]string{"curves", "--estimators", "ste", "--progress", "5e-1"}, "--progress 5e-1: none of the estimators"},
		{fidelity("--batch", "01"), "--batch 01: "},
		{fidelity("--sample", "-0"), "--sample -0: "},
		{fidelity("--eval-batches", "00"), "--eval-batches 00: "},
		{fidelity("--bootstrap", "0100"), "--bootstrap 0100: "},
		{fidelity("--batch", "05000"), "--batch 05000 is more than the 32 images"},
		{fidelity("--batch", "032"), "--batch 032 takes all the 32 images"},
		{fidelity("--batch", "010", "--eval-batches", "03"), "--eval-batches 03 with --batch 010: "},
		{fidelity("--epochs", "02"), `--epochs "02" with --init: `},
		{[]string{"eval", "--model", "absent.gbnn", "--batch", "-0"}, "--batch -0: "},
		{[]string{"eval", "--model", "absent.gbnn", "--test-subset", "-01"}, "--test-subset -01: "},
		{[]string{"slurm", "--quiet", "--recipe", recipe, "--out", runs, "--estimators", "ste", "--cpus-per-task", "02147483647"}, "bad --cpus-per-task 02147483647: "},
		{[]string{"slurm", "--quiet", "--recipe", recipe, "--out", runs, "--estimators", "ste", "--max-parallel", "02147483648"}, "bad --max-parallel 02147483648: "},
		// Lists: the item as typed, and which it is.
		{plan("--lr-grid", "0.3,x,3"), `item 2 of 3: "x" is not`},
		{plan("--seeds", "1,x"), `item 2 of 2: "x" is not`},
		{plan("--seeds", "01,001"), `item 2 of 2: seed 001 is given twice (item 1, "01", is the same seed): give each once, as in "01"`},
		{[]string{"plan", "--quiet", "--recipe", recipe, "--out", runs, "--estimators", "ste,fda:n=x"}, `item 2 of 2, "fda:n=x": fda: bad value`},
		{[]string{"fidelity", "--quiet", "--run", filepath.Join(runs, "r.json"), "--estimators", "ste", "--epochs", "1,x"}, `item 2 of 2: "x" is not an epoch`},
		{[]string{"fidelity", "--quiet", "--run", filepath.Join(runs, "r.json"), "--estimators", "ste", "--epochs", "0,05,5"}, `item 3 of 3: epoch 5 is given twice (item 2, "05", is the same epoch)`},
		// The rule: refused at the flag, as typed.
		{plan("--epochs", "+5"), `invalid value "+5" for flag --epochs: want a decimal integer without a leading "+"`},
		{plan("--width", "+0.5"), `invalid value "+0.5" for flag --width: want a decimal number without a leading "+"`},
		{plan("--width", "Inf"), `invalid value "Inf" for flag --width: want a finite decimal number`},
		{plan("--width", "nan"), `invalid value "nan" for flag --width: want a finite decimal number`},
		{[]string{"curves", "--estimators", "ste", "--from", "-infinity"}, `invalid value "-infinity" for flag --from: want a finite decimal number`},
		{[]string{"curves", "--estimators", "ste", "--points", "+5"}, `invalid value "+5" for flag --points`},
		{fidelity("--batch", "+8"), `invalid value "+8" for flag --batch`},
		{plan("--lr-grid", "0.3,+3"), `item 2 of 2: "+3" has a leading "+"`},
	} {
		_, stderr, err := runGradbench(t, tc.args...)
		line := ""
		if err != nil {
			line = err.Error()
		}
		if first := firstLine(stderr); first != "" {
			line = first
		}
		if err == nil || !strings.Contains(line, tc.want) {
			t.Errorf("gradbench %q: error %q, want it to contain %q", tc.args, line, tc.want)
		}
	}
}
