package suite

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/internal/mdtable"
)

// Table names for WriteTable and `gradbench table --ablation`.
const (
	TableMain     = "main"      // one row per estimator
	TableSineNA   = "sine-na"   // the FDA paper's Table 2
	TableNAOthers = "na-others" // the FDA paper's Table 3
	TableEta      = "eta"       // the FDA paper's Table 4
	TablePaper    = "paper"     // Tables 2, 3 and 4 together
)

// TableNames lists the tables WriteTable builds.
func TableNames() []string {
	return []string{TableMain, TableSineNA, TableNAOthers, TableEta, TablePaper}
}

// baseline is the estimator the main table compares every other one with.
const baseline = "ste"

// A paperRow is one row of an ablation table of the FDA paper ("Learning
// Frequency Domain Approximation for Binary Neural Networks", NeurIPS 2021,
// arXiv 2103.00841), with the spec that runs it here and the paper's
// ResNet-20 CIFAR-10 top-1 accuracy (../shared/spec/paper-tables.md).
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

// WriteTable writes the named table (see TableNames) as markdown for every
// workload found in rs, each under a heading that describes the workload.
// order, if not nil, lists canonical specs in the order the main table
// shows them; estimators not in it follow, sorted, with ste first.
func WriteTable(w io.Writer, name string, rs []*Record, order []string) error {
	var write func(io.Writer, map[string]*Group, []string) error
	switch name {
	case TableMain:
		write = writeMain
	case TableSineNA:
		write = writeSineNA
	case TableNAOthers:
		write = writeNAOthers
	case TableEta:
		write = writeEta
	case TablePaper:
		write = func(w io.Writer, gs map[string]*Group, order []string) error {
			for i, f := range []func(io.Writer, map[string]*Group, []string) error{writeSineNA, writeNAOthers, writeEta} {
				if i > 0 {
					fmt.Fprintln(w)
				}
				if err := f(w, gs, order); err != nil {
					return err
				}
			}
			return nil
		}
	default:
		return fmt.Errorf("suite: unknown table %q (have %s)", name, strings.Join(TableNames(), ", "))
	}
	if len(rs) == 0 {
		return fmt.Errorf("suite: no finished runs to tabulate")
	}
	for i, wl := range byWorkload(rs) {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "### %s\n\n", wl[0].Config.label(wl[0].Recipe))
		if err := write(w, groups(wl), order); err != nil {
			return err
		}
	}
	return nil
}

// byWorkload splits records by workload, in a stable order (that of the
// first record of each workload in rs).
func byWorkload(rs []*Record) [][]*Record {
	var out [][]*Record
	idx := map[string]int{}
	for _, r := range rs {
		k := r.Config.WorkloadKey()
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], r)
	}
	return out
}

// rowOrder returns the specs of gs in table order.
func rowOrder(gs map[string]*Group, order []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range order {
		if gs[s] != nil && !seen[s] {
			out = append(out, s)
			seen[s] = true
		}
	}
	var rest []string
	for s := range gs {
		if !seen[s] {
			rest = append(rest, s)
		}
	}
	sort.Slice(rest, func(i, j int) bool {
		if (rest[i] == baseline) != (rest[j] == baseline) {
			return rest[i] == baseline
		}
		return rest[i] < rest[j]
	})
	return append(out, rest...)
}

func writeMain(w io.Writer, gs map[string]*Group, order []string) error {
	specs := rowOrder(gs, order)
	top5 := false
	for _, g := range gs {
		top5 = top5 || len(g.Top5) > 0
	}
	base := gs[baseline]
	header := []string{"estimator", "top-1 % (mean ± std)"}
	if top5 {
		header = append(header, "top-5 % (mean ± std)")
	}
	header = append(header, "n", "diverged", "Δ vs ste (pp)", "p", "sec/epoch")
	var rows [][]string
	var ns []int
	for _, s := range specs {
		g := gs[s]
		row := []string{s, fmtMeanStd(g.Top1)}
		if top5 {
			row = append(row, fmtMeanStd(g.Top5))
		}
		delta, p := "–", "–"
		if base != nil && s != baseline {
			delta, p = compareCells(base.Top1, g.Top1)
		}
		row = append(row, strconv.Itoa(g.N()), fmtDiverged(g.Diverged), delta, p, fmtSeconds(g))
		rows = append(rows, row)
		ns = append(ns, g.N())
	}
	if err := mdtable.Write(w, 1, header, rows); err != nil {
		return fmt.Errorf("suite: table: %w", err)
	}
	note := "n: finished runs (seeds); diverged runs (a NaN or Inf loss) are counted, never averaged. " +
		"Δ: difference of the means in percentage points. p: two-sided Mann–Whitney U test over seeds (golang.org/x/perf/benchmath); * marks p < 0.05. " +
		"sec/epoch: training and evaluation wall time."
	if base == nil {
		note += " No ste runs: Δ and p need the ste baseline."
	}
	fmt.Fprintf(w, "\n%s%s%s\n", note, powerNote(ns), naNote(gs))
	return nil
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

func writeSineNA(w io.Writer, gs map[string]*Group, _ []string) error {
	fmt.Fprintf(w, "Table 2 of the FDA paper (sine and noise adaptation ablation). Its \"no sine, no NA\" row is the straight-through baseline (84.44 = DoReFa [STE] in its Table 1), run here as ste.\n\n")
	return writeRows(w, gs, sineNARows, "paper row", "Δ vs ste (pp)")
}

func writeEta(w io.Writer, gs map[string]*Group, _ []string) error {
	fmt.Fprintf(w, "Table 4 of the FDA paper (the shortcut η(t) of noise adaptation, a = 0.1).\n\n")
	return writeRows(w, gs, etaRows, "η", "Δ vs η = 0 (pp)")
}

// writeRows writes an ablation table whose rows are compared with the
// first row.
func writeRows(w io.Writer, gs map[string]*Group, rows []paperRow, first, deltaHead string) error {
	header := []string{first, "estimator", "top-1 % (mean ± std)", "n", "diverged", deltaHead, "p", "paper (ResNet-20, CIFAR-10)"}
	var cells [][]string
	var ns []int
	base := gs[canon(rows[0].spec)]
	for i, r := range rows {
		g := gs[canon(r.spec)]
		row := []string{r.label, canon(r.spec)}
		if g == nil {
			row = append(row, "not run", "0", "–", "–", "–")
		} else {
			delta, p := "–", "–"
			if i > 0 && base != nil {
				delta, p = compareCells(base.Top1, g.Top1)
			}
			row = append(row, fmtMeanStd(g.Top1), strconv.Itoa(g.N()), fmtDiverged(g.Diverged), delta, p)
			ns = append(ns, g.N())
		}
		row = append(row, fmt.Sprintf("%.2f", r.paper))
		cells = append(cells, row)
	}
	if err := mdtable.Write(w, 2, header, cells); err != nil {
		return fmt.Errorf("suite: table: %w", err)
	}
	fmt.Fprintf(w, "\nΔ and p (two-sided Mann–Whitney U over seeds) compare each row with the first; * marks p < 0.05. The paper reports single numbers on ResNet-20/CIFAR-10, without standard deviations.%s%s\n", powerNote(ns), naNote(gs))
	return nil
}

func writeNAOthers(w io.Writer, gs map[string]*Group, _ []string) error {
	fmt.Fprintf(w, "Table 3 of the FDA paper (noise adaptation added to other estimators).\n\n")
	header := []string{"estimator", "without NA", "with NA", "n", "diverged", "Δ with − without (pp)", "p", "paper (ResNet-20, CIFAR-10)"}
	var cells [][]string
	var ns []int
	for _, pair := range naOthersRows {
		without, with := gs[canon(pair[0].spec)], gs[canon(pair[1].spec)]
		row := []string{fmt.Sprintf("%s (%s → %s)", pair[0].label, canon(pair[0].spec), canon(pair[1].spec))}
		var a, b []float64
		var da, db []int
		na, nb := "0", "0"
		if without != nil {
			a, da, na = without.Top1, without.Diverged, strconv.Itoa(without.N())
			ns = append(ns, without.N())
		}
		if with != nil {
			b, db, nb = with.Top1, with.Diverged, strconv.Itoa(with.N())
			ns = append(ns, with.N())
		}
		delta, p := "–", "–"
		if without != nil && with != nil {
			delta, p = compareCells(a, b)
		}
		row = append(row, fmtMeanStdOrNotRun(without), fmtMeanStdOrNotRun(with), na+" / "+nb,
			fmtDiverged(da)+" / "+fmtDiverged(db), delta, p,
			fmt.Sprintf("%.2f → %.2f", pair[0].paper, pair[1].paper))
		cells = append(cells, row)
	}
	if err := mdtable.Write(w, 1, header, cells); err != nil {
		return fmt.Errorf("suite: table: %w", err)
	}
	fmt.Fprintf(w, "\nn and diverged: without / with NA. p: two-sided Mann–Whitney U over seeds, with vs without; * marks p < 0.05.%s%s\n", powerNote(ns), naNote(gs))
	return nil
}

func canon(spec string) string { return estimators.MustParse(spec).String() }

// compareCells formats the difference of the means of b and a, and the
// p-value of b vs a with a marker when p < alpha.
func compareCells(a, b []float64) (delta, p string) {
	if len(a) == 0 || len(b) == 0 {
		return "–", "–"
	}
	ma, _ := meanStd(a)
	mb, _ := meanStd(b)
	delta = fmt.Sprintf("%+.2f", mb-ma)
	pv, ok := mannWhitney(a, b)
	if !ok {
		return delta, "–"
	}
	p = fmt.Sprintf("%.3f", pv)
	if pv < alpha {
		p += " *"
	}
	return delta, p
}

// powerNote warns when the seeds are too few for any difference to reach
// p < alpha: with n seeds on each side the test cannot go below minP(n, n).
func powerNote(ns []int) string {
	hi := 0
	for _, n := range ns {
		hi = max(hi, n)
	}
	switch {
	case hi == 0:
		return ""
	case hi < 2:
		return " With one seed there is no p-value: use --seeds 4 or more to test differences."
	case minP(hi, hi) >= alpha:
		return fmt.Sprintf(" With %d seeds per estimator the smallest possible p is %.3f, so no difference can reach p < %g: use --seeds 4 or more.", hi, minP(hi, hi), alpha)
	}
	return ""
}

func fmtMeanStd(xs []float64) string {
	m, s := meanStd(xs)
	switch {
	case len(xs) == 0:
		return "–"
	case len(xs) == 1:
		return fmt.Sprintf("%.2f ± –", m)
	}
	return fmt.Sprintf("%.2f ± %.2f", m, s)
}

func fmtMeanStdOrNotRun(g *Group) string {
	if g == nil {
		return "not run"
	}
	return fmtMeanStd(g.Top1)
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
