package suite

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/internal/mdtable"
)

// The tables of the FDA paper's ablations (--ablation paper): their rows,
// the specs that run them, and the paper's numbers beside ours.

// A paperRow is one row of an ablation table of the FDA paper ("Learning
// Frequency Domain Approximation for Binary Neural Networks", NeurIPS 2021,
// arXiv 2103.00841), with the spec that runs it here and the paper's
// ResNet-20 CIFAR-10 top-1 accuracy, as printed (docs/paper-tables.md).
type paperRow struct {
	label string
	spec  string
	paper float64
}

// sineNARows is the paper's Table 2. Its "no sine, no NA" row is the
// straight-through baseline: 84.44 is the DoReFa [STE] entry of the
// paper's Table 1, so it maps to spec ste. "sine" is FDA without noise
// adaptation, "sine + NA" the full method.
var sineNARows = []paperRow{
	{"no sine, no NA", "ste", 84.44},
	{"sine", "fda", 85.83},
	{"sine + NA", "fda+na", 86.20},
}

// naOthersRows is the paper's Table 3: noise adaptation added to other
// estimators, without → with.
var naOthersRows = [][2]paperRow{
	{{"DSQ", "dsq", 84.11}, {"DSQ + NA", "dsq+na", 84.46}},
	{{"BNN+", "bnnplus", 84.59}, {"BNN+ + NA", "bnnplus+na", 84.87}},
	{{"FDA", "fda", 85.83}, {"FDA + NA", "fda+na", 86.20}},
}

// etaRows is the paper's Table 4: the shortcut η of noise adaptation
// (a = 0.1).
var etaRows = []paperRow{
	{"none (η = 0)", "fda+na:eta=0", 85.27},
	{"a·x", "fda+na:eta=x", 85.93},
	{"a·sin(x)", "fda+na", 86.20},
}

// PaperSpecs returns the estimator specs the paper's ablation tables
// (Tables 2, 3 and 4) need, each once, in table order: what
// `gradbench run --ablation paper` runs.
func PaperSpecs() []estimators.Spec {
	var specs []estimators.Spec
	seen := map[string]bool{}
	add := func(s string) {
		spec := estimators.MustParse(s)
		if !seen[spec.String()] {
			seen[spec.String()] = true
			specs = append(specs, spec)
		}
	}
	for _, r := range sineNARows {
		add(r.spec)
	}
	for _, r := range naOthersRows {
		add(r[0].spec)
		add(r[1].spec)
	}
	for _, r := range etaRows {
		add(r.spec)
	}
	return specs
}

// naNote warns that noise adaptation does nothing in a one-epoch run:
// its weight α = 0.05·(1 + cos(π(e+1)/E)) is 0 in the last epoch.
func naNote(gs map[string]*Group) string {
	for spec, g := range gs {
		if strings.Contains(spec, "+na") && len(g.Runs) > 0 && g.Runs[0].Config.Epochs == 1 {
			return " In a one-epoch run the noise adaptation weight α is 0 (it decays to 0 at the last epoch), so every +na row equals its estimator without NA."
		}
	}
	return ""
}

func writeSineNA(w io.Writer, gs map[string]*Group, _ []string, _ []uint64) error {
	fmt.Fprintf(w, "Table 2 of the FDA paper (sine and noise adaptation ablation). Its \"no sine, no NA\" row is the straight-through baseline (84.44 = DoReFa [STE] in its Table 1), run here as ste.\n\n")
	return writeRows(w, gs, []string{"paper row", "estimator"}, paperRows(sineNARows), "Δ vs ste (pp)", paperNote)
}

func writeEta(w io.Writer, gs map[string]*Group, _ []string, _ []uint64) error {
	fmt.Fprintf(w, "Table 4 of the FDA paper (the shortcut η(t) of noise adaptation, a = 0.1).\n\n")
	return writeRows(w, gs, []string{"η", "estimator"}, paperRows(etaRows), "Δ vs η = 0 (pp)", paperNote)
}

// paperNote is the footnote of a table with the paper's numbers.
const paperNote = " The paper reports single numbers on ResNet-20/CIFAR-10, without standard deviations."

// A labelledRow is a row of a table whose rows are compared with its
// first row (see writeRows).
type labelledRow struct {
	labels []string // its label cells
	spec   string   // the spec that runs it, canonical; "" if none can
	why    string   // for a row no spec can run: why, shown in its cells
	paper  string   // the paper's number, "" where a table has none
}

// paperRows makes the rows of one of the paper's tables.
func paperRows(rows []paperRow) []labelledRow {
	out := make([]labelledRow, len(rows))
	for i, r := range rows {
		out[i] = labelledRow{labels: []string{r.label}, spec: canon(r.spec), paper: fmt.Sprintf("%.2f", r.paper)}
	}
	return out
}

// writeRows writes a table whose rows are compared with the first row,
// seed by seed: the label columns and the spec (headed heads), top-1, n,
// diverged, Δ (headed deltaHead), its interval and p, and the paper's
// number if the rows have one; note ends the footnote.
// paperHead heads the column of the paper's numbers: top-1 accuracy in
// percent, like the measured column, but of ResNet-20 on CIFAR-10.
const paperHead = "paper top-1 % (ResNet-20, CIFAR-10)"

func writeRows(w io.Writer, gs map[string]*Group, heads []string, rows []labelledRow, deltaHead, note string) error {
	ref := rows[0].spec
	base := gs[ref]
	paper := rows[0].paper != ""
	prs := make([]*pairing, len(rows))
	for i, r := range rows {
		if g := gs[r.spec]; i > 0 && base != nil && g != nil {
			prs[i] = pairWith(base, g, metricTop1)
		}
	}
	holmAdjust(prs)
	unequal := anyUnpaired(prs)
	header := append(append([]string(nil), heads...), "top-1 % (mean ± std)", "n", "diverged")
	if unequal {
		header = append(header, "seeds", "paired with "+ref)
	}
	header = append(header, deltaHead, "95% CI", "p", "p (Holm)")
	if paper {
		header = append(header, paperHead)
	}
	var cells [][]string
	for i, r := range rows {
		g := gs[r.spec]
		row := append(append([]string(nil), r.labels...), escapeMarkdown(r.spec))
		switch {
		case r.spec == "":
			row[len(row)-1] = "–"
			row = append(row, r.why, "–", "–")
		case g == nil:
			row = append(row, "not run", "0", "–")
		default:
			row = append(row, fmtMeanStd(g.Top1, 2), strconv.Itoa(g.N()), fmtDiverged(g.Diverged))
		}
		if unequal {
			if g == nil {
				row = append(row, "–", "–")
			} else {
				row = append(row, fmtSeeds(g.seeds(metricTop1)), fmtPaired(prs[i]))
			}
		}
		row = append(row, compareCells(prs[i], metricTop1)...)
		if paper {
			row = append(row, r.paper)
		}
		cells = append(cells, row)
	}
	if err := mdtable.Write(w, len(heads), header, cells); err != nil {
		return wrapErr("suite: table", err)
	}
	fmt.Fprintf(w, "\n%s%s%s\n",
		pairedNote("top-1(row, seed) − top-1("+ref+", seed), in percentage points", prs), note, pairNotes(ref, prs)+naNote(gs))
	return nil
}

func writeNAOthers(w io.Writer, gs map[string]*Group, _ []string, _ []uint64) error {
	fmt.Fprintf(w, "Table 3 of the FDA paper (noise adaptation added to other estimators).\n\n")
	prs := make([]*pairing, len(naOthersRows))
	for i, pair := range naOthersRows {
		without, with := gs[canon(pair[0].spec)], gs[canon(pair[1].spec)]
		if without != nil && with != nil {
			prs[i] = pairWith(without, with, metricTop1)
		}
	}
	holmAdjust(prs)
	unequal := anyUnpaired(prs)
	header := []string{"estimator", "without NA", "with NA", "n", "diverged"}
	if unequal {
		header = append(header, "seeds", "paired")
	}
	header = append(header, "Δ with − without (pp)", "95% CI", "p", "p (Holm)", paperHead)
	var cells [][]string
	for i, pair := range naOthersRows {
		without, with := gs[canon(pair[0].spec)], gs[canon(pair[1].spec)]
		row := []string{fmt.Sprintf("%s (%s → %s)", pair[0].label, canon(pair[0].spec), canon(pair[1].spec))}
		var da, db []int
		na, nb, sa, sb := "0", "0", "–", "–"
		if without != nil {
			da, na, sa = without.Diverged, strconv.Itoa(without.N()), fmtSeeds(without.seeds(metricTop1))
		}
		if with != nil {
			db, nb, sb = with.Diverged, strconv.Itoa(with.N()), fmtSeeds(with.seeds(metricTop1))
		}
		row = append(row, fmtMeanStdOrNotRun(without), fmtMeanStdOrNotRun(with), na+" / "+nb,
			fmtDiverged(da)+" / "+fmtDiverged(db))
		if unequal {
			row = append(row, sa+" / "+sb, fmtPaired(prs[i]))
		}
		row = append(row, compareCells(prs[i], metricTop1)...)
		cells = append(cells, append(row, fmt.Sprintf("%.2f → %.2f", pair[0].paper, pair[1].paper)))
	}
	if err := mdtable.Write(w, 1, header, cells); err != nil {
		return wrapErr("suite: table", err)
	}
	fmt.Fprintf(w, "\nn, diverged and seeds: without / with NA. %s%s\n",
		pairedNote("top-1(with NA, seed) − top-1(without, seed), in percentage points", prs), pairNotes("the row without NA", prs)+naNote(gs))
	return nil
}

func canon(spec string) string { return estimators.MustParse(spec).String() }
