package suite

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/gradbench/gradbench/internal/cli"
)

// The list flags of a sweep (--optimizers, --lr-grid, --seeds): each
// value used exactly as given or refused, saying what to write instead.

// ParseOptimizers parses the --optimizers flag: a comma-separated list of
// OptimizerNames, each given once. An empty string is the recipe's
// optimizer alone.
func ParseOptimizers(s string) ([]string, error) {
	opts, _, err := parseList("--optimizers", s, func(f string) (string, string) {
		if !slices.Contains(OptimizerNames, f) {
			return "", fmt.Sprintf("unknown optimizer %q (have %s)", f, strings.Join(OptimizerNames, ", "))
		}
		return f, ""
	})
	return opts, err
}

// parseList parses s, the value of flag: a comma-separated list of items,
// each given once, parse reading an item into its value or saying why it
// is bad, which the error says after the item's place in a list of more
// than one (itemAt). It returns the values and each one's item as typed.
// An empty s is nil.
//
// White space is refused, not trimmed (" 1" or "0.3, 1"): a value is
// used as given, as the numeric flags (--width " 0.5") use it.
func parseList[T comparable](flag, s string, parse func(item string) (v T, bad string)) ([]T, []string, error) {
	if s == "" {
		return nil, nil, nil
	}
	if strings.ContainsFunc(s, unicode.IsSpace) {
		return nil, nil, fmt.Errorf("suite: bad %s %q: %s", flag, s, spaceNotAllowed)
	}
	parts := strings.Split(s, ",")
	if why := emptyItem(parts); why != "" {
		return nil, nil, fmt.Errorf("suite: bad %s %q: %s", flag, s, why)
	}
	var out []T
	var once []string // the items as given, each value's first
	dup := ""
	for i, f := range parts {
		v, bad := parse(f)
		if bad != "" {
			return nil, nil, fmt.Errorf("suite: bad %s %q: %s%s", flag, s, itemAt(i, len(parts)), bad)
		}
		if slices.Contains(out, v) {
			if dup == "" {
				dup = f
			}
			continue
		}
		out = append(out, v)
		once = append(once, f)
	}
	if dup != "" {
		return nil, nil, fmt.Errorf("suite: bad %s %q: %s is given twice: give each once, as in %q", flag, s, dup, strings.Join(once, ","))
	}
	return out, once, nil
}

// itemAt names the place of item i (0-based) of a list of n items, as
// the refusal of one item leads with it: "item 2 of 3: ", or "" for the
// one item of a list of one, which the list names already.
func itemAt(i, n int) string {
	if n < 2 {
		return ""
	}
	return fmt.Sprintf("item %d of %d: ", i+1, n)
}

// emptyItem says why the list split at its commas into parts has an
// empty item ("1,,3", "1,3,", ",1"), a comma too many, and what to write
// instead; "" when it has none. An empty item is refused, not skipped: a
// value is used as given or refused.
func emptyItem(parts []string) string {
	if len(parts) < 2 {
		return ""
	}
	var kept []string
	at := -1
	for i, p := range parts {
		if p == "" {
			if at < 0 {
				at = i
			}
			continue
		}
		kept = append(kept, p)
	}
	fix := strings.Join(kept, ",")
	switch {
	case at < 0:
		return ""
	case fix == "":
		return "only commas, no item"
	case at == 0:
		return fmt.Sprintf("it starts with a comma: remove it, as in %q", fix)
	case at == len(parts)-1:
		return fmt.Sprintf("it ends with a comma: remove it, as in %q", fix)
	}
	return fmt.Sprintf("an empty item between two commas: remove one comma, as in %q", fix)
}

// ParseLRGrid parses the --lr-grid flag: a comma-separated list of
// multipliers of the recipe's learning rate, such as "0.3,1,3", each a
// finite decimal number > 0 (no hexadecimal float, no underscores, no
// leading "+": the rule of cli.Int) given once; the list keeps the order given. An empty string is no grid. Each
// learning rate it makes must also be one float32 holds (not 0, not
// infinite), and no two the same float32, which Sweep.Check checks with
// the recipe.
func ParseLRGrid(s string) ([]float64, error) {
	grid, _, err := parseLRGrid(s)
	return grid, err
}

// parseLRGrid is ParseLRGrid, also returning each multiplier as typed.
func parseLRGrid(s string) ([]float64, []string, error) {
	const want = "want multipliers of the recipe's learning rate, such as 0.3,1,3"
	return parseList("--lr-grid", s, func(f string) (float64, string) {
		// strconv.ParseFloat reads 0x1p-1 as 0.5 and 1_0 as 10, and
		// 1e-400 as 0.
		v, err := cli.ParseFloat(f)
		hex := strings.TrimLeft(f, "+-")
		switch {
		case errors.Is(err, strconv.ErrRange):
			return 0, fmt.Sprintf("%q %v (%s)", f, err, want)
		case strings.HasPrefix(hex, "0x") || strings.HasPrefix(hex, "0X") || strings.Contains(f, "_"):
			return 0, fmt.Sprintf("%q is not a decimal number (%s)", f, want)
		case errors.Is(err, cli.ErrPlus):
			return 0, fmt.Sprintf("%q has a leading \"+\": write the number without it (%s)", f, want)
		case err != nil || !(v > 0) || math.IsInf(v, 0):
			return 0, fmt.Sprintf("%q is not a finite number > 0 (%s)", f, want)
		}
		return v, ""
	})
}

// spaceNotAllowed says why a flag's list or number with white space in it
// is refused: it would otherwise be trimmed, and a value is used as given
// or refused (as the numeric flags refuse --width " 0.5").
const spaceNotAllowed = "white space is not allowed: write the value without spaces"

// ParseSeeds parses the --seeds flag: a count N (seeds 1..N), a list
// "1,2,5", or a range "4..6". Seeds are integers >= 1 written as plain
// digits (no sign, no white space); duplicates are errors.
func ParseSeeds(s string) ([]uint64, error) {
	seeds, why := parseSeeds(s)
	if why != "" {
		return nil, fmt.Errorf("suite: bad seeds %q: %s (want a count N for seeds 1..N, a list 1,2,5 or a range 4..6)", s, why)
	}
	return seeds, nil
}

// parseSeeds is ParseSeeds, returning why s is refused rather than the
// error.
func parseSeeds(s string) ([]uint64, string) {
	bad := func(why string) string { return why }
	if s == "" {
		return nil, bad("empty")
	}
	if strings.ContainsFunc(s, unicode.IsSpace) {
		return nil, bad(spaceNotAllowed)
	}
	// "3-4" is a range written with a dash, as other tools write one:
	// say how a range is written, not that the dash is a sign.
	if lo, hi, ok := dashRange(s); ok {
		// Suggested only if it is taken: "5-3" is not to be told to
		// write "5..3", which runs backwards.
		dotted := lo + ".." + hi
		if _, why := parseSeeds(dotted); why != "" {
			return nil, bad(fmt.Sprintf("a range is written with two dots, lo..hi, and as %q it is refused too: %s", dotted, why))
		}
		return nil, bad(fmt.Sprintf("a range is written with two dots, lo..hi: write %q for seeds %s to %s", dotted, lo, hi))
	}
	// A sign is refused wherever it stands: a count, a list entry and a
	// range end are plain digits alike, rather than "+2" being taken as a
	// count while "1,+2" is refused.
	if strings.ContainsAny(s, "+-") {
		return nil, bad("a sign (+ or -) is not allowed: write seeds and counts as plain digits")
	}
	if why := emptyItem(strings.Split(s, ",")); why != "" {
		return nil, bad(why)
	}
	if strings.Contains(s, "..") && strings.Contains(s, ",") {
		return nil, bad("a range and a list do not combine: list every seed, as in 1,2,3,5")
	}
	if lo, hi, ok := strings.Cut(s, ".."); ok {
		a, err1 := strconv.ParseUint(lo, 10, 64)
		b, err2 := strconv.ParseUint(hi, 10, 64)
		switch {
		case lo == "" && err2 == nil:
			return nil, bad(fmt.Sprintf("the range has no first seed: write both ends, as in %q", "1.."+hi))
		case hi == "" && err1 == nil:
			return nil, bad("the range has no last seed: write both ends, lo..hi (4..6 is seeds 4, 5 and 6)")
		case err1 == nil && err2 == nil && (a == 0 || b == 0):
			return nil, bad("seeds start at 1: 0 is not a seed")
		case errors.Is(err1, strconv.ErrRange):
			return nil, bad(fmt.Sprintf("%q is %s", lo, seedOutOfRange))
		case errors.Is(err2, strconv.ErrRange):
			return nil, bad(fmt.Sprintf("%q is %s", hi, seedOutOfRange))
		case err1 == nil && err2 == nil && a > b:
			return nil, bad(fmt.Sprintf("the range runs backwards: write the lower seed first, as in %q", hi+".."+lo))
		case err1 != nil || err2 != nil:
			return nil, bad("a range needs integers 1 <= lo <= hi")
		}
		if b-a >= 1000 {
			return nil, bad("more than 1000 seeds")
		}
		// Count the seeds rather than compare against b: with b the
		// largest uint64, v <= b never fails and v++ wraps to 0.
		seeds := make([]uint64, b-a+1)
		for i := range seeds {
			seeds[i] = a + uint64(i)
		}
		return seeds, ""
	}
	if !strings.Contains(s, ",") {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return nil, bad("not an integer")
		}
		if err != nil || n < 1 || n > 1000 {
			return nil, bad("the count must be in 1..1000")
		}
		seeds := make([]uint64, n)
		for i := range seeds {
			seeds[i] = uint64(i + 1)
		}
		return seeds, ""
	}
	var seeds []uint64
	var once []string         // the items as given, each seed's first
	first := map[uint64]int{} // the index of each seed's first item
	dup, of := -1, -1         // the first item that repeats a seed, and that seed's first
	items := strings.Split(s, ",")
	for i, f := range items {
		v, err := strconv.ParseUint(f, 10, 64)
		if errors.Is(err, strconv.ErrRange) {
			return nil, bad(fmt.Sprintf("%s%q is %s", itemAt(i, len(items)), f, seedOutOfRange))
		}
		if err != nil || v < 1 {
			return nil, bad(fmt.Sprintf("%s%q is not an integer >= 1", itemAt(i, len(items)), f))
		}
		if j, ok := first[v]; ok {
			if dup < 0 {
				dup, of = i, j
			}
			continue
		}
		first[v] = i
		seeds = append(seeds, v)
		once = append(once, f)
	}
	if dup >= 0 {
		// Both items as typed ("1,01"), as --epochs says of an epoch
		// given twice, rather than the seed's number alone.
		return nil, bad(fmt.Sprintf("%sseed %s is given twice (item %d, %q, is the same seed): give each once, as in %q",
			itemAt(dup, len(items)), items[dup], of+1, items[of], strings.Join(once, ",")))
	}
	return seeds, ""
}

// dashRange reports whether s is two runs of digits joined by one dash,
// such as "3-4": a range as other tools write it, which gradbench writes
// "3..4". It returns the two ends.
func dashRange(s string) (lo, hi string, ok bool) {
	lo, hi, ok = strings.Cut(s, "-")
	digits := func(t string) bool {
		return t != "" && strings.Trim(t, "0123456789") == ""
	}
	return lo, hi, ok && digits(lo) && digits(hi)
}

// isDashRange is dashRange's answer alone.
func isDashRange(s string) bool {
	_, _, ok := dashRange(s)
	return ok
}

// ParseSeed parses one seed, for what measures a single network (gradbench
// fidelity --init): an integer >= 1 in plain digits. A list, a range or a
// sign is refused, saying so; "3" is seed 3, not a count.
func ParseSeed(s string) (uint64, error) {
	bad := func(why string) error {
		return fmt.Errorf("suite: bad seed %q: %s (want one seed, an integer >= 1 such as 3)", s, why)
	}
	switch {
	case s == "":
		return 0, bad("empty")
	case strings.ContainsFunc(s, unicode.IsSpace):
		return 0, bad(spaceNotAllowed)
	case strings.Contains(s, ",") || strings.Contains(s, ".."):
		return 0, bad("one network is measured, so one seed: not a list or a range")
	case isDashRange(s):
		// "1-3", a range written with a dash, not a negative number.
		return 0, bad("one network is measured, so one seed: not a range")
	case strings.ContainsAny(s, "+-"):
		return 0, bad("a sign (+ or -) is not allowed: write the seed as plain digits")
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if errors.Is(err, strconv.ErrRange) {
		return 0, bad(seedOutOfRange)
	}
	if err != nil || v < 1 {
		return 0, bad("not an integer >= 1")
	}
	return v, nil
}

// seedOutOfRange says why a seed of more digits than a uint64 holds is
// refused, giving the largest: it is an integer >= 1, which "not an
// integer >= 1" would deny.
var seedOutOfRange = fmt.Sprintf("out of range: the largest seed is %d", uint64(math.MaxUint64))
