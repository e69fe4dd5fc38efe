package suite

import (
	"errors"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/estimators"
)

// TestUnknownRunEstimator: a run record or model file made by a build
// with an estimator of its own (README, "Bring your own estimator") names
// an estimator this build lacks. Export, fidelity and eval say so, and
// what to do, rather than call the model file malformed and perhaps "not
// written by gradbench export", as eval did for a file export wrote.
func TestUnknownRunEstimator(t *testing.T) {
	const spec = "sigmoid-not-registered:k=2"
	const hint = spec + " was trained by a build of gradbench with that estimator compiled in, and this one lacks it; use that build"
	_, err := RunSpec("both", spec)
	if !errors.Is(err, estimators.ErrUnknown) || !strings.Contains(err.Error(), `unknown estimator "sigmoid-not-registered"`) || !strings.Contains(err.Error(), hint) {
		t.Errorf("RunSpec(%s) = %v, want the unknown estimator named and %q", spec, err, hint)
	}
	mc := ModelConfig{Model: "resnet20", Dataset: "fashion-mnist", C: 1, H: 28, W: 28, Classes: 10, Width: 0.5, Binarize: "both", Estimator: spec}
	_, err = modelConfigOf(mc.meta())
	if err == nil || strings.Contains(err.Error(), "malformed") || strings.Contains(err.Error(), "not written by gradbench export") || !strings.Contains(err.Error(), hint) {
		t.Errorf("model file of %s: %v, want %q and not a malformed file", spec, err, hint)
	}
	// A spec that is malformed is still said to be.
	mc.Estimator = "fda:omega=x"
	if _, err := modelConfigOf(mc.meta()); err == nil || !strings.Contains(err.Error(), "metadata estimator = ") {
		t.Errorf("model file of %s: %v, want the metadata named as malformed", mc.Estimator, err)
	}
}
