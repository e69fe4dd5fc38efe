package fidelity

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/gradbench/gradbench/nn"
)

// Loss is the loss the measurements differentiate: Forward returns the mean
// loss of a batch of logits and Backward its gradient with respect to them.
// *nn.SoftmaxCrossEntropy is one.
type Loss interface {
	Forward(logits *nn.Tensor, labels []int) float64
	Backward() *nn.Tensor
}

// Batch is an evaluation or training batch: images and their labels.
type Batch struct {
	X      *nn.Tensor
	Labels []int
}

// binaryLayer is what the measurements need of a binary layer.
type binaryLayer struct {
	path   string
	weight *nn.Param
	scale  []float32
	grad   func() []float32 // ∂L/∂(s_o·q(W)) of the last Backward
	nas    []*nn.NoiseAdaptation
}

// binaryLayers returns the binary layers of net in nn.Walk order.
func binaryLayers(net nn.Layer) []binaryLayer {
	var ls []binaryLayer
	nn.Walk(net, func(path string, l nn.Layer) {
		switch b := l.(type) {
		case *nn.BinaryConv2d:
			ls = append(ls, binaryLayer{path, b.Weight, b.Scale, b.ForwardWeightGrad, nonNil(b.WeightNA(), b.ActivationNA())})
		case *nn.BinaryLinear:
			ls = append(ls, binaryLayer{path, b.Weight, b.Scale, b.ForwardWeightGrad, nonNil(b.WeightNA(), b.ActivationNA())})
		}
	})
	return ls
}

func nonNil(ms ...*nn.NoiseAdaptation) []*nn.NoiseAdaptation {
	var out []*nn.NoiseAdaptation
	for _, m := range ms {
		if m != nil {
			out = append(out, m)
		}
	}
	return out
}

// Layers returns the paths (nn.Walk) of the binary layers of net, in the
// order that Site.Layer numbers them.
func Layers(net nn.Layer) []string {
	var ps []string
	for _, l := range binaryLayers(net) {
		ps = append(ps, l.path)
	}
	return ps
}

// A Site is one sampled binary weight: the index of its layer among the
// network's binary layers (Layers), its index in the layer's Weight.Data,
// and the stratum it was drawn from.
type Site struct {
	Layer, Index int
	Stratum      Stratum
}

// Stratum says how a site was drawn.
type Stratum int

const (
	Uniform  Stratum = iota // uniformly over the layer
	SmallAbs                // uniformly among the 10% smallest |w| of the layer
)

func (s Stratum) String() string {
	if s == SmallAbs {
		return "small"
	}
	return "uniform"
}

// StratumSizes returns per binary layer of net the number of weights of
// each stratum Sample draws from: the layer's weights, and its tenth of
// smallest |w| (at least one).
func StratumSizes(net nn.Layer) [][2]int {
	var sizes [][2]int
	for _, l := range binaryLayers(net) {
		n := len(l.weight.Data)
		sizes = append(sizes, [2]int{n, smallStratum(n)})
	}
	return sizes
}

// smallStratum is the size of the stratum of smallest |w| of a layer of
// n weights.
func smallStratum(n int) int { return max(1, n/10) }

// Sample draws per binary layer of net perStratum distinct weights
// uniformly, and perStratum distinct weights among the 10% smallest |w|
// (fewer if the layer or its smallest tenth holds fewer), from
// nn.Stream(seed, "fidelity.sample", layer). The sites are in layer order,
// the uniform stratum first. perStratum < 1 is a programmer error and
// panics with a message naming Sample and the value.
func Sample(net nn.Layer, perStratum int, seed uint64) []Site {
	if perStratum < 1 {
		panic(fmt.Sprintf("fidelity: Sample: perStratum %d, want at least 1 weight per stratum", perStratum))
	}
	var sites []Site
	for li, l := range binaryLayers(net) {
		r := nn.Stream(seed, "fidelity.sample", uint64(li))
		w := l.weight.Data
		n := len(w)
		for _, i := range r.Perm(n)[:min(perStratum, n)] {
			sites = append(sites, Site{li, i, Uniform})
		}
		order := make([]int, n)
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(math.Abs(float64(w[a])), math.Abs(float64(w[b]))) })
		small := order[:smallStratum(n)]
		for _, j := range r.Perm(len(small))[:min(perStratum, len(small))] {
			sites = append(sites, Site{li, small[j], SmallAbs})
		}
	}
	return sites
}

// trueMode switches net to the true loss: training mode, every noise
// adaptation term off. It returns a function restoring the α values and the
// buffers (BatchNorm running statistics) that the forward passes update.
func trueMode(net nn.Layer, ls []binaryLayer) (restore func()) {
	nn.SetTraining(net, true)
	var alphas []float32
	for _, l := range ls {
		for _, m := range l.nas {
			alphas = append(alphas, m.Alpha)
			m.Alpha = 0
		}
	}
	bufs := nn.Buffers(net)
	saved := make([][]float32, len(bufs))
	for i, b := range bufs {
		saved[i] = slices.Clone(b.Data)
	}
	return func() {
		k := 0
		for _, l := range ls {
			for _, m := range l.nas {
				m.Alpha = alphas[k]
				k++
			}
		}
		for i, b := range bufs {
			copy(b.Data, saved[i])
		}
	}
}

// TrueLoss returns the true loss L(W) of net on b (see the package
// documentation), leaving the network's state unchanged.
func TrueLoss(net nn.Layer, loss Loss, b Batch) float64 {
	defer trueMode(net, binaryLayers(net))()
	return loss.Forward(net.Forward(b.X), b.Labels)
}

// TrueChanges returns the true loss L of net on b and, for each site, the
// exact change ΔL of flipping its binary weight, by negating the latent
// weight (a zero weight, whose sign is +1, becomes the smallest negative
// float32), running the network and restoring the weight. progress, if not
// nil, is called after each site. The network's state is left unchanged.
//
// When net is an nn.Parent (a Sequential), a flip runs its children from
// the one that holds the flipped layer on, starting from the input that
// child received in the unflipped pass: the outputs of the children before
// it are unchanged, and still in their buffers, since those children do
// not run again. Sites in layer order (as Sample returns them) keep it so.
func TrueChanges(net nn.Layer, loss Loss, b Batch, sites []Site, progress func()) (float64, []float64) {
	var each func(k int)
	if progress != nil {
		each = func(int) { progress() }
	}
	base, dl, _ := TrueChangesEach(context.Background(), []Worker{{net, loss}}, b, sites, each)
	return base, dl
}

// TrueChangesEach is TrueChanges with the sites split over the worker
// pool: contiguous runs of sites go to the workers (networks in the same
// state, see Worker), each of which runs its own unflipped pass first and
// then its flips, from the block holding the flipped layer on, as
// TrueChanges does. Every ΔL is that of one network in one state on one
// input, so the numbers do not depend on the number of workers or cores.
// It stops with ctx's error once ctx is done, checked before every flip:
// one network pass each, and --sample can ask for many. progress, if not
// nil, is told the index of the site just flipped, so that a caller can
// weigh each flip by its cost (LayerWork): the sites go to the workers in
// layer order, so the count of flips done runs ahead of their cost and
// behind it in turn. progress may be called from several goroutines,
// never at once. Every worker's state is left unchanged.
func TrueChangesEach(ctx context.Context, ws []Worker, b Batch, sites []Site, progress func(k int)) (float64, []float64, error) {
	progress = syncProgress(progress)
	type state struct {
		ls      []binaryLayer
		restore func()
		run     func(l int) *nn.Tensor
		base    float64
	}
	sts := make([]*state, len(ws))
	open := func(w int) *state {
		if sts[w] == nil {
			st := &state{ls: binaryLayers(ws[w].Net)}
			st.restore = trueMode(ws[w].Net, st.ls)
			st.run = forwardFrom(ws[w].Net, st.ls, b.X)
			st.base = ws[w].Loss.Forward(st.run(-1), b.Labels)
			sts[w] = st
		}
		return sts[w]
	}
	defer func() {
		for _, st := range sts {
			if st != nil {
				st.restore()
			}
		}
	}()
	base := open(0).base // with every core, before the split
	dl := make([]float64, len(sites))
	split(len(sites), len(ws), func(w, lo, hi int) {
		st := open(w)
		for k := lo; k < hi; k++ {
			if ctx.Err() != nil {
				return
			}
			s := sites[k]
			p := &st.ls[s.Layer].weight.Data[s.Index]
			old := *p
			*p = flipped(old)
			dl[k] = ws[w].Loss.Forward(st.run(s.Layer), b.Labels) - st.base
			*p = old
			if progress != nil {
				progress(k)
			}
		}
	})
	if err := ctx.Err(); err != nil {
		return 0, nil, err
	}
	return base, dl, nil
}

// forwardFrom returns a function that runs net on x: in full for layer −1
// (recording the input of each child of net, if it is an nn.Parent), and
// for a flip in binary layer l from the child holding it on. Such a run
// leaves that child and the later ones holding the flipped network's
// outputs: the next run from a later child first runs the children in
// between again, with the weight restored.
func forwardFrom(net nn.Layer, ls []binaryLayer, x *nn.Tensor) func(l int) *nn.Tensor {
	p, ok := net.(nn.Parent)
	if !ok {
		return func(int) *nn.Tensor { return net.Forward(x) }
	}
	children := p.Children()
	ins := make([]*nn.Tensor, len(children)+1)
	top := make([]int, len(ls)) // the child of net holding each binary layer
	for i, l := range ls {
		first, _, _ := strings.Cut(l.path, ".")
		top[i], _ = strconv.Atoi(first)
	}
	dirty := 0 // children from dirty on hold outputs of a flipped network
	return func(l int) *nn.Tensor {
		start := 0
		if l >= 0 {
			start = top[l]
		}
		if start < dirty {
			dirty = start
		}
		ins[0] = x
		for j := dirty; j < len(children); j++ {
			if j == start && l >= 0 {
				dirty = start
			}
			ins[j+1] = children[j].Forward(ins[j])
		}
		if l < 0 {
			dirty = len(children)
		}
		return ins[len(children)]
	}
}

// flipped returns a latent weight of the opposite sign and the same
// magnitude, so that the scale factors stay what they were.
func flipped(w float32) float32 {
	if w == 0 {
		return -math.SmallestNonzeroFloat32
	}
	return -w
}

// Predicted returns for each site the change of the loss that net's
// estimators predict for flipping its binary weight, δ = −2·b·∂L_E/∂b,
// from one forward and backward pass on b in training mode with the noise
// adaptation α that net is set to. It overwrites the parameters' gradients;
// BatchNorm running statistics are restored.
func Predicted(net nn.Layer, loss Loss, b Batch, sites []Site) []float64 {
	ls := backward(net, loss, b)
	pred := make([]float64, len(sites))
	for k, s := range sites {
		l := ls[s.Layer]
		d := len(l.weight.Data) / len(l.scale)
		o := s.Index / d
		bit := 1.0
		if l.weight.Data[s.Index] < 0 {
			bit = -1
		}
		pred[k] = -2 * bit * float64(l.scale[o]) * float64(l.grad()[s.Index])
	}
	return pred
}

// PredictedGrads returns Predicted(net, loss, b, sites) and the
// latent-weight gradients of the same pass, as LatentGrads returns them:
// one forward and backward pass instead of two.
func PredictedGrads(net nn.Layer, loss Loss, b Batch, sites []Site) ([]float64, [][]float32) {
	pred := Predicted(net, loss, b, sites)
	ls := binaryLayers(net)
	gs := make([][]float32, len(ls))
	for i, l := range ls {
		gs[i] = slices.Clone(l.weight.Grad)
	}
	return pred, gs
}

// backward runs one training-mode forward and backward pass of net on b
// with zeroed gradients and restores the buffers the forward updates.
func backward(net nn.Layer, loss Loss, b Batch) []binaryLayer {
	ls := binaryLayers(net)
	nn.SetTraining(net, true)
	bufs := nn.Buffers(net)
	saved := make([][]float32, len(bufs))
	for i, buf := range bufs {
		saved[i] = slices.Clone(buf.Data)
	}
	for _, p := range nn.Params(net) {
		p.ZeroGrad()
	}
	loss.Forward(net.Forward(b.X), b.Labels)
	net.Backward(loss.Backward())
	for i, buf := range bufs {
		copy(buf.Data, saved[i])
	}
	return ls
}

// LatentGrads returns, per binary layer of net, a copy of the latent-weight
// gradient ∂L_E/∂W of one forward and backward pass on b (as Predicted).
func LatentGrads(net nn.Layer, loss Loss, b Batch) [][]float32 {
	ls := backward(net, loss, b)
	gs := make([][]float32, len(ls))
	for i, l := range ls {
		gs[i] = slices.Clone(l.weight.Grad)
	}
	return gs
}

// Cosine returns the cosine of the angle between a and b, accumulated in
// float64; 0 if either is zero. Unequal lengths panic.
func Cosine(a, b []float32) float64 {
	if len(a) != len(b) {
		panic(fmt.Sprintf("fidelity: Cosine of vectors of lengths %d and %d", len(a), len(b)))
	}
	var ab, aa, bb float64
	for i, x := range a {
		y := float64(b[i])
		ab += float64(x) * y
		aa += float64(x) * float64(x)
		bb += y * y
	}
	if aa == 0 || bb == 0 {
		return 0
	}
	return ab / math.Sqrt(aa*bb)
}

// CopyState copies into dst the parameters and buffers of src that dst has
// too, matched by nn.Walk path and name with the same length: the state of
// a network trained with one estimator put into a network built with
// another. It returns the names of dst's parameters that src lacks (noise
// adaptation weights, learnable estimator scalars), which keep their values.
func CopyState(dst, src nn.Layer) (missing []string) {
	have := map[string][]float32{}
	nn.Walk(src, func(path string, l nn.Layer) {
		if p, ok := l.(nn.Parametric); ok {
			for _, q := range p.Params() {
				have[path+"/"+q.Name] = q.Data
			}
		}
		if s, ok := l.(nn.Stateful); ok {
			for _, b := range s.Buffers() {
				have[path+"/buffer/"+b.Name] = b.Data
			}
		}
	})
	nn.Walk(dst, func(path string, l nn.Layer) {
		if p, ok := l.(nn.Parametric); ok {
			for _, q := range p.Params() {
				if v, ok := have[path+"/"+q.Name]; ok && len(v) == len(q.Data) {
					copy(q.Data, v)
				} else {
					missing = append(missing, path+"/"+q.Name)
				}
			}
		}
		if s, ok := l.(nn.Stateful); ok {
			for _, b := range s.Buffers() {
				if v, ok := have[path+"/buffer/"+b.Name]; ok && len(v) == len(b.Data) {
					copy(b.Data, v)
				}
			}
		}
	})
	return missing
}
