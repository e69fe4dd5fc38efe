package suite

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gradbench/gradbench/fidelity"
	"github.com/gradbench/gradbench/internal/mdtable"
)

// WriteMarkdown writes per state the table estimator × metric with the
// bootstrap intervals, the per-layer correlations and the agreement.
func (r *FidelityResult) WriteMarkdown(w io.Writer) error {
	fmt.Fprintf(w, "#### Gradient fidelity: %s\n\n", r.Label)
	for _, e := range r.Initial {
		fmt.Fprintf(w, "%s is measured at the trained states with its own trainable state (%s) at the values it starts with, not trained ones: the run was trained with another estimator, whose weights hold none of it.\n\n", e.Estimator, strings.Join(e.Params, ", "))
	}
	for _, st := range r.States {
		fmt.Fprintf(w, "%s (true loss %.4f):\n\n", st.Name, st.Loss)
		head := []string{"estimator", "Pearson", "95% CI", "Spearman", "95% CI", "sign agreement", "top-k precision", "base rate", "control (last layer) Pearson"}
		if r.Batches > 1 {
			head = append(head, fmt.Sprintf("Pearson, mean of %d batches", r.Batches), "95% CI over batches", fmt.Sprintf("Spearman, mean of %d batches", r.Batches), "95% CI over batches")
		}
		var rows [][]string
		for _, row := range st.Rows {
			o, lo, hi := row.Overall, row.CI.Lo, row.CI.Hi
			last := row.PerLayer[len(row.PerLayer)-1]
			cells := []string{row.Estimator,
				f3(o.Pearson), ci(lo.Pearson, hi.Pearson), f3(o.Spearman), ci(lo.Spearman, hi.Spearman),
				fmt.Sprintf("%s %s", f3(o.Sign), ci(lo.Sign, hi.Sign)),
				fmt.Sprintf("%s %s", f3(o.TopK), ci(lo.TopK, hi.TopK)), f3(o.BaseRate), f3(last.Pearson)}
			if r.Batches > 1 {
				m, blo, bhi := row.BatchMean, row.BatchCI.Lo, row.BatchCI.Hi
				cells = append(cells, f3(m.Pearson), ci(blo.Pearson, bhi.Pearson), f3(m.Spearman), ci(blo.Spearman, bhi.Spearman))
			}
			rows = append(rows, cells)
		}
		if err := mdtable.Write(w, 1, head, rows); err != nil {
			return err
		}
		fmt.Fprintln(w)
		head = []string{"layer", "sampled: uniform + smallest tenth"}
		for _, e := range r.Estimators {
			head = append(head, e)
		}
		rows = nil
		for l, path := range r.Layers {
			row := []string{path, r.sampled(l)}
			for _, est := range st.Rows {
				row = append(row, f3(est.PerLayer[l].Pearson))
			}
			rows = append(rows, row)
		}
		fmt.Fprintln(w, "Pearson correlation of δ with ΔL per binary layer (the last is the control):")
		fmt.Fprintln(w)
		if err := mdtable.Write(w, 2, head, rows); err != nil {
			return err
		}
		head = append([]string{"estimator"}, r.Estimators...)
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Agreement: cosine between the estimators' latent gradients, mean over binary layers:")
		fmt.Fprintln(w)
		rows = nil
		mc := meanCosine(st, len(r.Estimators))
		for i, e := range r.Estimators {
			row := []string{e}
			for j := range r.Estimators {
				row = append(row, f3(mc[i][j]))
			}
			rows = append(rows, row)
		}
		if err := mdtable.Write(w, 1, head, rows); err != nil {
			return err
		}
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Descent: true-loss change (and signs flipped) after one step W − η·g on the binary layers' latent weights, g the estimator's gradient on a training batch:")
		fmt.Fprintln(w)
		head = []string{"direction"}
		for _, k := range DescentScales {
			head = append(head, fmt.Sprintf("ΔL at lr×%g", k), "flips")
		}
		head = append(head, "ΔL at matched norm", "flips")
		rows = nil
		step := func(row []string, s fidelity.Step) []string {
			return append(row, fmt.Sprintf("%+.4f", s.DL), strconv.Itoa(s.Flips))
		}
		for i, e := range r.Estimators {
			row := []string{e}
			for _, s := range st.Descent[i] {
				row = step(row, s)
			}
			rows = append(rows, row)
		}
		row := []string{"random (" + r.Estimators[0] + "'s layer norms)"}
		for _, s := range st.Random {
			row = step(row, s)
		}
		rows = append(rows, append(row, "–", "–"))
		if err := mdtable.Write(w, 1, head, rows); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	_, err := fmt.Fprintf(w, "δ = −2b·∂L_E/∂b predicted by each estimator's backward pass, ΔL the exact change of flipping the sign of one binary weight (true loss: sign forward, no noise adaptation, BatchNorm in training mode, on %s), over %d sampled weights per state%s; 95%% CI: bootstrap percentile intervals over the sampled weights (of the first evaluation batch).%s Sign agreement over the flips with |ΔL| above float noise; top-k precision: of the 10%% of weights predicted to lower the loss most, the fraction that do, against the base rate of all sampled weights. Descent: matched norm is the η with ‖η·g‖ the median over the estimators of ‖lr·g‖; the full-precision layers do not move. Wall time %s in all, loading the data and the network and timing the passes included.\n",
		"one evaluation batch of training images", r.States[0].Rows[0].Overall.N, r.sampleNote(), overBatches(r.Batches), RoundSeconds(r.Elapsed))
	return err
}

// initialNote says which estimators of st were measured with their own
// trainable state at its initial values (FidelityRow.Initial), for the
// plots' titles; "" where none was.
func initialNote(st FidelityState) string {
	var es []string
	for _, row := range st.Rows {
		if row.Initial {
			es = append(es, row.Estimator)
		}
	}
	switch len(es) {
	case 0:
		return ""
	case 1:
		return es[0] + ": its own trainable state at the values it starts with, not trained ones"
	}
	return strings.Join(es, ", ") + ": their own trainable state at the values they start with, not trained ones"
}

// sampled is the per-layer table's cell of the weights layer l gave each
// stratum: "all n" where the stratum holds fewer than asked.
func (r *FidelityResult) sampled(l int) string {
	if l >= len(r.Sampled) {
		return "–"
	}
	one := func(got int) string {
		if got < r.PerStratum {
			return "all " + strconv.Itoa(got)
		}
		return strconv.Itoa(got)
	}
	return one(r.Sampled[l].Uniform) + " + " + one(r.Sampled[l].Small)
}

// sampleNote says how the weights were sampled and, where a stratum of a
// layer held fewer than asked, in how many layers.
func (r *FidelityResult) sampleNote() string {
	if r.PerStratum == 0 {
		return ""
	}
	short := 0
	for _, s := range r.Sampled {
		if s.Short(r.PerStratum) {
			short++
		}
	}
	note := fmt.Sprintf(" (%d per binary layer drawn uniformly and %d among its 10%% smallest |w|", r.PerStratum, r.PerStratum)
	if short == 0 {
		return note + ", in every layer)"
	}
	return note + fmt.Sprintf("; in %d of the %d layers a stratum holds fewer, and all its weights were taken: see the per-layer table's sampled column)", short, len(r.Sampled))
}

// overBatches says how the intervals over evaluation batches are made.
func overBatches(nb int) string {
	if nb < 2 {
		return ""
	}
	return fmt.Sprintf(" Over batches: the flips and predictions measured again on %d evaluation batches (disjoint batches of one seeded shuffle of the training split: the first is the batch above, the second of the shuffle gives the descent's training batch, the others follow it), each estimator's scores computed per batch, their mean and its bootstrap percentile interval over resamples of the batches with replacement.", nb)
}

func f3(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return strconv.FormatFloat(v, 'f', 3, 64)
}

func ci(lo, hi float64) string {
	if math.IsNaN(lo) {
		return "–"
	}
	return fmt.Sprintf("[%s, %s]", f3(lo), f3(hi))
}

// WriteBench writes the overall scores as Go benchmark-format lines with
// units, one per state and estimator, for benchstat.
func (r *FidelityResult) WriteBench(w io.Writer) error {
	for _, st := range r.States {
		for _, row := range st.Rows {
			o := row.Overall
			name := fmt.Sprintf("BenchmarkFidelity/state=%s/est=%s", strings.ReplaceAll(st.Name, " ", ""), benchName(row.Estimator))
			if row.Initial {
				// Not the measurement of the trained state: benchstat
				// keeps them apart.
				name += "/estimator-state=initial"
			}
			if _, err := fmt.Fprintf(w, "%s 1 %g pearson %g spearman %g sign-agree %g topk-prec %g base-rate\n", name, o.Pearson, o.Spearman, o.Sign, o.TopK, o.BaseRate); err != nil {
				return err
			}
		}
	}
	return nil
}

// benchName makes an estimator spec safe in a benchmark name (no spaces,
// no slashes that benchfmt reads as sub-benchmark separators).
func benchName(s string) string {
	return strings.NewReplacer(" ", "_", "/", ";", "=", ":").Replace(s)
}

// FidelityFiles are the files FidelityResult.WriteFiles writes into its
// directory, for CheckOutputDir before the measurement.
var FidelityFiles = []string{"fidelity.md", "fidelity-bench.txt", "fidelity.svg", "fidelity-agreement.svg"}

// WriteFiles writes the result into dir (created if missing): fidelity.md
// (WriteMarkdown), fidelity-bench.txt (WriteBench), fidelity.svg
// (layersSVG) and fidelity-agreement.svg (agreementSVG), all or none
// of them (see outputBatch). It returns the paths written.
func (r *FidelityResult) WriteFiles(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, wrapErr("suite: fidelity", err)
	}
	render := map[string]func() ([]byte, error){
		"fidelity.md":            bytesOf(r.WriteMarkdown),
		"fidelity-bench.txt":     bytesOf(r.WriteBench),
		"fidelity.svg":           r.layersSVG,
		"fidelity-agreement.svg": r.agreementSVG,
	}
	var batch outputBatch
	defer batch.abort()
	var written []string
	for _, name := range FidelityFiles {
		b, err := render[name]()
		if err != nil {
			return nil, err
		}
		path := filepath.Join(dir, name)
		if err := batch.add(path, b); err != nil {
			return nil, wrapErr("suite: fidelity", err)
		}
		written = append(written, path)
	}
	if err := batch.commit(); err != nil {
		return nil, wrapErr("suite: fidelity", err)
	}
	return written, nil
}

// bytesOf returns a function that returns what write writes.
func bytesOf(write func(io.Writer) error) func() ([]byte, error) {
	return func() ([]byte, error) {
		var b bytes.Buffer
		err := write(&b)
		return b.Bytes(), err
	}
}

// RoundSeconds is d to the second ("1m35s"), or "under a second" where
// that would read "0s": the report's wall time and gradbench fidelity's
// times on stderr.
func RoundSeconds(d time.Duration) string {
	if r := d.Round(time.Second); r > 0 {
		return r.String()
	}
	return "under a second"
}
