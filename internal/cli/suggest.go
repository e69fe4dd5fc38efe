package cli

import (
	"flag"
	"fmt"
	"sort"
	"strings"
)

// undefinedPrefix starts the flag package's error for a flag the set does
// not define ("flag provided but not defined: -name").
const undefinedPrefix = "flag provided but not defined: -"

// Explain returns err, a parse error of fs, with the flags fs defines
// that the user may have meant when err names a flag fs does not define:
// those whose name starts with the one given, or that the one given
// starts with ("-est" for --estimators, "-seed" for --seeds, "-epochs5"
// for --epochs; the flag package names "--est" "-est" too). Any other
// error, or one with no such flag, is returned as it is.
func Explain(fs *flag.FlagSet, err error) error {
	if err == nil {
		return nil
	}
	name, ok := strings.CutPrefix(err.Error(), undefinedPrefix)
	if !ok || name == "" {
		return err
	}
	var near []string
	fs.VisitAll(func(f *flag.Flag) {
		if strings.HasPrefix(f.Name, name) || strings.HasPrefix(name, f.Name) {
			near = append(near, "--"+f.Name)
		}
	})
	if len(near) == 0 {
		return err
	}
	sort.Strings(near)
	return fmt.Errorf("%w (did you mean %s?)", err, orList(near))
}

// orList joins s as "a", "a or b", "a, b or c".
func orList(s []string) string {
	if len(s) == 1 {
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}
