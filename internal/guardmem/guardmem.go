// Package guardmem places the slices of kernel tests against inaccessible
// pages, so that a kernel that reads or writes one element past either end
// of a slice faults instead of passing unnoticed. The NaN-filled margins
// of the kernels' other tests catch stray writes but not stray reads, and
// an assembly kernel's tail handling is where it would read past the end
// (a full vector load over a partial one). It needs mmap: on other
// systems New skips the test.
package guardmem

import (
	"testing"
	"unsafe"
)

// A Region is a block of memory between two inaccessible pages, made by
// [New]; its slice methods return views of it, so each call reuses the
// memory of the one before.
type Region struct {
	data []byte // the accessible pages, between the guard pages
}

// New returns a region of at least size accessible bytes, unmapped when
// tb's test ends. It skips the test where the system has no mmap.
func New(tb testing.TB, size int) *Region {
	tb.Helper()
	return newRegion(tb, size)
}

// Bytes returns n bytes of the region: the last n before the upper guard
// page if atEnd, else the first n after the lower one. It panics if the
// region is smaller.
func (r *Region) Bytes(n int, atEnd bool) []byte {
	if n < 0 || n > len(r.data) {
		panic("guardmem: a slice larger than its region")
	}
	if atEnd {
		return r.data[len(r.data)-n:]
	}
	return r.data[:n:n]
}

// Float32s is Bytes for n float32 values.
func (r *Region) Float32s(n int, atEnd bool) []float32 {
	b := r.Bytes(4*n, atEnd)
	if n == 0 {
		return []float32{}
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(&b[0])), n)
}

// Uint64s is Bytes for n uint64 values.
func (r *Region) Uint64s(n int, atEnd bool) []uint64 {
	b := r.Bytes(8*n, atEnd)
	if n == 0 {
		return []uint64{}
	}
	return unsafe.Slice((*uint64)(unsafe.Pointer(&b[0])), n)
}
