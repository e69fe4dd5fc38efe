// Package models builds the binarized networks of the suite from a few
// parameters: what a network is.
//
// The models are those of ../shared/spec/workloads.md:
//
//   - resnet20: the CIFAR ResNet-20 layout with Bi-Real units,
//     unit(x) = BN(BinaryConv3x3(x)) + shortcut(x);
//   - vgg-small: VGG-Small as in LQ-Nets, DSQ and IR-Net;
//   - resnet18: Bi-Real Net's ResNet-18 with PReLU, the FDA paper's
//     ImageNet baseline;
//   - alexnet: DoReFa-Net's binary AlexNet.
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
// the same weights for every estimator. [Model.Summary] counts parameters
// (binary, full precision, training only), inference memory with and
// without bit packing, and multiply-accumulates with their binary share,
// like Larq's model summary.
package models
