package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/gemm"
)

var _ Parametric = (*NoiseAdaptation)(nil)

// NoiseAdaptation is the noise adaptation module of "Learning Frequency
// Domain Approximation for Binary Neural Networks" (NeurIPS 2021), as
// spec/estimators.md defines it, for one binarized tensor t whose values
// are viewed as rows of D values:
//
//	ê(t) = ReLU(t·W1)·W2 + η(t),  W1: D×H, W2: H×D, no biases, H = max(1, D/K)
//	η(t) = A·sin(t) (Eta "sin"), A·t ("x") or 0 ("0")
//
// In training the binary layer outputs b = q(t) + α·ê(t) instead of q(t),
// and its backward pass adds α·(∂ê/∂t)ᵀ·dy to the estimator's dy·g(t);
// W1 and W2 get their gradients from the task loss through α·ê. In
// evaluation the module is skipped and the layer is a pure BNN.
//
// A weight tensor (Cout, Cin, kh, kw) has one row per output filter,
// D = Cin·kh·kw; an activation tensor (N, C, H, W) has one row per pixel
// across channels, D = C (for a linear layer's N×F input, one row per
// sample, D = F). W1 and W2 are initialised zero-mean like PyTorch's
// nn.Linear, U(-1/√fan_in, 1/√fan_in) with fan_in = D for W1 and H for W2.
type NoiseAdaptation struct {
	D, H int
	Eta  string  // "sin", "x" or "0"
	A    float32 // amplitude a of η
	// W1 has shape {D, H}, W2 {H, D}.
	W1, W2 *Param
	// Alpha is the weight α of ê in the layer's output; the owning layer
	// sets it from Progress.NAAlpha in SetProgress. It starts at the value
	// for epoch 0 of a long run, 0.1.
	Alpha float32

	hid, e, de, dhid []float32
}

// NewNoiseAdaptation returns the module for rows of d values with settings
// na (estimators.Spec.NA), drawing W1 and W2 from r. name prefixes the
// parameter names ("na.w" gives "na.w.w1", "na.w.w2").
func NewNoiseAdaptation(name string, d int, na *estimators.NA, r *rand.Rand) *NoiseAdaptation {
	k := na.K
	if k < 1 {
		k = 64
	}
	if d < 1 {
		panic(fmt.Sprintf("nn: NewNoiseAdaptation: row length %d, want >= 1", d))
	}
	switch na.Eta {
	case "sin", "x", "0":
	default:
		panic(fmt.Sprintf("nn: NewNoiseAdaptation: eta %q, want sin, x or 0", na.Eta))
	}
	h := max(1, d/k)
	m := &NoiseAdaptation{D: d, H: h, Eta: na.Eta, A: float32(na.A), Alpha: 0.1,
		W1: newParam(name+".w1", d, h), W2: newParam(name+".w2", h, d)}
	uniformFanIn(m.W1.Data, d, r)
	uniformFanIn(m.W2.Data, h, r)
	return m
}

// Params returns W1 and W2.
func (m *NoiseAdaptation) Params() []*Param { return []*Param{m.W1, m.W2} }

// eta returns η(t) and η'(t).
func (m *NoiseAdaptation) eta(t float32) (float32, float32) {
	switch m.Eta {
	case "sin":
		s, c := math.Sincos(float64(t))
		return m.A * float32(s), m.A * float32(c)
	case "x":
		return m.A * t, m.A
	}
	return 0, 0
}

// ForwardRows adds α·scale[r]·ê(t_r) to each row r of dst, where t holds
// rows×D values row by row (the weight layout). A nil scale means 1. It
// keeps the hidden activations for BackwardRows.
func (m *NoiseAdaptation) ForwardRows(dst, t []float32, rows int, scale []float32) {
	d, h := m.D, m.H
	m.checkLen("ForwardRows", dst, t, rows*d)
	m.hid = floats(&m.hid, rows*h)
	hid := m.hid
	e := floats(&m.e, rows*d)
	gemm.Sgemm(false, false, rows, h, d, 1, t, d, m.W1.Data, h, 0, hid, h)
	relu(hid)
	gemm.Sgemm(false, false, rows, d, h, 1, hid, h, m.W2.Data, d, 0, e, d)
	for r := range rows {
		k := m.Alpha
		if scale != nil {
			k *= scale[r]
		}
		tr, er, dr := t[r*d:][:d], e[r*d:][:d], dst[r*d:][:d]
		for j, v := range tr {
			n, _ := m.eta(v)
			dr[j] += k * (er[j] + n)
		}
	}
}

// BackwardRows adds α·scale[r]·(∂ê/∂t)ᵀ·dy to dt for the rows of the last
// ForwardRows and adds the gradients of W1 and W2.
func (m *NoiseAdaptation) BackwardRows(dt, t, dy []float32, rows int, scale []float32) {
	d, h := m.D, m.H
	m.checkLen("BackwardRows", dt, t, rows*d)
	m.checkLen("BackwardRows", dy, t, rows*d)
	if len(m.hid) != rows*h {
		panic("nn: NoiseAdaptation.BackwardRows: rows differ from the last ForwardRows")
	}
	de := floats(&m.de, rows*d)
	for r := range rows {
		k := m.Alpha
		if scale != nil {
			k *= scale[r]
		}
		for j, v := range dy[r*d:][:d] {
			de[r*d+j] = k * v
		}
	}
	dhid := floats(&m.dhid, rows*h)
	gemm.Sgemm(true, false, h, d, rows, 1, m.hid, h, de, d, 1, m.W2.Grad, d)
	gemm.Sgemm(false, true, rows, h, d, 1, de, d, m.W2.Data, d, 0, dhid, h)
	reluMask(dhid, m.hid)
	gemm.Sgemm(true, false, d, h, rows, 1, t, d, dhid, h, 1, m.W1.Grad, h)
	gemm.Sgemm(false, true, rows, d, h, 1, dhid, h, m.W1.Data, h, 1, dt, d)
	m.addEtaGrad(dt, t, de)
}

// ForwardChannels adds α·ê to dst for n images of D channels × p pixels
// (NCHW with p = H·W): each pixel's D channel values are one row.
func (m *NoiseAdaptation) ForwardChannels(dst, t []float32, n, p int) {
	d, h := m.D, m.H
	m.checkLen("ForwardChannels", dst, t, n*d*p)
	m.hid = floats(&m.hid, n*h*p)
	hid := m.hid
	e := floats(&m.e, d*p)
	for i := range n {
		ti, hi := t[i*d*p:][:d*p], hid[i*h*p:][:h*p]
		gemm.Sgemm(true, false, h, p, d, 1, m.W1.Data, h, ti, p, 0, hi, p)
		relu(hi)
		gemm.Sgemm(true, false, d, p, h, 1, m.W2.Data, d, hi, p, 0, e, p)
		di := dst[i*d*p:][:d*p]
		for j, v := range ti {
			nv, _ := m.eta(v)
			di[j] += m.Alpha * (e[j] + nv)
		}
	}
}

// BackwardChannels is BackwardRows for the layout of ForwardChannels.
func (m *NoiseAdaptation) BackwardChannels(dt, t, dy []float32, n, p int) {
	d, h := m.D, m.H
	m.checkLen("BackwardChannels", dt, t, n*d*p)
	m.checkLen("BackwardChannels", dy, t, n*d*p)
	if len(m.hid) != n*h*p {
		panic("nn: NoiseAdaptation.BackwardChannels: shape differs from the last ForwardChannels")
	}
	de := floats(&m.de, d*p)
	dhid := floats(&m.dhid, h*p)
	for i := range n {
		ti, hi := t[i*d*p:][:d*p], m.hid[i*h*p:][:h*p]
		dti := dt[i*d*p:][:d*p]
		for j, v := range dy[i*d*p:][:d*p] {
			de[j] = m.Alpha * v
		}
		gemm.Sgemm(false, true, h, d, p, 1, hi, p, de, p, 1, m.W2.Grad, d)
		gemm.Sgemm(false, false, h, p, d, 1, m.W2.Data, d, de, p, 0, dhid, p)
		reluMask(dhid, hi)
		gemm.Sgemm(false, true, d, h, p, 1, ti, p, dhid, p, 1, m.W1.Grad, h)
		gemm.Sgemm(false, false, d, p, h, 1, m.W1.Data, h, dhid, p, 1, dti, p)
		m.addEtaGrad(dti, ti, de)
	}
}

// addEtaGrad adds de·η'(t) to dt.
func (m *NoiseAdaptation) addEtaGrad(dt, t, de []float32) {
	if m.Eta == "0" {
		return
	}
	for j, v := range t {
		_, g := m.eta(v)
		dt[j] += de[j] * g
	}
}

func (m *NoiseAdaptation) checkLen(op string, a, b []float32, n int) {
	if len(a) != n || len(b) != n {
		panic(fmt.Sprintf("nn: NoiseAdaptation.%s: slices of %d and %d values, want %d", op, len(a), len(b), n))
	}
}

// relu sets x = max(0, x).
func relu(x []float32) {
	for i, v := range x {
		x[i] = max(0, v)
	}
}

// reluMask zeroes d where the ReLU output h is not positive.
func reluMask(d, h []float32) {
	h = h[:len(d)]
	for i, v := range h {
		d[i] *= float32(b2i(v > 0))
	}
}
