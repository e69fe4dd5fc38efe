package nn

import (
	"github.com/gradbench/gradbench/gemm"
	"github.com/gradbench/gradbench/internal/parallel"
)

// The module on a binary layer's weights: rows of D values, one per output
// channel, as the weights lie.

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
	m.rows = naRows{m: m, kind: naRowsForward, dst: dst, t: t, src: e, scale: scale}
	m.rows.run(rows)
}

// naRows is the element-wise work of ForwardRows and BackwardRows over
// rows of D values, which a training step runs for every binary layer's
// weights: on the worker pool by blocks of rows, each row computed as on
// one goroutine, so the results do not depend on the number of cores.
type naRows struct {
	m                  *NoiseAdaptation
	kind               int
	dst, t, src, scale []float32
}

// naRows kinds, with k = α·scale[r] (α if scale is nil) for row r:
const (
	naRowsForward = iota // dst += k·(src + η(t)), src = ê's product term
	naRowsScale          // dst = k·src
	naRowsEta            // dst += src·η'(t)
)

// naRowsGrain is the fewest values a chunk of naRows takes: enough to
// outlast the pool's hand-off.
const naRowsGrain = 1 << 12

// run runs j over rows rows, with chunk boundaries at multiples of 16
// values (whole vectors of the kernels), then clears j but its module.
func (j *naRows) run(rows int) {
	d := j.m.D
	parallel.For(rows, max(1, naRowsGrain/d), 16/gcd(d, 16), j)
	*j = naRows{m: j.m}
}

// Do runs rows [lo, hi): it implements parallel.Job.
func (j *naRows) Do(lo, hi int) {
	m, d := j.m, j.m.D
	if j.kind == naRowsEta {
		m.addEtaGrad(j.dst[lo*d:hi*d], j.t[lo*d:hi*d], j.src[lo*d:hi*d], 1)
		return
	}
	for r := lo; r < hi; r++ {
		k := m.Alpha
		if j.scale != nil {
			k *= j.scale[r]
		}
		sr, dr := j.src[r*d:][:d], j.dst[r*d:][:d]
		if j.kind == naRowsScale {
			for i, v := range sr {
				dr[i] = k * v
			}
			continue
		}
		for i, v := range j.t[r*d:][:d] {
			dr[i] += k * (sr[i] + m.eta(v))
		}
	}
}

// gcd returns the greatest common divisor of a, b > 0.
func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
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
	m.rows = naRows{m: m, kind: naRowsScale, dst: de, src: dy, scale: scale}
	m.rows.run(rows)
	dhid := floats(&m.dhid, rows*h)
	gemm.Sgemm(true, false, h, d, rows, 1, m.hid, h, de, d, 1, m.W2.Grad, d)
	gemm.Sgemm(false, true, rows, h, d, 1, de, d, m.W2.Data, d, 0, dhid, h)
	reluMask(dhid, m.hid)
	gemm.Sgemm(true, false, d, h, rows, 1, t, d, dhid, h, 1, m.W1.Grad, h)
	gemm.Sgemm(false, true, rows, d, h, 1, dhid, h, m.W1.Data, h, 1, dt, d)
	m.rows = naRows{m: m, kind: naRowsEta, dst: dt, t: t, src: de}
	m.rows.run(rows)
}
