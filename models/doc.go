// Package models builds the binarized networks of the suite from a few
// parameters: what a network is.
//
// The models are those of docs/workloads.md, which cites their papers:
//
//   - resnet20: the CIFAR ResNet-20 layout (arXiv 1512.03385) with Bi-Real
//     units (arXiv 1808.00278), unit(x) = BN(BinaryConv3x3(x)) + shortcut(x);
//   - vgg-small: VGG-Small as in LQ-Nets (arXiv 1807.10029), DSQ (arXiv
//     1908.05033) and IR-Net (arXiv 1909.10788);
//   - resnet18: Bi-Real Net's ResNet-18 with PReLU, the FDA paper's (arXiv
//     2103.00841) ImageNet baseline;
//   - alexnet: AlexNet binarized as DoReFa-Net does (arXiv 1606.06160),
//     in the single-tower AlexNet's geometry.
//
// Every model takes its input shape and class count from the dataset
// ([Config]) and a width multiplier, so that a 2-core machine can train a
// reduced version of the same architecture. The first convolution and the
// last fully connected layer stay full precision, and so do the
// downsampling shortcuts (AvgPool2d + conv1x1 + BN); every other
// convolution (and AlexNet's hidden fully connected layers) is binary and
// takes its surrogate gradient from the estimator spec in Config.Binary,
// with noise adaptation when the spec says "+na".
//
// [Build] draws initial weights from an [nn.Init] in a fixed order and the
// noise adaptation modules from a separate stream, so the same seed gives
// the same weights for every estimator. [Layout.Summary] counts parameters
// (binary, full precision, training only), inference memory with and
// without bit packing, and multiply-accumulates with their binary share,
// like Larq's model summary, of a built [Model] or of the [Layout] that
// [BuildLayout] gives without allocating a layer.
package models
