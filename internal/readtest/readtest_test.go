package readtest

import (
	"errors"
	"io"
	"testing"
)

// TestCounting: Counting reads as bytes.Reader.ReadAt does, a short read
// at the end with io.EOF included, and counts only the bytes returned.
func TestCounting(t *testing.T) {
	r := &Counting{Data: []byte("0123456789")}
	b := make([]byte, 4)
	if n, err := r.ReadAt(b, 2); n != 4 || err != nil || string(b) != "2345" {
		t.Errorf("ReadAt(4 at 2) = %d, %v, %q", n, err, b)
	}
	if n, err := r.ReadAt(b, 8); n != 2 || !errors.Is(err, io.EOF) || string(b[:n]) != "89" {
		t.Errorf("ReadAt(4 at 8) = %d, %v, %q; want 2, EOF, 89", n, err, b[:n])
	}
	if n, err := r.ReadAt(b, 20); n != 0 || !errors.Is(err, io.EOF) {
		t.Errorf("ReadAt past the end = %d, %v; want 0, EOF", n, err)
	}
	if r.Read != 6 {
		t.Errorf("Read = %d, want 6", r.Read)
	}
}

// TestSparse: Sparse reads its parts where they are, zeros elsewhere,
// across a part's edges and past 4 GiB, and a short read with io.EOF at
// its end.
func TestSparse(t *testing.T) {
	r := &Sparse{Size: 5<<30 + 4, Parts: map[int64][]byte{2: []byte("ab"), 5 << 30: []byte("wxyz")}}
	b := make([]byte, 5)
	if n, err := r.ReadAt(b, 0); n != 5 || err != nil || string(b) != "\x00\x00ab\x00" {
		t.Errorf("ReadAt(5 at 0) = %d, %v, %q", n, err, b)
	}
	if n, err := r.ReadAt(b[:2], 3); n != 2 || err != nil || string(b[:2]) != "b\x00" {
		t.Errorf("ReadAt(2 at 3) = %d, %v, %q", n, err, b[:2])
	}
	if n, err := r.ReadAt(b, 5<<30+1); n != 3 || !errors.Is(err, io.EOF) || string(b[:n]) != "xyz" {
		t.Errorf("ReadAt(5 at 5 GiB + 1) = %d, %v, %q; want 3, EOF, xyz", n, err, b[:n])
	}
	if n, err := r.ReadAt(b, r.Size); n != 0 || !errors.Is(err, io.EOF) {
		t.Errorf("ReadAt at the end = %d, %v; want 0, EOF", n, err)
	}
}
