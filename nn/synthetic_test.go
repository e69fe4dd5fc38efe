// Learning through whole training runs is slow with the portable kernels
// (about a minute of CI's purego pass on the 2-core project machine), and
// what it checks, that the engine learns, does not depend on the kernels:
// the purego build checks its kernels against the reference and the
// float64 oracle. Of the builds the README's test command makes, the
// openblas build runs this test, not the simd build, whose one change,
// the XNOR kernels, internal/bitconv's tests check against the float
// convolution and internal/steptest's golden test pins, bit for bit, to
// the assembly kernels this test trains on in the openblas build (about
// 10 s of a cold .ci/run).

//go:build !purego && !goexperiment.simd

package nn

import (
	"context"
	"testing"

	"github.com/gradbench/gradbench/data"
	"github.com/gradbench/gradbench/internal/racebuild"
)

// TestTrainsOnSyntheticDataset trains the two-block binarized network on
// the data package's synthetic dataset (the one the suite's tests and CI
// use; 10 classes, chance 10%) for ten epochs, with STE and with FDA plus
// noise adaptation, and asks for a test accuracy clearly above chance.
// Only this test file imports data: nn itself knows nothing of datasets.
func TestTrainsOnSyntheticDataset(t *testing.T) {
	// Learning only, on the engine pool every race-run test exercises.
	racebuild.Skip(t, "it checks learning only, with no goroutines of its own; the openblas build runs it in full")
	ctx := context.Background()
	cfg := data.SyntheticConfig{Seed: 1}
	train, err := data.Synthetic(data.Train, cfg)
	if err != nil {
		t.Fatal(err)
	}
	test, err := data.Synthetic(data.Test, cfg)
	if err != nil {
		t.Fatal(err)
	}
	const epochs, batch = 10, 64
	for _, spec := range []string{"ste", "fda+na"} {
		t.Run(spec, func(t *testing.T) {
			net := twoBlockNet(t, spec, 3, 16, train.Classes)
			tl, err := data.NewLoader(train, data.Config{BatchSize: batch, Seed: 3, Shuffle: true})
			if err != nil {
				t.Fatal(err)
			}
			defer tl.Close()
			opt := NewSGD(Params(net), SGDConfig{Momentum: 0.9, WeightDecay: 1e-4})
			sched := Cosine{Base: 0.05, Steps: epochs * tl.Batches()}
			var ce SoftmaxCrossEntropy
			labels := make([]int, batch)
			step := 0
			for e := range epochs {
				SetProgress(net, Progress{Epoch: e, Epochs: epochs})
				SetTraining(net, true)
				it := tl.Epoch(ctx, e)
				for it.Next() {
					b := it.Batch()
					x := &Tensor{N: b.N, C: b.C, H: b.H, W: b.W, Data: b.X}
					for i, y := range b.Y {
						labels[i] = int(y)
					}
					ce.Forward(net.Forward(x), labels[:b.N])
					net.Backward(ce.Backward())
					opt.Step(sched.LR(step))
					step++
				}
				if err := it.Err(); err != nil {
					t.Fatal(err)
				}
				it.Close()
			}

			SetTraining(net, false)
			el, err := data.NewLoader(test, data.EvalConfig(256))
			if err != nil {
				t.Fatal(err)
			}
			defer el.Close()
			correct, seen := 0, 0
			it := el.Epoch(ctx, 0)
			for it.Next() {
				b := it.Batch()
				x := &Tensor{N: b.N, C: b.C, H: b.H, W: b.W, Data: b.X}
				ls := make([]int, b.N)
				for i, y := range b.Y {
					ls[i] = int(y)
				}
				correct += Correct(net.Forward(x), ls)
				seen += b.N
			}
			if err := it.Err(); err != nil {
				t.Fatal(err)
			}
			it.Close()
			acc := float64(correct) / float64(seen)
			t.Logf("%s: test accuracy %.3f after %d epochs on %d synthetic images", spec, acc, epochs, train.N)
			if acc < 0.4 {
				t.Errorf("%s: test accuracy %.3f, want >= 0.4 (chance 0.1)", spec, acc)
			}
		})
	}
}
