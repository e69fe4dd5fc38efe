package parallel

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type countJob struct {
	hits  []int32
	mu    sync.Mutex
	seen  [][2]int
	inner Job // when set, run from inside Do to test nesting
}

func (j *countJob) Do(lo, hi int) {
	j.mu.Lock()
	j.seen = append(j.seen, [2]int{lo, hi})
	j.mu.Unlock()
	for i := lo; i < hi; i++ {
		atomic.AddInt32(&j.hits[i], 1)
	}
	if j.inner != nil {
		For(1000, 1, 1, j.inner)
	}
}

func TestForCoversRangeOnce(t *testing.T) {
	for _, tc := range []struct{ n, grain, align int }{
		{0, 1, 1}, {1, 1, 1}, {2, 1, 1}, {7, 1, 4}, {1000, 10, 16}, {1 << 16, 1024, 64}, {17, 100, 1},
	} {
		j := &countJob{hits: make([]int32, tc.n)}
		For(tc.n, tc.grain, tc.align, j)
		for i, h := range j.hits {
			if h != 1 {
				t.Fatalf("For(n=%d, grain=%d, align=%d): index %d visited %d times, want 1", tc.n, tc.grain, tc.align, i, h)
			}
		}
		for _, r := range j.seen {
			if r[0]%tc.align != 0 {
				t.Errorf("For(n=%d, align=%d): chunk starts at %d, not a multiple of align", tc.n, tc.align, r[0])
			}
		}
	}
}

func TestForNestedAndConcurrent(t *testing.T) {
	inner := &countJob{hits: make([]int32, 1000)}
	outer := &countJob{hits: make([]int32, 1<<12), inner: inner}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			j := &countJob{hits: make([]int32, 1<<14)}
			For(len(j.hits), 16, 1, j)
			for i, h := range j.hits {
				if h != 1 {
					t.Errorf("concurrent For: index %d visited %d times", i, h)
					return
				}
			}
		}()
	}
	For(len(outer.hits), 1<<10, 1, outer)
	wg.Wait()
	want := int32(len(outer.seen))
	for i, h := range inner.hits {
		if h != want {
			t.Fatalf("nested For: inner index %d visited %d times, want %d (once per outer chunk)", i, h, want)
		}
	}
}

func TestForAllocatesNothing(t *testing.T) {
	j := &sumJob{x: make([]float32, 1<<16)}
	allocs := testing.AllocsPerRun(100, func() { For(len(j.x), 1024, 16, j) })
	if allocs != 0 {
		t.Errorf("For allocates %v times per call, want 0", allocs)
	}
}

type sumJob struct{ x []float32 }

func (j *sumJob) Do(lo, hi int) {
	for i := lo; i < hi; i++ {
		j.x[i]++
	}
}

// TestForChunks checks the chunking: at most chunksPerWorker chunks per
// worker, each of at least grain elements but the last, in order.
func TestForChunks(t *testing.T) {
	w := Workers()
	for _, tc := range []struct{ n, grain, align int }{
		{8, 1, 1}, {1000, 10, 16}, {1 << 16, 1024, 64}, {100, 40, 1}, {7, 1, 4},
	} {
		j := &countJob{hits: make([]int32, tc.n)}
		For(tc.n, tc.grain, tc.align, j)
		if w > 1 && tc.n >= 2*tc.grain && len(j.seen) < 2 {
			t.Errorf("For(n=%d, grain=%d): %d chunk, want the range split", tc.n, tc.grain, len(j.seen))
		}
		if len(j.seen) > chunksPerWorker*w {
			t.Errorf("For(n=%d, grain=%d): %d chunks, want at most %d", tc.n, tc.grain, len(j.seen), chunksPerWorker*w)
		}
		for _, r := range j.seen {
			if r[1]-r[0] < tc.grain && r[1] != tc.n {
				t.Errorf("For(n=%d, grain=%d): chunk [%d, %d) shorter than grain", tc.n, tc.grain, r[0], r[1])
			}
		}
	}
}

// holdJob holds the first index any goroutine takes until every other
// index is done. With a fixed split, the goroutine holding it owns the
// next indices of its part too and waits for itself until the timeout;
// with chunks of one index handed out in turn, the other workers take
// them all.
type holdJob struct {
	n       int
	first   atomic.Bool
	done    atomic.Int32
	timeout atomic.Bool
}

func (j *holdJob) Do(lo, hi int) {
	for range hi - lo {
		if j.first.CompareAndSwap(false, true) {
			deadline := time.Now().Add(5 * time.Second)
			for int(j.done.Load()) < j.n-1 {
				if time.Now().After(deadline) {
					j.timeout.Store(true)
					break
				}
				time.Sleep(100 * time.Microsecond)
			}
		}
		j.done.Add(1)
	}
}

// TestForHandsOutChunks runs holdJob on workers that are awake (right
// after a call) and on workers that have gone to sleep.
func TestForHandsOutChunks(t *testing.T) {
	if Workers() < 2 {
		t.Skip("needs GOMAXPROCS >= 2")
	}
	for _, pause := range []time.Duration{0, 20 * spinFor} {
		For(8, 1, 1, &sumJob{x: make([]float32, 8)})
		time.Sleep(pause)
		j := &holdJob{n: 8}
		For(j.n, 1, 1, j)
		if j.timeout.Load() {
			t.Errorf("after a pause of %v: For(8, 1, 1): the other chunks waited for the first one's goroutine", pause)
		}
		if got := j.done.Load(); got != 8 {
			t.Errorf("after a pause of %v: For(8, 1, 1) processed %d indices, want 8", pause, got)
		}
	}
}

// spinJob busy-waits d per index.
type spinJob struct{ d time.Duration }

func (j *spinJob) Do(lo, hi int) {
	for range hi - lo {
		for t := time.Now(); time.Since(t) < j.d; {
		}
	}
}

// BenchmarkFor measures the hand-off: 8 chunks of a given length, after
// an untimed pause (pause=0: the workers are still looking for work;
// longer than spinFor: they sleep and must be woken). With 2 cores and no
// hand-off cost, ns/op is 4 chunk lengths.
func BenchmarkFor(b *testing.B) {
	for _, pause := range []time.Duration{0, 2 * spinFor} {
		for _, d := range []time.Duration{0, 10 * time.Microsecond, 100 * time.Microsecond} {
			b.Run(fmt.Sprintf("pause=%v/chunk=%v", pause, d), func(b *testing.B) {
				j := &spinJob{d}
				for b.Loop() {
					if pause > 0 {
						b.StopTimer()
						time.Sleep(pause)
						b.StartTimer()
					}
					For(8, 1, 1, j)
				}
			})
		}
	}
}
