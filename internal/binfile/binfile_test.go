package binfile

import (
	"encoding/binary"
	"math"
	"strings"
	"testing"
)

var testFormat = Format{Name: "test file", Magic: "TEST\x00\r\n\x1a", Version: 3, Hint: "want a file from the test"}

func TestFrame(t *testing.T) {
	good := Seal(append(testFormat.Header(), "body"...))
	body, err := testFormat.Open(good)
	if err != nil || string(body) != "body" {
		t.Fatalf("Open(sealed file) = %q, %v, want the body", body, err)
	}
	flip := func(i int) []byte {
		b := append([]byte(nil), good...)
		b[i] ^= 1
		return b
	}
	other := testFormat
	other.Version = 4
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "not a gradbench test file (bad magic; want a file from the test)"},
		{"magic", flip(0), "bad magic"},
		{"short", good[:len(testFormat.Magic)+5], "truncated: 13 bytes, the header and checksum alone take 16"},
		{"version", Seal(append(other.Header(), "body"...)), "format version 4, this build reads version 3"},
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
	d := NewDecoder(b)
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
	d := NewDecoder(binary.LittleEndian.AppendUint64(nil, math.MaxUint64))
	if n := d.Count(1); n != 0 || d.Err() == nil {
		t.Errorf("Count of 2^64-1 = %d, Err = %v", n, d.Err())
	}
}
