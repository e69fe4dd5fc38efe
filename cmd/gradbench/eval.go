package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/gradbench/gradbench/data"
	"github.com/gradbench/gradbench/gemm"
	"github.com/gradbench/gradbench/internal/parallel"
	"github.com/gradbench/gradbench/nn"
	"github.com/gradbench/gradbench/suite"
	"github.com/gradbench/gradbench/xnor"
)

var evalCmd = &command{
	name:  "eval",
	short: "run a packed model file on a test set with binary kernels, against the float network",
	long: `
Eval loads a model file written by gradbench export and runs its network on
the test split of its dataset twice: as the full-precision network in
evaluation mode (the training engine's float convolutions), and packed,
with XNOR-popcount kernels (package xnor) where layers are binary and the
float kernels elsewhere. It prints both top-1 accuracies, how many
predictions agree, and the time of each.

--impl chooses the binary kernels: go (portable), avx2 or avx512 (assembly
kernels for amd64 CPUs with AVX2, or AVX-512 with VPOPCNTQ), or simd (the
AVX-512 kernels with archsimd packing, in a GOEXPERIMENT=simd build); the
default is the fastest available.

Example:

	gradbench eval --model resnet20.gbnn`,
	run: runEval,
}

func runEval(ctx context.Context, env *cmdEnv, fs *flag.FlagSet, args []string) error {
	model := fs.String("model", "", "model `file` written by gradbench export")
	dataset := fs.String("dataset", "", "dataset `name` to evaluate on (default: the model's)")
	dataDir := fs.String("data", "", "dataset `directory`, as for gradbench run (default: the search order)")
	batch := fs.Int("batch", 100, "images per `batch`")
	impl := fs.String("impl", "", "binary kernels: "+strings.Join(xnor.Impls(), " or ")+" (default: the fastest)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *model == "" {
		return errors.New("eval: --model is required: a model file written by gradbench export")
	}
	if *batch < 1 {
		return fmt.Errorf("eval: --batch %d, want at least 1", *batch)
	}
	if *impl != "" {
		if err := xnor.SetImpl(*impl); err != nil {
			return fmt.Errorf("eval: --impl: %w", err)
		}
	}
	r, err := os.Open(*model)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	f, err := xnor.Read(r)
	r.Close()
	if err != nil {
		return fmt.Errorf("eval: %s: %w", *model, err)
	}
	mc, err := modelConfigOf(f.Meta)
	if err != nil {
		return fmt.Errorf("eval: %s: %w", *model, err)
	}
	if *dataset == "" {
		*dataset = mc.Dataset
	}
	_, test, err := suite.OpenDataset(*dataset, *dataDir)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	if c, h, w := test.BatchShape(); c != mc.C || h != mc.H || w != mc.W || test.Classes != mc.Classes {
		return fmt.Errorf("eval: dataset %s has %d×%d×%d images of %d classes; the model takes %d×%d×%d images of %d classes",
			*dataset, c, h, w, test.Classes, mc.C, mc.H, mc.W, mc.Classes)
	}
	load := func() (nn.Layer, error) {
		m, err := mc.build()
		if err != nil {
			return nil, err
		}
		return m.Net, f.Restore(m.Net)
	}
	float, err := load()
	if err != nil {
		return fmt.Errorf("eval: %s: %w", *model, err)
	}
	// The packed network: one replica per core, each loaded anew.
	packed, st, err := xnor.CompileParallel(load)
	if err != nil {
		return fmt.Errorf("eval: %s: %w", *model, err)
	}
	loader, err := data.NewLoader(test, data.EvalConfig(*batch))
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	defer loader.Close()
	it := loader.Epoch(ctx, 0)
	defer it.Close()
	var x nn.Tensor
	next := func() (xnor.Batch, bool) {
		if !it.Next() {
			return xnor.Batch{}, false
		}
		b := it.Batch()
		x = nn.Tensor{N: b.N, C: b.C, H: b.H, W: b.W, Data: b.X}
		return xnor.Batch{X: &x, Labels: b.Y}, true
	}
	res, err := xnor.Compare(ctx, float, packed, next)
	if err == nil {
		err = it.Err()
	}
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	fmt.Fprintf(env.stdout, "%s: %s on %s test (%d images), %d binary layers packed (%d with BatchNorm folded in, %d with their residual addition)\n",
		*model, mc.Model, *dataset, res.Images, st.Binary, st.Folded, st.Residual)
	fmt.Fprintf(env.stdout, "batches of %d images; packed network: %d replicas, one per core, chunks of 8 images\n\n", *batch, parallel.Workers())
	ips := func(d float64) string {
		if d <= 0 {
			return "-"
		}
		return fmt.Sprintf("%.0f", float64(res.Images)/d)
	}
	fmt.Fprintf(env.stdout, "| network | kernels | top-1 %% | time | images/s |\n|---|---|---:|---:|---:|\n")
	fmt.Fprintf(env.stdout, "| float | nn (gemm %s) | %.2f | %v | %s |\n", gemm.Impl(), res.FloatTop1(), res.FloatTime.Round(1e6), ips(res.FloatTime.Seconds()))
	fmt.Fprintf(env.stdout, "| packed | xnor (%s) | %.2f | %v | %s |\n\n", xnor.Impl(), res.PackedTop1(), res.PackedTime.Round(1e6), ips(res.PackedTime.Seconds()))
	fmt.Fprintf(env.stdout, "predictions equal: %d of %d (%.2f%%); largest logit difference %.3g; packed %.1f× faster\n",
		res.Agree, res.Images, res.Agreement(), res.MaxLogitDiff, res.Speedup())
	return nil
}
