package suite

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// SlurmOptions are the Slurm options of the job array (and, for
// Partition and Extra, of the table job too). Zero values leave the
// cluster's defaults.
type SlurmOptions struct {
	Partition string
	// Time is the time limit of each array task, in Slurm's format:
	// minutes, MM:SS, H:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS. It is
	// written as given, with Slurm's meaning: 0 (in any format) is no
	// limit, and seconds are rounded up to a minute. At most
	// 24855-03:13:00 (35791393 minutes), the longest sbatch reads.
	Time string
	// Mem is the memory per task, such as 4G, written as given with
	// Slurm's meaning: megabytes without a unit, K rounded up to a
	// megabyte, and 0 all of a node's memory. At most what sbatch holds
	// in a signed 64-bit count of megabytes (8796093022207T).
	Mem  string
	CPUs int // CPUs per task
	// MaxParallel, when > 0, runs at most that many array tasks at once.
	MaxParallel int
	JobName     string // the array's; the table job's adds -table
	// Extra holds more #SBATCH lines for both jobs, such as
	// --account=proj (with or without the #SBATCH prefix).
	Extra []string
	// Typed holds the flags' values as typed (cli.Typed), which the
	// refusals of --cpus-per-task and --max-parallel quote.
	Typed Typed
}

var (
	slurmTimeRE = regexp.MustCompile(`^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?$`)
	slurmMemRE  = regexp.MustCompile(`^\d+[KMGTkmgt]?$`)
	slurmNameRE = regexp.MustCompile(`^[A-Za-z0-9_.,+-]+$`)
)

// checkSlurmTime checks a time limit in one of Slurm's formats (minutes,
// MM:SS, H:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS), with every field after the
// first in its clock range: seconds and minutes below 60, and hours below
// 24 after a day count, and at most maxSlurmMinutes in all. Slurm would
// read 99:99:99 as more than 100 hours rather than refuse it, and a limit
// past its bound as another one.
func checkSlurmTime(s string) error {
	m := slurmTimeRE.FindStringSubmatch(s)
	if m == nil {
		return errors.New("want minutes, MM:SS, H:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS")
	}
	days := m[1] != ""
	if h, err := strconv.Atoi(m[2]); days && (err != nil || h >= 24) {
		return fmt.Errorf("%s hours after the days, want 0 to 23", m[2])
	}
	// The fields after the first: MM:SS (seconds) and D-HH:MM (minutes)
	// have one, H:MM:SS and D-HH:MM:SS two.
	names := []string{"minutes", "seconds"}
	switch {
	case m[3] == "":
		names = nil
	case m[4] == "" && days:
		names = names[:1]
	case m[4] == "":
		names = names[1:]
	}
	for i, f := range []string{m[3], m[4]}[:len(names)] {
		if v, err := strconv.Atoi(f); err != nil || v >= 60 {
			return fmt.Errorf("%s %s, want 0 to 59", f, names[i])
		}
	}
	if slurmTimeSeconds(m) > 60*maxSlurmMinutes {
		return fmt.Errorf("longer than %d minutes (%s), the longest time limit sbatch reads: it adds the limit up in seconds in a 32-bit integer", maxSlurmMinutes, slurmMaxTime)
	}
	return nil
}

// maxSlurmMinutes is the longest time limit, in minutes, that sbatch
// reads as written: it adds up --time in seconds in a C int, 32 bits
// signed, and then rounds it up to minutes by adding 59 (Slurm's
// src/common/parse_time.c, time_str2secs and time_str2mins), so a longer
// one would wrap around to another limit or to none.
const maxSlurmMinutes = 35791393

// slurmMaxTime is maxSlurmMinutes in Slurm's D-HH:MM:SS.
const slurmMaxTime = "24855-03:13:00"

// slurmTimeSeconds returns the seconds of the time limit m, a match of
// slurmTimeRE whose fields are in their clock ranges, or a number above
// 60*maxSlurmMinutes when it is longer than that (a field of any number of
// digits included).
func slurmTimeSeconds(m []string) uint64 {
	const over = 1 << 40 // above the bound, and small enough not to overflow below
	field := func(s string) uint64 {
		if s == "" {
			return 0
		}
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil || v > over {
			return over
		}
		return v
	}
	d, a, b, c := field(m[1]), field(m[2]), field(m[3]), field(m[4])
	switch {
	case m[1] != "": // D-HH[:MM[:SS]]
		return d*86400 + a*3600 + b*60 + c
	case m[4] != "": // H:MM:SS
		return a*3600 + b*60 + c
	default: // minutes[:SS]
		return a*60 + b
	}
}

// The most memory sbatch reads from --mem, by unit: it reads the number
// into a signed 64-bit integer and converts it to megabytes in that
// integer (Slurm's src/common/proc_args.c, str_to_mbytes), so a larger
// value would overflow it.
var slurmMaxMem = map[byte]uint64{
	'K': math.MaxInt64,
	'M': math.MaxInt64,
	'G': math.MaxInt64 / 1024,
	'T': math.MaxInt64 / (1024 * 1024),
}

// checkSlurmMem checks --mem, a match of slurmMemRE, against slurmMaxMem.
func checkSlurmMem(s string) error {
	unit := byte('M')
	digits := s
	if c := s[len(s)-1]; c < '0' || c > '9' {
		unit, digits = c&^0x20, s[:len(s)-1] // upper case
	}
	if v, err := strconv.ParseUint(digits, 10, 64); err != nil || v > slurmMaxMem[unit] {
		return fmt.Errorf("more than %d%c, the most sbatch reads: it holds --mem in megabytes in a signed 64-bit integer (at most %dT, %dG or %d megabytes)",
			slurmMaxMem[unit], unit, slurmMaxMem['T'], slurmMaxMem['G'], slurmMaxMem['M'])
	}
	return nil
}

// sbatchReserved are the sbatch options that gradbench slurm sets itself
// or has a flag for, by long name, with what to use instead.
var sbatchReserved = map[string]string{
	"array":         "gradbench slurm sets --array itself (one task per pending cell; --max-parallel sets its limit)",
	"dependency":    "gradbench slurm sets --dependency itself (the table job waits for the array)",
	"output":        "gradbench slurm sets --output itself (task logs go to --out/slurm/logs)",
	"error":         "gradbench slurm sets --output itself, which holds the tasks' stderr too (task logs go to --out/slurm/logs)",
	"job-name":      "use gradbench slurm's --job-name",
	"partition":     "use gradbench slurm's --partition",
	"time":          "use gradbench slurm's --time",
	"cpus-per-task": "use gradbench slurm's --cpus-per-task",
	"mem":           "use gradbench slurm's --mem",
}

// sbatchShort maps sbatch's short options for the reserved ones to their
// long names.
var sbatchShort = map[byte]string{'a': "array", 'd': "dependency", 'o': "output", 'e': "error", 'J': "job-name", 'p': "partition", 't': "time", 'c': "cpus-per-task"}

// sbatchShortArg are sbatch's short options that take a value, which is
// the rest of the word (-Jname) or else the next word (-J name). The
// others (-H, -v, -Q, ...) take none, so a word may group them (-HJname).
// An unknown letter is read as taking none, so that a reserved option
// grouped after it is still found.
const sbatchShortArg = "aABcCdDeFgGiJLmMnNopPqStUwx"

// sbatchWords splits an #SBATCH line into words as sbatch does: blanks
// separate them, single or double quotes group, a backslash escapes the
// next character and an unquoted # starts a comment.
func sbatchWords(s string) ([]string, error) {
	var words []string
	var w strings.Builder
	in, quote, escape := false, byte(0), false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case escape:
			escape = false
		case c == '\\':
			escape, in = true, true
			continue
		case quote != 0:
			if c == quote {
				quote = 0
				continue
			}
		case c == '"' || c == '\'':
			quote, in = c, true
			continue
		case c == '#':
			i = len(s)
			continue
		case c == ' ' || c == '\t':
			if in {
				words = append(words, w.String())
				w.Reset()
				in = false
			}
			continue
		}
		w.WriteByte(c)
		in = true
	}
	switch {
	case quote != 0:
		return nil, fmt.Errorf("unterminated %c quote", quote)
	case escape:
		return nil, errors.New("a backslash ends the line")
	}
	if in {
		words = append(words, w.String())
	}
	return words, nil
}

// sbatchExclusive are the sbatch options that sbatch refuses beside one
// that a gradbench slurm flag sets, by long name: the flag, and why.
var sbatchExclusive = map[string]struct{ flag, why string }{
	"mem-per-cpu":  {"mem", "sbatch refuses it beside the --mem line gradbench slurm's --mem writes: give one of them"},
	"mem-per-gpu":  {"mem", "sbatch refuses it beside the --mem line gradbench slurm's --mem writes: give one of them"},
	"cpus-per-gpu": {"cpus-per-task", "sbatch refuses it beside the --cpus-per-task line gradbench slurm's --cpus-per-task writes: give one of them"},
}

// reserved returns the sbatch options an --sbatch line may not set with
// these options, by long name, with what to do instead: sbatchReserved,
// and those of sbatchExclusive whose flag is given.
func (o *SlurmOptions) reserved() map[string]string {
	r := maps.Clone(sbatchReserved)
	for long, x := range sbatchExclusive {
		if x.flag == "mem" && o.Mem != "" || x.flag == "cpus-per-task" && o.CPUs > 0 {
			r[long] = x.why
		}
	}
	return r
}

// checkSbatchLine reads the words of an #SBATCH line as sbatch's option
// parser would (short options grouped or with attached values, long
// options with = or a separate value, long options abbreviated) and
// refuses every option of reserved (by long name, with what to do
// instead): those gradbench slurm sets or has a flag for, and those
// sbatch refuses beside them.
func checkSbatchLine(s string, reserved map[string]string) error {
	words, err := sbatchWords(s)
	if err != nil {
		return err
	}
	if len(words) == 0 {
		return errors.New("want an sbatch option such as --account=proj")
	}
	// value: the word may be the value of the long option before it;
	// skip: it is the value of the short option before it (-A -x is the
	// account -x), as getopt reads it.
	value, skip := false, false
	for _, w := range words {
		mayBeValue, isValue := value, skip
		value, skip = false, false
		switch {
		case isValue:
		case strings.HasPrefix(w, "--") && len(w) > 2:
			name, _, hasValue := strings.Cut(w[2:], "=")
			if name == "" {
				return fmt.Errorf("%q is not an sbatch option", w)
			}
			// sbatch reads an unambiguous abbreviation as the option it
			// abbreviates (--part=cpu is --partition=cpu). A name is a
			// reserved option itself before it abbreviates another
			// (--mem is --mem, not --mem-per-cpu), and the options it
			// abbreviates are tried in order, so that one is named.
			if why, ok := reserved[name]; ok {
				return fmt.Errorf("%q sets --%s: %s", w, name, why)
			}
			for _, long := range slices.Sorted(maps.Keys(reserved)) {
				if strings.HasPrefix(long, name) {
					return fmt.Errorf("%q sets --%s: %s", w, long, reserved[long])
				}
			}
			value = !hasValue
		case strings.HasPrefix(w, "-") && len(w) > 1 && w[1] != '-':
			for i := 1; i < len(w); i++ {
				c := w[i]
				if long, ok := sbatchShort[c]; ok {
					return fmt.Errorf("%q sets --%s (-%c): %s", w, long, c, reserved[long])
				}
				if strings.IndexByte(sbatchShortArg, c) >= 0 {
					skip = i == len(w)-1 // -A proj: the next word is the value
					break
				}
			}
		case mayBeValue:
		default:
			return fmt.Errorf("%q is not an sbatch option: want an sbatch option such as --account=proj", w)
		}
	}
	return nil
}

// sbatchOption returns the options of the --sbatch line l, which is
// given as the options ("--account=proj") or as the whole line
// ("#SBATCH --account=proj"). White space around the line, or other than
// one space after "#SBATCH", is refused rather than trimmed: a value is
// used as given or refused, and the scripts hold the line as given.
func sbatchOption(l string) (string, error) {
	t := strings.TrimFunc(l, unicode.IsSpace)
	if t != l {
		return "", fmt.Errorf("white space is not allowed around the line: remove it, as in %q", t)
	}
	rest, ok := strings.CutPrefix(l, "#SBATCH")
	if !ok {
		return l, nil
	}
	opt := strings.TrimFunc(rest, unicode.IsSpace)
	if opt == "" {
		return "", errors.New("want an sbatch option after #SBATCH, such as #SBATCH --account=proj")
	}
	if rest != " "+opt {
		return "", fmt.Errorf("want one space between #SBATCH and the option, as in %q, or the option alone, %q", "#SBATCH "+opt, opt)
	}
	return opt, nil
}

// The largest --cpus-per-task and --max-parallel Slurm reads as given.
// sbatch reads --cpus-per-task with strtol and refuses a value of
// INT_MAX or more; slurmctld reads the %N of --array with atoi into an
// int and takes any result > 0 as the limit, so that a larger N wraps
// (4294967297 becomes 1, 2147483648 no limit at all).
const (
	SlurmMaxCPUs     = math.MaxInt32 - 1
	SlurmMaxParallel = math.MaxInt32
)

// Validate checks the options and makes the extra lines bare sbatch
// options, each as given, without the "#SBATCH " it may be given with.
func (o *SlurmOptions) Validate() error {
	if o.Partition != "" && !slurmNameRE.MatchString(o.Partition) {
		return fmt.Errorf("suite: bad --partition %q: want a partition name (letters, digits, _ . - or a comma-separated list)", o.Partition)
	}
	if o.Partition != "" {
		// A list is used as given or refused, as --seeds is: an empty
		// item or a partition named twice is not passed on for sbatch to
		// skip.
		parts := strings.Split(o.Partition, ",")
		if why := emptyItem(parts); why != "" {
			return fmt.Errorf("suite: bad --partition %q: %s", o.Partition, why)
		}
		var once []string
		for _, p := range parts {
			if !slices.Contains(once, p) {
				once = append(once, p)
			}
		}
		if len(once) < len(parts) {
			return fmt.Errorf("suite: bad --partition %q: a partition is given twice: give each once, as in %q", o.Partition, strings.Join(once, ","))
		}
	}
	if o.Time != "" {
		if err := checkSlurmTime(o.Time); err != nil {
			return fmt.Errorf("suite: bad --time %q: %s", o.Time, err)
		}
	}
	if o.Mem != "" && !slurmMemRE.MatchString(o.Mem) {
		return fmt.Errorf("suite: bad --mem %q: want an integer with an optional unit K, M, G or T, such as 4G", o.Mem)
	}
	if o.Mem != "" {
		if err := checkSlurmMem(o.Mem); err != nil {
			return fmt.Errorf("suite: bad --mem %q: %s", o.Mem, err)
		}
	}
	if o.CPUs < 0 {
		return fmt.Errorf("suite: bad --cpus-per-task %s: want an integer >= 1", o.Typed.of("cpus-per-task", o.CPUs))
	}
	if o.CPUs > SlurmMaxCPUs {
		return fmt.Errorf("suite: bad --cpus-per-task %s: more than %d, the most sbatch reads (it refuses a value that does not fit below a signed 32-bit integer's largest)", o.Typed.of("cpus-per-task", o.CPUs), SlurmMaxCPUs)
	}
	if o.MaxParallel < 0 {
		return fmt.Errorf("suite: bad --max-parallel %s: want an integer >= 1", o.Typed.of("max-parallel", o.MaxParallel))
	}
	if o.MaxParallel > SlurmMaxParallel {
		return fmt.Errorf("suite: bad --max-parallel %s: more than %d, the most Slurm reads: it reads the array's %%N limit into a signed 32-bit integer, unchecked, so a larger one would wrap (4294967297 to a limit of 1 task at a time)", o.Typed.of("max-parallel", o.MaxParallel), SlurmMaxParallel)
	}
	if !slurmNameRE.MatchString(o.JobName) {
		return fmt.Errorf("suite: bad --job-name %q: want letters, digits, _ . - +", o.JobName)
	}
	for i, l := range o.Extra {
		s, err := sbatchOption(l)
		if err != nil {
			return fmt.Errorf("suite: bad --sbatch %q: %s", l, err)
		}
		switch {
		case strings.ContainsAny(s, "\n\r"):
			return fmt.Errorf("suite: bad --sbatch %q: one line only", l)
		case !strings.HasPrefix(s, "-"):
			return fmt.Errorf("suite: bad --sbatch %q: want an sbatch option such as --account=proj", l)
		}
		if err := checkSbatchLine(s, o.reserved()); err != nil {
			return fmt.Errorf("suite: bad --sbatch %q: %s", l, err)
		}
		// The same line twice is a slip (an edited command line): sbatch
		// would read it twice, the scripts would hold it twice.
		if j := slices.Index(o.Extra[:i], s); j >= 0 {
			return fmt.Errorf("suite: bad --sbatch %q: the same line as --sbatch %q: give each line once", l, o.Extra[j])
		}
		o.Extra[i] = s
	}
	return nil
}
