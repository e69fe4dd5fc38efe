package data

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
)

// Split names one half of a dataset: the training set or the test set (the
// validation set, for ImageNet-style folders).
type Split int

const (
	Train Split = iota // the training set
	Test               // the test set; "val" for ImageNet-style folders
)

// String returns "train" or "test".
func (s Split) String() string {
	switch s {
	case Train:
		return "train"
	case Test:
		return "test"
	}
	return fmt.Sprintf("Split(%d)", int(s))
}

// A Dataset is one split of a labelled image dataset held in memory as
// uint8 pixels, one byte per channel value, in NCHW order: image i, channel
// c, row y, column x is Pixels[((i*C+c)*H+y)*W+x]. Labels[i] is the class of
// image i, in [0, Classes).
//
// A Dataset is read-only once built: iterators share it between goroutines.
type Dataset struct {
	Name    string // "fashion-mnist", "mnist", "cifar10", "imagenet", "synthetic"
	Split   Split
	N       int // number of images
	C, H, W int // channels, height and width of each stored image
	Classes int // number of classes; labels are in [0, Classes)

	// ClassNames holds a readable name per class where the dataset has them
	// (the folder names of an ImageNet-style tree); nil otherwise.
	ClassNames []string

	// Mean and Std hold, per channel, the statistics of pixel/255 that the
	// iterators normalize with: x = (pixel/255 - Mean[c]) / Std[c].
	// They are the dataset's customary published values (see the package
	// documentation), the same for both splits.
	Mean, Std []float32

	// Crop, when non-zero, is the side of the square that batches are cut to:
	// a random Crop×Crop window in training, the centered one in evaluation.
	// The ImageNet-style loader stores training images larger than the
	// network input so that the random crop has room to move. Zero means
	// batches have the stored H×W.
	Crop int

	// Source is the directory the split was read from; empty for a
	// generated dataset. Files are the files it was read from (for an
	// ImageNet-style split, its class-folder tree's directory); nil for a
	// generated dataset. A command that writes files checks its outputs
	// against them, so as not to replace a dataset it read.
	Source string
	Files  []string

	Pixels []uint8 // N*C*H*W values, NCHW
	Labels []int32 // N labels in [0, Classes)
}

// ImageSize returns C*H*W, the number of bytes of one stored image.
func (d *Dataset) ImageSize() int { return d.C * d.H * d.W }

// BatchShape returns the channels, height and width of the images that
// iterators yield: C×Crop×Crop when Crop is set, C×H×W otherwise.
func (d *Dataset) BatchShape() (c, h, w int) {
	if d.Crop > 0 {
		return d.C, d.Crop, d.Crop
	}
	return d.C, d.H, d.W
}

// Image returns the C*H*W pixels of image i, sharing memory with d.Pixels.
func (d *Dataset) Image(i int) []uint8 {
	n := d.ImageSize()
	return d.Pixels[i*n : (i+1)*n : (i+1)*n]
}

// String returns a one-line summary, e.g.
// "fashion-mnist train: 60000 images 1×28×28, 10 classes".
func (d *Dataset) String() string {
	return fmt.Sprintf("%s %s: %d images %d×%d×%d, %d classes", d.Name, d.Split, d.N, d.C, d.H, d.W, d.Classes)
}

// Validate checks that the fields agree with each other: positive shape,
// len(Pixels) = N*C*H*W, len(Labels) = N, every label in [0, Classes), one
// mean and a positive std per channel, ClassNames empty or one per class,
// and Crop no larger than the stored image. Loaders validate what they
// return; call it on a Dataset built by hand.
func (d *Dataset) Validate() error {
	name := d.Name
	if name == "" {
		name = "dataset"
	}
	switch {
	case d.N < 0 || d.C <= 0 || d.H <= 0 || d.W <= 0:
		return fmt.Errorf("data: %s: shape N=%d C=%d H=%d W=%d, want N ≥ 0 and positive C, H, W", name, d.N, d.C, d.H, d.W)
	case d.Classes <= 0:
		return fmt.Errorf("data: %s: %d classes, want at least 1", name, d.Classes)
	case len(d.Pixels) != d.N*d.ImageSize():
		return fmt.Errorf("data: %s: %d pixel bytes, want N*C*H*W = %d*%d*%d*%d = %d", name, len(d.Pixels), d.N, d.C, d.H, d.W, d.N*d.ImageSize())
	case len(d.Labels) != d.N:
		return fmt.Errorf("data: %s: %d labels for %d images", name, len(d.Labels), d.N)
	case len(d.Mean) != d.C || len(d.Std) != d.C:
		return fmt.Errorf("data: %s: %d means and %d stds for %d channels", name, len(d.Mean), len(d.Std), d.C)
	case d.ClassNames != nil && len(d.ClassNames) != d.Classes:
		return fmt.Errorf("data: %s: %d class names for %d classes", name, len(d.ClassNames), d.Classes)
	case d.Crop < 0 || d.Crop > d.H || d.Crop > d.W:
		return fmt.Errorf("data: %s: crop %d does not fit stored images of %d×%d", name, d.Crop, d.H, d.W)
	}
	for c, s := range d.Std {
		if !(s > 0) {
			return fmt.Errorf("data: %s: std of channel %d is %v, want > 0", name, c, s)
		}
	}
	for i, y := range d.Labels {
		if y < 0 || int(y) >= d.Classes {
			return fmt.Errorf("data: %s: label %d of image %d out of range [0, %d)", name, y, i, d.Classes)
		}
	}
	return nil
}

// ClassCounts returns the number of images of each class.
func (d *Dataset) ClassCounts() []int {
	counts := make([]int, d.Classes)
	for _, y := range d.Labels {
		counts[y]++
	}
	return counts
}

// Digest returns "sha256:" and the hex SHA-256 of the split's contents
// as loaded: its shape (N, C, H, W, classes and crop), its pixels and its
// labels (little-endian int32), in that order. Two splits with the same
// digest hold the same images with the same labels in the same order,
// whatever files they were read from; a byte changed anywhere, images
// cut, added or reordered, or the other split's files, give another. It
// reads every pixel once (tens of milliseconds for Fashion-MNIST's
// training split): callers that need it more than once keep it.
func (d *Dataset) Digest() string {
	h := sha256.New()
	fmt.Fprintf(h, "gradbench data: %d images %d×%d×%d, %d classes, crop %d\n", d.N, d.C, d.H, d.W, d.Classes, d.Crop)
	h.Write(d.Pixels)
	b := make([]byte, 4*len(d.Labels))
	for i, y := range d.Labels {
		binary.LittleEndian.PutUint32(b[4*i:], uint32(y))
	}
	h.Write(b)
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}
