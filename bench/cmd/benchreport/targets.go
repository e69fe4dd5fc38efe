package main

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"golang.org/x/perf/benchproc"

	"github.com/gradbench/gradbench/internal/cli"
	"github.com/gradbench/gradbench/internal/mdtable"
)

// match returns the benchmarks of in that filter keeps, in name order.
func match(in *input, f *benchproc.Filter, names []string) []*bench {
	var out []*bench
	for _, name := range names {
		b := in.bench[name]
		if b == nil {
			continue
		}
		m, err := f.Match(b.result)
		if err == nil && m.Any() {
			out = append(out, b)
		}
	}
	return out
}

var ops = map[string]func(a, b float64) bool{
	"<": func(a, b float64) bool { return a < b }, "<=": func(a, b float64) bool { return a <= b },
	">": func(a, b float64) bool { return a > b }, ">=": func(a, b float64) bool { return a >= b },
}

// parseCheck parses "METRIC OP BOUND".
func parseCheck(s string) (metric, op string, bound float64, err error) {
	f := strings.Fields(s)
	if len(f) != 3 || ops[f[1]] == nil {
		return "", "", 0, fmt.Errorf("check %q: want METRIC OP BOUND, such as ns/elem < 0.5", s)
	}
	// Read as every number of the repository's commands is: a bound
	// float64 does not hold as written (1e-400 would be 0) is refused.
	bound, err = cli.ParseFloat(f[2])
	if err == nil && (math.IsNaN(bound) || math.IsInf(bound, 0)) {
		err = errors.New("want a finite number")
	}
	if err != nil {
		return "", "", 0, fmt.Errorf("check %q: bad bound %q: %w", s, f[2], err)
	}
	return f[0], f[1], bound, nil
}

// newFilter parses f, a FILTER of the target t. The filter library's
// error alone ("syntax error: expected key:value", then the filter with a
// caret under the fault) does not say how a filter is written, which a
// user new to it needs: the error names the filter, then says so.
func newFilter(t, f string) (*benchproc.Filter, error) {
	f = strings.TrimSpace(f)
	filter, err := benchproc.NewFilter(f)
	if err != nil {
		msg, caret, _ := strings.Cut(err.Error(), "\n")
		if caret != "" {
			caret = "\n" + caret
		}
		return nil, fmt.Errorf("target %q: filter %q: %s; a FILTER is key:value terms, such as '.name:Backward /impl:fast' or '/est:(ste OR fda)' (go doc golang.org/x/perf/benchproc/syntax)%s", t, f, msg, caret)
	}
	return filter, nil
}

// writeTargets writes the table of the targets, one PASS/FAIL row per
// input and matching benchmark.
func (r *report) writeTargets(b *strings.Builder, targets []string) error {
	var rows [][]string
	for _, t := range targets {
		i := strings.LastIndex(t, ":")
		if i < 0 {
			return fmt.Errorf("target %q: want 'FILTER: METRIC OP BOUND'", t)
		}
		metric, op, bound, err := parseCheck(t[i+1:])
		if err != nil {
			return fmt.Errorf("target %q: %w", t, err)
		}
		fa, fb, ratio := strings.Cut(t[:i], "::")
		if ratio != (metric == "ratio") {
			return fmt.Errorf("target %q: a ratio needs two filters separated by ::, and two filters need the metric ratio", t)
		}
		filterA, err := newFilter(t, fa)
		if err != nil {
			return err
		}
		var filterB *benchproc.Filter
		if ratio {
			if filterB, err = newFilter(t, fb); err != nil {
				return err
			}
		}
		for _, in := range r.inputs {
			as := match(in, filterA, r.names)
			if !ratio {
				if len(as) == 0 {
					rows = append(rows, []string{in.label, strings.TrimSpace(fa), "no benchmark matched", op + " " + fmtNum(bound), "FAIL"})
				}
				for _, a := range as {
					v, err := r.metric(a, metric)
					if err != nil {
						return fmt.Errorf("target %q: %w", t, err)
					}
					rows = append(rows, []string{in.label, a.name, fmtNum(v) + " " + metric, op + " " + fmtNum(bound), passFail(ops[op](v, bound))})
				}
				continue
			}
			bs := match(in, filterB, r.names)
			if len(as) != 1 || len(bs) != 1 {
				return fmt.Errorf("target %q: input %s: the filters match %d and %d benchmarks, want 1 each", t, in.label, len(as), len(bs))
			}
			v := median(as[0].secs) / median(bs[0].secs)
			shown := fmtNum(v) + "×"
			if r.paired {
				var err error
				if v, shown, err = pairedRatio(as[0], bs[0]); err != nil {
					return fmt.Errorf("target %q: input %s: %w", t, in.label, err)
				}
			}
			rows = append(rows, []string{in.label, as[0].name + " ÷ " + bs[0].name, shown, op + " " + fmtNum(bound), passFail(ops[op](v, bound))})
		}
	}
	b.WriteString("## Targets\n\nMedians of the runs; a target holds when the median meets the bound.")
	if r.paired {
		b.WriteString(" The runs were alternated: a ratio is the median of the ratios of the runs taken together (the first run of one benchmark to the first of the other, and so on), with the smallest and largest of those ratios and their number.")
	}
	b.WriteString("\n\n")
	if err := mdtable.Write(b, 2, []string{"input", "benchmark", "median", "target", "result"}, rows); err != nil {
		return err
	}
	b.WriteString("\n")
	return nil
}

// pairedRatio returns the median of the ratios a.secs[i]/b.secs[i] and
// the median with their range for the table.
func pairedRatio(a, b *bench) (float64, string, error) {
	if len(a.secs) != len(b.secs) {
		return 0, "", fmt.Errorf("-paired: %s has %d runs and %s %d, want as many", a.name, len(a.secs), b.name, len(b.secs))
	}
	ratios := make([]float64, len(a.secs))
	for i := range ratios {
		ratios[i] = a.secs[i] / b.secs[i]
	}
	v := median(ratios)
	return v, fmt.Sprintf("%s× (%s–%s, %d pairs)", fmtNum(v), fmtNum(slices.Min(ratios)), fmtNum(slices.Max(ratios)), len(ratios)), nil
}

func passFail(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}
