package fidelity

import (
	"strconv"
	"strings"
	"time"

	"github.com/gradbench/gradbench/nn"
)

// What measuring the true loss changes costs, in whole network passes:
// the time estimate gradbench fidelity prints before it starts.

// LayerWork returns, for each binary layer of net (in the order of
// Layers), a flip's run in that layer as a fraction of a whole pass: the
// time of the forward passes of net's children from the one that holds
// the layer on, over that of all of them (1 for every layer if net is
// not an nn.Parent), timed in training mode, as TrueChanges runs them, on a
// second pass over b after a first that sizes the buffers. The children
// of a network differ in cost (a ResNet's first stage works on the
// largest images): a flip in the first layers costs about a whole pass,
// one in the last almost nothing. Should the clock measure no time at
// all, each child counts the same. The network's state is left
// unchanged.
func LayerWork(net nn.Layer, b Batch) []float64 {
	ls := binaryLayers(net)
	lw := make([]float64, len(ls))
	p, ok := net.(nn.Parent)
	if !ok {
		for l := range lw {
			lw[l] = 1
		}
		return lw
	}
	defer trueMode(net, ls)()
	children := p.Children()
	t := make([]float64, len(children))
	for pass := range 2 {
		x := b.X
		for j, c := range children {
			t0 := time.Now()
			x = c.Forward(x)
			if pass == 1 {
				t[j] = float64(time.Since(t0))
			}
		}
	}
	// from[j] is the time of children j.. as a fraction of the whole pass.
	from := make([]float64, len(children)+1)
	for j := len(children) - 1; j >= 0; j-- {
		from[j] = from[j+1] + t[j]
	}
	n := float64(len(children))
	for l := range ls {
		first, _, _ := strings.Cut(ls[l].path, ".")
		top, _ := strconv.Atoi(first)
		if from[0] <= 0 {
			lw[l] = (n - float64(top)) / n // each child the same
		} else {
			lw[l] = from[top] / from[0]
		}
	}
	return lw
}
