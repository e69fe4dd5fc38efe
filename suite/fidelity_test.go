package suite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/gradbench/gradbench/data"
	"github.com/gradbench/gradbench/fidelity"
	"github.com/gradbench/gradbench/internal/racebuild"
	"github.com/gradbench/gradbench/internal/texttest"
	"github.com/gradbench/gradbench/models"
	"github.com/gradbench/gradbench/nn"
	"github.com/gradbench/gradbench/nn/checkpoint"
)

// TestFidelityRefuses: every rule on what gradbench fidelity is given is
// checked in MeasureFidelity, before anything is read, and its refusal
// names the flag as typed. A count given is used as given or refused: an
// explicit 0 is not the default.
func TestFidelityRefuses(t *testing.T) {
	n := func(v int) *int { return &v }
	str := func(v string) *string { return &v }
	run := filepath.Join(t.TempDir(), "0123456789abcdef.json") // never read: each request is refused first
	bootstrap := func(k int) string {
		return fmt.Sprintf("suite: fidelity: --bootstrap %d: want at least 200 resamples: a 95%% interval's ends are the 2.5%% and 97.5%% points of the resampled scores, which 200 resamples put 5 resamples from either end (below 40 they are the smallest and largest resample)", k)
	}
	for _, tc := range []struct {
		name string
		req  FidelityRequest
		want string
	}{
		{"no state", FidelityRequest{},
			"suite: fidelity: give --run <dir>/<key>.json (a finished run's states) or --init (the recipe's initial state)"},
		{"--run and --init", FidelityRequest{Run: run, Init: true},
			"suite: fidelity: --run and --init both given: --run measures its initial state as epoch 0"},
		{"--batch 0", FidelityRequest{Init: true, Batch: n(0)},
			"suite: fidelity: --batch 0: want an evaluation batch of at least 2 images"},
		{"--batch 1", FidelityRequest{Run: run, Batch: n(1)},
			"suite: fidelity: --batch 1: want an evaluation batch of at least 2 images"},
		{"--batch -3", FidelityRequest{Init: true, Batch: n(-3)},
			"suite: fidelity: --batch -3: want an evaluation batch of at least 2 images"},
		{"--sample 0", FidelityRequest{Init: true, Sample: n(0)},
			"suite: fidelity: --sample 0: want at least 1 sampled weight per stratum and binary layer"},
		{"--eval-batches 0", FidelityRequest{Init: true, EvalBatches: n(0)},
			"suite: fidelity: --eval-batches 0: want at least 1 evaluation batch"},
		{"--bootstrap 0", FidelityRequest{Init: true, Bootstrap: n(0)}, bootstrap(0)},
		{"--bootstrap 1", FidelityRequest{Init: true, Bootstrap: n(1)}, bootstrap(1)},
		{"--bootstrap 2", FidelityRequest{Run: run, Bootstrap: n(2)}, bootstrap(2)},
		{"--bootstrap 199", FidelityRequest{Init: true, Bootstrap: n(MinFidelityReps - 1)}, bootstrap(199)},
		{"--epochs x", FidelityRequest{Run: run, Epochs: "x"},
			`suite: fidelity: --epochs "x": "x" is not an epoch (want comma-separated epochs >= 0 in plain digits, such as 0,5,10)`},
		// Tried as a new user would: " 0" was trimmed, while --width
		// " 0.5" was refused.
		{"--epochs ' 0'", FidelityRequest{Run: run, Epochs: " 0"},
			`suite: fidelity: --epochs " 0": white space is not allowed: write the value without spaces (want comma-separated epochs >= 0, such as 0,5,10)`},
		{"--epochs '0, 5'", FidelityRequest{Run: run, Epochs: "0, 5"},
			`suite: fidelity: --epochs "0, 5": white space is not allowed: write the value without spaces (want comma-separated epochs >= 0, such as 0,5,10)`},
		// Tried as a new user would: an empty item was refused without
		// saying which; it is the comma too many it is.
		{"--epochs 1,", FidelityRequest{Run: run, Epochs: "1,"},
			`suite: fidelity: --epochs "1,": it ends with a comma: remove it, as in "1" (want comma-separated epochs >= 0, such as 0,5,10)`},
		{"--epochs 0,,5", FidelityRequest{Run: run, Epochs: "0,,5"},
			`suite: fidelity: --epochs "0,,5": an empty item between two commas: remove one comma, as in "0,5" (want comma-separated epochs >= 0, such as 0,5,10)`},
		{"--epochs -1", FidelityRequest{Run: run, Epochs: "-1"},
			`suite: fidelity: --epochs "-1": "-1" is not an epoch (want comma-separated epochs >= 0 in plain digits, such as 0,5,10)`},
		{"--epochs 0,0", FidelityRequest{Run: run, Epochs: "0,0"},
			`suite: fidelity: --epochs "0,0": item 2 of 2: epoch 0 is given twice (item 1, "0", is the same epoch): each state is measured once, so give each epoch once`},
		{"--epochs 5,1,5", FidelityRequest{Run: run, Epochs: "5,1,5"},
			`suite: fidelity: --epochs "5,1,5": item 3 of 3: epoch 5 is given twice (item 1, "5", is the same epoch): each state is measured once, so give each epoch once`},
		{"--init --epochs 2", FidelityRequest{Init: true, Epochs: "2"},
			`suite: fidelity: --epochs "2" with --init: --init has the initial state only; other epochs need a run (--run)`},
		{"--run --seeds", FidelityRequest{Run: run, Seeds: str("2")},
			"suite: fidelity: --seeds with --run: the run's record gives its recipe and seed; drop --seeds (they go with --init)"},
		{"--run --recipe", FidelityRequest{Run: run, Recipe: str(DefaultFidelityRecipe)},
			"suite: fidelity: --recipe with --run: the run's record gives its recipe and seed; drop --recipe (they go with --init)"},
		{"--run --recipe --seeds", FidelityRequest{Run: run, Recipe: str("quick"), Seeds: str("1")},
			"suite: fidelity: --recipe and --seeds with --run: the run's record gives its recipe and seed; drop --recipe and --seeds (they go with --init)"},
		{"--seeds 2,3", FidelityRequest{Init: true, Seeds: str("2,3")},
			`suite: fidelity: --seeds: bad seed "2,3": one network is measured, so one seed: not a list or a range (want one seed, an integer >= 1 such as 3)`},
		{"--seeds 0", FidelityRequest{Init: true, Seeds: str("0")},
			`suite: fidelity: --seeds: bad seed "0": not an integer >= 1 (want one seed, an integer >= 1 such as 3)`},
	} {
		_, err := MeasureFidelity(context.Background(), tc.req)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s: error %v, want %s", tc.name, err, tc.want)
		}
	}
}

// TestFidelityRequestDefaults: the flags not given take the defaults the
// help text names, and the ones given are used as given.
func TestFidelityRequestDefaults(t *testing.T) {
	spec, err := FidelityRequest{Init: true}.Spec()
	if err != nil {
		t.Fatal(err)
	}
	if spec.Batch != DefaultFidelityBatch || spec.PerStratum != DefaultFidelityPerStratum || spec.Reps != DefaultFidelityReps || spec.EvalBatches != DefaultFidelityBatches ||
		spec.Seed != 1 || spec.Workload == nil || spec.Workload.Recipe.Name != DefaultFidelityRecipe || len(spec.Epochs) != 0 {
		t.Errorf("defaults: %+v", spec)
	}
	if got, want := len(spec.Estimators), len(strings.Split(DefaultEstimators, ",")); got != want {
		t.Errorf("default estimators: %d, want %d", got, want)
	}
	n := func(v int) *int { return &v }
	seeds, est := "3", "ste,fda+na"
	spec, err = FidelityRequest{Init: true, Seeds: &seeds, Estimators: &est, Epochs: "0", Batch: n(2), Sample: n(1), Bootstrap: n(MinFidelityReps), EvalBatches: n(3)}.Spec()
	if err != nil {
		t.Fatal(err)
	}
	if spec.Batch != 2 || spec.PerStratum != 1 || spec.Reps != MinFidelityReps || spec.EvalBatches != 3 || spec.Seed != 3 || !slices.Equal(spec.Epochs, []int{0}) || len(spec.Estimators) != 2 {
		t.Errorf("given: %+v", spec)
	}
	// A run's spec carries no workload or seed: its record gives them.
	spec, err = FidelityRequest{Run: "r/0123456789abcdef.json", Epochs: "2,0"}.Spec()
	if err != nil {
		t.Fatal(err)
	}
	if spec.Workload != nil || spec.Seed != 0 || !slices.Equal(spec.Epochs, []int{2, 0}) {
		t.Errorf("run: %+v", spec)
	}
}

// TestFidelityRunDataDir: with --run, --data is the directory of the run's
// dataset, which loading the run checks; it is not checked against the
// dataset of the default recipe, which only parses the estimators (a
// CIFAR-10 run's data directory had been refused for not holding
// Fashion-MNIST).
func TestFidelityRunDataDir(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"} {
		if err := os.WriteFile(filepath.Join(dir, f+".bin"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	spec, err := FidelityRequest{Run: filepath.Join(t.TempDir(), "0123456789abcdef.json"), DataDir: dir}.Spec()
	if err != nil {
		t.Fatalf("--run with a CIFAR-10 --data: %v", err)
	}
	if spec.DataDir != dir {
		t.Errorf("spec.DataDir %q, want %q: the run's dataset is read from it", spec.DataDir, dir)
	}
	// With --init the recipe is the network's, and --data its dataset's.
	if _, err := (FidelityRequest{Init: true, DataDir: dir}).Spec(); err == nil || !strings.Contains(err.Error(), "fashion-mnist") {
		t.Errorf("--init with a --data that lacks the recipe's dataset: %v, want a refusal naming fashion-mnist", err)
	}
}

// TestFidelitySpecRefuses: Fidelity makes the same checks on a spec built
// without a request, with the same words.
func TestFidelitySpecRefuses(t *testing.T) {
	specs := parseSpecs(t, "ste")
	ok := FidelitySpec{Run: filepath.Join(t.TempDir(), "0123456789abcdef.json"), Estimators: specs, Batch: 2, PerStratum: 1, Reps: MinFidelityReps, EvalBatches: 1}
	for _, tc := range []struct {
		edit func(*FidelitySpec)
		want string
	}{
		{func(s *FidelitySpec) { s.Batch = 0 }, "suite: fidelity: --batch 0: want an evaluation batch of at least 2 images"},
		{func(s *FidelitySpec) { s.PerStratum = 0 }, "suite: fidelity: --sample 0: want at least 1 sampled weight per stratum and binary layer"},
		{func(s *FidelitySpec) { s.EvalBatches = 0 }, "suite: fidelity: --eval-batches 0: want at least 1 evaluation batch"},
		{func(s *FidelitySpec) { s.Reps = 2 }, "suite: fidelity: --bootstrap 2: want at least 200 resamples"},
		{func(s *FidelitySpec) { s.Reps = MaxFidelityReps + 1 }, "suite: fidelity: --bootstrap 1000001: want at most 1000000 resamples: every resample's scores are kept"},
		{func(s *FidelitySpec) { s.Estimators = nil }, "suite: fidelity: no estimators: give at least one (--estimators)"},
		{func(s *FidelitySpec) { s.Epochs = []int{0, 0} }, `suite: fidelity: --epochs "0,0": item 2 of 2: epoch 0 is given twice (item 1, "0", is the same epoch)`},
		// As --epochs typed them, where Typed holds them.
		{func(s *FidelitySpec) { s.Epochs, s.Typed = []int{5, 5}, Typed{"epochs": "5,05"} }, `suite: fidelity: --epochs "5,05": item 2 of 2: epoch 05 is given twice (item 1, "5", is the same epoch)`},
		{func(s *FidelitySpec) { s.Epochs, s.Typed = []int{5, 5}, Typed{"epochs": "5,06"} }, `suite: fidelity: --epochs "5,5": item 2 of 2: epoch 5 is given twice`},
		{func(s *FidelitySpec) { s.Epochs = []int{-1} }, `suite: fidelity: --epochs "-1": want comma-separated epochs >= 0`},
		{func(s *FidelitySpec) { s.Run, s.Init = "", true }, "suite: fidelity: --init needs the recipe's workload (--recipe)"},
		{func(s *FidelitySpec) { s.Run, s.Init, s.Workload = "", true, &Workload{Recipe: *parseTinyRecipe(t)} }, "suite: fidelity: --init needs a seed >= 1 (--seeds)"},
	} {
		spec := ok
		tc.edit(&spec)
		_, err := Fidelity(context.Background(), spec)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("error %v, want %s…", err, tc.want)
		}
	}
	// A run whose record cannot be read is named by its key.
	if _, err := Fidelity(context.Background(), ok); err == nil || !strings.HasPrefix(err.Error(), "suite: fidelity: run 0123456789abcdef: ") {
		t.Errorf("fidelity of a run without a record: %v, want an error naming the run", err)
	}
}

// TestFidelitySampleReported: where a layer, or its tenth of smallest
// |w|, holds fewer weights than the sample asked for, the result and its
// table say what each layer gave instead of the clamp going unsaid.
func TestFidelitySampleReported(t *testing.T) {
	r := parseTinyRecipe(t)
	specs := parseSpecs(t, "ste")
	for _, tc := range []struct {
		per int
		// The tiny ResNet-20's first binary layer has 36 weights, its
		// seventh 72, its last (the control) 576.
		first, seventh, last LayerSample
		note                 string
	}{
		{2, LayerSample{2, 2, 36, 3}, LayerSample{2, 2, 72, 7}, LayerSample{2, 2, 576, 57},
			"over 72 sampled weights per state (2 per binary layer drawn uniformly and 2 among its 10% smallest |w|, in every layer);"},
		{4, LayerSample{4, 3, 36, 3}, LayerSample{4, 4, 72, 7}, LayerSample{4, 4, 576, 57},
			"over 138 sampled weights per state (4 per binary layer drawn uniformly and 4 among its 10% smallest |w|; in 6 of the 18 layers a stratum holds fewer, and all its weights were taken: see the per-layer table's sampled column);"},
		{50, LayerSample{36, 3, 36, 3}, LayerSample{50, 7, 72, 7}, LayerSample{50, 50, 576, 57},
			"over 1189 sampled weights per state (50 per binary layer drawn uniformly and 50 among its 10% smallest |w|; in 13 of the 18 layers a stratum holds fewer"},
	} {
		// Under -race one sample size: each takes the same concurrent
		// passes, and what the sizes tell apart is arithmetic.
		if racebuild.Enabled && tc.per != 4 {
			continue
		}
		res, err := Fidelity(context.Background(), FidelitySpec{Init: true, Workload: &Workload{Recipe: *r}, Seed: 1, Estimators: specs, Batch: 16, PerStratum: tc.per, Reps: MinFidelityReps, EvalBatches: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Sampled) != 18 || res.PerStratum != tc.per || res.Sampled[0] != tc.first || res.Sampled[6] != tc.seventh || res.Sampled[17] != tc.last {
			t.Errorf("sample %d: per stratum %d, sampled %+v, want first %+v, seventh %+v, last %+v", tc.per, res.PerStratum, res.Sampled, tc.first, tc.seventh, tc.last)
		}
		n := 0
		for _, s := range res.Sampled {
			n += s.Uniform + s.Small
		}
		if got := res.States[0].Rows[0].Overall.N; got != n {
			t.Errorf("sample %d: %d weights scored, the layers' samples add up to %d", tc.per, got, n)
		}
		// Each layer's scores are over both of its strata.
		for l, s := range res.Sampled {
			if got := res.States[0].Rows[0].PerLayer[l].N; got != s.Uniform+s.Small {
				t.Errorf("sample %d: layer %d scored over %d weights, it gave %d + %d", tc.per, l, got, s.Uniform, s.Small)
			}
		}
		var md bytes.Buffer
		if err := res.WriteMarkdown(&md); err != nil {
			t.Fatal(err)
		}
		want := []string{tc.note}
		if tc.per == 4 {
			want = append(want, "| stage1.block0.unit0.conv | 4 + all 3 ", "| stage2.block0.unit0.conv | 4 + 4 ")
		}
		texttest.ContainsAll(t, fmt.Sprintf("markdown at sample %d", tc.per), md.String(), want...)
	}
}

// TestFidelityAlongARun trains the tiny recipe with KeepEpochs, measures
// fidelity at its three states, and checks that the states are the run's
// (the epoch-1 weights file is the network after epoch 1, different from
// the initial and final ones), that the control layer gives the same δ
// for estimators without noise adaptation, that a second measurement gives
// the same numbers, and that the outputs are written and parse.
func TestFidelityAlongARun(t *testing.T) {
	dir, recs := runSweep(t, tinySweep(t, "ste", 1), true)
	key := recs[0].Key
	if _, err := os.Stat(EpochWeightsPath(dir, key, 1)); err != nil {
		t.Fatalf("KeepEpochs kept no weights after epoch 1: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, key+".e1.weights")); err != nil || EpochWeightsPath(dir, key, 1) != filepath.Join(dir, key+".e1.weights") {
		t.Errorf("the weights after epoch 1 are not <key>.e1.weights: %v, EpochWeightsPath %s", err, EpochWeightsPath(dir, key, 1))
	}
	if _, err := os.Stat(EpochWeightsPath(dir, key, 2)); err == nil {
		t.Errorf("KeepEpochs kept the last epoch's weights twice (%s and %s)", EpochWeightsPath(dir, key, 2), WeightsPath(dir, key))
	}
	specs := parseSpecs(t, "ste,approxsign,fda+na")
	spec := FidelitySpec{Run: RecordPath(dir, key), Epochs: []int{0, 1, 2}, Estimators: specs, Batch: 8, PerStratum: 4, Reps: MinFidelityReps, EvalBatches: 1}
	var passes, last int
	spec.Start = func(n int, _ time.Duration) { passes = n }
	spec.Progress = func(done, total int, _ time.Duration) { last = done }
	res, err := Fidelity(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.States) != 3 || passes == 0 || last != passes {
		t.Fatalf("%d states, %d passes announced, progress reached %d", len(res.States), passes, last)
	}
	if want := "run " + key + " (ste, seed 1)"; res.Label != want {
		t.Errorf("label %q, want %q", res.Label, want)
	}
	// Every pass is announced and counted, not the flips alone: per state
	// each estimator's passes on the evaluation and training batches, the
	// unflipped pass and the flips, and the descent steps (the unmoved
	// network and each learning rate, per estimator and the random
	// direction).
	sites := 0
	for _, l := range res.Sampled {
		sites += l.Uniform + l.Small
	}
	ne := len(specs)
	if want := 3 * (ne*2 + (sites + 1) + ne*(len(DescentScales)+2) + len(DescentScales) + 1); passes != want {
		t.Errorf("%d passes announced, want %d (%d estimators, %d sampled weights, one evaluation batch, 3 states)", passes, want, ne, sites)
	}
	if a, b, c := res.States[0].Loss, res.States[1].Loss, res.States[2].Loss; a == b || b == c {
		t.Errorf("true losses %g, %g, %g: the states are not three different networks", a, b, c)
	}
	for _, st := range res.States {
		ctl := func(i int) float64 { return st.Rows[i].PerLayer[len(res.Layers)-1].Pearson }
		if ctl(0) != ctl(1) {
			t.Errorf("%s: control layer Pearson %g (ste) and %g (approxsign): nothing binary follows it, so δ must be the same", st.Name, ctl(0), ctl(1))
		}
		if len(st.Descent) != 3 || len(st.Descent[0]) != len(DescentScales)+1 || len(st.Random) != len(DescentScales) {
			t.Errorf("%s: descent steps %d×%d and %d random", st.Name, len(st.Descent), len(st.Descent[0]), len(st.Random))
		}
		if c := st.Cosine[0][1][1]; c < 1-1e-9 {
			t.Errorf("%s: cosine of an estimator's gradient with itself = %g", st.Name, c)
		}
	}
	// Without --epochs: the initial state and the last epoch's.
	if _, sts, _, _, err := (FidelitySpec{Run: spec.Run}).states(); err != nil || len(sts) != 2 || sts[0].name != "epoch 0" || sts[0].own != nil || sts[1].name != "epoch 2" || sts[1].own == nil {
		t.Errorf("default states %+v, %v; want epoch 0 (the initial weights) and epoch 2", sts, err)
	}
	// An epoch past the run's last is refused as such, not sent to
	// --keep-epochs.
	if _, err := Fidelity(context.Background(), FidelitySpec{Run: spec.Run, Epochs: []int{0, 3}, Estimators: specs, Batch: 8, PerStratum: 4, Reps: MinFidelityReps, EvalBatches: 1}); err == nil || err.Error() != `suite: fidelity: --epochs "0,3": item 2 of 2: epoch 3 is outside the run's 0..2` {
		t.Errorf("fidelity of epoch 3 of a 2-epoch run: %v", err)
	}
	// As --epochs typed it: "03", not the parsed 3.
	if _, err := Fidelity(context.Background(), FidelitySpec{Run: spec.Run, Epochs: []int{3}, Typed: Typed{"epochs": "03"}, Estimators: specs, Batch: 8, PerStratum: 4, Reps: MinFidelityReps, EvalBatches: 1}); err == nil || err.Error() != `suite: fidelity: --epochs "03": epoch 03 is outside the run's 0..2` {
		t.Errorf("fidelity of --epochs 03 of a 2-epoch run: %v", err)
	}
	again, err := Fidelity(context.Background(), FidelitySpec{Run: spec.Run, Epochs: spec.Epochs, Estimators: specs, Batch: 8, PerStratum: 4, Reps: MinFidelityReps, EvalBatches: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again.States, res.States) {
		t.Error("the same measurement twice gave different numbers")
	}
	var md, bench bytes.Buffer
	if err := res.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	texttest.ContainsAll(t, "markdown", md.String(), "epoch 1 (true loss", "| fda+na ", "Agreement", "Descent:", "| random (ste")
	if err := res.WriteBench(&bench); err != nil {
		t.Fatal(err)
	}
	rd := benchfmt.NewReader(bytes.NewReader(bench.Bytes()), "bench")
	n := 0
	for rd.Scan() {
		r, ok := rd.Result().(*benchfmt.Result)
		if !ok {
			t.Fatalf("bench line does not parse: %v", rd.Result())
		}
		if _, ok := r.Value("pearson"); !ok {
			t.Errorf("%s has no pearson value", r.Name)
		}
		n++
	}
	if n != 9 {
		t.Errorf("%d benchmark lines, want 3 states × 3 estimators", n)
	}
	layers, err := res.layersSVG()
	if err != nil {
		t.Fatal(err)
	}
	// The layers by the names of the per-layer table and gradbench
	// models, not their nn.Walk paths.
	if !bytes.Contains(layers, []byte("approxsign")) || !bytes.Contains(layers, []byte(">stage1.block0.unit0.conv<")) || !bytes.Contains(layers, []byte(">stage3.block2.unit1.conv<")) {
		t.Errorf("SVG without the estimators or the layers' names:\n%.300s", layers)
	}
	agreement, err := res.agreementSVG()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(agreement, []byte("agreement")) || !bytes.Contains(agreement, []byte("fda+na")) {
		t.Errorf("agreement SVG without its title or the estimators:\n%.300s", agreement)
	}
	svg := filepath.Join(dir, "f.svg")
	if err := os.WriteFile(svg, agreement, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out", "nested")
	written, err := res.WriteFiles(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"fidelity.md", "fidelity-bench.txt", "fidelity.svg", "fidelity-agreement.svg"} {
		path := filepath.Join(out, name)
		if fi, err := os.Stat(path); err != nil || fi.Size() == 0 || !slices.Contains(written, path) {
			t.Errorf("WriteFiles: %s missing, empty or not reported (%v; wrote %v)", name, err, written)
		}
	}
	if _, err := res.WriteFiles(svg); err == nil {
		t.Errorf("WriteFiles into a file's path: no error")
	}
	// A later file that cannot be written (a directory of its name)
	// leaves none of the others.
	blocked := filepath.Join(dir, "blocked")
	if err := os.MkdirAll(filepath.Join(blocked, "fidelity-agreement.svg"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := res.WriteFiles(blocked); err == nil || !strings.Contains(err.Error(), filepath.Join(blocked, "fidelity-agreement.svg")+": it is a directory") {
		t.Errorf("WriteFiles with fidelity-agreement.svg a directory: %v", err)
	}
	if ents, _ := os.ReadDir(blocked); len(ents) != 1 {
		t.Errorf("WriteFiles that failed left %v", ents)
	}
	// Under -race the rest is skipped: a second measurement's batch
	// numbers and the scores recomputed by hand, numerics on one goroutine.
	if racebuild.Enabled {
		return
	}
	// Two evaluation batches: the first batch's numbers stay, and the
	// scores get a mean and an interval over the batches.
	two, err := Fidelity(context.Background(), FidelitySpec{Run: spec.Run, Epochs: []int{1}, Estimators: specs, Batch: 8, PerStratum: 4, Reps: MinFidelityReps, EvalBatches: 2})
	if err != nil {
		t.Fatal(err)
	}
	for i, row := range two.States[0].Rows {
		one := res.States[1].Rows[i]
		if !reflect.DeepEqual(row.Overall, one.Overall) || !reflect.DeepEqual(row.CI, one.CI) || two.States[0].Loss != res.States[1].Loss {
			t.Errorf("%s: the first evaluation batch's scores changed with a second batch", row.Estimator)
		}
		if len(row.Batches) != 2 || !reflect.DeepEqual(row.Batches[0], one.Overall) || row.Batches[1] == row.Batches[0] {
			t.Errorf("%s: per-batch scores %+v", row.Estimator, row.Batches)
		}
		if m := row.BatchMean.Pearson; m != (row.Batches[0].Pearson+row.Batches[1].Pearson)/2 || !(row.BatchCI.Lo.Pearson <= m && m <= row.BatchCI.Hi.Pearson) {
			t.Errorf("%s: mean Pearson over batches %g, interval [%g, %g], per batch %g and %g", row.Estimator, m, row.BatchCI.Lo.Pearson, row.BatchCI.Hi.Pearson, row.Batches[0].Pearson, row.Batches[1].Pearson)
		}
	}
	var md2 bytes.Buffer
	if err := two.WriteMarkdown(&md2); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md2.String(), "95% CI over batches") || !strings.Contains(md2.String(), "Over batches:") {
		t.Errorf("markdown with two evaluation batches lacks the interval over batches:\n%s", md2.String())
	}
	// The epoch-1 state is the file's network: its true loss on the
	// evaluation batch is the one measured.
	cfg := recs[0].Config
	train, _, err := OpenDataset(context.Background(), cfg.Dataset, "")
	if err != nil {
		t.Fatal(err)
	}
	own, err := cfg.modelConfig(train).build(specs[0], cfg.Seed)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkpoint.Load(EpochWeightsPath(dir, key, 1), &checkpoint.State{Net: &own.Net}); err != nil {
		t.Fatal(err)
	}
	evals, _, err := fidelityBatches(context.Background(), train, data.Config{Seed: cfg.Seed, Subset: cfg.TrainSubset}, 8, cfg.Batch, 1)
	if err != nil {
		t.Fatal(err)
	}
	eval := evals[0]
	var ce nn.SoftmaxCrossEntropy
	if got := fidelity.TrueLoss(&own.Net, &ce, eval); got != res.States[1].Loss {
		t.Errorf("true loss of the epoch-1 weights file %g, fidelity measured %g", got, res.States[1].Loss)
	}
	// Its sampled weights are drawn from its own weights (the smallest
	// |w| of each layer at that state, not at the initial one): ste's
	// scores on them are the ones measured.
	sampled := fidelity.Sample(&own.Net, 4, cfg.Seed)
	base, dl := fidelity.TrueChanges(&own.Net, &ce, eval, sampled, nil)
	pred := fidelity.Predicted(&own.Net, &ce, eval, sampled)
	if got, want := res.States[1].Rows[0].Overall, fidelity.Score(pred, dl, flipNoise(base)); !reflect.DeepEqual(got, want) {
		t.Errorf("ste's scores at epoch 1: %+v, want %+v, those of the weights sampled from the state's own weights", got, want)
	}
	// fda+na, whose formula follows the training progress, is measured at
	// the progress of the state's epoch (epoch 1 of 2, p = 1), not at the
	// start of training.
	na, err := cfg.modelConfig(train).build(specs[2], cfg.Seed)
	if err != nil {
		t.Fatal(err)
	}
	fidelity.CopyState(&na.Net, &own.Net)
	nn.SetProgress(&na.Net, nn.Progress{Epoch: 1, Epochs: 2})
	pred = fidelity.Predicted(&na.Net, &ce, eval, sampled)
	if got, want := res.States[1].Rows[2].Overall, fidelity.Score(pred, dl, flipNoise(base)); !reflect.DeepEqual(got, want) {
		t.Errorf("fda+na's scores at epoch 1: %+v, want %+v, those at the progress of epoch 1", got, want)
	}
}

// BenchmarkFidelity times one fidelity table of the standard study's seven
// estimators at the initial state of the fmnist-10 recipe's network (seed
// 1) at the defaults: evaluation batch 512, 64 weights per stratum and
// binary layer, 1000 bootstrap resamples. It needs Fashion-MNIST (see
// gradbench list) and skips without it. results/fidelity-bench.sh runs it.
func BenchmarkFidelity(b *testing.B) {
	benchFidelityAt(b, DefaultFidelityBatch, DefaultFidelityPerStratum, DefaultFidelityReps)
}

// TestFidelityStopsPromptly: a canceled context stops the flips and the
// bootstrap (which a large --bootstrap makes the longest phase) with the
// context's error, as it stops the other phases, instead of running on.
func TestFidelityStopsPromptly(t *testing.T) {
	r := parseTinyRecipe(t)
	specs := parseSpecs(t, "ste,fda")
	for _, tc := range []struct {
		name     string
		reps, nb int
		// cancelAt: the progress count at which the context is canceled
		// (-1: when the last pass is done, before the bootstrap).
		cancelAt int
	}{
		{"bootstrap", MaxFidelityReps, 1, -1},
		{"bootstrap over batches", MaxFidelityReps, 2, -1},
		// The first flip, after the two estimators' two passes each.
		{"flips", MinFidelityReps, 1, 2*2 + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			last, all := 0, 0
			per := 50
			if racebuild.Enabled {
				per = 4 // fewer flips run before the cancel; the cancel points are the same
			}
			spec := FidelitySpec{Init: true, Workload: &Workload{Recipe: *r}, Seed: 1, Estimators: specs, Batch: 8, PerStratum: per, Reps: tc.reps, EvalBatches: tc.nb,
				Progress: func(done, total int, _ time.Duration) {
					last, all = done, total
					if done == tc.cancelAt || (tc.cancelAt < 0 && done == total) {
						cancel()
					}
				}}
			errc := make(chan error, 1)
			go func() {
				_, err := Fidelity(ctx, spec)
				errc <- err
			}()
			select {
			case err := <-errc:
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("Fidelity after cancel: %v, want %v", err, context.Canceled)
				}
			case <-time.After(60 * time.Second):
				t.Fatal("Fidelity still running 60s after its context was canceled")
			}
			if tc.cancelAt > 0 && last >= all {
				t.Errorf("the flips ran on after cancel: %d of %d passes", last, all)
			}
		})
	}
}

// TestFidelityDivergedRun: fidelity of a diverged run, at its default
// states (0 and the last epoch), said the run "has no weights after
// epoch 2: gradbench run --keep-epochs keeps them", sending the user to
// retrain with a flag that cannot help: no run keeps weights after it
// diverged. It says the run diverged and which epochs can be measured.
func TestFidelityDivergedRun(t *testing.T) {
	s := tinySweep(t, "ste", 1)
	s.Workload.Recipe.LR = 1e6
	dir, recs := runSweep(t, s, true)
	rec := recs[0]
	if rec.Status != StatusDiverged {
		t.Fatalf("a run at lr 1e6 did not diverge: status %s", rec.Status)
	}
	specs := parseSpecs(t, "ste")
	_, err := Fidelity(context.Background(), FidelitySpec{Run: RecordPath(dir, rec.Key), Estimators: specs, Batch: 8, PerStratum: 2, Reps: MinFidelityReps, EvalBatches: 1})
	d := rec.Diverged.Epoch
	want := fmt.Sprintf("suite: fidelity: run %s diverged in epoch %d: it has no weights after epoch 2, nor after any epoch from %d on; measure the epochs before (--epochs 0, its initial weights)", rec.Key, d, d)
	if err == nil || err.Error() != want || strings.Contains(err.Error(), "--keep-epochs") {
		t.Errorf("fidelity of a diverged run: %v\nwant %s", err, want)
	}
}

// TestFidelityNonFiniteLoss: a state whose loss is not finite made the
// noise threshold NaN, which fidelity.Score refuses by panicking, inside
// a goroutine: the command crashed. The state is refused with an error
// naming it and the loss.
func TestFidelityNonFiniteLoss(t *testing.T) {
	dir, recs := runSweep(t, tinySweep(t, "ste", 1), true)
	rec := recs[0]
	m := trainedModel(t, rec)
	path := EpochWeightsPath(dir, rec.Key, 1)
	if err := loadWeights(path, rec.Key, 1, m.Net); err != nil {
		t.Fatal(err)
	}
	// Every parameter NaN: the logits, and so the loss, are NaN.
	for _, p := range nn.Params(m.Net) {
		for i := range p.Data {
			p.Data[i] = float32(math.NaN())
		}
	}
	if err := saveWeights(path, rec.Key, 1, m.Net); err != nil {
		t.Fatal(err)
	}
	specs := parseSpecs(t, "ste")
	spec := FidelitySpec{Run: RecordPath(dir, rec.Key), Epochs: []int{1}, Estimators: specs, Batch: 8, PerStratum: 2, Reps: MinFidelityReps, EvalBatches: 1}
	_, err := Fidelity(context.Background(), spec)
	if want := "suite: fidelity: epoch 1: the network's loss on evaluation batch 1 is NaN: its outputs are not finite"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("fidelity of a state whose loss is NaN: %v, want %s…", err, want)
	}
}

// trainedModel builds the network of rec's run, as its training built it
// (its dataset opened from the default directories).
func trainedModel(t *testing.T, rec *Record) *models.Model {
	t.Helper()
	train, _, err := OpenDataset(context.Background(), rec.Config.Dataset, "")
	if err != nil {
		t.Fatal(err)
	}
	m, err := rec.Config.modelConfig(train).buildTrained()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestFidelityFinalWeightsGoneOrUnreadable: fidelity of a finished run
// whose final weights were removed said "gradbench run --keep-epochs
// keeps them", though run keeps a finished run's final weights with or
// without it; and of one whose final weights are a loop of symbolic
// links said the same, hiding why the file cannot be read. It says what
// export says of missing final weights, and why weights that are there
// cannot be read. Tried as a new user would: measured a run whose
// weights had been deleted, and one whose weights were a link to itself.
func TestFidelityFinalWeightsGoneOrUnreadable(t *testing.T) {
	dir, key := oneEpochRun(t)
	final := WeightsPath(dir, key)
	spec := FidelitySpec{Run: RecordPath(dir, key)}
	if err := os.Remove(final); err != nil {
		t.Fatal(err)
	}
	_, _, _, _, err := spec.states()
	want := "suite: fidelity: run " + key + " has no final weights " + final + " (gradbench run keeps them for runs it finishes; re-run the sweep in a new --out to get them)"
	if err == nil || err.Error() != want {
		t.Errorf("fidelity without the final weights: %v\nwant %s", err, want)
	}
	if err := os.Symlink(filepath.Base(final), final); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	_, _, _, _, err = spec.states()
	want = "suite: fidelity: run " + key + ": its weights after epoch 1 " + final + " cannot be read: stat " + final + ": "
	if err == nil || !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "--keep-epochs") {
		t.Errorf("fidelity with a loop of links as the final weights: %v\nwant %s...", err, want)
	}
}
