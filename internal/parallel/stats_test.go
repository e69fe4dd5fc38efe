package parallel

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// sleepJob sleeps d in the chunk holding index slow and nothing
// elsewhere; inner, if set, calls For with a short range from every
// chunk.
type sleepJob struct {
	slow  int
	d     time.Duration
	inner Job
}

func (j *sleepJob) Do(lo, hi int) {
	if lo <= j.slow && j.slow < hi {
		time.Sleep(j.d)
	}
	if j.inner != nil {
		For(64, 1, 1, j.inner)
	}
}

// The calls below are made from these functions, so that the statistics
// can be looked up by caller.
func pooledCall(j Job)           { For(1000, 1, 1, j) }
func aloneCall(j Job)            { For(1, 1, 1, j) }
func serialWork(d time.Duration) { time.Sleep(d) }

// statsOf returns the statistics of the calls made from the function
// named fn (a suffix of CallStats.Caller before the line).
func statsOf(t *testing.T, all []CallStats, fn string) CallStats {
	t.Helper()
	for _, s := range all {
		name, _, _ := strings.Cut(s.Caller, ":")
		if strings.HasSuffix(name, "."+fn) {
			return s
		}
	}
	t.Fatalf("no statistics for %s in %+v", fn, all)
	return CallStats{}
}

// TestStats checks what the statistics count and attribute: calls on the
// pool, calls too short to split, calls inside a job, the serial gap
// before a call, and a job one chunk of which holds the others up; and
// that they are empty while off and cleared when turned on again.
func TestStats(t *testing.T) {
	defer SetStats(false)
	SetStats(false)
	pooledCall(&countJob{hits: make([]int32, 1000)})
	if s := Stats(); len(s) != 0 {
		t.Fatalf("statistics off: Stats() = %+v, want none", s)
	}
	const slow = 20 * time.Millisecond
	SetStats(true)
	aloneCall(&countJob{hits: make([]int32, 1)})
	serialWork(slow)
	pooledCall(&sleepJob{slow: 999, d: slow, inner: &countJob{hits: make([]int32, 64)}})
	all := Stats()
	w := Workers()

	p := statsOf(t, all, "pooledCall")
	a := statsOf(t, all, "aloneCall")
	in := statsOf(t, all, "(*sleepJob).Do")
	if p.Gap < slow {
		t.Errorf("pooledCall's Gap = %v, want at least the %v of serial work before it", p.Gap, slow)
	}
	if a.Alone != 1 || a.Pooled != 0 || a.Inner != 0 || a.AloneWall <= 0 {
		t.Errorf("aloneCall: %+v, want one call alone with its wall time", a)
	}
	if in.Inner == 0 || in.Alone != 0 || in.Pooled != 0 || in.Gap != 0 {
		t.Errorf("the calls inside the job: %+v, want only Inner calls", in)
	}
	if w == 1 {
		// One goroutine runs every chunk itself: nobody waits.
		if p.Pooled != 1 || p.Idle >= slow/2 {
			t.Errorf("one goroutine: pooledCall %+v, want one pooled call with no goroutine idle", p)
		}
	} else {
		if p.Pooled != 1 || p.Alone != 0 || p.Wall < slow {
			t.Errorf("pooledCall: %+v, want one pooled call of at least %v", p, slow)
		}
		// Only one chunk sleeps: the other goroutines wait for it.
		if p.Idle < time.Duration(w-1)*slow/2 || p.Idle > time.Duration(w)*p.Wall {
			t.Errorf("pooledCall's Idle = %v, want between %v and Workers()·Wall = %v", p.Idle, time.Duration(w-1)*slow/2, time.Duration(w)*p.Wall)
		}
		if want := p.Idle + time.Duration(w-1)*(p.AloneWall+p.Gap); p.Lost != want {
			t.Errorf("pooledCall's Lost = %v, want Idle + (Workers()-1)·(AloneWall+Gap) = %v", p.Lost, want)
		}
		if all[0].Caller != p.Caller {
			t.Errorf("Stats()[0] is %s, want pooledCall's, which lost the most", all[0].Caller)
		}
	}

	SetStats(true)
	if s := Stats(); len(s) != 0 {
		t.Errorf("after SetStats(true) again: Stats() = %+v, want none", s)
	}
}

// inJobJob records, at the end of every chunk, whether the statistics
// see a job holding the pool.
type inJobJob struct {
	d   time.Duration
	saw []atomic.Bool
}

func (j *inJobJob) Do(lo, hi int) {
	time.Sleep(j.d * time.Duration(lo%3))
	for i := lo; i < hi; i++ {
		j.saw[i].Store(stats.inJob.Load())
	}
}

// TestStatsJobHeldToTheEnd checks that a call made at the very end of any
// chunk, even one a worker finishes after the caller has closed the job
// to new workers, is counted inside the job: a late worker's calls
// counted as made outside any job would turn the job's own time into a
// serial gap.
func TestStatsJobHeldToTheEnd(t *testing.T) {
	defer SetStats(false)
	SetStats(true)
	for range 20 {
		j := &inJobJob{d: time.Millisecond, saw: make([]atomic.Bool, 64)}
		For(len(j.saw), 1, 1, j)
		for i := range j.saw {
			if !j.saw[i].Load() {
				t.Fatalf("chunk at %d ended outside the job", i)
			}
		}
		if stats.inJob.Load() {
			t.Fatal("the job still holds the pool after For returned")
		}
	}
}
