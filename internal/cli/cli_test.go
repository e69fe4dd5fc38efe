package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestFlagSet(t *testing.T) {
	fs := FlagSet("tool", "tool [flags] file", "./cmd/tool", "what it does")
	fs.Int("n", 3, "how many")
	var out strings.Builder
	fs.SetOutput(&out)
	if err := fs.Parse([]string{"-h"}); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("Parse(-h) = %v, want flag.ErrHelp", err)
	}
	want := "usage: tool [flags] file\n\nRun `go doc ./cmd/tool` for what it does.\n\nFlags:\n  -n int\n    \thow many (default 3)\n"
	if out.String() != want {
		t.Errorf("usage:\n%q\nwant\n%q", out.String(), want)
	}
	if err := fs.Parse([]string{"-x"}); err == nil || errors.Is(err, flag.ErrHelp) {
		t.Errorf("Parse(-x) = %v, want an error returned, not an exit", err)
	}
}

// TestParsePrintsNameFirst: a refused flag is printed as "tool: error",
// as Main prints the command's other errors, then the usage, and Main does
// not print it again; the flag package printed it bare, and Main then
// printed it a second time with the name. -h prints the usage alone.
func TestParsePrintsNameFirst(t *testing.T) {
	fs := FlagSet("tool", "tool [flags] file", "./cmd/tool", "what it does")
	Int(fs, "n", 3, "how many")
	var out strings.Builder
	fs.SetOutput(&out)
	err := Parse(fs, []string{"-n", "0x10"})
	want := `invalid value "0x10" for flag -n: want a decimal integer`
	if err == nil || err.Error() != want || !errors.As(err, new(printedError)) {
		t.Errorf("Parse(-n 0x10) = %v, want %q marked as printed", err, want)
	}
	if first, rest, _ := strings.Cut(out.String(), "\n"); first != "tool: "+want || !strings.HasPrefix(rest, "usage: tool [flags] file\n") || strings.Contains(rest, want) {
		t.Errorf("Parse(-n 0x10) printed\n%s\nwant %q, then the usage alone", out.String(), "tool: "+want)
	}
	out.Reset()
	if err := Parse(fs, []string{"-h"}); !errors.Is(err, flag.ErrHelp) || !strings.HasPrefix(out.String(), "usage: tool [flags] file\n") {
		t.Errorf("Parse(-h) = %v, printed\n%s\nwant flag.ErrHelp and the usage", err, out.String())
	}
}

// TestParseNamesFlagsWithOneDash: the small commands' documentation and
// usage write their flags -o, as the flag package's errors do, and the
// flags a refused one may have meant are written so too (they read
// --out, gradbench's way).
func TestParseNamesFlagsWithOneDash(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-ou", "x"}, "tool: flag provided but not defined: -ou (did you mean -out?)"},
		{[]string{"--ou=x"}, "tool: flag provided but not defined: -ou (did you mean -out?)"},
		{[]string{"--out"}, "tool: flag needs an argument: -out"},
		{[]string{"--n", "x"}, `tool: invalid value "x" for flag -n: want a decimal integer`},
		{[]string{"--paired=2"}, `tool: invalid boolean value "2" for -paired: parse error`},
	} {
		fs := FlagSet("tool", "tool [flags] file", "./cmd/tool", "what it does")
		fs.String("out", "", "output `file`")
		Int(fs, "n", 3, "how many")
		fs.Bool("paired", false, "paired runs")
		var out strings.Builder
		fs.SetOutput(&out)
		if err := Parse(fs, tc.args); err == nil {
			t.Errorf("Parse(%q) parsed", tc.args)
		}
		if first, _, _ := strings.Cut(out.String(), "\n"); first != tc.want {
			t.Errorf("Parse(%q) printed %q first, want %q", tc.args, first, tc.want)
		}
	}
}

// TestParseRefusesEmptyStrings: benchreport -o "" wrote the report to
// standard output, as if -o had been left out: a string flag given an
// empty or blank value is refused, naming it, what it wants and what
// leaving it out gives; a string flag left out, or given a value, is not.
func TestParseRefusesEmptyStrings(t *testing.T) {
	newFS := func() *flag.FlagSet {
		fs := FlagSet("tool", "tool [flags]", "./cmd/tool", "what it does")
		fs.String("o", "", "write to this `file`")
		fs.String("title", "Benchmarks", "report title")
		fs.String("out", "", "output `file` (required)")
		Int(fs, "n", 3, "how many")
		fs.SetOutput(io.Discard)
		return fs
	}
	for _, c := range []struct {
		args []string
		want string // "" for none
	}{
		{nil, ""},
		{[]string{"-o", "x", "-title", "T", "-out", "y", "-n", "0"}, ""},
		{[]string{"-o", ""}, `-o "" is empty: give the file, or leave -o out`},
		{[]string{"-o="}, `-o "" is empty: give the file, or leave -o out`},
		{[]string{"-title", " \t"}, `-title " \t" is blank: give the value, or leave -title out for its default ("Benchmarks")`},
		{[]string{"-out", ""}, `-out "" is empty: give the file (-out is required)`},
		{[]string{"-title", "", "-o", " "}, `-o " " is blank: give the file, or leave -o out; -title "" is empty: give the value, or leave -title out for its default ("Benchmarks")`},
	} {
		err := Parse(newFS(), c.args)
		if c.want == "" && err != nil || c.want != "" && (err == nil || err.Error() != c.want) {
			t.Errorf("Parse(%q) = %v, want %q", c.args, err, c.want)
		}
	}
}

// TestDecimalFlags: Int, Uint64 and Float64 read values in base 10 only
// (010 is ten), refuse the other forms Go source allows, naming the flag,
// and print the same help as the flag package's own flags.
func TestDecimalFlags(t *testing.T) {
	for _, tc := range []struct {
		value, want string // want: the value read, or the error
	}{
		{"010", "n=10 u=1 f=1"}, {"-010", "n=-10 u=1 f=1"}, {"0", "n=0 u=1 f=1"},
		// A leading "+" is refused, as --seeds and --cell refuse it.
		{"+7", `invalid value "+7" for flag -n: want a decimal integer without a leading "+"`},
		{"0x10", `invalid value "0x10" for flag -n: want a decimal integer`},
		{"0X10", `invalid value "0X10" for flag -n: want a decimal integer`},
		{"0b11", `invalid value "0b11" for flag -n: want a decimal integer`},
		{"0o7", `invalid value "0o7" for flag -n: want a decimal integer`},
		{"1_000", `invalid value "1_000" for flag -n: want a decimal integer`},
		{"1e3", `invalid value "1e3" for flag -n: want a decimal integer`},
		{"99999999999999999999", `invalid value "99999999999999999999" for flag -n: value out of range`},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		n, u, f := Int(fs, "n", 3, ""), Uint64(fs, "u", 1, ""), Float64(fs, "f", 1, "")
		got := ""
		if err := fs.Parse([]string{"-n", tc.value}); err != nil {
			got = err.Error()
		} else {
			got = fmt.Sprintf("n=%d u=%d f=%g", *n, *u, *f)
		}
		if got != tc.want {
			t.Errorf("-n %s: got %s, want %s", tc.value, got, tc.want)
		}
	}
	for _, tc := range []struct {
		flag, value, want string
	}{
		{"u", "010", "n=3 u=10 f=1"},
		{"u", "0x10", `invalid value "0x10" for flag -u: want a decimal integer >= 0`},
		{"u", "-1", `invalid value "-1" for flag -u: want a decimal integer >= 0`},
		{"u", "1_0", `invalid value "1_0" for flag -u: want a decimal integer >= 0`},
		{"f", "010", "n=3 u=1 f=10"},
		{"f", "-.5e1", "n=3 u=1 f=-5"},
		// Refused at the flag, quoted as typed: no float flag takes them,
		// and a later range check would name them +Inf and NaN.
		{"f", "inf", `invalid value "inf" for flag -f: want a finite decimal number, not inf or nan`},
		{"f", "-Infinity", `invalid value "-Infinity" for flag -f: want a finite decimal number, not inf or nan`},
		{"f", "NaN", `invalid value "NaN" for flag -f: want a finite decimal number, not inf or nan`},
		{"f", "+0.5", `invalid value "+0.5" for flag -f: want a decimal number without a leading "+"`},
		{"f", "+Inf", `invalid value "+Inf" for flag -f: want a decimal number without a leading "+"`},
		{"u", "+1", `invalid value "+1" for flag -u: want a decimal integer >= 0`}, // strconv.ParseUint refuses it
		{"f", "5.", "n=3 u=1 f=5"},
		{"f", ".5", "n=3 u=1 f=0.5"},
		{"f", "0x1p-3", `invalid value "0x1p-3" for flag -f: want a decimal number`},
		{"f", "0X1P-3", `invalid value "0X1P-3" for flag -f: want a decimal number`},
		{"f", "1_0", `invalid value "1_0" for flag -f: want a decimal number`},
		{"f", "1e999", `invalid value "1e999" for flag -f: value out of range: overflows float64 to +Inf (its largest magnitude is 1.7976931348623157e+308)`},
		{"f", "-1e999", `invalid value "-1e999" for flag -f: value out of range: overflows float64 to -Inf (its largest magnitude is 1.7976931348623157e+308)`},
		// ParseFloat reads a nonzero number below float64's smallest
		// magnitude as 0 without an error: curves --from 1e-400 printed
		// x = 0, and --width 1e-400 was refused as "bad --width 0".
		{"f", "1e-400", `invalid value "1e-400" for flag -f: value out of range: underflows to 0 in float64 (its smallest magnitude is 5e-324)`},
		{"f", "-2.5E-999", `invalid value "-2.5E-999" for flag -f: value out of range: underflows to 0 in float64 (its smallest magnitude is 5e-324)`},
		{"f", "0e-999", "n=3 u=1 f=0"},
		{"f", "-0.000", "n=3 u=1 f=-0"},
		// Tried as a new user would: a subnormal was used with fewer
		// digits than written (1.2345678901234567e-320 as 1.2347e-320).
		{"f", "5e-324", `invalid value "5e-324" for flag -f: value out of range: underflows to a subnormal in float64, 5e-324, which holds fewer digits (its smallest normal magnitude is 2.2250738585072014e-308)`},
		{"f", "-1.2345678901234567e-320", `invalid value "-1.2345678901234567e-320" for flag -f: value out of range: underflows to a subnormal in float64, -1.2347e-320, which holds fewer digits (its smallest normal magnitude is 2.2250738585072014e-308)`},
		{"f", "2.2250738585072014e-308", "n=3 u=1 f=2.2250738585072014e-308"},
		{"f", "1.7976931348623157e308", "n=3 u=1 f=1.7976931348623157e+308"},
		{"f", "one", `invalid value "one" for flag -f: want a decimal number`},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		n, u, f := Int(fs, "n", 3, ""), Uint64(fs, "u", 1, ""), Float64(fs, "f", 1, "")
		got := ""
		if err := fs.Parse([]string{"-" + tc.flag, tc.value}); err != nil {
			got = err.Error()
		} else {
			got = fmt.Sprintf("n=%d u=%d f=%g", *n, *u, *f)
		}
		if got != tc.want {
			t.Errorf("-%s %s: got %s, want %s", tc.flag, tc.value, got, tc.want)
		}
	}

	// The help is the flag package's, placeholders and defaults included.
	define := func(plain bool) string {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		var i int
		var x float64
		if plain {
			fs.Int("a", 0, "an int")
			fs.Int("b", 5, "a `count`")
			fs.IntVar(&i, "c", -1, "an int var")
			fs.Uint64("d", 1, "a uint64")
			fs.Float64("e", 0, "a float")
			fs.Float64Var(&x, "g", 0.5, "a `ratio`")
		} else {
			Int(fs, "a", 0, "an int")
			Int(fs, "b", 5, "a `count`")
			IntVar(fs, &i, "c", -1, "an int var")
			Uint64(fs, "d", 1, "a uint64")
			Float64(fs, "e", 0, "a float")
			Float64Var(fs, &x, "g", 0.5, "a `ratio`")
		}
		var b strings.Builder
		fs.SetOutput(&b)
		PrintDefaults(fs, "-")
		if !plain {
			// PrintDefaults puts the decimal flags back once it has printed.
			fs.SetOutput(io.Discard)
			if err := fs.Parse([]string{"-a", "0x1"}); err == nil {
				t.Error("after PrintDefaults, -a 0x1 is read")
			}
		}
		return b.String()
	}
	if got, want := define(false), define(true); got != want {
		t.Errorf("help:\n%s\nwant the flag package's:\n%s", got, want)
	}
}

func TestDigits(t *testing.T) {
	for s, want := range map[string]int{"0": 0, "7": 7, "010": 10, strconv.Itoa(math.MaxInt): math.MaxInt} {
		if got, ok := Digits(s); !ok || got != want {
			t.Errorf("Digits(%q) = %d, %v; want %d", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "+1", "-0", "-1", " 1", "1\n", "1 ", "0x10", "1_0", "1e3", "9223372036854775808"} {
		if got, ok := Digits(s); ok {
			t.Errorf("Digits(%q) = %d, true; want false", s, got)
		}
	}
}

// TestParseFloat: what float64 does not hold as written is refused,
// saying how (a ParseFloat range error is a strconv.ErrRange).
func TestParseFloat(t *testing.T) {
	for in, want := range map[string]float64{"0.3": 0.3, "1e308": 1e308, "-0": 0, "0e-999": 0, "2.2250738585072014e-308": 0x1p-1022} {
		if got, err := ParseFloat(in); err != nil || got != want {
			t.Errorf("ParseFloat(%q) = %g, %v, want %g", in, got, err, want)
		}
	}
	if got, err := ParseFloat("inf"); err != nil || !math.IsInf(got, 1) {
		t.Errorf("ParseFloat(inf) = %g, %v, want +Inf for the caller to refuse by name", got, err)
	}
	for in, want := range map[string]string{
		"1e400":   "overflows float64 to +Inf (its largest magnitude is 1.7976931348623157e+308)",
		"1e-400":  "underflows to 0 in float64 (its smallest magnitude is 5e-324)",
		"-1e-310": "underflows to a subnormal in float64, -1e-310, which holds fewer digits (its smallest normal magnitude is 2.2250738585072014e-308)",
	} {
		if _, err := ParseFloat(in); err == nil || err.Error() != want || !errors.Is(err, strconv.ErrRange) {
			t.Errorf("ParseFloat(%q) error = %v, want %q, a strconv.ErrRange", in, err, want)
		}
	}
	for _, in := range []string{"", " 1", "1 ", "0x1p-3", "1_0", "one", "1,5"} {
		if _, err := ParseFloat(in); err != ErrNotDecimal {
			t.Errorf("ParseFloat(%q) error = %v, want ErrNotDecimal", in, err)
		}
	}
}

// TestExitCode: -h asked for help, and benchreport -h, bnrecal -h and
// stepprofile -h exited with status 1, as for a refused flag, where
// gradbench --help exits 0. Help is 0, however wrapped; every failure,
// printed already or not, is 1.
func TestExitCode(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{nil, 0},
		{flag.ErrHelp, 0},
		{fmt.Errorf("parse: %w", flag.ErrHelp), 0},
		{errors.New("no input"), 1},
		{printedError{errors.New("invalid value")}, 1},
	} {
		if got := exitCode(tc.err); got != tc.want {
			t.Errorf("exitCode(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

// repeated is a Repeatable flag's Value, as benchreport's -target.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ",") }
func (r *repeated) Set(s string) error { *r = append(*r, s); return nil }
func (r *repeated) Repeatable()        {}

// TestParseRefusesTwice: the flag package keeps a flag's last value
// without a word, so benchreport -title A -title B titled its report B,
// the A given and ignored. A flag given twice is refused, naming every
// value; a Repeatable flag repeats.
func TestParseRefusesTwice(t *testing.T) {
	newFS := func() (*flag.FlagSet, *repeated, *int) {
		fs := FlagSet("tool", "tool [flags]", "./cmd/tool", "what it does")
		fs.String("title", "Benchmarks", "report title")
		fs.Bool("paired", false, "paired runs")
		n := Int(fs, "n", 3, "how many")
		var r repeated
		fs.Var(&r, "target", "a target (repeatable)")
		fs.SetOutput(io.Discard)
		return fs, &r, n
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-title", "A", "-title", "B"}, `-title given 2 times ("A", then "B"): give each flag once`},
		{[]string{"-title=A", "-title", "A"}, `-title given 2 times ("A", then "A"): give each flag once`},
		{[]string{"-paired", "-paired=false"}, `-paired given 2 times ("true", then "false"): give each flag once`},
		{[]string{"-n", "1", "-title", "T", "-n", "010", "-n", "2"}, `-n given 3 times ("1", then "010", then "2"): give each flag once`},
		{[]string{"-n", "1", "-n", "2", "-paired", "-paired"}, `-n given 2 times ("1", then "2"); -paired given 2 times ("true", then "true"): give each flag once`},
	} {
		fs, _, _ := newFS()
		if err := Parse(fs, c.args); err == nil || err.Error() != c.want {
			t.Errorf("Parse(%q) = %v, want %q", c.args, err, c.want)
		}
	}
	fs, r, n := newFS()
	if err := Parse(fs, []string{"-target", "a", "-n", "010", "-target", "b"}); err != nil || len(*r) != 2 || *n != 10 {
		t.Errorf("Parse(-target a -n 010 -target b) = %v, targets %q, n %d; want no error, [a b], 10", err, *r, *n)
	}
	// The flags' own Values are back once parsed: the usage prints the
	// defaults as the flag package does, and -n is still read in base 10.
	var b strings.Builder
	fs.SetOutput(&b)
	fs.Usage()
	if !strings.Contains(b.String(), "how many (default 3)") {
		t.Errorf("usage after Parse:\n%s", b.String())
	}
	if _, ok := fs.Lookup("n").Value.(*decimal); !ok {
		t.Errorf("-n's Value after Parse is %T, want its own", fs.Lookup("n").Value)
	}
}

// zeroIsOne is a flag Value whose zero value prints "1", as a command's
// own Value types may: the flag package shows a default only where it
// differs from that.
type zeroIsOne struct{ p *int }

func (z zeroIsOne) String() string {
	if z.p == nil {
		return "1"
	}
	return strconv.Itoa(*z.p)
}

func (z zeroIsOne) Set(s string) error {
	n, err := strconv.Atoi(s)
	*z.p = n
	return err
}

// TestPrintDefaultsDash: PrintDefaults with "--" writes each flag
// --name, as gradbench's docs and errors write them, and is otherwise
// the flag package's listing: placeholders from backquotes or the type,
// the usage on the flag's line for a one-letter bool, further lines of
// the usage indented (and left as written, dashes included), the
// defaults and when they are shown, a custom Value's zero value. The
// flag package wrote -epochs in gradbench's help, beside --epochs in its
// README, examples and errors.
func TestPrintDefaultsDash(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.Bool("v", false, "verbose")
	fs.Bool("quiet", false, "no hints")
	fs.String("out", "results/runs", "runs `directory`, as in --out=x or -out x")
	fs.String("model", "", "model name")
	Int(fs, "n", 3, "how many\n  -n 0 is refused\n--nn below")
	Int(fs, "nn", 0, "a count")
	Float64(fs, "lr", 0.5, "a `ratio`")
	var one, two int = 1, 2
	fs.Var(zeroIsOne{&one}, "one", "zero is one, so no default shown")
	fs.Var(zeroIsOne{&two}, "two", "shown: 2")

	var plain, got strings.Builder
	fs.SetOutput(&plain)
	PrintDefaults(fs, "-")
	fs.SetOutput(&got)
	PrintDefaults(fs, "--")
	if fs.Output() != io.Writer(&got) {
		t.Errorf("PrintDefaults left the output %v, want it as it was", fs.Output())
	}
	want := "" +
		"  --lr ratio\n    \ta ratio (default 0.5)\n" +
		"  --model string\n    \tmodel name\n" +
		"  --n int\n    \thow many\n    \t  -n 0 is refused\n    \t--nn below (default 3)\n" +
		"  --nn int\n    \ta count\n" +
		"  --one value\n    \tzero is one, so no default shown\n" +
		"  --out directory\n    \truns directory, as in --out=x or -out x (default \"results/runs\")\n" +
		"  --quiet\n    \tno hints\n" +
		"  --two value\n    \tshown: 2 (default 2)\n" +
		"  --v\tverbose\n"
	if got.String() != want {
		t.Errorf("PrintDefaults(fs, \"--\"):\n%s\nwant\n%s", got.String(), want)
	}
	// The flag package's own listing but for the dash of each flag (no
	// usage above starts a line with "  -": the flag package indents
	// its further lines).
	if got, want := got.String(), strings.ReplaceAll("\n"+plain.String(), "\n  -", "\n  --")[1:]; got != want {
		t.Errorf("PrintDefaults(fs, \"--\"):\n%s\nwant the flag package's with -- for -:\n%s", got, want)
	}

	// A listing whose heads are not where the flag package puts them is
	// left whole rather than written half with one dash, half with two.
	for _, listing := range []string{"  -a int\n", "  -b int\n  -a int\n", "  -ab int\n  -b\n"} {
		if got := redash(listing, []string{"a", "b"}, "--"); got != listing {
			t.Errorf("redash(%q) = %q, want it unchanged", listing, got)
		}
	}
}

// TestTimesPrinted: the product of an integer and a float64 as printed.
func TestTimesPrinted(t *testing.T) {
	for _, tt := range []struct {
		c    int
		w    float64
		want string
	}{
		{96, 0.3, "28.8"}, // float64: 28.799999999999997
		{100, 0.29, "29"}, // float64: 28.999999999999996
		{100, 0.1, "10"},
		{96, 1.0 / 48, "1.999999999999999872"},
		{3, 1e-300, "3e-300"},
		{-2, 0.5, "-1"},
		{7, 0, "0"},
		// A factor that is NaN or infinite made TimesPrinted panic (the
		// NaN its decimal parse refused left a nil number to multiply,
		// and ∞ × 0 is big.Float's ErrNaN panic), in a message that was
		// to report the value. It gives what float64 gives.
		{100, math.NaN(), "NaN"},
		{100, math.Inf(1), "+Inf"},
		{-3, math.Inf(1), "-Inf"},
		{0, math.Inf(-1), "NaN"},
	} {
		got := func() (s string) {
			defer func() {
				if r := recover(); r != nil {
					s = fmt.Sprintf("panic: %v", r)
				}
			}()
			return TimesPrinted(tt.c, tt.w)
		}()
		if got != tt.want {
			t.Errorf("TimesPrinted(%d, %v) = %s, want %s", tt.c, tt.w, got, tt.want)
		}
	}
}

// TestTyped: Typed returns each flag given as typed, the numbers' text
// included, which their values no longer hold.
func TestTyped(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	Int(fs, "n", 3, "")
	Float64(fs, "f", 1, "")
	Uint64(fs, "u", 1, "")
	fs.String("s", "", "")
	if err := fs.Parse([]string{"-n", "-0", "-f", "1e41", "-s", "x"}); err != nil {
		t.Fatal(err)
	}
	got := Typed(fs)
	want := map[string]string{"n": "-0", "f": "1e41", "s": "x"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Typed = %v, want %v (-u not given: not in it)", got, want)
	}
}
