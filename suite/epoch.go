package suite

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"reflect"
	"time"

	"github.com/gradbench/gradbench/data"
	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/nn"
)

// loop trains epochs start..E-1 and returns the finished record.
func (ru *run) loop(ctx context.Context, start int) (*Record, error) {
	E := ru.cfg.Epochs
	steps := ru.train.Batches()
	ru.firstEpoch = start + 1
	for e := start; e < E; e++ {
		prog := nn.Progress{Epoch: e, Epochs: E}
		ep, div, err := ru.epoch(ctx, prog, steps)
		if err != nil {
			return nil, err
		}
		if div != nil {
			ru.rec.Status = StatusDiverged
			ru.rec.Diverged = div
			ru.rec.Finished = time.Now().UTC()
			ru.rec.Machine = ThisMachine()
			ru.rec.Segments = ru.segmentsThrough(e + 1)
			return ru.rec, nil
		}
		ru.rec.Epochs = append(ru.rec.Epochs, ep)
		if e+1 < E {
			// The epoch's weights before its checkpoint: a process
			// stopped between the two then resumes from the epoch
			// before, and writes these weights again, where a checkpoint
			// written first would claim an epoch whose weights are
			// missing, and KeepEpochs would refuse the cell.
			if ru.r.KeepEpochs {
				if err := saveWeights(EpochWeightsPath(ru.r.Dir, ru.cfg.Key(), e+1), ru.cfg.Key(), e+1, ru.model.Net); err != nil {
					return nil, err
				}
			}
			if err := ru.saveCheckpoint(e+1, (e+1)*steps); err != nil {
				return nil, err
			}
		}
		ru.r.emit(Event{Kind: EventEpoch, Cell: ru.cell, Cells: ru.cells, Epoch: e, Epochs: E, Step: steps, Steps: steps,
			Loss: ep.TrainLoss, ImagesPerSec: ep.ImagesPerSec, Done: *ru.done, Total: ru.total, Result: &ep})
	}
	ru.rec.Status = StatusOK
	ru.rec.Final = finalOf(ru.rec.Epochs)
	ru.rec.Finished = time.Now().UTC()
	ru.rec.Machine = ThisMachine()
	ru.rec.Segments = ru.segmentsThrough(E)
	return ru.rec, nil
}

// epoch trains and evaluates one epoch. A non-finite loss, or a number
// the epoch records that is not finite (epochDivergence), returns the
// divergence; a cancelled ctx returns its error.
func (ru *run) epoch(ctx context.Context, prog nn.Progress, steps int) (Epoch, *Divergence, error) {
	net := ru.model.Net
	e := prog.Epoch
	ep := Epoch{Epoch: e + 1, Progress: prog.P(), LR: ru.sched.LR(e * steps)}
	if ru.cell.Spec.HasNA() {
		ep.NAAlpha = prog.NAAlpha()
	}
	// Advance every schedule before the epoch's first step.
	nn.SetProgress(net, prog)
	nn.SetTraining(net, true)
	ru.snapshotSigns()
	if ru.diag != nil {
		ru.diag.startEpoch(ru.signs)
	}

	t0 := time.Now()
	it := ru.train.Epoch(ctx, e)
	defer it.Close()
	dh := fnv.New64a()
	var lossSum float64
	var correct, seen int
	step := 0
	for it.Next() {
		b := it.Batch()
		loss, c := ru.step(b, ru.sched.LR(e*steps+step))
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			return ep, &Divergence{Epoch: e + 1, Step: step, Reason: fmt.Sprintf("training loss is %v at step %d of epoch %d", loss, step, e+1)}, nil
		}
		correct += c
		lossSum += loss * float64(b.N)
		seen += b.N
		hashBatch(dh, b)
		step++
		*ru.done++
		el := time.Since(t0).Seconds()
		ru.r.emit(Event{Kind: EventStep, Cell: ru.cell, Cells: ru.cells, Epoch: e, Epochs: prog.Epochs, Step: step - 1, Steps: steps,
			Loss: lossSum / float64(seen), ImagesPerSec: float64(seen) / el, Done: *ru.done, Total: ru.total})
	}
	if err := it.Err(); err != nil {
		return ep, nil, err
	}
	if err := ctx.Err(); err != nil {
		return ep, nil, err
	}
	ep.TrainSeconds = time.Since(t0).Seconds()
	ep.TrainLoss = lossSum / float64(seen)
	ep.TrainAcc = 100 * float64(correct) / float64(seen)
	ep.FlipRatio = ru.flipRatio()
	ep.Indicators = ru.indicators()
	if ru.diag != nil {
		ep.Diagnostics = ru.diag.epoch()
	}
	// Before the evaluation, which a diverged network needs not, and
	// before the throughput: a diverged run does not record this epoch.
	if div := epochDivergence(ep, steps); div != nil {
		return ep, div, nil
	}
	ips, err := imagesPerSec(seen, ep.TrainSeconds, e+1)
	if err != nil {
		return ep, nil, fmt.Errorf("suite: run %s (%s): %w", ru.rec.Key, ru.cell, err)
	}
	ep.ImagesPerSec = ips
	ru.rec.DataHashes = append(ru.rec.DataHashes, fmt.Sprintf("%016x", dh.Sum64()))

	ru.r.emit(Event{Kind: EventEval, Cell: ru.cell, Cells: ru.cells, Epoch: e, Epochs: prog.Epochs, Step: steps, Steps: steps,
		Loss: ep.TrainLoss, ImagesPerSec: ep.ImagesPerSec, Done: *ru.done, Total: ru.total})
	t1 := time.Now()
	// evalOn evaluates on one split; a non-finite loss is a divergence.
	// Either ends the epoch without its data digest.
	evalOn := func(l *data.Loader, split string) (loss, top1, top5 float64, div *Divergence, err error) {
		loss, top1, top5, err = ru.evaluate(ctx, l, split)
		if err == nil && (math.IsNaN(loss) || math.IsInf(loss, 0)) {
			div = &Divergence{Epoch: e + 1, Step: steps, Reason: fmt.Sprintf("%s loss is %v after epoch %d", split, loss, e+1)}
		}
		if err != nil || div != nil {
			ru.rec.DataHashes = ru.rec.DataHashes[:len(ru.rec.DataHashes)-1]
		}
		return loss, top1, top5, div, err
	}
	if ru.val != nil {
		// The validation split first, so that nothing a learning-rate
		// grid selects on (its numbers, or a divergence) depends on the
		// test split.
		loss, top1, _, div, err := evalOn(ru.val, "validation")
		if err != nil || div != nil {
			return ep, div, err
		}
		ep.ValLoss, ep.ValTop1 = &loss, &top1
	}
	loss, top1, top5, div, err := evalOn(ru.test, "test")
	if err != nil || div != nil {
		return ep, div, err
	}
	ep.EvalSeconds = time.Since(t1).Seconds()
	ep.TestLoss, ep.TestTop1 = loss, top1
	if ru.classes > 10 {
		ep.TestTop5 = &top5
	}
	return ep, nil, nil
}

// epochDivergence returns the divergence of the epoch ep trained in
// steps steps when a number it records is NaN or infinite, or nil. Its
// losses were finite (checked at every step), but what else it measures
// need not be: an estimator's indicator, a gradient norm of latent
// gradients that overflowed float32, any of its diagnostics. The network
// is then no longer trained to numbers a record can hold (JSON has no NaN
// or infinity): the run diverged in that epoch, as on a non-finite loss,
// rather than training its remaining epochs to a record WriteRecord
// refuses. The reason names the field as the record's JSON does
// (indicators.estimating_error, diagnostics.layers[2].grad_norm) and its
// value. The throughput is not among the numbers: see imagesPerSec.
func epochDivergence(ep Epoch, steps int) *Divergence {
	field, v := nonFinite(reflect.ValueOf(ep), "")
	if field == "" {
		return nil
	}
	return &Divergence{Epoch: ep.Epoch, Step: steps, Reason: fmt.Sprintf("%s is %v after epoch %d", field, v, ep.Epoch)}
}

// imagesPerSec returns the training throughput of epoch n (1-based),
// images trained over its wall time in seconds. A wall time of 0, whose
// throughput would be +Inf, is refused: it says nothing of the training,
// which is not diverged, but that the clock did not advance, and a record
// holds the value measured or none. It cannot happen where Go's monotonic
// clock counts nanoseconds (Linux, the BSDs, macOS) since an epoch trains
// at least one batch, forward and backward; it can on Windows, where Go
// reads the system's interrupt time, which advances by the timer tick
// (0.5 to 15.6 ms), longer than an epoch of a few tiny batches.
func imagesPerSec(images int, seconds float64, n int) (float64, error) {
	if !(seconds > 0) {
		return 0, fmt.Errorf("epoch %d trained %d images in %v s by this machine's clock, which does not tick that finely: its images/s cannot be measured, and a record holds no infinity; train more images per epoch (a larger train_subset or dataset)", n, images, seconds)
	}
	return float64(images) / seconds, nil
}

// step trains on one batch: forward pass, loss, backward pass and the
// optimizer's step at lr, with the training diagnostics' reads in between
// (the activations after the forward pass, the gradients before the
// optimizer uses them, the codes after its step). It returns the batch's
// mean loss and how many images it classified right; a non-finite loss
// returns at once, before any backward pass.
func (ru *run) step(b *data.Batch, lr float64) (loss float64, correct int) {
	net := ru.model.Net
	logits := net.Forward(ru.tensor(b))
	loss = ru.ce.Forward(logits, ru.labels)
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss, 0
	}
	correct = nn.Correct(logits, ru.labels)
	if ru.diag != nil {
		ru.diag.activations()
	}
	net.Backward(ru.ce.Backward())
	if ru.diag != nil {
		ru.diag.gradients(ru.binW)
	}
	ru.opt.Step(lr)
	if ru.diag != nil {
		ru.diag.flips(ru)
	}
	return loss, correct
}

// tensor views a batch as the network's input and converts its labels.
func (ru *run) tensor(b *data.Batch) *nn.Tensor {
	ru.x = nn.Tensor{N: b.N, C: b.C, H: b.H, W: b.W, Data: b.X}
	if cap(ru.labels) < b.N {
		ru.labels = make([]int, b.N)
	}
	ru.labels = ru.labels[:b.N]
	for i, y := range b.Y {
		ru.labels[i] = int(y)
	}
	return &ru.x
}

// hashBatch adds the batch's images (dataset indices) and labels to the
// epoch's data digest.
func hashBatch(h io.Writer, b *data.Batch) {
	var buf [8]byte
	for i, img := range b.Images {
		binary.LittleEndian.PutUint32(buf[:4], uint32(img))
		binary.LittleEndian.PutUint32(buf[4:], uint32(b.Y[i]))
		h.Write(buf[:])
	}
}

// correctTop5 returns how many rows of logits have the label among their
// 5 largest values. With fewer than 5 classes (a folder dataset may have
// 2) that is every class, so every row counts.
func correctTop5(logits *nn.Tensor, labels []int) int {
	return nn.CorrectTopK(logits, labels, min(5, logits.Sample()))
}

// evaluate returns the mean loss and the top-1 and top-5 accuracy
// (percent) of the network in evaluation mode on the split l reads (split
// names it in errors).
func (ru *run) evaluate(ctx context.Context, l *data.Loader, split string) (loss, top1, top5 float64, err error) {
	net := ru.model.Net
	nn.SetTraining(net, false)
	defer nn.SetTraining(net, true)
	it := l.Epoch(ctx, 0)
	defer it.Close()
	var sum float64
	var c1, c5, n int
	for it.Next() {
		b := it.Batch()
		logits := net.Forward(ru.tensor(b))
		sum += ru.ce.Forward(logits, ru.labels) * float64(b.N)
		c1 += nn.Correct(logits, ru.labels)
		c5 += correctTop5(logits, ru.labels)
		n += b.N
	}
	if err := it.Err(); err != nil {
		return 0, 0, 0, err
	}
	if n == 0 {
		return 0, 0, 0, fmt.Errorf("suite: the %s split is empty", split)
	}
	return sum / float64(n), 100 * float64(c1) / float64(n), 100 * float64(c5) / float64(n), nil
}

// snapshotSigns records the binary codes of the binarized latent weights
// at the start of an epoch, for flipRatio.
func (ru *run) snapshotSigns() {
	i := 0
	ru.eachCode(func(c float32) {
		ru.signs[i] = c > 0
		i++
	})
}

// eachCode calls f with the binary code of every binarized latent weight,
// in order: the estimator's forward pass, which is sign(w) for most
// estimators but not all (BiPer's is sign(sin(ω·w))).
func (ru *run) eachCode(f func(c float32)) {
	for k, p := range ru.binW {
		if cap(ru.codes) < len(p.Data) {
			ru.codes = make([]float32, len(p.Data))
		}
		codes := ru.codes[:len(p.Data)]
		ru.binQ[k].Forward(codes, p.Data)
		for _, c := range codes {
			f(c)
		}
	}
}

// indicators returns the sum over the binary layers of each diagnostic
// their weight estimators offer (estimators.Indicator) on the latent
// weights, or nil when none offers one.
func (ru *run) indicators() map[string]float64 {
	var m map[string]float64
	for k, p := range ru.binW {
		if ind, ok := ru.binQ[k].(estimators.Indicator); ok {
			if m == nil {
				m = map[string]float64{}
			}
			name, v := ind.Indicator(p.Data)
			m[name] += v
		}
	}
	return m
}

// flipRatio returns the fraction of binarized latent weights whose binary
// code differs from the snapshot.
func (ru *run) flipRatio() float64 {
	if len(ru.signs) == 0 {
		return 0
	}
	i, flips := 0, 0
	ru.eachCode(func(c float32) {
		if (c > 0) != ru.signs[i] {
			flips++
		}
		i++
	})
	return float64(flips) / float64(len(ru.signs))
}
