// Package binfile is what gradbench's binary file formats share
// (nn/checkpoint's checkpoints, xnor's packed models): a frame of magic,
// version and checksum around the body, and a little-endian [Decoder]
// that remembers its first error, so that a reader decodes a whole record
// and checks once.
//
// A file of a [Format] is, little-endian:
//
//	magic    the format's bytes (8 in both formats)
//	version  uint32
//	body     the format's own
//	trailer  uint32 CRC-32C (Castagnoli) of everything before it
package binfile

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"strconv"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// A Format names a file format for the frame's checks and messages.
type Format struct {
	Name    string // what a file is called in the bad-magic error: "checkpoint", "model file"
	Magic   string
	Version uint32
	// Hint, if set, follows the bad-magic error: where such files come
	// from.
	Hint string
}

// Header returns the magic and version a file of the format starts with.
func (f Format) Header() []byte {
	return binary.LittleEndian.AppendUint32([]byte(f.Magic), f.Version)
}

// Seal appends the checksum trailer to b, a header and body.
func Seal(b []byte) []byte {
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// Open checks the frame of data, the whole file: magic, version, length
// and checksum. It returns the body, or an error that says which check
// failed, for the caller to prefix with its package and file.
func (f Format) Open(data []byte) ([]byte, error) {
	if err := f.checkHeader(data, int64(len(data))); err != nil {
		return nil, err
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if got := crc32.Checksum(body, castagnoli); got != sum {
		return nil, fmt.Errorf("corrupt or truncated: checksum mismatch (file says %08x, content gives %08x)", sum, got)
	}
	return body[f.headerLen():], nil
}

// OpenAt checks the frame of the file of size bytes that r reads as Open
// does, but for the checksum: magic, version and that the file holds
// them and a trailer. It returns a decoder of the body that reads from r
// only what is decoded and seeks past what is skipped (Skip), so that a
// few fields of a large file can be read without reading the rest. The
// checksum is not verified (that takes reading every byte): what the
// decoder returns may be corrupt, and is for identifying a file, not for
// trusting its content.
func (f Format) OpenAt(r io.ReaderAt, size int64) (*Decoder, error) {
	head := make([]byte, max(0, min(size, int64(f.headerLen()))))
	if err := readAt(r, head, 0); err != nil {
		return nil, fmt.Errorf("reading the header: %w", err)
	}
	if err := f.checkHeader(head, size); err != nil {
		return nil, err
	}
	h := int64(f.headerLen())
	return &Decoder{ra: r, off: h, rest: size - h - 4}, nil
}

// readAt fills b from r at off, or says why it could not: a file shorter
// than its size said (changed since) is io.ErrUnexpectedEOF.
func readAt(r io.ReaderAt, b []byte, off int64) error {
	n, err := r.ReadAt(b, off)
	switch {
	case n == len(b):
		return nil
	case err == nil || err == io.EOF:
		return io.ErrUnexpectedEOF
	}
	return err
}

func (f Format) headerLen() int { return len(f.Magic) + 4 }

// HasMagic reports whether head, the start of a file, begins with the
// format's magic: what tells a file of the format (of any version, whole
// or not) from any other file, the first check Open makes.
func (f Format) HasMagic(head []byte) bool {
	return len(head) >= len(f.Magic) && string(head[:len(f.Magic)]) == f.Magic
}

// checkHeader checks the magic and version at the start of a file, head
// (at least the header when the file is as long), and that the file, of
// size bytes, holds the header and the checksum trailer.
func (f Format) checkHeader(head []byte, size int64) error {
	if size == 0 {
		// Said as such: "bad magic" sent the user looking for what
		// other format the file was, where it holds nothing at all.
		msg := "empty (0 bytes), not a gradbench " + f.Name
		if f.Hint != "" {
			msg += " (" + f.Hint + ")"
		}
		return errors.New(msg)
	}
	if !f.HasMagic(head) {
		msg := "not a gradbench " + f.Name + " (bad magic"
		if f.Hint != "" {
			msg += "; " + f.Hint
		}
		return errors.New(msg + ")")
	}
	if header := f.headerLen(); size < int64(header+4) {
		return fmt.Errorf("truncated: %d bytes, the header and checksum alone take %d", size, header+4)
	}
	if v := binary.LittleEndian.Uint32(head[len(f.Magic):]); v != f.Version {
		return fmt.Errorf("format version %d, this build reads version %d", v, f.Version)
	}
	return nil
}

// A Decoder reads little-endian values from a byte slice (NewDecoder), or
// from a file as they are read (Format.OpenAt). After its first error (a
// read past the end, or Fail) every read returns zero values and Err
// returns that error.
type Decoder struct {
	b   []byte
	err error
	// ra, when not nil, is read instead of b: from offset off, with rest
	// bytes left.
	ra   io.ReaderAt
	off  int64
	rest int64
}

// NewDecoder returns a decoder of b.
func NewDecoder(b []byte) *Decoder { return &Decoder{b: b} }

// Err returns the first error, or nil.
func (d *Decoder) Err() error { return d.err }

// Len returns the number of bytes not yet read, or the largest int if
// more (a file past 2 GiB on a 32-bit build).
func (d *Decoder) Len() int {
	return int(min(d.left(), math.MaxInt))
}

// left returns the number of bytes not yet read. It is an int64, as a
// file's size is: a decoder of a file (Format.OpenAt) past 2 GiB would
// count a negative number of bytes left in a 32-bit int, and past 4 GiB
// a wrong positive one.
func (d *Decoder) left() int64 {
	if d.ra != nil {
		return d.rest
	}
	return int64(len(d.b))
}

// Fail records an error unless there is one already.
func (d *Decoder) Fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf(format, args...)
	}
}

// Bytes returns the next n bytes (aliasing the input of NewDecoder,
// capacity n).
func (d *Decoder) Bytes(n int) []byte {
	if !d.has(n) {
		return nil
	}
	if d.ra != nil {
		v := make([]byte, n)
		if err := readAt(d.ra, v, d.off); err != nil {
			d.Fail("reading %d bytes at offset %d: %w", n, d.off, err)
			return nil
		}
		d.off, d.rest = d.off+int64(n), d.rest-int64(n)
		return v
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

// Skip passes over the next n bytes; a decoder of a file (Format.OpenAt)
// does not read them.
func (d *Decoder) Skip(n int) {
	if !d.has(n) {
		return
	}
	if d.ra != nil {
		d.off, d.rest = d.off+int64(n), d.rest-int64(n)
		return
	}
	d.b = d.b[n:]
}

// has reports whether there is no error and n more bytes to read, and
// records an error if n is past the end.
func (d *Decoder) has(n int) bool {
	if d.err != nil {
		return false
	}
	if n < 0 || int64(n) > d.left() {
		d.Fail("data ends early: want %d more bytes, have %d", n, d.left())
		return false
	}
	return true
}

// U8 reads a byte.
func (d *Decoder) U8() uint8 {
	if b := d.Bytes(1); b != nil {
		return b[0]
	}
	return 0
}

// U16 reads a uint16.
func (d *Decoder) U16() uint16 {
	if b := d.Bytes(2); b != nil {
		return binary.LittleEndian.Uint16(b)
	}
	return 0
}

// U32 reads a uint32.
func (d *Decoder) U32() uint32 {
	if b := d.Bytes(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

// U64 reads a uint64.
func (d *Decoder) U64() uint64 {
	if b := d.Bytes(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

// Bytes32 reads a uint32 length and returns that many bytes, as Bytes. A
// length past the data is refused in its unsigned value on every build: as
// an int it would be negative past 2^31 on a 32-bit one.
func (d *Decoder) Bytes32() []byte {
	n := d.U32()
	switch {
	case d.err != nil:
		return nil
	case int64(n) > d.left():
		d.Fail("data ends early: want %d more bytes, have %d", n, d.left())
		return nil
	case uint64(n) > math.MaxInt:
		d.Fail("%d bytes are past this build's int (%d bits)", n, strconv.IntSize)
		return nil
	}
	return d.Bytes(int(n))
}

// U32Int reads a uint32 as an int, and refuses a value past this build's
// int (one past 2^31 - 1 on a 32-bit build) rather than wrap it negative.
func (d *Decoder) U32Int() int {
	n := d.U32()
	if d.err == nil && uint64(n) > math.MaxInt {
		d.Fail("%d is past this build's int (%d bits)", n, strconv.IntSize)
		return 0
	}
	return int(n)
}

// String16 reads a string of a uint16 length and its bytes.
func (d *Decoder) String16() string { return string(d.Bytes(int(d.U16()))) }

// Count reads a uint64 count of values of size bytes each and checks that
// the rest of the data holds that many, and that their bytes fit in an
// int (Bytes, Float32s and Int64s take them as one).
func (d *Decoder) Count(size int) int {
	n := d.count(size)
	if d.err == nil && n > uint64(math.MaxInt/size) {
		d.Fail("a count of %d values of %d bytes is past this build's int (%d bits)", n, size, strconv.IntSize)
		return 0
	}
	return int(n)
}

// SkipCount reads a uint64 count of values of size bytes each, as Count
// does, and passes over the values: a decoder of a file (Format.OpenAt)
// does not read them, however many bytes they take, on any build.
func (d *Decoder) SkipCount(size int) {
	n := d.count(size)
	if d.err != nil {
		return
	}
	skip := int64(n) * int64(size) // at most left(): count checked it
	if d.ra != nil {
		d.off, d.rest = d.off+skip, d.rest-skip
		return
	}
	d.b = d.b[skip:]
}

// count reads a uint64 count of values of size bytes each and checks that
// the rest of the data holds that many.
func (d *Decoder) count(size int) uint64 {
	n := d.U64()
	if d.err == nil && n > uint64(d.left()/int64(size)) {
		d.Fail("a count of %d values of %d bytes, only %d bytes remain", n, size, d.left())
		return 0
	}
	return n
}

// values returns the bytes of the next n values of size bytes each.
func (d *Decoder) values(n, size int) []byte {
	if d.err == nil && (n < 0 || n > d.Len()/size) {
		d.Fail("data ends early: want %d values of %d bytes, have %d bytes", n, size, d.left())
	}
	return d.Bytes(n * size)
}

// Float32s reads n float32 values (nil for n = 0).
func (d *Decoder) Float32s(n int) []float32 {
	b := d.values(n, 4)
	if len(b) == 0 {
		return nil
	}
	x := make([]float32, n)
	for i := range x {
		x[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return x
}

// Int64s reads n int64 values (nil for n = 0).
func (d *Decoder) Int64s(n int) []int64 {
	b := d.values(n, 8)
	if len(b) == 0 {
		return nil
	}
	x := make([]int64, n)
	for i := range x {
		x[i] = int64(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return x
}
