package suite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gradbench/gradbench/nn/checkpoint"
)

// Runner.KeepEpochs keeps a run's weights after each epoch as the epoch
// ends. A cell trained in whole or in part without it (a record, or a
// checkpoint to resume from) lacks those of the epochs already trained,
// and running it again would not make them: a finished cell is not
// trained again, a resumed one keeps only the epochs after the resume
// point. The same holds for a cell that another live process trains now
// without KeepEpochs (its lock says so, LockInfo.KeepEpochs): its record,
// or the checkpoint it leaves, will lack them. Rather than ignore
// KeepEpochs for such cells, the runner refuses them before it trains
// anything.

// maxListedCells is how many cells an error lists by name.
const maxListedCells = 5

// keptEpochsGap is a cell trained without KeepEpochs: how far it got and
// the epochs whose weights it lacks; or a cell that holder, a live
// process, trains now without KeepEpochs (how and missing are then
// empty).
type keptEpochsGap struct {
	cell    Cell
	how     string
	missing []int
	holder  *LockInfo
}

// withoutKeepEpochs reports whether the lock's holder is known to train
// without KeepEpochs: its lock file names it (every build writes a token)
// and does not say it keeps them, which a file from a build before
// LockInfo.KeepEpochs never does. A lock file created but not yet written,
// or written by something else, names no holder and says nothing either
// way: the runner waits for it as for any holder and reads it again.
func (l *LockInfo) withoutKeepEpochs() bool { return l.Token != "" && !l.KeepEpochs }

// trainingWithoutKeepEpochs returns the live holder (not stale by cfg) of
// the lock of the run with that key in dir if it trains the run without
// KeepEpochs, or nil. A lock that cannot be read counts as none, as in
// Sweep.Plan: the runner meets it again when it takes the lock.
func trainingWithoutKeepEpochs(dir, key string, cfg LockConfig) *LockInfo {
	l, err := ReadLock(dir, key)
	if err != nil || !l.withoutKeepEpochs() || l.Stale(cfg, time.Now()) {
		return nil
	}
	return l
}

// trainedEpochs returns how many epochs of cell c the runs directory dir
// holds, and in what: those of its record, or those of the checkpoint it
// will resume from (one that fits the run, as resume checks it), with
// that checkpoint's progress ps; 0 for neither. A checkpoint resume takes
// only if the run starts from the initial weights it was trained from
// (ps.InitHash) and, if ps has data digests, on the splits they name,
// which the caller checks (resumesFrom) when it needs to.
func (r *Runner) trainedEpochs(dir string, c Cell) (n int, how string, ps *progressState, err error) {
	key := c.Key()
	rec, err := ReadRecord(dir, key)
	switch {
	case err == nil:
		if rec.Status == StatusDiverged {
			return len(rec.Epochs), "diverged after " + epochsText(len(rec.Epochs)), nil, nil
		}
		return len(rec.Epochs), "done", nil, nil
	case !errors.Is(err, fs.ErrNotExist):
		return 0, "", nil, err
	}
	path := CheckpointPath(dir, key)
	if _, err := os.Stat(path); err != nil {
		return 0, "", nil, nil
	}
	epoch, _, extra, err := checkpoint.ReadProgress(path)
	ps = new(progressState)
	if err != nil || json.Unmarshal(extra["progress"], ps) != nil || !ps.fits(c.Config(), epoch) {
		// resume discards it and starts over: nothing trained.
		return 0, "", nil, nil
	}
	return len(ps.Epochs), "resumes after " + epochsText(len(ps.Epochs)), ps, nil
}

// resumesFrom reports whether cell c's run resumes from a checkpoint
// with progress ps, which fits it (trainedEpochs), as resume decides: when
// the run starts from the initial weights ps was trained from
// (ps.InitHash) and, if ps carries data digests, on splits with those
// digests. Resume discards a checkpoint trained from other initial
// weights (one from a build that initialised the network differently) or
// on other data files, and trains the run from its first epoch. It loads
// the workload's data (Prepare) to build the network and digest the
// splits.
func (r *Runner) resumesFrom(ctx context.Context, c Cell, ps *progressState) (bool, error) {
	if err := r.Prepare(ctx, c.Workload); err != nil {
		return false, err
	}
	p, err := r.load(ctx, c.Workload)
	if err != nil {
		return false, err
	}
	m, err := c.initialModel(p.train)
	if err != nil {
		return false, err
	}
	if initHash(m.Net) != ps.InitHash {
		return false, nil
	}
	return ps.Data == nil || ps.Data.differs(p.digest()) == "", nil
}

func epochsText(n int) string {
	if n == 1 {
		return "1 epoch"
	}
	return strconv.Itoa(n) + " epochs"
}

// missingEpochWeights returns the epochs of 1..trained whose weights
// KeepEpochs keeps (every epoch of the run but its last) that the run
// with that key lacks in dir.
func missingEpochWeights(dir, key string, trained, epochs int) []int {
	var missing []int
	for e := 1; e <= trained && e < epochs; e++ {
		if _, err := os.Stat(EpochWeightsPath(dir, key, e)); err != nil {
			missing = append(missing, e)
		}
	}
	return missing
}

// checkKeepEpochs refuses, with KeepEpochs, the cells that are done or
// will resume in r.Dir and lack the weights of an epoch already trained,
// and those without a record that a live process trains now without
// KeepEpochs (see above), naming them; nil without KeepEpochs.
func (r *Runner) checkKeepEpochs(ctx context.Context, cells []Cell) error {
	if !r.KeepEpochs {
		return nil
	}
	return r.checkEpochWeights(ctx, r.Dir, cells)
}

// checkEpochWeights is checkKeepEpochs for the runs directory dir, for
// whatever will train cells there with KeepEpochs: this runner, or the
// tasks of a job array (Slurm). A checkpoint of other initial weights
// than the run's, or of other data files than those read now, is no gap:
// resume discards it (resumesFrom), and the run trains every
// epoch with KeepEpochs (checking that loads the workload's data, which
// only such a cell needs). Whether a cell's lock is stale is judged by
// r.Lock.
func (r *Runner) checkEpochWeights(ctx context.Context, dir string, cells []Cell) error {
	var gaps []keptEpochsGap
	for _, c := range cells {
		n, how, ps, err := r.trainedEpochs(dir, c)
		if err != nil {
			return err
		}
		if recorded := ps == nil && how != ""; !recorded {
			// Whatever its checkpoint holds, the process training the
			// cell now decides what its epochs leave.
			if h := trainingWithoutKeepEpochs(dir, c.Key(), r.Lock); h != nil {
				gaps = append(gaps, keptEpochsGap{cell: c, holder: h})
				continue
			}
		}
		m := missingEpochWeights(dir, c.Key(), n, c.Config().Epochs)
		if len(m) == 0 {
			continue
		}
		if ps != nil {
			resumes, err := r.resumesFrom(ctx, c, ps)
			if err != nil {
				return err
			}
			if !resumes {
				continue
			}
		}
		gaps = append(gaps, keptEpochsGap{cell: c, how: how, missing: m})
	}
	return keptEpochsError(dir, gaps)
}

// keptEpochsError is the error of checkKeepEpochs for gaps, nil for none.
func keptEpochsError(dir string, gaps []keptEpochsGap) error {
	if len(gaps) == 0 {
		return nil
	}
	var cells []string
	held := 0
	for i, g := range gaps {
		if g.holder != nil {
			held++
		}
		if i > maxListedCells {
			continue // counted
		}
		if i == maxListedCells {
			cells = append(cells, fmt.Sprintf("and %d more", len(gaps)-i))
			continue
		}
		if g.holder != nil {
			cells = append(cells, fmt.Sprintf("%s (%s: being trained now by %s without --keep-epochs)", g.cell.Key(), g.cell, g.holder))
			continue
		}
		after := "epoch "
		if len(g.missing) > 1 {
			after = "epochs "
		}
		cells = append(cells, fmt.Sprintf("%s (%s: %s, no weights after %s%s)", g.cell.Key(), g.cell, g.how, after, epochRanges(g.missing)))
	}
	var what string
	switch n := len(gaps); {
	case held == 0 && n == 1:
		what = "a cell in " + dir + " was trained without it and lacks the weights of epochs it already trained, which running again would not make"
	case held == 0:
		what = fmt.Sprintf("%d cells in %s were trained without it and lack the weights of epochs they already trained, which running again would not make", n, dir)
	case held == n && n == 1:
		what = "a cell in " + dir + " is being trained now by another process without it, which will not keep the weights of its epochs"
	case held == n:
		what = fmt.Sprintf("%d cells in %s are being trained now by other processes without it, which will not keep the weights of their epochs", n, dir)
	default:
		what = fmt.Sprintf("%d cells in %s were trained without it, or are being trained now by other processes without it, and lack the weights of epochs they trained or will train, which running again would not make", n, dir)
	}
	them := "it"
	if len(gaps) > 1 {
		them = "them"
	}
	return fmt.Errorf("suite: --keep-epochs: %s: %s; give a new --out to train %s with --keep-epochs, or drop --keep-epochs",
		what, strings.Join(cells, "; "), them)
}

// epochRanges writes increasing epochs as "1, 3–5".
func epochRanges(es []int) string {
	var parts []string
	for i := 0; i < len(es); {
		j := i
		for j+1 < len(es) && es[j+1] == es[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, strconv.Itoa(es[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d–%d", es[i], es[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}
