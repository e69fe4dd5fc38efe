package data

import (
	"strings"
	"testing"
)

// TestDigest: a split's digest covers its pixels, its labels and its
// shape, so that files other than a run's (a pixel changed, the other
// split's, cut down) give another digest; a copy gives the same.
func TestDigest(t *testing.T) {
	pixels, labels := testImages(4, 28, 28, 10)
	d := &Dataset{Name: "fashion-mnist", N: 4, C: 1, H: 28, W: 28, Classes: 10, Pixels: pixels, Labels: make([]int32, 4)}
	for i, y := range labels {
		d.Labels[i] = int32(y)
	}
	want := d.Digest()
	if !strings.HasPrefix(want, "sha256:") || len(want) != len("sha256:")+64 {
		t.Fatalf("digest %q, want sha256: and 64 hex digits", want)
	}
	cp := *d
	cp.Pixels, cp.Labels = append([]uint8(nil), d.Pixels...), append([]int32(nil), d.Labels...)
	if got := cp.Digest(); got != want {
		t.Errorf("a copy's digest %s, want %s", got, want)
	}
	for name, edit := range map[string]func(*Dataset){
		"one pixel":  func(d *Dataset) { d.Pixels[100]++ },
		"one label":  func(d *Dataset) { d.Labels[2] = (d.Labels[2] + 1) % 10 },
		"cut down":   func(d *Dataset) { d.N, d.Pixels, d.Labels = 3, d.Pixels[:3*784], d.Labels[:3] },
		"reshaped":   func(d *Dataset) { d.H, d.W = 14, 56 },
		"classes":    func(d *Dataset) { d.Classes = 11 },
		"other crop": func(d *Dataset) { d.Crop = 24 },
	} {
		e := *d
		e.Pixels, e.Labels = append([]uint8(nil), d.Pixels...), append([]int32(nil), d.Labels...)
		edit(&e)
		if e.Digest() == want {
			t.Errorf("%s: same digest as the split's", name)
		}
	}
}
