// Learning through whole training runs is slow with the portable kernels
// (about 20 s of CI's purego pass on the 2-core project machine), and
// what it checks, that an optimizer trains the network, does not depend
// on the kernels, which the purego build checks against the reference:
// the openblas build runs this test.

//go:build !purego

package suite

import (
	"context"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/internal/racebuild"
)

// TestAdamAndBopTrainResNet20 trains binary ResNet-20 (width 0.25) on the
// synthetic set (10 classes, chance 10%) with Adam and with Bop through
// the runner, and asks for a test accuracy well above chance.
func TestAdamAndBopTrainResNet20(t *testing.T) {
	// Learning only, through the runner the other race-run tests drive.
	racebuild.Skip(t, "it checks learning only, with no goroutines of its own; the openblas build runs it in full")
	const recipe = `{"name": "synthetic", "model": "resnet20", "dataset": "synthetic", "width": 0.25, "epochs": 3, "batch": 64,
 "optimizer": "sgd", "lr": 0.1, "momentum": 0.9, "weight_decay": 1e-4, "schedule": "cosine", "augment": false}`
	r, err := ParseRecipe(strings.NewReader(recipe), "synthetic")
	if err != nil {
		t.Fatal(err)
	}
	s := tinySweep(t, "ste", 1)
	s.Workload.Recipe = *r
	s.Optimizers = []string{"adam", "bop"}
	recs, err := (&Runner{Dir: t.TempDir()}).Run(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		t.Logf("%s: test top-1 %.2f%%, flip ratio of the last epoch %.4f", rec.Config.Optimizer, rec.Final.TestTop1, rec.Epochs[len(rec.Epochs)-1].FlipRatio)
		if rec.Final.TestTop1 < 30 {
			t.Errorf("%s: test top-1 %.2f%%, want at least 30%% (chance 10%%)", rec.Config.Optimizer, rec.Final.TestTop1)
		}
	}
}
