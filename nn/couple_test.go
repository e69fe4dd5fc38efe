package nn

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// The experiment of coupled half-batch copies (results/couple.md): copies
// of one network, each training on a contiguous range of one batch's
// images on its own goroutine, that meet only where the math needs the
// whole batch. Here that is every BatchNorm in training mode: the shift
// of the moments (the batch's first image), the moments' totals and the
// gradient sums' totals, each taken over every copy's rows in image
// order, so that every copy computes the statistics of the whole batch
// bit for bit as one network over the whole batch does. The test hook is
// BatchNorm.couple; these helpers are exported to the package's external
// tests, which build the copies (the models package imports nn).

// Barrier makes a fixed number of goroutines wait for each other: each
// Wait returns once every goroutine has called it. A waiter spins (with
// runtime.Gosched, as the worker pool's goroutines do) for up to a
// millisecond, then sleeps until the last one wakes it.
type Barrier struct {
	n     int32
	count atomic.Int32
	gen   atomic.Uint32
	mu    sync.Mutex
	cond  sync.Cond
	_     [64]byte // the statistics on their own cache line
	// waited sums the time the goroutines spent in Wait, parks counts
	// the waits that went to sleep.
	waited, parks atomic.Int64
}

// Waited returns the time the goroutines have spent in Wait, summed over
// them, and how many of their waits went to sleep.
func (b *Barrier) Waited() (time.Duration, int64) {
	return time.Duration(b.waited.Load()), b.parks.Load()
}

// NewBarrier returns a barrier for n goroutines.
func NewBarrier(n int) *Barrier {
	if n < 1 {
		panic(fmt.Sprintf("nn: NewBarrier(%d): want at least one goroutine", n))
	}
	b := &Barrier{n: int32(n)}
	b.cond.L = &b.mu
	return b
}

// Wait returns when all n goroutines have called Wait.
func (b *Barrier) Wait() {
	g := b.gen.Load()
	if b.count.Add(1) == b.n {
		b.count.Store(0)
		b.mu.Lock()
		b.gen.Add(1)
		b.mu.Unlock()
		b.cond.Broadcast()
		return
	}
	t0 := time.Now()
	defer func() { b.waited.Add(int64(time.Since(t0))) }()
	for i := 0; ; i++ {
		if b.gen.Load() != g {
			return
		}
		if i%64 == 63 {
			if time.Since(t0) > time.Millisecond {
				break
			}
			runtime.Gosched()
		}
	}
	b.parks.Add(1)
	b.mu.Lock()
	for b.gen.Load() == g {
		b.cond.Wait()
	}
	b.mu.Unlock()
}

// CoupleBatchNorms couples the BatchNorm layers of nets, copies of one
// network of which copy i trains on images[i] images, the copies' ranges
// in the batch in the order of nets: the k-th BatchNorm (in Walk order)
// of every copy becomes one layer over the whole batch, meeting the
// others at bar (a barrier for len(nets) goroutines, one per copy) three
// times a training step: for the first image's shift, for the moments'
// totals and for the gradient sums' totals. It returns the BatchNorm
// layers of each copy, in Walk order.
func CoupleBatchNorms(nets []Layer, images []int, bar *Barrier) [][]*BatchNorm {
	if len(nets) != len(images) || len(nets) < 1 {
		panic(fmt.Sprintf("nn: CoupleBatchNorms: %d networks and %d image counts", len(nets), len(images)))
	}
	bns := make([][]*BatchNorm, len(nets))
	for i, net := range nets {
		walkOf(net, func(b *BatchNorm) { bns[i] = append(bns[i], b) })
		if len(bns[i]) != len(bns[0]) {
			panic(fmt.Sprintf("nn: CoupleBatchNorms: network %d has %d BatchNorm layers, network 0 has %d", i, len(bns[i]), len(bns[0])))
		}
	}
	first := make([]int, len(images)) // each copy's first image
	total := 0
	for i, n := range images {
		first[i] = total
		total += n
	}
	for k := range bns[0] {
		c := bns[0][k].C
		g := &bnGroup{bar: bar, total: total}
		for p := range g.sums {
			g.sums[p] = make([]float32, 2*total*c)
			g.shift[p] = make([]float32, c)
		}
		for i := range nets {
			b := bns[i][k]
			if b.C != c {
				panic(fmt.Sprintf("nn: CoupleBatchNorms: BatchNorm %d has %d channels in network %d, %d in network 0", k, b.C, i, c))
			}
			b.couple = &bnMember{g: g, copy: i, first: first[i], n: images[i]}
		}
	}
	return bns
}

// bnGroup is one BatchNorm layer shared by coupled copies: the buffers
// every copy writes its part into, two of each used in turn (by the
// parity of the layer's calls), so that a copy writing the next call's
// part, which it can do only after the barrier of the call between,
// never overwrites what a slower copy still reads.
type bnGroup struct {
	bar   *Barrier
	total int
	sums  [2][]float32 // every copy's rows' sums, in image order
	shift [2][]float32 // the first copy's shift
}

// bnMember is one copy's BatchNorm in a bnGroup: copy copy, with images
// [first, first+n) of the batch.
type bnMember struct {
	g        *bnGroup
	copy     int
	first, n int
	calls    int
	tot      []float64
}

func (m *bnMember) images(n int) int {
	if n != m.n {
		panic(fmt.Sprintf("nn: coupled BatchNorm: input of %d images, the copy was coupled for %d", n, m.n))
	}
	return m.g.total
}

func (m *bnMember) firstShift(b *BatchNorm) {
	p := m.calls & 1
	m.calls++
	if m.copy == 0 {
		copy(m.g.shift[p], b.shift)
	}
	m.g.bar.Wait()
	if m.copy != 0 {
		copy(b.shift, m.g.shift[p])
	}
}

func (m *bnMember) totals(b *BatchNorm) []float64 {
	p := m.calls & 1
	m.calls++
	all := m.g.sums[p]
	copy(all[2*m.first*b.C:][:2*m.n*b.C], b.sums)
	m.g.bar.Wait()
	// b.totals over the whole batch's rows: the same additions in the
	// same order.
	if len(m.tot) != 2*b.C {
		m.tot = make([]float64, 2*b.C)
	}
	clear(m.tot)
	for n := range m.g.total {
		for i, v := range all[2*n*b.C:][:2*b.C] {
			m.tot[i] += float64(v)
		}
	}
	return m.tot
}
