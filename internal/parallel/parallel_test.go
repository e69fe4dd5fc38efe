package parallel

import (
	"sync"
	"sync/atomic"
	"testing"
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
