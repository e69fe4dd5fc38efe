// Package parallel runs data-parallel loops on a fixed pool of worker
// goroutines, started once per process, so that hot kernels can use every core
// without starting a goroutine or allocating per call.
//
// A loop is described by a [Job]: an index range [0, n) that the pool cuts into
// contiguous chunks, one per worker, and a method that processes one chunk.
// The caller's goroutine works on a chunk too. Jobs are usually a pointer to a
// struct the caller keeps between calls, so passing it allocates nothing.
//
// Only one job runs on the pool at a time. A call that finds the pool busy (a
// kernel called from inside another job, or from a second goroutine such as a
// data prefetcher) runs its whole range on the calling goroutine instead of
// waiting, so nested and concurrent use never deadlocks.
package parallel

import (
	"runtime"
	"sync"
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
	return len(pool.work) + 1
}

type chunk struct {
	job    Job
	lo, hi int
}

var pool struct {
	once sync.Once
	mu   sync.Mutex // held while a job runs on the pool
	wg   sync.WaitGroup
	work []chan chunk
}

func start() {
	pool.once.Do(func() {
		n := runtime.GOMAXPROCS(0) - 1
		pool.work = make([]chan chunk, n)
		for i := range pool.work {
			c := make(chan chunk, 1)
			pool.work[i] = c
			go func() {
				for ch := range c {
					ch.job.Do(ch.lo, ch.hi)
					pool.wg.Done()
				}
			}()
		}
	})
}

// For runs job over [0, n). Ranges shorter than 2·grain elements, or a pool
// that is already busy, run on the calling goroutine; otherwise the range is
// split into at most Workers() chunks of at least grain elements, with chunk
// boundaries at multiples of align (align ≥ 1; use it to keep SIMD blocks or
// cache lines whole). For returns when every chunk is done.
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
	parts := min(n/grain, len(pool.work)+1)
	if parts < 2 || !pool.mu.TryLock() {
		job.Do(0, n)
		return
	}
	defer pool.mu.Unlock()
	size := (n + parts - 1) / parts
	size = (size + align - 1) / align * align
	lo := size // chunk 0 is the caller's
	for i := 0; i < parts-1 && lo < n; i++ {
		hi := min(lo+size, n)
		pool.wg.Add(1)
		pool.work[i] <- chunk{job, lo, hi}
		lo = hi
	}
	job.Do(0, min(size, n))
	pool.wg.Wait()
}
