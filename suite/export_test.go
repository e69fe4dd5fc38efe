package suite

import (
	"strings"
	"testing"
)

// TestModelConfigMeta: a model file's metadata reads back as the
// configuration that wrote it, and a missing or malformed entry is named.
func TestModelConfigMeta(t *testing.T) {
	mc := ModelConfig{Model: "resnet20", Dataset: "fashion-mnist", C: 1, H: 28, W: 28, Classes: 10, Width: 0.5, Binarize: "both", Estimator: "fda+na"}
	got, err := modelConfigOf(mc.meta())
	if err != nil || got != mc {
		t.Fatalf("modelConfigOf(meta()) = %+v, %v; want %+v", got, err, mc)
	}
	for _, key := range []string{"model", "dataset", "input", "classes", "width"} {
		meta := mc.meta()
		meta[key] = ""
		if key == "input" {
			meta[key] = "1x28"
		}
		if _, err := modelConfigOf(meta); err == nil || !strings.Contains(err.Error(), "metadata "+key+" = ") {
			t.Errorf("metadata without %s: error %v, want one naming it", key, err)
		}
	}
}
