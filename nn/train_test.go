package nn

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/internal/racebuild"
)

// synthetic returns n images of 1×size×size in k classes: class c is a
// stripe pattern at angle πc/k with a random phase per image, plus Gaussian
// noise of the same amplitude. The class is a local texture, which a small
// convolutional network with global average pooling can learn. The data
// package's synthetic dataset is what the suite uses; this generator keeps
// nn's tests independent of it.
func synthetic(seed uint64, n, k, size int, part uint64) (*Tensor, []int) {
	r := Stream(seed, "test/images", part)
	x := NewTensor(n, 1, size, size)
	labels := make([]int, n)
	for i := range n {
		c := r.IntN(k)
		labels[i] = c
		theta := math.Pi * float64(c) / float64(k)
		cos, sin := math.Cos(theta), math.Sin(theta)
		phase := 2 * math.Pi * r.Float64()
		for y := range size {
			for xx := range size {
				v := math.Sin(2*math.Pi*0.25*(float64(xx)*cos+float64(y)*sin) + phase)
				x.Data[(i*size+y)*size+xx] = float32(v + r.NormFloat64())
			}
		}
	}
	return x, labels
}

// twoBlockNet is a binarized network with two Bi-Real units: FP stem conv +
// BN, then twice PReLU(BN(BinaryConv3x3(x)) + x) (the resnet18 unit of
// docs/workloads.md), global average pooling and a FP linear classifier.
func twoBlockNet(t testing.TB, spec string, seed uint64, width, classes int) Layer {
	init := NewInit(seed)
	unit := func() Layer {
		c, err := NewBinaryConv2d(Conv{In: width, Out: width, Kernel: 3, Pad: 1},
			Binary{Estimator: estimators.MustParse(spec)}, init)
		if err != nil {
			t.Fatal(err)
		}
		return Sequential{&Residual{Body: Sequential{c, NewBatchNorm2d(width)}}, NewPReLU(width)}
	}
	return Sequential{
		NewConv2d(Conv{In: 1, Out: width, Kernel: 3, Pad: 1, SkipInputGrad: true}, init),
		NewBatchNorm2d(width),
		unit(),
		unit(),
		NewGlobalAvgPool(),
		NewLinear(width, classes, true, init),
	}
}

// run trains net for the given epochs on (x, labels) in batches (the last
// one smaller) and returns the per-step losses.
func run(net Layer, x *Tensor, labels []int, epochs, batch int, lr float64, seed uint64) []float64 {
	return runWith(net, x, labels, epochs, batch, lr, seed, nil)
}

// runWith is run, calling afterBackward (if not nil) after every step's
// backward pass, before the optimizer's step.
func runWith(net Layer, x *Tensor, labels []int, epochs, batch int, lr float64, seed uint64, afterBackward func()) []float64 {
	steps := epochs * ((x.N + batch - 1) / batch)
	opt := NewSGD(Params(net), SGDConfig{Momentum: 0.9, WeightDecay: 1e-4})
	sched := Cosine{Base: lr, Steps: steps}
	var ce SoftmaxCrossEntropy
	var losses []float64
	sample := x.Sample()
	xb := &Tensor{}
	lb := make([]int, batch)
	order := make([]int, x.N)
	step := 0
	for e := range epochs {
		SetProgress(net, Progress{Epoch: e, Epochs: epochs})
		SetTraining(net, true)
		r := Stream(seed, "test/order", uint64(e))
		for i := range order {
			order[i] = i
		}
		r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		buf := make([]float32, batch*sample)
		for b0 := 0; b0 < x.N; b0 += batch {
			n := min(batch, x.N-b0)
			for i := range n {
				copy(buf[i*sample:][:sample], x.Data[order[b0+i]*sample:][:sample])
				lb[i] = labels[order[b0+i]]
			}
			*xb = Tensor{N: n, C: x.C, H: x.H, W: x.W, Data: buf[:n*sample]}
			losses = append(losses, ce.Forward(net.Forward(xb), lb[:n]))
			net.Backward(ce.Backward())
			if afterBackward != nil {
				afterBackward()
			}
			opt.Step(sched.LR(step))
			step++
		}
	}
	return losses
}

func accuracy(net Layer, x *Tensor, labels []int) float64 {
	SetTraining(net, false)
	defer SetTraining(net, true)
	return float64(Correct(net.Forward(x), labels)) / float64(len(labels))
}

// TestTrainsAboveChance trains the two-block binarized network on a small
// synthetic problem (4 classes, chance 25%) with STE and with FDA plus
// noise adaptation, and asks for a held-out accuracy far above chance.
func TestTrainsAboveChance(t *testing.T) {
	// Learning only: TestDeterminism trains this network with noise
	// adaptation, and TestDeterminismAcrossCores one without, under the
	// race detector.
	racebuild.Skip(t, "it checks learning only, with no goroutines of its own; the openblas, purego and simd builds run it in full")
	specs := []string{"ste", "fda+na"}
	const classes = 4
	x, labels := synthetic(1, 512, classes, 8, 0)
	tx, tl := synthetic(1, 256, classes, 8, 1)
	for _, spec := range specs {
		t.Run(spec, func(t *testing.T) {
			net := twoBlockNet(t, spec, 1, 8, classes)
			before := accuracy(net, tx, tl)
			losses := run(net, x, labels, 6, 32, 0.2, 1)
			acc := accuracy(net, tx, tl)
			t.Logf("%s: test accuracy %.3f before, %.3f after; loss %.3f -> %.3f", spec, before, acc, losses[0], losses[len(losses)-1])
			if acc < 0.7 {
				t.Errorf("%s: test accuracy %.3f after training, want >= 0.7 (chance 0.25)", spec, acc)
			}
		})
	}
}

// TestDeterminism trains twice from the same seed and asks for bit-identical
// losses and weights; a different seed must differ.
func TestDeterminism(t *testing.T) {
	x, labels := synthetic(2, 200, 3, 8, 0)
	train := func(seed uint64) ([]float64, []float32) {
		net := twoBlockNet(t, "ste+na", seed, 8, 3)
		losses := run(net, x, labels, 2, 64, 0.05, seed)
		var w []float32
		for _, p := range Params(net) {
			w = append(w, p.Data...)
		}
		return losses, w
	}
	l1, w1 := train(5)
	l2, w2 := train(5)
	if !slices.Equal(l1, l2) || !slices.Equal(w1, w2) {
		t.Errorf("two runs with seed 5 differ:\n%v\n%v", l1, l2)
	}
	l3, _ := train(6)
	if slices.Equal(l1, l3) {
		t.Errorf("seeds 5 and 6 give the same losses")
	}
}

// TestSteadyStateAllocs checks that Forward+Backward of the hot layers
// allocate nothing once their buffers exist, including for a smaller batch
// after a larger one (the last batch of an epoch).
func TestSteadyStateAllocs(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	bc := func(spec string) Layer {
		l, err := NewBinaryConv2d(Conv{In: 16, Out: 16, Kernel: 3, Pad: 1}, Binary{Estimator: estimators.MustParse(spec)}, NewInit(1))
		if err != nil {
			t.Fatal(err)
		}
		SetProgress(l, Progress{Epoch: 0, Epochs: 10})
		return l
	}
	layers := []struct {
		name string
		l    Layer
		c    int
	}{
		{"conv", NewConv2d(Conv{In: 16, Out: 32, Kernel: 3, Stride: 2, Pad: 1}, NewInit(1)), 16},
		{"batchnorm", NewBatchNorm2d(16), 16},
		{"binaryconv/ste", bc("ste"), 16},
		{"binaryconv/ste+na", bc("ste+na"), 16},
		{"linear", NewLinear(16*6*6, 10, true, NewInit(1)), 16},
		{"resnet-unit", &Residual{Body: Sequential{bc("ste+na"), NewBatchNorm2d(16)}}, 16},
		{"resnet-unit/projection", &Residual{Body: Sequential{bc("ste"), NewBatchNorm2d(16)},
			Shortcut: Sequential{NewConv2d(Conv{In: 16, Out: 16, Kernel: 1}, NewInit(2)), NewBatchNorm2d(16)}}, 16},
		{"pools", Sequential{NewMaxPool2d(Pool{Kernel: 2}), NewAvgPool2d(Pool{Kernel: 2}), NewGlobalAvgPool()}, 16},
		{"activations", Sequential{NewReLU(), NewHardtanh(), NewPReLU(16), NewFlatten()}, 16},
	}
	big := randTensor(r, 8, 16, 6, 6)
	small := randTensor(r, 3, 16, 6, 6)
	for _, tt := range layers {
		t.Run(tt.name, func(t *testing.T) {
			step := func(x *Tensor) {
				y := tt.l.Forward(x)
				tt.l.Backward(y) // any gradient of the right shape
			}
			step(big)
			for _, x := range []*Tensor{big, small} {
				if n := testing.AllocsPerRun(5, func() { step(x) }); n != 0 {
					t.Errorf("batch %d: %v allocations per Forward+Backward, want 0", x.N, n)
				}
			}
		})
	}
	// A strided convolution whose image groups (3 images of 10×10
	// outputs) do not divide the batch: the column-matrix row tables are
	// rebuilt for the short group without allocating.
	t.Run("conv/uneven-groups", func(t *testing.T) {
		l := NewConv2d(Conv{In: 4, Out: 8, Kernel: 3, Stride: 2, Pad: 1}, NewInit(1))
		x := randTensor(r, 11, 4, 20, 20)
		l.Backward(l.Forward(x))
		if n := testing.AllocsPerRun(5, func() { l.Backward(l.Forward(x)) }); n != 0 {
			t.Errorf("%v allocations per Forward+Backward, want 0", n)
		}
	})
	// Training alternates between two batch sizes: the last, smaller
	// batch of an epoch, then the next epoch's full ones. When the two
	// split into image groups of different sizes the grids' tables are
	// rebuilt at each switch, in the slices they already have.
	t.Run("conv/alternating-batches", func(t *testing.T) {
		for _, cv := range []Conv{{In: 4, Out: 8, Kernel: 3, Stride: 2, Pad: 1}, {In: 16, Out: 16, Kernel: 3, Pad: 1}} {
			l := NewConv2d(cv, NewInit(1))
			big, small := randTensor(r, 24, cv.In, 20, 20), randTensor(r, 3, cv.In, 20, 20)
			epoch := func() {
				l.Backward(l.Forward(big))
				l.Backward(l.Forward(small))
			}
			epoch()
			if n := testing.AllocsPerRun(5, epoch); n != 0 {
				t.Errorf("%+v: %v allocations per batch of 24 and batch of 3, want 0", cv, n)
			}
		}
	})
	ce := &SoftmaxCrossEntropy{}
	z := randTensor(r, 8, 10, 1, 1)
	labels := make([]int, 8)
	ce.Forward(z, labels)
	if n := testing.AllocsPerRun(5, func() { ce.Forward(z, labels); ce.Backward() }); n != 0 {
		t.Errorf("SoftmaxCrossEntropy: %v allocations per step, want 0", n)
	}
}

func ExampleStream() {
	a := Stream(1, "init/weights").Uint64()
	b := Stream(1, "init/weights").Uint64()
	c := Stream(1, "init/na").Uint64()
	fmt.Println(a == b, a == c)
	// Output: true false
}

// stridedNet is twoBlockNet with a third, downsampling unit: a stride-2
// binary convolution (the phase-grid path) beside the shortcut
// AvgPool2d(2) + conv1x1 + BN of the resnet20 stages.
func stridedNet(t testing.TB, spec string, seed uint64, width, classes int) Layer {
	init := NewInit(seed)
	c, err := NewBinaryConv2d(Conv{In: width, Out: 2 * width, Kernel: 3, Stride: 2, Pad: 1},
		Binary{Estimator: estimators.MustParse(spec)}, init)
	if err != nil {
		t.Fatal(err)
	}
	net := twoBlockNet(t, spec, seed, width, classes).(Sequential)
	down := &Residual{
		Body: Sequential{c, NewBatchNorm2d(2 * width)},
		Shortcut: Sequential{NewAvgPool2d(Pool{Kernel: 2}),
			NewConv2d(Conv{In: width, Out: 2 * width, Kernel: 1}, init), NewBatchNorm2d(2 * width)},
	}
	head := len(net) - 2 // global average pooling and the classifier
	return append(append(net[:head:head], down), NewGlobalAvgPool(), NewLinear(2*width, classes, true, init))
}

// TestDeterminismAcrossCores trains the same networks in child processes
// with 1, 2, 3 and 4 cores (GOMAXPROCS) and asks for bit-identical losses,
// gradients and weights: gradient sums over a batch must not depend on the core
// count, nor on which worker of the pool takes which part of a batch, so
// that a batch task given fewer cores than a laptop reproduces its
// numbers. The networks cover same and stride-2 binary convolutions,
// shortcuts, BatchNorm, estimators with and without noise adaptation or
// a learnable parameter and the lookup-table backward products, at sizes where every layer splits
// its work over the pool.
func TestDeterminismAcrossCores(t *testing.T) {
	if os.Getenv("NN_DETERMINISM_CHILD") == "1" {
		x, labels := synthetic(2, 96, 3, 12, 0)
		h := fnv.New64a()
		// ste at width 16 runs both lookup-table backward products
		// (lutgrad.go, lutweights.go: 16 output channels); dsq and bnnplus
		// with a learnable parameter sum its gradient over a layer's
		// whole input on the pool.
		for _, c := range []struct {
			spec  string
			width int
		}{{"ste+na", 8}, {"fda", 8}, {"ste", 16}, {"dsq:learn=true", 16}, {"bnnplus:learn=true", 16}} {
			// Under -race two networks: both lookup-table products and a
			// learnable scalar's sum over the pool; the others differ in
			// their estimators' numerics alone.
			if racebuild.Enabled && c.spec != "ste" && c.spec != "dsq:learn=true" {
				continue
			}
			net := stridedNet(t, c.spec, 5, c.width, 3)
			// Every step's gradients too: a sum that depends on the
			// chunking can differ by less than the optimizer's step
			// moves a weight (the last bits of a learnable scalar's
			// gradient), which the weights and losses would not show.
			ps := Params(net)
			losses := runWith(net, x, labels, 2, 48, 0.05, 5, func() {
				for _, p := range ps {
					binary.Write(h, binary.LittleEndian, p.Grad)
				}
			})
			for _, l := range losses {
				binary.Write(h, binary.LittleEndian, l)
			}
			for _, p := range Params(net) {
				binary.Write(h, binary.LittleEndian, p.Data)
			}
		}
		fmt.Printf("digest %016x\n", h.Sum64())
		return
	}
	procs := []string{"1", "2", "3", "4"}
	digest := map[string]string{}
	for _, p := range procs {
		cmd := exec.Command(os.Args[0], "-test.run=^TestDeterminismAcrossCores$", "-test.count=1")
		cmd.Env = append(os.Environ(), "NN_DETERMINISM_CHILD=1", "GOMAXPROCS="+p)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("child with GOMAXPROCS=%s: %v\n%s", p, err, out)
		}
		for _, line := range strings.Split(string(out), "\n") {
			if strings.HasPrefix(line, "digest ") {
				digest[p] = line
			}
		}
		if digest[p] == "" {
			t.Fatalf("child with GOMAXPROCS=%s printed no digest:\n%s", p, out)
		}
	}
	for _, p := range procs[1:] {
		if digest[p] != digest["1"] {
			t.Errorf("training differs with the core count: GOMAXPROCS=1 %s, GOMAXPROCS=%s %s", digest["1"], p, digest[p])
		}
	}
}
