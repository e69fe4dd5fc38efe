// Package parallel runs data-parallel loops on a fixed pool of worker
// goroutines, started once per process, so that hot kernels can use every core
// without starting a goroutine or allocating per call.
//
// A loop is described by a [Job]: an index range [0, n) that the pool cuts into
// contiguous chunks, and a method that processes one chunk. The chunks are
// handed out dynamically. Each goroutine (the caller's and every worker's)
// has its own contiguous share of the chunks, the same share in every call
// with the same number of chunks, so that the part of a batch one layer
// wrote on a core is mostly read by the next layer on the same core; it
// takes its share's chunks in order, then, when its share is empty, the
// chunks left in the others' shares, until none is left. A worker that
// wakes late, or runs on a core busy with something else, therefore takes
// fewer chunks instead of leaving the others waiting. Which goroutine runs
// a chunk still varies from call to call, and the chunks' bounds depend on
// the number of workers; a job whose results must not depend on the number
// of cores keeps a result per fixed block of indices, not per chunk (with
// align a multiple of the block size, every chunk holds whole blocks), and
// combines them in index order after the call. Jobs are
// usually a pointer to a struct the caller keeps between calls, so passing
// it allocates nothing.
//
// Only one job runs on the pool at a time. A call that finds the pool busy (a
// kernel called from inside another job, or from a second goroutine such as a
// data prefetcher) runs its whole range on the calling goroutine instead of
// waiting, so nested and concurrent use never deadlocks.
//
// A job that panics makes For panic in its caller once no goroutine is
// left in the job, and leaves the pool usable: a panic in the caller's
// own chunk goes on as it is, one in a worker's chunk is recovered there
// and reaches the caller as a [*WorkerPanic]. The other goroutines
// finish the chunks they had taken and take the rest as usual.
package parallel

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
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
	return len(pool.workers) + 1
}

// chunksPerWorker is how many chunks For makes per worker when the range
// allows: enough that a worker delayed by a fraction of the call's time
// leaves the others at most about a quarter of its share to wait for, few
// enough that taking a chunk (one atomic add) costs nothing next to it.
const chunksPerWorker = 4

// task is the job on the pool: n indices in chunks of size, the last one
// shorter. The chunks [0, end) are cut into len(shares) contiguous shares,
// share s being chunks [s·end/W, (s+1)·end/W) for W = len(shares); the
// goroutine with index s (0 the caller, i+1 pool worker i) owns share s.
type task struct {
	job          Job
	n, size, end int // end: the number of chunks
	shares       []share
	// failed is the first panic recovered in a worker's chunk.
	failed atomic.Pointer[WorkerPanic]
}

// A WorkerPanic is what For panics with when a chunk of its job panicked
// on one of the pool's workers rather than on the calling goroutine.
type WorkerPanic struct {
	Value any    // what the chunk panicked with, as given
	Stack []byte // the worker's stack where it panicked
}

func (p *WorkerPanic) Error() string {
	return fmt.Sprintf("%v\n\n[recovered in a worker of the pool; its stack:]\n%s", p.Value, p.Stack)
}

// Unwrap returns Value if it is an error, for errors.Is and errors.As.
func (p *WorkerPanic) Unwrap() error {
	err, _ := p.Value.(error)
	return err
}

// share counts the chunks taken from one goroutine's share. The counter
// sits in the middle of 128 bytes, so that the counters of two shares
// never share a cache line (nor, on cores that fetch lines in pairs, a
// pair of lines), whatever the slice's alignment: a goroutine taking its
// own chunks does not pull the line from the other cores.
type share struct {
	_    [56]byte
	next atomic.Int64
	_    [64]byte
}

// run processes chunks until none is left: those of share self first, in
// order, then those left in the others', from the front of share self+1,
// self+2, … (wrapping). Every take is an atomic add on the share's
// counter, so every chunk is done exactly once, whoever takes it.
func (t *task) run(self int) {
	w := len(t.shares)
	for k := range w {
		s := self + k
		if s >= w {
			s -= w
		}
		first, last := s*t.end/w, (s+1)*t.end/w
		if first == last {
			continue
		}
		next := &t.shares[s].next
		for {
			i := first + int(next.Add(1)) - 1
			if i >= last {
				break
			}
			lo := i * t.size
			t.job.Do(lo, min(lo+t.size, t.n))
		}
	}
}

// spinFor is how long a worker looks for the next job before it sleeps.
// Waking a sleeping worker takes the operating system tens to hundreds of
// microseconds (more in a virtual machine), as long as a BatchNorm
// layer's whole job, during which the caller works alone. A training step
// runs a job every millisecond or so, mostly right after the previous
// one, but the serial parts between a layer's jobs (checks, reductions
// in a fixed order) can outlast 100 µs, after which each next job began
// with a wake-up; results/ab-step-spin-1ms.md compares 100 µs with 1 ms.
// The worker yields (runtime.Gosched) while it spins, so it delays no
// other goroutine of the process.
const spinFor = time.Millisecond

// worker states
const (
	awake  = iota
	asleep // blocked on its wake channel; the caller that sets it awake sends a token
)

type worker struct {
	state atomic.Int32
	wake  chan struct{}
}

var pool struct {
	once    sync.Once
	mu      sync.Mutex // held while a job runs on the pool
	workers []worker
	// gen counts job openings and closings: odd while a job is open.
	gen atomic.Uint64
	// active counts the workers inside the open job.
	active atomic.Int32
	task   task // the job of the call holding mu
}

func start() {
	pool.once.Do(func() {
		pool.workers = make([]worker, runtime.GOMAXPROCS(0)-1)
		pool.task.shares = make([]share, len(pool.workers)+1)
		for i := range pool.workers {
			w := &pool.workers[i]
			w.wake = make(chan struct{}, 1)
			go w.loop(i + 1)
		}
	})
}

// loop joins every job the pool opens, as the goroutine with index self
// (its share of the chunks).
func (w *worker) loop(self int) {
	var last uint64
	for {
		g := w.next(last)
		last = g
		pool.active.Add(1)
		if pool.gen.Load() == g { // still open: its task is safe to read
			join(self)
		}
		pool.active.Add(-1)
	}
}

// join runs the open job's chunks as goroutine self, recovering a panic
// of the job for For to raise in its caller: a panic that ended the
// worker would end the process.
func join(self int) {
	defer func() {
		if e := recover(); e != nil {
			pool.task.failed.CompareAndSwap(nil, &WorkerPanic{Value: e, Stack: debug.Stack()})
		}
	}()
	if stats.on.Load() {
		t0 := time.Now()
		pool.task.run(self)
		stats.busy.Add(int64(time.Since(t0)))
	} else {
		pool.task.run(self)
	}
}

// next waits for a job opened after last and returns its generation:
// spinning for spinFor, then asleep until a caller wakes it.
func (w *worker) next(last uint64) uint64 {
	open := func() (uint64, bool) {
		g := pool.gen.Load()
		return g, g&1 == 1 && g != last
	}
	for {
		t0 := time.Now()
		for i := 0; ; i++ {
			if g, ok := open(); ok {
				return g
			}
			if i%64 == 63 {
				if time.Since(t0) > spinFor {
					break
				}
				runtime.Gosched()
			}
		}
		w.state.Store(asleep)
		if g, ok := open(); ok && w.state.CompareAndSwap(asleep, awake) {
			return g
		}
		// Asleep, or a caller has set it awake and sends a token: wait for it.
		<-w.wake
	}
}

// For runs job over [0, n). Ranges shorter than 2·grain elements, or a pool
// that is already busy, run on the calling goroutine; otherwise the range is
// cut into chunks of at least grain elements but the last, which holds what
// is left (at most chunksPerWorker chunks per worker), with chunk boundaries
// at multiples of align (use it to keep SIMD blocks or cache
// lines whole; rounding the size up to align can leave a last chunk much
// shorter than grain, and fewer chunks than asked), which the workers and the caller
// take, each its own share first (see the package doc). For returns when
// every chunk is done; if a chunk panicked, it panics once every
// goroutine has left the job (see the package doc). n must be at least 0
// (0 calls nothing), grain and align at least 1: For panics, naming the
// parameter and its value, on a smaller one.
func For(n, grain, align int, job Job) {
	// A negative n, or a grain or align below 1, is a mistake in the
	// caller (a size computed wrong, or divided down to 0): refused, not
	// run as an empty range or as 1.
	if n < 0 {
		panic(fmt.Sprintf("parallel.For: n %d, want at least 0", n))
	}
	if grain < 1 {
		panic(fmt.Sprintf("parallel.For: grain %d, want at least 1", grain))
	}
	if align < 1 {
		panic(fmt.Sprintf("parallel.For: align %d, want at least 1", align))
	}
	if n == 0 {
		return
	}
	start()
	chunks := min(n/grain, chunksPerWorker*(len(pool.workers)+1))
	rec := beginCall(2)
	if chunks < 2 || !pool.mu.TryLock() {
		job.Do(0, n)
		if rec != nil {
			rec.end(false, 0, 0)
		}
		return
	}
	defer pool.mu.Unlock()
	if rec != nil {
		stats.inJob.Store(true)
	}
	size := (n + chunks - 1) / chunks
	size = (size + align - 1) / align * align
	t := &pool.task
	t.job, t.n, t.size, t.end = job, n, size, (n+size-1)/size
	for i := range t.shares {
		t.shares[i].next.Store(0)
	}
	busy0 := stats.busy.Load() // before any worker can join
	pool.gen.Add(1)            // open
	// A panic in the caller's chunks goes on only once the job is closed
	// and no worker is left in it, so that the pool stays usable and no
	// worker still runs the job when the caller recovers.
	closed := false
	defer func() {
		if !closed {
			closeJob(rec != nil)
		}
	}()
	// Wake sleeping workers, as many as there are chunks for.
	want := t.end - 1
	for i := range pool.workers {
		if want == 0 {
			break
		}
		w := &pool.workers[i]
		if w.state.CompareAndSwap(asleep, awake) {
			w.wake <- struct{}{}
		}
		want--
	}
	var callerBusy time.Duration
	if rec != nil {
		t0 := time.Now()
		t.run(0)
		callerBusy = time.Since(t0)
	} else {
		t.run(0)
	}
	closed = true
	failed := closeJob(rec != nil)
	if rec != nil {
		rec.end(true, callerBusy, time.Duration(stats.busy.Load()-busy0))
	}
	if failed != nil {
		panic(failed)
	}
}

// closeJob closes the job on the pool to new workers, waits for those in
// it to leave, and returns the panic one of them recovered, if any.
// timed is whether the call is timed for the statistics.
func closeJob(timed bool) *WorkerPanic {
	pool.gen.Add(1) // closed: no worker joins any more
	for i := 0; pool.active.Load() != 0; i++ {
		if i%64 == 63 {
			runtime.Gosched()
		}
	}
	pool.task.job = nil
	if timed {
		stats.inJob.Store(false)
	}
	return pool.task.failed.Swap(nil)
}
