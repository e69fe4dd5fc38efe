package parallel

import (
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Where the cores wait. With statistics on (SetStats), the pool keeps, for
// every place that calls For, how much of the goroutines' time its calls
// left unused: the end of a job, where a goroutine that has finished its
// chunks waits for the last one; a call whose range is too short to split,
// which the caller runs alone; and the serial work between two calls, when
// only the caller has any. A training step's jobs are too many and too
// short for a CPU profile to say which of them the second core waits in
// (it shows the waiting worker, not the job it waits for); these
// statistics do. They cost two clock readings per call and per
// goroutine's share of a job while on, one atomic load per call while
// off. The runtime's execution tracer records the same events, but its
// tools give no time per call site of For without a parser of our own.

// A CallStats is what the pool measured of the calls of For made at one
// place while statistics were on.
type CallStats struct {
	// Caller is the function that called For and the line of the call,
	// "gradbench/nn.(*convCore).backward:293".
	Caller string
	// Pooled counts the calls that ran on the pool, Wall is their wall
	// time, and Idle the goroutines' time they left unused: Workers()
	// times Wall, less the time the goroutines spent in the job's chunks.
	// A goroutine that has finished its chunks while another still works
	// on its last, or that joins late, is idle.
	Pooled     int
	Wall, Idle time.Duration
	// Alone counts the calls, made outside any job, that ran on the
	// calling goroutine alone because their range was too short to
	// split, and AloneWall is their wall time, in which the other
	// Workers()-1 goroutines had no work from the pool.
	Alone     int
	AloneWall time.Duration
	// Gap is the wall time from the end of the call before (made outside
	// any job, from anywhere) to the start of each of these calls: the
	// serial work between the pool's jobs, in which the other Workers()-1
	// goroutines had no work from the pool either.
	Gap time.Duration
	// Inner counts the calls made inside a job, or while another
	// goroutine's job held the pool; they ran on the calling goroutine as
	// part of that job, so their time is in its Wall and Idle.
	Inner int
	// Lost is the goroutine time the pool did not use around these calls:
	// Idle + (Workers()-1)·(AloneWall + Gap).
	Lost time.Duration
}

var stats struct {
	on    atomic.Bool
	inJob atomic.Bool  // a call timed with statistics on holds the pool
	busy  atomic.Int64 // nanoseconds the workers spent in jobs' chunks
	mu    sync.Mutex
	at    map[uintptr]*CallStats // by the caller's program counter
	last  time.Time              // the end of the last call made outside any job
}

// SetStats turns the pool's statistics on, clearing what they held, or
// off. Do not call it while a job runs on the pool.
func SetStats(on bool) {
	stats.mu.Lock()
	defer stats.mu.Unlock()
	stats.at = map[uintptr]*CallStats{}
	stats.last = time.Time{}
	stats.busy.Store(0)
	stats.inJob.Store(false)
	stats.on.Store(on)
}

// Stats returns the statistics kept since SetStats(true), one CallStats
// per place that called For, by decreasing Lost (then by Caller).
func Stats() []CallStats {
	start()
	stats.mu.Lock()
	defer stats.mu.Unlock()
	others := time.Duration(len(pool.workers))
	var out []CallStats
	for pc, s := range stats.at {
		c := *s
		c.Caller = callerName(pc)
		c.Lost = c.Idle + others*(c.AloneWall+c.Gap)
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b CallStats) int {
		if a.Lost != b.Lost {
			if a.Lost > b.Lost {
				return -1
			}
			return 1
		}
		if a.Caller < b.Caller {
			return -1
		}
		if a.Caller > b.Caller {
			return 1
		}
		return 0
	})
	return out
}

// callerName is the function and line of the call at pc, "pkg.Func:line".
func callerName(pc uintptr) string {
	f := runtime.FuncForPC(pc)
	if f == nil {
		return fmt.Sprintf("pc %#x", pc)
	}
	_, line := f.FileLine(pc)
	return fmt.Sprintf("%s:%d", f.Name(), line)
}

// A callRecord times one call of For for the statistics.
type callRecord struct {
	pc    uintptr
	start time.Time
	outer bool // made outside any job
}

// beginCall starts timing a call of For whose caller is skip frames up,
// or returns nil with statistics off.
func beginCall(skip int) *callRecord {
	if !stats.on.Load() {
		return nil
	}
	var pcs [1]uintptr
	runtime.Callers(skip+1, pcs[:])
	// While a job holds the pool (until its last worker is done, after
	// the job is closed to new ones) a call is inside it, or concurrent
	// with it.
	return &callRecord{pc: pcs[0] - 1, start: time.Now(), outer: !stats.inJob.Load()}
}

// entry returns the statistics of r's caller, creating them; stats.mu
// is held.
func (r *callRecord) entry() *CallStats {
	s := stats.at[r.pc]
	if s == nil {
		s = &CallStats{}
		stats.at[r.pc] = s
	}
	return s
}

// gap adds the time since the last outer call ended and marks now as its
// end; stats.mu is held.
func (r *callRecord) gap(s *CallStats, end time.Time) {
	if !stats.last.IsZero() && r.start.After(stats.last) {
		s.Gap += r.start.Sub(stats.last)
	}
	stats.last = end
}

// end records a call: one that ran on the pool (pooled), in which the
// caller spent callerBusy in chunks and the workers workersBusy, or one
// that ran on its caller alone.
func (r *callRecord) end(pooled bool, callerBusy, workersBusy time.Duration) {
	end := time.Now()
	wall := end.Sub(r.start)
	stats.mu.Lock()
	defer stats.mu.Unlock()
	if stats.at == nil {
		return
	}
	s := r.entry()
	switch {
	case pooled:
		s.Pooled++
		s.Wall += wall
		s.Idle += max(0, time.Duration(len(pool.workers)+1)*wall-callerBusy-workersBusy)
	case !r.outer:
		s.Inner++
		return
	default:
		s.Alone++
		s.AloneWall += wall
	}
	r.gap(s, end)
}
