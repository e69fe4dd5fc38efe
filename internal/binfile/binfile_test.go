package binfile

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/internal/readtest"
)

var testFormat = Format{Name: "test file", Magic: "TEST\x00\r\n\x1a", Version: 3, Hint: "want a file from the test"}

// flipped returns a copy of file with the lowest bit of byte i flipped.
func flipped(file []byte, i int) []byte {
	b := append([]byte(nil), file...)
	b[i] ^= 1
	return b
}

// otherVersion returns a sealed file of testFormat but for its version, 4.
func otherVersion() []byte {
	other := testFormat
	other.Version = 4
	return Seal(append(other.Header(), "body"...))
}

func TestFrame(t *testing.T) {
	good := Seal(append(testFormat.Header(), "body"...))
	body, err := testFormat.Open(good)
	if err != nil || string(body) != "body" {
		t.Fatalf("Open(sealed file) = %q, %v, want the body", body, err)
	}
	flip := func(i int) []byte { return flipped(good, i) }
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		// Said as such, not as a bad magic: a file left empty (a
		// failed copy, a touch) is no other format's file.
		{"empty", nil, "empty (0 bytes), not a gradbench test file (want a file from the test)"},
		{"other", []byte("not this format"), "not a gradbench test file (bad magic; want a file from the test)"},
		{"magic", flip(0), "bad magic"},
		{"short", good[:len(testFormat.Magic)+5], "truncated: 13 bytes, the header and checksum alone take 16"},
		{"version", otherVersion(), "format version 4, this build reads version 3"},
		{"body", flip(len(good) - 5), "corrupt or truncated: checksum mismatch"},
		{"cut", good[:len(good)-1], "checksum mismatch"},
	} {
		if _, err := testFormat.Open(tc.data); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Open = %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}

func TestDecoder(t *testing.T) {
	b := []byte{7}
	b = binary.LittleEndian.AppendUint16(b, 3)
	b = append(b, "abc"...)
	b = binary.LittleEndian.AppendUint32(b, 0xdeadbeef)
	b = binary.LittleEndian.AppendUint64(b, 2) // count of 2 float32
	b = binary.LittleEndian.AppendUint32(b, math.Float32bits(1.5))
	b = binary.LittleEndian.AppendUint32(b, math.Float32bits(-2))
	b = binary.LittleEndian.AppendUint64(b, uint64(1<<63|5))
	for name, d := range decoders(t, b) {
		t.Run(name, func(t *testing.T) { testDecoder(t, d) })
	}
}

// decoders returns a decoder of b of either kind: of the slice, and of a
// file holding b as its body (OpenAt).
func decoders(t *testing.T, b []byte) map[string]*Decoder {
	t.Helper()
	file := Seal(append(testFormat.Header(), b...))
	d, err := testFormat.OpenAt(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatal(err)
	}
	return map[string]*Decoder{"slice": NewDecoder(b), "file": d}
}

func testDecoder(t *testing.T, d *Decoder) {
	if v := d.U8(); v != 7 {
		t.Errorf("U8 = %d, want 7", v)
	}
	if s := d.String16(); s != "abc" {
		t.Errorf("String16 = %q, want abc", s)
	}
	if v := d.U32(); v != 0xdeadbeef {
		t.Errorf("U32 = %#x", v)
	}
	if x := d.Float32s(d.Count(4)); len(x) != 2 || x[0] != 1.5 || x[1] != -2 {
		t.Errorf("Float32s = %v, want [1.5 -2]", x)
	}
	if x := d.Int64s(1); len(x) != 1 || x[0] != -1<<63|5 {
		t.Errorf("Int64s = %v", x)
	}
	if d.Err() != nil || d.Len() != 0 {
		t.Fatalf("after reading everything: Err = %v, Len = %d", d.Err(), d.Len())
	}
	// Past the end: zero values from then on, and the first error kept.
	if v := d.U64(); v != 0 || d.Err() == nil || !strings.Contains(d.Err().Error(), "data ends early") {
		t.Errorf("U64 past the end = %d, Err = %v", v, d.Err())
	}
	first := d.Err()
	d.Fail("later")
	if d.U8() != 0 || d.Err() != first {
		t.Errorf("after the first error: Err = %v, want it kept", d.Err())
	}
}

// Counts that the data cannot hold are errors before anything is
// allocated, also where count·size overflows.
func TestDecoderHugeCounts(t *testing.T) {
	for _, n := range []int{-1, 3, math.MaxInt/4 + 2, math.MaxInt} {
		d := NewDecoder(make([]byte, 8))
		if x := d.Float32s(n); x != nil || d.Err() == nil {
			t.Errorf("Float32s(%d) on 8 bytes = %d values, Err = %v", n, len(x), d.Err())
		}
		d = NewDecoder(make([]byte, 8))
		if x := d.Int64s(n); x != nil || d.Err() == nil {
			t.Errorf("Int64s(%d) on 8 bytes = %d values, Err = %v", n, len(x), d.Err())
		}
	}
	for name, d := range decoders(t, binary.LittleEndian.AppendUint64(nil, math.MaxUint64)) {
		if n := d.Count(1); n != 0 || d.Err() == nil {
			t.Errorf("%s: Count of 2^64-1 = %d, Err = %v", name, n, d.Err())
		}
	}
	for name, d := range decoders(t, make([]byte, 8)) {
		for _, n := range []int{-1, 9, math.MaxInt} {
			if d.Skip(n); d.Err() == nil || d.Len() != 8 {
				t.Errorf("%s: Skip(%d) on 8 bytes: Len %d, Err = %v", name, n, d.Len(), d.Err())
			}
			d.err = nil
		}
	}
}

// TestOpenAt: OpenAt refuses what Open refuses with Open's message, but
// for a checksum that does not match (it reads only what is decoded),
// and its decoder reads nothing that Skip passes over.
func TestOpenAt(t *testing.T) {
	body := append([]byte("head"), make([]byte, 1000)...)
	body = append(body, "tail"...)
	good := Seal(append(testFormat.Header(), body...))
	flip := func(i int) []byte { return flipped(good, i) }
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"magic", flip(0)},
		{"short", good[:len(testFormat.Magic)+5]},
		{"version", otherVersion()},
	} {
		_, want := testFormat.Open(tc.data)
		_, err := testFormat.OpenAt(bytes.NewReader(tc.data), int64(len(tc.data)))
		if err == nil || err.Error() != want.Error() {
			t.Errorf("%s: OpenAt = %v, want Open's %v", tc.name, err, want)
		}
	}
	r := &readtest.Counting{Data: flip(len(good) - 5)}
	d, err := testFormat.OpenAt(r, int64(len(r.Data)))
	if err != nil {
		t.Fatalf("OpenAt of a file whose checksum does not match: %v, want its body", err)
	}
	head := string(d.Bytes(4))
	d.Skip(1000)
	tail := string(d.Bytes(4))
	if head != "head" || tail != "taim" || d.Err() != nil || d.Len() != 0 {
		t.Errorf("decoding the body: %q, %q (Err %v, Len %d), want head, taim (the flipped byte), nothing left", head, tail, d.Err(), d.Len())
	}
	if want := len(testFormat.Header()) + 8; r.Read != want {
		t.Errorf("OpenAt and the decoder read %d bytes, want %d (header, head and tail)", r.Read, want)
	}
	// A file shorter than the size it was opened with (cut since).
	d, err = testFormat.OpenAt(bytes.NewReader(good[:100]), int64(len(good)))
	if err != nil {
		t.Fatal(err)
	}
	if d.Skip(1000); d.Bytes(4) != nil || d.Err() == nil || !strings.Contains(d.Err().Error(), "unexpected EOF") {
		t.Errorf("reading past the end of a file cut since it was opened: Err = %v", d.Err())
	}
}

// TestDecoderU32Lengths: a uint32 length past the data is refused in its
// unsigned value, and a uint32 read as an int is refused where this build's
// int cannot hold it; on a 32-bit build int(uint32) would wrap negative.
func TestDecoderU32Lengths(t *testing.T) {
	b := binary.LittleEndian.AppendUint32(nil, math.MaxUint32)
	b = append(b, "abc"...)
	for name, d := range decoders(t, b) {
		if v := d.Bytes32(); v != nil || d.Err() == nil || !strings.Contains(d.Err().Error(), "want 4294967295 more bytes, have 3") {
			t.Errorf("%s: Bytes32 of a length 2^32-1 over 3 bytes = %q, Err = %v", name, v, d.Err())
		}
	}
	good := append(binary.LittleEndian.AppendUint32(nil, 3), "abc"...)
	for name, d := range decoders(t, good) {
		if v := d.Bytes32(); string(v) != "abc" || d.Err() != nil || d.Len() != 0 {
			t.Errorf("%s: Bytes32 = %q, Len %d, Err = %v, want \"abc\" and the data used up", name, v, d.Len(), d.Err())
		}
	}
	for _, v := range []uint32{0, 7, math.MaxInt32, math.MaxInt32 + 1, math.MaxUint32} {
		d := NewDecoder(binary.LittleEndian.AppendUint32(nil, v))
		got := d.U32Int()
		if uint64(v) > math.MaxInt {
			if got != 0 || d.Err() == nil || !strings.Contains(d.Err().Error(), fmt.Sprintf("%d is past this build's int", v)) {
				t.Errorf("U32Int(%d) on a %d-bit build = %d, Err = %v, want it refused", v, strconv.IntSize, got, d.Err())
			}
			continue
		}
		if uint64(got) != uint64(v) || got < 0 || d.Err() != nil {
			t.Errorf("U32Int(%d) = %d, Err = %v", v, got, d.Err())
		}
	}
}
