package checkpoint

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/internal/binfile"
	"github.com/gradbench/gradbench/nn"
	"github.com/gradbench/gradbench/nn/nntest"
)

// TestAdamStepRestored checks that the optimizer's integer state, Adam's
// step count, is restored: without it a resumed Adam run restarts its
// bias correction and its losses differ from an uninterrupted run's.
func TestAdamStepRestored(t *testing.T) {
	src := net(t, 1, 4)
	opt := nn.NewAdam(nn.Params(src), nn.AdamConfig{})
	train(src, opt, 3)
	data := mustMarshal(t, &State{Net: src, Opt: opt})
	dst := net(t, 2, 4)
	dopt := nn.NewAdam(nn.Params(dst), nn.AdamConfig{})
	if err := Unmarshal(data, &State{Net: dst, Opt: dopt}); err != nil {
		t.Fatal(err)
	}
	want, got := opt.State(), dopt.State()
	if len(got) != len(want) {
		t.Fatalf("%d optimizer buffers loaded, want %d", len(got), len(want))
	}
	for i := range want {
		if !slices.Equal(got[i].Data, want[i].Data) || !slices.Equal(got[i].Ints, want[i].Ints) {
			t.Errorf("optimizer buffer %d %q: loaded %v floats %v ints, saved %v and %v", i, want[i].Name, len(got[i].Data), got[i].Ints, len(want[i].Data), want[i].Ints)
		}
	}
	if got, want := train(dst, dopt, 2), train(src, opt, 2); !slices.Equal(got, want) {
		t.Errorf("losses after resume = %v, want %v", got, want)
	}
}

// TestLoadRefusesOtherIntegerLength checks that a buffer whose integer
// count differs between the file and the network is refused, not loaded
// in part.
func TestLoadRefusesOtherIntegerLength(t *testing.T) {
	src := &nntest.StateLayer{B: []*nn.Buffer{{Name: "count", Ints: []int64{4, 5}}}}
	data := mustMarshal(t, &State{Net: src})
	dst := &nntest.StateLayer{B: []*nn.Buffer{{Name: "count", Ints: []int64{1, 2, 3}}}}
	err := Unmarshal(data, &State{Net: dst})
	if err == nil || !strings.Contains(err.Error(), `"/count" holds 0 floats and 2 integers in the checkpoint, 0 and 3 in the network`) {
		t.Errorf("Unmarshal = %v, want an error about the integer count", err)
	}
	if !slices.Equal(dst.B[0].Ints, []int64{1, 2, 3}) {
		t.Errorf("Unmarshal changed the buffer to %v although it failed", dst.B[0].Ints)
	}
}

// TestLoadRefusesDuplicateRecord checks that a file holding one record
// twice is refused rather than loaded with the last copy. Marshal writes
// no such file, so the test renames the second of two records and seals
// the file again.
func TestLoadRefusesDuplicateRecord(t *testing.T) {
	two := func(v float32, second string) *nntest.StateLayer {
		return &nntest.StateLayer{P: []*nn.Param{
			{Name: "w", Shape: []int{1}, Data: []float32{v}},
			{Name: second, Shape: []int{1}, Data: []float32{v + 1}},
		}}
	}
	data := mustMarshal(t, &State{Net: two(1, "v")})
	body := slices.Clone(data[:len(data)-4])
	at := bytes.Index(body, []byte("/v"))
	if at < 0 || bytes.Contains(body[at+1:], []byte("/v")) {
		t.Fatalf("the second record's name is not once in the file")
	}
	body[at+1] = 'w'
	dst := two(10, "w")
	err := Unmarshal(binfile.Seal(body), &State{Net: dst})
	if err == nil || !strings.Contains(err.Error(), `parameter "/w" appears twice`) {
		t.Errorf("Unmarshal = %v, want a duplicate-record error", err)
	}
	if dst.P[0].Data[0] != 10 || dst.P[1].Data[0] != 11 {
		t.Errorf("Unmarshal changed the network: %v, %v", dst.P[0].Data, dst.P[1].Data)
	}
}

// TestMarshalRefusesDuplicateRecord: a network with two parameters (or
// buffers) of one name in one layer was saved, to a checkpoint that Load
// then refused (a record that appears twice). The first Save, or the
// probe a run marshals before it trains, now says so.
func TestMarshalRefusesDuplicateRecord(t *testing.T) {
	for _, tc := range []struct {
		l    *nntest.StateLayer
		want string
	}{
		{&nntest.StateLayer{P: []*nn.Param{{Name: "w", Shape: []int{1}, Data: []float32{1}}, {Name: "w", Shape: []int{2}, Data: []float32{2, 3}}}},
			`checkpoint: parameter "/w" appears twice in the state`},
		{&nntest.StateLayer{B: []*nn.Buffer{{Name: "n", Ints: []int64{1}}, {Name: "n", Data: []float32{1}}}},
			`checkpoint: layer buffer "/n" appears twice in the state`},
	} {
		if _, err := Marshal(&State{Net: tc.l}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Marshal = %v, want an error containing %q", err, tc.want)
		}
		if err := Save(filepath.Join(t.TempDir(), "x.ckpt"), &State{Net: tc.l}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Save = %v, want an error containing %q", err, tc.want)
		}
	}
	// A parameter and a buffer may share a name: their kinds tell them apart.
	l := &nntest.StateLayer{P: []*nn.Param{{Name: "w", Shape: []int{1}, Data: []float32{1}}}, B: []*nn.Buffer{{Name: "w", Data: []float32{2}}}}
	if _, err := Marshal(&State{Net: l}); err != nil {
		t.Errorf("Marshal of a parameter and a buffer named alike: %v", err)
	}
}

// TestLoadRefusesMalformedRecords checks files whose checksum is right
// but whose records are not: bytes after the last record, a record kind
// the format does not define.
func TestLoadRefusesMalformedRecords(t *testing.T) {
	l := net(t, 1, 4)
	good := mustMarshal(t, &State{Net: l, Opt: newOpt(l)})
	reseal := func(b []byte) []byte { return binfile.Seal(b) }

	trailing := reseal(append(slices.Clone(good[:len(good)-4]), 1, 2, 3))
	kind := slices.Clone(good[:len(good)-4])
	// The first record's kind byte follows magic, version, epoch, step
	// and the record count.
	off := len(format.Magic) + 4 + 16 + 4
	if kind[off] != kindParam {
		t.Fatalf("byte %d is %d, want the first record's kind %d", off, kind[off], kindParam)
	}
	kind[off] = kindExtra + 1
	kind = reseal(kind)

	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"trailing bytes", trailing, "3 unexpected bytes after the last record"},
		{"unknown kind", kind, "unknown record kind 5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dst := net(t, 2, 4)
			before := snapshot(dst)
			err := Unmarshal(tc.data, &State{Net: dst, Opt: newOpt(dst)})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Unmarshal = %v, want an error containing %q", err, tc.want)
			}
			if !slices.Equal(snapshot(dst), before) {
				t.Errorf("Unmarshal changed the network although it failed")
			}
		})
	}
}

// TestSaveIsPrivate checks the mode Save documents: 0600, whatever the
// umask.
func TestSaveIsPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.ckpt")
	if err := Save(path, &State{Net: net(t, 1, 4)}); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("checkpoint mode %v, want -rw-------", st.Mode().Perm())
	}
}

// TestMarshalDeterministic checks that the same state gives the same
// bytes, extras included (a map, whose order Go randomizes).
func TestMarshalDeterministic(t *testing.T) {
	extra := map[string][]byte{}
	for i := range 12 {
		extra[fmt.Sprintf("k%02d", i)] = []byte{byte(i)}
	}
	s := &State{Net: net(t, 1, 4), Epoch: 1, Step: 2, Extra: extra}
	first := mustMarshal(t, s)
	for range 20 {
		if !bytes.Equal(mustMarshal(t, s), first) {
			t.Fatal("two Marshal calls of one state gave different bytes")
		}
	}
}

// TestUnmarshalExtrasOwnTheirBytes checks that the extras Unmarshal
// returns do not share memory with the data passed in, which a caller may
// reuse.
func TestUnmarshalExtrasOwnTheirBytes(t *testing.T) {
	l := net(t, 1, 4)
	data := mustMarshal(t, &State{Net: l, Extra: map[string][]byte{"rng": []byte("abcdef")}})
	s := &State{Net: net(t, 2, 4)}
	if err := Unmarshal(data, s); err != nil {
		t.Fatal(err)
	}
	for i := range data {
		data[i] = 0
	}
	if got := string(s.Extra["rng"]); got != "abcdef" {
		t.Errorf("extra after the data was overwritten = %q, want abcdef", got)
	}
}

// TestLoadErrorNamesFile checks that Load's errors about the content say
// which file it was.
func TestLoadErrorNamesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.ckpt")
	l := net(t, 1, 4)
	data := mustMarshal(t, &State{Net: l})
	data[len(data)/2] ^= 1
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	err := Load(path, &State{Net: net(t, 2, 4)})
	if err == nil || !strings.Contains(err.Error(), "checksum mismatch") || !strings.Contains(err.Error(), path) {
		t.Errorf("Load of a damaged file = %v, want a checksum error naming %s", err, path)
	}
}

// mustMarshal returns Marshal's encoding of s, failing tb on an error.
func mustMarshal(tb testing.TB, s *State) []byte {
	tb.Helper()
	data, err := Marshal(s)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// TestMarshalRefusesWhatTheFormatCannotHold checks that a name, a rank
// or a dimension wider than its length field is refused with an error
// naming the record, and that Save then writes nothing, instead of a file
// with the length cut to the field's width that no Load could read back.
func TestMarshalRefusesWhatTheFormatCannotHold(t *testing.T) {
	long := strings.Repeat("k", 1<<16)
	param := func(shape ...int) *nntest.StateLayer {
		return &nntest.StateLayer{P: []*nn.Param{{Name: "w", Shape: shape}}}
	}
	wide := int64(1) << 32 // a variable: a 32-bit int cannot hold it
	for _, tc := range []struct {
		name string
		s    *State
		want string
	}{
		{"name", &State{Net: param(1), Extra: map[string][]byte{long: {1}}}, "a name of 65536 bytes"},
		{"rank", &State{Net: param(make([]int, 256)...)}, `parameter /w: a shape of 256 dimensions`},
		{"dimension", &State{Net: param(int(wide))}, `parameter /w: shape [4294967296] has a dimension outside`},
		{"negative", &State{Net: param(-1)}, `shape [-1] has a dimension outside`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "dimension" && int64(int(wide)) != wide {
				t.Skip("a 32-bit build's int cannot hold a dimension over 4294967295")
			}
			if _, err := Marshal(tc.s); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Marshal = %v, want an error containing %q", err, tc.want)
			}
			path := filepath.Join(t.TempDir(), "ckpt")
			if err := Save(path, tc.s); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Save = %v, want an error containing %q", err, tc.want)
			}
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Errorf("Save refused but left %s (stat: %v)", path, err)
			}
		})
	}
	// The widest values the fields hold still round-trip.
	edge := &State{Net: param(1), Extra: map[string][]byte{long[:math.MaxUint16]: {7}}}
	data := mustMarshal(t, edge)
	back := &State{Net: param(1)}
	if err := Unmarshal(data, back); err != nil {
		t.Fatalf("a name of 65535 bytes: %v", err)
	}
	if got := back.Extra[long[:math.MaxUint16]]; !bytes.Equal(got, []byte{7}) {
		t.Errorf("a name of 65535 bytes loaded as %v, want [7]", got)
	}
}
