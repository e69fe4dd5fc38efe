package fidelity

import (
	"slices"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/nn"
)

// TestCopyState: CopyState puts every parameter and buffer (BatchNorm's
// running statistics) of the source into a network built with another
// estimator, and names the destination's parameters the source lacks
// (noise adaptation's), which keep their values. Nothing else tested it:
// gradbench fidelity measures in training mode, where the buffers are not
// read, and ignores the names.
func TestCopyState(t *testing.T) {
	src := convNet(t, "ste", 1)
	// Running statistics of its own, different from a new network's.
	nn.SetTraining(src, true)
	src.Forward(convBatch().X)
	dst := convNet(t, "fda+na", 2)
	naBefore := map[string][]float32{}
	nn.Walk(dst, func(path string, l nn.Layer) {
		if p, ok := l.(nn.Parametric); ok {
			for _, q := range p.Params() {
				naBefore[path+"/"+q.Name] = slices.Clone(q.Data)
			}
		}
	})
	missing := CopyState(dst, src)
	if len(missing) == 0 {
		t.Fatal("CopyState into an fda+na network named no parameter the ste network lacks")
	}
	for _, m := range missing {
		if !strings.Contains(m, "na") {
			t.Errorf("missing %q: not a noise-adaptation parameter", m)
		}
		if !slices.Equal(naBefore[m], paramAt(t, dst, m)) {
			t.Errorf("missing %q changed", m)
		}
	}
	sp, dp := nn.Params(src), nn.Params(dst)
	shared := 0
	for _, q := range dp {
		for _, p := range sp {
			if p.Name == q.Name && len(p.Data) == len(q.Data) && slices.Equal(p.Data, q.Data) {
				shared++
				break
			}
		}
	}
	if shared != len(sp) {
		t.Errorf("%d of the source's %d parameters found in the destination", shared, len(sp))
	}
	sb, db := nn.Buffers(src), nn.Buffers(dst)
	if len(sb) != len(db) || len(sb) == 0 {
		t.Fatalf("buffers: %d in the source, %d in the destination", len(sb), len(db))
	}
	for i := range sb {
		if !slices.Equal(sb[i].Data, db[i].Data) {
			t.Errorf("buffer %d (%s) not copied", i, sb[i].Name)
		}
	}
	if m := CopyState(convNet(t, "ste", 3), src); len(m) != 0 {
		t.Errorf("CopyState between two ste networks: missing %v, want none", m)
	}
}

// paramAt returns the data of the parameter named path/name in net.
func paramAt(t *testing.T, net nn.Layer, full string) []float32 {
	t.Helper()
	var out []float32
	nn.Walk(net, func(path string, l nn.Layer) {
		if p, ok := l.(nn.Parametric); ok {
			for _, q := range p.Params() {
				if path+"/"+q.Name == full {
					out = q.Data
				}
			}
		}
	})
	if out == nil {
		t.Fatalf("no parameter %s", full)
	}
	return out
}
