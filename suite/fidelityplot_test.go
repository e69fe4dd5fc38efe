package suite

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/fidelity"
)

// plotFidelity is a made-up fidelity result of the study's seven
// estimators on five binary layers, shaped like the committed ones: the
// correlations small in the first layers and all near 1 at the control
// (last) layer, where the lines meet at the top right of the data area.
// The agreement of estimators i and j is cosine[i][j].
func plotFidelity(cosine [][]float64) *FidelityResult {
	ests := []string{"ste", "approxsign", "dsq", "bnnplus", "ede", "fda", "fda+na"}
	r := &FidelityResult{Estimators: ests, Layers: []string{"l1", "l2", "l3", "l4", "control"}}
	st := FidelityState{Name: "epoch 10", Cosine: [][][]float64{cosine}}
	for i, e := range ests {
		row := FidelityRow{Estimator: e}
		for l := range r.Layers {
			row.PerLayer = append(row.PerLayer, fidelity.Scores{Pearson: []float64{0.1, -0.1, 0.2, 0.5, 0.99}[l] + float64(i)/100})
		}
		st.Rows = append(st.Rows, row)
	}
	r.States = []FidelityState{st}
	return r
}

// symmetric returns the n × n matrix with 1 on the diagonal and v(i, j)
// at i < j and j < i.
func symmetric(n int, v func(i, j int) float64) [][]float64 {
	m := make([][]float64, n)
	for i := range m {
		m[i] = make([]float64, n)
		for j := range m[i] {
			switch {
			case i == j:
				m[i][j] = 1
			case i < j:
				m[i][j] = v(i, j)
			default:
				m[i][j] = v(j, i)
			}
		}
	}
	return m
}

// TestFidelityLayersSVG: one line per estimator, in seven colors a reader
// tells apart, and the legend beside the data, not over the lines that
// meet near 1 at the control layer.
func TestFidelityLayersSVG(t *testing.T) {
	r := plotFidelity(symmetric(7, func(i, j int) float64 { return 0.5 }))
	b, err := r.layersSVG()
	if err != nil {
		t.Fatal(err)
	}
	svg := string(b)
	lines := checkLineColors(t, "flip fidelity per layer", svg, 7)
	if len(lines) != 7 {
		t.Fatalf("%d data lines, want 7", len(lines))
	}
	right := 0.0
	for _, l := range lines {
		for _, x := range l.xs {
			right = max(right, x)
		}
	}
	texts := svgTextX(svg)
	for _, e := range r.Estimators {
		xs := texts[e]
		if len(xs) != 1 {
			t.Errorf("legend entry %q written %d times, want once", e, len(xs))
			continue
		}
		if xs[0] <= right {
			t.Errorf("legend entry %q starts at x=%g, over the data (the lines reach x=%g)", e, xs[0], right)
		}
	}
}

// TestFidelityAgreementSVG: every cell's value is written in it, to two
// decimals, white on the dark cells and black on the pale ones, and a
// color bar from −1 to 1 gives the scale.
func TestFidelityAgreementSVG(t *testing.T) {
	cos := symmetric(7, func(i, j int) float64 { return float64(i*7+j)/50 - 0.4 })
	cos[0][1], cos[1][0] = -0.004, -0.004 // rounds to 0.00, with no sign
	cos[0][2], cos[2][0] = -0.5, -0.5
	r := plotFidelity(cos)
	dir := t.TempDir()
	path := filepath.Join(dir, "agreement.svg")
	if err := r.WriteAgreementSVG(path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	svg := string(b)
	cell := regexp.MustCompile(`style="([^"]*)">(−?[0-9]\.[0-9]{2})</text>`)
	white := map[string]bool{}
	n := 0
	for _, m := range cell.FindAllStringSubmatch(svg, -1) {
		white[m[2]] = strings.Contains(m[1], "fill:#FFFFFF")
		n++
	}
	if n != 7*7 {
		t.Errorf("%d cell values written, want 7 × 7", n)
	}
	for i := range cos {
		for j := range cos {
			want := signed(strconv.FormatFloat(cos[i][j], 'f', 2, 64))
			if _, ok := white[want]; !ok {
				t.Errorf("cell (%s, %s): value %s not written", r.Estimators[i], r.Estimators[j], want)
			}
		}
	}
	for v, w := range map[string]bool{"1.00": true, "−0.50": false, "0.00": false} {
		if white[v] != w {
			t.Errorf("cell %s written in white: %v, want %v", v, white[v], w)
		}
	}
	if strings.Contains(svg, ">-0.00<") || strings.Contains(svg, ">−0.00<") {
		t.Error("a value that rounds to zero is written with a sign")
	}
	if !strings.Contains(svg, ">cosine</text>") {
		t.Error("the color bar has no label")
	}
	texts := svgTextX(svg)
	for _, want := range []string{"−1", "−0.5", "0", "0.5", "1"} {
		if len(texts[want]) == 0 {
			t.Errorf("the color bar lacks the mark %q", want)
		}
	}
}
