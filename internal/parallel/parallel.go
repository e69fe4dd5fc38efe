// Package parallel runs data-parallel loops on a fixed pool of worker
// goroutines, started once per process, so that hot kernels can use every core
// without starting a goroutine or allocating per call.
//
// A loop is described by a [Job]: an index range [0, n) that the pool cuts into
// contiguous chunks, and a method that processes one chunk. The chunks are
// handed out dynamically: the caller's goroutine and the workers each take
// the next unprocessed chunk from a shared counter until none is left, so a
// worker that wakes late, or runs on a core busy with something else, takes
// fewer chunks instead of leaving the others waiting. Which goroutine runs
// a chunk therefore varies from call to call; a job whose results must not
// depend on the number of cores keeps a result per chunk index (or per
// fixed block) and combines them in index order after the call. Jobs are
// usually a pointer to a struct the caller keeps between calls, so passing
// it allocates nothing.
//
// Only one job runs on the pool at a time. A call that finds the pool busy (a
// kernel called from inside another job, or from a second goroutine such as a
// data prefetcher) runs its whole range on the calling goroutine instead of
// waiting, so nested and concurrent use never deadlocks.
package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// A Job processes the half-open index range [lo, hi) of a loop.
// Do is called concurrently on disjoint ranges.
type Job interface {
	Do(lo, hi int)
}

// Workers is the number of goroutines, the caller's included, that share a
// job: runtime.GOMAXPROCS(0) when the pool starts.
func Workers() int {
	start()
	return len(pool.wake) + 1
}

// chunksPerWorker is how many chunks For makes per worker when the range
// allows: enough that a worker delayed by a fraction of the call's time
// leaves the others at most about a quarter of its share to wait for, few
// enough that taking a chunk (one atomic add) costs nothing next to it.
const chunksPerWorker = 4

// task is the job on the pool: n indices in chunks of size, the last one
// shorter, taken in order through next.
type task struct {
	job          Job
	n, size, end int // end: the number of chunks
	next         atomic.Int64
}

// run processes chunks until none is left.
func (t *task) run() {
	for {
		i := int(t.next.Add(1)) - 1
		if i >= t.end {
			return
		}
		lo := i * t.size
		t.job.Do(lo, min(lo+t.size, t.n))
	}
}

var pool struct {
	once sync.Once
	mu   sync.Mutex // held while a job runs on the pool
	wg   sync.WaitGroup
	wake []chan struct{} // one per worker goroutine
	task task            // the job of the call holding mu
}

func start() {
	pool.once.Do(func() {
		n := runtime.GOMAXPROCS(0) - 1
		pool.wake = make([]chan struct{}, n)
		for i := range pool.wake {
			c := make(chan struct{}, 1)
			pool.wake[i] = c
			go func() {
				for range c {
					pool.task.run()
					pool.wg.Done()
				}
			}()
		}
	})
}

// For runs job over [0, n). Ranges shorter than 2·grain elements, or a pool
// that is already busy, run on the calling goroutine; otherwise the range is
// cut into chunks of at least grain elements (at most chunksPerWorker per
// worker), with chunk boundaries at multiples of align (align ≥ 1; use it to
// keep SIMD blocks or cache lines whole), which the workers and the caller
// take in turn. For returns when every chunk is done.
func For(n, grain, align int, job Job) {
	if n <= 0 {
		return
	}
	if grain < 1 {
		grain = 1
	}
	if align < 1 {
		align = 1
	}
	start()
	chunks := min(n/grain, chunksPerWorker*(len(pool.wake)+1))
	if chunks < 2 || !pool.mu.TryLock() {
		job.Do(0, n)
		return
	}
	defer pool.mu.Unlock()
	size := (n + chunks - 1) / chunks
	size = (size + align - 1) / align * align
	t := &pool.task
	t.job, t.n, t.size, t.end = job, n, size, (n+size-1)/size
	t.next.Store(0)
	helpers := min(len(pool.wake), t.end-1)
	pool.wg.Add(helpers)
	for _, c := range pool.wake[:helpers] {
		c <- struct{}{}
	}
	t.run()
	pool.wg.Wait()
	t.job = nil
}
