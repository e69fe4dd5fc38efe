package main

import (
	"bufio"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestRun writes the state of a batch of 2 and reads it back as
// resnet20.py does: the tensors follow one another without gaps, in the
// documented order, with 18 binary layer inputs and one gradient per
// parameter, and the layer counts add up to the parameters.
func TestRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "ste.state")
	if err := run([]string{"-est", "ste", "-batch", "2", "-warm", "1", "-o", out}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := bufio.NewReader(f)
	line, err := r.ReadBytes('\n')
	if err != nil {
		t.Fatal(err)
	}
	var h header
	if err := json.Unmarshal(line, &h); err != nil {
		t.Fatal(err)
	}
	rest, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	next, params, values := 0, 0, 0
	var order []string
	for _, tn := range h.Tensors {
		if tn.Offset != next {
			t.Fatalf("tensor %s %s at offset %d, want %d", tn.Kind, tn.Name, tn.Offset, next)
		}
		n := 1
		for _, d := range tn.Shape {
			n *= d
		}
		if n != tn.Len {
			t.Errorf("tensor %s %s: shape %v holds %d values, len %d", tn.Kind, tn.Name, tn.Shape, n, tn.Len)
		}
		next += tn.Len
		if count[tn.Kind] == 0 {
			order = append(order, tn.Kind)
		}
		count[tn.Kind]++
		if tn.Kind == "param" {
			params += tn.Len
		}
	}
	if len(rest) != 4*next {
		t.Errorf("%d bytes of values, want %d", len(rest), 4*next)
	}
	if got := strings.Join(order, " "); got != "param buffer input binary_input logits grad buffer_after" {
		t.Errorf("tensor kinds in the order %s", got)
	}
	if count["binary_input"] != 18 || count["grad"] != count["param"] || count["buffer"] != count["buffer_after"] {
		t.Errorf("tensors per kind %v: want 18 binary inputs and as many gradients and buffers after as before", count)
	}
	for _, l := range h.Layers {
		values += l.Params
	}
	if values != params || h.Batch != 2 || len(h.Labels) != 2 || h.Spec != "ste" || h.Loss <= 0 {
		t.Errorf("header: layers hold %d parameters (tensors %d), batch %d, %d labels, spec %q, loss %v", values, params, h.Batch, len(h.Labels), h.Spec, h.Loss)
	}
}

func TestRunErrors(t *testing.T) {
	out := filepath.Join(t.TempDir(), "x")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "no output file"},
		{[]string{"-o", out, "-batch", "1"}, "-batch 1"},
		{[]string{"-o", out, "-warm", "-1"}, "-warm -1"},
		// A batch whose tensors overflow an int panicked in nn.NewTensor.
		{[]string{"-o", out, "-batch", strconv.Itoa(math.MaxInt)}, "-batch " + strconv.Itoa(math.MaxInt) + ": want at most 65536"},
		{[]string{"-o", out, "-batch", "65537"}, "-batch 65537: want at most 65536"},
		{[]string{"-o", out, "-est", "nope"}, "unknown estimator"},
		// -est nope fails at once should a value be read.
		{[]string{"-o", out, "-est", "nope", "-seed", "0x10"}, `invalid value "0x10" for flag -seed: want a decimal integer >= 0`},
		{[]string{"-o", out, "-est", "nope", "-batch", "0b11"}, `invalid value "0b11" for flag -batch: want a decimal integer`},
		{[]string{"-o", out, "-est", "nope", "-warm", "1_0"}, `invalid value "1_0" for flag -warm: want a decimal integer`},
		{[]string{"-o", out, "extra"}, "unexpected arguments"},
	} {
		if err := run(tc.args); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run(%q) = %v, want an error containing %q", tc.args, err, tc.want)
		}
	}
}

// TestRunSeedAndWarm: -seed and -warm reach the state written. The same
// flags write the same bytes; another seed gives other initial weights
// (the first parameter tensor differs with no warm-up step) and the
// header names it; a warm-up step changes the state. Ignoring either flag
// passed every other test, which gave one seed and one warm-up.
func TestRunSeedAndWarm(t *testing.T) {
	dir := t.TempDir()
	state := func(name string, args ...string) (header, []byte) {
		t.Helper()
		out := filepath.Join(dir, name)
		if err := run(append([]string{"-est", "ste", "-batch", "2", "-o", out}, args...)); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		line, rest, ok := strings.Cut(string(b), "\n")
		var h header
		if err := json.Unmarshal([]byte(line), &h); !ok || err != nil || len(h.Tensors) == 0 || h.Tensors[0].Kind != "param" {
			t.Fatalf("%s: header %q: %v", name, line, err)
		}
		return h, []byte(rest)
	}
	h2, s2 := state("seed2", "-seed", "2", "-warm", "0")
	_, again := state("seed2again", "-seed", "2", "-warm", "0")
	h3, s3 := state("seed3", "-seed", "3", "-warm", "0")
	_, warm := state("seed2warm1", "-seed", "2", "-warm", "1")
	if h2.Seed != 2 || h3.Seed != 3 {
		t.Errorf("headers name seeds %d and %d, want 2 and 3", h2.Seed, h3.Seed)
	}
	if string(s2) != string(again) {
		t.Fatal("the same flags wrote different states")
	}
	first := 4 * h2.Tensors[0].Len // the first parameter tensor, initial weights at -warm 0
	if string(s2[:first]) == string(s3[:first]) {
		t.Errorf("-seed 2 and -seed 3 start from the same %s", h2.Tensors[0].Name)
	}
	if string(s2) == string(warm) {
		t.Error("-warm 0 and -warm 1 wrote the same state")
	}
}

// TestRunRefusesRunFile: tried as a new user would, -o naming a run's
// record replaced it with the captured tensors and exited 0. A run's
// files are refused as -o before the capture, and the record is kept.
func TestRunRefusesRunFile(t *testing.T) {
	rec := filepath.Join(t.TempDir(), "0123456789abcdef.json")
	if err := os.WriteFile(rec, []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := run([]string{"-o", rec, "-batch", "2", "-warm", "0"})
	if want := "-o " + rec + ": refusing to write there: it names a run record"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("-o over a run record: %v, want an error starting %q", err, want)
	}
	if b, err := os.ReadFile(rec); err != nil || string(b) != "{}\n" {
		t.Errorf("the record holds %q (%v), want it unchanged", b, err)
	}
}

// TestCountsQuotedAsTyped: a refused -batch or -warm is quoted as typed,
// not as the parsed number prints ("-0" and "01" are 0 and 1).
func TestCountsQuotedAsTyped(t *testing.T) {
	out := filepath.Join(t.TempDir(), "peer.bin")
	for _, args := range [][]string{{"-batch", "01"}, {"-warm", "-01"}} {
		err := run(append([]string{"-o", out}, args...))
		if want := args[0] + " " + args[1] + ": "; err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q: error %v, want it to start %q", args, err, want)
		}
	}
}
