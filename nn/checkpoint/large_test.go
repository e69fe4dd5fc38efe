package checkpoint

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/gradbench/gradbench/internal/readtest"
)

// TestReadExtraPast2GiB: ReadExtra passes over an array of more bytes
// than a 32-bit int holds (here 2.4 and 4.4 GiB of float32 values, in a
// file of which only the records' headers are real) and reads the extra
// after it, on every build.
func TestReadExtraPast2GiB(t *testing.T) {
	for _, floats := range []uint64{600 << 20, 1100 << 20} {
		head := format.Header()
		head = binary.LittleEndian.AppendUint64(head, 1) // epoch
		head = binary.LittleEndian.AppendUint64(head, 9) // step
		head = binary.LittleEndian.AppendUint32(head, 2) // records
		head = append(head, kindParam)
		head = binary.LittleEndian.AppendUint16(head, 1)
		head = append(head, 'w', 1) // name, rank
		head = binary.LittleEndian.AppendUint32(head, uint32(floats))
		head = binary.LittleEndian.AppendUint64(head, floats)
		tail := binary.LittleEndian.AppendUint64(nil, 0) // no int64 values
		tail = append(tail, kindExtra)
		tail = binary.LittleEndian.AppendUint16(tail, uint16(len("progress")))
		tail = append(tail, "progress"...)
		tail = append(tail, 0) // rank
		tail = binary.LittleEndian.AppendUint64(tail, 3)
		tail = append(tail, "abc"...)
		at := int64(len(head)) + 4*int64(floats)
		size := at + int64(len(tail)) + 4 // and the checksum
		r := &readtest.Sparse{Size: size, Parts: map[int64][]byte{0: head, at: tail}}
		got, ok, err := readExtra(r, size, "progress")
		if err != nil || !ok || !bytes.Equal(got, []byte("abc")) {
			t.Errorf("a file of %d bytes: readExtra = %q, %v, %v; want abc", size, got, ok, err)
		}
	}
}
