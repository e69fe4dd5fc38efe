package nn

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestWalkOrder checks Walk's documented contract on a small network: the
// root first with path "", then depth first through Parent in Children
// order, paths of child indices joined by dots, a Residual's Body before
// its Shortcut and a nil Shortcut skipped; and that Params, Buffers and
// SetTraining follow the same order. No test of package nn checked Walk:
// a post-order Walk passed every test, and paths without dots, a Residual
// whose Shortcut came first and a nil Shortcut visited failed only in
// other packages' tests.
func TestWalkOrder(t *testing.T) {
	bn1, bn2, bn3 := NewBatchNorm2d(1), NewBatchNorm2d(2), NewBatchNorm2d(3)
	relu := NewReLU()
	inner := &Residual{Body: bn2}
	outer := &Residual{Body: Sequential{bn1, relu}, Shortcut: bn3}
	net := Sequential{outer, inner}
	var got []string
	Walk(net, func(path string, l Layer) {
		got = append(got, fmt.Sprintf("%q %T", path, l))
	})
	want := []string{
		`"" nn.Sequential`,
		`"0" *nn.Residual`,
		`"0.0" nn.Sequential`,
		`"0.0.0" *nn.BatchNorm`,
		`"0.0.1" *nn.ReLU`,
		`"0.1" *nn.BatchNorm`,
		`"1" *nn.Residual`,
		`"1.0" *nn.BatchNorm`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("Walk visited\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var ps []*Param
	var bs []*Buffer
	for _, b := range []*BatchNorm{bn1, bn3, bn2} {
		ps = append(ps, b.Weight, b.Bias)
		bs = append(bs, b.RunningMean, b.RunningVar)
	}
	if !slices.Equal(Params(net), ps) {
		t.Error("Params is not in Walk order")
	}
	if !slices.Equal(Buffers(net), bs) {
		t.Error("Buffers is not in Walk order")
	}
	SetTraining(net, false)
	for i, b := range []*BatchNorm{bn1, bn2, bn3} {
		if !b.eval {
			t.Errorf("BatchNorm %d still in training mode after SetTraining(false)", i+1)
		}
	}
}

// TestFlatten checks Flatten's views: forward N×(C·H·W)×1×1 and backward
// the last input's shape, both sharing the data, and the refusal of a
// gradient of another size, which a deliberate bug skipped without any
// test failing.
func TestFlatten(t *testing.T) {
	f := NewFlatten()
	x := NewTensor(2, 3, 2, 2)
	y := f.Forward(x)
	if y.Shape() != [4]int{2, 12, 1, 1} || &y.Data[0] != &x.Data[0] {
		t.Errorf("Forward gave %v, want a 2x12x1x1 view of the input", y)
	}
	dy := NewTensor(2, 12, 1, 1)
	if dx := f.Backward(dy); dx.Shape() != x.Shape() || &dx.Data[0] != &dy.Data[0] {
		t.Errorf("Backward gave %v, want a 2x3x2x2 view of the gradient", dx)
	}
	checkRefusals(t, []refusal{{"2x11x1x1", func() { f.Backward(NewTensor(2, 11, 1, 1)) },
		"nn: Flatten.Backward: gradient 2x11x1x1 with 22 values does not match the output 2x12x1x1"}})
}

// TestSequentialRefusesMissingGradient: a layer after the first that
// computes no input gradient (SkipInputGrad) left the layer before it a
// nil output gradient, which it dereferenced: a runtime error instead of
// the package's panic naming the layers. Both the plain path and the
// convolution and BatchNorm pair are checked.
func TestSequentialRefusesMissingGradient(t *testing.T) {
	init := NewInit(1)
	skip := Conv{In: 2, Out: 2, Kernel: 3, Pad: 1, SkipInputGrad: true}
	for _, tc := range []struct {
		name string
		s    Sequential
		want string
	}{
		{"plain", Sequential{NewReLU(), NewConv2d(skip, init), NewReLU()}, "nn: Sequential.Backward: layer 1 (*nn.Conv2d) computes no input gradient (SkipInputGrad), which layer 0 (*nn.ReLU) before it needs"},
		{"pair", Sequential{NewReLU(), NewConv2d(skip, init), NewBatchNorm2d(2)}, "nn: Sequential.Backward: layer 1 (*nn.Conv2d) computes no input gradient (SkipInputGrad), which layer 0 (*nn.ReLU) before it needs"},
	} {
		y := tc.s.Forward(NewTensor(2, 2, 3, 3))
		checkRefusals(t, []refusal{{tc.name, func() { tc.s.Backward(y) }, tc.want}})
	}
	// On the first layer it gives the nil it documents.
	s := Sequential{NewConv2d(skip, init), NewBatchNorm2d(2), NewReLU()}
	if dx := s.Backward(s.Forward(NewTensor(2, 2, 3, 3))); dx != nil {
		t.Errorf("Backward = %v, want nil with SkipInputGrad on the first layer", dx)
	}
}

// TestResidualRefusesNilBody: a Residual without a Body (a struct literal
// that left it out) called a method on a nil Layer, a runtime nil-pointer
// error, where the package panics naming the layer and the mistake.
func TestResidualRefusesNilBody(t *testing.T) {
	r := &Residual{Shortcut: NewReLU()}
	x := NewTensor(1, 2, 2, 2)
	checkRefusals(t, []refusal{
		{"Forward", func() { r.Forward(x) }, "nn: Residual.Forward: Body is nil"},
		{"Backward", func() { r.Backward(x) }, "nn: Residual.Backward: Body is nil"},
	})
}
