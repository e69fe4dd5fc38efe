package checkpoint

import (
	"bytes"
	"math"
	"slices"
	"testing"

	"github.com/gradbench/gradbench/internal/binfile"
)

// FuzzUnmarshal feeds arbitrary bytes to Unmarshal, as they are and with
// the checksum trailer recomputed (so that the decoder behind the checksum
// sees them), into a small network and its optimizer. It must never panic
// or allocate without bound; a failed load must leave the state untouched;
// a successful one must survive a Marshal and Unmarshal round trip
// unchanged.
func FuzzUnmarshal(f *testing.F) {
	addSeeds(f, map[string][]byte{"rng": {1, 2, 3}})
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, in := range fuzzInputs(data) {
			dst := net(t, 3, 2)
			dopt := newOpt(dst)
			before := snapshot(dst)
			s := &State{Net: dst, Opt: dopt}
			if err := Unmarshal(in, s); err != nil {
				if after := snapshot(dst); !sameBits(before, after) {
					t.Fatalf("Unmarshal failed (%v) but changed the network", err)
				}
				continue
			}
			again := mustMarshal(t, s)
			s2 := &State{Net: net(t, 5, 2)}
			s2.Opt = newOpt(s2.Net)
			if err := Unmarshal(again, s2); err != nil {
				t.Fatalf("a loaded state does not load again: %v", err)
			}
			if !bytes.Equal(mustMarshal(t, s2), again) {
				t.Fatal("a loaded state marshals differently after a second round trip")
			}
		}
	})
}

// FuzzReadExtra feeds arbitrary bytes to readExtra (ReadExtra of a file
// of those bytes), as they are and with the checksum trailer recomputed,
// as FuzzUnmarshal does. It must never panic or allocate without bound,
// and of a file that decodes, as every file Load loads does, it must
// return every extra as Load sets it (the last of its name), and no extra
// for a name the file does not have.
func FuzzReadExtra(f *testing.F) {
	extra := map[string][]byte{"rng": {1, 2, 3}, "progress": []byte(`{"key":"0123456789abcdef"}`), "empty": {}}
	good := addSeeds(f, extra)
	f.Add(mustMarshal(f, &State{Extra: extra}))
	f.Add(good[:len(good)-5])
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, in := range fuzzInputs(data) {
			peek := func(name string) ([]byte, bool, error) {
				return readExtra(bytes.NewReader(in), int64(len(in)), name)
			}
			names := []string{"rng", "progress", "absent"}
			_, _, _, extras, err := decode(in)
			if err != nil {
				for _, name := range names {
					peek(name)
				}
				continue
			}
			want := map[string][]byte{}
			for _, e := range extras {
				want[e.name] = e.bytes
				names = append(names, e.name)
			}
			for _, name := range names {
				got, ok, err := peek(name)
				w, has := want[name]
				if err != nil || ok != has || !bytes.Equal(got, w) {
					t.Fatalf("readExtra(%q) of a file that decodes = %q, %v, %v; want %q, %v", name, got, ok, err, w, has)
				}
			}
		}
	})
}

// addSeeds adds to f's corpus the checkpoint of a small trained network
// with its optimizer and extra, returned, and its first half; the
// network's alone; and the magic alone.
func addSeeds(f *testing.F, extra map[string][]byte) []byte {
	src := net(f, 1, 2)
	opt := newOpt(src)
	train(src, opt, 1)
	good := mustMarshal(f, &State{Net: src, Opt: opt, Epoch: 1, Step: 1, Extra: extra})
	f.Add(good)
	f.Add(mustMarshal(f, &State{Net: src}))
	f.Add(good[:len(good)/2])
	f.Add([]byte(format.Magic))
	return good
}

// fuzzInputs returns data as it is and, when it is long enough to end in
// a checksum, with that checksum recomputed, so that the decoder behind
// the checksum sees it.
func fuzzInputs(data []byte) [][]byte {
	inputs := [][]byte{data}
	if len(data) >= 4 {
		inputs = append(inputs, binfile.Seal(slices.Clone(data[:len(data)-4])))
	}
	return inputs
}

// sameBits reports whether a and b hold the same float32 bit patterns
// (NaN included).
func sameBits(a, b []float32) bool {
	return slices.EqualFunc(a, b, func(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) })
}
