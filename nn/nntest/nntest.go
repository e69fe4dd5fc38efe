// Package nntest holds the stand-in layers that tests of what saves and
// restores a network's state (checkpoints, model files) build networks
// of.
package nntest

import "github.com/gradbench/gradbench/nn"

// A StateLayer is a layer with the parameters (P) and buffers (B) it is
// given and an identity forward and backward pass: it gives a file what
// the nn layers do not, such as two records of one name or integer
// buffers of any length.
type StateLayer struct {
	P []*nn.Param
	B []*nn.Buffer
}

func (l *StateLayer) Forward(x *nn.Tensor) *nn.Tensor   { return x }
func (l *StateLayer) Backward(dy *nn.Tensor) *nn.Tensor { return dy }
func (l *StateLayer) Params() []*nn.Param               { return l.P }
func (l *StateLayer) Buffers() []*nn.Buffer             { return l.B }
