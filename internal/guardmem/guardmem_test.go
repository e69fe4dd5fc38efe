package guardmem

import (
	"runtime/debug"
	"testing"
	"unsafe"
)

// faults reports whether reading the byte at p faults.
func faults(p unsafe.Pointer) (fault bool) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() { fault = recover() != nil }()
	_ = *(*byte)(p)
	return false
}

// TestGuards: the byte just past a slice at the end of a region and the
// byte just before one at its start fault; the slices' own bytes do not.
func TestGuards(t *testing.T) {
	r := New(t, 100)
	for _, n := range []int{1, 7, 100, len(r.data)} {
		end := r.Bytes(n, true)
		if faults(unsafe.Pointer(&end[0])) || faults(unsafe.Pointer(&end[n-1])) {
			t.Fatalf("n=%d: a byte of the slice at the end faults", n)
		}
		if !faults(unsafe.Add(unsafe.Pointer(&end[n-1]), 1)) {
			t.Errorf("n=%d: the byte past the slice at the end does not fault", n)
		}
		start := r.Bytes(n, false)
		if faults(unsafe.Pointer(&start[0])) || faults(unsafe.Pointer(&start[n-1])) {
			t.Fatalf("n=%d: a byte of the slice at the start faults", n)
		}
		if !faults(unsafe.Add(unsafe.Pointer(&start[0]), -1)) {
			t.Errorf("n=%d: the byte before the slice at the start does not fault", n)
		}
	}
	if f := r.Float32s(3, true); len(f) != 3 || uintptr(unsafe.Pointer(&f[2]))+4 != uintptr(unsafe.Pointer(&r.data[len(r.data)-1]))+1 {
		t.Errorf("Float32s(3, true) does not end at the region's end")
	}
	if u := r.Uint64s(2, false); len(u) != 2 || unsafe.Pointer(&u[0]) != unsafe.Pointer(&r.data[0]) {
		t.Errorf("Uint64s(2, false) does not start at the region's start")
	}
}
