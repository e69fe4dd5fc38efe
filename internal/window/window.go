// Package window holds the output-size arithmetic of a square window slid
// over an image, shared by the training engine's convolutions and pooling
// (nn) and the packed binary convolution kernels (internal/bitconv), so
// that both accept the same inputs and compute the same sizes.
package window

import "fmt"

// Out returns the output size of a k×k window at stride s and padding p
// over an h×w input, in floor mode (PyTorch's default ceil_mode=False: a
// window that would run past the input and its padding is not taken). ok
// is false when the input is smaller than the window with its padding,
// h+2·p < k or w+2·p < k, which integer division would otherwise round up
// to one output (or down to a negative size). The caller checks k >= 1,
// s >= 1 and p >= 0.
func Out(k, s, p, h, w int) (oh, ow int, ok bool) {
	ok = h+2*p >= k && w+2*p >= k
	return (h+2*p-k)/s + 1, (w+2*p-k)/s + 1, ok
}

// Size is Out for the OutSize methods: besides the input smaller than the
// window, it refuses sizes h or w < 1. The error names the problem and the
// values, calling the window what ("kernel", "window"); the caller adds
// its own name.
func Size(what string, k, s, p, h, w int) (oh, ow int, err error) {
	if h < 1 || w < 1 {
		return 0, 0, fmt.Errorf("sizes must be >= 1")
	}
	oh, ow, ok := Out(k, s, p, h, w)
	if !ok {
		return 0, 0, fmt.Errorf("input %dx%d is smaller than the %dx%d %s with padding %d", h, w, k, k, what, p)
	}
	return oh, ow, nil
}
