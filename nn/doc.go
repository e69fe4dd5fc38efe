// Package nn is gradbench's training engine: NCHW float32 tensors and
// layers with explicit forward and backward passes over preallocated
// buffers, the binary layers that use an estimators.Estimator, noise
// adaptation, optimizers and learning-rate schedules. It knows nothing of
// datasets or recipes.
//
// # Layers
//
// A [Layer] has Forward(x) and Backward(dy). Forward returns an output the
// layer owns and keeps x for Backward; Backward adds the parameter
// gradients to each [Param]'s Grad and returns the input gradient. Buffers
// are sized on first use by capacity and reused: a training step in steady
// state allocates nothing, and a smaller last batch reuses the larger
// buffers.
//
// The layers are [Conv2d] (GEMM through package gemm, which reads the
// rows of an implicit im2col matrix in place), [Linear],
// [BatchNorm] (NewBatchNorm2d, NewBatchNorm1d), [ReLU], [Hardtanh],
// [PReLU], [MaxPool2d], [AvgPool2d], [GlobalAvgPool], [Flatten], and the
// binary [BinaryConv2d] and [BinaryLinear] with their [NoiseAdaptation]
// modules. [SoftmaxCrossEntropy] is the loss.
//
// # Composing a network
//
// [Sequential] runs layers in order and [Residual] adds a shortcut around a
// body. Both are [Parent]s, so [Walk] reaches every layer, and the
// functions built on it configure a whole network at once:
//
//   - [Params] lists the trainable parameters (weights, BatchNorm's γ and
//     β, PReLU slopes, noise-adaptation W1 and W2, learnable estimator
//     scalars) for the optimizer, in a fixed order;
//   - [SetTraining] switches between training and evaluation mode
//     (BatchNorm statistics, noise adaptation on or off);
//   - [SetProgress] tells every layer the epoch: binary layers pass p to
//     their estimators' schedules and set the noise-adaptation weight α;
//   - [Buffers] lists the non-trainable state that checkpoints save.
//
// Layers find out what they take part in through small optional
// interfaces ([Parametric], [Stateful], [ModeSetter], [ProgressSetter]),
// so a new layer type needs no registration.
//
// # Training
//
// A step is
//
//	logits := net.Forward(x)
//	loss := ce.Forward(logits, labels)
//	net.Backward(ce.Backward())
//	opt.Step(sched.LR(step))
//
// with [SGD] or [Adam] and a [Schedule] ([Cosine] or [Constant]). All randomness of a run comes from [Stream]s derived from
// its seed; layer constructors draw initial weights from [Init], whose
// separate streams keep the base weights identical with and without noise
// adaptation. Parallel reductions run in a fixed order, so the same seed
// gives bit-identical weights and losses on the same machine.
//
// # Passes over memory
//
// Outside the convolutions the layers do little arithmetic per value, so
// their cost is their passes over memory. BatchNorm makes two per
// direction, each over ranges of images with all their channels, so that
// it reads memory in order: forward, the two moments of every row, then
// the normalisation; backward, Σdy and Σdy·x̂ of every row, then the
// input gradient. The rows' sums are added per channel over the images
// in order between the two, so the split over the cores changes no bit.
// When a convolution precedes BatchNorm in a [Sequential] (a residual
// body, a downsampling shortcut), the second backward pass is the
// convolution's: it computes each plane of BatchNorm's input gradient,
// with the same kernel, as it fills its grid of output gradients, and
// that gradient is never written as a tensor.
// A [Residual] runs its shortcut first and hands its result to the body,
// whose last layer adds it in its own pass (BatchNorm writes its
// normalised output plus the shortcut), and in Backward its first layer
// adds the shortcut's input gradient; a layer that cannot leaves the sum
// to a separate pass. Fused or not, the sums are the same bits.
//
// Package nn/checkpoint saves and restores the training state.
//
// # Implementations
//
// The elementwise loops of BatchNorm, the residual add and the noise
// adaptation module, the row copies of the convolutions' grids, and the
// lookup-table backward products of binary convolutions (see
// [SetBinaryBackward]) follow the kernel-selection convention of every gradbench package with
// alternative kernels (internal/impl, with estimators, gemm and xnor):
// [Impl] names the implementation in use,
// "avx512" (Go assembly on amd64 CPUs with AVX-512 as well: AVX-512
// variants of the kernels where they measure faster, bit for bit the AVX2
// ones, and the AVX2 ones elsewhere), "avx2" (Go assembly on amd64 CPUs
// with AVX2 and FMA) or "go" (portable loops, on other CPUs and
// architectures and under the build tag purego), [Impls] those this build
// and CPU can run, and [SetImpl] selects one for tests and benchmarks. The
// assembly and the portable loops round differently (the assembly sums in
// vector lanes and fuses multiply-adds), so a run's numbers depend on
// whether the assembly runs, as on the CPU type; all are deterministic. The lookup
// tables run where the selected implementation beats the GEMM with them
// (the assembly; for the input gradient also the portable loops when the
// GEMM is portable too). The
// matrix products are package gemm's (gemm.Impl).
package nn
