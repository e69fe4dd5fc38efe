package nn_test

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"testing"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/gemm"
	"github.com/gradbench/gradbench/internal/parallel"
	"github.com/gradbench/gradbench/internal/steptest"
	"github.com/gradbench/gradbench/nn"
)

// coupled is one training batch split between copies of binary
// ResNet-20 (steptest.ResNet20, seed 1), copy i training on the i-th
// contiguous range of the batch's images on its own goroutine, their
// BatchNorm layers coupled (nn.CoupleBatchNorms), an experiment
// (results/couple.md).
type coupled struct {
	nets   []nn.Layer
	x      []*nn.Tensor
	labels [][]int
	ce     []nn.SoftmaxCrossEntropy
	opts   []*nn.SGD
	bar    *nn.Barrier
	// grads[i] are copy i's parameters that its part of the batch gives
	// only a part of the gradient of (every one but BatchNorm's, whose
	// gradients come from the whole batch's totals).
	grads [][]*nn.Param
	// out is each copy's logits of the last step.
	out    []*nn.Tensor
	losses []float64
}

// newCoupled returns the step of steptest.ResNet20(spec, batch, stream)
// split between len(images) copies, copy i taking the next images[i]
// images of the batch and their labels. Without bn the copies' BatchNorm
// layers are not coupled (each takes its own images' statistics, which
// is not the step's math): the copies then meet only at the end of each
// step.
func newCoupled(tb testing.TB, spec string, batch int, stream string, images []int, bn bool) *coupled {
	c := &coupled{bar: nn.NewBarrier(len(images))}
	var layers []nn.Layer
	first := 0
	for _, n := range images {
		m, x, labels, err := steptest.ResNet20(spec, batch, stream)
		if err != nil {
			tb.Fatal(err)
		}
		net := m.Net
		part := nn.NewTensor(n, x.C, x.H, x.W)
		copy(part.Data, x.Data[first*x.Sample():][:n*x.Sample()])
		c.nets = append(c.nets, net)
		c.x = append(c.x, part)
		c.labels = append(c.labels, labels[first:][:n])
		c.opts = append(c.opts, nn.NewSGD(nn.Params(net), nn.SGDConfig{Momentum: 0.9, WeightDecay: 1e-4}))
		nn.SetProgress(net, nn.Progress{Epoch: 4, Epochs: 10})
		layers = append(layers, net)
		first += n
	}
	if first != batch {
		tb.Fatalf("copies of %v images, %d in all, for a batch of %d", images, first, batch)
	}
	var bns [][]*nn.BatchNorm
	if bn {
		bns = nn.CoupleBatchNorms(layers, images, c.bar)
	}
	for i, net := range c.nets {
		own := map[*nn.Param]bool{}
		for _, b := range bnsOf(bns, i) {
			for _, p := range b.Params() {
				own[p] = true
			}
		}
		var ps []*nn.Param
		for _, p := range nn.Params(net) {
			if !own[p] {
				ps = append(ps, p)
			}
		}
		c.grads = append(c.grads, ps)
	}
	c.ce = make([]nn.SoftmaxCrossEntropy, len(images))
	c.out = make([]*nn.Tensor, len(images))
	c.losses = make([]float64, len(images))
	return c
}

// bnsOf returns bns[i], or nil when bns is nil.
func bnsOf(bns [][]*nn.BatchNorm, i int) []*nn.BatchNorm {
	if bns == nil {
		return nil
	}
	return bns[i]
}

// gradients runs copy i's forward and backward pass: its part of the
// batch's loss gradient (its mean's, scaled by its share of the batch,
// a power of 2 for two equal copies) through its network.
func (c *coupled) gradients(i int, share float32) {
	c.out[i] = c.nets[i].Forward(c.x[i])
	c.losses[i] = c.ce[i].Forward(c.out[i], c.labels[i])
	dy := c.ce[i].Backward()
	for j := range dy.Data {
		dy.Data[j] *= share
	}
	c.nets[i].Backward(dy)
}

// reduce adds, after every copy's backward pass, every copy's gradient
// of the parameters in grads: copy i sums its share of each one's
// elements (the i-th of len(copies) ranges) over the copies, in copy
// order, and writes the sum into every copy's gradient.
func (c *coupled) reduce(i int) {
	k := len(c.nets)
	for j, p := range c.grads[i] {
		n := len(p.Grad)
		lo, hi := i*n/k, (i+1)*n/k
		for e := lo; e < hi; e++ {
			s := c.grads[0][j].Grad[e]
			for o := 1; o < k; o++ {
				s += c.grads[o][j].Grad[e]
			}
			for o := range k {
				c.grads[o][j].Grad[e] = s
			}
		}
	}
}

// step runs copy i's training step: its gradients, a barrier, its share
// of the reduction, a barrier, and its optimizer step (every copy steps
// its own parameters, with equal gradients).
func (c *coupled) step(i int, share float32) {
	c.gradients(i, share)
	c.bar.Wait()
	c.reduce(i)
	c.bar.Wait()
	c.opts[i].Step(0.01)
}

// all runs f(i) for every copy at once, copy i on its own goroutine, and
// waits for them.
func (c *coupled) all(f func(i int)) {
	var wg sync.WaitGroup
	for i := range c.nets {
		wg.Go(func() { f(i) })
	}
	wg.Wait()
}

// BenchmarkStepCoupled times BenchmarkTrainStep's step (bench package:
// binary ResNet-20, batch 128 of the "bench/data" images, SGD with
// momentum and weight decay, estimator at epoch 4 of 10) split between
// two copies of the network, one per core, each running every layer on
// its own 64 images, coupled where the math needs the whole batch:
// every BatchNorm's first-image shift, moments and gradient sums (three
// barriers per layer and step), then a barrier, the sum of the two
// copies' weight gradients (each core half of every tensor's elements)
// and a barrier before each copy's optimizer step. ns/op is one step of
// the 128 images. It is BenchmarkStepHalves (bench) with the couplings:
// the two give what the couplings cost. Its sub-benchmarks sync=bn are
// that step; sync=step leave the BatchNorm layers uncoupled (each copy's
// statistics are its own images', not the step's math), the copies in
// lockstep meeting only at the end of the step: what the lockstep and
// the end of the step cost, apart from BatchNorm's barriers. Besides
// ns/op it reports the time the two goroutines spent waiting at the
// barriers, summed over them, per step (wait-ms/op), and how many of
// those waits went to sleep after a millisecond of spinning
// (parks/op). Run it as BenchmarkStepHalves, with
// GOMAXPROCS=1 (the pool then has no worker, and each copy's jobs run on
// its own goroutine) on at least 2 CPUs; it raises GOMAXPROCS to 2 while
// it runs and skips otherwise. An experiment: results/couple.md.
func BenchmarkStepCoupled(b *testing.B) {
	const batch = 128
	if parallel.Workers() != 1 || runtime.NumCPU() < 2 {
		b.Skipf("needs a worker pool without workers (GOMAXPROCS=1 at start; it has %d goroutines) and at least 2 CPUs (the machine has %d)", parallel.Workers(), runtime.NumCPU())
	}
	for _, spec := range []string{"ste", "fda+na"} {
		name := fmt.Sprintf("model=resnet20/est=%s/batch=%d/gemm=%s", estimators.MustParse(spec), batch, gemm.Impl())
		for _, sync := range []string{"bn", "step"} {
			b.Run(name+"/sync="+sync, func(b *testing.B) {
				c := newCoupled(b, spec, batch, "bench/data", []int{batch / 2, batch / 2}, sync == "bn")
				run := func(n int) {
					c.all(func(i int) {
						for range n {
							c.step(i, 0.5)
						}
					})
				}
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
				run(1) // size the buffers; the runtime's set-up for the second core
				b.ReportAllocs()
				w0, p0 := c.bar.Waited()
				b.ResetTimer()
				run(b.N)
				b.StopTimer()
				w1, p1 := c.bar.Waited()
				b.ReportMetric((w1-w0).Seconds()*1e3/float64(b.N), "wait-ms/op")
				b.ReportMetric(float64(p1-p0)/float64(b.N), "parks/op")
				for _, loss := range c.losses {
					if math.IsNaN(loss) || math.IsInf(loss, 0) {
						b.Fatalf("loss %v", loss)
					}
				}
				b.ReportMetric(float64(batch)*float64(b.N)/b.Elapsed().Seconds(), "img/s")
			})
		}
	}
}

// TestCoupledHalves checks the coupled copies against one network over
// the whole batch, after one forward and backward pass: the logits, the
// input gradient (every image's, through every layer's backward pass),
// the running statistics and BatchNorm's parameter gradients are the
// one network's bit for bit, each copy's for its images; the other
// parameters' gradients, summed over the copies, are the one network's
// to rounding (each copy sums its images' part of a weight gradient on
// its own, where the one network sums the batch in its parts), and so is
// the loss, the copies' losses weighted by their images.
func TestCoupledHalves(t *testing.T) {
	const batch = 32
	for _, spec := range []string{"ste", "fda+na"} {
		t.Run(spec, func(t *testing.T) {
			m, x, labels, err := steptest.ResNet20(spec, batch, "nn/coupled")
			if err != nil {
				t.Fatal(err)
			}
			nn.SetProgress(m.Net, nn.Progress{Epoch: 4, Epochs: 10})
			var ce nn.SoftmaxCrossEntropy
			out := m.Net.Forward(x)
			loss := ce.Forward(out, labels)
			m.Net.Backward(ce.Backward())
			bnParam := map[*nn.Param]bool{}
			nn.Walk(m.Net, func(_ string, l nn.Layer) {
				if b, ok := l.(*nn.BatchNorm); ok {
					bnParam[b.Weight], bnParam[b.Bias] = true, true
				}
			})

			c := newCoupled(t, spec, batch, "nn/coupled", []int{batch / 2, batch / 2}, true)
			c.all(func(i int) { c.gradients(i, 0.5) })
			bits := func(what string, want []float32, got ...[]float32) {
				t.Helper()
				var all []float32
				for _, g := range got {
					all = append(all, g...)
				}
				if len(all) != len(want) {
					t.Fatalf("%s: %d values, want %d", what, len(all), len(want))
				}
				for e := range want {
					if math.Float32bits(all[e]) != math.Float32bits(want[e]) {
						t.Fatalf("%s: value %d is %v, want %v bit for bit", what, e, all[e], want[e])
					}
				}
			}
			bits("logits", out.Data, c.out[0].Data, c.out[1].Data)
			for i, net := range c.nets {
				for k, buf := range nn.Buffers(m.Net) {
					bits(fmt.Sprintf("copy %d, buffer %d (%s)", i, k, buf.Name), buf.Data, nn.Buffers(net)[k].Data)
				}
			}
			if got := (c.losses[0] + c.losses[1]) / 2; math.Abs(got-loss) > 1e-12*math.Abs(loss) {
				t.Errorf("loss %v, want %v", got, loss)
			}

			c.all(c.reduce)
			exact, near := 0, 0
			for k, p := range nn.Params(m.Net) {
				for i, net := range c.nets {
					got := nn.Params(net)[k]
					what := fmt.Sprintf("copy %d, gradient of parameter %d (%s, %d values)", i, k, p.Name, len(p.Grad))
					if bnParam[p] {
						bits(what, p.Grad, got.Grad)
						continue
					}
					// To rounding: within a few float32 units of the
					// tensor's largest gradient.
					var big float64
					for _, v := range p.Grad {
						big = max(big, math.Abs(float64(v)))
					}
					for e, v := range p.Grad {
						g := got.Grad[e]
						if d := math.Abs(float64(g) - float64(v)); d > 1e-5*big {
							t.Fatalf("%s: value %d is %v, want %v (largest %v)", what, e, g, v, big)
						}
						if math.Float32bits(g) == math.Float32bits(v) {
							exact++
						} else {
							near++
						}
					}
				}
			}
			t.Logf("summed weight gradients: %d values bit for bit, %d to rounding", exact, near)
		})
	}
}
