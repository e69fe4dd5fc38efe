// Command peer writes the state of one gradbench training step to a file
// that bench/peer/resnet20.py, the same binary ResNet-20 in PyTorch, reads
// to check that the two networks are the same: the layers and their
// parameter counts, every parameter and BatchNorm statistic, a fixed input
// batch, and what gradbench computes from them in one training-mode
// forward and backward pass (the input of every binary convolution, the
// logits, the loss, the gradient of every parameter and the updated
// running statistics). The check takes each binary layer's signs and
// estimator gradients at gradbench's input of the layer, so that a value
// within rounding of 0 (the sign) or of ±1 (the estimators' clip) cannot
// fall on different sides in the two engines, and asks for agreement to
// float32 rounding everywhere else.
//
// Usage:
//
//	go run ./bench/peer [-est ste] [-batch 8] [-seed 1] [-warm 2] -o FILE
//	python3 bench/peer/resnet20.py --check FILE
//
// The network is the one BenchmarkTrainStep times: resnet20 on 1×28×28
// inputs with 10 classes, at epoch 4 of 10 (so FDA has n = 13 and noise
// adaptation α = 0.05). Before the state is taken the network trains for
// -warm SGD steps on other random batches, so that BatchNorm's γ, β and
// running statistics are not at their initial values.
//
// # File format
//
// The first line is a JSON object (see header); the rest of the file is
// little-endian float32 values, tensor after tensor at the offsets the
// header gives (in values, from the end of the first line).
package main

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/internal/atomicfile"
	"github.com/gradbench/gradbench/internal/cli"
	"github.com/gradbench/gradbench/models"
	"github.com/gradbench/gradbench/nn"
	"github.com/gradbench/gradbench/suite"
)

// header is the first line of the file.
type header struct {
	Model   string  `json:"model"`
	Input   [3]int  `json:"input"` // C, H, W
	Classes int     `json:"classes"`
	Spec    string  `json:"spec"` // canonical estimator spec
	Batch   int     `json:"batch"`
	Seed    uint64  `json:"seed"`
	Epoch   int     `json:"epoch"`
	Epochs  int     `json:"epochs"`
	Labels  []int   `json:"labels"`
	Loss    float64 `json:"loss"`
	// Layers are the rows of the model summary with their trainable
	// parameter counts (full-precision, binary and training-only).
	Layers []layer `json:"layers"`
	// Tensors are, in this order: every parameter's values (kind "param",
	// in nn.Params order), every buffer before the pass ("buffer", in
	// nn.Buffers order), the input ("input"), the input of every binary
	// convolution in forward order ("binary_input"), the logits
	// ("logits"), every parameter's gradient ("grad") and every buffer
	// after the pass ("buffer_after").
	Tensors []tensor `json:"tensors"`
}

type layer struct {
	Name   string `json:"name"`
	Params int    `json:"params"`
}

type tensor struct {
	Kind   string `json:"kind"`
	Name   string `json:"name"` // Walk path and parameter name, such as "2.0.0/weight"
	Shape  []int  `json:"shape"`
	Offset int    `json:"offset"`
	Len    int    `json:"len"`
}

// maxBatch is the largest -batch: the check's batch is a few images
// (results/peer.sh captures 8), whose activations and gradients are all
// held at once; a batch whose tensors overflow an int panicked in
// nn.NewTensor.
const maxBatch = 1 << 16

func main() {
	cli.Main("peer", func() error { return run(os.Args[1:]) })
}

func run(args []string) error {
	fs := cli.FlagSet("peer", "go run ./bench/peer [flags] -o FILE", "./bench/peer", "what it writes")
	spec := fs.String("est", "ste", "estimator spec")
	batch := cli.Int(fs, "batch", 8, "images in the checked batch")
	seed := cli.Uint64(fs, "seed", 1, "seed of the weights and of the data")
	warm := cli.Int(fs, "warm", 2, "SGD steps before the state is taken")
	out := fs.String("o", "", "output `file` (required)")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	typed := cli.Typed(fs) // the numbers as typed, for their refusals
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	case *out == "":
		return errors.New("no output file: use -o FILE")
	case *batch < 2:
		return fmt.Errorf("-batch %s: want at least 2 (BatchNorm needs batch statistics)", typed["batch"])
	case *batch > maxBatch:
		// Its tensors would overflow an int (a panic) or memory.
		return fmt.Errorf("-batch %s: want at most %d (the batch's activations and gradients are held in memory at once)", typed["batch"], maxBatch)
	case *warm < 0:
		return fmt.Errorf("-warm %s: want >= 0", typed["warm"])
	}
	// A run's record, weights or checkpoint (or a directory, a device)
	// would be replaced by the tensors: refuse it before the capture.
	if err := suite.CheckOutputs([]suite.NamedFile{{Flag: "-o", Path: *out}}, nil); err != nil {
		return err
	}
	s, err := estimators.Parse(*spec)
	if err != nil {
		return err
	}
	h, data, err := capture(s, *batch, *seed, *warm)
	if err != nil {
		return err
	}
	return atomicfile.Write(*out, 0o644, func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		line, err := json.Marshal(h)
		if err != nil {
			return err
		}
		bw.Write(line)
		bw.WriteByte('\n')
		if err := binary.Write(bw, binary.LittleEndian, data); err != nil {
			return err
		}
		return bw.Flush()
	})
}

// capture builds the network, trains it for warm steps, then runs one
// forward and backward pass on a fixed batch and returns the header and
// the tensors' values.
func capture(spec estimators.Spec, batch int, seed uint64, warm int) (*header, []float32, error) {
	const epoch, epochs = 4, 10 // as BenchmarkTrainStep
	cfg := models.Config{C: 1, H: 28, W: 28, Classes: 10, Binary: nn.Binary{Estimator: spec}}
	m, err := models.Build("resnet20", cfg, nn.NewInit(seed))
	if err != nil {
		return nil, nil, err
	}
	h := &header{Model: m.Name, Input: [3]int{cfg.C, cfg.H, cfg.W}, Classes: cfg.Classes,
		Spec: spec.String(), Batch: batch, Seed: seed, Epoch: epoch, Epochs: epochs}
	for _, l := range m.Layers {
		h.Layers = append(h.Layers, layer{l.Name, l.FPParams + l.BinaryParams + l.TrainingParams})
	}
	net := m.Net
	nn.SetTraining(net, true)
	nn.SetProgress(net, nn.Progress{Epoch: epoch, Epochs: epochs})
	params, buffers := nn.Params(net), nn.Buffers(net)
	var ce nn.SoftmaxCrossEntropy
	opt := nn.NewSGD(params, nn.SGDConfig{Momentum: 0.9, WeightDecay: 1e-4})
	x := nn.NewTensor(batch, cfg.C, cfg.H, cfg.W)
	labels := make([]int, batch)
	fill := func(purpose string, i uint64) {
		r := nn.Stream(seed, purpose, i)
		for j := range x.Data {
			x.Data[j] = float32(r.NormFloat64())
		}
		for j := range labels {
			labels[j] = r.IntN(cfg.Classes)
		}
	}
	for i := range warm {
		fill("peer/warm", uint64(i))
		ce.Forward(net.Forward(x), labels)
		net.Backward(ce.Backward())
		opt.Step(0.1)
	}

	names := paramNames(net)
	var data []float32
	add := func(kind, name string, shape []int, v []float32) {
		h.Tensors = append(h.Tensors, tensor{Kind: kind, Name: name, Shape: shape, Offset: len(data), Len: len(v)})
		data = append(data, v...)
	}
	addBuffers := func(kind string) {
		for i, b := range buffers {
			add(kind, fmt.Sprintf("%d/%s", i, b.Name), []int{len(b.Data)}, b.Data)
		}
	}
	for i, p := range params {
		add("param", names[i], p.Shape, p.Data)
	}
	addBuffers("buffer")
	fill("peer/check", 0)
	add("input", "x", []int{x.N, x.C, x.H, x.W}, x.Data)
	h.Labels = labels
	var inputs []*recorder
	record(net, &inputs)
	logits := net.Forward(x)
	for i, r := range inputs {
		add("binary_input", fmt.Sprint(i), []int{r.x.N, r.x.C, r.x.H, r.x.W}, r.x.Data)
	}
	h.Loss = ce.Forward(logits, labels)
	add("logits", "logits", []int{logits.N, logits.C}, logits.Data)
	net.Backward(ce.Backward())
	for i, p := range params {
		add("grad", names[i], p.Shape, p.Grad)
	}
	addBuffers("buffer_after")
	return h, data, nil
}

// A recorder keeps a copy of the input of the binary convolution it wraps.
type recorder struct {
	nn.Layer
	x nn.Tensor
}

func (r *recorder) Forward(x *nn.Tensor) *nn.Tensor {
	r.x = nn.Tensor{N: x.N, C: x.C, H: x.H, W: x.W, Data: slices.Clone(x.Data)}
	return r.Layer.Forward(x)
}

// record wraps every binary convolution inside l (in Sequential and
// Residual layers) in a recorder, appended to rs in forward order.
func record(l nn.Layer, rs *[]*recorder) {
	switch l := l.(type) {
	case nn.Sequential:
		for i, c := range l {
			if b, ok := c.(*nn.BinaryConv2d); ok {
				r := &recorder{Layer: b}
				l[i] = r
				*rs = append(*rs, r)
				continue
			}
			record(c, rs)
		}
	case *nn.Residual:
		record(l.Body, rs)
		if l.Shortcut != nil {
			record(l.Shortcut, rs)
		}
	}
}

// paramNames returns "path/name" for every parameter, in nn.Params order.
func paramNames(net nn.Layer) []string {
	var names []string
	nn.Walk(net, func(path string, l nn.Layer) {
		if p, ok := l.(nn.Parametric); ok {
			for _, q := range p.Params() {
				names = append(names, path+"/"+q.Name)
			}
		}
	})
	return names
}
