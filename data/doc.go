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
//	name           images (train/test)  shape          classes   mean / std of pixel/255
//	fashion-mnist  60000 / 10000        1×28×28        10        0.2860 / 0.3530
//	mnist          60000 / 10000        1×28×28        10        0.1307 / 0.3081
//	cifar10        50000 / 10000        3×32×32        10        (0.4914, 0.4822, 0.4465) / (0.2470, 0.2435, 0.2616)
//	imagenet       any                  3×R×R          folders   (0.485, 0.456, 0.406) / (0.229, 0.224, 0.225)
//	synthetic      any (2048 / 512)     any (1×16×16)  any (10)  0.5 / 0.25 (fixed, see [Synthetic])
//
// The statistics are the customary published ones, the same for both
// splits (CIFAR-10's are the per-channel mean and std over the 50000
// training images; ImageNet's are those of torchvision's pretrained models).
//
// [Open] returns a split of a dataset by name; [OpenSplits] both.
// [Synthetic] generates a deterministic dataset with learnable class
// structure, of any size; tests and CI use it. It is never a default for a
// user.
//
// # Finding and downloading
//
// Open looks for the files of a real dataset in, in order: an explicit
// directory (Options.Dir, the command line's --data: the files in it or in
// DIR/<name>; when given, nothing else is searched and nothing is
// downloaded), $GRADBENCH_DATA/<name> (when the variable is set, it must
// name a directory), the user cache
// (os.UserCacheDir()/gradbench/<name>, ~/.cache/gradbench on Linux), and
// /usr/share/datasets/<name>, where Debian's dataset-fashion-mnist
// package installs Fashion-MNIST. The files are those the publishers
// distribute:
//
//	fashion-mnist, mnist  {train,t10k}-{images-idx3,labels-idx1}-ubyte, gzip-compressed (.gz) or not
//	cifar10               data_batch_1.bin … data_batch_5.bin, test_batch.bin (or in cifar-10-batches-bin/)
//	imagenet              train/CLASS/*.{JPEG,jpg,jpeg,png}, val/CLASS/...
//
// A file found twice (compressed and not, or a CIFAR-10 batch both in the
// directory and in its cifar-10-batches-bin/), or a split in both
// Options.Dir and Options.Dir/<name>, is an error naming both: none is
// preferred to the other.
//
// Where the split is found nowhere, Fashion-MNIST, MNIST and CIFAR-10 are
// downloaded into the user cache from their official locations (Options.BaseURL
// names a mirror instead), with a progress report on Options.Progress.
// Each file goes to a temporary file that is renamed into place only
// after its size and SHA-256 match the pinned values, so an interrupted
// or corrupt download leaves nothing behind; CIFAR-10's tar.gz is
// extracted the same way and then removed. ImageNet is never downloaded.
//
// Every malformed input is an error naming the file and saying what was
// expected and what was found: a truncated file, a wrong IDX magic or
// image size, image and label counts that differ, a label out of range,
// a CIFAR-10 file whose size is not a multiple of 3073 bytes, a missing
// batch file, an empty class folder, an undecodable image, a corrupt gzip
// stream. The IDX and CIFAR-10 parsers are fuzzed (FuzzIDX, FuzzCIFAR).
//
// # ImageNet-style folders
//
// The classes are the sorted folder names of train/ (ClassNames), so any
// subset works: ImageNet-1k, ImageNet-100, Imagenette. Images are decoded
// with the standard library (JPEG, PNG) on every core, and resized with a
// bilinear filter (golang.org/x/image/draw, antialiased when shrinking) so
// that the shorter side is S = Options.Resolution·256/224 (256 for the
// default resolution 224); the central S×S square is kept in memory as
// uint8. Training batches take a random Resolution×Resolution crop of it
// and evaluation batches the central one (Dataset.Crop), the usual
// resize-256-crop-224 protocol. The whole split lives in memory:
// Options.MemoryLimit (16 GiB by default) turns a split that would not fit
// into an error that suggests a subset or a smaller resolution.
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
