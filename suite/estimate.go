package suite

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/gradbench/gradbench/nn"
)

// An Estimate is the expected wall time of the cells of a sweep that have
// no record yet and that no other live process is training.
type Estimate struct {
	Cells int // cells in the sweep
	// Pending counts the cells without a record that no other live
	// process holds the lock of: those a run would train. Held counts the
	// cells without a record whose lock another live process holds: a
	// run leaves them to it and waits for their records.
	Pending, Held int
	Total         time.Duration // expected wall time of the pending cells
	// OtherData names the records of cells (counted as not to train)
	// whose data digests are not those of the data loaded now: a run
	// refuses them (see Runner.Run) rather than give them back.
	OtherData []string
	// Basis says how Total was reached, for the user.
	Basis string
}

// String says the estimate in one line, for the user.
func (e Estimate) String() string {
	s := e.string()
	switch n := len(e.OtherData); {
	case n == 1:
		s += "; but the record " + e.OtherData[0] + " was trained on other data than the files read now: a run refuses it"
	case n > 1:
		s += fmt.Sprintf("; but %d records (%s) were trained on other data than the files read now: a run refuses them", n, strings.Join(e.OtherData, ", "))
	}
	return s
}

func (e Estimate) string() string {
	held := ""
	switch e.Held {
	case 0:
	case 1:
		held = "1 cell is being trained by another process (a live lock), not counted here: a run waits for its record"
	default:
		held = fmt.Sprintf("%d cells are being trained by other processes (live locks), not counted here: a run waits for their records", e.Held)
	}
	if e.Pending == 0 {
		if held != "" {
			return fmt.Sprintf("expected: nothing to train of the %d cells but what other processes are training: %s", e.Cells, held)
		}
		return fmt.Sprintf("expected: nothing to train, every one of the %d cells has a record", e.Cells)
	}
	// Once, in the form of the rest of gradbench's output (the progress
	// bar's ETA, fidelity's "expected 5s"): a Go duration in whole
	// seconds, in minutes from an hour, and "under a second" where it
	// rounds to 0.
	// The hour is decided on the rounded time: 59m59.7s is "about 1h0m".
	secs := e.Total.Round(time.Second)
	t := "about " + secs.String()
	switch {
	case secs >= time.Hour:
		t = "about " + strings.TrimSuffix(e.Total.Round(time.Minute).String(), "0s")
	case secs == 0:
		t = "under a second"
	}
	if held != "" {
		return fmt.Sprintf("expected: %s for the %d of %d cells still to train that no other process is training (%s); %s", t, e.Pending, e.Cells, e.Basis, held)
	}
	return fmt.Sprintf("expected: %s for the %d of %d cells still to train (%s)", t, e.Pending, e.Cells, e.Basis)
}

// probeSteps is how many training steps Estimate times per workload,
// after one untimed step that warms the buffers up.
const probeSteps = 3

// Estimate returns the expected wall time of training the cells of s that
// have no record in r.Dir and whose lock no other live process holds (Run
// leaves those to that process and waits for their records; they are
// counted in Held); a cell that will resume from an epoch checkpoint
// counts for the epochs it has left. A cell's record of other data than
// the data loaded (its data digests differ) is named in OtherData.
// Where records of the same workload and estimator exist, it takes their
// mean seconds per epoch (training and evaluation, as measured); for the
// other cells it times probeSteps training steps of the cell's network on
// real batches (one probe per workload and estimator class: with noise
// adaptation or without, since that changes the step's cost), and counts
// each evaluation batch as a third of a training step (a forward pass of
// the same size, without the backward pass). It trains nothing that is
// kept and writes nothing. A sweep whose training batches leave a
// BatchNorm layer of its network fewer than two values per channel, which
// Run refuses before it trains (checkNormBatch), is refused with Run's
// message.
func (r *Runner) Estimate(ctx context.Context, s *Sweep) (Estimate, error) {
	cells := s.Cells()
	est := Estimate{Cells: len(cells)}
	if err := r.Prepare(ctx, &s.Workload); err != nil {
		return est, err
	}
	// A sweep Run refuses has no time to estimate, whatever its cells'
	// records: refused as Run refuses it, not only when a pending cell
	// is probed (newRun), which a cell timed from records or recorded
	// itself is not.
	if err := r.checkNormBatches(ctx, cells); err != nil {
		return est, err
	}
	p, err := r.load(ctx, &s.Workload)
	if err != nil {
		return est, err
	}
	// Records the directory already holds (none if it does not exist yet;
	// a record that fails its checks is reported when the sweep reads it,
	// so here it only means no timing from records).
	known := map[string][]float64{} // workload key + estimator → seconds per epoch
	recs, _ := ReadRecords(r.Dir)
	for _, rec := range recs {
		if rec.Status == StatusOK {
			k := rec.Config.WorkloadKey() + rec.Config.Estimator
			known[k] = append(known[k], rec.Final.SecondsPerEpoch)
		}
	}
	probed := map[string]time.Duration{} // workload key + NA or not → one step
	now := time.Now()
	var fromRecords, fromProbes, resuming int
	for _, c := range cells {
		cfg := c.Config()
		if _, err := os.Stat(RecordPath(r.Dir, cfg.Key())); err == nil {
			// The data are loaded already: a record that says what data
			// it was trained on is compared with them, so that a record a
			// run would refuse is not counted as done without a word.
			if rec, err := ReadRecord(r.Dir, cfg.Key()); err == nil && rec.Data != nil && rec.Data.differs(p.digest()) != "" {
				est.OtherData = append(est.OtherData, RecordPath(r.Dir, cfg.Key()))
			}
			continue
		}
		if r.heldElsewhere(cfg.Key(), now) {
			est.Held++
			continue
		}
		est.Pending++
		left, err := r.epochsLeft(ctx, c)
		if err != nil {
			return est, err
		}
		if left < cfg.Epochs {
			resuming++
		}
		epochs := time.Duration(left)
		if secs := known[cfg.WorkloadKey()+cfg.Estimator]; len(secs) > 0 {
			var sum float64
			for _, v := range secs {
				sum += v
			}
			est.Total += epochs * time.Duration(sum/float64(len(secs))*float64(time.Second))
			fromRecords++
			continue
		}
		pk := fmt.Sprint(cfg.WorkloadKey(), c.Spec.HasNA())
		step, ok := probed[pk]
		if !ok {
			if step, err = r.probeStep(ctx, c, p); err != nil {
				return est, err
			}
			probed[pk] = step
		}
		ru, err := r.newRun(c, p, 1, new(int64), 0)
		if err != nil {
			return est, err
		}
		evalBatches := ru.test.Batches()
		if ru.val != nil {
			evalBatches += ru.val.Batches()
		}
		trainBatches := ru.train.Batches()
		ru.close()
		est.Total += epochs * (time.Duration(trainBatches)*step + time.Duration(evalBatches)*step/3)
		fromProbes++
	}
	switch {
	case est.Pending == 0:
		est.Basis = "every cell has a record"
	case fromProbes == 0:
		est.Basis = "from the seconds per epoch of the finished runs of the same workload and estimator"
	default:
		est.Basis = fmt.Sprintf("%d training steps timed per workload (an evaluation batch counted as a third of a step)", probeSteps)
		if fromRecords > 0 {
			est.Basis += fmt.Sprintf("; %d cells from the seconds per epoch of finished runs like them", fromRecords)
		}
	}
	switch resuming {
	case 0:
	case 1:
		est.Basis += "; 1 cell resumes from its epoch checkpoint and counts for the epochs it has left"
	default:
		est.Basis += fmt.Sprintf("; %d cells resume from their epoch checkpoints and count for the epochs they have left", resuming)
	}
	return est, nil
}

// heldElsewhere reports whether the lock of the cell with that key is held
// by another live process, as Run's runLocked finds it (a lock that is
// not stale), Plan's CellRunning. A lock of this process is not.
func (r *Runner) heldElsewhere(key string, now time.Time) bool {
	l, err := ReadLock(r.Dir, key)
	if err != nil || l.Stale(r.Lock, now) {
		return false
	}
	self := thisProcess()
	return l.Host != self.Host || l.PID != self.PID
}

// epochsLeft returns how many epochs cell c, which has no record, has
// left to train: those after the epoch checkpoint it will resume from, or
// all of them where it has none that resume takes (one trained from
// other initial weights or on other data files is discarded; one of
// another run is refused before anything trains, by Run and by Plan).
func (r *Runner) epochsLeft(ctx context.Context, c Cell) (int, error) {
	epochs := c.Config().Epochs
	n, _, ps, err := r.trainedEpochs(r.Dir, c)
	if err != nil || ps == nil || n == 0 {
		// A record that fails its checks is reported when the sweep
		// reads it; here the cell counts whole.
		return epochs, nil
	}
	resumes, err := r.resumesFrom(ctx, c, ps)
	if err != nil {
		return 0, err
	}
	if !resumes {
		return epochs, nil
	}
	return epochs - n, nil
}

// probeStep times training steps of cell c's network on its first
// batches and returns the mean time of one, leaving the first (warm-up)
// step out when there is more than one; the network is discarded.
func (r *Runner) probeStep(ctx context.Context, c Cell, p *datasetPair) (time.Duration, error) {
	ru, err := r.newRun(c, p, 1, new(int64), 0)
	if err != nil {
		return 0, err
	}
	defer ru.close()
	net := ru.model.Net
	nn.SetProgress(net, nn.Progress{Epochs: ru.cfg.Epochs})
	nn.SetTraining(net, true)
	it := ru.train.Epoch(ctx, 0)
	defer it.Close()
	var times []time.Duration
	for len(times) <= probeSteps && it.Next() {
		t0 := time.Now()
		b := it.Batch()
		ru.ce.Forward(net.Forward(ru.tensor(b)), ru.labels)
		net.Backward(ru.ce.Backward())
		ru.opt.Step(0)
		times = append(times, time.Since(t0))
	}
	if err := it.Err(); err != nil {
		return 0, err
	}
	if len(times) > 1 {
		times = times[1:]
	}
	var sum time.Duration
	for _, t := range times {
		sum += t
	}
	return sum / time.Duration(len(times)), nil
}
