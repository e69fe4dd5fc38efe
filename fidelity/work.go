package fidelity

import (
	"strconv"
	"strings"
	"time"

	"github.com/gradbench/gradbench/nn"
)

// What measuring the true loss changes costs, in whole network passes:
// the time estimate gradbench fidelity prints before it starts.

// Work returns the network passes TrueChanges runs for sites, in units of
// one whole pass: 1 for the unflipped pass plus, per site, the fraction of
// net's children its run goes through (1 each if net is not an
// nn.Parent), for an estimate of the time it takes.
func Work(net nn.Layer, sites []Site) float64 {
	p, ok := net.(nn.Parent)
	if !ok {
		return float64(1 + len(sites))
	}
	n := float64(len(p.Children()))
	ls := binaryLayers(net)
	w := 1.0
	for _, s := range sites {
		first, _, _ := strings.Cut(ls[s.Layer].path, ".")
		top, _ := strconv.Atoi(first)
		w += (n - float64(top)) / n
	}
	return w
}

// TimedWork is Work with each child of net weighted by the time its
// forward pass takes on b (in training mode, as TrueChanges runs it), timed
// on a second pass after a first that sizes the buffers: the children of a
// network differ in cost (a ResNet's first stage works on the largest
// images), and a flip runs those from its own on. The network's state is
// left unchanged.
func TimedWork(net nn.Layer, b Batch, sites []Site) float64 {
	lw := LayerWork(net, b)
	w := 1.0
	for _, s := range sites {
		w += lw[s.Layer]
	}
	return w
}

// LayerWork returns, for each binary layer of net (in the order of
// Layers), a flip's run in that layer as a fraction of a whole pass, timed
// as TimedWork times it: a flip in the first layers costs about a whole
// pass, one in the last almost nothing. The network's state is left
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
			lw[l] = (n - float64(top)) / n // as Work counts it
		} else {
			lw[l] = from[top] / from[0]
		}
	}
	return lw
}
