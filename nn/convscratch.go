package nn

import "github.com/gradbench/gradbench/internal/parallel"

// The scratch of a convolution's passes: each goroutine that runs a part
// of a job works in the scratch of a part it claims, so that it keeps one
// scratch, in its core's cache, from part to part.

// convPart is one part's partial dWᵀ and a scratch, which the goroutine
// that holds it (claim) works in, whichever part it computes.
type convPart struct {
	dw   []float32
	grid gridPart
	lut  lutScratch // the weight gradient by tables (lutweights.go)
}

// claim returns the index of a part whose scratch no other goroutine
// holds, the lowest free one, and holds it until release. The parts are
// at most len(c.parts) chunks of a job, so one is always free.
func (c *convCore) claim() int {
	for {
		for i := range c.parts {
			if c.free.Or(1<<i)&(1<<i) == 0 {
				return i
			}
		}
	}
}

// release gives back the scratch of part i (claim).
func (c *convCore) release(i int) { c.free.And(^uint32(1 << i)) }

// warm grows the scratch of every part a goroutine may claim (the first
// min(Workers, parts): a job runs on at most Workers goroutines at once)
// to the largest size any of them has, after a job. A goroutine that
// joins a later job and claims a part that no goroutine claimed before
// (the pool's workers join a job only when they wake in time) then finds
// its scratch sized, so a step allocates nothing once the layer has run
// one. Only capacities grow: the scratch is rewritten at every use, and
// a grown padded grid is zero, as planes leaves it for any geometry.
func (c *convCore) warm() {
	n := min(parallel.Workers(), len(c.parts))
	for i := range n {
		for j := range n {
			if i != j {
				c.parts[i].growTo(&c.parts[j])
			}
		}
	}
}

// growTo grows each scratch of p to at least the capacity of q's.
func (p *convPart) growTo(q *convPart) {
	g, h := &p.grid, &q.grid
	growPlanes(&g.xp, &g.xkey, h.xp, h.xkey)
	growPlanes(&g.dyp, &g.dykey, h.dyp, h.dykey)
	growTo(&g.yg, h.yg)
	growTo(&g.dxp, h.dxp)
	growTo(&g.dxb, h.dxb)
	growTo(&g.dyt, h.dyt)
	growTo(&g.lutTab, h.lutTab)
	l, m := &p.lut, &q.lut
	growTo(&l.tab, m.tab)
	growTo(&l.corr, m.corr)
	growTo(&l.tail, m.tail)
	growTo(&l.sb, m.sb)
	growTo(&l.pat, m.pat)
	growTo(&l.poff, m.poff)
	growTo(&l.cols, m.cols)
	growTo(&l.rowSum, m.rowSum)
	growTo(&l.pre, m.pre)
}

// growTo replaces *s by a new slice of t's capacity when *s has less.
func growTo[T any](s *[]T, t []T) {
	if cap(*s) < cap(t) {
		*s = make([]T, cap(t))
	}
}

// growPlanes is growTo for padded grids: the new grid is zero, cleared
// for q's geometry key k as planes would clear it.
func growPlanes(s *[]float32, key *[4]int, t []float32, k [4]int) {
	if cap(*s) < cap(t) {
		*s = make([]float32, cap(t))
		*key = k
	}
}

// gradScratch returns the part's scratch for the gradient of the codes of
// n values, on its way to the epilogue.
func (p *convPart) gradScratch(n int) []float32 { return floats(&p.grid.dxb, n) }
