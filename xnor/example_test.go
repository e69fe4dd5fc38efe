package xnor_test

import (
	"fmt"

	"github.com/gradbench/gradbench/xnor"
)

// A 3×3 binary convolution with zero padding on a 3×3 image of two
// channels: pack the activations' signs, pack the weights' signs with
// their scale mean|W|, and run the XNOR-popcount kernel.
func Example() {
	x := []float32{ // N×C×H×W = 1×2×3×3
		0.5, -1, 2, // channel 0
		-0.1, 0, 3, // (0 binarizes to +1)
		1, 1, -2,
		-1, -1, -1, // channel 1
		1, 1, 1,
		-1, 1, -1,
	}
	w := make([]float32, 2*9) // Out×In×3×3 = 1×2×3×3: +0.5 everywhere...
	for i := range w {
		w[i] = 0.5
	}
	w[4] = -0.5 // ...but the centre tap of channel 0
	s := xnor.Shape{In: 2, Out: 1, Kernel: 3, Pad: 1}
	weights := xnor.PackWeights(s, w)
	conv, err := xnor.NewConv(weights, xnor.ScaleOnly(weights.Scale))
	if err != nil {
		panic(err)
	}
	bits := xnor.NewBits(1, 3, 3, 2)
	xnor.Pack(bits, x)
	y := make([]float32, 9)
	conv.Forward(y, bits)
	fmt.Println("scale:", weights.Scale[0])
	fmt.Println("y:", y)

	var signs xnor.Bits // the signs of y, packed for a next binary layer
	conv.ForwardBits(&signs, bits)
	codes := make([]float32, 9)
	signs.Unpack(codes)
	fmt.Println("q(y):", codes)
	// Output:
	// scale: 0.5
	// y: [-1 2 0 2 0 0 1 1 3]
	// q(y): [-1 1 1 1 1 1 1 1 1]
}
