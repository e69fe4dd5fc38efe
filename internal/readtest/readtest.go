// Package readtest holds an io.ReaderAt for tests that check how much of a
// file a reader reads.
package readtest

import "bytes"

// Counting is an io.ReaderAt over Data that adds the bytes each ReadAt
// returns to Read.
type Counting struct {
	Data []byte
	Read int
}

// ReadAt reads from Data as bytes.Reader.ReadAt does and counts what it
// returns.
func (r *Counting) ReadAt(b []byte, off int64) (int, error) {
	n, err := bytes.NewReader(r.Data).ReadAt(b, off)
	r.Read += n
	return n, err
}
