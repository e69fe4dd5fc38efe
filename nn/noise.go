package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/internal/parallel"
)

var _ Parametric = (*NoiseAdaptation)(nil)

// NASettings are the settings of a noise adaptation module, written after
// "+na:" in an estimator spec ("fda+na:eta=x,a=0.2,k=32"). This is the one
// place their keys, defaults and allowed values are stated: readNA reads
// them for package estimators' spec parser (estimators.RegisterNA), which
// checks a spec's values, prints them in `gradbench list` and makes the
// canonical form from the same calls.
type NASettings struct {
	// Eta is the shortcut η(t): "sin" for A·sin(t) (the default), "x" for
	// A·t, "0" for none (the ablation of the paper's Table 4).
	Eta string
	// A is the shortcut's amplitude a, >= 0; default 0.1 (the paper's).
	A float32
	// K sets the hidden width H = max(1, D/K) of the module's two layers,
	// >= 1; default 64 (the paper's h = d/64).
	K int
}

func init() { estimators.RegisterNA(readNA) }

// Doc describes the module in one line, for `gradbench list`
// (estimators.NADoc).
func (*NASettings) Doc() string {
	return "noise adaptation: in training the layer outputs q(t) + α·ê(t), ê(t) = ReLU(t·W1)·W2 + η(t) over rows of D values " +
		"(a filter's weights, a pixel's channels), hidden width max(1, D/k) with D/k rounded down, η = a·sin(t), a·t or 0; " +
		"α falls on a cosine from nearly 0.1 in the first epoch to 0 in the last, 0.05·(1 + cos(π(e+1)/E)) at epoch e of E — FDA, NeurIPS 2021 (arXiv 2103.00841)"
}

// readNA reads the "+na" settings; it is the NAReader nn registers.
func readNA(p *estimators.Params) (any, error) {
	return &NASettings{
		Eta: p.Choice("eta", "sin", "sin", "x", "0"),
		A:   p.Float("a", 0.1, estimators.AtLeast(0)),
		K:   p.Int("k", 64, estimators.AtLeast(1)),
	}, p.Err()
}

// naSettings returns the settings of spec's "+na" suffix, or nil without
// one.
func naSettings(spec estimators.Spec) (*NASettings, error) {
	if spec.NA == nil {
		return nil, nil
	}
	na, ok := spec.NA.Settings.(*NASettings)
	if !ok {
		return nil, fmt.Errorf("nn: %s: +na settings of type %T, want *nn.NASettings", spec, spec.NA.Settings)
	}
	return na, nil
}

// NoiseAdaptation is the noise adaptation module of "Learning Frequency
// Domain Approximation for Binary Neural Networks" (NeurIPS 2021, arXiv
// 2103.00841), for one binarized tensor t whose values are viewed as rows
// of D values:
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
	K    int     // the setting H = max(1, D/K) came from
	Eta  string  // "sin", "x" or "0"
	A    float32 // amplitude a of η
	// W1 has shape {D, H}, W2 {H, D}.
	W1, W2 *Param
	// Alpha is the weight α of ê in the layer's output; the owning layer
	// sets it from Progress.NAAlpha in SetProgress. It starts at the value
	// for epoch 0 of a long run, 0.1.
	Alpha float32

	hid, e, de, dhid []float32
	job              naJob
	parts            []naPart
	rows             naRows // ForwardRows's and BackwardRows's element-wise work
}

// NewNoiseAdaptation returns the module for rows of d values with settings
// na (from a spec's "+na" suffix, or written out), drawing W1 and W2 from
// r. name prefixes the parameter names ("na.w" gives "na.w.w1", "na.w.w2").
// Settings outside the ranges NASettings states, a row length d < 1 and a
// nil na or r are programmer errors and panic with a message naming
// NewNoiseAdaptation and the argument.
func NewNoiseAdaptation(name string, d int, na *NASettings, r *rand.Rand) *NoiseAdaptation {
	if d < 1 {
		panic(fmt.Sprintf("nn: NewNoiseAdaptation: row length %d, want >= 1", d))
	}
	switch {
	case na == nil:
		panic("nn: NewNoiseAdaptation: na is nil, want settings")
	case r == nil:
		panic("nn: NewNoiseAdaptation: r is nil, want a random stream")
	case na.Eta != "sin" && na.Eta != "x" && na.Eta != "0":
		panic(fmt.Sprintf("nn: NewNoiseAdaptation: eta %q, want sin, x or 0", na.Eta))
	case !(na.A >= 0) || math.IsInf(float64(na.A), 0):
		panic(fmt.Sprintf("nn: NewNoiseAdaptation: a = %g, want a finite number >= 0", na.A))
	case na.K < 1:
		panic(fmt.Sprintf("nn: NewNoiseAdaptation: k = %d, want >= 1", na.K))
	}
	h := max(1, d/na.K)
	m := &NoiseAdaptation{D: d, H: h, K: na.K, Eta: na.Eta, A: na.A, Alpha: 0.1,
		W1: newParam(name+".w1", d, h), W2: newParam(name+".w2", h, d)}
	uniformFanIn(m.W1.Data, d, r)
	uniformFanIn(m.W2.Data, h, r)
	return m
}

// Params returns W1 and W2.
func (m *NoiseAdaptation) Params() []*Param { return []*Param{m.W1, m.W2} }

// eta returns η(t).
func (m *NoiseAdaptation) eta(t float32) float32 {
	switch m.Eta {
	case "sin":
		return m.A * sin32(t)
	case "x":
		return m.A * t
	}
	return 0
}

// ForwardChannels adds α·ê to dst for n images of D channels × p pixels
// (NCHW with p = H·W): each pixel's D channel values are one row. The
// module is small (H = max(1, D/K) is 1 for up to 127 channels), so
// instead of GEMM calls on degenerate shapes it runs fused loops over
// each image's channel rows, the images split over the worker pool.
func (m *NoiseAdaptation) ForwardChannels(dst, t []float32, n, p int) {
	m.forwardChannels(dst, t, n, p, false)
}

// forwardChannels is ForwardChannels, setting dst to the codes q(t) first
// (see code) if codes is set: a layer whose estimator's Forward is sign
// leaves that pass to the module, which writes each channel row's codes
// just before adding to them, while the row is in cache, instead of over
// the whole tensor in a pass of its own.
func (m *NoiseAdaptation) forwardChannels(dst, t []float32, n, p int, codes bool) {
	d, h := m.D, m.H
	m.checkLen("ForwardChannels", dst, t, n*d*p)
	m.hid = floats(&m.hid, n*h*p)
	m.job = naJob{m: m, fwd: true, codes: codes, dst: dst, t: t, n: n, p: p}
	m.runJob()
}

// BackwardChannels is BackwardRows for the layout of ForwardChannels.
func (m *NoiseAdaptation) BackwardChannels(dt, t, dy []float32, n, p int) {
	m.backwardChannels(dt, t, dy, n, p, naFused{})
}

// naFused is the work a layer leaves to BackwardChannels's pass over each
// image, while the image's gradient is in cache, instead of whole-tensor
// passes of its own before and after it.
type naFused struct {
	// g, with withG, is the estimator's kernel, which sets dt = dy·g(t)
	// before the module adds to it. An image's D·p values must then be a
	// multiple of 64, so that g gives the bits of the estimator's
	// Backward on the whole tensor (estimators.Kernel).
	g     estimators.Kernel
	withG bool
	// add (nil: none) is added to dt last, as addTo would add it after.
	add []float32
}

// backwardChannels is BackwardChannels with the layer's passes f.
func (m *NoiseAdaptation) backwardChannels(dt, t, dy []float32, n, p int, f naFused) {
	m.checkLen("BackwardChannels", dy, t, n*m.D*p)
	m.startBackward(dt, t, n, p, f)
	m.job.dy = dy
	m.runJob()
	m.finishBackward()
}

// startBackward begins a backward pass whose images the caller hands to
// backwardImages, each part's images in order: BackwardChannels's
// workers, or a convolution's, which computes the gradient of the codes
// group by group (dxEpilogue) in parts of the same images. finishBackward
// then adds the weight gradients.
func (m *NoiseAdaptation) startBackward(dt, t []float32, n, p int, f naFused) {
	d, h := m.D, m.H
	m.checkLen("BackwardChannels", dt, t, n*d*p)
	if len(m.hid) != n*h*p {
		panic("nn: NoiseAdaptation.BackwardChannels: shape differs from the last ForwardChannels")
	}
	if f.withG && d*p%64 != 0 {
		panic(fmt.Sprintf("nn: NoiseAdaptation.BackwardChannels: images of %d values take no estimator kernel, want a multiple of 64", d*p))
	}
	if f.add != nil {
		m.checkLen("BackwardChannels", f.add, t, n*d*p)
	}
	m.job = naJob{m: m, f: f, dst: dt, t: t, n: n, p: p}
	m.setParts()
	for i := range m.parts {
		m.parts[i].used = false
	}
}

// backwardImages runs backwardImage on images [n0, n1), whose output
// gradient dy holds, in the scratch of the part they belong to (all to
// one). The first image of a part starts its partial weight gradients.
func (m *NoiseAdaptation) backwardImages(n0, n1 int, dy []float32) {
	j := &m.job
	dp := m.D * j.p
	part := n0 / j.perPart
	if n1 <= n0 || (n1-1)/j.perPart != part || len(dy) != (n1-n0)*dp {
		panic(fmt.Sprintf("nn: NoiseAdaptation: images [%d, %d) with %d gradient values span parts of %d images or differ in size", n0, n1, len(dy), j.perPart))
	}
	q := &m.parts[part]
	if n0 == part*j.perPart {
		q.used = true
		q.dw1 = floats(&q.dw1, m.D*m.H)
		q.dw2 = floats(&q.dw2, m.H*m.D)
		clear(q.dw1)
		clear(q.dw2)
	}
	for i := n0; i < n1; i++ {
		m.backwardImage(q, i, j.dst, j.t, dy[(i-n0)*dp:][:dp], j.p, &j.f)
	}
}

// finishBackward adds the parts' partial weight gradients, in part order:
// deterministic.
func (m *NoiseAdaptation) finishBackward() {
	for i := range m.parts {
		q := &m.parts[i]
		if !q.used {
			continue
		}
		addTo(m.W1.Grad, m.W1.Grad, q.dw1)
		addTo(m.W2.Grad, m.W2.Grad, q.dw2)
	}
	m.job = naJob{}
}

// naJob is one ForwardChannels or BackwardChannels call, split into one
// contiguous range of images per part.
type naJob struct {
	m             *NoiseAdaptation
	fwd, codes    bool
	f             naFused // backward
	dst, t, dy    []float32
	n, p, perPart int
}

// naPart is one part's scratch: de and dhid rows and partial dW1, dW2.
type naPart struct {
	used              bool
	de, dhid          []float32
	dw1, dw2, scratch []float32
}

// setParts sizes the parts for the job's n images: reduceParts parts of
// perPart images, split as convCore.Do splits a convolution's.
func (m *NoiseAdaptation) setParts() {
	if len(m.parts) != reduceParts {
		m.parts = make([]naPart, reduceParts)
	}
	m.job.perPart = (m.job.n + reduceParts - 1) / reduceParts
}

func (m *NoiseAdaptation) runJob() {
	m.setParts()
	parallel.For(len(m.parts), 1, 1, &m.job)
}

// Do processes parts [lo, hi): it implements parallel.Job.
func (j *naJob) Do(lo, hi int) {
	m := j.m
	for part := lo; part < hi; part++ {
		n0, n1 := part*j.perPart, min(j.n, (part+1)*j.perPart)
		if n1 <= n0 {
			continue
		}
		if !j.fwd {
			dp := m.D * j.p
			m.backwardImages(n0, n1, j.dy[n0*dp:n1*dp])
			continue
		}
		for i := n0; i < n1; i++ {
			m.forwardImage(i, j.dst, j.t, j.p, j.codes)
		}
	}
}

// forwardImage computes, for image i (D×p values of t):
//
//	hid[k][q] = ReLU(Σ_c W1[c][k]·t[c][q])
//	dst[c][q] += α·(Σ_k W2[k][c]·hid[k][q] + η(t[c][q]))
//
// with dst[c] set to q(t[c]) first if codes is set.
func (m *NoiseAdaptation) forwardImage(i int, dst, t []float32, p int, codes bool) {
	d, h := m.D, m.H
	ti, di := t[i*d*p:][:d*p], dst[i*d*p:][:d*p]
	hid := m.hid[i*h*p:][:h*p]
	clear(hid)
	for c := range d {
		tc := ti[c*p:][:p]
		for k := range h {
			axpy(hid[k*p:][:p], m.W1.Data[c*h+k], tc)
		}
	}
	relu(hid)
	alpha := m.Alpha
	for c := range d {
		tc, dc := ti[c*p:][:p], di[c*p:][:p]
		if codes {
			signRows(dc, p, tc, p, 1, p)
		}
		for k := range h - 1 {
			axpy(dc, alpha*m.W2.Data[k*d+c], hid[k*p:][:p])
		}
		k := h - 1
		m.addLastEta(dc, tc, hid[k*p:][:p], alpha*m.W2.Data[k*d+c], alpha)
	}
}

// addLastEta adds a·hid, then k·η(t), to dst: the last hidden unit's
// term and the shortcut, in one pass over dst for η = sin (with H = 1,
// the usual case, all of forwardImage's work on a channel row).
func (m *NoiseAdaptation) addLastEta(dst, t, hid []float32, a, k float32) {
	ka := k * m.A
	switch m.Eta {
	case "sin":
		addNASin(dst, t, hid, a, ka)
	case "x":
		axpy(dst, a, hid)
		for i, v := range t {
			dst[i] += ka * v
		}
	default:
		axpy(dst, a, hid)
	}
}

// backwardImage adds image i's share of the gradients:
//
//	de = α·dy;  dW2[k][c] += Σ_q hid[k][q]·de[c][q]
//	dhid[k][q] = [hid > 0]·Σ_c W2[k][c]·de[c][q];  dW1[c][k] += Σ_q t[c][q]·dhid[k][q]
//	dt[c][q] += Σ_k W1[c][k]·dhid[k][q] + de[c][q]·η'(t[c][q])
//
// with f's passes before and after; dyi is image i's output gradient.
func (m *NoiseAdaptation) backwardImage(q *naPart, i int, dt, t, dyi []float32, p int, f *naFused) {
	d, h := m.D, m.H
	ti, dti := t[i*d*p:][:d*p], dt[i*d*p:][:d*p]
	if f.withG {
		f.g.Backward(dti, ti, dyi)
	}
	hid := m.hid[i*h*p:][:h*p]
	alpha := m.Alpha
	dhid := floats(&q.dhid, h*p)
	clear(dhid)
	for c := range d {
		dc := dyi[c*p:][:p]
		for k := range h {
			hk := hid[k*p:][:p]
			// Σ_q hid·α·dy, then the same α·dy spread back to dhid.
			q.dw2[k*d+c] += alpha * dotAxpy(hk, dc, dhid[k*p:][:p], alpha*m.W2.Data[k*d+c])
		}
	}
	reluMask(dhid, hid)
	for c := range d {
		tc, dtc, dc := ti[c*p:][:p], dti[c*p:][:p], dyi[c*p:][:p]
		for k := range h - 1 {
			dk := dhid[k*p:][:p]
			q.dw1[c*h+k] += dotAxpy(tc, dk, dtc, m.W1.Data[c*h+k])
		}
		k := h - 1
		q.dw1[c*h+k] += m.dotLastEtaGrad(tc, dhid[k*p:][:p], dtc, dc, m.W1.Data[c*h+k], alpha)
	}
	if f.add != nil {
		addTo(dti, dti, f.add[i*d*p:][:d*p])
	}
}

// dotLastEtaGrad returns Σ t·dhid and adds a·dhid, then k·dy·η'(t),
// to dt: the last hidden unit's terms and the shortcut's, in one pass
// over dt for η = sin (see addLastEta).
func (m *NoiseAdaptation) dotLastEtaGrad(t, dhid, dt, dy []float32, a, k float32) float32 {
	if m.Eta == "sin" {
		return dotAxpyCos(t, dhid, dt, dy, a, k*m.A)
	}
	s := dotAxpy(t, dhid, dt, a)
	m.addEtaGrad(dt, t, dy, k)
	return s
}

// addEtaGrad adds k·dy·η'(t) to dt.
func (m *NoiseAdaptation) addEtaGrad(dt, t, dy []float32, k float32) {
	ka := k * m.A
	dy = dy[:len(t)]
	switch m.Eta {
	case "sin":
		addCosMul(dt, t, dy, ka)
	case "x":
		for i := range t {
			dt[i] += ka * dy[i]
		}
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
