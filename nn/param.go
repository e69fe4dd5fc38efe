package nn

import "fmt"

// A Param is a trainable tensor: its values, the gradient Backward adds to,
// and how the optimizer treats it.
type Param struct {
	// Name says what the parameter is inside its layer, such as "weight",
	// "bias" or "na.act.w1". Walk paths make it unique in a network.
	Name string
	// Shape is the parameter's shape, outermost dimension first, such as
	// {Cout, Cin, kh, kw} for a convolution's weight.
	Shape []int
	// Data holds the values, Grad the gradient accumulated by Backward
	// since the last optimizer step; both have the product of Shape values.
	Data, Grad []float32
	// NoDecay exempts the parameter from weight decay. Weights, biases and
	// BatchNorm's affine parameters are decayed (the recipes' "weight decay
	// on all parameters"); learnable estimator scalars are not, since they
	// are settings of the surrogate gradient, not weights of the network.
	NoDecay bool
	// Min and Max, when Min < Max, are the range the optimizer clamps every
	// value to after an update (learnable estimator scalars, such as DSQ's
	// α in [1e-3, 0.999]).
	Min, Max float32
}

// newParam returns a zero parameter of the given shape.
func newParam(name string, shape ...int) *Param {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return &Param{Name: name, Shape: shape, Data: make([]float32, n), Grad: make([]float32, n)}
}

// weightAndBias returns the parameters of a layer with a weight and an
// optional bias (nil when the layer has none).
func weightAndBias(weight, bias *Param) []*Param {
	if bias != nil {
		return []*Param{weight, bias}
	}
	return []*Param{weight}
}

// Len returns the number of values.
func (p *Param) Len() int { return len(p.Data) }

// ZeroGrad sets the gradient to zero.
func (p *Param) ZeroGrad() { clear(p.Grad) }

func (p *Param) String() string { return fmt.Sprintf("%s%v", p.Name, p.Shape) }

// A Buffer is named non-trainable state that a checkpoint saves and
// restores: float data (BatchNorm running statistics, SGD momentum, Adam
// moments) or integer counters (Adam's step count).
type Buffer struct {
	Name string
	Data []float32
	Ints []int64
}

// Count returns the total number of values a network's parameters hold.
func Count(ps []*Param) int {
	n := 0
	for _, p := range ps {
		n += len(p.Data)
	}
	return n
}
