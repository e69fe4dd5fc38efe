package suite

import (
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
)

// TestWriteRecordNonFinite: a record holding a NaN or an infinity, which
// JSON cannot hold, made WriteRecord panic in its checksum ("suite:
// encoding a record: json: unsupported value: NaN"), naming no field.
// Training then checked only its losses, and a run whose indicator or
// diagnostic went NaN or infinite crashed the process after training (it
// now diverges in that epoch, epochDivergence). The record is refused by
// name, with the field and its value, and no file is written.
func TestWriteRecordNonFinite(t *testing.T) {
	w := testWorkload(t)
	w.Recipe.Epochs = 2
	for _, c := range []struct {
		name string
		edit func(r *Record)
		want string
	}{
		{"indicator", func(r *Record) { r.Epochs[1].Indicators = map[string]float64{"estimating_error": math.NaN()} },
			"epoch 2: indicators.estimating_error NaN, want a finite number >= 0"},
		{"throughput", func(r *Record) { r.Epochs[0].ImagesPerSec = math.Inf(1); r.Final = finalOf(r.Epochs) },
			"epoch 1: images_per_sec +Inf, want a finite number >= 0"},
		{"diagnostics", func(r *Record) {
			r.Epochs[0].Diagnostics = &Diagnostics{Layers: []LayerDiagnostics{{Name: "conv1", GradNorm: math.Inf(1)}}}
		}, "epoch 1: diagnostics.layers[0].grad_norm +Inf, want a number in [0, 1.7976931348623157e+308]"},
		{"config", func(r *Record) { r.Config.Momentum = math.NaN() }, "config momentum NaN, want a finite number"},
		// Finite epochs whose mean is not: the final numbers overflow.
		{"final", func(r *Record) {
			for i := range r.Epochs {
				r.Epochs[i].ImagesPerSec = math.MaxFloat64
			}
			r.Final = finalOf(r.Epochs)
		}, "its final.images_per_sec is +Inf, which a record cannot hold (JSON has no NaN or infinity)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			r := fakeRecord(&w, "ste", 1, 80)
			c.edit(r)
			err := func() (err error) {
				defer func() {
					if p := recover(); p != nil {
						err = fmt.Errorf("panic: %v", p)
					}
				}()
				return WriteRecord(dir, r)
			}()
			want := "suite: record " + r.Key + ": " + c.want
			if err == nil || err.Error() != want {
				t.Errorf("WriteRecord: %v\nwant %s", err, want)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 0 {
				t.Errorf("WriteRecord refused the record but left %d files in the runs directory", len(ents))
			}
		})
	}
}

// TestConfigKeyNonFiniteNamesField: Config.Key of a configuration with
// a non-finite number, which no recipe passes (Recipe.Validate and the
// float32 checks refuse it), is a programmer's error and panics; the
// panic names the field rather than json's "unsupported value: NaN".
func TestConfigKeyNonFiniteNamesField(t *testing.T) {
	w := testWorkload(t)
	cfg := fakeRecord(&w, "ste", 1, 80).Config
	cfg.WeightDecay = math.Inf(-1)
	defer func() {
		p := recover()
		if s, _ := p.(string); !strings.Contains(s, "weight_decay -Inf") {
			t.Errorf("Config.Key panicked with %v, want a panic naming weight_decay -Inf", p)
		}
	}()
	cfg.Key()
}

// mustChecksum is checksum for a test's record, whose numbers are all
// finite: it panics on an error.
func (r *Record) mustChecksum() string {
	sum, err := r.checksum()
	if err != nil {
		panic(err)
	}
	return sum
}

// TestCheckpointNonFinite: the checkpoint written after each epoch but
// the last holds the epochs so far as JSON, as the record does; one with
// a NaN or an infinity failed with json's "unsupported value: NaN",
// naming neither the run nor the number. It is refused as the record
// would be, by run, epoch and field, and no checkpoint is written.
func TestCheckpointNonFinite(t *testing.T) {
	w := testWorkload(t)
	w.Recipe.Epochs = 3
	rec := fakeRecord(&w, "ste", 1, 80)
	rec.Epochs = rec.Epochs[:2]
	rec.Epochs[1].Indicators = map[string]float64{"estimating_error": math.Inf(1)}
	dir := t.TempDir()
	ru := &run{r: &Runner{Dir: dir}, cfg: rec.Config, rec: rec}
	err := ru.saveCheckpoint(2, 20)
	want := "suite: checkpoint of run " + rec.Key + " after epoch 2: epoch 2: indicators.estimating_error +Inf, want a finite number >= 0"
	if err == nil || err.Error() != want {
		t.Errorf("saveCheckpoint: %v\nwant %s", err, want)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("saveCheckpoint refused the progress but left %d files in the runs directory", len(ents))
	}
}
