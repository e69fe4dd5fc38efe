package suite

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/internal/mdtable"
	"github.com/gradbench/gradbench/nn"
)

// Training diagnostics (issue 14 §4). Every training step they read the
// network, never write it: the activations' inputs after the forward pass,
// the latent-weight gradients after the backward pass and the binary codes
// after the optimizer's step. A run trains bit for bit alike with and
// without them (TestDiagnosticsChangeNothing).
const (
	// OscillationMomentum is m of the per-weight oscillation frequency
	// f ← m·o + (1−m)·f, updated every step ("Overcoming
	// Oscillations in Quantization-Aware Training", ICML 2022, arXiv
	// 2203.11086).
	OscillationMomentum = 0.01
	// OscillationThreshold is the frequency above which a weight counts as
	// oscillating in Diagnostics.Oscillating: on average more than one
	// oscillation per 100 steps. It is this suite's choice, not the paper's.
	OscillationThreshold = 0.01
	// ActivationStride is the stride of the training steps whose binary
	// activations the saturation and entropy count: steps 0, 4, 8, ... of
	// each epoch. Evaluating the estimator's g on every activation costs
	// as much as its backward pass; on every fourth step the diagnostics
	// cost a few percent of a step (results/diagnostics-overhead.md).
	ActivationStride = 4
)

// Diagnostics are the training diagnostics of one epoch (Epoch.Diagnostics).
// Fractions are in [0, 1]; entropies are in nats (natural logarithm), in
// [0, ln 2].
type Diagnostics struct {
	// Oscillation is the mean over the binarized latent weights of their
	// oscillation frequency f at the end of the epoch, and Oscillating the
	// fraction of them with f > OscillationThreshold. A step's flip of a
	// weight's binary code is an oscillation when it reverses that
	// weight's previous flip; f is the exponential moving average of that
	// indicator with momentum OscillationMomentum, updated every step from
	// f = 0 at initialisation.
	Oscillation float64 `json:"oscillation"`
	Oscillating float64 `json:"oscillating"`
	// Silent is the fraction of binarized latent weights whose binary code
	// has never flipped in a training step since initialisation.
	Silent float64 `json:"silent"`
	// Saturation is the fraction of the binary activations' inputs (every
	// element of every binary layer's input, on every ActivationStride-th
	// training step of the epoch)
	// where the activation estimator's surrogate derivative g(x) is
	// exactly 0: no gradient passes (a noise-adaptation term, if any, not
	// counted).
	Saturation float64 `json:"saturation"`
	// GradStability is ReSTE's gradient stability ("Estimator
	// Meets Equilibrium Perspective", ICCV 2023, arXiv 2308.06689): the sum
	// over the binary layers of the variance of |∂L/∂w| over the layer's
	// latent weights, the mean over the epoch's steps.
	GradStability float64 `json:"grad_stability"`
	// Entropy is the mean over the binary layers of Layers[i].Entropy.
	Entropy float64 `json:"entropy"`
	// Layers holds the per-layer numbers, one per binary layer in the
	// network's order.
	Layers []LayerDiagnostics `json:"layers"`
}

// LayerDiagnostics are the diagnostics of one binary layer in one epoch.
type LayerDiagnostics struct {
	// Name is the layer's path in the network (nn.Walk).
	Name string `json:"name"`
	// GradNorm is the L2 norm of the gradient of the loss with respect to
	// the layer's latent weights (before weight decay), the mean over the
	// epoch's steps.
	GradNorm float64 `json:"grad_norm"`
	// Saturation is Diagnostics.Saturation of this layer's activations.
	Saturation float64 `json:"saturation"`
	// Entropy is −p ln p − (1−p) ln(1−p), in nats, with p the fraction of
	// the layer's binary activations that are +1 (input ≥ 0) on every
	// ActivationStride-th training step of the epoch.
	Entropy float64 `json:"entropy"`
}

// binaryLayer is what the diagnostics need of a binary layer.
type binaryLayer interface {
	LastInput() *nn.Tensor
	ActivationEstimator() estimators.Estimator
}

// diagnostics is the diagnostics state of a run: the per-weight state that
// lives across epochs (and checkpoints) and the epoch's sums.
type diagnostics struct {
	names   []string
	layers  []binaryLayer
	learned [][]*estimators.Scalar // the learnable scalars of each layer's activation estimator

	// Per binarized latent weight, in the order of run.binW: the
	// direction of its last flip (+1 to +1, −1 to −1, 0 never flipped),
	// its oscillation frequency and its code after the last step.
	lastDir []int8
	freq    []float32
	code    []bool

	// The epoch's sums, per binary layer.
	steps    int
	zero     []int64   // inputs with g(x) = 0
	pos      []int64   // inputs ≥ 0 (+1 activations)
	inputs   []int64   // inputs
	gradNorm []float64 // Σ over steps of ‖∂L/∂w‖₂
	stab     float64   // Σ over steps of Σ_layers Var|∂L/∂w|

	ones, g []float32 // scratch for activationChunk activations
	scalars []float32 // scratch for one layer's learnable scalars' gradients
}

// newDiagnostics returns the diagnostics state of a network whose binary
// layers are those of ru.binW.
func (ru *run) newDiagnostics() *diagnostics {
	d := &diagnostics{}
	nn.Walk(ru.model.Net, func(name string, l nn.Layer) {
		switch b := l.(type) {
		case *nn.BinaryConv2d:
			d.names, d.layers = append(d.names, name), append(d.layers, b)
		case *nn.BinaryLinear:
			d.names, d.layers = append(d.names, name), append(d.layers, b)
		}
	})
	n := len(d.layers)
	d.learned = make([][]*estimators.Scalar, n)
	for k, l := range d.layers {
		if lr, ok := l.ActivationEstimator().(estimators.Learner); ok {
			d.learned[k] = lr.Scalars()
			d.scalars = append(d.scalars, make([]float32, len(d.learned[k]))...)
		}
	}
	w := nn.Count(ru.binW)
	d.lastDir, d.freq, d.code = make([]int8, w), make([]float32, w), make([]bool, w)
	d.zero, d.pos, d.inputs, d.gradNorm = make([]int64, n), make([]int64, n), make([]int64, n), make([]float64, n)
	return d
}

// startEpoch clears the epoch's sums and takes the codes the first step's
// flips are measured from: those of the epoch's start (run.signs, after
// the schedules advanced), so that a code the schedule alone changes
// between epochs is not counted as a flip, and an epoch resumed from a
// checkpoint starts where an uninterrupted run's does.
func (d *diagnostics) startEpoch(signs []bool) {
	d.steps, d.stab = 0, 0
	clear(d.zero)
	clear(d.pos)
	clear(d.inputs)
	clear(d.gradNorm)
	copy(d.code, signs)
}

// activations adds the step's binary-layer inputs to the epoch's
// saturation and entropy sums, on every ActivationStride-th step of the
// epoch (d.steps counts the steps before this one). It runs each activation estimator's
// backward pass on a gradient of ones into scratch, so it gets g(x)
// itself (g is elementwise, see estimators.Estimator); a learnable estimator's backward pass also adds to the
// gradients of its scalars, which are restored afterwards.
func (d *diagnostics) activations() {
	if d.steps%ActivationStride != 0 {
		return
	}
	for k, l := range d.layers {
		x := l.LastInput()
		if x == nil {
			continue
		}
		n := len(x.Data)
		if d.g == nil {
			d.g, d.ones = make([]float32, activationChunk), make([]float32, activationChunk)
			for i := range d.ones {
				d.ones[i] = 1
			}
		}
		est := l.ActivationEstimator()
		sc := d.learned[k]
		saved := d.scalars[:len(sc)]
		for i, s := range sc {
			saved[i] = s.Grad
		}
		// Chunk by chunk, so that g is counted while it and the chunk of x
		// are still in cache: the counts cost a pass over memory otherwise.
		for lo := 0; lo < n; lo += activationChunk {
			xs := x.Data[lo:min(n, lo+activationChunk)]
			g := d.g[:len(xs)]
			est.Backward(g, xs, d.ones[:len(xs)])
			zero, pos := countZeroAndNonNeg(g, xs)
			d.zero[k] += zero
			d.pos[k] += pos
		}
		for i, s := range sc {
			s.Grad = saved[i]
		}
		d.inputs[k] += int64(n)
	}
}

// countZeroAndNonNeg returns how many elements of g are 0 and how many of
// x are ≥ 0 (len(g) ≥ len(x)), without branches: the comparisons become
// flag-setting instructions, four independent sums keep the loop from
// waiting on one.
func countZeroAndNonNeg(g, x []float32) (zero, pos int64) {
	g = g[:len(x)]
	var z [4]int64
	var p [4]int64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		z[0] += b2i64(g[i] == 0)
		z[1] += b2i64(g[i+1] == 0)
		z[2] += b2i64(g[i+2] == 0)
		z[3] += b2i64(g[i+3] == 0)
		p[0] += b2i64(x[i] >= 0)
		p[1] += b2i64(x[i+1] >= 0)
		p[2] += b2i64(x[i+2] >= 0)
		p[3] += b2i64(x[i+3] >= 0)
	}
	for ; i < len(x); i++ {
		z[0] += b2i64(g[i] == 0)
		p[0] += b2i64(x[i] >= 0)
	}
	return z[0] + z[1] + z[2] + z[3], p[0] + p[1] + p[2] + p[3]
}

// b2i64 converts a bool to 0 or 1 (the compiler makes it a SETcc).
func b2i64(b bool) int64 {
	var i int64
	if b {
		i = 1
	}
	return i
}

// activationChunk is how many activations activations hands an estimator's
// backward pass at once: a quarter of a megabyte of float32 for g (and as
// much of x), which a core's level-2 cache holds, and enough for the
// estimators' kernels to split over the cores (2·2^14 elements and more).
const activationChunk = 1 << 16

// gradients adds the step's latent-weight gradient norms and ReSTE's
// gradient stability to the epoch's sums; it runs after the backward
// pass, before the optimizer's step uses (and clears) the gradients.
func (d *diagnostics) gradients(binW []*nn.Param) {
	var stab float64
	for k, p := range binW {
		g := p.Grad[:len(p.Data)]
		if len(g) == 0 {
			continue
		}
		var sa, sq float64
		for _, v := range g {
			a := math.Abs(float64(v))
			sa += a
			sq += a * a
		}
		mean := sa / float64(len(g))
		var ss float64
		for _, v := range g {
			dv := math.Abs(float64(v)) - mean
			ss += dv * dv
		}
		d.gradNorm[k] += math.Sqrt(sq)
		stab += ss / float64(len(g))
	}
	d.stab += stab
	d.steps++
}

// flips updates every weight's last flip direction and oscillation
// frequency from the codes after the optimizer's step.
func (d *diagnostics) flips(ru *run) {
	const m = OscillationMomentum
	i := 0
	for k, p := range ru.binW {
		if cap(ru.codes) < len(p.Data) {
			ru.codes = make([]float32, len(p.Data))
		}
		codes := ru.codes[:len(p.Data)]
		ru.binQ[k].Forward(codes, p.Data)
		prev, dir, freq := d.code[i:i+len(codes)], d.lastDir[i:i+len(codes)], d.freq[i:i+len(codes)]
		for j, c := range codes {
			now := c > 0
			var o float32
			if now != prev[j] {
				nd := int8(-1)
				if now {
					nd = 1
				}
				if dir[j] == -nd {
					o = 1
				}
				dir[j], prev[j] = nd, now
			}
			freq[j] = m*o + (1-m)*freq[j]
		}
		i += len(codes)
	}
}

// epoch returns the epoch's diagnostics.
func (d *diagnostics) epoch() *Diagnostics {
	out := &Diagnostics{Layers: make([]LayerDiagnostics, len(d.layers))}
	var zero, inputs int64
	for k := range d.layers {
		l := &out.Layers[k]
		l.Name = d.names[k]
		if d.steps > 0 {
			l.GradNorm = d.gradNorm[k] / float64(d.steps)
		}
		if d.inputs[k] > 0 {
			l.Saturation = float64(d.zero[k]) / float64(d.inputs[k])
			l.Entropy = binaryEntropy(float64(d.pos[k]) / float64(d.inputs[k]))
		}
		zero += d.zero[k]
		inputs += d.inputs[k]
		out.Entropy += l.Entropy
	}
	if len(d.layers) > 0 {
		out.Entropy /= float64(len(d.layers))
	}
	if inputs > 0 {
		out.Saturation = float64(zero) / float64(inputs)
	}
	if d.steps > 0 {
		out.GradStability = d.stab / float64(d.steps)
	}
	if n := len(d.freq); n > 0 {
		var sum float64
		var osc, silent int
		for j, f := range d.freq {
			sum += float64(f)
			if f > OscillationThreshold {
				osc++
			}
			if d.lastDir[j] == 0 {
				silent++
			}
		}
		out.Oscillation = sum / float64(n)
		out.Oscillating = float64(osc) / float64(n)
		out.Silent = float64(silent) / float64(n)
	}
	return out
}

// binaryEntropy returns −p ln p − (1−p) ln(1−p), 0 at p = 0 and p = 1.
func binaryEntropy(p float64) float64 {
	h := 0.0
	if p > 0 {
		h -= p * math.Log(p)
	}
	if p < 1 {
		h -= (1 - p) * math.Log(1-p)
	}
	return h
}

// diagStateKey names the diagnostics' per-weight state in a checkpoint's
// extra blobs.
const diagStateKey = "diagnostics"

// marshal encodes the per-weight state that lives across epochs: the
// number of weights, then each weight's last flip direction (one byte)
// and oscillation frequency (float32 bits, little-endian). The codes are
// not saved: every epoch starts from run.signs.
func (d *diagnostics) marshal() []byte {
	n := len(d.lastDir)
	b := make([]byte, 8, 8+5*n)
	binary.LittleEndian.PutUint64(b, uint64(n))
	for _, v := range d.lastDir {
		b = append(b, byte(v))
	}
	for _, f := range d.freq {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(f))
	}
	return b
}

// unmarshal restores the state marshal encoded.
func (d *diagnostics) unmarshal(b []byte) error {
	n := len(d.lastDir)
	if len(b) != 8+5*n || binary.LittleEndian.Uint64(b) != uint64(n) {
		return fmt.Errorf("diagnostics state of %d bytes, want %d for %d binarized weights", len(b), 8+5*n, n)
	}
	b = b[8:]
	for j := range d.lastDir {
		v := int8(b[j])
		if v < -1 || v > 1 {
			return fmt.Errorf("diagnostics state: flip direction %d, want -1, 0 or 1", v)
		}
		d.lastDir[j] = v
	}
	b = b[n:]
	for j := range d.freq {
		f := math.Float32frombits(binary.LittleEndian.Uint32(b[4*j:]))
		if !(f >= 0 && f <= 1) {
			return fmt.Errorf("diagnostics state: oscillation frequency %v, want [0, 1]", f)
		}
		d.freq[j] = f
	}
	return nil
}

// diagnosticColumns are the columns of the diagnostics table and the
// curves' extra panels: a heading, a short panel title and the value of
// one epoch.
var diagnosticColumns = []struct {
	head, title string
	value       func(e *Epoch) float64
}{
	{"flip ratio", "weight flip ratio", func(e *Epoch) float64 { return e.FlipRatio }},
	{"oscillation f̄", "oscillation frequency (mean EMA)", func(e *Epoch) float64 { return e.Diagnostics.Oscillation }},
	{fmt.Sprintf("oscillating (f > %g)", OscillationThreshold), fmt.Sprintf("oscillating weights (f > %g)", OscillationThreshold), func(e *Epoch) float64 { return e.Diagnostics.Oscillating }},
	{"silent", "silent weights (never flipped)", func(e *Epoch) float64 { return e.Diagnostics.Silent }},
	{"saturation", "activation saturation (g = 0)", func(e *Epoch) float64 { return e.Diagnostics.Saturation }},
	{"entropy (nats)", "activation entropy (nats, layer mean)", func(e *Epoch) float64 { return e.Diagnostics.Entropy }},
	{"grad stability", "gradient stability (Σ Var|∂L/∂w|)", func(e *Epoch) float64 { return e.Diagnostics.GradStability }},
	{"grad norm (layer mean)", "latent-gradient norm (layer mean)", func(e *Epoch) float64 { return meanGradNorm(e.Diagnostics) }},
}

// meanGradNorm returns the mean over the binary layers of their latent
// gradient norms.
func meanGradNorm(d *Diagnostics) float64 {
	var s float64
	for _, l := range d.Layers {
		s += l.GradNorm
	}
	return s / float64(max(1, len(d.Layers)))
}

// writeDiagnostics writes the diagnostics table: one row per estimator,
// each column the mean over its runs (seeds) with status ok of a
// diagnostic at the final epoch. Runs whose final epoch has no
// diagnostics (records written before gradbench measured them) are left
// out and counted.
func writeDiagnostics(w io.Writer, gs map[string]*Group, order []string, _ []uint64) error {
	specs := rowOrder(gs, order)
	lasts := make([][]*Epoch, len(specs)) // each row's final epochs with diagnostics
	seeds := make([][]uint64, len(specs)) // and their seeds
	without := 0
	for i, s := range specs {
		for _, r := range gs[s].Runs {
			if r.Status != StatusOK {
				continue
			}
			e := &r.Epochs[len(r.Epochs)-1]
			if e.Diagnostics == nil {
				without++
				continue
			}
			lasts[i] = append(lasts[i], e)
			seeds[i] = append(seeds[i], r.Config.Seed)
		}
		slices.Sort(seeds[i])
	}
	// Rows over different seeds (runs without diagnostics left out, or
	// estimators run on other seeds) say which, as the main table's do:
	// their means are not of the same seeds' runs.
	unequal := false
	var first []uint64
	for _, ss := range seeds {
		if len(ss) == 0 {
			continue // a row of no run: n says so
		}
		if first == nil {
			first = ss
		}
		unequal = unequal || !slices.Equal(ss, first)
	}
	header := []string{"estimator", "n"}
	if unequal {
		header = append(header, "seeds")
	}
	for _, c := range diagnosticColumns {
		header = append(header, c.head)
	}
	var rows [][]string
	for i, s := range specs {
		last := lasts[i]
		row := []string{escapeMarkdown(s), strconv.Itoa(len(last))}
		if unequal {
			row = append(row, fmtSeeds(seeds[i]))
		}
		for _, c := range diagnosticColumns {
			if len(last) == 0 {
				row = append(row, "—")
				continue
			}
			var sum float64
			for _, e := range last {
				sum += c.value(e)
			}
			row = append(row, fmtDiagnostic(sum/float64(len(last))))
		}
		rows = append(rows, row)
	}
	if err := mdtable.Write(w, 1, header, rows); err != nil {
		return wrapErr("suite: table", err)
	}
	note := fmt.Sprintf("Training diagnostics at the final epoch, mean over n seeds (runs with status ok). Flip ratio, oscillating, silent and saturation are fractions; "+
		"oscillation f̄ is the mean per-weight EMA (momentum %g) of flips that reverse the weight's previous flip; entropy is in nats (at most ln 2 = 0.693); "+
		"grad stability is ReSTE's Σ over binary layers of Var|∂L/∂w|, grad norm the mean over binary layers of ‖∂L/∂w‖₂, both epoch means of per-step values (docs/diagnostics.md).",
		OscillationMomentum)
	switch {
	case without == 1:
		note += " 1 finished run has no diagnostics (recorded before gradbench measured them, or with none) and is left out."
	case without > 1:
		note += fmt.Sprintf(" %d finished runs have no diagnostics (recorded before gradbench measured them, or with none) and are left out.", without)
	}
	if unequal {
		note += " The rows are not over the same seeds (the seeds column): a difference between two rows may be one of seeds as well as of estimators."
	}
	fmt.Fprintf(w, "\n%s\n", note)
	return nil
}

// fmtDiagnostic formats a diagnostic with four significant digits.
func fmtDiagnostic(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }
