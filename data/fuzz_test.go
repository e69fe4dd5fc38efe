package data

import "testing"

// FuzzIDX feeds arbitrary images and labels files (gzip or raw) to the
// IDX reader: it must return a Dataset that validates or an error, never
// panic. Seed corpus: testdata/fuzz/FuzzIDX.
func FuzzIDX(f *testing.F) {
	f.Fuzz(func(t *testing.T, images, labels []byte) {
		ib, err := maybeGunzip(images, "images")
		if err != nil {
			return
		}
		lb, err := maybeGunzip(labels, "labels")
		if err != nil {
			return
		}
		d, err := idxDataset("images", ib, "labels", lb, 0, 0, 10)
		if err != nil {
			return
		}
		d.Mean, d.Std = []float32{0.5}, []float32{0.25}
		if err := d.Validate(); err != nil {
			t.Fatalf("idxDataset returned an invalid dataset: %v", err)
		}
	})
}

// FuzzCIFAR feeds arbitrary bytes to the CIFAR-10 batch parser: it must
// return whole records with labels in range or an error, never panic.
// Seed corpus: testdata/fuzz/FuzzCIFAR.
func FuzzCIFAR(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		pixels, labels, err := parseCIFAR(b, "batch", 10, nil, nil)
		if err != nil {
			return
		}
		if len(pixels) != len(labels)*cifarImage || len(labels)*cifarRecord != len(b) {
			t.Fatalf("%d bytes gave %d labels and %d pixels", len(b), len(labels), len(pixels))
		}
		for i, y := range labels {
			if y < 0 || y >= 10 {
				t.Fatalf("label %d = %d", i, y)
			}
		}
	})
}
