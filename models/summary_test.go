package models

import "testing"

// Summary's totals of two made-up layers, worked by hand: 9 binary weights
// take 2 bytes packed (rounded up, not 1), the float32 state is the fp32
// and binary parameters, the scales and the BatchNorm statistics (not the
// training-only values), and OPs count 64 binary MACs as one.
func TestSummaryTotals(t *testing.T) {
	m := &Layout{Layers: []LayerInfo{
		{Name: "conv", FPParams: 10, Buffers: 4, FPMACs: 1000},
		{Name: "bin", BinaryParams: 9, Scales: 3, TrainingParams: 5, BinaryMACs: 3000},
	}}
	got := m.Summary()
	want := Summary{
		Params: 10 + 9 + 5, FPParams: 10, BinaryParams: 9, TrainingParams: 5,
		Float32Bytes: 4 * (10 + 3 + 4 + 9), // 104
		PackedBytes:  4*(10+3+4) + 2,       // 70
		MACs:         4000, FPMACs: 1000, BinaryMACs: 3000, BinaryShare: 0.75,
		OPs: 1000 + 3000/64, // 1046
	}
	if got != want {
		t.Errorf("Summary() = %+v\nwant        %+v", got, want)
	}
}

// The inference memory of ResNet-20 on 1×28×28, 10 classes, counted by
// hand: 267,264 binary weights and 4,922 fp32 parameters (TestParamCounts),
// one scale per output channel of the 18 binary convolutions
// (6·16 + 6·32 + 6·64 = 672) and a running mean and variance per channel
// of its 21 BatchNorms (16 + 6·16 + 6·32 + 6·64 + 32 + 64 = 784 channels,
// 1,568 values). As float32: 4·(4,922 + 672 + 1,568 + 267,264) = 1,097,704
// bytes; packed: 4·7,162 + 267,264/8 = 62,056.
func TestSummaryMemoryResNet20(t *testing.T) {
	s := build(t, "resnet20", Config{C: 1, H: 28, W: 28, Classes: 10}, "ste", 1).Summary()
	if s.Float32Bytes != 1097704 || s.PackedBytes != 62056 {
		t.Errorf("ResNet-20 memory: %d bytes as float32, %d packed; want 1097704 and 62056", s.Float32Bytes, s.PackedBytes)
	}
}

// MACs scale with the output's height and width each: ResNet-20 on
// 3×32×16 has half the convolution MACs of 3×32×32 (40,813,184 less the
// 640 of the last Linear, TestParamCounts), and the same Linear.
func TestMACsNonSquareInput(t *testing.T) {
	s := build(t, "resnet20", Config{C: 3, H: 32, W: 16, Classes: 10}, "ste", 1).Summary()
	if want := int64((40813184-640)/2 + 640); s.MACs != want {
		t.Errorf("ResNet-20 on 3×32×16: %d MACs, want %d", s.MACs, want)
	}
	s = build(t, "resnet20", Config{C: 3, H: 16, W: 32, Classes: 10}, "ste", 1).Summary()
	if want := int64((40813184-640)/2 + 640); s.MACs != want {
		t.Errorf("ResNet-20 on 3×16×32: %d MACs, want %d", s.MACs, want)
	}
}

// Describe names the width whenever it is not 1, below 1 as above.
func TestDescribeWidth(t *testing.T) {
	for _, tc := range []struct {
		width float64
		want  string
	}{
		{1, "resnet20 for 1×28×28 inputs, 10 classes"},
		{0.5, "resnet20 (width 0.5) for 1×28×28 inputs, 10 classes"},
		{2, "resnet20 (width 2) for 1×28×28 inputs, 10 classes"},
	} {
		m := &Layout{Name: "resnet20", Config: Config{C: 1, H: 28, W: 28, Classes: 10, Width: tc.width}}
		if got := m.Describe(); got != tc.want {
			t.Errorf("width %g: Describe() = %q, want %q", tc.width, got, tc.want)
		}
	}
}
