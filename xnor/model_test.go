package xnor

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/nn"
)

// testNet builds a small network with every kind of layer Compile meets:
// a full-precision stem, Bi-Real residual units (identity and
// downsampling shortcuts), PReLU, max pooling, binary linear layers with
// and without BatchNorm and a full-precision head. Its BatchNorm
// statistics are randomized as after training.
//
// A binary layer without BatchNorm outputs s·d, exactly 0 where d = 0; the
// float convolution's rounded sums of ±s make that ±tiny instead, so a
// binarization right after it would flip codes between the two paths. In
// the suite's models a BatchNorm or a real shortcut always comes first;
// here the layer without BatchNorm feeds the full-precision head.
func testNet(t testing.TB, seed uint64, c int) nn.Sequential {
	t.Helper()
	return testNetWith(t, seed, c, nn.Binary{Estimator: estimators.MustParse("fda+na")})
}

// mustCompile compiles net or fails the test, for tests that do not look
// at the compile's statistics.
func mustCompile(t testing.TB, net nn.Layer) *Network {
	t.Helper()
	packed, _, err := Compile(net)
	if err != nil {
		t.Fatal(err)
	}
	return packed
}

// testNetWith is testNet with the binary layers' estimator settings.
func testNetWith(t testing.TB, seed uint64, c int, bin nn.Binary) nn.Sequential {
	t.Helper()
	init := nn.NewInit(seed)
	bconv := func(in, out, stride int) *nn.BinaryConv2d {
		l, err := nn.NewBinaryConv2d(nn.Conv{In: in, Out: out, Kernel: 3, Stride: stride, Pad: 1}, bin, init)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	blin := func(in, out int) *nn.BinaryLinear {
		l, err := nn.NewBinaryLinear(in, out, bin, init)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	net := nn.Sequential{
		nn.NewConv2d(nn.Conv{In: 3, Out: c, Kernel: 3, Pad: 1}, init), nn.NewBatchNorm2d(c),
		&nn.Residual{Body: nn.Sequential{bconv(c, c, 1), nn.NewBatchNorm2d(c)}},
		nn.NewPReLU(c),
		&nn.Residual{Body: nn.Sequential{bconv(c, 2*c, 2), nn.NewBatchNorm2d(2 * c)},
			Shortcut: nn.Sequential{nn.NewAvgPool2d(nn.Pool{Kernel: 2}), nn.NewConv2d(nn.Conv{In: c, Out: 2 * c, Kernel: 1}, init), nn.NewBatchNorm2d(2 * c)}},
		bconv(2*c, 2*c, 1), nn.NewBatchNorm2d(2 * c),
		nn.NewMaxPool2d(nn.Pool{Kernel: 2}),
		nn.NewFlatten(),
		blin(2*c*3*3, 24), nn.NewBatchNorm1d(24),
		blin(24, 16), // no BatchNorm after it
		nn.NewLinear(16, 10, true, init),
	}
	randomizeBatchNorm(net, seed)
	return net
}

// randomizeBatchNorm gives net's BatchNorm layers statistics as after
// training, from seed, some with a negative γ (flipped thresholds).
func randomizeBatchNorm(net nn.Layer, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 99))
	nn.Walk(net, func(_ string, l nn.Layer) {
		if bn, ok := l.(*nn.BatchNorm); ok {
			for i := range bn.C {
				bn.Weight.Data[i] = float32(1 + 0.3*r.NormFloat64())
				if i%7 == 3 {
					bn.Weight.Data[i] = -bn.Weight.Data[i] // negative γ: flipped thresholds
				}
				bn.Bias.Data[i] = float32(0.2 * r.NormFloat64())
				bn.RunningMean.Data[i] = float32(r.NormFloat64())
				bn.RunningVar.Data[i] = float32(0.5 + r.Float64())
			}
		}
	})
}

func testInput(seed uint64, n, h int) *nn.Tensor {
	x := nn.NewTensor(n, 3, h, h)
	r := rand.New(rand.NewPCG(seed, 5))
	for i := range x.Data {
		x.Data[i] = float32(r.NormFloat64())
	}
	return x
}

// TestCompileMatchesFloatNetwork checks that the compiled network gives
// the float network's evaluation-mode outputs (to float32 rounding) and
// predictions.
func TestCompileMatchesFloatNetwork(t *testing.T) {
	forEachImpl(t, func(t *testing.T, impl string) {
		net := testNet(t, 1, 20)
		x := testInput(2, 16, 12)
		nn.SetTraining(net, false)
		want := net.Forward(x)
		wantShape, wantData := want.Shape(), append([]float32(nil), want.Data...)
		packed, st, err := Compile(net)
		if err != nil {
			t.Fatal(err)
		}
		if st.Binary != 5 || st.Folded != 4 || st.Residual != 2 {
			t.Errorf("Compile packed %d layers (%d with BatchNorm, %d residual), want 5 (4, 2)", st.Binary, st.Folded, st.Residual)
		}
		packed.Chunk = 3 // 16 images: chunks of 3 and a last one of 1
		got := packed.Forward(x)
		if got.Shape() != wantShape {
			t.Fatalf("compiled output %v, want %v", got, wantShape)
		}
		for i := range wantData {
			if d := math.Abs(float64(got.Data[i] - wantData[i])); d > 1e-3*math.Max(1, math.Abs(float64(wantData[i]))) {
				t.Errorf("logit %d = %v, float network %v", i, got.Data[i], wantData[i])
			}
		}
		for n := range x.N {
			if g, w := argmaxRow(got.Data[n*10:][:10]), argmaxRow(wantData[n*10:][:10]); g != w {
				t.Errorf("image %d: compiled network predicts %d, float network %d", n, g, w)
			}
		}
	})
}

// TestSaveRestore saves a network and restores it into another of the same
// architecture. Its first binary layer has weights of exactly 0 (code +1):
// a filter of zeros (scale 0), a filter of zeros but for one weight of
// −1e-45 (code −1, scale 0 in float32) and a filter with some zeros.
func TestSaveRestore(t *testing.T) {
	net := testNet(t, 3, 20)
	w := net[2].(*nn.Residual).Body.(nn.Sequential)[0].(*nn.BinaryConv2d).Weight.Data
	clear(w[:2*180])
	w[180] = -math.SmallestNonzeroFloat32
	for i := 360; i < 540; i += 7 {
		w[i] = 0
	}
	var buf bytes.Buffer
	meta := map[string]string{"model": "test", "config": `{"width":1}`}
	st, err := Save(&buf, net, meta)
	if err != nil {
		t.Fatal(err)
	}
	if st.BinaryLayers != 5 || st.BinaryWeights != 34224 || int64(buf.Len()) != st.FileBytes {
		t.Errorf("Save stats %+v for a %d-byte file, want 5 binary layers of 34224 weights", st, buf.Len())
	}
	// Weights: 20·20·9 + 40·20·9 + 40·40·9 + 24·360 + 16·24 = 34224, 1/32
	// of their float32 size plus a scale per output channel, 20 + 40 + 40
	// + 24 + 16 = 140 scales.
	if st.BinaryFloat32Bytes != 4*34224 || st.BinaryPackedBytes != 34224/8+4*140 || st.Ratio() < 25 {
		t.Errorf("binary layers are %.1f× smaller packed (%d vs %d bytes), want %d packed bytes", st.Ratio(), st.BinaryPackedBytes, st.BinaryFloat32Bytes, 34224/8+4*140)
	}
	// The other records: kind, name, rank, dimensions and values, as the
	// format in doc.go says.
	es, err := entries(net)
	if err != nil {
		t.Fatal(err)
	}
	var other int64
	for _, e := range es {
		if e.kind != recPacked {
			n := 1
			for _, d := range e.shape {
				n *= d
			}
			size := int64(4)
			if e.kind == recInts {
				size = 8
			}
			other += int64(1+2+len(e.name)+1+4*len(e.shape)) + size*int64(n)
		}
	}
	if st.OtherBytes != other {
		t.Errorf("Save stats: other records take %d bytes, want %d", st.OtherBytes, other)
	}
	f, err := Read(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if f.Meta["model"] != "test" || f.Meta["config"] != meta["config"] {
		t.Errorf("Read meta = %v, want %v", f.Meta, meta)
	}
	fresh := testNet(t, 4, 20) // same architecture, other weights
	if err := f.Restore(fresh); err != nil {
		t.Fatal(err)
	}
	// The restored network computes what the saved one does: float layers
	// equal, binary layers with the same signs and scales.
	x := testInput(5, 8, 12)
	nn.SetTraining(net, false)
	nn.SetTraining(fresh, false)
	want := append([]float32(nil), net.Forward(x).Data...)
	got := fresh.Forward(x).Data
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("restored network output %d = %v, saved network %v", i, got[i], want[i])
		}
	}
	// Saving the restored network gives the same records, scales of 0
	// included: Restore gives such a filter's weights of code +1 the value
	// +0, and those of code −1 the smallest magnitude, which keeps their
	// mean |w| at 0.
	var again bytes.Buffer
	if _, err := Save(&again, fresh, meta); err != nil {
		t.Fatal(err)
	}
	g, err := Read(&again)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range f.records {
		a := g.records[i]
		same := a.name == r.name && bytes.Equal(a.signs, r.signs) && slices.Equal(a.i64, r.i64) && len(a.f32) == len(r.f32)
		for j, v := range r.f32 {
			same = same && j < len(a.f32) && sameBits(a.f32[j], v)
		}
		if !same {
			t.Errorf("saving the restored network changes record %q", r.name)
		}
	}
	// The metadata keys are sorted in the file.
	many := map[string]string{}
	for _, k := range "hgfedcba" {
		many["key_"+string(k)] = "value"
	}
	var sorted bytes.Buffer
	if _, err := Save(&sorted, net, many); err != nil {
		t.Fatal(err)
	}
	for k, at := 'a', -1; k <= 'h'; k++ {
		i := bytes.Index(sorted.Bytes(), []byte("key_"+string(k)))
		if i < at {
			t.Errorf("metadata key key_%c is written before the key before it", k)
		}
		at = i
	}
}

func TestReadRejectsBadFiles(t *testing.T) {
	net := testNet(t, 3, 8)
	var buf bytes.Buffer
	if _, err := Save(&buf, net, map[string]string{"model": "test"}); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	flip := func(i int) []byte {
		b := append([]byte(nil), good...)
		b[i] ^= 0x10
		return b
	}
	version := append([]byte(nil), good...)
	version[8] = 2
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "empty (0 bytes), not a gradbench model file"},
		{"magic", flip(1), "bad magic"},
		{"version", version, "version 2"},
		{"flipped byte", flip(len(good) / 2), "checksum"},
		{"truncated", good[:len(good)-9], "checksum"},
		{"trailing", append(append([]byte(nil), good...), 0), "checksum"},
	} {
		_, err := Read(bytes.NewReader(tc.data))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Read error %v, want one mentioning %q", tc.name, err, tc.want)
		}
		// IsModelFile tells a model file as Read does, by its magic:
		// another version or a damaged one is a model file still.
		model := tc.name != "empty" && tc.want != "bad magic"
		if is, err := IsModelFile(bytes.NewReader(tc.data)); err != nil || is != model {
			t.Errorf("%s: IsModelFile = %v, %v; want %v", tc.name, is, err, model)
		}
	}
	if is, err := IsModelFile(bytes.NewReader(good)); !is || err != nil {
		t.Errorf("IsModelFile of a model file = %v, %v; want true", is, err)
	}
	if is, err := IsModelFile(bytes.NewReader(good[:len(fileFormat.Magic)-1])); is || err != nil {
		t.Errorf("IsModelFile of the magic less its last byte = %v, %v; want false", is, err)
	}
	f, err := Read(bytes.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	other := testNet(t, 3, 12) // other widths: every shape differs
	before := append([]float32(nil), other[0].(*nn.Conv2d).Weight.Data...)
	if err := f.Restore(other); err == nil || !strings.Contains(err.Error(), "shape") {
		t.Errorf("Restore into a wider network: error %v, want a shape mismatch", err)
	}
	if got := other[0].(*nn.Conv2d).Weight.Data; !slices.Equal(got, before) {
		t.Error("a failed Restore changed the network")
	}
	if err := f.Restore(testNet(t, 5, 8)[:4]); err == nil || !strings.Contains(err.Error(), "does not have") {
		t.Errorf("Restore into a network with fewer layers: error %v, want records the network does not have", err)
	}
}

func TestCompare(t *testing.T) {
	net := testNet(t, 7, 16)
	packed := mustCompile(t, net)
	batches := 0
	var wantCorrect int
	next := func() (Batch, bool) {
		if batches == 3 {
			return Batch{}, false
		}
		batches++
		x := testInput(uint64(10+batches), 5, 12)
		labels := make([]int32, 5)
		y := net.Forward(x)
		for i := range labels {
			labels[i] = int32(i % 10)
			if argmaxRow(y.Data[i*10:][:10]) == i%10 {
				wantCorrect++
			}
		}
		return Batch{X: x, Labels: labels}, true
	}
	c, err := Compare(context.Background(), net, packed, next)
	if err != nil {
		t.Fatal(err)
	}
	if c.Images != 15 || c.FloatCorrect != wantCorrect || c.Agree != 15 || c.PackedCorrect != wantCorrect {
		t.Errorf("Compare = %+v, want 15 images, %d correct, all agreeing", c, wantCorrect)
	}
	if c.MaxLogitDiff > 1e-3 || c.FloatTime <= 0 || c.PackedTime <= 0 {
		t.Errorf("Compare = %+v: logits should agree to 1e-3 and both networks take time", c)
	}
}

func TestNetworkAllocatesNothing(t *testing.T) {
	net := testNet(t, 8, 16)
	packed := mustCompile(t, net)
	packed.Chunk = 4 // chunks of 4, 4 and 3: two input sizes per layer
	x := testInput(9, 11, 12)
	packed.Forward(x)
	if a := testing.AllocsPerRun(5, func() { packed.Forward(x) }); a != 0 {
		t.Errorf("compiled network allocates %v times per Forward, want 0", a)
	}
}

// TestCompileParallel checks that replicas running chunks on every worker
// give the outputs of the sequential network, and allocate nothing.
func TestCompileParallel(t *testing.T) {
	seq := mustCompile(t, testNet(t, 11, 16))
	par, st, err := CompileParallel(func() (nn.Layer, error) { return testNet(t, 11, 16), nil })
	if err != nil {
		t.Fatal(err)
	}
	if st.Binary != 5 {
		t.Errorf("CompileParallel stats %+v, want 5 binary layers", st)
	}
	seq.Chunk, par.Chunk = 2, 2
	for _, n := range []int{1, 7, 16} {
		x := testInput(uint64(20+n), n, 12)
		want := append([]float32(nil), seq.Forward(x).Data...)
		got := par.Forward(x).Data
		if !slices.Equal(got, want) {
			t.Fatalf("%d images: parallel replicas give other outputs than the sequential network", n)
		}
	}
	x := testInput(30, 16, 12)
	if a := testing.AllocsPerRun(5, func() { par.Forward(x) }); a != 0 {
		t.Errorf("CompileParallel network allocates %v times per Forward, want 0", a)
	}
}

// TestNetworkPasses: Passes says how Forward runs a batch: a batch of at
// most a chunk is one pass on the first replica, a larger one is shared by
// at most as many replicas as it has chunks.
func TestNetworkPasses(t *testing.T) {
	n := &Network{replicas: make([]*replica, 4)}
	for _, tc := range []struct{ images, replicas, chunks, chunk int }{
		{1, 1, 1, 8}, {8, 1, 1, 8}, {9, 2, 2, 8}, {24, 3, 3, 8}, {100, 4, 13, 8},
	} {
		r, c, k := n.Passes(tc.images)
		if r != tc.replicas || c != tc.chunks || k != tc.chunk {
			t.Errorf("Passes(%d) = %d, %d, %d; want %d replicas, %d chunks of %d", tc.images, r, c, k, tc.replicas, tc.chunks, tc.chunk)
		}
	}
	n.Chunk = 2
	if r, c, k := n.Passes(3); r != 2 || c != 2 || k != 2 {
		t.Errorf("Chunk 2: Passes(3) = %d, %d, %d; want 2 replicas, 2 chunks of 2", r, c, k)
	}
	if r := n.Replicas(); r != 4 {
		t.Errorf("Replicas() = %d, want 4", r)
	}
}

// vggNet is a small VGG-Small-like network for 13×13 inputs: binary
// convolutions with BatchNorm and max pooling between them (after the
// first stage and after the second), which Compile runs on packed codes
// from the second binary convolution to the last.
func vggNet(t *testing.T, seed uint64) nn.Sequential {
	t.Helper()
	init := nn.NewInit(seed)
	bin := nn.Binary{Estimator: estimators.MustParse("ste")}
	bconv := func(in, out int) *nn.BinaryConv2d {
		l, err := nn.NewBinaryConv2d(nn.Conv{In: in, Out: out, Kernel: 3, Pad: 1}, bin, init)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	net := nn.Sequential{
		nn.NewConv2d(nn.Conv{In: 3, Out: 24, Kernel: 3, Pad: 1}, init), nn.NewBatchNorm2d(24),
		bconv(24, 24), nn.NewBatchNorm2d(24), nn.NewMaxPool2d(nn.Pool{Kernel: 2}),
		bconv(24, 70), nn.NewBatchNorm2d(70), nn.NewMaxPool2d(nn.Pool{Kernel: 2, Stride: 1}),
		bconv(70, 70), nn.NewBatchNorm2d(70), nn.NewMaxPool2d(nn.Pool{Kernel: 3, Stride: 2}),
		nn.NewFlatten(), nn.NewLinear(70*2*2, 10, true, init),
	}
	r := rand.New(rand.NewPCG(seed, 3))
	nn.Walk(net, func(_ string, l nn.Layer) {
		if bn, ok := l.(*nn.BatchNorm); ok {
			for i := range bn.C {
				bn.Weight.Data[i] = float32(r.NormFloat64())
				bn.Bias.Data[i] = float32(0.3 * r.NormFloat64())
				bn.RunningMean.Data[i] = float32(3 * r.NormFloat64())
				bn.RunningVar.Data[i] = float32(1 + 5*r.Float64())
			}
		}
	})
	return net
}

func TestCompileChain(t *testing.T) {
	forEachImpl(t, func(t *testing.T, impl string) {
		net := vggNet(t, 12)
		x := testInput(13, 9, 13)
		nn.SetTraining(net, false)
		want := append([]float32(nil), net.Forward(x).Data...)
		packed, st, err := Compile(net)
		if err != nil {
			t.Fatal(err)
		}
		if st.Binary != 3 || st.Packed != 2 || st.Folded != 3 {
			t.Errorf("Compile stats %+v, want 3 binary layers, 3 folded, 2 with packed input", st)
		}
		chains := 0
		nn.Walk(packed, func(_ string, l nn.Layer) {
			if _, ok := l.(*ChainLayer); ok {
				chains++
			}
		})
		if chains != 1 {
			t.Errorf("compiled network has %d ChainLayers, want 1", chains)
		}
		got := packed.Forward(x).Data
		for i := range want {
			if d := math.Abs(float64(got[i] - want[i])); d > 1e-3*math.Max(1, math.Abs(float64(want[i]))) {
				t.Fatalf("logit %d = %v, float network %v", i, got[i], want[i])
			}
		}
	})
}

// TestPoolBits checks max pooling of codes against float max pooling and
// binarization, and that padding bits stay zero.
func TestPoolBits(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 1))
	for _, c := range []int{5, 64, 100} {
		for _, p := range []nn.Pool{{Kernel: 2}, {Kernel: 3}, {Kernel: 3, Stride: 2}, {Kernel: 3, Stride: 1}} {
			n, h, w := 2, 7, 6
			x := nn.NewTensor(n, c, h, w)
			for i := range x.Data {
				x.Data[i] = float32(r.NormFloat64() - 0.7)
			}
			src := NewBits(n, h, w, c)
			Pack(src, x.Data)
			var dst Bits
			var j poolJob
			j.run(&dst, src, &p)
			checkPadding(t, &dst)
			want := nn.NewMaxPool2d(p).Forward(x)
			got := make([]float32, want.Len())
			dst.Unpack(got)
			for i, v := range want.Data {
				if got[i] != float32(q(v)) {
					t.Fatalf("c=%d pool %+v: code %d = %v, want q(%v)", c, p, i, got[i], v)
				}
			}
		}
	}
}

// TestWeightCodesAskTheEstimator checks networks whose weight estimator's
// forward pass is not sign(w) (BiPer's sign(sin(ω·w))), with several
// estimators on the activations: the compiled
// network packs the codes that estimator gives, so it predicts what the
// float network does, and a saved file restores weights with those codes.
func TestWeightCodesAskTheEstimator(t *testing.T) {
	for _, spec := range []string{"w=biper/a=ste", "w=biper/a=approxsign", "w=biper:omega=30/a=fda"} {
		t.Run(spec, func(t *testing.T) {
			checkWeightCodes(t, nn.Binary{Estimator: estimators.MustParse(spec)})
		})
	}
}

// checkWeightCodes checks that the network with the binary settings bin
// compiles, saves and restores with its weight estimator's codes.
func checkWeightCodes(t *testing.T, bin nn.Binary) {
	net := testNetWith(t, 1, 20, bin)
	x := testInput(2, 16, 12)
	nn.SetTraining(net, false)
	want := append([]float32(nil), net.Forward(x).Data...)
	packed := mustCompile(t, net)
	got := packed.Forward(x).Data
	for i := range want {
		if d := math.Abs(float64(got[i] - want[i])); d > 1e-3*math.Max(1, math.Abs(float64(want[i]))) {
			t.Fatalf("logit %d = %v, float network %v", i, got[i], want[i])
		}
	}
	_, f := saveAndRead(t, net)
	fresh := testNetWith(t, 4, 20, bin)
	if err := f.Restore(fresh); err != nil {
		t.Fatal(err)
	}
	nn.SetTraining(fresh, false)
	again := fresh.Forward(x).Data
	for i := range want {
		if again[i] != want[i] {
			t.Fatalf("restored network output %d = %v, saved network %v", i, again[i], want[i])
		}
	}
}

// TestRestoreRejectsBadScales: a packed record whose scale is NaN, ±Inf
// or negative (the format's decoder reads any float32 there) is refused
// by Restore, naming the record and the scale, and leaves the network
// as it was.
func TestRestoreRejectsBadScales(t *testing.T) {
	var buf bytes.Buffer
	if _, err := Save(&buf, testNet(t, 3, 8), map[string]string{"model": "test"}); err != nil {
		t.Fatal(err)
	}
	packed := -1
	f, err := Read(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range f.records {
		if r.kind == recPacked && len(r.f32) > 1 {
			packed = i
			break
		}
	}
	if packed < 0 {
		t.Fatal("the test network's file has no packed record")
	}
	for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), -1, float32(math.Copysign(1e-45, -1))} {
		f, err := Read(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		r := &f.records[packed]
		r.f32[1] = bad
		net := testNet(t, 5, 8)
		before := params(net)
		err = f.Restore(net)
		if err == nil || !strings.Contains(err.Error(), r.name) || !strings.Contains(err.Error(), "scale 1 is") {
			t.Errorf("scale %g: Restore error %v, want one naming record %q and scale 1", bad, err, r.name)
		}
		if !slices.EqualFunc(before, params(net), sameBits) {
			t.Errorf("scale %g: a failed Restore changed the network", bad)
		}
	}
}

// TestSaveRefusesNonFiniteBinaryWeights: a NaN or ±Inf latent weight of a
// binary layer (a diverged run) makes its filter's scale NaN or +Inf, which
// Restore refuses (TestRestoreRejectsBadScales); Save refuses it first,
// naming the record and the filter, and writes nothing, instead of a file
// that no reader can load.
func TestSaveRefusesNonFiniteBinaryWeights(t *testing.T) {
	for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
		for _, layer := range []string{"conv", "linear"} {
			net := testNet(t, 3, 8)
			var w *nn.Param
			var path string
			nn.Walk(net, func(p string, l nn.Layer) {
				switch b := l.(type) {
				case *nn.BinaryConv2d:
					if layer == "conv" && w == nil {
						w, path = b.Weight, p
					}
				case *nn.BinaryLinear:
					if layer == "linear" && w == nil {
						w, path = b.Weight, p
					}
				}
			})
			if w == nil {
				t.Fatalf("the test network has no binary %s layer", layer)
			}
			in := len(w.Data) / w.Shape[0]
			w.Data[in+1] = bad // filter 1
			var buf bytes.Buffer
			_, err := Save(&buf, net, map[string]string{"model": "test"})
			name := path + "/" + w.Name
			if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "filter 1") {
				t.Errorf("%s weight %g: Save error %v, want one naming record %q and filter 1", layer, bad, err, name)
			}
			if buf.Len() != 0 {
				t.Errorf("%s weight %g: Save wrote %d bytes with its error", layer, bad, buf.Len())
			}
		}
	}
}

// saveAndRead saves net without metadata and reads the file back: the
// bytes written and the file read.
func saveAndRead(t *testing.T, net nn.Layer) ([]byte, *File) {
	t.Helper()
	var buf bytes.Buffer
	if _, err := Save(&buf, net, nil); err != nil {
		t.Fatal(err)
	}
	f, err := Read(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), f
}
