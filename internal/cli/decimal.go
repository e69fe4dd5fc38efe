package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Int, IntVar, Uint64, Float64 and Float64Var define numeric flags as the
// flag package's methods of the same names do (same default, usage and
// help), but the values are read in base 10 only. The flag package reads
// an int as Go source does, so "010" would be 8 (octal), "0x10" 16 and
// "1_000" 1000, and a float64 also as a hexadecimal float ("0x1p-3") or
// with underscores; here "010" is ten and the others are refused, the
// error naming the flag and the value ("invalid value "0x10" for flag
// -epochs: want a decimal integer", which Explain writes "--epochs" for
// gradbench). Print the help with PrintDefaults,
// which keeps the flag package's placeholders (int, uint, float).
//
// The rule, the same for every number the commands read (these flags,
// the numbers of a list flag such as --lr-grid, --seeds and --cell): a
// number is written in decimal, with an optional "-" and, for a float, a
// fraction and an exponent (-0.5, 5., .5, 3.3e-1 and 1E2 alike); leading
// zeros are decimal too (007 is seven). Refused, quoting the value as
// typed: a leading "+" (the positive number is written without it, as
// --seeds and --cell have always wanted: "+5" is read as 5 by strconv and
// refused by them, and one rule for all is easier to learn than two),
// white space, a base prefix or underscores, and, for a float flag, inf,
// infinity and nan in any case (no flag takes a number that is not
// finite). Any later check of the value (a range, a model's widths) is to
// quote it as typed too: Typed returns the text of each flag given.

// Int defines a base-10 int flag: see fs.Int.
func Int(fs *flag.FlagSet, name string, value int, usage string) *int {
	return newVar(fs, name, value, usage, IntVar)
}

// IntVar defines a base-10 int flag: see fs.IntVar.
func IntVar(fs *flag.FlagSet, p *int, name string, value int, usage string) {
	fs.IntVar(p, name, value, usage)
	decimalize(fs, name, decimalInt)
}

// Uint64 defines a base-10 uint64 flag: see fs.Uint64.
func Uint64(fs *flag.FlagSet, name string, value uint64, usage string) *uint64 {
	p := fs.Uint64(name, value, usage)
	decimalize(fs, name, decimalUint)
	return p
}

// Float64 defines a decimal float64 flag: see fs.Float64.
func Float64(fs *flag.FlagSet, name string, value float64, usage string) *float64 {
	return newVar(fs, name, value, usage, Float64Var)
}

// Float64Var defines a decimal float64 flag: see fs.Float64Var.
func Float64Var(fs *flag.FlagSet, p *float64, name string, value float64, usage string) {
	fs.Float64Var(p, name, value, usage)
	decimalize(fs, name, decimalFloat)
}

// newVar defines a flag with define (IntVar or Float64Var) on a new
// variable, which it returns, as fs.Int does with fs.IntVar.
func newVar[T any](fs *flag.FlagSet, name string, value T, usage string, define func(*flag.FlagSet, *T, string, T, string)) *T {
	p := new(T)
	define(fs, p, name, value, usage)
	return p
}

// decimalize wraps the Value of the flag name, just defined, in a
// decimal that reads it with parse.
func decimalize(fs *flag.FlagSet, name string, parse func(string) (string, error)) {
	f := fs.Lookup(name)
	f.Value = &decimal{Value: f.Value, parse: parse}
}

// A decimal is a numeric flag's Value from the flag package (which
// PrintDefaults shows) that checks each value with parse, which returns
// it in a form the wrapped Value reads as the same number.
type decimal struct {
	flag.Value
	parse func(string) (string, error)
	typed string // the value given, as typed
}

// String is the wrapped Value's, and "" for a zero decimal (the flag
// package calls String on one to tell a default from the zero value).
func (d *decimal) String() string {
	if d == nil || d.Value == nil {
		return ""
	}
	return d.Value.String()
}

func (d *decimal) Set(s string) error {
	v, err := d.parse(s)
	if err != nil {
		return err
	}
	if err := d.Value.Set(v); err != nil {
		return err
	}
	d.typed = s
	return nil
}

// Typed returns the value of each flag of fs that was given, by the
// flag's name, as the user typed it: for a numeric flag of Int, IntVar,
// Uint64, Float64 or Float64Var, the text it was read from ("-0", "007",
// "1e41"), which the number no longer holds (it prints as 0, 7 and
// 1e+41); for any other flag, its Value's String. A check made after
// parsing quotes the value from here, so that the user finds in the
// error what they typed.
// A command's own Value that reads a number (gradbench slurm's
// --cpus-per-task) is a TypedValue, to be quoted as typed too.
func Typed(fs *flag.FlagSet) map[string]string {
	typed := map[string]string{}
	fs.Visit(func(f *flag.Flag) {
		if t, ok := f.Value.(TypedValue); ok {
			typed[f.Name] = t.Typed()
			return
		}
		typed[f.Name] = f.Value.String()
	})
	return typed
}

// A TypedValue is a flag's Value that keeps the text it was last Set
// from, as typed (Typed).
type TypedValue interface {
	flag.Value
	Typed() string
}

// Typed returns the value as typed.
func (d *decimal) Typed() string { return d.typed }

var errRange = errors.New("value out of range") // the flag package's words

func decimalInt(s string) (string, error) {
	n, err := strconv.ParseInt(s, 10, strconv.IntSize)
	if errors.Is(err, strconv.ErrRange) {
		return "", errRange
	}
	if err != nil {
		return "", errors.New("want a decimal integer")
	}
	if s[0] == '+' {
		return "", errors.New(`want a decimal integer without a leading "+"`)
	}
	return strconv.FormatInt(n, 10), nil // no leading 0 to read as octal
}

func decimalUint(s string) (string, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if errors.Is(err, strconv.ErrRange) {
		return "", errRange
	}
	if err != nil {
		return "", errors.New("want a decimal integer >= 0")
	}
	return strconv.FormatUint(n, 10), nil
}

// decimalFloat checks a float flag's value with ParseFloat, saying "value
// out of range: " (the flag package's words) before why a number float64
// does not hold is refused, and refuses inf, infinity and nan: no float
// flag takes them, and refused here they are quoted as typed ("Inf"),
// where a later check of the range would name the number ("+Inf").
func decimalFloat(s string) (string, error) {
	v, err := ParseFloat(s)
	if errors.Is(err, strconv.ErrRange) {
		return "", fmt.Errorf("value out of range: %w", err)
	}
	if err != nil {
		return "", err
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "", ErrNotFinite
	}
	return s, nil
}

// ErrNotFinite is the refusal of inf, infinity or nan where a number is
// wanted.
var ErrNotFinite = errors.New("want a finite decimal number, not inf or nan")

// ErrPlus is ParseFloat's error for a number written with a leading "+".
var ErrPlus = errors.New(`want a decimal number without a leading "+"`)

// ErrNotDecimal is ParseFloat's error for a value that is not a decimal
// number.
var ErrNotDecimal = errors.New("want a decimal number")

// ParseFloat reads s, a decimal number, as the float64 every number flag
// and list of the repository's commands uses, refusing what float64 would
// not hold as written rather than use another value:
//
//   - a hexadecimal float (0x1p-3) or underscores (1_0), which
//     strconv.ParseFloat reads, and anything else that is not a decimal
//     number, white space included: ErrNotDecimal;
//   - a leading "+" (+5), which strconv.ParseFloat reads: ErrPlus, as the
//     numeric flags refuse it (see Int);
//   - a magnitude above float64's largest, 1.7976931348623157e+308, which
//     would be ±Inf ("overflows float64 to +Inf");
//   - a nonzero magnitude below float64's smallest, 5e-324, which
//     strconv.ParseFloat reads as 0 without an error ("underflows to 0 in
//     float64");
//   - a nonzero magnitude below float64's smallest normal one,
//     2.2250738585072014e-308, which float64 holds as a subnormal with
//     fewer digits than the 15 to 17 it holds of any other number
//     ("underflows to a subnormal in float64").
//
// The range errors wrap strconv.ErrRange. The words inf, infinity and nan
// are returned as such, for the caller's check of the range to refuse by
// name.
func ParseFloat(s string) (float64, error) {
	if strings.ContainsAny(s, "xX_") {
		return 0, ErrNotDecimal
	}
	if strings.HasPrefix(s, "+") {
		if _, err := strconv.ParseFloat(s[1:], 64); err == nil || errors.Is(err, strconv.ErrRange) {
			return 0, ErrPlus
		}
		return 0, ErrNotDecimal
	}
	v, err := strconv.ParseFloat(s, 64)
	switch {
	case errors.Is(err, strconv.ErrRange):
		return 0, rangeError(fmt.Sprintf("overflows float64 to %s (its largest magnitude is %g)", strconv.FormatFloat(v, 'g', -1, 64), math.MaxFloat64))
	case err != nil:
		return 0, ErrNotDecimal
	case v == 0 && nonzeroMantissa(s):
		return 0, rangeError(fmt.Sprintf("underflows to 0 in float64 (its smallest magnitude is %g)", math.SmallestNonzeroFloat64))
	case v != 0 && math.Abs(v) < minNormal64:
		return 0, rangeError(fmt.Sprintf("underflows to a subnormal in float64, %g, which holds fewer digits (its smallest normal magnitude is %g)", v, minNormal64))
	}
	return v, nil
}

// minNormal64 is float64's smallest normal magnitude.
const minNormal64 = 0x1p-1022

// A rangeError says why a number is beyond what float64 holds; it is a
// strconv.ErrRange.
type rangeError string

func (e rangeError) Error() string { return string(e) }

func (e rangeError) Unwrap() error { return strconv.ErrRange }

// nonzeroMantissa reports whether the decimal number s has a nonzero
// digit before its exponent, so that a parsed 0 means it underflowed.
func nonzeroMantissa(s string) bool {
	mantissa, _, _ := strings.Cut(strings.ToLower(s), "e")
	return strings.ContainsAny(mantissa, "123456789")
}

// PrintDefaults is fs.PrintDefaults, the flags that Int, IntVar, Uint64,
// Float64 and Float64Var define shown as the flag package shows its own
// (a placeholder int, uint or float when the usage names none), with
// each flag written with dash, as the command's docs write its flags:
// "  --epochs int" for gradbench, "  -o string" for the bench tools ("-",
// which leaves the flag package's text as it is).
//
// Everything else is the flag package's: the placeholder taken from the
// usage's backquotes or the Value's type, the usage and its indentation,
// the default and the rule for when one is shown (a default that differs
// from the String of the Value type's zero value, also for the commands'
// own Value types). The listing is rendered by fs.PrintDefaults and only
// the leading dash of each flag is changed: see redash.
func PrintDefaults(fs *flag.FlagSet, dash string) {
	wrapped := map[*flag.Flag]flag.Value{}
	fs.VisitAll(func(f *flag.Flag) {
		if d, ok := f.Value.(*decimal); ok {
			wrapped[f] = d
			f.Value = d.Value
		}
	})
	defer func() {
		for f, v := range wrapped {
			f.Value = v
		}
	}()
	if dash == "-" {
		fs.PrintDefaults()
		return
	}
	out := fs.Output()
	var b strings.Builder
	fs.SetOutput(&b)
	defer fs.SetOutput(out)
	fs.PrintDefaults()
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	io.WriteString(out, redash(b.String(), names, dash))
}

// redash writes the flags of listing, fs.PrintDefaults' text for the
// flags names (in the order it lists them, VisitAll's), with dash where
// the flag package writes "-".
//
// PrintDefaults starts each flag's entry on a line of its own with
// "  -name", followed by a space and the placeholder, a tab and the usage
// (a flag of one letter without a placeholder), or the end of the line;
// every further line of the usage starts with four spaces and a tab (a
// line of its own could otherwise come only from a default whose String
// holds a newline, which none of the commands' does, and would be taken
// for a head only if it started with "  -" and the next flag's name). So
// the line of each flag's entry is found in order, each after the one
// before, by that head alone, and only its "-" is replaced: the usage,
// however it is worded (--account=proj, -c2), is never looked at. If a
// head is not found where the flag package puts it, listing is returned
// as it is, the flags written with the one dash they are also read with,
// rather than some with one dash and some with another.
func redash(listing string, names []string, dash string) string {
	lines := strings.SplitAfter(listing, "\n")
	next := 0
	for i, line := range lines {
		if next == len(names) {
			break
		}
		head := "  -" + names[next]
		if rest, ok := strings.CutPrefix(line, head); ok && rest != "" && strings.ContainsRune(" \t\n", rune(rest[0])) {
			lines[i] = "  " + dash + line[len("  -"):]
			next++
		}
	}
	if next < len(names) {
		return listing
	}
	return strings.Join(lines, "")
}

// TimesPrinted returns c × w for a message that prints w beside it in
// its shortest form (strconv 'g', -1): the exact product of c and w as
// printed, which a reader can check, rather than the float64 product
// (96 × 0.3 is 28.8, where float64 gives 28.799999999999997, which reads
// as a value computed wrong; 100 × 0.29 is 29, not 28.999999999999996).
// The product has at most 17 + 20 significant digits, far fewer than
// the 256 bits it is worked out in, so it is printed exactly, in the
// form 'g' gives (3e-300). A w that is NaN or infinite has no decimal
// form to multiply: the float64 product is given, as 'g' prints it.
func TimesPrinted(c int, w float64) string {
	if math.IsNaN(w) || math.IsInf(w, 0) {
		return strconv.FormatFloat(float64(c)*w, 'g', -1, 64)
	}
	return TimesText(c, strconv.FormatFloat(w, 'g', -1, 64))
}

// TimesText is TimesPrinted for a factor printed as text, a decimal
// number (as typed on a command line, "3.3e-1"): the exact product of c
// and the number text writes, in the form 'g' gives. A text that is no
// decimal number gives "".
func TimesText(c int, text string) string {
	printed, _, err := new(big.Float).SetPrec(256).Parse(text, 10)
	if err != nil {
		return ""
	}
	return printed.Mul(printed, new(big.Float).SetInt64(int64(c))).Text('g', 40)
}

// Digits returns the value of s written as plain decimal digits, and
// whether it is one that fits an int: no sign, no space, no prefix, so
// that a cell index or a count is read exactly as typed (strconv.Atoi
// would take "+1", "-0" and, after a TrimSpace, " 1\n" as well).
func Digits(s string) (int, bool) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}
