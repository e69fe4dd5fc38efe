package gemm

import "sync"

// A freeList recycles values between calls. Unlike a sync.Pool it is never
// emptied by the garbage collector, so a training loop that has warmed up
// allocates nothing even across collections; it holds at most as many
// values as calls ever ran at once.
type freeList[T any] struct {
	mu   sync.Mutex
	free []*T
}

func (l *freeList[T]) get() *T {
	l.mu.Lock()
	defer l.mu.Unlock()
	if n := len(l.free); n > 0 {
		v := l.free[n-1]
		l.free = l.free[:n-1]
		return v
	}
	return new(T)
}

// getOrMake is get, except that when none is free it makes n (at least
// one), keeps n-1 and returns the last.
func (l *freeList[T]) getOrMake(n int) *T {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.free) == 0 {
		for range max(1, n) - 1 {
			l.free = append(l.free, new(T))
		}
		return new(T)
	}
	v := l.free[len(l.free)-1]
	l.free = l.free[:len(l.free)-1]
	return v
}

func (l *freeList[T]) put(v *T) {
	l.mu.Lock()
	l.free = append(l.free, v)
	l.mu.Unlock()
}
