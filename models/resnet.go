package models

import (
	"fmt"

	"github.com/gradbench/gradbench/nn"
)

// minInput says, in error messages, what inputs a model takes.
var minInput = map[string]string{
	"alexnet":   "alexnet takes inputs of at least 63×63",
	"resnet18":  "resnet18 takes square inputs of at least 8×8; ImageNet-style 224×224 is its layout",
	"resnet20":  "resnet20 takes square inputs of at least 4×4, such as 28×28 or 32×32",
	"vgg-small": "vgg-small takes inputs of at least 8×8",
}

// unit appends a Bi-Real residual unit: BN(BinaryConv3x3(x)) + shortcut(x),
// where the shortcut is the identity, or, where the shape changes,
// AvgPool2d(2) + full-precision conv1x1 + BN. With prelu, a PReLU follows
// the sum (resnet18).
func (b *builder) unit(name string, out, stride int, prelu bool) []nn.Layer {
	var layers []nn.Layer
	b.scope(name, func() {
		in := b.shape()
		conv := b.binConv("conv", out, 3, stride, 1)
		body := nn.Sequential{conv, b.bn()}
		after := b.shape()
		var short nn.Layer
		if stride != 1 || in.c != out {
			b.setShape(in)
			b.scope("shortcut", func() {
				var seq nn.Sequential
				if stride != 1 {
					seq = append(seq, b.avgPool2())
				}
				seq = append(seq, b.conv("conv", out, 1, 1, 0, false), b.bn())
				short = seq
			})
			if b.shape() != after {
				b.fail("shortcut output %d×%d×%d does not match the unit's %d×%d×%d (%s)", b.c, b.h, b.w, after.c, after.h, after.w, minInput[b.model])
			}
		}
		layers = append(layers, &nn.Residual{Body: body, Shortcut: short})
		if prelu {
			layers = append(layers, b.prelu())
		}
	})
	return layers
}

// resStages is the body and head every ResNet here shares: one stage per
// entry of channels (before width scaling), each of the given number of
// basic blocks of 2 units, the first unit of every stage but the first
// with stride 2 (prelu: a PReLU after each unit's sum, see unit); then
// global average pooling and a full-precision Linear to the classes.
func (b *builder) resStages(channels []int, blocks int, prelu bool) []nn.Layer {
	var net []nn.Layer
	for s, c := range channels {
		b.scope(fmt.Sprintf("stage%d", s+1), func() {
			for blk := range blocks {
				b.scope(fmt.Sprintf("block%d", blk), func() {
					for u := range 2 {
						stride := 1
						if s > 0 && blk == 0 && u == 0 {
							stride = 2
						}
						net = append(net, b.unit(fmt.Sprintf("unit%d", u), b.ch(c), stride, prelu)...)
					}
				})
			}
		})
	}
	b.scope("head", func() {
		net = append(net, b.gap(), b.linear("fc", b.cfg.Classes))
	})
	return net
}

// resnet20 is the CIFAR ResNet-20 layout (arXiv 1512.03385) with Bi-Real
// units (arXiv 1808.00278), docs/workloads.md: a full-precision stem conv3x3
// (C→16) + BN;
// three stages of 16, 32 and 64 channels, each of 3 basic blocks of 2 units
// (18 binary convolutions; the first unit of stages 2 and 3 has stride 2);
// global average pooling and a full-precision Linear(64 → classes).
func resnet20(b *builder) nn.Sequential {
	net := nn.Sequential{}
	b.scope("stem", func() {
		net = append(net, b.conv("conv", b.ch(16), 3, 1, 1, true), b.bn())
	})
	return append(net, b.resStages([]int{16, 32, 64}, 3, false)...)
}

// resnet18 is Bi-Real Net's ResNet-18 with PReLU (ECCV 2018, arXiv
// 1808.00278), the FDA paper's ImageNet baseline (docs/workloads.md): a
// full-precision stem conv7x7/2 (C→64) + BN + maxpool 3/2; four stages of
// 64, 128, 256 and 512 channels, each of 2 basic blocks of 2 units (16
// binary convolutions, each with its own real shortcut and a PReLU after
// the sum; the first unit of stages 2 to 4 has stride 2); global average
// pooling and a full-precision Linear(512 → classes).
func resnet18(b *builder) nn.Sequential {
	net := nn.Sequential{}
	b.scope("stem", func() {
		net = append(net, b.conv("conv", b.ch(64), 7, 2, 3, true), b.bn(), b.maxPool(3, 2, 1))
	})
	return append(net, b.resStages([]int{64, 128, 256, 512}, 2, true)...)
}
