package suite

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gradbench/gradbench/fidelity"
	"github.com/gradbench/gradbench/internal/texttest"
)

// reportFidelity is a made-up result of two estimators on three binary
// layers at two states, over two evaluation batches, every number distinct
// so that a number in the wrong cell shows: the state "epoch 2" differs
// from "epoch 0" in every score.
func reportFidelity() *FidelityResult {
	sc := func(p, s, sign, topk, base float64) fidelity.Scores {
		return fidelity.Scores{N: 23, Pearson: p, Spearman: s, Sign: sign, SignN: 20, TopK: topk, K: 3, BaseRate: base}
	}
	nan := math.NaN()
	state := func(name string, off float64) FidelityState {
		st := FidelityState{Name: name, Loss: 1.23456 + off}
		for i, e := range []string{"ste", "fda"} {
			d := off + float64(i)/10
			row := FidelityRow{Estimator: e,
				Overall: sc(0.1234+d, 0.2345+d, 0.6+d, 0.75-d, 0.4+d/2),
				CI: fidelity.Interval{Lo: sc(0.05+d, 0.11+d, 0.51+d, 0.52-d, nan),
					Hi: sc(0.21+d, 0.31+d, 0.71+d, 0.92-d, nan)},
				PerLayer:  []fidelity.Scores{sc(0.011+d, 0.5, 0, 0, 0), sc(0.022+d, 0.5, 0, 0, 0), sc(0.833+d, 0.5, 0, 0, 0)},
				Batches:   []fidelity.Scores{sc(0.1+d, 0.2+d, 0, 0, 0), sc(0.16+d, 0.28+d, 0, 0, 0)},
				BatchMean: sc(0.13+d, 0.24+d, 0, 0, 0),
				BatchCI: fidelity.Interval{Lo: sc(0.012+d, 0.023+d, 0, 0, 0),
					Hi: sc(0.214+d, 0.315+d, 0, 0, 0)},
			}
			st.Rows = append(st.Rows, row)
			st.Descent = append(st.Descent, []fidelity.Step{
				{Eta: 0.03, DL: -0.01234 - d, Flips: 10 + i}, {Eta: 0.1, DL: 0.02345 + d, Flips: 20 + i},
				{Eta: 0.3, DL: -0.3456 - d, Flips: 30 + i}, {Eta: 0.2, DL: 0.0005 + d, Flips: 40 + i}})
		}
		st.Random = []fidelity.Step{{DL: 0.001, Flips: 1}, {DL: -0.002, Flips: 2}, {DL: 0.003, Flips: 3}}
		// The cosines of three layers; their mean is 0.5 off the diagonal.
		for _, c := range []float64{0.2, 0.5, 0.8} {
			st.Cosine = append(st.Cosine, [][]float64{{1, c + off}, {c + off, 1}})
		}
		return st
	}
	return &FidelityResult{Label: "run 0123456789abcdef (ste, seed 1)", Layers: []string{"l1", "l2", "control"},
		PerStratum: 4, Sampled: []LayerSample{{4, 3, 36, 3}, {4, 4, 72, 7}, {4, 4, 576, 57}},
		Estimators: []string{"ste", "fda"}, Batches: 2,
		States: []FidelityState{state("epoch 0", 0.05), state("epoch 2", 0)}, Elapsed: 90 * time.Second}
}

// squeeze collapses each run of spaces to one, so that table rows can be
// compared without the padding of their columns.
func squeeze(s string) string {
	return regexp.MustCompile(` +`).ReplaceAllString(s, " ")
}

// TestFidelityMarkdownCells: each number of the report is in its column
// and row, at the state it belongs to, in the precision and sign the
// columns promise; the notes count what was measured.
func TestFidelityMarkdownCells(t *testing.T) {
	var b bytes.Buffer
	if err := reportFidelity().WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	_, last, ok := strings.Cut(md, "epoch 2 (true loss 1.2346):")
	if !ok {
		t.Fatalf("no heading of the last state with its true loss to 4 decimals:\n%s", md)
	}
	texttest.ContainsAll(t, "markdown, last state", squeeze(last),
		"| estimator | Pearson | 95% CI | Spearman | 95% CI | sign agreement | top-k precision | base rate | control (last layer) Pearson | Pearson, mean of 2 batches | 95% CI over batches | Spearman, mean of 2 batches | 95% CI over batches |",
		"| ste | 0.123 | [0.050, 0.210] | 0.234 | [0.110, 0.310] | 0.600 [0.510, 0.710] | 0.750 [0.520, 0.920] | 0.400 | 0.833 | 0.130 | [0.012, 0.214] | 0.240 | [0.023, 0.315] |",
		"| fda | 0.223 | [0.150, 0.310] | 0.335 | [0.210, 0.410] | 0.700 [0.610, 0.810] | 0.650 [0.420, 0.820] | 0.450 | 0.933 | 0.230 | [0.112, 0.314] | 0.340 | [0.123, 0.415] |",
		"| layer | sampled: uniform + smallest tenth | ste | fda |",
		"| l1 | 4 + all 3 | 0.011 | 0.111 |",
		"| l2 | 4 + 4 | 0.022 | 0.122 |",
		"| control | 4 + 4 | 0.833 | 0.933 |",
		"| estimator | ste | fda |",
		"| ste | 1.000 | 0.500 |",
		"| fda | 0.500 | 1.000 |",
		"| direction | ΔL at lr×0.3 | flips | ΔL at lr×1 | flips | ΔL at lr×3 | flips | ΔL at matched norm | flips |",
		"| ste | -0.0123 | 10 | +0.0234 | 20 | -0.3456 | 30 | +0.0005 | 40 |",
		"| fda | -0.1123 | 11 | +0.1235 | 21 | -0.4456 | 31 | +0.1005 | 41 |",
		"| random (ste's layer norms) | +0.0010 | 1 | -0.0020 | 2 | +0.0030 | 3 | – | – |",
		"over 23 sampled weights per state (4 per binary layer drawn uniformly and 4 among its 10% smallest |w|; in 1 of the 3 layers a stratum holds fewer, and all its weights were taken: see the per-layer table's sampled column);",
		"Over batches: the flips and predictions measured again on 2 evaluation batches",
		"Wall time 1m30s in all, loading the data and the network and timing the passes included.",
	)
	first, _, _ := strings.Cut(md, "epoch 2 (true loss")
	texttest.ContainsAll(t, "markdown, first state", squeeze(first),
		"epoch 0 (true loss 1.2846):",
		"| ste | 0.173 | [0.100, 0.260] |",
		"| l1 | 4 + all 3 | 0.061 | 0.161 |",
		"| ste | 1.000 | 0.550 |",
	)
	// One evaluation batch: no columns or note over batches.
	r := reportFidelity()
	r.Batches = 1
	b.Reset()
	if err := r.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	if s := b.String(); strings.Contains(s, "over batches") || strings.Contains(s, "Over batches") || !strings.Contains(squeeze(s), "| base rate | control (last layer) Pearson |\n") {
		t.Errorf("markdown of one evaluation batch has columns or a note over batches:\n%s", s)
	}
	// Every stratum full: the note says so.
	r.Sampled = []LayerSample{{4, 4, 36, 5}, {4, 4, 72, 7}, {4, 4, 576, 57}}
	b.Reset()
	if err := r.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	texttest.ContainsAll(t, "markdown, full strata", squeeze(b.String()), "| l1 | 4 + 4 |", "(4 per binary layer drawn uniformly and 4 among its 10% smallest |w|, in every layer);")
}

// TestFidelityBenchLines: one line per state and estimator, each score
// under its own unit, in a name benchfmt reads as one benchmark (no space,
// no slash inside the estimator's part).
func TestFidelityBenchLines(t *testing.T) {
	r := reportFidelity()
	r.States[1].Rows[1].Estimator = "w=fda:n=9/a=ste"
	var b bytes.Buffer
	if err := r.WriteBench(&b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines, want 2 states × 2 estimators:\n%s", len(lines), b.String())
	}
	if want := "BenchmarkFidelity/state=epoch2/est=ste 1 0.1234 pearson 0.2345 spearman 0.6 sign-agree 0.75 topk-prec 0.4 base-rate"; lines[2] != want {
		t.Errorf("line of ste at epoch 2:\n%s\nwant\n%s", lines[2], want)
	}
	if name, _, _ := strings.Cut(lines[3], " "); name != "BenchmarkFidelity/state=epoch2/est=w:fda:n:9;a:ste" {
		t.Errorf("name of a sided spec's line %q", name)
	}
}

// TestFidelityInitialOutputs: an estimator measured at a trained state
// with its own trainable state at its initial values (FidelityRow.Initial)
// is said to be so in every output that shows the measurement, not in the
// markdown alone: its benchmark line's name (so that benchstat does not
// compare it with a measurement of the trained state) and the titles of
// the two plots of that state. The other lines and a state without such a
// row are named and titled as before.
func TestFidelityInitialOutputs(t *testing.T) {
	r := reportFidelity()
	r.Initial = []InitialState{{"fda", []string{"na.a.w1"}}}
	r.States[1].Rows[1].Initial = true
	var b bytes.Buffer
	if err := r.WriteBench(&b); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		name, _, _ := strings.Cut(l, " ")
		names = append(names, name)
	}
	want := []string{"BenchmarkFidelity/state=epoch0/est=ste", "BenchmarkFidelity/state=epoch0/est=fda",
		"BenchmarkFidelity/state=epoch2/est=ste", "BenchmarkFidelity/state=epoch2/est=fda/estimator-state=initial"}
	if !slices.Equal(names, want) {
		t.Errorf("benchmark names %q, want %q", names, want)
	}
	note := "fda: its own trainable state at the values it starts with, not trained ones"
	for name, svg := range map[string]func() ([]byte, error){"fidelity.svg": r.layersSVG, "fidelity-agreement.svg": r.agreementSVG} {
		b, err := svg()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(svgWords(b), note) {
			t.Errorf("%s of a state with fda at its initial state does not say %q", name, note)
		}
	}
	r.Initial[0].Estimator = "ste"
	r.Initial = append(r.Initial, InitialState{"fda", []string{"na.a.w1"}})
	r.States[1].Rows[0].Initial = true
	if b, err := r.layersSVG(); err != nil || !strings.Contains(svgWords(b), "ste, fda: their own trainable state at the values they start with, not trained ones") {
		t.Errorf("fidelity.svg of a state with two estimators at their initial state: %v; want both named in its title", err)
	}
	r.States[1].Rows[0].Initial, r.States[1].Rows[1].Initial = false, false
	if b, err := r.layersSVG(); err != nil || strings.Contains(svgWords(b), "start with") {
		t.Errorf("fidelity.svg of a state with no estimator at its initial state: %v; want no note", err)
	}
}

// svgWords is the text of an SVG picture's text elements, in order, one
// space between them: a title broken into lines reads as one.
func svgWords(svg []byte) string {
	var words []string
	for _, m := range svgTextRE.FindAllSubmatch(svg, -1) {
		words = append(words, string(m[2]))
	}
	return strings.Join(words, " ")
}

// TestFidelityFilesContent: each file WriteFiles writes holds its own
// picture or text: the per-layer plot in fidelity.svg, the agreement in
// fidelity-agreement.svg.
func TestFidelityFilesContent(t *testing.T) {
	dir := t.TempDir()
	if _, err := reportFidelity().WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"fidelity.md":            "#### Gradient fidelity: run 0123456789abcdef",
		"fidelity-bench.txt":     "BenchmarkFidelity/state=epoch0/est=ste 1 ",
		"fidelity.svg":           "flip fidelity per binary layer, epoch 2",
		"fidelity-agreement.svg": "agreement: cosine of latent gradients, epoch 2",
	} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Contains(b, []byte(want)) {
			t.Errorf("%s: %v; want it to contain %q", name, err, want)
		}
	}
}
