package suite

import (
	"fmt"
	"io"
	"strings"
)

// A finding is what one paired comparison with the baseline says: the
// class findingOf puts it in.
type finding int

const (
	findNone        finding = iota // fewer than two paired seeds
	findNoise                      // the CI includes 0 and p ≥ alpha
	findHigher                     // the CI excludes 0 above it and p < alpha (and the Holm-adjusted p, in a family of more than one)
	findLower                      // the CI excludes 0 below it and p < alpha (and the Holm-adjusted p, in a family of more than one)
	findHigherAlone                // as findHigher by both tests alone, but the Holm-adjusted p ≥ alpha
	findLowerAlone                 // as findLower by both tests alone, but the Holm-adjusted p ≥ alpha
	findTOnly                      // the t interval excludes 0, the sign-flip test does not confirm it
	findPermOnly                   // p < alpha, the t interval includes 0
	findDiverged                   // no finished run: every run diverged
)

// findingOf classifies a pairing by its own tests. A difference counts as
// beyond seed noise only when both tests agree: the Student t interval
// excludes 0 and the distribution-free sign-flip p is below alpha.
// findingIn then demotes one whose Holm-adjusted p does not stay below
// alpha in its family.
func findingOf(pr *pairing) finding {
	if pr == nil || pr.N() < 2 {
		return findNone
	}
	tExcl := pr.Lo > 0 || pr.Hi < 0
	perm := pr.P < alpha
	switch {
	case tExcl && perm && pr.Mean > 0:
		return findHigher
	case tExcl && perm:
		return findLower
	case tExcl:
		return findTOnly
	case perm:
		return findPermOnly
	}
	return findNoise
}

// findingIn classifies a pairing of a family of k comparisons with a p,
// whose Holm-adjusted p holmAdjust has set: a difference beyond seed
// noise by both tests alone is called so only when, in a family of more
// than one, its adjusted p is below alpha too; otherwise it is named
// apart (findHigherAlone, findLowerAlone), so that no sentence calls an
// estimator better or worse than the baseline on a p the correction
// does not keep.
func findingIn(pr *pairing, k int) finding {
	f := findingOf(pr)
	if k > 1 && pr.Holm >= alpha {
		switch f {
		case findHigher:
			return findHigherAlone
		case findLower:
			return findLowerAlone
		}
	}
	return f
}

// writeFindings states in plain sentences what the main table of a
// workload shows: for top-1 and for the final training loss, which
// estimators differ from the baseline beyond seed noise (the 95% t
// interval of the paired difference excludes 0, the sign-flip p is below
// 0.05, and so is its Holm-adjusted p when the metric makes more than one
// comparison), which pass both tests alone but not the correction, which
// cannot be told from the baseline with these seeds, and how wide the
// intervals are. Every number
// comes from the same pairings as the main table's; the words are chosen
// by rule (findingOf), so the statement is generated, never written.
func writeFindings(w io.Writer, gs map[string]*Group, order []string, baseOut []uint64) error {
	base := gs[baseline]
	if base == nil {
		fmt.Fprintln(w, noBaseline(order, baseOut, "the findings compare every estimator with "+baseline))
		return nil
	}
	if base.N() == 0 {
		// Not too few seeds: no seed of the baseline finished, and more
		// of them at this recipe would likely diverge too.
		fmt.Fprintf(w, "%s, the baseline, diverged on every seed it ran (%d runs): the findings compare every estimator with %s, so none is compared.\n", baseline, len(base.Diverged), baseline)
		return nil
	}
	tuned := false
	for _, g := range gs {
		for _, r := range g.Runs {
			tuned = tuned || r.Config.LRScale != 0
		}
	}
	at := "at one shared learning rate"
	if tuned {
		at = "each at its own learning rate chosen on the validation split"
	}
	var specs []string
	for _, s := range rowOrder(gs, order) {
		if s != baseline {
			specs = append(specs, s)
		}
	}
	// made is the number of comparisons with a p, per metric (both
	// metrics pair the same finished runs): an estimator with fewer than
	// two seeds in common with the baseline, or that diverged on every
	// seed, is not tested, and is not counted among them.
	made := 0
	for _, m := range []metric{metricTop1, metricTrainLoss} {
		unit, better, worse := "points", "higher", "lower"
		if m.name != metricTop1.name {
			unit, better, worse = "", "lower", "higher" // a lower loss is better
		}
		classes := map[finding][]string{}
		var minN, maxN int
		var minW, maxW float64
		first := true
		prs := make([]*pairing, len(specs))
		for i, s := range specs {
			prs[i] = pairWith(base, gs[s], m)
		}
		holmAdjust(prs)
		fam := holmFamily(prs)
		made = max(made, fam)
		// The differences beyond seed noise by both tests alone, better
		// then worse, each with its Holm-adjusted p, whether or not it
		// stays below alpha.
		var kept, lost []string
		for i, s := range specs {
			pr := prs[i]
			f := findingIn(pr, fam)
			desc := fmt.Sprintf("%s (Δ %+.*f%s", s, m.prec, pr.Mean, spaced(unit))
			if f != findNone {
				desc += fmt.Sprintf(", 95%% CI [%+.*f, %+.*f], p = %s, n = %d", m.prec, pr.Lo, m.prec, pr.Hi, pText(pr.P), pr.N())
				width := pr.Hi - pr.Lo
				if first {
					minN, maxN, minW, maxW, first = pr.N(), pr.N(), width, width, false
				}
				minN, maxN = min(minN, pr.N()), max(maxN, pr.N())
				minW, maxW = min(minW, width), max(maxW, width)
			} else if pr.N() == 1 {
				desc += ", one paired seed"
			} else if g := gs[s]; g.N() == 0 && len(g.Diverged) > 0 {
				classes[findDiverged] = append(classes[findDiverged], s)
				continue
			} else {
				desc = s + " (no seed in common with " + baseline
			}
			classes[f] = append(classes[f], desc+")")
		}
		up, down := classes[findHigher], classes[findLower]
		upAlone, downAlone := classes[findHigherAlone], classes[findLowerAlone]
		if m.name != metricTop1.name { // for a loss, "higher Δ" is worse
			up, down = classes[findLower], classes[findHigher]
			upAlone, downAlone = classes[findLowerAlone], classes[findHigherAlone]
		}
		betterFirst := []finding{findHigher, findLower}
		if m.name != metricTop1.name {
			betterFirst = []finding{findLower, findHigher}
		}
		for _, f := range betterFirst {
			for i, s := range specs {
				if findingOf(prs[i]) != f {
					continue
				}
				desc := fmt.Sprintf("%s (adjusted p = %s)", s, pText(prs[i].Holm))
				if prs[i].Holm < alpha {
					kept = append(kept, desc)
				} else {
					lost = append(lost, desc)
				}
			}
		}
		name := m.name
		if m.name == metricTop1.name {
			name = "top-1 accuracy"
		}
		fmt.Fprintf(w, "- **%s**, %s, paired seed by seed with %s: ", capitalize(name), at, baseline)
		tested := len(specs) - len(classes[findNone]) - len(classes[findDiverged])
		switch {
		case tested == 0:
			fmt.Fprintf(w, "no estimator has two seeds in common with %s, so nothing can be told from seed noise yet.", baseline)
		case len(up) == 0 && len(down) == 0 && len(upAlone) == 0 && len(downAlone) == 0:
			fmt.Fprintf(w, "no estimator is distinguishable from %s with these seeds", baseline)
			if tested < len(specs) {
				fmt.Fprintf(w, " (of the %d with two or more paired seeds)", tested)
			}
			if noise := classes[findNoise]; len(noise) > 0 {
				fmt.Fprintf(w, ": %s", strings.Join(noise, "; "))
			}
			fmt.Fprintf(w, ".")
		default:
			// One space between the sentences there are: with no
			// estimator within seed noise, two were left before the next.
			var says []string
			if len(up) > 0 {
				says = append(says, fmt.Sprintf("%s than %s beyond seed noise: %s.", capitalize(better), baseline, strings.Join(up, "; ")))
			}
			if len(down) > 0 {
				says = append(says, fmt.Sprintf("%s than %s beyond seed noise: %s.", capitalize(worse), baseline, strings.Join(down, "; ")))
			}
			if len(upAlone) > 0 {
				says = append(says, fmt.Sprintf("%s than %s by both tests alone, not after Holm's correction: %s.", capitalize(better), baseline, strings.Join(upAlone, "; ")))
			}
			if len(downAlone) > 0 {
				says = append(says, fmt.Sprintf("%s than %s by both tests alone, not after Holm's correction: %s.", capitalize(worse), baseline, strings.Join(downAlone, "; ")))
			}
			if noise := classes[findNoise]; len(noise) > 0 {
				says = append(says, fmt.Sprintf("Not distinguishable from %s with these seeds: %s.", baseline, strings.Join(noise, "; ")))
			}
			fmt.Fprint(w, strings.Join(says, " "))
		}
		if tested > 0 {
			// One width, not "11.98–11.98", when there is one interval or
			// all round alike.
			width := trimFloat(minW, m.prec)
			if hi := trimFloat(maxW, m.prec); hi != width {
				width += "–" + hi
			}
			if tested == 1 {
				fmt.Fprintf(w, " The 95%% interval of the difference is %s%s wide over %s paired seeds.", width, spaced(unit), rangeInts(minN, maxN))
			} else {
				fmt.Fprintf(w, " The 95%% intervals of the differences are %s%s wide over %s paired seeds.", width, spaced(unit), rangeInts(minN, maxN))
			}
			if p := minSignFlipP(maxN); p >= alpha {
				fmt.Fprintf(w, " With %d paired seeds no difference can be called beyond noise: the smallest sign-flip p is 2/2^%d = %.3g.", maxN, maxN, p)
			} else if fam > 1 {
				writeHolm(w, fam, minN, maxN, kept, lost)
			}
		}
		if xs := append(append([]string{}, classes[findTOnly]...), classes[findPermOnly]...); len(xs) > 0 {
			fmt.Fprintf(w, " One test alone, not both, calls these different (not counted above): %s.", strings.Join(xs, "; "))
		}
		if ds := classes[findDiverged]; len(ds) > 0 {
			fmt.Fprintf(w, " Diverged on every seed it ran: %s.", strings.Join(ds, ", "))
		}
		if ns := classes[findNone]; len(ns) > 0 {
			fmt.Fprintf(w, " Too few paired seeds to test: %s.", strings.Join(ns, "; "))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "\nBeyond seed noise: the Student t 95%% interval of the paired difference excludes 0 and the two-sided sign-flip permutation p is below %g, both over the seeds the two estimators share", alpha)
	if k := made; k > 1 {
		fmt.Fprintf(w, ", and the p adjusted by Holm's correction for the comparisons of its metric is below %g too. "+
			"Each test alone looks at one comparison: if no estimator differed from %s, about %.2g of the %d made per metric would still pass both by chance, which is why a difference that passes them but not the correction is named apart (by both tests alone, not after Holm's correction) and not called beyond seed noise. "+
			"Holm's correction (Holm 1979) takes the comparisons of a metric that have a p as one family of K: with the p sorted ascending, the j-th is multiplied by K − j + 1, capped at 1 and raised to the adjusted p before it where smaller; "+
			"it keeps below %g the chance of calling any estimator of the family different when none is (the t interval is not adjusted).", alpha, baseline, alpha*float64(k), k, alpha)
	} else {
		fmt.Fprint(w, ".")
	}
	fmt.Fprint(w, " Not distinguishable from "+baseline+" with these seeds: neither test calls the difference different from 0, which says that these seeds cannot tell it from 0, not that it is 0: its interval gives the differences they leave possible.")
	fmt.Fprintln(w)
	return nil
}

// writeHolm writes the sentences of a findings line on Holm's correction
// over its k comparisons with a p, which paired minN to maxN seeds: which
// of the differences beyond seed noise stay so (kept) and which do not
// (lost), each named with its adjusted p; and, when even a difference
// with the smallest sign-flip p of maxN pairs could not reach alpha once
// multiplied by k, that no difference can survive the correction with
// this many seeds, so that a reader takes it for a limit of the design,
// not a result.
func writeHolm(w io.Writer, k, minN, maxN int, kept, lost []string) {
	after := fmt.Sprintf("Holm's correction for the %d comparisons with %s on this metric", k, baseline)
	switch {
	case len(kept) == 0 && len(lost) == 0:
	case len(lost) == 0 && len(kept) == 1:
		fmt.Fprintf(w, " After %s, it stays beyond seed noise: %s.", after, kept[0])
	case len(lost) == 0 && len(kept) == 2:
		fmt.Fprintf(w, " After %s, both stay beyond seed noise: %s.", after, strings.Join(kept, "; "))
	case len(lost) == 0:
		fmt.Fprintf(w, " After %s, all %d stay beyond seed noise: %s.", after, len(kept), strings.Join(kept, "; "))
	case len(kept) == 0 && len(lost) == 1:
		fmt.Fprintf(w, " After %s, it does not stay beyond seed noise: %s.", after, lost[0])
	case len(kept) == 0:
		fmt.Fprintf(w, " After %s, none of them stays beyond seed noise: %s.", after, strings.Join(lost, "; "))
	default:
		fmt.Fprintf(w, " After %s, these stay beyond seed noise: %s; these do not: %s.", after, strings.Join(kept, "; "), strings.Join(lost, "; "))
	}
	best := float64(k) * minSignFlipP(maxN)
	if best < alpha {
		return
	}
	seeds := fmt.Sprintf("With %d paired seeds", maxN)
	if minN != maxN {
		seeds = fmt.Sprintf("With at most %d paired seeds", maxN)
	}
	smallest := fmt.Sprintf("%d × 2/2^%d = %.2g", k, maxN, best)
	if best > 1 {
		smallest = fmt.Sprintf("min(1, %d × 2/2^%d) = 1", k, maxN)
	}
	if len(kept)+len(lost) > 0 {
		fmt.Fprintf(w, " %s no difference could: the smallest adjusted p is %s, not below %g, a limit of the design (too few seeds), not a result.", seeds, smallest, alpha)
	} else {
		fmt.Fprintf(w, " %s no difference could survive %s: the smallest adjusted p is %s, not below %g, a limit of the design (too few seeds), not a result.", seeds, after, smallest, alpha)
	}
}

func spaced(unit string) string {
	if unit == "" {
		return ""
	}
	return " " + unit
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func trimFloat(x float64, prec int) string { return fmt.Sprintf("%.*f", prec, x) }

func rangeInts(lo, hi int) string {
	if lo == hi {
		return fmt.Sprint(lo)
	}
	return fmt.Sprintf("%d–%d", lo, hi)
}
