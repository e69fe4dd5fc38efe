//go:build !unix

package guardmem

import "testing"

func newRegion(tb testing.TB, size int) *Region {
	tb.Skip("guardmem: no mmap on this system")
	return nil
}
