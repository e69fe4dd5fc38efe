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
smaller the binary layers are than their float32 weights on stdout, and
which file it wrote, with the run's network, on stderr.

--run names the run by its record, <key>.json, or its final weights,
<key>.weights, in a runs directory (gradbench run --out); gradbench run
keeps the final weights of every run it finishes without diverging (a
diverged run has no trained network, and is refused). The model's input
shape and class count come from the run's dataset, found as gradbench run
finds it (--data). --out may not name a file of a runs directory (a record
<key>.json, weights *.weights, a checkpoint *.ckpt or a lock <key>.lock)
nor a file of the dataset it reads: export refuses it rather than
replace a run's or the dataset's files. Nor may it name a device or a
pipe (/dev/stdout): the model file is written beside its name and
renamed into place, which would replace the device, not write to it.
An existing file at --out is replaced only if it is a model file (it
starts with the model file header, as eval reads it: an earlier export)
or empty; any other file is refused, before the run is loaded, and left
as it is: remove it, or name another file.

Example:

	gradbench export --run results/runs/3f2a9c0d1e4b5a6c.json \
	    --out resnet20.gbnn`,
	run:           runExport,
	interruptible: true,
}

func runExport(ctx context.Context, env *cmdEnv, fs *flag.FlagSet, args []string) error {
	run := stringRequired(fs, "run", "the finished run: its record `file` <key>.json or its weights <key>.weights")
	out := fs.String("out", "", "model `file` to write (default <key>.gbnn in the working directory, not beside the run); name.gbnn, or a name without an extension: another format's, such as .onnx or .json, is refused; an existing file there is replaced only if it is a model file (an earlier export) or empty")
	dataDir := fs.String("data", "", "dataset `directory`, as for gradbench run (default: the search order)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *run == "" {
		return errors.New("export: --run is required: a run record <key>.json or its final weights <key>.weights (gradbench run --out DIR writes them)")
	}
	x, err := suite.Export(ctx, *run, *out, *dataDir)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			// Not just "context canceled": say what Ctrl-C did.
			return errors.New("export interrupted: no model file was written; run the same command again to export the run")
		}
		return err
	}
	// Which file was written is status, as for run and table; the sizes
	// are what the command reports.
	fmt.Fprintln(env.stderr, x.Wrote())
	return x.WriteSummary(env.stdout)
}
