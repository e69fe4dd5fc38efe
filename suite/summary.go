package suite

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/internal/mdtable"
	"github.com/gradbench/gradbench/models"
	"github.com/gradbench/gradbench/nn"
)

// paperInput is the input each model is summarized for by default: that
// of its paper workload.
var paperInput = map[string]models.Config{
	"alexnet":   {C: 3, H: 224, W: 224, Classes: 1000},
	"resnet18":  {C: 3, H: 224, W: 224, Classes: 1000},
	"resnet20":  {C: 3, H: 32, W: 32, Classes: 10},
	"vgg-small": {C: 3, H: 32, W: 32, Classes: 10},
}

// A ModelsQuery says which models SummarizeModels describes, for which
// input.
type ModelsQuery struct {
	// Model, when set, is the one model to describe layer by layer;
	// empty, every model gets one row.
	Model string
	// C, H and W are the input; zero values take each model's paper
	// workload (resnet20 and vgg-small: CIFAR-10, 3×32×32; resnet18 and
	// alexnet: ImageNet, 3×224×224).
	C, H, W int
	// Classes, when not nil, is the number of classes, at least 2; nil
	// takes each model's paper workload's (10 or 1000). A 0 given is
	// refused, not read as "not given".
	Classes *int
	Width   float64 // width multiplier, > 0
	// Typed holds the flags' values as typed (cli.Typed), which the
	// refusals of --input, --classes and --width quote.
	Typed Typed
}

// SummarizeModels describes the models of q as inference networks (no
// noise adaptation) and writes WriteModelSummary of the one model q names,
// or WriteModels of all. It builds no network: models.BuildLayout gives
// the layers, shapes and counts of each, checked as models.Build checks
// them, without allocating or initialising a weight.
func SummarizeModels(w io.Writer, q ModelsQuery) error {
	return summarizeModels(w, q, models.BuildLayout)
}

// summarizeModels is SummarizeModels with the function that lays out each
// model, so that a test can compare its output with that of built
// networks.
func summarizeModels(w io.Writer, q ModelsQuery, layout func(string, models.Config) (*models.Layout, error)) error {
	names := models.Names()
	if q.Model != "" {
		if err := models.Check(q.Model); err != nil {
			return err
		}
		names = []string{q.Model}
	}
	// Said as gradbench models says its own errors, naming the flags.
	if q.C < 0 || q.H < 0 || q.W < 0 || (q.C > 0) != (q.H > 0) || (q.C > 0) != (q.W > 0) {
		return fmt.Errorf("models: bad --input %s: want CxHxW with positive integers, such as 3x32x32", q.Typed.of("input", fmt.Sprintf("%d×%d×%d", q.C, q.H, q.W)))
	}
	if q.Classes != nil && *q.Classes < 2 {
		return fmt.Errorf("models: bad --classes %s: want at least 2, or leave --classes out for each model's paper workload", q.Typed.of("classes", *q.Classes))
	}
	if !(q.Width > 0) || math.IsInf(q.Width, 0) {
		return fmt.Errorf("models: bad --width %s: want a number > 0", q.Typed.of("width", q.Width))
	}
	var ms []*models.Layout
	for _, name := range names {
		cfg := paperInput[name]
		if q.C > 0 {
			cfg.C, cfg.H, cfg.W = q.C, q.H, q.W
		}
		if q.Classes != nil {
			cfg.Classes = *q.Classes
		}
		cfg.Width, cfg.WidthTyped = q.Width, q.Typed["width"]
		cfg.InputTyped, cfg.ClassesTyped = q.Typed["input"], q.Typed["classes"]
		cfg.Binary = nn.Binary{Estimator: estimators.MustParse("ste")}
		m, err := layout(name, cfg)
		if err != nil {
			if q.Model == "" {
				return modelsTakingHint(err, q)
			}
			return err
		}
		ms = append(ms, m)
	}
	if q.Model != "" {
		return WriteModelSummary(w, ms[0])
	}
	return WriteModels(w, ms)
}

// modelsTakingHint returns err, the error of one model of a summary of
// every model, with the names of the models that take q's input, classes
// and width, if any: without --model they apply to every model, and one
// model refusing them (alexnet, 1×28×28) stopped the others' rows. It
// asks the dry layouts (models.BuildLayout), whatever lays out the
// summary itself: whether a model takes the settings is all it needs, and
// the settings one model refused may make another's network too large to
// build (3×20000×20000 takes tens of GiB of activations).
func modelsTakingHint(err error, q ModelsQuery) error {
	var ok []string
	for _, name := range models.Names() {
		q.Model = name
		if SummarizeModels(io.Discard, q) == nil {
			ok = append(ok, name)
		}
	}
	if len(ok) == 0 {
		return err
	}
	them := "takes"
	if len(ok) > 1 {
		them = "take"
	}
	return fmt.Errorf("%w; without --model every model is summarized with --input, --classes and --width: %s %s them (name one with --model)", err, andList(ok), them)
}

// WriteModels writes one markdown row per model: parameters by precision,
// inference memory as float32 and with binary weights packed in bits,
// multiply-accumulates per image with their binary share, and the OPs
// count customary for binary networks.
func WriteModels(w io.Writer, ms []*models.Layout) error {
	header := []string{"model", "input", "classes", "binary params", "fp32 params", "float32 memory", "packed memory", "MACs", "binary MACs", "OPs"}
	var rows [][]string
	for _, m := range ms {
		s := m.Summary()
		c := m.Config
		name := m.Name
		if c.Width != 1 {
			name += " (width " + strconv.FormatFloat(c.Width, 'g', -1, 64) + ")"
		}
		rows = append(rows, []string{name, fmt.Sprintf("%d×%d×%d", c.C, c.H, c.W), strconv.Itoa(c.Classes),
			count(int64(s.BinaryParams)), count(int64(s.FPParams)), byteSize(s.Float32Bytes), byteSize(s.PackedBytes),
			count(s.MACs), fmt.Sprintf("%.1f%%", 100*s.BinaryShare), count(s.OPs)})
	}
	if err := mdtable.Write(w, 1, header, rows); err != nil {
		return wrapErr("suite: table", err)
	}
	fmt.Fprintf(w, "\nfp32 params: the first convolution, the last Linear, the downsampling shortcuts, BatchNorm and PReLU. "+
		"Memory: parameters, BatchNorm statistics and one weight scale per binary output channel; packed stores binary weights in 1 bit. "+
		"OPs = fp32 MACs + binary MACs/64 (Bi-Real Net, ECCV 2018).\n")
	return nil
}

// WriteModelSummary writes the per-layer summary of one model, followed by
// its totals, like Larq's model summary.
func WriteModelSummary(w io.Writer, m *models.Layout) error {
	fmt.Fprintf(w, "%s\n\n", m.Describe())
	header := []string{"layer", "output", "binary params", "fp32 params", "binary MACs", "fp32 MACs"}
	var rows [][]string
	for _, l := range m.Layers {
		rows = append(rows, []string{l.Name, fmt.Sprintf("%d×%d×%d", l.Out[0], l.Out[1], l.Out[2]),
			count(int64(l.BinaryParams)), count(int64(l.FPParams)), count(l.BinaryMACs), count(l.FPMACs)})
	}
	if err := mdtable.Write(w, 2, header, rows); err != nil {
		return wrapErr("suite: table", err)
	}
	s := m.Summary()
	fmt.Fprintf(w, "\nparameters: %s (binary %s, fp32 %s", group(int64(s.Params)), group(int64(s.BinaryParams)), group(int64(s.FPParams)))
	if s.TrainingParams > 0 {
		fmt.Fprintf(w, ", training only %s", group(int64(s.TrainingParams)))
	}
	fmt.Fprintf(w, ")\nmemory: %s as float32, %s with binary weights packed (%.1f× smaller)\n",
		byteSize(s.Float32Bytes), byteSize(s.PackedBytes), float64(s.Float32Bytes)/float64(s.PackedBytes))
	fmt.Fprintf(w, "MACs per image: %s, %.1f%% binary; OPs (fp32 MACs + binary MACs/64): %s\n",
		count(s.MACs), 100*s.BinaryShare, count(s.OPs))
	return nil
}

// count formats a count with SI suffixes: 272186 → "272.2 k". A count
// that one decimal would round up to 1000 of a unit is written in the
// next: 999,950 is "1.0 M", not "1000.0 k".
func count(n int64) string {
	switch {
	case n < 1000:
		return strconv.FormatInt(n, 10)
	case n < 999_950:
		return fmt.Sprintf("%.1f k", float64(n)/1e3)
	case n < 999_950_000:
		return fmt.Sprintf("%.1f M", float64(n)/1e6)
	}
	return fmt.Sprintf("%.2f G", float64(n)/1e9)
}

// group formats an exact count with thousands separators: 272,186.
func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// byteSize formats a size in bytes, KiB or MiB; as count does, a size
// that would round up to 1024.0 KiB is written in MiB.
func byteSize(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1048525: // 1023.95 KiB
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%.2f MiB", float64(n)/(1<<20))
}
