package parallel

import (
	"fmt"
	"math/rand/v2"
	"strings"
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
	cases := []struct{ n, grain, align int }{
		{0, 1, 1}, {1, 1, 1}, {2, 1, 1}, {7, 1, 4}, {1000, 10, 16}, {1 << 16, 1024, 64}, {17, 100, 1},
	}
	for n := 1; n <= 70; n++ {
		for _, grain := range []int{1, 2, 3, 5, 8} {
			for _, align := range []int{1, 2, 4, 7} {
				cases = append(cases, struct{ n, grain, align int }{n, grain, align})
			}
		}
	}
	for _, tc := range cases {
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
// with chunks of one index handed out dynamically, the other workers
// take them all, those of the holder's share included.
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

// runTask runs job over [0, n) in chunks of size as For's task with w
// shares, on goroutines with the indices in present only (the others
// never come), all at once, and returns when they are all done.
func runTask(job Job, n, size, w int, present []int) {
	t := &task{job: job, n: n, size: size, end: (n + size - 1) / size, shares: make([]share, w)}
	var wg sync.WaitGroup
	for _, self := range present {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.run(self)
		}()
	}
	wg.Wait()
}

// TestTaskTakesEveryChunkOnce runs the task with 1 to 5 shares, every
// subset of goroutines present (the caller alone, some workers missing,
// all of them), over chunk counts below, at and above the share count:
// every index is done exactly once, so a worker that never comes only
// leaves its share to the others.
func TestTaskTakesEveryChunkOnce(t *testing.T) {
	for w := 1; w <= 5; w++ {
		for mask := 1; mask < 1<<w; mask++ {
			var present []int
			for s := range w {
				if mask&(1<<s) != 0 {
					present = append(present, s)
				}
			}
			for _, tc := range []struct{ n, size int }{
				{1, 1}, {2, 1}, {3, 2}, {7, 1}, {10, 3}, {33, 1}, {100, 7}, {1000, 50},
			} {
				j := &countJob{hits: make([]int32, tc.n)}
				runTask(j, tc.n, tc.size, w, present)
				for i, h := range j.hits {
					if h != 1 {
						t.Fatalf("%d shares, goroutines %v, n=%d, size=%d: index %d done %d times, want 1", w, present, tc.n, tc.size, i, h)
					}
				}
			}
		}
	}
}

// TestTaskOwnShareFirst runs one goroutine alone: it takes the chunks of
// its own share in order, then those of the next shares, wrapping.
func TestTaskOwnShareFirst(t *testing.T) {
	const n, w = 10, 3 // shares: chunks [0, 3), [3, 6), [6, 10)
	for self, want := range [][]int{
		{0, 1, 2, 3, 4, 5, 6, 7, 8, 9},
		{3, 4, 5, 6, 7, 8, 9, 0, 1, 2},
		{6, 7, 8, 9, 0, 1, 2, 3, 4, 5},
	} {
		j := &countJob{hits: make([]int32, n)}
		runTask(j, n, 1, w, []int{self})
		var got []int
		for _, r := range j.seen {
			got = append(got, r[0])
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("goroutine %d of %d alone took chunks %v, want %v", self, w, got, want)
		}
	}
}

// TestTaskSlowGoroutineTakesFewer runs holdJob on the task with 2 to 4
// shares, every goroutine present: whichever goroutine holds the first
// chunk it takes, the others take the rest of its share instead of
// waiting for it.
func TestTaskSlowGoroutineTakesFewer(t *testing.T) {
	for w := 2; w <= 4; w++ {
		j := &holdJob{n: 4 * w}
		present := make([]int, w)
		for s := range present {
			present[s] = s
		}
		runTask(j, j.n, 1, w, present)
		if j.timeout.Load() {
			t.Errorf("%d shares: the other chunks waited for the goroutine holding the first one", w)
		}
		if got := j.done.Load(); int(got) != j.n {
			t.Errorf("%d shares: processed %d indices, want %d", w, got, j.n)
		}
	}
}

// slowJob counts the indices done, each after a pause.
type slowJob struct {
	pause time.Duration
	done  atomic.Int32
}

func (j *slowJob) Do(lo, hi int) {
	for range hi - lo {
		time.Sleep(j.pause)
		j.done.Add(1)
	}
}

// TestForWaitsForWorkers checks that For returns only when every chunk is
// done, the workers' as well as the caller's: the caller that finds no
// chunk left to take must still wait for those a worker is running, or
// its job's results are read before they are all written.
func TestForWaitsForWorkers(t *testing.T) {
	if Workers() < 2 {
		t.Skip("needs GOMAXPROCS >= 2")
	}
	for i := range 20 {
		j := &slowJob{pause: 100 * time.Microsecond}
		For(8, 1, 1, j)
		if got := j.done.Load(); got != 8 {
			t.Fatalf("call %d: For(8, 1, 1) returned with %d indices done, want 8", i, got)
		}
	}
}

// TestForEdgeArguments checks For's handling of its edge arguments: an
// empty range calls nothing (not Do on an empty range), and a negative n,
// or a grain or align below 1, is a caller's mistake that For refuses with
// a panic naming the parameter and its value (an empty range would hide a
// count computed wrong, a silent 1 a grain divided down to 0).
func TestForEdgeArguments(t *testing.T) {
	j := &countJob{}
	For(0, 1, 1, j)
	if len(j.seen) != 0 {
		t.Errorf("For(0, 1, 1) called Do on %v, want no call", j.seen)
	}
	type refused struct {
		n, grain, align int
		want            string
	}
	cases := []refused{{-1, 1, 1, "n -1"}, {-3, 1, 1, "n -3"}, {-8, 4, 16, "n -8"}, {-2, 0, 1, "n -2"}}
	for _, tc := range []refused{
		{0, 0, 1, "grain 0"}, {0, -2, 1, "grain -2"}, {0, 1, 0, "align 0"}, {0, 4, -1, "align -1"}, {0, 0, 0, "grain 0"},
	} {
		for _, n := range []int{0, 1, 8 * Workers()} {
			tc.n = n
			cases = append(cases, tc)
		}
	}
	for _, tc := range cases {
		j := &countJob{hits: make([]int32, max(tc.n, 0))}
		if msg := fmt.Sprint(forRecover(tc.n, tc.grain, tc.align, j)); !strings.Contains(msg, tc.want) {
			t.Errorf("For(%d, %d, %d) panicked with %q, want a panic naming %q", tc.n, tc.grain, tc.align, msg, tc.want)
		}
		if len(j.seen) != 0 {
			t.Errorf("For(%d, %d, %d) called Do on %v before refusing", tc.n, tc.grain, tc.align, j.seen)
		}
	}
}

// TestForChunkCount checks that a range just above a multiple of the
// chunk cap is still cut into at most chunksPerWorker chunks per worker:
// the chunk size is rounded up, not down (n = 4W+2 elements in chunks of
// one would be 4W+2 chunks).
func TestForChunkCount(t *testing.T) {
	w := Workers()
	if w < 2 {
		t.Skip("needs GOMAXPROCS >= 2")
	}
	for _, n := range []int{chunksPerWorker*w + 1, chunksPerWorker*w + 2, 3*chunksPerWorker*w - 1} {
		j := &countJob{hits: make([]int32, n)}
		For(n, 1, 1, j)
		if len(j.seen) > chunksPerWorker*w {
			t.Errorf("For(%d, 1, 1): %d chunks, want at most %d", n, len(j.seen), chunksPerWorker*w)
		}
	}
}

// TestRandomRangesOnce runs For, and the task on 1 to 8 shares with a
// random subset of goroutines present, over random ranges, grains,
// aligns and chunk sizes (n below, at and above the worker count, grain
// above n, n not a multiple of grain): every index is done exactly once,
// every chunk starts at a multiple of align, and For makes at most
// chunksPerWorker chunks per worker.
func TestRandomRangesOnce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	w := Workers()
	for i := range 2000 {
		n, grain, align := r.IntN(300), 1+r.IntN(40), 1+r.IntN(9)
		j := &countJob{hits: make([]int32, n)}
		For(n, grain, align, j)
		for k, h := range j.hits {
			if h != 1 {
				t.Fatalf("call %d: For(%d, %d, %d): index %d done %d times, want 1", i, n, grain, align, k, h)
			}
		}
		for _, c := range j.seen {
			if c[0]%align != 0 {
				t.Fatalf("call %d: For(%d, %d, %d): chunk [%d, %d) starts off align", i, n, grain, align, c[0], c[1])
			}
		}
		if len(j.seen) > chunksPerWorker*w {
			t.Fatalf("call %d: For(%d, %d, %d): %d chunks, want at most %d", i, n, grain, align, len(j.seen), chunksPerWorker*w)
		}

		shares := 1 + r.IntN(8)
		var present []int
		for len(present) == 0 {
			for s := range shares {
				if r.IntN(2) == 0 {
					present = append(present, s)
				}
			}
		}
		n, size := 1+r.IntN(300), 1+r.IntN(40)
		j = &countJob{hits: make([]int32, n)}
		runTask(j, n, size, shares, present)
		for k, h := range j.hits {
			if h != 1 {
				t.Fatalf("call %d: %d shares, goroutines %v, n=%d, size=%d: index %d done %d times, want 1", i, shares, present, n, size, k, h)
			}
		}
	}
}
