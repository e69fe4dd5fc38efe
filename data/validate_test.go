package data

import (
	"math"
	"slices"
	"testing"
)

// TestDatasetValidate checks each of Validate's refusals on a dataset
// built by hand, with its message. Validate was run only on datasets the
// readers return (FuzzIDX) and on one with a label out of range
// (TestLoaderBadConfig), so the data tests passed with its class count,
// mean and std count, std sign, class names and crop checks removed.
func TestDatasetValidate(t *testing.T) {
	good := func() *Dataset {
		return &Dataset{Name: "hand", N: 2, C: 2, H: 3, W: 4, Classes: 3,
			Pixels: make([]uint8, 2*2*3*4), Labels: []int32{0, 2},
			Mean: []float32{0.5, 0.5}, Std: []float32{0.25, 0.25}, ClassNames: []string{"a", "b", "c"}}
	}
	if err := good().Validate(); err != nil {
		t.Fatalf("Validate of a good dataset: %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(d *Dataset)
		want string
	}{
		{"no channels", func(d *Dataset) { d.C = 0 }, "data: hand: shape N=2 C=0 H=3 W=4, want N ≥ 0 and positive C, H, W"},
		{"no classes", func(d *Dataset) { d.Classes = 0 }, "data: hand: 0 classes, want at least 1"},
		{"pixels short", func(d *Dataset) { d.Pixels = d.Pixels[1:] }, "data: hand: 47 pixel bytes, want N*C*H*W = 2*2*3*4 = 48"},
		{"labels short", func(d *Dataset) { d.Labels = d.Labels[:1] }, "data: hand: 1 labels for 2 images"},
		{"a mean short", func(d *Dataset) { d.Mean = d.Mean[:1] }, "data: hand: 1 means and 2 stds for 2 channels"},
		{"a std short", func(d *Dataset) { d.Std = d.Std[:1] }, "data: hand: 2 means and 1 stds for 2 channels"},
		{"class names short", func(d *Dataset) { d.ClassNames = d.ClassNames[:2] }, "data: hand: 2 class names for 3 classes"},
		{"crop too large", func(d *Dataset) { d.Crop = 4 }, "data: hand: crop 4 does not fit stored images of 3×4"},
		{"negative crop", func(d *Dataset) { d.Crop = -1 }, "data: hand: crop -1 does not fit stored images of 3×4"},
		{"zero std", func(d *Dataset) { d.Std = []float32{0.25, 0} }, "data: hand: std of channel 1 is 0, want > 0"},
		{"NaN std", func(d *Dataset) { d.Std = []float32{float32(math.NaN()), 0.25} }, "data: hand: std of channel 0 is NaN, want > 0"},
		{"label out of range", func(d *Dataset) { d.Labels = []int32{0, 3} }, "data: hand: label 3 of image 1 out of range [0, 3)"},
		{"negative label", func(d *Dataset) { d.Labels = []int32{-1, 0} }, "data: hand: label -1 of image 0 out of range [0, 3)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := good()
			d.Labels, d.ClassNames = slices.Clone(d.Labels), slices.Clone(d.ClassNames)
			tc.edit(d)
			if err := d.Validate(); err == nil || err.Error() != tc.want {
				t.Errorf("Validate() = %v, want %q", err, tc.want)
			}
		})
	}
	// No class names at all is fine: only a list of another length is not.
	d := good()
	d.ClassNames = nil
	if err := d.Validate(); err != nil {
		t.Errorf("Validate without class names: %v", err)
	}
}
