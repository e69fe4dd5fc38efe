package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/internal/atomicfile"
	"github.com/gradbench/gradbench/models"
	"github.com/gradbench/gradbench/nn"
	"github.com/gradbench/gradbench/nn/checkpoint"
	"github.com/gradbench/gradbench/suite"
	"github.com/gradbench/gradbench/xnor"
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
	dir, key, err := runKey(*run)
	if err != nil {
		return err
	}
	rec, err := suite.ReadRecord(dir, key)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("export: no record %s for run %s: the run is not finished (or not a gradbench run)", suite.RecordPath(dir, key), key)
	} else if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if rec.Status != suite.StatusOK {
		return fmt.Errorf("export: run %s diverged at epoch %d: it has no trained network to export", key, rec.Diverged.Epoch)
	}
	weights := suite.WeightsPath(dir, key)
	if _, err := os.Stat(weights); err != nil {
		return fmt.Errorf("export: run %s has no final weights %s (gradbench run keeps them for runs it finishes; re-run the sweep in a new --out to get them): %w", key, weights, err)
	}
	cfg := rec.Config
	train, _, err := suite.OpenDataset(cfg.Dataset, *dataDir)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	c, h, w := train.BatchShape()
	mc := modelConfig{Model: cfg.Model, Dataset: cfg.Dataset, C: c, H: h, W: w, Classes: train.Classes,
		Width: cfg.Width, Binarize: cfg.Binarize, Estimator: cfg.Estimator}
	m, err := mc.build()
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := checkpoint.Load(weights, &checkpoint.State{Net: m.Net}); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if *out == "" {
		*out = key + ".gbnn"
	}
	meta := mc.meta()
	meta["run"] = key
	meta["test_top1"] = strconv.FormatFloat(rec.Final.TestTop1, 'f', -1, 64)
	st, err := writeModel(*out, m.Net, meta)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "wrote %s: %s on %s (%d×%d×%d, %d classes), estimator %s, seed %d\n",
		*out, cfg.Model, cfg.Dataset, c, h, w, train.Classes, cfg.Estimator, cfg.Seed)
	fmt.Fprintf(env.stdout, "binary layers: %d, %d weights: %s packed (signs and scales) vs %s as float32, %.1f× smaller\n",
		st.BinaryLayers, st.BinaryWeights, byteSize(st.BinaryPackedBytes), byteSize(st.BinaryFloat32Bytes), st.Ratio())
	fmt.Fprintf(env.stdout, "full-precision layers and BatchNorm statistics: %s; file %s\n", byteSize(st.OtherBytes), byteSize(st.FileBytes))
	return nil
}

// runKey splits a run's record or weights path into its directory and key.
func runKey(path string) (dir, key string, err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	for _, ext := range []string{".json", ".weights"} {
		if k, ok := strings.CutSuffix(base, ext); ok {
			return dir, k, nil
		}
	}
	if k, ok := strings.CutSuffix(base, ".ckpt"); ok {
		return "", "", fmt.Errorf("export: %s is the epoch checkpoint of an unfinished run %s; export takes a finished run (%s.json or %s.weights)", path, k, k, k)
	}
	return "", "", fmt.Errorf("export: --run %s: want a run record <key>.json or final weights <key>.weights", path)
}

// modelConfig is what a model file records about its network, enough to
// build it again: gradbench eval reads it back from the file's metadata.
type modelConfig struct {
	Model, Dataset      string
	C, H, W, Classes    int
	Width               float64
	Binarize, Estimator string
}

func (mc modelConfig) meta() map[string]string {
	return map[string]string{
		"model": mc.Model, "dataset": mc.Dataset,
		"input":     fmt.Sprintf("%dx%dx%d", mc.C, mc.H, mc.W),
		"classes":   strconv.Itoa(mc.Classes),
		"width":     strconv.FormatFloat(mc.Width, 'g', -1, 64),
		"binarize":  mc.Binarize,
		"estimator": mc.Estimator,
	}
}

// modelConfigOf reads the metadata written by meta.
func modelConfigOf(meta map[string]string) (modelConfig, error) {
	mc := modelConfig{Model: meta["model"], Dataset: meta["dataset"], Binarize: meta["binarize"], Estimator: meta["estimator"]}
	var err error
	bad := func(key string) error {
		return fmt.Errorf("model file metadata %s = %q is missing or malformed (not written by gradbench export?)", key, meta[key])
	}
	if mc.Model == "" {
		return mc, bad("model")
	}
	if mc.Dataset == "" {
		return mc, bad("dataset")
	}
	if n, _ := fmt.Sscanf(meta["input"], "%dx%dx%d", &mc.C, &mc.H, &mc.W); n != 3 {
		return mc, bad("input")
	}
	if mc.Classes, err = strconv.Atoi(meta["classes"]); err != nil {
		return mc, bad("classes")
	}
	if mc.Width, err = strconv.ParseFloat(meta["width"], 64); err != nil {
		return mc, bad("width")
	}
	return mc, nil
}

// build builds the network of the configuration (with its initial weights;
// the caller loads the trained ones).
func (mc modelConfig) build() (*models.Model, error) {
	spec, err := estimators.Parse(mc.Estimator)
	if err != nil {
		return nil, err
	}
	bin, err := nn.ParseBinarize(mc.Binarize)
	if err != nil {
		return nil, err
	}
	return models.Build(mc.Model, models.Config{C: mc.C, H: mc.H, W: mc.W, Classes: mc.Classes, Width: mc.Width,
		Binary: nn.Binary{Estimator: spec, Binarize: bin}}, nn.NewInit(1))
}

// writeModel writes the model file atomically: a temporary file in the
// same directory, renamed over path once complete. Like the checkpoint it
// is packed from, the file is the user's alone: mode 0600.
func writeModel(path string, net nn.Layer, meta map[string]string) (xnor.SizeStats, error) {
	var st xnor.SizeStats
	err := atomicfile.Write(path, 0o600, func(w io.Writer) error {
		var err error
		st, err = xnor.Save(w, net, meta)
		return err
	})
	if err != nil {
		return st, fmt.Errorf("export: %w", err)
	}
	return st, nil
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
