// Package data defines what a dataset is for gradbench: labelled images held
// compactly as uint8 in memory, the loaders that find and read them, and the
// Loader that cuts them into shuffled, augmented, normalized float32 batches.
// It knows nothing of networks or training: it produces NCHW []float32
// batches and []int32 labels.
//
// # Datasets
//
// A [Dataset] is one split (train or test) of one dataset:
//
//	name           images (train/test)   shape     classes  mean / std of pixel/255
//	fashion-mnist  60000 / 10000         1×28×28   10       0.2860 / 0.3530
//	mnist          60000 / 10000         1×28×28   10       0.1307 / 0.3081
//	cifar10        50000 / 10000         3×32×32   10       (0.4914, 0.4822, 0.4465) / (0.2470, 0.2435, 0.2616)
//	imagenet       any                   3×R×R     folders  (0.485, 0.456, 0.406) / (0.229, 0.224, 0.225)
//	synthetic      any (2048 / 512)      any (1×16×16) any (10) 0.5 / 0.25 (fixed, see [Synthetic])
//
// The statistics are the customary published ones, the same for both
// splits (CIFAR-10's are the per-channel mean and std over the 50000
// training images; ImageNet's are those of torchvision's pretrained models).
//
// [Synthetic] generates a deterministic dataset with learnable class
// structure, of any size; tests and CI use it. It is never a default for a
// user.
//
// # Batches
//
// A [Loader] turns a Dataset and a [Config] into batches: [TrainConfig]
// shuffles every epoch and applies the spec's augmentation (random crop
// with zero padding 2 for 28×28 and 4 for 32×32 images, horizontal flip;
// see [DefaultAugment]); [EvalConfig] keeps dataset order and augments
// nothing. Batches are normalized with the dataset's Mean and Std:
// x = (pixel/255 − Mean[c]) / Std[c].
//
// All randomness flows from Config.Seed through math/rand/v2 PCG streams
// keyed by purpose: the order of epoch e depends only on (seed, e), the
// crops and flips of batch b of epoch e only on (seed, e, b), the subset
// only on the seed. A run resumed at epoch e sees exactly the batches an
// uninterrupted run would, and every estimator of a sweep sees the same
// batches.
//
// The next batches are prepared on a background goroutine (Config.Prefetch,
// default 2) into buffers allocated once per Loader; steady-state iteration
// allocates nothing per batch. Close each epoch's iterator (or the Loader)
// to stop its goroutine; a context cancels it too.
package data
