package cli

import (
	"errors"
	"flag"
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
// -epochs: want a decimal integer"). Print the help with PrintDefaults,
// which keeps the flag package's placeholders (int, uint, float).

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
	return d.Value.Set(v)
}

var errRange = errors.New("value out of range") // the flag package's words

func decimalInt(s string) (string, error) {
	n, err := strconv.ParseInt(s, 10, strconv.IntSize)
	if errors.Is(err, strconv.ErrRange) {
		return "", errRange
	}
	if err != nil {
		return "", errors.New("want a decimal integer")
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

// decimalFloat refuses hexadecimal floats (0x1p-3) and underscores (1_0),
// which strconv.ParseFloat reads, and a nonzero number below float64's
// smallest magnitude (1e-400), which it reads as 0 without an error; inf
// and nan pass, for the command's own check of the range to refuse by
// name.
func decimalFloat(s string) (string, error) {
	if strings.ContainsAny(s, "xX_") {
		return "", errors.New("want a decimal number")
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return "", errRange
		}
		return "", errors.New("want a decimal number")
	}
	if mantissa, _, _ := strings.Cut(strings.ToLower(s), "e"); v == 0 && strings.ContainsAny(mantissa, "123456789") {
		return "", errors.New("value out of range: below float64's smallest magnitude, 5e-324, it would be 0")
	}
	return s, nil
}

// PrintDefaults is fs.PrintDefaults, the flags that Int, IntVar, Uint64,
// Float64 and Float64Var define shown as the flag package shows its own
// (a placeholder int, uint or float when the usage names none).
func PrintDefaults(fs *flag.FlagSet) {
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
	fs.PrintDefaults()
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
