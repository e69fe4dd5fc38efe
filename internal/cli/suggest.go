package cli

import (
	"flag"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// parseForms are the errors of FlagSet.Parse that name a flag, as the
// flag package words them (its parseOne), each with the one dash it
// writes before the name but the last, which has none:
//
//	flag provided but not defined: -NAME
//	flag needs an argument: -NAME
//	invalid value "VALUE" for flag -NAME: REASON
//	invalid boolean value "VALUE" for -NAME: REASON
//	invalid boolean flag NAME: REASON
//
// VALUE is quoted as %q quotes it. The package's one other parse error,
// "bad flag syntax: ARG", names no flag: it quotes the argument as typed
// ("---epochs"), and is left as it is. The package returns these as bare
// strings (errors.New of the text, wrapping nothing: its parse and range
// errors are only quoted in REASON), so the text is all there is to read
// the name from.
var parseForms = []struct {
	lead   string // the text up to the value or the name
	quoted bool   // lead is followed by the value, quoted, then by before
	before string // the text between the value and the name's dash
	dash   string // the dash written before the name
	reason bool   // ": REASON" follows the name
}{
	{lead: "flag provided but not defined: ", dash: "-"},
	{lead: "flag needs an argument: ", dash: "-"},
	{lead: "invalid value ", quoted: true, before: " for flag ", dash: "-", reason: true},
	{lead: "invalid boolean value ", quoted: true, before: " for ", dash: "-", reason: true},
	{lead: "invalid boolean flag ", reason: true},
}

// undefinedForm is parseForms' index of a flag the set does not define.
const undefinedForm = 0

// flagIn splits msg, the text of a parse error of the flag package, at
// the flag it names: msg is head, the dash written before the name, name
// and tail. form is the index in parseForms of msg's form; ok is false
// for a message that names no flag.
func flagIn(msg string) (head, name, tail string, form int, ok bool) {
	for i, f := range parseForms {
		rest, ok := strings.CutPrefix(msg, f.lead)
		if !ok {
			continue
		}
		if f.quoted {
			q, err := strconv.QuotedPrefix(rest)
			if err != nil {
				return "", "", "", 0, false
			}
			if rest, ok = strings.CutPrefix(rest[len(q):], f.before); !ok {
				return "", "", "", 0, false
			}
		}
		head = msg[:len(msg)-len(rest)]
		if rest, ok = strings.CutPrefix(rest, f.dash); !ok {
			return "", "", "", 0, false
		}
		name = rest
		if f.reason {
			// Up to the reason: a flag the set defines, whose name has
			// no ": " (the name of an undefined flag, as typed, might).
			if name, tail, ok = strings.Cut(rest, ": "); !ok {
				return "", "", "", 0, false
			}
			tail = ": " + tail
		}
		if name == "" {
			return "", "", "", 0, false
		}
		return head, name, tail, i, true
	}
	return "", "", "", 0, false
}

// Explain returns err, a parse error of fs, as the command prints it:
// the flag it names written after dash, the dash the command's
// documentation and usage write before its flags ("--" for gradbench's
// --epochs, "-" for the bench tools' -o), where the flag package writes
// one ("-epochs"), so that the error names the flag the user read of;
// and, when err names a flag fs does not define, the flags fs defines
// that the user may have meant, written the same way: those whose name
// starts with the one given, or that the one given starts with ("-est"
// for --estimators, "-seed" for --seeds, "-epochs5" for --epochs; the
// flag package names "--est" "-est" too). The returned error wraps err;
// one that names no flag (bad flag syntax, -h's flag.ErrHelp) is
// returned as it is.
func Explain(fs *flag.FlagSet, err error, dash string) error {
	if err == nil {
		return nil
	}
	head, name, tail, form, ok := flagIn(err.Error())
	if !ok {
		return err
	}
	msg := head + dash + name + tail
	if form == undefinedForm {
		var near []string
		fs.VisitAll(func(f *flag.Flag) {
			if strings.HasPrefix(f.Name, name) || strings.HasPrefix(name, f.Name) {
				near = append(near, dash+f.Name)
			}
		})
		if len(near) > 0 {
			sort.Strings(near)
			msg += fmt.Sprintf(" (did you mean %s?)", orList(near))
		}
	}
	return explained{msg: msg, err: err}
}

// explained is a parse error restated by Explain: msg, and the flag
// package's error.
type explained struct {
	msg string
	err error
}

func (e explained) Error() string { return e.msg }
func (e explained) Unwrap() error { return e.err }

// orList joins s as "a", "a or b", "a, b or c".
func orList(s []string) string {
	if len(s) == 1 {
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}
