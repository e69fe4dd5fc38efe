package suite

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/internal/racebuild"
	"github.com/gradbench/gradbench/models"
	"github.com/gradbench/gradbench/nn"
)

// The totals under the per-layer table of ResNet-20 on 1×28×28, counted by
// hand. Parameters and memory as in the models package's tests: 267,264
// binary and 4,922 fp32 parameters; 1,097,704 bytes as float32 (1.0469
// MiB) and 62,056 packed (60.60 KiB), 17.69 times fewer. MACs: the stem's
// 16·9·28² = 112,896; the binary convolutions' 6·16·16·9·28² +
// (16 + 5·32)·32·9·14² + (32 + 5·64)·64·9·7² = 30,707,712; the shortcuts'
// 32·16·14² + 64·32·7² = 200,704; the Linear's 640. So 31,021,952 MACs,
// 98.99% binary, and OPs = 314,240 + 30,707,712/64 = 794,048.
func TestModelSummaryTotals(t *testing.T) {
	var buf bytes.Buffer
	if err := SummarizeModels(&buf, ModelsQuery{Model: "resnet20", C: 1, H: 28, W: 28, Width: 1}); err != nil {
		t.Fatal(err)
	}
	hasAll(t, "resnet20 summary", buf.String(),
		"resnet20 for 1×28×28 inputs, 10 classes",
		"| stem.conv | 16×28×28 | 0 | 144 | 0 | 112.9 k |",
		"parameters: 272,186 (binary 267,264, fp32 4,922) memory:",
		"memory: 1.05 MiB as float32, 60.6 KiB with binary weights packed (17.7× smaller)",
		"MACs per image: 31.0 M, 99.0% binary; OPs (fp32 MACs + binary MACs/64): 794.0 k",
	)
	// The same totals in WriteModels' row.
	m, err := models.BuildLayout("resnet20", models.Config{C: 1, H: 28, W: 28, Classes: 10, Binary: nn.Binary{Estimator: estimators.MustParse("ste")}})
	if err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	if err := WriteModels(&buf, []*models.Layout{m}); err != nil {
		t.Fatal(err)
	}
	hasAll(t, "models table", buf.String(), "| resnet20 | 1×28×28 | 10 | 267.3 k | 4.9 k | 1.05 MiB | 60.6 KiB | 31.0 M | 99.0% | 794.0 k |")
}

// TestSummarizeModelsAsBuilt: what SummarizeModels writes from
// models.BuildLayout, building no network, is byte for byte what it wrote
// from the networks models.Build makes, with the same errors, for every
// model and for each one alone, across inputs, widths and class counts.
// The full-size networks of the paper workloads, gradbench models'
// default, are built only without -short.
func TestSummarizeModelsAsBuilt(t *testing.T) {
	// Under the race detector it took 2.2 s of the race pass's suite,
	// the most of the suite's tests that start no goroutine.
	racebuild.Skip(t, "it checks summaries as text, building networks with no goroutine (models.Build runs no layer); the openblas and purego passes of the README's test command run it, as -short does")
	built := func(name string, cfg models.Config) (*models.Layout, error) {
		m, err := models.Build(name, cfg, nn.NewInit(1))
		if err != nil {
			return nil, err
		}
		return &m.Layout, nil
	}
	classes := func(n int) *int { return &n }
	queries := []ModelsQuery{
		{Width: 0.0625},
		{Width: 0.125, Classes: classes(2)},
		{C: 3, H: 64, W: 64, Width: 0.0625, Classes: classes(100)},
		{Model: "resnet20", C: 1, H: 28, W: 28, Width: 0.5},
		{Model: "resnet20", Width: 1},
		{Model: "resnet20", C: 3, H: 32, W: 16, Width: 0.25, Classes: classes(1000)},
		{Model: "resnet18", C: 1, H: 28, W: 28, Width: 0.125},
		{Model: "resnet18", Width: 0.0625},
		{Model: "alexnet", Width: 0.0625},
		{Model: "alexnet", C: 1, H: 100, W: 80, Width: 0.125, Classes: classes(7)},
		{Model: "vgg-small", C: 1, H: 28, W: 28, Width: 0.25},
		{Model: "vgg-small", C: 3, H: 64, W: 32, Width: 0.0625, Classes: classes(1000)},
	}
	if !testing.Short() {
		queries = append(queries, ModelsQuery{Width: 1})
		for _, name := range models.Names() {
			queries = append(queries, ModelsQuery{Model: name, Width: 1})
		}
	}
	written := len(queries)
	queries = append(queries, []ModelsQuery{
		// Refused: an input too small, a fractional width, too many
		// parameters, the bounds, the query's own checks.
		{Model: "alexnet", C: 1, H: 28, W: 28, Width: 1},
		{C: 1, H: 28, W: 28, Width: 0.25},
		{Model: "resnet20", C: 3, H: 32, W: 31, Width: 1},
		{Model: "resnet20", Width: 0.13},
		{Width: 0.13},
		{Width: 0.01},
		{Width: 1e18},
		{Model: "alexnet", Width: 8},
		{Width: 8},
		{Model: "resnet18", Width: 1025},
		{Classes: classes(65537), Width: 1},
		{C: 3, H: 20000, W: 20000, Width: 1},
		{Classes: classes(1), Width: 1},
		{Width: 0},
		{Model: "lenet", Width: 1},
	}...)
	for i, q := range queries {
		var dry, full bytes.Buffer
		derr := SummarizeModels(&dry, q)
		rerr := summarizeModels(&full, q, built)
		if fmt.Sprint(derr) != fmt.Sprint(rerr) {
			t.Errorf("%+v: error %v, from built networks %v", q, derr, rerr)
		}
		if refused := derr != nil; refused != (i >= written) || !refused && dry.Len() == 0 {
			t.Errorf("%+v: error %v after writing %d bytes, want an error: %v", q, derr, dry.Len(), i >= written)
		}
		if dry.String() != full.String() {
			t.Errorf("%+v: wrote\n%s\nfrom built networks\n%s", q, dry.String(), full.String())
		}
	}
}

// count, group and byteSize at the edges of their units: a number that
// would round up to 1000 of one unit is written in the next.
func TestCountFormats(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{
		{0, "0"}, {999, "999"}, {1000, "1.0 k"}, {272186, "272.2 k"},
		{999949, "999.9 k"}, {999950, "1.0 M"}, {1000000, "1.0 M"},
		{999949999, "999.9 M"}, {999950000, "1.00 G"}, {1140000000, "1.14 G"},
	} {
		if got := count(tc.n); got != tc.want {
			t.Errorf("count(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
	for _, tc := range []struct {
		n    int64
		want string
	}{
		{0, "0"}, {999, "999"}, {1000, "1,000"}, {272186, "272,186"}, {100000, "100,000"}, {1234567, "1,234,567"},
	} {
		if got := group(tc.n); got != tc.want {
			t.Errorf("group(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
	for _, tc := range []struct {
		n    int64
		want string
	}{
		{1000, "1000 B"}, {1023, "1023 B"}, {1024, "1.0 KiB"}, {62056, "60.6 KiB"},
		{1048524, "1023.9 KiB"}, {1048525, "1.00 MiB"}, {1 << 20, "1.00 MiB"}, {1097704, "1.05 MiB"},
	} {
		if got := byteSize(tc.n); got != tc.want {
			t.Errorf("byteSize(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
