// Package bitconv is the bit-packed binary convolution that the training
// engine's binary forward pass (package nn) and the inference networks
// (package xnor) both run: the packed activation and weight codes ([Bits],
// [Weights]), the XNOR-popcount convolution ([Conv]) with its padding
// correction, and the per-channel output transform ([Affine]). It sits
// below nn so that nn can use it; xnor names its types for users.
//
// The package documentation the comments here refer to is package
// xnor's: the bit convention (a set bit is −1, a clear bit +1, 64
// channels to a uint64 word), the convolution's two paths and the
// implementations ("go", "avx2", "avx512", "simd") are described there.
package bitconv
