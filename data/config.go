package data

// Augment describes the random transformations applied to training
// images, in this order: random crop, horizontal flip. The zero value
// applies none (evaluation): images are center-cropped to the batch size
// when Dataset.Crop is set and passed whole otherwise.
type Augment struct {
	// Crop takes a random window of the batch size (Dataset.BatchShape)
	// from the image zero-padded by Pad pixels on every side, Pad less
	// than the batch's height and width (so that every crop shows part of
	// the image). Padding is with black pixels (value 0 before
	// normalization), as torchvision's RandomCrop(padding=Pad) followed by
	// Normalize.
	Crop bool
	Pad  int
	// Flip mirrors each image left-right with probability 1/2.
	Flip bool
}

// DefaultAugment returns the augmentation of docs/workloads.md for d:
// random crop with zero padding 2 for images smaller than 32×32 (28×28
// Fashion-MNIST and MNIST) and 4 from 32×32 up (CIFAR-10), plus horizontal
// flip, for every dataset (the spec asks for both everywhere, so Fashion-
// MNIST and MNIST are flipped too, although a mirrored digit is not always
// the same digit). Where the dataset stores images larger than the batch
// size (Dataset.Crop, ImageNet-style training images) the crop moves
// within the stored margin and Pad is 0.
func DefaultAugment(d *Dataset) Augment {
	switch {
	case d.Crop > 0:
		return Augment{Crop: true, Flip: true}
	case min(d.H, d.W) < 32:
		return Augment{Crop: true, Pad: 2, Flip: true}
	}
	return Augment{Crop: true, Pad: 4, Flip: true}
}

// Config configures a Loader. The zero value of each field is its default,
// except BatchSize, which must be set.
type Config struct {
	// BatchSize is the number of images per batch; required, and at
	// most the number of images the loader reads (a larger one would
	// silently be one batch of all of them).
	BatchSize int
	Seed      uint64 // the run seed: order, subset and augmentation flow from it

	// Shuffle draws a new permutation each epoch from (Seed, epoch).
	// Without it batches follow dataset (or subset) order.
	Shuffle bool

	// Augment applies random transformations, drawn per batch from
	// (Seed, epoch, batch index). The zero value applies none.
	Augment Augment

	// DropLast drops the last batch of an epoch when it is smaller than
	// BatchSize. By default (false) it is kept, so every image is seen once
	// per epoch and evaluation covers the whole split.
	DropLast bool

	// Subset, when positive and smaller than the split, restricts the
	// loader to that many images, chosen once from Seed and stratified by
	// class (each class keeps its share, rounded by largest remainder).
	// A Subset of the split's size means the whole split; a larger one is
	// refused. With Holdout, the subset is drawn from the images not held
	// out, and may be at most their number.
	Subset int

	// Holdout, when positive, holds that many images of the split out as
	// a validation part, chosen once from Seed and stratified by class
	// like Subset, independently of Subset and of the epochs' order. The
	// loader then reads the other images, or with Validation the held-out
	// ones alone: two loaders with the same Seed and Holdout, one of each,
	// never share an image. Holdout must be smaller than the split.
	Holdout    int
	Validation bool

	// Prefetch is the number of batches prepared ahead on a background
	// goroutine, at most the batches of an epoch; 0 means 2 (1 when an
	// epoch has a single batch).
	Prefetch int
}

// TrainConfig returns the training configuration of the spec's recipes
// for d: shuffled every epoch, DefaultAugment, last partial batch kept.
func TrainConfig(d *Dataset, batchSize int, seed uint64) Config {
	return Config{BatchSize: batchSize, Seed: seed, Shuffle: true, Augment: DefaultAugment(d)}
}

// EvalConfig returns the evaluation configuration: dataset order, no
// augmentation, every image once.
func EvalConfig(batchSize int) Config {
	return Config{BatchSize: batchSize}
}
