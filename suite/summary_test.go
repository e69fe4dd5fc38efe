package suite

import (
	"bytes"
	"testing"

	"github.com/gradbench/gradbench/estimators"
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
	m, err := models.Build("resnet20", models.Config{C: 1, H: 28, W: 28, Classes: 10, Binary: nn.Binary{Estimator: estimators.MustParse("ste")}}, nn.NewInit(1))
	if err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	if err := WriteModels(&buf, []*models.Model{m}); err != nil {
		t.Fatal(err)
	}
	hasAll(t, "models table", buf.String(), "| resnet20 | 1×28×28 | 10 | 267.3 k | 4.9 k | 1.05 MiB | 60.6 KiB | 31.0 M | 99.0% | 794.0 k |")
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
