package fidelity

import (
	"sync"

	"github.com/gradbench/gradbench/internal/parallel"
	"github.com/gradbench/gradbench/nn"
)

// A Worker is a network and a loss of its own: TrueChangesEach and DescentOn
// run one network pass at a time on each worker, so that independent passes
// (flips, descent steps) proceed side by side on the cores. The networks of
// one call must hold the same state (parameters, buffers, estimators'
// progress) and build the same forward pass, as clones of one network with
// fidelity.CopyState do.
type Worker struct {
	Net  nn.Layer
	Loss Loss
}

// splitJob hands the chunks of a parallel.For to its workers: each chunk
// takes a worker no other chunk is using, runs on it and gives it back.
// With as many workers as the pool has goroutines a chunk never waits.
type splitJob struct {
	free chan int // indices of the idle workers
	do   func(w, lo, hi int)
}

func (j *splitJob) Do(lo, hi int) {
	w := <-j.free
	j.do(w, lo, hi)
	j.free <- w
}

// split runs do(w, lo, hi) over the chunks [lo, hi) of [0, n), w the index
// of the worker (0 ≤ w < workers) a chunk runs on, on the worker pool.
// The chunks run one network pass's kernels on one goroutine each (a job
// inside a job runs on its caller), so split pays when the chunks are
// independent and there are as many workers as cores; with one worker, or
// one core, it runs do(0, 0, n), whose kernels use every core. What do
// computes must not depend on w or on the chunking.
func split(n, workers int, do func(w, lo, hi int)) {
	if n <= 0 {
		return
	}
	if workers < 2 || parallel.Workers() < 2 || n < 2 {
		do(0, 0, n)
		return
	}
	j := &splitJob{free: make(chan int, workers), do: do}
	for w := range workers {
		j.free <- w
	}
	parallel.For(n, 1, 1, j)
}

// syncProgress returns progress made safe to call from several goroutines
// (nil stays nil).
func syncProgress(progress func(k int)) func(k int) {
	if progress == nil {
		return nil
	}
	var mu sync.Mutex
	return func(k int) {
		mu.Lock()
		defer mu.Unlock()
		progress(k)
	}
}
