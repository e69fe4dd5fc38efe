// Package readtest holds io.ReaderAt implementations for tests: one that
// counts how much of a file a reader reads, and one of a large file whose
// bytes are mostly zero.
package readtest

import (
	"bytes"
	"errors"
	"io"
)

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

// Sparse is an io.ReaderAt of a file of Size bytes that are zero but for
// Parts, each at its offset: a large file's few meaningful bytes, without
// the rest in memory.
type Sparse struct {
	Size  int64
	Parts map[int64][]byte
}

// ReadAt fills b from off, with a short read and io.EOF past Size.
func (r *Sparse) ReadAt(b []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("readtest: negative offset")
	}
	if off >= r.Size {
		return 0, io.EOF
	}
	n := len(b)
	if int64(n) > r.Size-off {
		n = int(r.Size - off)
	}
	clear(b[:n])
	for at, p := range r.Parts {
		// The overlap of [at, at+len(p)) with [off, off+n).
		lo, hi := max(at, off), min(at+int64(len(p)), off+int64(n))
		if lo < hi {
			copy(b[lo-off:hi-off], p[lo-at:hi-at])
		}
	}
	if n < len(b) {
		return n, io.EOF
	}
	return n, nil
}
