package bitconv

// avgPool2 is the training engine's 2×2 average pooling (nn.AvgPool2d)'s forward pass on one plane for a 2×2 window
// without padding, stride st: ((((0 + a) + b) + c) + d) · 0.25, the sums in
// nn's order.
func avgPool2(dst, src []float32, w, oh, ow, st int) {
	var zero float32
	for oy := range oh {
		r0 := src[oy*st*w:][:w]
		r1 := src[(oy*st+1)*w:][:w]
		out := dst[oy*ow:][:ow]
		for ox := range out {
			i := ox * st
			out[ox] = (zero + r0[i] + r0[i+1] + r1[i] + r1[i+1]) * 0.25
		}
	}
}

// AvgPool2 is the 2×2 average pooling of a downsampling shortcut on one
// plane (see avgPool2), with the implementation in use.
func AvgPool2(dst, src []float32, w, oh, ow, st int) { avgPoolKernel.Get()(dst, src, w, oh, ow, st) }

// Done must follow a series of AvgPool2 calls before other vector code
// runs: it clears the upper halves of the vector registers where the
// implementation in use leaves them dirty (see vzeroupper).
func Done() { doneKernel.Get()() }
