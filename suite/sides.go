package suite

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/gradbench/gradbench/estimators"
)

// The sides ablation (TableSides, `gradbench run --ablation sides`) trains
// each estimator E on one side of every binary layer with the clipped STE
// on the other, and on both: E on the latent weights only (w=E/a=ste), on
// the activations only (w=ste/a=E) and on both (E). A sided E
// (w=F/a=G) gives w=F/a=ste, w=ste/a=G and itself.

// sideRoles name the three rows of an estimator in the sides table.
var sideRoles = [3]string{"weights only", "activations only", "both"}

// A sidesBlock is one estimator's rows of the sides table: its spec on
// the weights only, on the activations only and on both (canonical), ""
// where it cannot run, and why.
type sidesBlock struct {
	est   string
	specs [3]string
	why   string
}

// sidesOf returns the block of estimator e. An estimator for latent
// weights only (estimators.WeightsOnly) has its weights-only row alone.
func sidesOf(e estimators.Spec) (sidesBlock, error) {
	b := sidesBlock{est: e.String()}
	ste := estimators.MustParse(baseline)
	w, err := estimators.Sides(e.Weights(), ste)
	if err != nil {
		return b, err
	}
	b.specs[0] = w.String()
	act, err := e.Activations().New()
	if err != nil {
		return b, err
	}
	if _, ok := act.(estimators.WeightsOnly); ok {
		// Only a plain spec can be one: a sided spec refuses it on the
		// activation side.
		b.why = "the estimator binarizes latent weights only"
		return b, nil
	}
	a, err := estimators.Sides(ste, e.Activations())
	if err != nil {
		return b, err
	}
	b.specs[1], b.specs[2] = a.String(), e.String()
	return b, nil
}

// SidesSpecs returns the specs the sides ablation trains for the
// estimators es, each once, in table order: ste (the baseline, whose
// three rows are all ste), then for each estimator its spec on the
// weights only, on the activations only and on both. An estimator for
// latent weights only gets its weights-only spec alone. A sided spec with
// ste on one side (w=F/a=ste) is refused: it is one of F's rows, and the
// ablation would table F with its other two rows not run; so is a list of
// ste alone, which leaves the ablation its baseline and nothing to set
// against it.
func SidesSpecs(es []estimators.Spec) ([]estimators.Spec, error) {
	specs := []estimators.Spec{estimators.MustParse(baseline)}
	seen := map[string]bool{baseline: true}
	for _, e := range es {
		if w, a := e.Weights().String(), e.Activations().String(); e.Sided() && (w == baseline || a == baseline) {
			other := w
			if w == baseline {
				other = a
			}
			return nil, fmt.Errorf("suite: --ablation sides: %s is already a row of the ablation, %s's on one side: give %s for its three rows", e, other, other)
		}
		b, err := sidesOf(e)
		if err != nil {
			return nil, err
		}
		for _, s := range b.specs {
			if s != "" && !seen[s] {
				seen[s] = true
				specs = append(specs, estimators.MustParse(s))
			}
		}
	}
	if len(specs) == 1 {
		return nil, fmt.Errorf("suite: --ablation sides: the estimators give %s alone, the ablation's baseline, which it trains once anyway: give an estimator to set on each side against it, such as fda", baseline)
	}
	return specs, nil
}

// sidesBlocks finds the estimators of the sides table among the specs of
// order (when given) or of gs. An estimator is a spec with no ste side; a
// spec with ste on one side (w=F/a=ste) belongs to every such estimator
// whose rows include it and, when none does, to the estimator of its
// other side (F). Without order, an estimator is shown only if one of
// its one-side rows has records: the others are rows of the main table.
func sidesBlocks(gs map[string]*Group, order []string) []sidesBlock {
	specs := order
	if specs == nil {
		specs = rowOrder(gs, nil)
	}
	var blocks []sidesBlock
	covered := map[string]bool{}
	add := func(e estimators.Spec) {
		for _, b := range blocks {
			if b.est == e.String() {
				return
			}
		}
		b, err := sidesOf(e)
		if err != nil {
			return
		}
		if order == nil && gs[b.specs[0]] == nil && gs[b.specs[1]] == nil {
			return
		}
		for _, s := range b.specs {
			covered[s] = true
		}
		blocks = append(blocks, b)
	}
	var oneSided []estimators.Spec
	for _, s := range specs {
		spec, err := estimators.Parse(s)
		if err != nil || spec.String() == baseline {
			continue
		}
		if spec.Weights().String() == baseline || spec.Activations().String() == baseline {
			oneSided = append(oneSided, spec)
			continue
		}
		add(spec)
	}
	for _, s := range oneSided {
		if covered[s.String()] {
			continue
		}
		if s.Activations().String() == baseline {
			add(s.Weights())
		} else {
			add(s.Activations())
		}
	}
	if order != nil {
		return blocks
	}
	sort.SliceStable(blocks, func(i, j int) bool { return blocks[i].est < blocks[j].est })
	return blocks
}

// writeSides writes the sides table: ste, then each estimator's rows, all
// compared with ste seed by seed, and the final losses of those rows.
func writeSides(w io.Writer, gs map[string]*Group, order []string, baseOut []uint64) error {
	fmt.Fprintf(w, "Each estimator on the latent weights only (the clipped STE, %s, on the activations), on the activations only (%s on the weights) and on both.\n\n", baseline, baseline)
	rows := []labelledRow{{labels: []string{baseline, "both (baseline)"}, spec: baseline}}
	specs := []string{baseline}
	seen := map[string]bool{baseline: true}
	blocks := sidesBlocks(gs, order)
	for _, b := range blocks {
		for i, s := range b.specs {
			r := labelledRow{labels: []string{escapeMarkdown(b.est), sideRoles[i]}, spec: s}
			if s == "" {
				r.why = "not applicable: " + b.why
			} else if gs[s] != nil && !seen[s] {
				seen[s] = true
				specs = append(specs, s)
			}
			rows = append(rows, r)
		}
	}
	note := ""
	if len(blocks) == 0 {
		note = " No estimator was run on one side only (gradbench run --ablation sides --estimators E,... trains them)."
	}
	if gs[baseline] == nil {
		note += " " + noBaseline(nil, baseOut, "Δ, CI and p need the "+baseline+" baseline") // its rows always hold ste
	}
	note += sidesRateNote(gs, blocks)
	if err := writeRows(w, gs, []string{"estimator", "on", "spec"}, rows, "Δ vs "+baseline+" (pp)", note); err != nil {
		return err
	}
	var ran []string
	for _, s := range specs {
		if gs[s] != nil {
			ran = append(ran, s)
		}
	}
	if len(ran) == 0 {
		return nil
	}
	return writeLosses(w, gs, ran)
}

// sidesRateNote says which one-side rows of blocks trained at another
// learning rate than their estimator's row, on a learning-rate grid's
// table (gs holds each spec at its chosen rate): the ablation trains
// w=E/a=ste and w=ste/a=E at E's chosen rate, and a choice for E that
// moved after they ran (its grid extended) would otherwise set them
// against E at another rate, unsaid. Empty when every row agrees.
func sidesRateNote(gs map[string]*Group, blocks []sidesBlock) string {
	rate := func(s string) (float64, bool) {
		g := gs[s]
		if g == nil || len(g.Runs) == 0 || g.Runs[0].Config.LRScale == 0 {
			return 0, false
		}
		return g.Runs[0].Config.TrainLR(), true
	}
	fmtLR := func(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
	var off []string
	for _, b := range blocks {
		want, ok := rate(b.specs[2])
		if !ok {
			continue
		}
		for _, s := range b.specs[:2] {
			if got, ok := rate(s); ok && got != want {
				off = append(off, fmt.Sprintf("%s at lr %s, %s at %s", escapeMarkdown(s), fmtLR(got), escapeMarkdown(b.specs[2]), fmtLR(want)))
			}
		}
	}
	if len(off) == 0 {
		return ""
	}
	return " Rows at another learning rate than their estimator's choice (" + strings.Join(off, "; ") + "): they differ from it in the rate as well as the side; train them at the estimator's chosen rate (--lr-grid with its multiplier) to compare the sides alone."
}
