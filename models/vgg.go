package models

import (
	"fmt"

	"github.com/gradbench/gradbench/nn"
)

// vggSmall is VGG-Small as in LQ-Nets (arXiv 1807.10029), DSQ (arXiv
// 1908.05033) and IR-Net (arXiv 1909.10788), docs/workloads.md: a
// full-precision conv3x3 (C→128) + BN,
// then binary conv3x3 layers of 128, 256, 256, 512 and 512 channels, each
// followed by BN, with a 2×2 max pooling after the 2nd, 4th and 6th
// convolution (conv → BN → pool), and a full-precision Linear to the
// classes.
func vggSmall(b *builder) nn.Sequential {
	net := nn.Sequential{}
	b.scope("conv0", func() {
		net = append(net, b.conv("conv", b.ch(128), 3, 1, 1, true), b.bn())
	})
	for i, c := range []int{128, 256, 256, 512, 512} {
		b.scope(fmt.Sprintf("conv%d", i+1), func() {
			net = append(net, b.binConv("conv", b.ch(c), 3, 1, 1), b.bn())
			if i%2 == 0 {
				net = append(net, b.maxPool(2, 2, 0))
			}
		})
	}
	b.scope("head", func() {
		net = append(net, b.flatten(), b.linear("fc", b.cfg.Classes))
	})
	return net
}

// alexnet is a binary AlexNet, binarized as DoReFa-Net (arXiv 1606.06160)
// does: convolutions of 96 (11×11/4, full precision), 256 (5×5), 384, 384
// and 256 (3×3) channels, with 3×3/2 max pooling after the 1st, 2nd and
// 5th; binary fully connected layers of 4096 and 4096; a full-precision
// Linear to the classes. BatchNorm follows every layer but the last. All
// but the first convolution and the last Linear are binary. The geometry
// is the single-tower AlexNet's, not that of DoReFa-Net's training script
// (docs/workloads.md says how they differ).
func alexnet(b *builder) nn.Sequential {
	net := nn.Sequential{}
	b.scope("conv0", func() {
		net = append(net, b.conv("conv", b.ch(96), 11, 4, 2, true), b.bn(), b.maxPool(3, 2, 0))
	})
	for i, c := range []struct{ out, k, pad int }{{256, 5, 2}, {384, 3, 1}, {384, 3, 1}, {256, 3, 1}} {
		b.scope(fmt.Sprintf("conv%d", i+1), func() {
			net = append(net, b.binConv("conv", b.ch(c.out), c.k, 1, c.pad), b.bn())
			if i == 0 || i == 3 {
				net = append(net, b.maxPool(3, 2, 0))
			}
		})
	}
	net = append(net, b.flatten())
	for i := range 2 {
		b.scope(fmt.Sprintf("fc%d", i), func() {
			net = append(net, b.binLinear("fc", b.ch(4096)), b.bn())
		})
	}
	b.scope("head", func() {
		net = append(net, b.linear("fc", b.cfg.Classes))
	})
	return net
}
