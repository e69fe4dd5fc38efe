// The gorgonia oracle runs in one of the builds the README's test command
// makes: -tags purego's, on the portable kernels every CPU but amd64
// trains with (and in a plain go test). The others change kernels that
// their own tests check against the portable ones: the assembly
// estimator, GEMM and XNOR kernels in every build's cross-checks, the
// OpenBLAS GEMM in gemm's, the GOEXPERIMENT=simd XNOR kernels in
// internal/bitconv's and, bit for bit, in the golden training test. The
// oracle checks the layers' arithmetic, which is the same Go code in
// every build, over the kernels the others are checked against; running
// it once spares CI compiling gorgonia and its 70-odd dependencies for the
// race detector and the openblas and simd builds (about 30 s each on the
// 2-core project machine with an empty build cache).

//go:build !race && !openblas && !goexperiment.simd

package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// This file checks every layer's Backward against gorgonia, an independent
// autodiff engine, computing the same function in float64. Where gorgonia
// lacks an op or its op is unreliable, the function is built from simpler
// ops, each noted where it is used:
//   - BatchNorm: gorgonia's BatchNormOp mixes up training and inference
//     statistics, so the normalisation is written out over a C×(N·H·W)
//     matrix with Mul, Sub, Square, Sqrt and Inverse (gorgonia's
//     InverseSqrt has a wrong gradient, -x^(-3/2)/2 is not what it gives);
//   - average pooling: AveragePool2D's gradient is wrong, so it is a
//     convolution with a constant filter;
//   - global average pooling: GlobalAveragePool2D has no gradient and Mean
//     over several axes divides by the wrong count, so it is a Reshape to
//     (N, C, H·W) and a Mean over the last axis;
//   - Hardtanh and PReLU: compositions of Rectify;
//   - cross-entropy: LogSoftMax and a sum against the (smoothed) targets.

// graph builds one gorgonia computation in float64.
type graph struct {
	g     *G.ExprGraph
	wrt   []*G.Node
	names []string
}

func newGraph() *graph { return &graph{g: G.NewGraph()} }

// value returns a node holding v (float32 widened to float64) in the given
// shape; with a name, gradients are taken with respect to it.
func (o *graph) value(name string, v []float32, shape ...int) *G.Node {
	t := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f64(v)))
	var n *G.Node
	opts := []G.NodeConsOpt{G.WithShape(shape...), G.WithValue(t)}
	if name != "" {
		opts = append(opts, G.WithName(name))
	} else {
		opts = append(opts, G.WithName(fmt.Sprintf("const%d", len(o.g.AllNodes()))))
	}
	switch len(shape) {
	case 1:
		n = G.NewVector(o.g, tensor.Float64, opts...)
	case 2:
		n = G.NewMatrix(o.g, tensor.Float64, opts...)
	default:
		n = G.NewTensor(o.g, tensor.Float64, len(shape), opts...)
	}
	if name != "" {
		o.wrt = append(o.wrt, n)
		o.names = append(o.names, name)
	}
	return n
}

func (o *graph) scalar(v float64) *G.Node { return G.NewConstant(v) }

// grads returns the gradients of Σ y·r with respect to every named node.
func (o *graph) grads(t *testing.T, y *G.Node, r []float32) grads {
	t.Helper()
	rn := o.value("", r, y.Shape()...)
	cost := G.Must(G.Sum(G.Must(G.HadamardProd(y, rn))))
	if _, err := G.Grad(cost, o.wrt...); err != nil {
		t.Fatalf("gorgonia Grad: %v", err)
	}
	m := G.NewTapeMachine(o.g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatalf("gorgonia RunAll: %v", err)
	}
	out := grads{}
	for i, n := range o.wrt {
		gv, err := n.Grad()
		if err != nil {
			t.Fatalf("gorgonia gradient of %s: %v", o.names[i], err)
		}
		out[o.names[i]] = append([]float64(nil), gv.Data().([]float64)...)
	}
	return out
}

func must(n *G.Node, err error) *G.Node { return G.Must(n, err) }

// channelsFirst permutes NCHW data to C×(N·H·W), the layout the BatchNorm
// graph computes in.
func channelsFirst(v []float32, n, c, hw int) []float32 { return transposeBlocks(v, n, c, hw) }

// channelsLast is the inverse of channelsFirst.
func channelsLast(v []float64, n, c, hw int) []float64 { return transposeBlocks(v, c, n, hw) }

// transposeBlocks transposes v, a rows×cols matrix of runs of block
// values, to cols×rows.
func transposeBlocks[T any](v []T, rows, cols, block int) []T {
	out := make([]T, len(v))
	for i := range rows {
		for j := range cols {
			copy(out[(j*rows+i)*block:][:block], v[(i*cols+j)*block:][:block])
		}
	}
	return out
}

// pixelsFirst permutes N×D×P data to (N·P)×D: one row per pixel.
func pixelsFirst(v []float32, n, d, p int) []float32 {
	out := make([]float32, len(v))
	for i := range n {
		for j := range d {
			for k := range p {
				out[(i*p+k)*d+j] = v[(i*d+j)*p+k]
			}
		}
	}
	return out
}

// oracle computes the gradients of Σ layer(x)·r with gorgonia, for the
// layers of gradCases.
func oracle(t *testing.T, l Layer, x *Tensor, r []float32) grads {
	o := newGraph()
	xs := []int{x.N, x.C, x.H, x.W}
	switch l := l.(type) {
	case *Conv2d:
		xn := o.value("x", x.Data, xs...)
		w := o.value("weight", l.Weight.Data, l.Weight.Shape...)
		s := l.stride()
		y := must(G.Conv2d(xn, w, tensor.Shape{l.Kernel, l.Kernel}, []int{l.Pad, l.Pad}, []int{s, s}, []int{1, 1}))
		if l.Bias != nil {
			b := must(G.Reshape(o.value("bias", l.Bias.Data, l.Out), tensor.Shape{1, l.Out, 1, 1}))
			y = must(G.BroadcastAdd(y, b, nil, []byte{0, 2, 3}))
		}
		return o.grads(t, y, r)
	case *Linear:
		xn := o.value("x", x.Data, x.N, x.Sample())
		w := o.value("weight", l.Weight.Data, l.Out, l.In)
		y := must(G.Mul(xn, must(G.Transpose(w))))
		if l.Bias != nil {
			b := must(G.Reshape(o.value("bias", l.Bias.Data, l.Out), tensor.Shape{1, l.Out}))
			y = must(G.BroadcastAdd(y, b, nil, []byte{0}))
		}
		return o.grads(t, y, r)
	case *BatchNorm:
		hw := x.H * x.W
		m := x.N * hw
		// The input enters the graph already permuted to C×(N·H·W)
		// (gorgonia's gradient through a 4-D Transpose then Reshape is
		// wrong); its gradient is permuted back below.
		xr := o.value("x", channelsFirst(x.Data, x.N, x.C, hw), x.C, m)
		// Per-channel vectors are broadcast over the M = N·H·W columns by
		// a product with a row of ones, and column means are a product with
		// a column of 1/M: gorgonia's Broadcast* ops give wrong gradients
		// when the broadcast operand depends on x.
		ones := make([]float32, m)
		avg := make([]float32, m)
		for i := range ones {
			ones[i], avg[i] = 1, 1/float32(m)
		}
		row := o.value("", ones, 1, m)
		col := o.value("", avg, m, 1)
		bcast := func(v *G.Node) *G.Node { return must(G.Mul(v, row)) }
		gamma := o.value("weight", l.Weight.Data, x.C, 1)
		beta := o.value("bias", l.Bias.Data, x.C, 1)
		var mean, inv *G.Node
		if l.eval {
			mean = o.value("", l.RunningMean.Data, x.C, 1)
			v := o.value("", l.RunningVar.Data, x.C, 1)
			inv = must(G.Inverse(must(G.Sqrt(must(G.Add(v, o.scalar(l.Eps)))))))
		} else {
			mean = must(G.Mul(xr, col))
			xc := must(G.Sub(xr, bcast(mean)))
			v := must(G.Mul(must(G.Square(xc)), col))
			inv = must(G.Inverse(must(G.Sqrt(must(G.Add(v, o.scalar(l.Eps)))))))
		}
		xhat := must(G.HadamardProd(must(G.Sub(xr, bcast(mean))), bcast(inv)))
		y := must(G.Add(must(G.HadamardProd(xhat, bcast(gamma))), bcast(beta)))
		g := o.grads(t, y, channelsFirst(r, x.N, x.C, hw))
		g["x"] = channelsLast(g["x"], x.N, x.C, hw)
		return g
	case *ReLU:
		return o.grads(t, must(G.Rectify(o.value("x", x.Data, xs...))), r)
	case *Hardtanh:
		// clamp(x, -1, 1) = x - ReLU(x-1) + ReLU(-x-1)
		xn := o.value("x", x.Data, xs...)
		one := o.scalar(1)
		y := must(G.Sub(xn, must(G.Rectify(must(G.Sub(xn, one))))))
		y = must(G.Add(y, must(G.Rectify(must(G.Sub(must(G.Neg(xn)), one))))))
		return o.grads(t, y, r)
	case *PReLU:
		// ReLU(x) - a_c·ReLU(-x)
		xn := o.value("x", x.Data, xs...)
		a := must(G.Reshape(o.value("weight", l.Weight.Data, x.C), tensor.Shape{1, x.C, 1, 1}))
		neg := must(G.BroadcastHadamardProd(must(G.Rectify(must(G.Neg(xn)))), a, nil, []byte{0, 2, 3}))
		return o.grads(t, must(G.Sub(must(G.Rectify(xn)), neg)), r)
	case *MaxPool2d:
		xn := o.value("x", x.Data, xs...)
		return o.grads(t, must(G.MaxPool2D(xn, tensor.Shape{l.Kernel, l.Kernel}, []int{l.Pad, l.Pad}, []int{l.stride(), l.stride()})), r)
	case *AvgPool2d:
		// gorgonia's AveragePool2D gradient is wrong; average pooling is a
		// convolution with the constant filter f[o][c] = δ(o,c)/k², which
		// also counts padding as zeros.
		xn := o.value("x", x.Data, xs...)
		k := l.Kernel
		f := make([]float32, x.C*x.C*k*k)
		for c := range x.C {
			for i := range k * k {
				f[(c*x.C+c)*k*k+i] = 1 / float32(k*k)
			}
		}
		fn := o.value("", f, x.C, x.C, k, k)
		return o.grads(t, must(G.Conv2d(xn, fn, tensor.Shape{k, k}, []int{l.Pad, l.Pad}, []int{l.stride(), l.stride()}, []int{1, 1})), r)
	case *GlobalAvgPool:
		xn := must(G.Reshape(o.value("x", x.Data, xs...), tensor.Shape{x.N, x.C, x.H * x.W}))
		return o.grads(t, must(G.Mean(xn, 2)), r)
	case *naLayer:
		return naOracle(t, o, l, x, r)
	}
	t.Skipf("%T is a composition of checked layers; finite differences cover it", l)
	return nil
}

// naOracle builds the noise adaptation module α·s_r·(ReLU(t·W1)·W2 + η(t))
// with t as rows (the channels layout is permuted to one row per pixel).
func naOracle(t *testing.T, o *graph, l *naLayer, x *Tensor, r []float32) grads {
	m := l.m
	var tn *G.Node
	rows := x.N
	if l.channels {
		p := x.H * x.W
		rows = x.N * p
		x3 := must(G.Reshape(o.value("x", x.Data, x.N, x.C, x.H, x.W), tensor.Shape{x.N, x.C, p}))
		tn = must(G.Reshape(must(G.Transpose(x3, 0, 2, 1)), tensor.Shape{rows, m.D}))
		r = pixelsFirst(r, x.N, x.C, p)
	} else {
		tn = o.value("x", x.Data, rows, m.D)
	}
	w1 := o.value(m.W1.Name, m.W1.Data, m.D, m.H)
	w2 := o.value(m.W2.Name, m.W2.Data, m.H, m.D)
	e := must(G.Mul(must(G.Rectify(must(G.Mul(tn, w1)))), w2))
	switch m.Eta {
	case "sin":
		e = must(G.Add(e, must(G.Mul(o.scalar(float64(m.A)), must(G.Sin(tn))))))
	case "x":
		e = must(G.Add(e, must(G.Mul(o.scalar(float64(m.A)), tn))))
	}
	k := make([]float32, rows)
	for i := range k {
		k[i] = m.Alpha
		if l.scale != nil {
			k[i] *= l.scale[i]
		}
	}
	kn := o.value("", k, rows, 1)
	return o.grads(t, must(G.BroadcastHadamardProd(e, kn, nil, []byte{1})), r)
}

func TestLayerGradsGorgonia(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, tc := range gradCases(r) {
		t.Run(tc.name, func(t *testing.T) {
			dy, got := gradsOf(r, tc.l, tc.x)
			compare(t, "gorgonia", got, oracle(t, tc.l, tc.x, dy), 1e-4)
		})
	}
	for _, tc := range naCases(r) {
		t.Run("na/"+tc.name, func(t *testing.T) {
			dy, got := naGradsOf(r, tc.l, tc.x)
			compare(t, "gorgonia", got, oracle(t, tc.l, tc.x, dy), 1e-4)
		})
	}
}

func TestCrossEntropyGradGorgonia(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	for _, eps := range []float64{0, 0.1} {
		t.Run(fmt.Sprintf("smoothing=%v", eps), func(t *testing.T) {
			const n, k = 5, 4
			z := randTensor(r, n, k, 1, 1)
			labels := []int{0, 3, 1, 1, 2}
			ce := &SoftmaxCrossEntropy{Smoothing: eps}
			loss := ce.Forward(z, labels)
			got := f64(ce.Backward().Data)

			// loss = -Σ T ⊙ logsoftmax(z) / N with T the smoothed targets.
			o := newGraph()
			zn := o.value("logits", z.Data, n, k)
			tg := make([]float32, n*k)
			for i, y := range labels {
				for j := range k {
					tg[i*k+j] = float32(eps / k)
				}
				tg[i*k+y] += float32(1 - eps)
			}
			lp := must(G.LogSoftMax(zn, 1))
			ones := make([]float32, n*k)
			for i := range ones {
				ones[i] = -1 / float32(n)
			}
			y := must(G.HadamardProd(lp, o.value("", tg, n, k)))
			want := o.grads(t, y, ones)
			compare(t, "gorgonia", grads{"logits": got}, grads{"logits": want["logits"]}, 1e-4)
			// The loss itself, from the same graph's forward value.
			var wantLoss float64
			for i, lab := range labels {
				var lse, sum float64
				for j := range k {
					lse += math.Exp(float64(z.Data[i*k+j]))
					sum += float64(z.Data[i*k+j])
				}
				lse = math.Log(lse)
				wantLoss -= (1-eps)*(float64(z.Data[i*k+lab])-lse) + eps/k*(sum-k*lse)
			}
			wantLoss /= n
			if math.Abs(loss-wantLoss) > 1e-6*math.Abs(wantLoss) {
				t.Errorf("Forward = %v, want %v", loss, wantLoss)
			}
		})
	}
}
