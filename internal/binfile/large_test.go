package binfile

import (
	"encoding/binary"
	"testing"

	"github.com/gradbench/gradbench/internal/readtest"
)

// TestOpenAtPast2GiB: a decoder of a file larger than a 32-bit int reads
// its first values and passes over the rest, and reports what is left, as
// on a 64-bit build: the bytes left are counted in 64 bits, not wrapped
// negative (a file past 2 GiB) or small (past 4 GiB).
func TestOpenAtPast2GiB(t *testing.T) {
	for _, size := range []int64{3 << 30, 4<<30 + 64} {
		head := binary.LittleEndian.AppendUint32(testFormat.Header(), 7)
		r := &readtest.Sparse{Size: size, Parts: map[int64][]byte{0: head}}
		d, err := testFormat.OpenAt(r, size)
		if err != nil {
			t.Fatalf("size %d: OpenAt: %v", size, err)
		}
		if v := d.U32(); v != 7 || d.Err() != nil {
			t.Fatalf("size %d: U32 = %d, %v; want 7", size, v, d.Err())
		}
		// The body less the value read: at least 2^31 - 1 bytes, so Len,
		// an int, says at least that many.
		if n := d.Len(); n < 1<<30 {
			t.Errorf("size %d: Len = %d after the first value, want at least 2^30", size, n)
		}
		d.Skip(1 << 30)
		if v := d.U32(); v != 0 || d.Err() != nil {
			t.Errorf("size %d: U32 after a skip of 1 GiB = %d, %v; want 0 and no error", size, v, d.Err())
		}
	}
}
