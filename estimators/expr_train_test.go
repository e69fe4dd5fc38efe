package estimators_test

import (
	"context"
	"math"
	"testing"

	"github.com/gradbench/gradbench/data"
	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/internal/racebuild"
	"github.com/gradbench/gradbench/models"
	"github.com/gradbench/gradbench/nn"
)

// TestExprTrainsLikeApproxSign trains a reduced binary ResNet-20 on the
// synthetic dataset twice from the same seed, once with approxsign and once
// with the same g written as a formula, expr:g=max(0,2-2*abs(x)), and asks
// for bit-identical training: the same loss at every step and the same
// weights at the end. (The formula's table interpolates 2 - 2|x| exactly on
// a power-of-two grid, so its kernel gives ApproxSign's values bit for
// bit; TestExprMatchesApproxSign checks the kernels alone.)
func TestExprTrainsLikeApproxSign(t *testing.T) {
	// Numerics: the pool it trains on is checked by the training tests kept under -race.
	racebuild.Skip(t, "it checks numerics only, with no goroutines of its own; the openblas and purego builds run it in full")
	epochs := 2
	if testing.Short() {
		epochs = 1
	}
	aLoss, aW := trainSynthetic(t, "approxsign", epochs)
	eLoss, eW := trainSynthetic(t, "expr:g=max(0,2-2*abs(x))", epochs)
	for i := range aLoss {
		if aLoss[i] != eLoss[i] {
			t.Fatalf("step %d: loss %v with expr, %v with approxsign", i, eLoss[i], aLoss[i])
		}
	}
	for i := range aW {
		if math.Float32bits(aW[i]) != math.Float32bits(eW[i]) {
			t.Fatalf("parameter value %d after training: %v with expr, %v with approxsign", i, eW[i], aW[i])
		}
	}
	t.Logf("%d steps, %d parameter values: identical (final loss %.4f)", len(aLoss), len(aW), aLoss[len(aLoss)-1])
	// The comparison sees a change in the fourth digit of a slope.
	if oLoss, _ := trainSynthetic(t, "expr:g=max(0,2-1.999*abs(x)),c=1.1", epochs); oLoss[len(oLoss)-1] == aLoss[len(aLoss)-1] {
		t.Errorf("a different g trains to the same final loss %v: the comparison shows nothing", aLoss[len(aLoss)-1])
	}
}

// trainSynthetic trains resnet20 at width 1/8 with spec on the synthetic
// dataset and returns the loss of every step and every parameter value.
func trainSynthetic(t *testing.T, spec string, epochs int) ([]float64, []float32) {
	t.Helper()
	ctx := context.Background()
	train, err := data.Synthetic(data.Train, data.SyntheticConfig{Seed: 1, N: 1024})
	if err != nil {
		t.Fatal(err)
	}
	c, h, w := train.BatchShape()
	m, err := models.Build("resnet20", models.Config{C: c, H: h, W: w, Classes: train.Classes, Width: 0.125,
		Binary: nn.Binary{Estimator: estimators.MustParse(spec)}}, nn.NewInit(1))
	if err != nil {
		t.Fatal(err)
	}
	const batch = 64
	l, err := data.NewLoader(train, data.Config{BatchSize: batch, Seed: 3, Shuffle: true})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	net := m.Net
	opt := nn.NewSGD(nn.Params(net), nn.SGDConfig{Momentum: 0.9, WeightDecay: 1e-4})
	sched := nn.Cosine{Base: 0.1, Steps: epochs * l.Batches()}
	var ce nn.SoftmaxCrossEntropy
	labels := make([]int, batch)
	var losses []float64
	for e := range epochs {
		nn.SetProgress(net, nn.Progress{Epoch: e, Epochs: epochs})
		nn.SetTraining(net, true)
		it := l.Epoch(ctx, e)
		for it.Next() {
			b := it.Batch()
			for i, y := range b.Y {
				labels[i] = int(y)
			}
			losses = append(losses, ce.Forward(net.Forward(&nn.Tensor{N: b.N, C: b.C, H: b.H, W: b.W, Data: b.X}), labels[:b.N]))
			net.Backward(ce.Backward())
			opt.Step(sched.LR(len(losses) - 1))
		}
		if err := it.Err(); err != nil {
			t.Fatal(err)
		}
		it.Close()
	}
	var ws []float32
	for _, p := range nn.Params(net) {
		ws = append(ws, p.Data...)
	}
	return losses, ws
}
