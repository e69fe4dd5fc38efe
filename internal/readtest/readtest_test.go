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
