package suite

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/gradbench/gradbench/internal/mdtable"
)

// Table names for WriteTable and `gradbench table --ablation`.
const (
	TableMain     = "main"      // one row per estimator
	TableSineNA   = "sine-na"   // the FDA paper's Table 2
	TableNAOthers = "na-others" // the FDA paper's Table 3
	TableEta      = "eta"       // the FDA paper's Table 4
	TablePaper    = "paper"     // Tables 2, 3 and 4 together
	TableSides    = "sides"     // each estimator on the weights only, the activations only and both
	TableLR       = "lr"        // the learning rate a grid chose for each estimator (SelectLR), alone
	TableFindings = "findings"  // the main table's comparisons with ste, in plain sentences
	// TableDiagnostics is the training diagnostics of the final epoch,
	// seed means (gradbench table --diagnostics).
	TableDiagnostics = "diagnostics"
)

// TableNames lists the tables WriteTable builds.
func TableNames() []string {
	return []string{TableMain, TableSineNA, TableNAOthers, TableEta, TablePaper, TableSides, TableLR, TableFindings, TableDiagnostics}
}

// baseline is the estimator the main table compares every other one with.
const baseline = "ste"

// WriteTable writes the named table (see TableNames) as markdown for every
// workload found in rs, each under a heading that describes the workload.
// order, if not nil, lists canonical specs in the order the main table
// shows them; estimators not in it follow, sorted, with ste first.
func WriteTable(w io.Writer, name string, rs []*Record, order []string) error {
	return writeTable(w, name, rs, order, false)
}

// writeTable is WriteTable; with notRun, every spec of order that a
// workload has no records of is shown as not run: a row of the main table
// (and of the sides table, which has one for every spec of order anyway),
// a line after any other table.
func writeTable(w io.Writer, name string, rs []*Record, order []string, notRun bool) error {
	var show []string
	if notRun {
		show = order
	}
	return writeTableOf(w, name, rs, order, show, nil, nil, "")
}

// writeTableOf is writeTable over the runs of seeds only, when seeds is
// not nil (TableOptions.Seeds): a learning-rate grid still chooses on
// every seed that ran it, except in the lr table, which chooses on these
// seeds' runs; a line under each heading says which seeds the table
// covers. The specs of notRun (of order) that a workload has no records
// of are shown as not run, in each workload that has records of some
// spec of order: --estimators --missing=show passes order itself, and
// --first --missing=show the specs of order without a record in any
// workload, whose rows a workload of other estimators, or one that
// lacks an estimator another has, would not have shown. With in, which
// names records by key, only a workload with one of them shows notRun
// (run --no-train: the sweep's own workloads; see SweepTablesNotRun).
// runs is the directory the records were read from, which a note's
// gradbench table command names ("" when not known: see tableCommand).
func writeTableOf(w io.Writer, name string, rs []*Record, order []string, notRun []string, in map[string]bool, seeds []uint64, runs string) error {
	if err := checkSameData(rs); err != nil {
		return err
	}
	var write tableWriter
	switch name {
	case TableMain:
		write = writeMain
	case TableSineNA:
		write = writeSineNA
	case TableNAOthers:
		write = writeNAOthers
	case TableEta:
		write = writeEta
	case TableSides:
		write = writeSides
	case TableLR:
		write = nil // the choice alone, below
	case TableFindings:
		write = writeFindings
	case TableDiagnostics:
		write = writeDiagnostics
	case TablePaper:
		write = func(w io.Writer, gs map[string]*Group, order []string, baseOut []uint64) error {
			for i, f := range []tableWriter{writeSineNA, writeNAOthers, writeEta} {
				if i > 0 {
					fmt.Fprintln(w)
				}
				if err := f(w, gs, order, baseOut); err != nil {
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
	wls := byWorkload(rs)
	heads := workloadLabels(wls)
	for i, wl := range wls {
		if i > 0 {
			fmt.Fprintln(w)
		}
		notRun := notRun
		if len(missingSpecs(order, wl)) == len(order) {
			notRun = nil // a workload of other estimators alone
		}
		if in != nil && !slices.ContainsFunc(wl, func(r *Record) bool { return in[r.Key] }) {
			notRun = nil // a workload of another sweep
		}
		write := write
		if name == TableMain && len(notRun) > 0 {
			write = func(w io.Writer, gs map[string]*Group, order []string, baseOut []uint64) error {
				return writeMainRows(w, gs, order, baseOut, notRun)
			}
		}
		fmt.Fprintf(w, "### %s\n\n", escapeMarkdown(heads[i]))
		grid := wl[0].Config.LRScale != 0 // a learning-rate grid's workload
		// baseOut: the seeds of the baseline's runs when --seeds left out
		// every one of them (see baselineLeftOut).
		var baseOut []uint64
		if seeds != nil {
			if len(ofSeeds(wl, seeds)) == 0 {
				// Other workloads have some: this one is said to have none.
				fmt.Fprintf(w, "No runs of %s%s (--seeds) in this workload: no table.\n", seedsWord(len(seeds)), seedList(seeds))
				continue
			}
			writeSeedsNote(w, name, seeds, wl, grid)
			if name == TableLR || !grid {
				wl, baseOut = ofSeeds(wl, seeds), baselineLeftOut(wl, seeds)
			}
		}
		// Not run are the specs without a record here (which write's
		// main rows read): on a grid, one whose runs all diverged has no
		// chosen rate, so no row of the records chosen below, as the lr
		// table says; it ran, and a row "not run" (n 0) said it had not.
		notRun = missingSpecs(notRun, wl)
		// The notes on the records a table is computed from, above it.
		// On a grid with --seeds (but the lr table) the rates are chosen
		// on every seed's runs and the table is of the listed seeds' runs
		// at those rates: the choice's notes say so, and the table's own
		// come after the choice.
		ownNotes := grid && seeds != nil && name != TableLR
		if ownNotes {
			writeRecordNotes(w, wl, choiceRecords)
		} else {
			// Off a grid, the records of the table's rows; on one, the
			// choice's, every record, which the table's are among.
			rs := wl
			if !grid {
				rs = tabulatedRecords(name, wl)
			}
			writeRecordNotes(w, rs, "")
		}
		if grid {
			sel, choices := SelectLR(wl)
			choicesInOrder(choices, order)
			// The records the table below compares: the chosen rates'
			// of the listed seeds (none in the lr table, alone).
			var compared []*Record
			if write != nil {
				compared = sel
				if seeds != nil {
					compared = ofSeeds(sel, seeds)
				}
			}
			if err := writeLRChoices(w, choices, wl[0].Config.Validation, write == nil, seeds, compared, runs); err != nil {
				return err
			}
			if write == nil {
				writeNotRun(w, name, notRun, wl)
				continue
			}
			if seeds != nil && len(sel) > 0 {
				if sel, baseOut = ofSeeds(sel, seeds), baselineLeftOut(sel, seeds); len(sel) == 0 {
					fmt.Fprintf(w, "No runs of %s%s (--seeds) at the chosen learning rates: no table.\n", seedsWord(len(seeds)), seedList(seeds))
					writeNotRun(w, name, notRun, wl)
					continue
				}
			}
			if len(sel) == 0 {
				if slices.ContainsFunc(choices, LRChoice.noCommonSeed) {
					fmt.Fprintf(w, "No learning rate was chosen (see the chosen lr column): no table.\n")
				} else {
					fmt.Fprintf(w, "Every run of every learning rate diverged: no table.\n")
				}
				writeNotRun(w, name, notRun, wl)
				continue
			}
			wl = sel
			if ownNotes {
				writeRecordNotes(w, tabulatedRecords(name, wl), "")
			}
		}
		if write == nil {
			fmt.Fprintf(w, "No learning-rate grid in these runs: nothing was chosen.\n")
			writeNotRun(w, name, notRun, wl)
			continue
		}
		if err := write(w, groups(wl), order, baseOut); err != nil {
			return err
		}
		writeNotRun(w, name, notRun, wl)
	}
	return nil
}

// tabulatedRecords returns the records of wl that the table name reads:
// those of its fixed rows (the paper's tables), the finished runs with
// diagnostics (the diagnostics table), every one otherwise.
func tabulatedRecords(name string, wl []*Record) []*Record {
	fixed := fixedRows(name)
	if fixed == nil && name != TableDiagnostics {
		return wl
	}
	var out []*Record
	for _, r := range wl {
		switch {
		case fixed != nil && !slices.Contains(fixed, r.Config.Estimator):
		case name == TableDiagnostics && (r.Status != StatusOK || len(r.Epochs) == 0 || r.Epochs[len(r.Epochs)-1].Diagnostics == nil):
		default:
			out = append(out, r)
		}
	}
	return out
}

// A tableWriter writes a table of one workload from its groups, the
// estimators in order; baseOut is not nil when the table has no baseline
// because --seeds left out all its runs, and holds their seeds.
type tableWriter func(w io.Writer, gs map[string]*Group, order []string, baseOut []uint64) error

// baselineLeftOut returns the seeds of the baseline's runs in rs when
// none of them is of seeds (--seeds), nil when one is or there are none:
// a table over those seeds has no baseline, but not for want of runs.
func baselineLeftOut(rs []*Record, seeds []uint64) []uint64 {
	var of []*Record
	for _, r := range rs {
		if r.Config.Estimator == baseline {
			of = append(of, r)
		}
	}
	if len(ofSeeds(of, seeds)) > 0 {
		return nil
	}
	return recordSeeds(of)
}

// writeSeedsNote says, under a workload's heading, which seeds a table of
// --seeds covers, so that the table read alone does not pass for one of
// every seed: the seeds asked for that wl has runs of, then those it has
// none of, then (on a learning-rate grid) on which seeds the rates were
// chosen.
func writeSeedsNote(w io.Writer, name string, seeds []uint64, wl []*Record, grid bool) {
	have := recordSeeds(ofSeeds(wl, seeds))
	var lacking []uint64
	for _, s := range seeds {
		if !slices.Contains(have, s) {
			lacking = append(lacking, s)
		}
	}
	// One seed is "Seed 4 ... this seed", not "Seeds 4 ... these seeds".
	these := "these seeds"
	if len(have) == 1 {
		these = "this seed"
	}
	word := seedsWord(len(have))
	fmt.Fprintf(w, "%s%s only (--seeds): ", strings.ToUpper(word[:1])+word[1:], seedList(have))
	switch {
	case grid && name == TableLR:
		fmt.Fprintf(w, "the learning rates below are chosen on the runs of %s alone", these)
	case grid:
		fmt.Fprintf(w, "every row and comparison below is over the runs of %s alone; the learning rates were chosen on every seed that ran the grid, as without --seeds", these)
	default:
		fmt.Fprintf(w, "every row and comparison below is over the runs of %s alone", these)
	}
	if len(lacking) > 0 {
		have := "have"
		if len(lacking) == 1 {
			have = "has"
		}
		fmt.Fprintf(w, " (%s%s of --seeds %s no runs here)", seedsWord(len(lacking)), seedList(lacking), have)
	}
	fmt.Fprintf(w, ".\n\n")
}

// writeNotRun names the specs of notRun (--missing=show; see
// writeTableOf) without records in wl, on a line after a table that has
// no rows for them: every table but main and sides (which show them as
// rows) and the paper's (whose rows are fixed).
func writeNotRun(w io.Writer, name string, notRun []string, wl []*Record) {
	if len(notRun) == 0 || name == TableMain || name == TableSides || fixedRows(name) != nil {
		return
	}
	if m := missingSpecs(notRun, wl); len(m) > 0 {
		fmt.Fprintf(w, "\nNot run (no records): %s.\n", escapeMarkdown(strings.Join(m, ", ")))
	}
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

// workloadLabels returns the label of each workload of wls (Config.label),
// as its table's heading. A label leaves out the momentum, the weight
// decay and the augmentation, so two recipes of one name that differ in
// those alone (two recipe files tiny.json in two directories) would head
// two tables alike, with nothing to tell whose numbers are whose: where
// labels read the same, each gives those values too, and where that is
// not enough either, the workload's key. A workload whose records name
// several recipes (recipe files of other names and the same values train
// one workload) names them all, the first as the recipe: "recipe tiny
// (also named mine)".
func workloadLabels(wls [][]*Record) []string {
	labels := make([]string, len(wls))
	for i, wl := range wls {
		var names []string
		for _, r := range wl {
			if !slices.Contains(names, r.Recipe) {
				names = append(names, r.Recipe)
			}
		}
		recipe := names[0]
		if len(names) > 1 {
			recipe += " (also named " + strings.Join(names[1:], ", ") + ")"
		}
		labels[i] = wl[0].Config.label(recipe)
	}
	for _, more := range []func(c Config) string{trainingLabel, func(c Config) string { return ", workload " + c.WorkloadKey() }} {
		n := map[string]int{}
		for _, l := range labels {
			n[l]++
		}
		for i, wl := range wls {
			if n[labels[i]] > 1 {
				labels[i] += more(wl[0].Config)
			}
		}
	}
	return labels
}

// trainingLabel gives what a workload's label leaves out of its training:
// ", momentum 0.9, weight decay 0.0001, crop+flip".
func trainingLabel(c Config) string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	aug := "no augmentation"
	if c.Augment {
		aug = "crop+flip"
	}
	return fmt.Sprintf(", momentum %s, weight decay %s, %s", f(c.Momentum), f(c.WeightDecay), aug)
}

// noBaseline says why a table has no baseline to compare with, then why
// that matters: the estimators tabulated (order, --estimators) leave ste
// out, --seeds left out every run of it (baseOut, the seeds it ran), or
// there are no ste runs. A table of --estimators fda over records of ste
// too, or of --seeds 3,4 over ste runs of seeds 1 and 2, must not say
// there are none.
func noBaseline(order []string, baseOut []uint64, why string) string {
	switch {
	case order != nil && !slices.Contains(order, baseline):
		return baseline + " is not among the estimators tabulated: " + why + " (name " + baseline + " in --estimators to compare with it)."
	case len(baseOut) > 0:
		return "No " + baseline + " runs of these seeds (it ran " + namedSeeds(baseOut) + "): " + why + "."
	}
	return "No " + baseline + " runs: " + why + "."
}

// rowOrder returns the specs of gs in table order (tableOrder).
func rowOrder(gs map[string]*Group, order []string) []string {
	return tableOrder(slices.Collect(maps.Keys(gs)), order)
}

// tableOrder returns specs in the order every table shows its
// estimators: those of order (--estimators, or gradbench run's), in that
// order, then the others sorted, with ste first.
func tableOrder(specs []string, order []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range order {
		if slices.Contains(specs, s) && !seen[s] {
			out = append(out, s)
			seen[s] = true
		}
	}
	var rest []string
	for _, s := range specs {
		if !seen[s] {
			rest = append(rest, s)
			seen[s] = true
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

// choicesInOrder sorts the learning-rate choices in table order
// (tableOrder), as the table after them shows their estimators, rather
// than in the order of their first records (SelectLR's), which
// ReadRecords sorts by name.
func choicesInOrder(choices []LRChoice, order []string) {
	var specs []string
	for _, ch := range choices {
		specs = append(specs, ch.Spec)
	}
	pos := map[string]int{}
	for i, s := range tableOrder(specs, order) {
		pos[s] = i
	}
	slices.SortStableFunc(choices, func(a, b LRChoice) int { return pos[a.Spec] - pos[b.Spec] })
}

func writeMain(w io.Writer, gs map[string]*Group, order []string, baseOut []uint64) error {
	return writeMainRows(w, gs, order, baseOut, nil)
}

// writeMainRows is writeMain with a "not run" row for every spec of
// notRun (of order) without records, in its place in order.
func writeMainRows(w io.Writer, gs map[string]*Group, order []string, baseOut []uint64, notRun []string) error {
	specs := rowOrder(gs, order)
	top5 := false
	for _, g := range gs {
		top5 = top5 || len(g.Top5) > 0
	}
	base := gs[baseline]
	// prs[i] compares row i with the baseline; nil for the baseline's own
	// row and when there is none.
	prs := make([]*pairing, len(specs))
	for i, s := range specs {
		if base != nil && s != baseline {
			prs[i] = pairWith(base, gs[s], metricTop1)
		}
	}
	holmAdjust(prs)
	unequal := anyUnpaired(prs)
	header := []string{"estimator", "top-1 % (mean ± std)"}
	if top5 {
		header = append(header, "top-5 % (mean ± std)")
	}
	header = append(header, "n", "diverged")
	if unequal {
		header = append(header, "seeds", "paired with "+baseline)
	}
	header = append(header, "Δ vs "+baseline+" (pp)", "95% CI", "p", "p (Holm)", "sec/epoch")
	var rows [][]string
	for i, s := range specs {
		g := gs[s]
		row := []string{escapeMarkdown(s), fmtMeanStd(g.Top1, 2)}
		if top5 {
			row = append(row, fmtMeanStd(g.Top5, 2))
		}
		row = append(row, strconv.Itoa(g.N()), fmtDiverged(g.Diverged))
		if unequal {
			row = append(row, fmtSeeds(g.seeds(metricTop1)), fmtPaired(prs[i]))
		}
		row = append(row, compareCells(prs[i], metricTop1)...)
		rows = append(rows, append(row, fmtSeconds(g)))
	}
	if len(notRun) > 0 {
		// Each spec of notRun without records, in its place among those
		// of order that have them (which rowOrder puts first, in order).
		var all [][]string
		i := 0
		for _, s := range order {
			if gs[s] != nil {
				if i < len(rows) && specs[i] == s {
					all = append(all, rows[i])
					i++
				}
				continue
			}
			if !slices.Contains(notRun, s) {
				continue
			}
			row := []string{escapeMarkdown(s), "not run"}
			for len(row) < len(header) {
				row = append(row, "–")
			}
			row[slices.Index(header, "n")] = "0"
			all = append(all, row)
		}
		rows = append(all, rows[i:]...)
	}
	if err := mdtable.Write(w, 1, header, rows); err != nil {
		return wrapErr("suite: table", err)
	}
	note := "n: finished runs (seeds); diverged runs (a NaN or Inf loss, indicator or diagnostic) are counted, never averaged. " +
		pairedNote("top-1(estimator, seed) − top-1("+baseline+", seed), in percentage points", prs) +
		" sec/epoch: training and evaluation wall time."
	if base == nil {
		note += " " + noBaseline(order, baseOut, "Δ, CI and p need the "+baseline+" baseline")
	}
	fmt.Fprintf(w, "\n%s%s\n", note, secondsNote(gs, specs)+pairNotes(baseline, prs)+naNote(gs))
	return writeLosses(w, gs, specs)
}

// secondsSpread is the ratio of the slowest to the fastest finished run
// of one row, in seconds per epoch, from which secondsNote speaks: runs
// of one estimator and workload on one idle machine differ by a few
// percent, so a spread this wide comes from the machine (its type, its
// load), which sec/epoch then measures as much as the estimator.
const secondsSpread = 1.5

// secondsNote returns a note on the sec/epoch column, led by a space,
// where the finished runs of a row of specs differ in seconds per epoch
// by secondsSpread or more (the row of the widest spread named), or "".
// Each run's wall time is the machine's and its load's when it trained,
// which a record does not keep: a row whose runs trained while the
// machine was busy is slower by that alone.
func secondsNote(gs map[string]*Group, specs []string) string {
	worst, lo, hi := "", 0.0, 0.0
	for _, s := range specs {
		first := true
		var a, b float64
		for _, r := range gs[s].Runs {
			if r.Status != StatusOK {
				continue
			}
			v := r.Final.SecondsPerEpoch
			if first {
				a, b, first = v, v, false
			}
			a, b = min(a, v), max(b, v)
		}
		if a > 0 && b >= secondsSpread*a && (worst == "" || b/a > hi/lo) {
			worst, lo, hi = s, a, b
		}
	}
	if worst == "" {
		return ""
	}
	return fmt.Sprintf(" The runs of one row took from %.1f to %.1f s per epoch (%s): a run's wall time is also the machine's and its load's when it trained, so sec/epoch compares rows only where their runs trained together on one otherwise idle machine.", lo, hi, escapeMarkdown(worst))
}

// writeLosses writes the final test and training losses of every row in
// specs, each with its paired difference from the baseline.
func writeLosses(w io.Writer, gs map[string]*Group, specs []string) error {
	base := gs[baseline]
	fmt.Fprintf(w, "\nFinal losses (cross-entropy), compared with %s seed by seed like top-1:\n\n", baseline)
	metrics := []metric{metricTestLoss, metricTrainLoss}
	header := []string{"estimator"}
	for _, m := range metrics {
		header = append(header, m.name+" (mean ± std)", "Δ "+m.name+" vs "+baseline, "95% CI")
	}
	var rows [][]string
	var prs []*pairing
	for _, s := range specs {
		g := gs[s]
		row := []string{escapeMarkdown(s)}
		for _, m := range metrics {
			var pr *pairing
			if base != nil && s != baseline {
				pr = pairWith(base, g, m)
				prs = append(prs, pr)
			}
			row = append(row, fmtMeanStd(g.list(m), m.prec))
			row = append(row, compareCells(pr, m)[:2]...)
		}
		rows = append(rows, row)
	}
	if err := mdtable.Write(w, 1, header, rows); err != nil {
		return wrapErr("suite: table", err)
	}
	note := "test loss: on the test split in evaluation mode after the last epoch; train loss: the mean over the last epoch's training batches (training mode, noise adaptation on). " +
		"Δ and 95% CI as for top-1, over the seeds both rows finished; Δ < 0 is a lower loss than " + baseline + "."
	if anyUnpaired(prs) {
		note += " Seeds only one of the two rows finished are left out of Δ and CI."
	}
	fmt.Fprintf(w, "\n%s\n", note)
	return nil
}
