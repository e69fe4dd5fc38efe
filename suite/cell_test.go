package suite

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/estimators"
)

func testWorkload(t testing.TB) Workload {
	t.Helper()
	r, err := ParseRecipe(strings.NewReader(goodRecipe), "tiny")
	if err != nil {
		t.Fatal(err)
	}
	return Workload{Recipe: *r}
}

func TestCellsOrderAndIndex(t *testing.T) {
	s := Sweep{
		Workload: testWorkload(t),
		Specs:    []estimators.Spec{estimators.MustParse("ste"), estimators.MustParse("ste:c=2"), estimators.MustParse("ste+na")},
		Seeds:    []uint64{1, 2},
	}
	var got []string
	for i, c := range s.Cells() {
		if c.Index != i {
			t.Errorf("cell %d has Index %d", i, c.Index)
		}
		got = append(got, c.String())
	}
	want := "ste seed 1|ste:c=2 seed 1|ste+na seed 1|ste seed 2|ste:c=2 seed 2|ste+na seed 2"
	if strings.Join(got, "|") != want {
		t.Errorf("Cells() = %s, want %s (seed-major, specs in the order given)", strings.Join(got, "|"), want)
	}
}

func TestKey(t *testing.T) {
	w := testWorkload(t)
	cell := func(w Workload, spec string, seed uint64) Cell {
		return Cell{Workload: &w, Spec: estimators.MustParse(spec), Seed: seed}
	}
	base := cell(w, "ste", 1)
	// Pinned: a change of this value means every cached run is invalidated.
	// Bump FormatVersion when that is intended, then update the value.
	const pinned = "b2f3ca9417010122"
	if got := base.Key(); got != pinned {
		t.Errorf("Key() = %s, want %s (canonical configuration changed: bump FormatVersion and update)", got, pinned)
	}
	same := map[string]Cell{
		"equivalent spec": cell(w, "ste:c=1", 1),
		"same sides":      cell(w, "w=ste/a=ste:c=1", 1),
		"data dir":        func() Cell { w := w; w.DataDir = "/elsewhere"; return cell(w, "ste", 1) }(),
		"recipe name":     func() Cell { w := w; w.Recipe.Name = "other"; return cell(w, "ste", 1) }(),
		"description":     func() Cell { w := w; w.Recipe.Description = "x"; return cell(w, "ste", 1) }(),
	}
	for name, c := range same {
		if c.Key() != base.Key() {
			t.Errorf("%s: Key() = %s, want %s (not part of the configuration)", name, c.Key(), base.Key())
		}
	}
	diff := map[string]Cell{
		"seed":       cell(w, "ste", 2),
		"estimator":  cell(w, "ste:c=2", 1),
		"na":         cell(w, "ste+na", 1),
		"epochs":     func() Cell { w := w; w.Recipe.Epochs = 2; return cell(w, "ste", 1) }(),
		"width":      func() Cell { w := w; w.Recipe.Width = 0.5; return cell(w, "ste", 1) }(),
		"weights":    cell(w, "w=ste:c=2/a=ste", 1),
		"acts":       cell(w, "w=ste/a=ste:c=2", 1),
		"na weights": cell(w, "w=ste+na/a=ste", 1),
		"lr":         func() Cell { w := w; w.Recipe.LR = 0.2; return cell(w, "ste", 1) }(),
		"dataset":    func() Cell { w := w; w.Recipe.Dataset = "mnist"; return cell(w, "ste", 1) }(),
		// A grid's cell, and one that holds out another share for
		// validation: its runs train on other images.
		"grid":            func() Cell { c := cell(w, "ste", 1); c.LRScale = 1; return c }(),
		"grid validation": func() Cell { w := w; w.Recipe.Validation = 0.2; c := cell(w, "ste", 1); c.LRScale = 1; return c }(),
	}
	seen := map[string]string{base.Key(): "base"}
	for name, c := range diff {
		k := c.Key()
		if other, dup := seen[k]; dup {
			t.Errorf("%s: Key() = %s, same as %s", name, k, other)
		}
		seen[k] = name
	}
	if a, b := cell(w, "a=ste/w=ste:c=2", 1), cell(w, "w=ste:c=2/a=ste", 1); a.Key() != b.Key() || a.Config().Estimator != "w=ste:c=2/a=ste" {
		t.Errorf("the sides in either order: keys %s and %s, estimator %q; want one key and the canonical spec", a.Key(), b.Key(), a.Config().Estimator)
	}
	if !isKey(base.Key()) {
		t.Errorf("Key() = %q, want 16 hex digits", base.Key())
	}
	if base.Config().WorkloadKey() != cell(w, "ste:c=2", 7).Config().WorkloadKey() {
		t.Error("WorkloadKey differs between estimators and seeds of one workload")
	}
}

func TestParseSeeds(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"1", "[1]"},
		{"3", "[1 2 3]"},
		{"1,2,5", "[1 2 5]"},
		{"7,3", "[7 3]"},
		{"4..6", "[4 5 6]"},
		{"9..9", "[9]"},
		// The loop over a range must stop at the top of uint64 instead of
		// wrapping to 0 and running until memory is gone.
		{"18446744073709551615..18446744073709551615", "[18446744073709551615]"},
		{"18446744073709551614..18446744073709551615", "[18446744073709551614 18446744073709551615]"},
		{"18446744073709550616..18446744073709551615", fmt.Sprint(seedRange(18446744073709550616, 1000))},
	}
	for _, tt := range tests {
		got, err := ParseSeeds(tt.in)
		if err != nil || fmt.Sprint(got) != tt.want {
			t.Errorf("ParseSeeds(%q) = %v, %v, want %s", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"0", "", "-1", "x", "1,1", "1,0", "3..2", "0..2", "1,,2", "2000",
		"18446744073709550615..18446744073709551615", "1..18446744073709551615"} {
		if _, err := ParseSeeds(bad); err == nil || !strings.HasPrefix(err.Error(), "suite: bad seeds") {
			t.Errorf("ParseSeeds(%q) error = %v, want a bad seeds error", bad, err)
		}
	}
	// A seed too large to read said it was "not an integer >= 1": it is
	// one, out of range, and the error gives the largest.
	for in, want := range map[string]string{
		"1,99999999999999999999":  `"99999999999999999999" is out of range: the largest seed is 18446744073709551615`,
		"1..99999999999999999999": `"99999999999999999999" is out of range: the largest seed is 18446744073709551615`,
		"99999999999999999999..1": `"99999999999999999999" is out of range: the largest seed is 18446744073709551615`,
	} {
		if _, err := ParseSeeds(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseSeeds(%q) error = %v, want it to say %s", in, err, want)
		}
	}
	// Tried as a new user would: --seeds 3-4, a range as other tools
	// write it, was refused as holding a sign. It says how a range is
	// written; a dash elsewhere is still a sign.
	for in, want := range map[string]string{
		"3-4":   `suite: bad seeds "3-4": a range is written with two dots, lo..hi: write "3..4" for seeds 3 to 4`,
		"1-10":  `write "1..10" for seeds 1 to 10`,
		"-3":    "a sign (+ or -) is not allowed",
		"3-":    "a sign (+ or -) is not allowed",
		"1,3-4": "a sign (+ or -) is not allowed",
		"3--4":  "a sign (+ or -) is not allowed",
		// The dotted form suggested must be one that is taken: "5-3"
		// was told to write "5..3", which is then refused as running
		// backwards. Where the dotted form is refused too, the error
		// says why instead.
		"5-3":    `a range is written with two dots, lo..hi, and as "5..3" it is refused too: the range runs backwards: write the lower seed first, as in "3..5"`,
		"0-3":    `as "0..3" it is refused too: seeds start at 1: 0 is not a seed`,
		"1-5000": `as "1..5000" it is refused too: more than 1000 seeds`,
	} {
		if _, err := ParseSeeds(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseSeeds(%q) error = %v, want one containing %q", in, err, want)
		}
	}
	// Tried as a new user would: --seeds " 3" was trimmed while --width
	// " 0.5" was refused. White space is refused anywhere, saying so.
	for _, spaced := range []string{" 3", "3 ", " 7, 3 ", "7, 3", "4 ..6", "1,\t2", "3\n"} {
		if _, err := ParseSeeds(spaced); err == nil || !strings.Contains(err.Error(), "white space is not allowed") {
			t.Errorf("ParseSeeds(%q) error = %v, want white space refused", spaced, err)
		}
	}
	// A sign is refused alike in a count, a list and a range, saying so.
	for _, signed := range []string{"+2", "-2", "1,+2", "+1,2", "1,-2", "+1..3", "1..+3"} {
		if _, err := ParseSeeds(signed); err == nil || !strings.Contains(err.Error(), "sign") {
			t.Errorf("ParseSeeds(%q) error = %v, want an error naming the sign", signed, err)
		}
	}
	// Tried as a new user would: a range within a list was refused as a
	// range whose ends are not integers.
	for _, mixed := range []string{"1..3,5", "5,1..3", "1..2,4..5"} {
		if _, err := ParseSeeds(mixed); err == nil || !strings.Contains(err.Error(), "a range and a list do not combine") {
			t.Errorf("ParseSeeds(%q) error = %v, want an error saying that a range and a list do not combine", mixed, err)
		}
	}
}

// TestParseListsOdd: tried as a new user would, --seeds 1,,2, 1.. and
// 3..1, --lr-grid 1,  and --optimizers sgd,,adam were refused as an item
// "" that is not a number or optimizer, or as a range needing 1 <= lo <=
// hi, without saying what was wrong or what to write. Each is refused as
// what it is, with what to write instead; a list is used as given, so a
// comma too many is refused rather than skipped, and so is an item given
// twice.
func TestParseListsOdd(t *testing.T) {
	const want = " (want a count N for seeds 1..N, a list 1,2,5 or a range 4..6)"
	for in, msg := range map[string]string{
		"1,,2":     `suite: bad seeds "1,,2": an empty item between two commas: remove one comma, as in "1,2"` + want,
		"1,2,":     `suite: bad seeds "1,2,": it ends with a comma: remove it, as in "1,2"` + want,
		",1":       `suite: bad seeds ",1": it starts with a comma: remove it, as in "1"` + want,
		",":        `suite: bad seeds ",": only commas, no item` + want,
		"1..3,":    `suite: bad seeds "1..3,": it ends with a comma: remove it, as in "1..3"` + want,
		"1..":      `suite: bad seeds "1..": the range has no last seed: write both ends, lo..hi (4..6 is seeds 4, 5 and 6)` + want,
		"..3":      `suite: bad seeds "..3": the range has no first seed: write both ends, as in "1..3"` + want,
		"3..1":     `suite: bad seeds "3..1": the range runs backwards: write the lower seed first, as in "1..3"` + want,
		"0..2":     `suite: bad seeds "0..2": seeds start at 1: 0 is not a seed` + want,
		"1...3":    `suite: bad seeds "1...3": a range needs integers 1 <= lo <= hi` + want,
		"1,1":      `suite: bad seeds "1,1": item 2 of 2: seed 1 is given twice (item 1, "1", is the same seed): give each once, as in "1"` + want,
		"3,1,3,1":  `suite: bad seeds "3,1,3,1": item 3 of 4: seed 3 is given twice (item 1, "3", is the same seed): give each once, as in "3,1"` + want,
		"1,01":     `suite: bad seeds "1,01": item 2 of 2: seed 01 is given twice (item 1, "1", is the same seed): give each once, as in "1"` + want,
		"2,01,001": `suite: bad seeds "2,01,001": item 3 of 3: seed 001 is given twice (item 2, "01", is the same seed): give each once, as in "2,01"` + want,
	} {
		if got, err := ParseSeeds(in); err == nil || err.Error() != msg {
			t.Errorf("ParseSeeds(%q) = %v, %v\nwant error %s", in, got, err, msg)
		}
	}
	for in, msg := range map[string]string{
		"1,":      `suite: bad --lr-grid "1,": it ends with a comma: remove it, as in "1"`,
		",":       `suite: bad --lr-grid ",": only commas, no item`,
		"1,3,1e0": `suite: bad --lr-grid "1,3,1e0": 1e0 is given twice: give each once, as in "1,3"`,
	} {
		if got, err := ParseLRGrid(in); err == nil || err.Error() != msg {
			t.Errorf("ParseLRGrid(%q) = %v, %v\nwant error %s", in, got, err, msg)
		}
	}
	for in, msg := range map[string]string{
		"sgd,,adam": `suite: bad --optimizers "sgd,,adam": an empty item between two commas: remove one comma, as in "sgd,adam"`,
		",adam":     `suite: bad --optimizers ",adam": it starts with a comma: remove it, as in "adam"`,
		"sgd,sgd":   `suite: bad --optimizers "sgd,sgd": sgd is given twice: give each once, as in "sgd"`,
	} {
		if got, err := ParseOptimizers(in); err == nil || err.Error() != msg {
			t.Errorf("ParseOptimizers(%q) = %v, %v\nwant error %s", in, got, err, msg)
		}
	}
}

func TestParseSeed(t *testing.T) {
	for in, want := range map[string]uint64{"1": 1, "3": 3, "7": 7, "2000": 2000, "18446744073709551615": math.MaxUint64} {
		if got, err := ParseSeed(in); err != nil || got != want {
			t.Errorf("ParseSeed(%q) = %d, %v, want %d", in, got, err, want)
		}
	}
	for bad, why := range map[string]string{
		"": "empty", "0": "not an integer >= 1", "x": "not an integer >= 1",
		// Too large to read is out of range, not "not an integer".
		"18446744073709551616": "out of range: the largest seed is 18446744073709551615",
		"2,3":                  "not a list or a range", "2..3": "not a list or a range", "+2": "sign", "-2": "sign",
		// A range written with a dash was refused as holding a sign.
		"1-3": "one network is measured, so one seed: not a range", "2-": "sign",
		" 7": "white space is not allowed", "7 ": "white space is not allowed", " 7 ": "white space is not allowed",
	} {
		if _, err := ParseSeed(bad); err == nil || !strings.HasPrefix(err.Error(), "suite: bad seed ") || !strings.Contains(err.Error(), why) {
			t.Errorf("ParseSeed(%q) error = %v, want a bad seed error saying %q", bad, err, why)
		}
	}
}

// seedRange returns the n seeds from a on.
func seedRange(a uint64, n int) []uint64 {
	seeds := make([]uint64, n)
	for i := range seeds {
		seeds[i] = a + uint64(i)
	}
	return seeds
}

// TestRunSpec checks the spec of a configuration: as recorded for runs
// planned now, and the sided spec meant by an earlier run's binarize
// setting.
func TestRunSpec(t *testing.T) {
	for _, tc := range []struct{ binarize, est, want string }{
		{"both", "fda+na", "fda+na"},
		{"", "w=fda/a=ste", "w=fda/a=ste"},
		{"weights", "fda+na", "w=fda+na/a=ste"},
		{"activations", "dsq:alpha=0.4", "w=ste/a=dsq:alpha=0.4"},
		{"weights", "ste", "ste"},
	} {
		got, err := RunSpec(tc.binarize, tc.est)
		if err != nil || got.String() != tc.want {
			t.Errorf("RunSpec(%q, %q) = %q, %v, want %q", tc.binarize, tc.est, got, err, tc.want)
		}
	}
	if _, err := RunSpec("all", "ste"); err == nil || !strings.Contains(err.Error(), `unknown binarize setting "all"`) {
		t.Errorf(`RunSpec("all", "ste"): err = %v, want unknown binarize setting`, err)
	}
	c := Config{Binarize: "weights", Estimator: "fda"}
	if s, err := c.EstimatorSpec(); err != nil || s.String() != "w=fda/a=ste" {
		t.Errorf("EstimatorSpec of a weights-only record = %q, %v", s, err)
	}
}
