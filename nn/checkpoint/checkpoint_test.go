package checkpoint

import (
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/internal/binfile"
	"github.com/gradbench/gradbench/nn"
)

// net builds a small network with parameters, BatchNorm buffers, noise
// adaptation and a learnable-free estimator; width changes the shapes.
func net(t testing.TB, seed uint64, width int) nn.Layer {
	t.Helper()
	init := nn.NewInit(seed)
	bc, err := nn.NewBinaryConv2d(nn.Conv{In: width, Out: width, Kernel: 3, Pad: 1},
		nn.Binary{Estimator: estimators.MustParse("ste+na")}, init)
	if err != nil {
		t.Fatal(err)
	}
	return nn.Sequential{
		nn.NewConv2d(nn.Conv{In: 1, Out: width, Kernel: 3, Pad: 1, SkipInputGrad: true}, init),
		nn.NewBatchNorm2d(width),
		&nn.Residual{Body: nn.Sequential{bc, nn.NewBatchNorm2d(width)}},
		nn.NewGlobalAvgPool(),
		nn.NewLinear(width, 3, true, init),
	}
}

// train runs steps SGD steps on a fixed random batch and returns the losses.
func train(l nn.Layer, opt nn.Optimizer, steps int) []float64 {
	x := nn.NewTensor(6, 1, 5, 5)
	r := nn.Stream(9, "test/data")
	for i := range x.Data {
		x.Data[i] = float32(r.NormFloat64())
	}
	labels := []int{0, 1, 2, 0, 1, 2}
	var ce nn.SoftmaxCrossEntropy
	var losses []float64
	for range steps {
		losses = append(losses, ce.Forward(l.Forward(x), labels))
		l.Backward(ce.Backward())
		opt.Step(0.05)
	}
	return losses
}

func newOpt(l nn.Layer) nn.Optimizer {
	return nn.NewSGD(nn.Params(l), nn.SGDConfig{Momentum: 0.9, WeightDecay: 1e-4})
}

// TestResume checks that a run saved after 3 steps and resumed into a
// differently initialised network continues with exactly the losses of an
// uninterrupted run.
func TestResume(t *testing.T) {
	a := net(t, 1, 4)
	optA := newOpt(a)
	train(a, optA, 3)
	pcg := rand.NewPCG(5, 6)
	rng, _ := pcg.MarshalBinary()
	path := filepath.Join(t.TempDir(), "run.ckpt")
	if err := Save(path, &State{Net: a, Opt: optA, Epoch: 1, Step: 3, Extra: map[string][]byte{"rng": rng}}); err != nil {
		t.Fatal(err)
	}
	want := train(a, optA, 4)

	b := net(t, 2, 4)
	optB := newOpt(b)
	s := &State{Net: b, Opt: optB}
	if err := Load(path, s); err != nil {
		t.Fatal(err)
	}
	if s.Epoch != 1 || s.Step != 3 || !slices.Equal(s.Extra["rng"], rng) {
		t.Errorf("Load: epoch %d step %d rng %x, want 1, 3, %x", s.Epoch, s.Step, s.Extra["rng"], rng)
	}
	if got := train(b, optB, 4); !slices.Equal(got, want) {
		t.Errorf("losses after resume = %v, want %v", got, want)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d files after Save, want 1 (no temporary left)", len(entries))
	}
}

// TestLoadErrors checks that every kind of bad checkpoint is an error
// naming the problem and leaves the network unchanged.
func TestLoadErrors(t *testing.T) {
	src := net(t, 1, 4)
	opt := newOpt(src)
	train(src, opt, 2)
	good := mustMarshal(t, &State{Net: src, Opt: opt, Epoch: 2, Step: 2})

	resum := func(b []byte) []byte { return binfile.Seal(b[:len(b)-4]) }
	magic := format.Magic
	flip := slices.Clone(good)
	flip[len(flip)/2] ^= 0x10
	wrongVersion := slices.Clone(good)
	binary.LittleEndian.PutUint32(wrongVersion[len(magic):], 7)
	wrongVersion = resum(wrongVersion)
	badMagic := slices.Clone(good)
	badMagic[0] = 'X'
	// A count field that claims more records than the file holds, with a
	// valid checksum: the decoder must not run past the end.
	moreRecords := slices.Clone(good)
	off := len(magic) + 4 + 16
	binary.LittleEndian.PutUint32(moreRecords[off:], binary.LittleEndian.Uint32(moreRecords[off:])+1)
	moreRecords = resum(moreRecords)

	tests := []struct {
		name string
		data []byte
		net  func() (nn.Layer, nn.Optimizer)
		want string
	}{
		{"truncated", good[:len(good)-100], nil, "checksum mismatch"},
		{"truncated header", good[:10], nil, "truncated"},
		{"empty", nil, nil, "empty (0 bytes), not a gradbench checkpoint"},
		{"flipped bit", flip, nil, "checksum mismatch"},
		{"wrong version", wrongVersion, nil, "format version 7"},
		{"bad magic", badMagic, nil, "bad magic"},
		{"record count", moreRecords, nil, "malformed record"},
		{"wider network", good, func() (nn.Layer, nn.Optimizer) { l := net(t, 1, 5); return l, newOpt(l) }, `parameter "0/weight" has shape [4 1 3 3] in the checkpoint, [5 1 3 3] in the network`},
		{"other optimizer", good, func() (nn.Layer, nn.Optimizer) {
			l := net(t, 1, 4)
			return l, nn.NewAdam(nn.Params(l), nn.AdamConfig{})
		}, "optimizer buffer"},
		// An optimizer with no state (SGD without momentum) given a
		// checkpoint whose optimizer has some: its momentum would be
		// dropped in silence and the resumed run would train otherwise.
		{"optimizer without state", good, func() (nn.Layer, nn.Optimizer) {
			l := net(t, 1, 4)
			return l, nn.NewSGD(nn.Params(l), nn.SGDConfig{})
		}, `/momentum" of the checkpoint is not in the network`},
		{"fewer layers", good, func() (nn.Layer, nn.Optimizer) {
			l := net(t, 1, 4).(nn.Sequential)[:4]
			return l, newOpt(l)
		}, "not in the network"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst, dopt := net(t, 3, 4), nn.Optimizer(nil)
			if tt.net != nil {
				dst, dopt = tt.net()
			} else {
				dopt = newOpt(dst)
			}
			before := snapshot(dst)
			err := Unmarshal(tt.data, &State{Net: dst, Opt: dopt})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Unmarshal = %v, want an error containing %q", err, tt.want)
			}
			if !slices.Equal(snapshot(dst), before) {
				t.Errorf("Unmarshal changed the network although it failed")
			}
		})
	}
}

// TestLoadWithoutOptimizer loads a training checkpoint for evaluation.
func TestLoadWithoutOptimizer(t *testing.T) {
	src := net(t, 1, 4)
	opt := newOpt(src)
	train(src, opt, 2)
	data := mustMarshal(t, &State{Net: src, Opt: opt})
	dst := net(t, 2, 4)
	if err := Unmarshal(data, &State{Net: dst}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(snapshot(dst), snapshot(src)) {
		t.Errorf("loaded network differs from the saved one")
	}
	// The reverse, an optimizer that the checkpoint lacks, is an error.
	data = mustMarshal(t, &State{Net: src})
	if err := Unmarshal(data, &State{Net: dst, Opt: newOpt(dst)}); err == nil || !strings.Contains(err.Error(), "not in the checkpoint") {
		t.Errorf("Unmarshal without optimizer records = %v, want an error", err)
	}
}

func TestSaveReplaces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.ckpt")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	l := net(t, 1, 4)
	if err := Save(path, &State{Net: l, Step: 7}); err != nil {
		t.Fatal(err)
	}
	s := &State{Net: net(t, 2, 4)}
	if err := Load(path, s); err != nil || s.Step != 7 {
		t.Errorf("Load = %v, step %d; want nil, 7", err, s.Step)
	}
	if err := Save(filepath.Join(path, "x", "y"), &State{Net: l}); err == nil {
		t.Errorf("Save into a missing directory succeeded")
	}
}

func snapshot(l nn.Layer) []float32 {
	var v []float32
	for _, p := range nn.Params(l) {
		v = append(v, p.Data...)
	}
	for _, b := range nn.Buffers(l) {
		v = append(v, b.Data...)
	}
	return v
}

// TestReadProgress reads a checkpoint's epoch, step and extras without a
// network, and refuses a damaged file as Load does.
func TestReadProgress(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.ckpt")
	l := net(t, 1, 4)
	if err := Save(path, &State{Net: l, Opt: newOpt(l), Epoch: 2, Step: 14, Extra: map[string][]byte{"progress": []byte(`{"key":"k"}`)}}); err != nil {
		t.Fatal(err)
	}
	epoch, step, extra, err := ReadProgress(path)
	if err != nil || epoch != 2 || step != 14 || len(extra) != 1 || string(extra["progress"]) != `{"key":"k"}` {
		t.Fatalf("ReadProgress = %d, %d, %q, %v; want 2, 14 and the progress extra", epoch, step, extra, err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 1
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := ReadProgress(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("ReadProgress of a damaged file: error %v, want one naming the file", err)
	}
}
