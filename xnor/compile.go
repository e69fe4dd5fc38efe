package xnor

import (
	"fmt"

	"github.com/gradbench/gradbench/internal/parallel"
	"github.com/gradbench/gradbench/nn"
)

// CompileStats says what [Compile] packed.
type CompileStats struct {
	// Binary counts the packed layers, Folded those of them with a
	// BatchNorm folded in, Residual those with their residual addition,
	// Packed those whose input stays packed from the previous binary layer
	// (a ChainLayer's stages after the first).
	Binary, Folded, Residual, Packed int
}

// Compile returns an inference network for a trained network: a copy of
// its containers (nn.Sequential, nn.Residual) in which every
// nn.BinaryConv2d and nn.BinaryLinear is replaced by a [ConvLayer], with the
// nn.BatchNorm that directly follows it in a Sequential (if any) folded
// into its output transform, and every nn.Residual whose body is just a
// binary convolution (and its BatchNorm) by a [ResidualLayer]. Every other
// layer is shared with net and runs its own full-precision Forward. The
// result is a [Network], which runs a large batch in chunks. Compile switches net to evaluation mode
// (nn.SetTraining(net, false)): noise adaptation off, BatchNorm on its
// running statistics, which is what the packed layers reproduce.
//
// The compiled network computes what net computes in evaluation mode, up
// to float32 rounding: the packed layers' dot products are exact integers
// where the float convolution rounds its sums of ±s (see the package
// documentation).
func Compile(net nn.Layer) (*Network, CompileStats, error) {
	nn.SetTraining(net, false)
	var st CompileStats
	out, err := compile(net, "", &st)
	if err != nil {
		return nil, st, err
	}
	return newNetwork([]nn.Layer{out}), st, nil
}

// CompileParallel is [Compile] with one replica of the network per worker
// of the pool (parallel.Workers), each from a call of newNet, which must
// return the same trained network every time (built and loaded anew: the
// replicas share no layer). Large batches then run one chunk per core at a
// time. The replicas' full-precision layers run in parallel too, which
// Compile's shared layers cannot.
func CompileParallel(newNet func() (nn.Layer, error)) (*Network, CompileStats, error) {
	var layers []nn.Layer
	var st CompileStats
	for i := range parallel.Workers() {
		net, err := newNet()
		if err != nil {
			return nil, st, err
		}
		nn.SetTraining(net, false)
		var s CompileStats
		l, err := compile(net, "", &s)
		if err != nil {
			return nil, st, err
		}
		if i == 0 {
			st = s
		} else if s != st {
			return nil, st, fmt.Errorf("xnor: CompileParallel: replica %d compiles to %+v, the first to %+v (newNet must return the same network)", i, s, st)
		}
		layers = append(layers, l)
	}
	return newNetwork(layers), st, nil
}

func compile(l nn.Layer, path string, st *CompileStats) (nn.Layer, error) {
	switch l := l.(type) {
	case nn.Sequential:
		var seq nn.Sequential
		for i := 0; i < len(l); i++ {
			p := childPath(path, i)
			var bn *nn.BatchNorm
			if i+1 < len(l) {
				bn, _ = l[i+1].(*nn.BatchNorm)
			}
			packed, err := packBinary(l[i], bn, p)
			if err != nil {
				return nil, err
			}
			if packed != nil {
				st.Binary++
				if bn != nil {
					st.Folded++
					i++
				}
				// Binary convolutions that only feed the next one's signs
				// (through a max pooling or not) stay packed in between.
				chain := &ChainLayer{Stages: []ChainStage{{Conv: packed}}}
				for {
					j := i + 1
					var pool *nn.MaxPool2d
					if j < len(l) {
						if mp, ok := l[j].(*nn.MaxPool2d); ok && mp.Pad == 0 {
							pool, j = mp, j+1
						}
					}
					if j >= len(l) {
						break
					}
					if _, ok := l[j].(*nn.BinaryConv2d); !ok {
						break
					}
					var bn2 *nn.BatchNorm
					if j+1 < len(l) {
						bn2, _ = l[j+1].(*nn.BatchNorm)
					}
					next, err := packBinary(l[j], bn2, childPath(path, j))
					if err != nil {
						return nil, err
					}
					if pool != nil {
						chain.Stages[len(chain.Stages)-1].Pool = &pool.Pool
					}
					chain.Stages = append(chain.Stages, ChainStage{Conv: next})
					st.Binary++
					st.Packed++
					i = j
					if bn2 != nil {
						st.Folded++
						i++
					}
				}
				if len(chain.Stages) > 1 {
					seq = append(seq, chain)
				} else {
					seq = append(seq, packed)
				}
				continue
			}
			c, err := compile(l[i], p, st)
			if err != nil {
				return nil, err
			}
			seq = append(seq, c)
		}
		return seq, nil
	case *nn.Residual:
		if conv, err := packUnit(l.Body, childPath(path, 0), st); err != nil || conv != nil {
			if err != nil {
				return nil, err
			}
			r := &ResidualLayer{Conv: conv}
			if pc := poolConv(l.Shortcut); pc != nil {
				r.Shortcut = pc
			} else if l.Shortcut != nil {
				if r.Shortcut, err = compile(l.Shortcut, childPath(path, 1), st); err != nil {
					return nil, err
				}
			}
			st.Residual++
			return r, nil
		}
		body, err := compile(l.Body, childPath(path, 0), st)
		if err != nil {
			return nil, err
		}
		r := &nn.Residual{Body: body}
		if l.Shortcut != nil {
			if r.Shortcut, err = compile(l.Shortcut, childPath(path, 1), st); err != nil {
				return nil, err
			}
		}
		return r, nil
	}
	packed, err := packBinary(l, nil, path)
	if err != nil || packed != nil {
		if packed != nil {
			st.Binary++
		}
		return packed, err
	}
	if _, ok := l.(nn.Parent); ok {
		return nil, fmt.Errorf("xnor: layer %q: container %T is not supported (have nn.Sequential, nn.Residual)", path, l)
	}
	return l, nil
}

// packUnit returns the packed layer of a residual body that is a binary
// layer, alone or followed by a BatchNorm, or nil for any other body.
func packUnit(body nn.Layer, path string, st *CompileStats) (*ConvLayer, error) {
	seq, ok := body.(nn.Sequential)
	if !ok {
		seq = nn.Sequential{body}
	}
	var bn *nn.BatchNorm
	switch len(seq) {
	case 1:
	case 2:
		if bn, ok = seq[1].(*nn.BatchNorm); !ok {
			return nil, nil
		}
	default:
		return nil, nil
	}
	conv, err := packBinary(seq[0], bn, childPath(path, 0))
	if conv != nil {
		st.Binary++
		if bn != nil {
			st.Folded++
		}
	}
	return conv, err
}

func childPath(path string, i int) string {
	if path == "" {
		return fmt.Sprint(i)
	}
	return fmt.Sprintf("%s.%d", path, i)
}

// packBinary returns the packed layer for a binary layer l (with bn folded
// in when it is not nil), or nil if l is not binary.
func packBinary(l nn.Layer, bn *nn.BatchNorm, path string) (*ConvLayer, error) {
	var s Shape
	var w []float32
	name := ""
	switch l := l.(type) {
	case *nn.BinaryConv2d:
		s = Shape{In: l.In, Out: l.Out, Kernel: l.Kernel, Stride: l.Stride, Pad: l.Pad}
		w, name = codedWeights(l.WeightEstimator(), l.Weight.Data), "BinaryConv2d"
	case *nn.BinaryLinear:
		s = Shape{In: l.In, Out: l.Out, Kernel: 1}
		w, name = codedWeights(l.WeightEstimator(), l.Weight.Data), "BinaryLinear"
	default:
		return nil, nil
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("xnor: layer %q: %w", path, err)
	}
	pw := PackWeights(s, w)
	t := ScaleOnly(pw.Scale)
	if bn != nil {
		if bn.C != s.Out {
			return nil, fmt.Errorf("xnor: layer %q: BatchNorm of %d channels after %s of %d outputs", path, bn.C, name, s.Out)
		}
		t = FoldBatchNorm(pw.Scale, bn.Weight.Data, bn.Bias.Data, bn.RunningMean.Data, bn.RunningVar.Data, bn.Eps)
		name += "+BatchNorm"
	}
	cl, err := NewConvLayer(name, pw, t)
	if err != nil {
		return nil, fmt.Errorf("xnor: layer %q: %w", path, err)
	}
	_, cl.linear = l.(*nn.BinaryLinear)
	return cl, nil
}
