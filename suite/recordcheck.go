package suite

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
)

// Records are checked when they are read, so that a corrupted or
// hand-edited record is refused by name rather than averaged into a
// table:
//
//   - its checksum, "sha256:" and the SHA-256 of the record's compact JSON
//     encoding without the checksum, must match its content. Records
//     written before gradbench wrote checksums have none: they load as
//     legacy records, unverified, and Tabulation.Unverified lists them.
//     A record without one that has training segments or data digests,
//     which only builds that checksum their records wrote, had its
//     checksum removed and is refused;
//   - and, checksum or not, the record must agree with itself: its key
//     with its configuration, the final numbers with the last epoch, the
//     number of epochs and of data digests with the configuration and the
//     status, the epochs numbered 1, 2, ..., every accuracy a percentage,
//     every loss, time and rate finite and not negative, and the training
//     segments (one per process that trained it) with its resumes, and
//     its data digests, when it has them (Record.Data), well formed.
//     Whether they are those of the data a run asked for again loads is
//     the runner's check (Runner.checkRecordData), not the record's.

// checksumPrefix starts every record checksum.
const checksumPrefix = "sha256:"

// checksum returns the checksum of r's content (everything but the
// checksum itself). A record with a NaN or an infinity, which its JSON
// cannot hold, has none: the error names the field and its value.
func (r *Record) checksum() (string, error) {
	c := *r
	c.Checksum = ""
	b, err := json.Marshal(&c)
	if err != nil {
		if field, v := nonFinite(reflect.ValueOf(c), ""); field != "" {
			return "", fmt.Errorf("its %s is %v, which a record cannot hold (JSON has no NaN or infinity)", field, v)
		}
		return "", fmt.Errorf("encoding it: %w", err)
	}
	sum := sha256.Sum256(b)
	return checksumPrefix + hex.EncodeToString(sum[:]), nil
}

// nonFinite returns the first float in v that is NaN or infinite, which
// encoding/json cannot write, with its path in v's JSON encoding under
// path (such as final.images_per_sec, or epochs[1].indicators.x, indices
// from 0), or "" when every one is finite. Map keys are visited in order.
func nonFinite(v reflect.Value, path string) (string, float64) {
	join := func(name string) string {
		if path == "" {
			return name
		}
		return path + "." + name
	}
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		if f := v.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			return path, f
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return nonFinite(v.Elem(), path)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if p, f := nonFinite(v.Index(i), fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p, f
			}
		}
	case reflect.Map:
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
		for _, k := range keys {
			if p, f := nonFinite(v.MapIndex(k), join(fmt.Sprint(k))); p != "" {
				return p, f
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			sf := t.Field(i)
			if !sf.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
			if name == "-" && sf.Tag.Get("json") == "-" {
				continue
			}
			p := path
			switch {
			case name != "":
				p = join(name)
			case !sf.Anonymous:
				p = join(sf.Name)
			}
			if p, f := nonFinite(v.Field(i), p); p != "" {
				return p, f
			}
		}
	}
	return "", 0
}

// check verifies r's checksum, if it has one, and its consistency
// (checkContent). Its errors say what disagrees; the caller names the
// record and what to do.
func (r *Record) check() error {
	if r.Checksum != "" {
		sum, err := r.checksum()
		if err != nil {
			return err
		}
		if r.Checksum != sum {
			return fmt.Errorf("its checksum %s does not match its content", r.Checksum)
		}
	}
	if r.Checksum == "" {
		// Training segments came with checksums, data digests after
		// them: a record holding either was written with a checksum,
		// which was then taken out (to hide an edit the checksum
		// refused), and is no legacy record to load unverified.
		var newer []string
		if len(r.Segments) > 0 {
			newer = append(newer, "training segments")
		}
		if r.Data != nil {
			newer = append(newer, "data digests")
		}
		if len(newer) > 0 {
			return fmt.Errorf("it has no checksum, but its %s are of a gradbench that checksums every record it writes: its checksum was removed", strings.Join(newer, " and "))
		}
	}
	return r.checkContent()
}

// checkContent checks that r agrees with itself, its checksum aside:
// what check asks of a record read and WriteRecord of one written. A
// number its JSON cannot hold (NaN, an infinity) is refused with the
// field it is in, by the range checks of the epochs, and before the key
// is computed from it in the configuration.
func (r *Record) checkContent() error {
	if r.Key == "" {
		return fmt.Errorf("it holds no run key: not a run record")
	}
	if field, v := nonFinite(reflect.ValueOf(r.Config), ""); field != "" {
		return fmt.Errorf("config %s %v, want a finite number", field, v)
	}
	if r.Key != r.Config.Key() {
		return fmt.Errorf("key %s does not match its config (want %s)", r.Key, r.Config.Key())
	}
	cfg := &r.Config
	if cfg.Epochs < 1 {
		return fmt.Errorf("config epochs %d, want at least 1", cfg.Epochs)
	}
	grid := cfg.LRScale != 0
	switch {
	case !(cfg.LRScale >= 0) || math.IsInf(cfg.LRScale, 0):
		return fmt.Errorf("config lr_scale %v, want a finite number > 0 (or none)", cfg.LRScale)
	case grid != (cfg.Validation != 0):
		return fmt.Errorf("config lr_scale %v with validation %v: a learning-rate grid's run has both, another neither", cfg.LRScale, cfg.Validation)
	case grid && !(cfg.Validation > 0 && cfg.Validation <= 0.5):
		return fmt.Errorf("config validation %v, want a fraction in (0, 0.5]", cfg.Validation)
	}
	for _, e := range r.Epochs {
		if (e.ValLoss != nil || e.ValTop1 != nil) != grid || (e.ValLoss == nil) != (e.ValTop1 == nil) {
			return fmt.Errorf("epoch %d: validation numbers %s, but the run %s a validation split", e.Epoch,
				map[bool]string{true: "present", false: "missing"}[e.ValTop1 != nil], map[bool]string{true: "has", false: "has no"}[grid])
		}
	}
	trained := len(r.Epochs) // epochs trained, the diverging one included
	switch r.Status {
	case StatusOK:
		if r.Final == nil {
			return fmt.Errorf("status ok without final numbers")
		}
		if r.Diverged != nil {
			return fmt.Errorf("status ok with a divergence")
		}
		if len(r.Epochs) != cfg.Epochs {
			return fmt.Errorf("status ok with %d epochs, its config trains %d", len(r.Epochs), cfg.Epochs)
		}
	case StatusDiverged:
		d := r.Diverged
		if d == nil {
			return fmt.Errorf("status diverged without the epoch it diverged at")
		}
		if r.Final != nil {
			return fmt.Errorf("status diverged with final numbers")
		}
		if d.Epoch < 1 || d.Epoch > cfg.Epochs || d.Step < 0 {
			return fmt.Errorf("diverged at epoch %d step %d, want an epoch in 1..%d", d.Epoch, d.Step, cfg.Epochs)
		}
		if len(r.Epochs) != d.Epoch-1 {
			return fmt.Errorf("diverged in epoch %d with %d epochs recorded, want %d", d.Epoch, len(r.Epochs), d.Epoch-1)
		}
		trained = d.Epoch
	default:
		return fmt.Errorf("unknown status %q (want ok or diverged)", r.Status)
	}
	for i, e := range r.Epochs {
		if err := checkEpoch(e, i+1); err != nil {
			return err
		}
	}
	if r.Status == StatusOK {
		if err := checkFinal(r.Final, r.Epochs); err != nil {
			return err
		}
	}
	if len(r.DataHashes) != len(r.Epochs) {
		return fmt.Errorf("%d data digests for %d epochs", len(r.DataHashes), len(r.Epochs))
	}
	if d := r.Data; d != nil {
		for _, s := range []struct{ name, digest string }{{"train", d.Train}, {"test", d.Test}} {
			if !isDigest(s.digest) {
				return fmt.Errorf("data digest of the %s split %q, want %s and 64 lower-case hex digits", s.name, s.digest, checksumPrefix)
			}
		}
	}
	if r.Resumes < 0 {
		return fmt.Errorf("resumes %d, want at least 0", r.Resumes)
	}
	return checkSegments(r.Segments, trained, r.Resumes)
}

// checkFinal checks that the final numbers are those of the epochs.
func checkFinal(f *Final, eps []Epoch) error {
	want := finalOf(eps)
	last := eps[len(eps)-1]
	switch {
	case f.TestTop1 != want.TestTop1:
		return fmt.Errorf("final test_top1 %v, but the last epoch's is %v", f.TestTop1, last.TestTop1)
	case f.TrainLoss != want.TrainLoss:
		return fmt.Errorf("final train_loss %v, but the last epoch's is %v", f.TrainLoss, last.TrainLoss)
	case (f.TestTop5 == nil) != (want.TestTop5 == nil) || f.TestTop5 != nil && *f.TestTop5 != *want.TestTop5:
		return fmt.Errorf("final test_top5 differs from the last epoch's")
	case f.SecondsPerEpoch != want.SecondsPerEpoch:
		return fmt.Errorf("final seconds_per_epoch %v, but the epochs' mean is %v", f.SecondsPerEpoch, want.SecondsPerEpoch)
	case f.ImagesPerSec != want.ImagesPerSec:
		return fmt.Errorf("final images_per_sec %v, but the epochs' mean is %v", f.ImagesPerSec, want.ImagesPerSec)
	}
	return nil
}

// checkEpoch checks the numbering and ranges of epoch n (1-based).
func checkEpoch(e Epoch, n int) error {
	if e.Epoch != n {
		return fmt.Errorf("epoch %d is numbered %d", n, e.Epoch)
	}
	pct := func(name string, v float64) error {
		if !(v >= 0 && v <= 100) {
			return fmt.Errorf("epoch %d: %s %v, want a percentage in [0, 100]", n, name, v)
		}
		return nil
	}
	nonNeg := func(name string, v float64) error {
		if !(v >= 0) || math.IsInf(v, 0) {
			return fmt.Errorf("epoch %d: %s %v, want a finite number >= 0", n, name, v)
		}
		return nil
	}
	unit := func(name string, v float64) error {
		if !(v >= 0 && v <= 1) {
			return fmt.Errorf("epoch %d: %s %v, want a number in [0, 1]", n, name, v)
		}
		return nil
	}
	errs := []error{
		pct("train_acc", e.TrainAcc), pct("test_top1", e.TestTop1),
		nonNeg("train_loss", e.TrainLoss), nonNeg("test_loss", e.TestLoss), nonNeg("lr", e.LR), nonNeg("na_alpha", e.NAAlpha),
		nonNeg("train_seconds", e.TrainSeconds), nonNeg("eval_seconds", e.EvalSeconds), nonNeg("images_per_sec", e.ImagesPerSec),
		unit("progress", e.Progress), unit("flip_ratio", e.FlipRatio),
	}
	for _, name := range slices.Sorted(maps.Keys(e.Indicators)) {
		errs = append(errs, nonNeg("indicators."+name, e.Indicators[name]))
	}
	if e.Diagnostics != nil {
		errs = append(errs, checkDiagnostics(e.Diagnostics, n))
	}
	if e.ValTop1 != nil && e.ValLoss != nil {
		errs = append(errs, pct("val_top1", *e.ValTop1), nonNeg("val_loss", *e.ValLoss))
	}
	if e.TestTop5 != nil {
		errs = append(errs, pct("test_top5", *e.TestTop5))
		if *e.TestTop5 < e.TestTop1 {
			errs = append(errs, fmt.Errorf("epoch %d: test_top5 %v below test_top1 %v", n, *e.TestTop5, e.TestTop1))
		}
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// checkSegments checks that the training segments, when the record has
// them, cover epochs 1..trained one after another, one per process: the
// first and one per resume.
func checkSegments(segs []Segment, trained, resumes int) error {
	if len(segs) == 0 {
		return nil // written before records kept them
	}
	if len(segs) != resumes+1 {
		return fmt.Errorf("%d training segments for %d resumes, want %d", len(segs), resumes, resumes+1)
	}
	next := 1
	for i, s := range segs {
		if s.FirstEpoch != next || s.LastEpoch < s.FirstEpoch {
			return fmt.Errorf("training segment %d covers epochs %d..%d, want it to start at epoch %d", i+1, s.FirstEpoch, s.LastEpoch, next)
		}
		next = s.LastEpoch + 1
	}
	if next != trained+1 {
		return fmt.Errorf("training segments end at epoch %d, the record at %d", next-1, trained)
	}
	return nil
}

// checkDiagnostics checks the ranges of epoch n's training diagnostics:
// fractions in [0, 1], entropies in [0, ln 2] (nats), norms and variances
// finite and not negative, every binary layer named, the mean entropy
// that of the layers.
func checkDiagnostics(d *Diagnostics, n int) error {
	in := func(name string, v, lo, hi float64) error {
		if !(v >= lo && v <= hi) {
			return fmt.Errorf("epoch %d: diagnostics.%s %v, want a number in [%v, %v]", n, name, v, lo, hi)
		}
		return nil
	}
	const fin = math.MaxFloat64
	// A rounding margin on ln 2: the entropy of p = 1/2 computed in
	// float64 may exceed math.Ln2 by an ulp or two.
	ln2 := math.Ln2 * (1 + 1e-12)
	errs := []error{
		in("oscillation", d.Oscillation, 0, 1), in("oscillating", d.Oscillating, 0, 1), in("silent", d.Silent, 0, 1),
		in("saturation", d.Saturation, 0, 1), in("grad_stability", d.GradStability, 0, fin), in("entropy", d.Entropy, 0, ln2),
	}
	if len(d.Layers) == 0 {
		errs = append(errs, fmt.Errorf("epoch %d: diagnostics of no binary layer", n))
	}
	var h float64
	for i, l := range d.Layers {
		name := fmt.Sprintf("layers[%d].", i)
		if l.Name == "" {
			errs = append(errs, fmt.Errorf("epoch %d: diagnostics.layers[%d] has no name", n, i))
		}
		errs = append(errs, in(name+"grad_norm", l.GradNorm, 0, fin), in(name+"saturation", l.Saturation, 0, 1), in(name+"entropy", l.Entropy, 0, ln2))
		h += l.Entropy
	}
	if len(d.Layers) > 0 && math.Abs(h/float64(len(d.Layers))-d.Entropy) > 1e-9 {
		errs = append(errs, fmt.Errorf("epoch %d: diagnostics.entropy %v, but the layers' mean is %v", n, d.Entropy, h/float64(len(d.Layers))))
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// isDigest reports whether s is "sha256:" and 64 lower-case hex digits,
// as data.Dataset.Digest writes a digest.
func isDigest(s string) bool {
	h, ok := strings.CutPrefix(s, checksumPrefix)
	if !ok || len(h) != 2*sha256.Size {
		return false
	}
	for _, c := range h {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
