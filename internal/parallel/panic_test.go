package parallel

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// panicJob panics with its message in every chunk holding an index at
// or above from.
type panicJob struct {
	from int
	msg  string
}

func (j *panicJob) Do(lo, hi int) {
	if hi > j.from {
		panic(j.msg)
	}
}

// forRecover calls For and returns what it panicked with, nil if it
// returned.
func forRecover(n, grain, align int, job Job) (v any) {
	defer func() { v = recover() }()
	For(n, grain, align, job)
	return nil
}

// TestForPanicReachesCaller checks that a job's panic, in whichever
// goroutine's chunk, reaches For's caller with its message, after every
// goroutine has left the job, and that the pool still splits the next
// jobs over its goroutines: a panic on a worker must not end the
// process, and one on the caller must not leave the job open to the
// workers.
func TestForPanicReachesCaller(t *testing.T) {
	for i := range 50 {
		// Every chunk panics (the workers' too, whoever takes them), or
		// only the last, or only the first (most often the caller's).
		for _, from := range []int{0, 7, 1} {
			msg := fmt.Sprintf("chunk failed, call %d from %d", i, from)
			v := forRecover(8, 1, 1, &panicJob{from: from, msg: msg})
			if v == nil {
				t.Fatalf("call %d from %d: For returned, want it to panic", i, from)
			}
			if s := fmt.Sprint(v); !strings.Contains(s, msg) {
				t.Fatalf("call %d from %d: For panicked with %q, want the job's message %q", i, from, s, msg)
			}
			if pool.active.Load() != 0 || pool.gen.Load()&1 != 0 || !pool.mu.TryLock() {
				t.Fatalf("call %d from %d: the job is still open or held after For panicked", i, from)
			}
			pool.mu.Unlock()
			if stats.inJob.Load() {
				t.Fatalf("call %d from %d: the statistics count the panicked job as still running", i, from)
			}
			if i%10 == 0 {
				time.Sleep(2 * spinFor) // let the workers go to sleep
			}
			j := &countJob{hits: make([]int32, 64)}
			For(len(j.hits), 1, 1, j)
			for k, h := range j.hits {
				if h != 1 {
					t.Fatalf("call %d from %d: the next For did index %d %d times, want 1", i, from, k, h)
				}
			}
		}
	}
	if Workers() < 2 {
		return
	}
	// The workers still join jobs: the chunk held until the others are
	// done is released only if another goroutine takes them.
	h := &holdJob{n: 8}
	For(h.n, 1, 1, h)
	if h.timeout.Load() {
		t.Error("after the panics, For(8, 1, 1) ran on the caller alone: the workers no longer join jobs")
	}
}

// TestForWorkerPanicValue checks what a worker's panic reaches the
// caller as: a *WorkerPanic holding the value as given and the worker's
// stack, which unwraps to the value when it is an error.
func TestForWorkerPanicValue(t *testing.T) {
	if Workers() < 2 {
		t.Skip("needs GOMAXPROCS >= 2")
	}
	cause := errors.New("bad chunk")
	for range 200 {
		j := &errJob{err: cause}
		v := forRecover(8, 1, 1, j)
		wp, ok := v.(*WorkerPanic)
		if !ok {
			continue // the caller took every chunk this time
		}
		if wp.Value != cause || !errors.Is(wp, cause) {
			t.Fatalf("WorkerPanic{Value: %v}: want the job's error as given", wp.Value)
		}
		if !strings.Contains(string(wp.Stack), "errJob") || !strings.Contains(wp.Error(), "bad chunk") {
			t.Fatalf("WorkerPanic %q: want the job's message and the worker's stack", wp.Error())
		}
		return
	}
	t.Fatal("no worker took a chunk in 200 calls")
}

// errJob panics with err in the chunk at 4, the first of the second
// goroutine's share of 8 chunks with 2 goroutines, and sleeps in the
// chunks before it, the caller's share, so that a worker most often
// takes it.
type errJob struct {
	err error
}

func (j *errJob) Do(lo, hi int) {
	if lo < 4 {
		time.Sleep(time.Millisecond)
	}
	if lo == 4 {
		panic(j.err)
	}
}
