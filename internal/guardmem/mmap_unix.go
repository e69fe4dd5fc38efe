//go:build unix

package guardmem

import (
	"testing"

	"golang.org/x/sys/unix"
)

func newRegion(tb testing.TB, size int) *Region {
	pg := unix.Getpagesize()
	n := max(1, (size+pg-1)/pg) * pg
	m, err := unix.Mmap(-1, 0, n+2*pg, unix.PROT_NONE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		tb.Fatalf("guardmem: mmap of %d bytes: %v", n+2*pg, err)
	}
	tb.Cleanup(func() {
		if err := unix.Munmap(m); err != nil {
			tb.Errorf("guardmem: munmap: %v", err)
		}
	})
	data := m[pg : pg+n : pg+n]
	if err := unix.Mprotect(data, unix.PROT_READ|unix.PROT_WRITE); err != nil {
		tb.Fatalf("guardmem: mprotect: %v", err)
	}
	return &Region{data: data}
}
