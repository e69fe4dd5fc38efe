package checkpoint_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gradbench/gradbench/nn"
	"github.com/gradbench/gradbench/nn/checkpoint"
)

func Example() {
	dir, _ := os.MkdirTemp("", "ckpt")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "run.ckpt")

	build := func(seed uint64) nn.Layer {
		return nn.Sequential{nn.NewLinear(4, 2, true, nn.NewInit(seed)), nn.NewBatchNorm1d(2)}
	}
	net := build(1)
	opt := nn.NewSGD(nn.Params(net), nn.SGDConfig{Momentum: 0.9})
	if err := checkpoint.Save(path, &checkpoint.State{Net: net, Opt: opt, Epoch: 3, Step: 1200}); err != nil {
		panic(err)
	}

	other := build(2)
	s := &checkpoint.State{Net: other, Opt: nn.NewSGD(nn.Params(other), nn.SGDConfig{Momentum: 0.9})}
	if err := checkpoint.Load(path, s); err != nil {
		panic(err)
	}
	fmt.Println(s.Epoch, s.Step, nn.Params(other)[0].Data[0] == nn.Params(net)[0].Data[0])

	wider := nn.Sequential{nn.NewLinear(5, 2, true, nn.NewInit(1)), nn.NewBatchNorm1d(2)}
	fmt.Println(checkpoint.Load(path, &checkpoint.State{Net: wider}) != nil)
	// Output:
	// 3 1200 true
	// true
}
