package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/gradbench/gradbench/suite"
)

var exportCmd = &command{
	name:  "export",
	short: "pack a trained run's network into a binary model file (.gbnn)",
	long: `
Export packs the network of a finished run into a model file for
gradbench eval: the binary layers' weights as their signs (one bit each)
and one scale per filter, everything else (the full-precision stem,
shortcuts and head, BatchNorm statistics) as float32. It prints how much
smaller the binary layers are than their float32 weights.

--run names the run by its record, <key>.json, or its final weights,
<key>.weights, in a runs directory (gradbench run --out); gradbench run
keeps the final weights of every finished run. The model's input shape
and class count come from the run's dataset, found as gradbench run finds
it (--data).

Example:

	gradbench export --run results/runs/3f2a9c0d1e4b5a6c.json --out resnet20.gbnn`,
	run: runExport,
}

func runExport(ctx context.Context, env *cmdEnv, fs *flag.FlagSet, args []string) error {
	run := fs.String("run", "", "the finished run: its record `file` <key>.json or its weights <key>.weights")
	out := fs.String("out", "", "model `file` to write (default <key>.gbnn)")
	dataDir := fs.String("data", "", "dataset `directory`, as for gradbench run (default: the search order)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *run == "" {
		return errors.New("export: --run is required: a run record <key>.json or its final weights <key>.weights (gradbench run --out DIR writes them)")
	}
	x, err := suite.Export(*run, *out, *dataDir)
	if err != nil {
		return err
	}
	mc, cfg, st := x.Model, x.Record.Config, x.Size
	fmt.Fprintf(env.stdout, "wrote %s: %s on %s (%d×%d×%d, %d classes), estimator %s, seed %d\n",
		x.Path, mc.Model, mc.Dataset, mc.C, mc.H, mc.W, mc.Classes, mc.Estimator, cfg.Seed)
	fmt.Fprintf(env.stdout, "binary layers: %d, %d weights: %s packed (signs and scales) vs %s as float32, %.1f× smaller\n",
		st.BinaryLayers, st.BinaryWeights, byteSize(st.BinaryPackedBytes), byteSize(st.BinaryFloat32Bytes), st.Ratio())
	fmt.Fprintf(env.stdout, "full-precision layers and BatchNorm statistics: %s; file %s\n", byteSize(st.OtherBytes), byteSize(st.FileBytes))
	return nil
}

// byteSize formats a byte count with a binary unit.
func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.2f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
