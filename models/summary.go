package models

import (
	"fmt"
	"strconv"
)

// LayerInfo describes one layer of a model, per input image.
type LayerInfo struct {
	// Name locates the layer, such as "stage2.block0.unit0.conv".
	Name string
	// Out is the output shape C, H, W.
	Out [3]int
	// FPParams are the full-precision trainable parameters used at
	// inference: weights and biases of the full-precision layers,
	// BatchNorm's γ and β, PReLU slopes.
	FPParams int
	// BinaryParams are the latent weights of a binary layer: one bit each
	// at inference.
	BinaryParams int
	// Scales is the number of per-output-channel weight scales of a binary
	// layer (mean |W|, computed from the latent weights; float32 at
	// inference).
	Scales int
	// Buffers are non-trainable values used at inference: BatchNorm's
	// running mean and variance.
	Buffers int
	// TrainingParams are trained but dropped at inference: noise
	// adaptation weights and learnable estimator scalars.
	TrainingParams int
	// FPMACs and BinaryMACs are the multiply-accumulates of the layer.
	FPMACs, BinaryMACs int64
}

// Summary totals a model's LayerInfo, like Larq's model summary.
type Summary struct {
	// Params = FPParams + BinaryParams + TrainingParams, the trainable
	// parameters (nn.Count of the network's Params).
	Params, FPParams, BinaryParams, TrainingParams int
	// Float32Bytes is the inference state (parameters, scales, BatchNorm
	// statistics) stored as float32; PackedBytes the same with the binary
	// weights packed 8 per byte.
	Float32Bytes, PackedBytes int64
	// MACs = FPMACs + BinaryMACs per image; BinaryShare = BinaryMACs/MACs.
	MACs, FPMACs, BinaryMACs int64
	BinaryShare              float64
	// OPs is the operation count customary for binary networks (Bi-Real
	// Net, ECCV 2018, arXiv 1808.00278, §4.3): FPMACs + BinaryMACs/64, a 64-bit XNOR-popcount
	// counting as one operation.
	OPs int64
}

// Summary returns the model's totals.
func (m *Layout) Summary() Summary {
	var s Summary
	var scales, buffers int
	for _, l := range m.Layers {
		s.FPParams += l.FPParams
		s.BinaryParams += l.BinaryParams
		s.TrainingParams += l.TrainingParams
		scales += l.Scales
		buffers += l.Buffers
		s.FPMACs += l.FPMACs
		s.BinaryMACs += l.BinaryMACs
	}
	s.Params = s.FPParams + s.BinaryParams + s.TrainingParams
	fp := int64(s.FPParams + scales + buffers)
	s.Float32Bytes = 4 * (fp + int64(s.BinaryParams))
	s.PackedBytes = 4*fp + (int64(s.BinaryParams)+7)/8
	s.MACs = s.FPMACs + s.BinaryMACs
	if s.MACs > 0 {
		s.BinaryShare = float64(s.BinaryMACs) / float64(s.MACs)
	}
	s.OPs = s.FPMACs + s.BinaryMACs/64
	return s
}

// Describe returns a one-line description: name, width, input and
// classes.
func (m *Layout) Describe() string {
	c := m.Config
	d := m.Name
	if c.Width != 1 {
		d += " (width " + strconv.FormatFloat(c.Width, 'g', -1, 64) + ")"
	}
	return fmt.Sprintf("%s for %d×%d×%d inputs, %d classes", d, c.C, c.H, c.W, c.Classes)
}
