package suite

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// pairWith pairs row with ref on m (see pair).
func pairWith(ref, row *Group, m metric) *pairing {
	pr := pair(ref, row, m)
	return &pr
}

// anyUnpaired reports whether some comparison of prs left a seed out.
func anyUnpaired(prs []*pairing) bool {
	for _, pr := range prs {
		if pr != nil && pr.Unpaired() {
			return true
		}
	}
	return false
}

// compareCells formats a comparison as its Δ, 95% CI, p and p (Holm)
// cells, with a marker on p < alpha and on an adjusted p < alpha; "–"
// where there is no comparison or too few pairs. The comparisons of the
// table must have been through holmAdjust.
func compareCells(pr *pairing, m metric) []string {
	cells := []string{"–", "–", "–", "–"}
	if pr == nil || pr.N() == 0 {
		return cells
	}
	cells[0] = fmt.Sprintf("%+.*f", m.prec, pr.Mean)
	if pr.N() < 2 {
		return cells
	}
	cells[1] = fmt.Sprintf("[%+.*f, %+.*f]", m.prec, pr.Lo, m.prec, pr.Hi)
	cells[2] = fmtP(pr.P)
	cells[3] = fmtP(pr.Holm)
	return cells
}

// fmtP formats a p-value as pText does, marked when below alpha.
func fmtP(p float64) string {
	s := pText(p)
	if p < alpha {
		s += " *"
	}
	return s
}

// pText formats a p-value with three decimals, or with as many more as
// it takes to print a p below alpha as a number below alpha: 0.0498 would
// read 0.050 with three, a p that is marked (and called beyond seed noise)
// next to a number that is not below 0.05.
func pText(p float64) string {
	s := strconv.FormatFloat(p, 'f', 3, 64)
	for prec := 4; p < alpha && prec <= 17; prec++ {
		if v, _ := strconv.ParseFloat(s, 64); v < alpha {
			break
		}
		s = strconv.FormatFloat(p, 'f', prec, 64)
	}
	return s
}

// pairedNote explains the Δ, 95% CI, p and p (Holm) columns of a table
// whose rows are compared seed by seed; diff says what is subtracted from
// what. prs are the table's comparisons: where one estimates p (more than
// maxExactFlips pairs), p is said to be exact only up to that many, and
// pairNotes says how the others are estimated; the ones with a p are the
// family p (Holm) corrects over.
func pairedNote(diff string, prs []*pairing) string {
	exact := "exact over all 2^n sign patterns of the n differences"
	if monteCarlo(prs) > 0 {
		exact += fmt.Sprintf(" where n ≤ %d", maxExactFlips)
	}
	family := "the table's comparisons that have a p"
	switch k := holmFamily(prs); k {
	case 0:
	case 1:
		family = "the table's one comparison with a p (so it equals p)"
	default:
		family = fmt.Sprintf("the table's %d comparisons with a p", k)
	}
	return "Δ: the mean over seeds of the paired difference " + diff + "; every estimator of a seed starts from the same weights and sees the same batches. " +
		"95% CI: Student t interval of Δ over the paired differences (it excludes 0 exactly when the paired t-test gives p < 0.05). " +
		"p: two-sided sign-flip permutation test of the paired differences, " + exact + " (distribution-free); * marks p < 0.05, each comparison tested alone. " +
		"p (Holm): p adjusted by Holm's step-down method over " + family + ", so that the chance of marking any of them when no row differs stays below 0.05; * marks p (Holm) < 0.05."
}

// monteCarlo returns the most random sign patterns any of the comparisons
// prs estimated its p from: 0 when every p is exact.
func monteCarlo(prs []*pairing) int {
	mc := 0
	for _, pr := range prs {
		if pr != nil {
			mc = max(mc, pr.Draws)
		}
	}
	return mc
}

// holmSeeds returns the fewest paired seeds, from enough on, whose
// smallest p (Holm) over a family of k comparisons, k·2/2^n, is below
// alpha.
func holmSeeds(k, enough int) int {
	n := enough
	for k > 1 && float64(k)*minSignFlipP(n) >= alpha {
		n++
	}
	return n
}

// pairNotes says which seeds the comparisons of a table left out, when
// their pairs are too few for p to reach alpha, and when p is a Monte
// Carlo estimate. ref names what the rows are compared with.
func pairNotes(ref string, prs []*pairing) string {
	var b strings.Builder
	if anyUnpaired(prs) {
		fmt.Fprintf(&b, " Rows finished different seeds (seeds column): Δ, CI and p pair a row only with the seeds it shares with %s (paired column) and leave the other seeds of both out; mean ± std and n use all of a row's seeds.", ref)
	}
	lo, hi, mc := math.MaxInt, 0, monteCarlo(prs)
	for _, pr := range prs {
		if pr != nil {
			lo = min(lo, pr.N())
			hi = max(hi, pr.N())
		}
	}
	// enough is the fewest pairs whose smallest p is below alpha.
	enough := 1
	for minSignFlipP(enough) >= alpha {
		enough++
	}
	// The advice to tables of too few seeds names the seeds p (Holm)
	// needs too, where its family makes them more than enough: "use
	// --seeds 6" alone sent a user of 3 seeds and 3 comparisons to train
	// 6, with which p (Holm) still cannot reach alpha (3 × 2/2^6 =
	// 0.094). The family is the rows with a p or, with one paired seed,
	// where none has one, every row compared.
	holm := ""
	if hi < enough {
		k := holmFamily(prs)
		if hi < 2 {
			k = 0
			for _, pr := range prs {
				if pr != nil {
					k++
				}
			}
		}
		if n := holmSeeds(k, enough); n > enough {
			holm = fmt.Sprintf("%d or more for p (Holm) to go below %g over the table's %d comparisons", n, alpha, k)
		}
	}
	switch {
	case hi == 0:
	case hi < 2:
		if holm != "" {
			holm = " (" + holm + ")"
		}
		fmt.Fprintf(&b, " With one paired seed there is no CI or p: use --seeds %d or more to test differences%s.", enough, holm)
	case hi < enough:
		if holm != "" {
			holm = "; " + holm
		}
		fmt.Fprintf(&b, " With at most %d paired seeds the sign-flip p cannot go below 2/2^%d = %.4g, so no difference can reach p < %g: use --seeds %d or more (the t interval may exclude 0 with fewer%s).", hi, hi, minSignFlipP(hi), alpha, enough, holm)
	case lo < enough:
		fmt.Fprintf(&b, " A row with n < %d paired seeds cannot reach p < %g: the smallest sign-flip p is 2/2^n.", enough, alpha)
	}
	// With k comparisons in Holm's family, the smallest p (Holm) is
	// k·2/2^n: enough pairs for p to reach alpha may be too few for it.
	if k := holmFamily(prs); k > 1 && hi >= enough {
		if enoughHolm := holmSeeds(k, enough); hi < enoughHolm {
			// p (Holm) is capped at 1: a floor above it is said as the
			// findings say it (writeHolm).
			floor := fmt.Sprintf("%d × 2/2^%d = %.2g", k, hi, float64(k)*minSignFlipP(hi))
			if float64(k)*minSignFlipP(hi) > 1 {
				floor = fmt.Sprintf("min(1, %d × 2/2^%d) = 1", k, hi)
			}
			fmt.Fprintf(&b, " With %d comparisons and at most %d paired seeds, p (Holm) cannot go below %s, so no row can be marked in it: use --seeds %d or more.", k, hi, floor, enoughHolm)
		}
	}
	if mc > 0 {
		fmt.Fprintf(&b, " Where more than %d seeds are paired, p is estimated from %d random sign patterns (a fixed seed, so the table is reproducible) as (1 + hits)/(1 + %d).", maxExactFlips, mc, mc)
	}
	return b.String()
}

// namedSeeds returns seeds as seedList writes them after seedsWord:
// "seed 1", "seeds 1 and 2", "seeds 1–3".
func namedSeeds(seeds []uint64) string { return seedsWord(len(seeds)) + seedList(seeds) }

// fmtSeeds formats ascending seeds with runs of three or more as ranges,
// for a table's cell: 1–4, 7 or 1, 2, 4.
func fmtSeeds(seeds []uint64) string {
	if len(seeds) == 0 {
		return "none"
	}
	return strings.Join(seedParts(seeds), ", ")
}

// seedList formats ascending seeds as fmtSeeds does, for a sentence: the
// last joined with "and", 1–4 and 7, 1, 2 and 4, 1 and 2 (not "Seeds 1,
// 2 chose ...").
func seedList(seeds []uint64) string {
	if len(seeds) == 0 {
		return "none"
	}
	return andList(seedParts(seeds))
}

// seedParts returns ascending seeds as fmtSeeds and seedList list them:
// a run of three or more as one range, 1–4, any other seed alone.
func seedParts(seeds []uint64) []string {
	var parts []string
	for i := 0; i < len(seeds); {
		j := i
		for j+1 < len(seeds) && seeds[j+1] == seeds[j]+1 {
			j++
		}
		switch {
		case j-i >= 2:
			parts = append(parts, fmt.Sprintf("%d–%d", seeds[i], seeds[j]))
		case j > i:
			parts = append(parts, strconv.FormatUint(seeds[i], 10), strconv.FormatUint(seeds[j], 10))
		default:
			parts = append(parts, strconv.FormatUint(seeds[i], 10))
		}
		i = j + 1
	}
	return parts
}

// fmtPaired formats the seeds a comparison paired.
func fmtPaired(pr *pairing) string {
	if pr == nil {
		return "–"
	}
	return fmtSeeds(pr.Seeds)
}

// escapeMarkdown backslash-escapes the characters that start markdown
// (CommonMark or GitHub) inline syntax, so that user text (a recipe name,
// a spec) put into a heading or a table cell reads as the text it is:
// \ ` * _ [ ] < > & ~ $ #. Other punctuation (- . : = + , ( )) is literal
// in the middle of a line and is left as is; '|' is left to mdtable, which
// escapes it in cells (in a heading it is literal). Control characters,
// which would break the line, are written as Go escapes (\r, \x00).
func escapeMarkdown(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case strings.ContainsRune("\\`*_[]<>&~$#", r):
			b.WriteByte('\\')
			b.WriteRune(r)
		case unicode.IsControl(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func fmtMeanStd(xs []float64, prec int) string {
	m, s := meanStd(xs)
	switch {
	case len(xs) == 0:
		return "–"
	case len(xs) == 1:
		return fmt.Sprintf("%.*f ± –", prec, m)
	}
	return fmt.Sprintf("%.*f ± %.*f", prec, m, prec, s)
}

func fmtMeanStdOrNotRun(g *Group) string {
	if g == nil {
		return "not run"
	}
	return fmtMeanStd(g.Top1, 2)
}

func fmtDiverged(epochs []int) string {
	if len(epochs) == 0 {
		return "0"
	}
	var es []string
	for _, e := range epochs {
		es = append(es, strconv.Itoa(e))
	}
	word := "epoch"
	if len(es) > 1 {
		word = "epochs"
	}
	return fmt.Sprintf("%d (%s %s)", len(epochs), word, strings.Join(es, ", "))
}

func fmtSeconds(g *Group) string {
	if g.N() == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f", g.SecondsPerEpoch)
}
