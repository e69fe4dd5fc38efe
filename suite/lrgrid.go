package suite

import (
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"al.essio.dev/pkg/shellescape"

	"github.com/gradbench/gradbench/internal/cli"
	"github.com/gradbench/gradbench/internal/mdtable"
)

// An LRChoice is the learning rate a grid chose for one estimator. Among
// the multipliers of the recipe's learning rate with at least one finished
// run over the estimator's grid seeds, it is the one with the fewest
// diverged runs over those seeds (so a multiplier none of whose runs
// diverged beats every one with a run that did: a rate that diverged on a
// seed of the grid is likely to diverge on the seeds run after it, and a
// diverged run leaves its seed out of every paired comparison); among
// those, the one with the highest mean final validation top-1 (equal but
// for the rounding of their sums, see sameMean), then the lower mean final
// validation loss, then the smaller multiplier. The grid seeds are the
// seeds with a run (finished or diverged) at every multiplier the
// estimator has runs at, so that every multiplier is judged on the same
// seeds: runs of further seeds at one multiplier alone (a study that
// selects on a few seeds and adds seeds at the choice) do not tip the
// choice.
type LRChoice struct {
	Spec  string
	Scale float64 // the chosen multiplier
	LR    float64 // the learning rate it trains at
	// Points are the grid's multipliers for the estimator, in increasing
	// order, with their validation numbers.
	Points []LRPoint
	// Seeds are the grid seeds the choice was made on, ascending.
	Seeds []uint64
}

// An LRPoint is one multiplier of an estimator's grid: the mean over its
// runs that finished of the final validation top-1 and loss, the number
// of those runs, and the number that diverged. Diverged runs are never
// averaged: they count against the multiplier, which loses to any with
// fewer of them (see LRChoice), and a multiplier with no finished run is
// never chosen.
type LRPoint struct {
	Scale            float64
	ValTop1, ValLoss float64 // NaN with no finished run
	N, Diverged      int
}

// SelectLR chooses, for each estimator of rs (the records of one
// workload, some of a learning-rate grid), its learning rate from the
// validation numbers alone: among the multipliers with a finished run,
// the fewest diverged runs, then the highest mean validation top-1, the
// lower validation loss and the smaller multiplier (see LRChoice);
// nothing in a record that comes from the test split is read. It returns the records of the chosen
// multipliers, with the records of runs without a grid kept as they are,
// and the choices in the order of the estimators' first records. The
// records must be of one data: its callers, the tables and the curves,
// refuse records whose data digests disagree first (checkSameData), since
// a choice between rates trained on different images is no choice.
func SelectLR(rs []*Record) ([]*Record, []LRChoice) {
	type key struct {
		spec  string
		scale float64
	}
	// The seeds each estimator has at each multiplier.
	seedsAt := map[key]map[uint64]bool{}
	scalesOf := map[string][]float64{}
	for _, r := range rs {
		c := r.Config
		if c.LRScale == 0 {
			continue
		}
		k := key{c.Estimator, c.LRScale}
		if seedsAt[k] == nil {
			seedsAt[k] = map[uint64]bool{}
			scalesOf[c.Estimator] = append(scalesOf[c.Estimator], c.LRScale)
		}
		seedsAt[k][c.Seed] = true
	}
	gridSeed := func(c Config) bool {
		for _, sc := range scalesOf[c.Estimator] {
			if !seedsAt[key{c.Estimator, sc}][c.Seed] {
				return false
			}
		}
		return true
	}
	var specs []string
	points := map[key]*LRPoint{}
	chose := map[string][]uint64{}
	var kept []*Record
	for _, r := range rs {
		c := r.Config
		if c.LRScale == 0 {
			kept = append(kept, r)
			continue
		}
		if !gridSeed(c) {
			if !slices.Contains(specs, c.Estimator) {
				specs = append(specs, c.Estimator)
			}
			continue
		}
		if !slices.Contains(chose[c.Estimator], c.Seed) {
			chose[c.Estimator] = append(chose[c.Estimator], c.Seed)
		}
		k := key{c.Estimator, c.LRScale}
		p := points[k]
		if p == nil {
			p = &LRPoint{Scale: c.LRScale}
			points[k] = p
			if !slices.Contains(specs, c.Estimator) {
				specs = append(specs, c.Estimator)
			}
		}
		switch r.Status {
		case StatusOK:
			last := r.Epochs[len(r.Epochs)-1]
			p.N++
			p.ValTop1 += *last.ValTop1
			p.ValLoss += *last.ValLoss
		case StatusDiverged:
			p.Diverged++
		}
	}
	var choices []LRChoice
	for _, spec := range specs {
		ch := LRChoice{Spec: spec, Scale: math.NaN(), Seeds: chose[spec]}
		slices.Sort(ch.Seeds)
		var best *LRPoint
		for _, sc := range scalesOf[spec] {
			p := points[key{spec, sc}]
			if p == nil { // no grid seed ran here
				p = &LRPoint{Scale: sc}
			}
			if p.N > 0 {
				p.ValTop1 /= float64(p.N)
				p.ValLoss /= float64(p.N)
			} else {
				p.ValTop1, p.ValLoss = math.NaN(), math.NaN()
			}
			ch.Points = append(ch.Points, *p)
		}
		slices.SortFunc(ch.Points, func(a, b LRPoint) int { return cmpFloat(a.Scale, b.Scale) })
		for i := range ch.Points {
			p := &ch.Points[i]
			if p.N == 0 {
				continue
			}
			if best == nil {
				best = p
				continue
			}
			if p.Diverged != best.Diverged {
				if p.Diverged < best.Diverged {
					best = p
				}
				continue
			}
			if tie := sameMean(p.ValTop1, best.ValTop1); !tie && p.ValTop1 > best.ValTop1 || tie && p.ValLoss < best.ValLoss {
				best = p
			}
		}
		if best != nil {
			ch.Scale = best.Scale
		}
		choices = append(choices, ch)
	}
	for _, r := range rs {
		c := r.Config
		if c.LRScale == 0 {
			continue
		}
		for i := range choices {
			if choices[i].Spec == c.Estimator && choices[i].Scale == c.LRScale {
				choices[i].LR = c.TrainLR()
				kept = append(kept, r)
			}
		}
	}
	return kept, choices
}

// Edge says whether the choice lies at an edge of the grid: +1 when the
// chosen multiplier is the largest the estimator ran, -1 when it is the
// smallest, 0 when it lies inside the grid (or nothing was chosen, or the
// grid has one multiplier). A choice at an edge says only that the best
// rate is there or beyond it: the grid should be extended that way until
// the choice lies inside it (a multiplier whose runs all diverged bounds
// the grid as well as one that scored lower).
func (c LRChoice) Edge() int {
	if math.IsNaN(c.Scale) || len(c.Points) < 2 {
		return 0
	}
	switch c.Scale {
	case c.Points[len(c.Points)-1].Scale:
		return 1
	case c.Points[0].Scale:
		return -1
	}
	return 0
}

// sameMean says whether two mean validation top-1s are equal but for the
// rounding of their sums. A top-1 is a whole number of validation images
// in hundredths of a percent, which floating point holds only nearly, so
// equal means can differ in their last bits (77.4 + 78.2 and 77.6 + 78.0
// do) and must still tie. Means that really differ do so by at least
// 100 / (images × runs), far above the relative 1e-9 allowed here.
func sameMean(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))
}

// noCommonSeed says whether nothing was chosen because no seed ran at
// every multiplier the estimator ran (a sweep interrupted between
// multipliers, or multipliers run on different seeds): its points then
// count no run at all, finished or diverged.
func (c LRChoice) noCommonSeed() bool {
	if !math.IsNaN(c.Scale) {
		return false
	}
	for _, p := range c.Points {
		if p.N > 0 || p.Diverged > 0 {
			return false
		}
	}
	return true
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// writeLRChoices writes the learning-rate selection table: for each
// estimator, the mean final validation top-1 at every multiplier of the
// grid (with the runs it averages) and the learning rate chosen.
// validation is the workload's validation fraction; alone says that it
// is the lr table, with no table of the estimators after it, and seeds
// are then its --seeds (nil for every seed), which it chose on; compared
// are the records the table after it compares (see choseComparedNote),
// read from the directory runs ("" when not known).
func writeLRChoices(w io.Writer, choices []LRChoice, validation float64, alone bool, seeds []uint64, compared []*Record, runs string) error {
	var scales []float64
	for _, ch := range choices {
		for _, p := range ch.Points {
			if !slices.Contains(scales, p.Scale) {
				scales = append(scales, p.Scale)
			}
		}
	}
	slices.Sort(scales)
	header := []string{"estimator"}
	for _, s := range scales {
		header = append(header, "val top-1 % at lr ×"+strconv.FormatFloat(s, 'g', -1, 64))
	}
	header = append(header, "chosen lr")
	var rows [][]string
	edges, partial, uncompared, single := false, false, false, false
	for _, ch := range choices {
		row := []string{ch.Spec}
		for _, s := range scales {
			cell := "–"
			for _, p := range ch.Points {
				if p.Scale != s {
					continue
				}
				switch {
				case p.N > 0:
					cell = fmt.Sprintf("%.2f (n=%d)", p.ValTop1, p.N)
					if p.Diverged > 0 {
						cell += fmt.Sprintf(", %d diverged", p.Diverged)
					}
				case p.Diverged > 0:
					cell = fmt.Sprintf("diverged (%d)", p.Diverged)
				}
				if s == ch.Scale {
					cell = "**" + cell + "**"
				}
			}
			row = append(row, cell)
		}
		if ch.noCommonSeed() {
			row = append(row, "none (no seed ran every multiplier)")
			uncompared = true
		} else if math.IsNaN(ch.Scale) {
			row = append(row, "none (every run diverged)")
		} else {
			cell := fmt.Sprintf("%s (×%s)", strconv.FormatFloat(ch.LR, 'g', 6, 64), strconv.FormatFloat(ch.Scale, 'g', -1, 64))
			switch ch.Edge() {
			case 1:
				cell += ", at the grid's upper edge"
				edges = true
			case -1:
				cell += ", at the grid's lower edge"
				edges = true
			}
			if m := missingScales(ch, scales); len(m) > 0 {
				cell += ", without runs at ×" + strings.Join(m, ", ×")
				partial = true
			} else if len(ch.Points) == 1 {
				cell += ", the only rate run"
				single = true
			}
			row = append(row, cell)
		}
		rows = append(rows, row)
	}
	if err := mdtable.Write(w, 1, header, rows); err != nil {
		return err
	}
	// The lr table is printed alone: no table follows it to point at.
	// With --seeds it chose on those seeds' runs, and the other tables,
	// with the same --seeds, at the rates chosen on every seed: not
	// necessarily these.
	shown := "The tables below show each estimator at its chosen learning rate only, with every seed run there."
	switch {
	case alone && seeds != nil:
		these := "these seeds"
		if len(seeds) == 1 {
			these = "this seed"
		}
		shown = "The other tables (gradbench table --ablation main and the rest, --seeds too) show each estimator at the learning rate chosen on every seed that ran the grid, which may differ from the one chosen here on " + these + " alone."
	case alone:
		shown = "The other tables (gradbench table --ablation main and the rest) show each estimator at its chosen learning rate only, with every seed run there."
	}
	fmt.Fprintf(w, "\nLearning rates chosen on the validation split (%s%% of the training split, held out by each seed, stratified by class), never on the test split: for each estimator, among the multipliers of the recipe's learning rate with a finished run on the seeds that ran every multiplier, the one with the fewest diverged runs on those seeds, then the highest mean final validation top-1 (n: their finished runs; ties: the lower validation loss, then the smaller multiplier); diverged runs are counted, never averaged. %s\n", cli.TimesPrinted(100, validation), shown)
	if edges {
		fmt.Fprintf(w, "A choice at the grid's edge says only that the best rate is there or beyond it: extend the grid that way (--lr-grid with the next multiplier, same seeds) until the choice lies inside it.\n")
	}
	if single {
		fmt.Fprintf(w, "A choice among one multiplier, the only one the table ran, compares nothing: it is the rate given, not one chosen; give --lr-grid several (such as 0.3,1,3, the same seeds) to choose.\n")
	}
	if uncompared {
		fmt.Fprintf(w, "An estimator whose multipliers ran on different seeds, none of them at every one, has nothing to compare them on and no rate chosen: run the same seeds at each of its multipliers (the same --lr-grid and --seeds).\n")
	}
	if partial {
		fmt.Fprintf(w, "A choice without runs at multipliers beyond it that other estimators of the table ran is the best of the learning rates its estimator ran, not of the grid's (a sweep interrupted before those, or an estimator run at a rate set by hand): train it there too (the same --lr-grid and seeds) to choose among them.\n")
	}
	if note := choseComparedNote(choices, compared, runs); note != "" {
		fmt.Fprintln(w, note)
	}
	fmt.Fprintln(w)
	return nil
}

// missingScales returns the multipliers of scales (those any estimator of
// the workload ran) at which choice ch's estimator has no run and which
// lie beyond its choice on a side where the choice is the last
// multiplier it ran, written as the table's columns write them: the
// rates it was never tried at that could be better than the one chosen.
// A choice with runs on both sides of it is bracketed, and multipliers
// further out (a grid extended for another estimator) cannot change it.
func missingScales(ch LRChoice, scales []float64) []string {
	if math.IsNaN(ch.Scale) || len(ch.Points) == 0 {
		return nil
	}
	lo, hi := ch.Points[0].Scale, ch.Points[len(ch.Points)-1].Scale
	var m []string
	for _, s := range scales {
		ran := slices.ContainsFunc(ch.Points, func(p LRPoint) bool { return p.Scale == s })
		if !ran && (s > ch.Scale && ch.Scale == hi || s < ch.Scale && ch.Scale == lo) {
			m = append(m, strconv.FormatFloat(s, 'g', -1, 64))
		}
	}
	return m
}

// choseComparedNote returns the note of a table that compares the
// records compared (the records of the chosen rates it shows, of its
// --seeds) when some of them are of seeds that chose their estimator's
// rate: a rate chosen on a seed's validation split tends to do well on
// that seed's test split too, so Δ and p over those seeds favour the
// chosen rates. It names the seeds that chose and the way out, a table
// of the compared seeds that chose no rate (gradbench table --seeds, of
// the directory runs: see tableCommand) or more seeds; "" when no
// compared record is of a seed that chose its rate (the standard study's
// seeds 3 to 10 alone), or nothing was chosen (a grid of one multiplier,
// the rate given).
func choseComparedNote(choices []LRChoice, compared []*Record, runs string) string {
	chosen := map[string]LRChoice{}
	var chose []uint64 // the seeds that chose any rate
	for _, ch := range choices {
		if math.IsNaN(ch.Scale) || len(ch.Points) < 2 {
			continue
		}
		chosen[ch.Spec] = ch
		for _, s := range ch.Seeds {
			if !slices.Contains(chose, s) {
				chose = append(chose, s)
			}
		}
	}
	var both []uint64 // the seeds that chose a rate and are compared at it
	for _, r := range compared {
		c := r.Config
		ch, ok := chosen[c.Estimator]
		if ok && c.LRScale == ch.Scale && slices.Contains(ch.Seeds, c.Seed) && !slices.Contains(both, c.Seed) {
			both = append(both, c.Seed)
		}
	}
	if len(both) == 0 {
		return ""
	}
	slices.Sort(both)
	var others []uint64
	for _, s := range recordSeeds(compared) {
		if !slices.Contains(chose, s) {
			others = append(others, s)
		}
	}
	word, are := seedsWord(len(both)), "are"
	if len(both) == 1 {
		are = "is"
	}
	table := tableCommand(runs)
	out := "run more seeds at each estimator's chosen rate (gradbench run with --lr-grid its chosen multiplier alone and new --seeds) and tabulate those alone (" + table + " --seeds)"
	if len(others) > 0 {
		out = "tabulate the other seeds alone (" + table + " --seeds " + seedsFlag(others) + ") or run more seeds"
	}
	return fmt.Sprintf("%s%s chose these learning rates and %s among the seeds compared below: a comparison on the seeds that chose its rates is not independent of the choice, so its Δ and p may be optimistic; for one that is, %s.",
		strings.ToUpper(word[:1])+word[1:], seedList(both), are, out)
}

// DefaultRunsDir is the runs directory of gradbench's commands when none
// is given: the --out of run, plan and slurm, table's --runs.
var DefaultRunsDir = filepath.Join("results", "runs")

// tableCommand returns the command that tabulates the records of the
// directory runs again, as a note advises it: gradbench table, with
// --runs and the directory quoted for the shell unless it is the default
// one (DefaultRunsDir), or "" (not known). Without it, the command a
// table of results/study/optimizers advised read results/runs.
func tableCommand(runs string) string {
	if runs == "" || filepath.Clean(runs) == DefaultRunsDir {
		return "gradbench table"
	}
	return "gradbench table --runs " + shellescape.Quote(runs)
}

// seedsFlag writes ascending seeds as --seeds takes them: a range lo..hi
// when they follow one another (a single seed too: "5" alone would be
// the count of seeds 1 to 5), a list otherwise.
func seedsFlag(seeds []uint64) string {
	lo, hi := seeds[0], seeds[len(seeds)-1]
	if hi-lo == uint64(len(seeds)-1) {
		return fmt.Sprintf("%d..%d", lo, hi)
	}
	parts := make([]string, len(seeds))
	for i, s := range seeds {
		parts[i] = strconv.FormatUint(s, 10)
	}
	return strings.Join(parts, ",")
}
