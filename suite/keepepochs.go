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

	"github.com/gradbench/gradbench/nn/checkpoint"
)

// Runner.KeepEpochs keeps a run's weights after each epoch as the epoch
// ends. A cell trained in whole or in part without it (a record, or a
// checkpoint to resume from) lacks those of the epochs already trained,
// and running it again would not make them: a finished cell is not
// trained again, a resumed one keeps only the epochs after the resume
// point. Rather than ignore KeepEpochs for such cells, the runner refuses
// them before it trains anything.

// maxListedCells is how many cells an error lists by name.
const maxListedCells = 5

// keptEpochsGap is a cell trained without KeepEpochs: how far it got and
// the epochs whose weights it lacks.
type keptEpochsGap struct {
	cell    Cell
	how     string
	missing []int
}

// trainedEpochs returns how many epochs of cell c the runs directory dir
// holds, and in what: those of its record, or those of the checkpoint it
// will resume from (one that fits the run, as resume checks it), with
// that checkpoint's progress ps; 0 for neither. A checkpoint resume takes
// only if the run starts from the initial weights it was trained from
// (ps.InitHash), which the caller checks (sameInit) when it needs to.
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

// sameInit reports whether cell c's run starts from the initial weights
// whose digest is init (Record.InitHash): resume discards a checkpoint
// trained from others (one from a build that initialised the network
// differently) and trains the run from its first epoch. It loads the
// workload's data (Prepare) to build the network.
func (r *Runner) sameInit(ctx context.Context, c Cell, init string) (bool, error) {
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
	return initHash(m.Net) == init, nil
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
// will resume in r.Dir and lack the weights of an epoch already trained
// (see above), naming them; nil without KeepEpochs.
func (r *Runner) checkKeepEpochs(ctx context.Context, cells []Cell) error {
	if !r.KeepEpochs {
		return nil
	}
	return r.checkEpochWeights(ctx, r.Dir, cells)
}

// checkEpochWeights is checkKeepEpochs for the runs directory dir, for
// whatever will train cells there with KeepEpochs: this runner, or the
// tasks of a job array (Slurm). A checkpoint of other initial weights
// than the run's is no gap: resume discards it, and the run trains every
// epoch with KeepEpochs (checking that loads the workload's data, which
// only such a cell needs).
func (r *Runner) checkEpochWeights(ctx context.Context, dir string, cells []Cell) error {
	var gaps []keptEpochsGap
	for _, c := range cells {
		n, how, ps, err := r.trainedEpochs(dir, c)
		if err != nil {
			return err
		}
		m := missingEpochWeights(dir, c.Key(), n, c.Config().Epochs)
		if len(m) == 0 {
			continue
		}
		if ps != nil {
			same, err := r.sameInit(ctx, c, ps.InitHash)
			if err != nil {
				return err
			}
			if !same {
				continue
			}
		}
		gaps = append(gaps, keptEpochsGap{c, how, m})
	}
	return keptEpochsError(dir, gaps)
}

// keptEpochsError is the error of checkKeepEpochs for gaps, nil for none.
func keptEpochsError(dir string, gaps []keptEpochsGap) error {
	if len(gaps) == 0 {
		return nil
	}
	var cells []string
	for i, g := range gaps {
		if i == maxListedCells {
			cells = append(cells, fmt.Sprintf("and %d more", len(gaps)-i))
			break
		}
		after := "epoch "
		if len(g.missing) > 1 {
			after = "epochs "
		}
		cells = append(cells, fmt.Sprintf("%s (%s: %s, no weights after %s%s)", g.cell.Key(), g.cell, g.how, after, epochRanges(g.missing)))
	}
	what := "a cell in " + dir + " was trained without it and lacks the weights of epochs it already trained"
	them := "it"
	if len(gaps) > 1 {
		what = fmt.Sprintf("%d cells in %s were trained without it and lack the weights of epochs they already trained", len(gaps), dir)
		them = "them"
	}
	return fmt.Errorf("suite: --keep-epochs: %s, which running again would not make: %s; give a new --out to train %s with --keep-epochs, or drop --keep-epochs",
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
