package checkpoint

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/internal/binfile"
	"github.com/gradbench/gradbench/internal/readtest"
	"github.com/gradbench/gradbench/nn"
)

// adamState is a trained network with Adam's state (float and integer
// buffers) and two extras, the second after the first by name.
func adamState(t *testing.T) *State {
	l := net(t, 1, 8)
	opt := nn.NewAdam(nn.Params(l), nn.AdamConfig{})
	train(l, opt, 2)
	return &State{Net: l, Opt: opt, Epoch: 1, Step: 2, Extra: map[string][]byte{"progress": []byte(`{"key":"0123456789abcdef"}`), "rng": []byte("pcg-state")}}
}

// TestReadExtra: ReadExtra returns an extra of a saved checkpoint, and
// none of a name it does not have, reading none of the arrays' values
// (nor the epoch and step, the other extra's bytes or the checksum).
func TestReadExtra(t *testing.T) {
	s := adamState(t)
	path := filepath.Join(t.TempDir(), "run.ckpt")
	if err := Save(path, s); err != nil {
		t.Fatal(err)
	}
	for name, want := range s.Extra {
		if got, ok, err := ReadExtra(path, name); err != nil || !ok || !bytes.Equal(got, want) {
			t.Errorf("ReadExtra(%q) = %q, %v, %v; want %q", name, got, ok, err, want)
		}
	}
	if got, ok, err := ReadExtra(path, "absent"); err != nil || ok || got != nil {
		t.Errorf("ReadExtra of a name the file lacks = %q, %v, %v; want none and no error", got, ok, err)
	}

	data := mustMarshal(t, s)
	skipped := 16 + len(s.Extra["rng"]) // epoch and step, the other extra
	for _, r := range s.records() {
		skipped += 4*len(r.f32) + 8*len(r.i64)
	}
	cr := &readtest.Counting{Data: data}
	if _, ok, err := readExtra(cr, int64(len(data)), "progress"); err != nil || !ok {
		t.Fatalf("readExtra: %v, %v", ok, err)
	}
	if want := len(data) - 4 - skipped; cr.Read != want {
		t.Errorf("readExtra read %d bytes of a file of %d, want %d: all but epoch, step, the arrays' values, the other extra and the checksum", cr.Read, len(data), want)
	}
}

// TestReadExtraDoesNotVerifyChecksum: a file damaged in an array's values
// still gives its extras (as ReadExtra says), which Load refuses.
func TestReadExtraDoesNotVerifyChecksum(t *testing.T) {
	s := adamState(t)
	data := mustMarshal(t, s)
	data[len(data)/2] ^= 1
	path := filepath.Join(t.TempDir(), "run.ckpt")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := ReadExtra(path, "progress"); err != nil || !ok || !bytes.Equal(got, s.Extra["progress"]) {
		t.Errorf("ReadExtra of a file damaged in its values = %q, %v, %v; want its progress", got, ok, err)
	}
	if err := Load(path, &State{Net: net(t, 2, 8)}); err == nil || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Errorf("Load of the same file = %v, want a checksum error", err)
	}
}

// TestReadExtraRefusesMalformed: a file cut anywhere, and files whose
// records are malformed (with the checksum recomputed, which ReadExtra
// does not look at anyway), are errors naming the file, never a panic or
// an allocation the file's size does not bound.
func TestReadExtraRefusesMalformed(t *testing.T) {
	good := mustMarshal(t, adamState(t))
	dir := t.TempDir()
	readFile := func(data []byte) ([]byte, bool, error) {
		path := filepath.Join(dir, "bad.ckpt")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		v, ok, err := ReadExtra(path, "progress")
		if err != nil && !strings.Contains(err.Error(), path) {
			t.Errorf("error %v does not name the file", err)
		}
		return v, ok, err
	}
	for n := range len(good) {
		if _, ok, err := readExtra(bytes.NewReader(good[:n]), int64(n), "progress"); err == nil || ok {
			t.Fatalf("a file cut to %d of its %d bytes: ok %v, error %v; want an error", n, len(good), ok, err)
		}
	}
	if _, _, err := readFile(good[:len(good)-1]); err == nil || !strings.Contains(err.Error(), "malformed record") {
		t.Errorf("a file one byte short: %v, want a malformed record", err)
	}

	// The first record follows magic, version, epoch, step and the
	// record count: its kind, then its name's length.
	first := len(format.Magic) + 4 + 16 + 4
	edit := func(f func(b []byte) []byte) []byte {
		return binfile.Seal(f(slices.Clone(good[:len(good)-4])))
	}
	nameLen := int(binary.LittleEndian.Uint16(good[first+1:]))
	rank := int(good[first+3+nameLen])
	count := first + 3 + nameLen + 1 + 4*rank // the first record's float count
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"not a checkpoint", []byte("hello, world, this is text"), "not a gradbench checkpoint"},
		{"other version", edit(func(b []byte) []byte { b[len(format.Magic)] = 9; return b }), "format version 9"},
		{"unknown kind", edit(func(b []byte) []byte { b[first] = kindExtra + 1; return b }), "unknown record kind 5"},
		{"name past the end", edit(func(b []byte) []byte { binary.LittleEndian.PutUint16(b[first+1:], 0xffff); b = b[:first+100]; return b }), "data ends early: want 65535 more bytes"},
		{"count past the end", edit(func(b []byte) []byte { binary.LittleEndian.PutUint64(b[count:], 1<<62); return b }), "a count of 4611686018427387904 values of 4 bytes"},
		{"more records than it holds", edit(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[first-4:], 1<<31); return b }), "malformed record"},
		{"bytes after the last record", edit(func(b []byte) []byte { return append(b, 1, 2, 3) }), "3 unexpected bytes after the last record"},
	} {
		if _, ok, err := readFile(tc.data); err == nil || ok || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: ok %v, error %v; want one containing %q", tc.name, ok, err, tc.want)
		}
	}
	if _, _, err := ReadExtra(filepath.Join(dir, "none.ckpt"), "progress"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadExtra of a missing file = %v, want fs.ErrNotExist", err)
	}
}
