package suite

import "fmt"

// Typed holds the values of a command line's flags as the user typed
// them, by flag name without dashes ("epochs"), as cli.Typed returns
// them. A request that carries one (SweepSpec, FidelityRequest,
// EvalOptions, SurrogateOptions, ModelsQuery, SlurmOptions) quotes a
// flag's value from it when it refuses the value: a number parsed no
// longer reads as typed ("-0" and "00" are 0, "1e41" prints as 1e+41,
// "3.3e-1" as 0.33), and an error naming the parsed number names a value
// the user does not find on their command line. A nil Typed (a request
// built in code) names values in Go's formatting, as before.
type Typed map[string]string

// of returns flag name's value as typed, or v as fmt.Sprint formats it
// (a float64 in Go's shortest form) where the flag's text is not known.
func (t Typed) of(name string, v any) string {
	if s, ok := t[name]; ok && s != "" {
		return s
	}
	return fmt.Sprint(v)
}
