package xnor

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/nn"
)

// TestRestoreZeroFilter: a filter whose weights are all 0 has scale 0, and
// its channel is 0 in the float and the packed network. Restore gave its
// weights ±the smallest float32, so the network restored from the file
// (what gradbench eval and export load) had scale 1e-45 there and a
// channel of ±d·1e-45 in both paths, whose signs a binarization after it
// would take for codes, and saving it again wrote a scale of 1e-45. Now
// the channel is 0 after Restore too, in both paths, and the scale stays 0.
func TestRestoreZeroFilter(t *testing.T) {
	mk := func(seed uint64) nn.Sequential {
		l, err := nn.NewBinaryConv2d(nn.Conv{In: 8, Out: 4, Kernel: 3, Pad: 1}, nn.Binary{Estimator: estimators.MustParse("ste")}, nn.NewInit(seed))
		if err != nil {
			t.Fatal(err)
		}
		return nn.Sequential{l}
	}
	const d = 8 * 3 * 3
	net := mk(1)
	w := net[0].(*nn.BinaryConv2d).Weight.Data
	clear(w[d : 2*d])                        // filter 1: all 0
	clear(w[2*d : 3*d])                      // filter 2: 0 but for
	w[2*d+5] = -math.SmallestNonzeroFloat32  // one weight of code −1,
	w[2*d+40] = -math.SmallestNonzeroFloat32 // and another: scale 0
	x := nn.NewTensor(2, 8, 5, 5)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range x.Data {
		x.Data[i] = float32(r.NormFloat64())
	}
	zero := func(name string, y *nn.Tensor) {
		t.Helper()
		for n := range y.N {
			for c := 1; c <= 2; c++ {
				for i, v := range y.Data[(n*y.C+c)*y.H*y.W:][:y.H*y.W] {
					if v != 0 {
						t.Fatalf("%s: image %d channel %d [%d] = %v, want 0 (its filter's scale is 0)", name, n, c, i, v)
					}
				}
			}
		}
	}
	nn.SetTraining(net, false)
	zero("saved network, float", net.Forward(x))
	zero("saved network, packed", mustCompile(t, net).Forward(x))
	saved, f := saveAndRead(t, net)
	if s := f.records[0].f32; s[1] != 0 || s[2] != 0 {
		t.Fatalf("saved scales %v, want 0 for filters 1 and 2", s)
	}
	fresh := mk(2)
	if err := f.Restore(fresh); err != nil {
		t.Fatal(err)
	}
	nn.SetTraining(fresh, false)
	zero("restored network, float", fresh.Forward(x))
	zero("restored network, packed", mustCompile(t, fresh).Forward(x))
	var again bytes.Buffer
	if _, err := Save(&again, fresh, nil); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Bytes(), saved) {
		g, _ := Read(bytes.NewReader(again.Bytes()))
		t.Errorf("saving the restored network wrote another file: scales %v, want %v", g.records[0].f32, f.records[0].f32)
	}

	// A scale of 0 with more codes −1 than weights of the smallest
	// magnitude can average to 0 is no file Save writes: refused.
	bad, err := Read(bytes.NewReader(saved))
	if err != nil {
		t.Fatal(err)
	}
	for i := d; i < 2*d; i++ {
		bad.records[0].signs[i/8] |= 1 << (i % 8)
	}
	err = bad.Restore(mk(3))
	if want := `xnor: model file record "0/weight": scale 1 is 0 but 72 of its 72 codes are −1`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Restore of a scale 0 with every code −1: %v, want %q", err, want)
	}
}
