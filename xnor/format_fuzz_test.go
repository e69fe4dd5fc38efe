package xnor

import (
	"bytes"
	"math"
	"slices"
	"testing"

	"github.com/gradbench/gradbench/internal/binfile"
	"github.com/gradbench/gradbench/nn"
)

// FuzzRead feeds arbitrary bytes to Read, as they are and with the
// checksum trailer recomputed (so that the decoder behind the checksum
// sees them), and restores what it accepts into a small network. It must
// never panic or allocate without bound; a failed Restore must leave the
// network untouched; a successful one must save to a file that reads and
// restores to the same network again.
func FuzzRead(f *testing.F) {
	var good bytes.Buffer
	if _, err := Save(&good, testNet(f, 3, 2), map[string]string{"model": "test", "width": "2"}); err != nil {
		f.Fatal(err)
	}
	f.Add(good.Bytes())
	f.Add(good.Bytes()[:good.Len()/2])
	f.Add([]byte(fileFormat.Magic))
	f.Fuzz(func(t *testing.T, data []byte) {
		inputs := [][]byte{data}
		if len(data) >= 4 {
			inputs = append(inputs, binfile.Seal(slices.Clone(data[:len(data)-4])))
		}
		for _, in := range inputs {
			file, err := Read(bytes.NewReader(in))
			if err != nil {
				continue
			}
			net := testNet(t, 5, 2)
			before := params(net)
			if err := file.Restore(net); err != nil {
				if !slices.EqualFunc(before, params(net), sameBits) {
					t.Fatalf("Restore failed (%v) but changed the network", err)
				}
				continue
			}
			var saved bytes.Buffer
			if _, err := Save(&saved, net, file.Meta); err != nil {
				t.Fatalf("saving a restored network: %v", err)
			}
			again, err := Read(&saved)
			if err != nil {
				t.Fatalf("a saved restored network does not read: %v", err)
			}
			net2 := testNet(t, 7, 2)
			if err := again.Restore(net2); err != nil {
				t.Fatalf("a saved restored network does not restore: %v", err)
			}
			if !slices.EqualFunc(params(net), params(net2), sameBits) {
				t.Fatal("a restored network saves and restores to different values")
			}
		}
	})
}

// params returns the values of net that a model file stores (not the
// training-only noise adaptation weights), the int64 buffers as float32.
func params(net nn.Layer) []float32 {
	es, err := entries(net)
	if err != nil {
		panic(err)
	}
	var v []float32
	for _, e := range es {
		switch e.kind {
		case recParam, recPacked:
			v = append(v, e.param.Data...)
		case recBuffer:
			v = append(v, e.buf.Data...)
		case recInts:
			for _, i := range e.buf.Ints {
				v = append(v, float32(i))
			}
		}
	}
	return v
}

func sameBits(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }
