package suite

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gradbench/gradbench/internal/atomicfile"
	"github.com/gradbench/gradbench/nn"
	"github.com/gradbench/gradbench/nn/checkpoint"
)

// progressState is what a checkpoint carries besides the network and the
// optimizer: the record so far.
type progressState struct {
	Key        string    `json:"key"`
	Epochs     []Epoch   `json:"epochs"`
	Started    time.Time `json:"started"`
	Resumes    int       `json:"resumes"`
	InitHash   string    `json:"init_hash"`
	DataHashes []string  `json:"data_hashes"`
	// Segments are the training segments of Record.Segments up to the
	// checkpoint's epoch (none in checkpoints written before records kept
	// them).
	Segments []Segment `json:"segments,omitempty"`
	// Data is Record.Data: the digests of the splits the epochs so far
	// were trained and evaluated on (none in checkpoints written before
	// records kept them).
	Data *DataDigest `json:"data,omitempty"`
}

// fits reports whether run cfg would resume from a checkpoint of epoch
// with progress ps, but for its initial weights: one of cfg's key, epoch
// agreeing with the epochs recorded, and with epochs left to train. A run
// resumes from it only when ps.InitHash is also the digest of the initial
// weights the run starts from (resume; the --keep-epochs check asks the
// same of a checkpoint, trainedEpochs and checkKeepEpochs).
func (ps *progressState) fits(cfg Config, epoch int64) bool {
	return ps.Key == cfg.Key() && int(epoch) == len(ps.Epochs) && len(ps.Epochs) < cfg.Epochs
}

// resume loads the cell's checkpoint, if there is a usable one, and
// returns the first epoch to train. A checkpoint that is not usable is
// discarded, but for one of another run (copied or renamed by hand),
// which is refused and kept: it holds that run's epochs.
func (ru *run) resume() (int, error) {
	path := CheckpointPath(ru.r.Dir, ru.cfg.Key())
	if _, err := os.Stat(path); err != nil {
		return 0, nil
	}
	st := &checkpoint.State{Net: ru.model.Net, Opt: ru.opt}
	var ps progressState
	err := checkpoint.Load(path, st)
	if err == nil {
		err = json.Unmarshal(st.Extra["progress"], &ps)
	}
	if err == nil && (!ps.fits(ru.cfg, st.Epoch) || ps.InitHash != ru.rec.InitHash) {
		err = fmt.Errorf("it does not belong to this run (key %s, epoch %d)", ps.Key, st.Epoch)
	}
	if err == nil && ps.Data != nil {
		if d := ps.Data.differs(ru.rec.Data); d != "" {
			err = fmt.Errorf("checkpoint %s was trained on other data than the %s files read now: its %s", path, ru.cfg.Dataset, d)
		}
	}
	if err != nil {
		if err := checkOwnCheckpoint(ru.r.Dir, ru.cell); err != nil {
			return 0, err
		}
		// Load leaves the network untouched on error, but a half-applied
		// progress state must not leak: rebuild from scratch.
		ru.r.emit(Event{Kind: EventNote, Cell: ru.cell, Note: fmt.Sprintf("%s: discarding its checkpoint and starting over: %v", ru.cell, err)})
		os.Remove(path)
		return ru.restart(), nil
	}
	if ru.diag != nil {
		// The oscillation frequencies and flip directions go on from the
		// checkpoint's; without them (a checkpoint written with no
		// diagnostics, or before they existed) the rest of the run
		// records none rather than numbers that restart from zero.
		if b, ok := st.Extra[diagStateKey]; !ok || ru.diag.unmarshal(b) != nil {
			ru.diag = nil
		}
	}
	ru.rec.Epochs = ps.Epochs
	ru.rec.Started = ps.Started
	ru.rec.Resumes = ps.Resumes + 1
	ru.rec.DataHashes = ps.DataHashes
	ru.rec.Segments = ps.Segments
	// A checkpoint from before data digests were kept does not say what
	// its epochs were trained on: the record then claims no data digest.
	ru.rec.Data = ps.Data
	// A checkpoint from before segments were kept does not say who
	// trained its epochs: the record then keeps no segments at all.
	ru.noSegments = len(ps.Segments) == 0
	ru.r.emit(Event{Kind: EventResumed, Cell: ru.cell, Cells: ru.cells, Epoch: len(ps.Epochs), Epochs: ru.cfg.Epochs})
	return len(ps.Epochs), nil
}

// checkOwnCheckpoint refuses the checkpoint of cell c in dir when it
// holds the progress of another run (checkpointOwner): copied or renamed
// by hand, it is that run's epochs, which resume would discard. Run
// (resume), Plan and so Slurm refuse it so, with this message.
func checkOwnCheckpoint(dir string, c Cell) error {
	path, key := CheckpointPath(dir, c.Key()), c.Key()
	other := checkpointOwner(path)
	if other == "" || other == key {
		return nil
	}
	return fmt.Errorf("suite: checkpoint %s holds the checkpoint of run %s (its key), not of %s (%s): copied or renamed by hand; move it to %s for that run to resume from it, or delete it to train %s from its first epoch",
		path, other, key, c, CheckpointPath(dir, other), c)
}

// checkpointOwner returns the key of the run whose progress the
// checkpoint at path holds, read without a network (so also of a run of
// another model) and without reading its arrays (checkpoint.ReadExtra),
// or "" when the file does not say one (unreadable, cut short, malformed,
// or without a progress state). The checksum is not verified: that takes
// reading the whole file, which Plan does for no checkpoint. A file
// damaged elsewhere than in its progress still names its run, so that
// another run's damaged checkpoint is refused and kept (that run's resume
// discards it) rather than discarded under this cell's name.
func checkpointOwner(path string) string {
	b, ok, err := checkpoint.ReadExtra(path, "progress")
	if err != nil || !ok {
		return ""
	}
	var ps progressState
	if json.Unmarshal(b, &ps) != nil || !isKey(ps.Key) {
		return ""
	}
	return ps.Key
}

// restart rebuilds the model and optimizer after a failed checkpoint load.
func (ru *run) restart() int {
	nr, err := ru.r.newRun(ru.cell, ru.data, ru.cells, ru.done, ru.total)
	if err != nil {
		panic("suite: rebuilding a run that built before: " + err.Error())
	}
	ru.close()
	*ru = *nr
	return 0
}

func (ru *run) saveCheckpoint(epochs int, steps int) error {
	ps := progressState{Key: ru.cfg.Key(), Epochs: ru.rec.Epochs, Started: ru.rec.Started, Resumes: ru.rec.Resumes, InitHash: ru.rec.InitHash, DataHashes: ru.rec.DataHashes,
		Segments: ru.segmentsThrough(epochs), Data: ru.rec.Data}
	b, err := json.Marshal(ps)
	if err != nil {
		// A NaN or an infinity, which JSON cannot hold, in a number of
		// the epochs (training records none: an epoch with one diverges,
		// epochDivergence, and a throughput over no time is refused,
		// imagesPerSec): said by epoch and field, as WriteRecord refuses
		// it.
		for i, e := range ps.Epochs {
			if cerr := checkEpoch(e, i+1); cerr != nil {
				return fmt.Errorf("suite: checkpoint of run %s after epoch %d: %w", ps.Key, epochs, cerr)
			}
		}
		return wrapErr("suite: checkpoint progress", err)
	}
	st := &checkpoint.State{Net: ru.model.Net, Opt: ru.opt, Epoch: int64(epochs), Step: int64(steps), Extra: map[string][]byte{"progress": b}}
	if ru.diag != nil {
		st.Extra[diagStateKey] = ru.diag.marshal()
	}
	return saveState(CheckpointPath(ru.r.Dir, ru.cfg.Key()), st)
}

// weightsRun names the extra of a weights file (a run's final weights, or
// its weights after an epoch) that holds the run's key; the file's Epoch
// is the epochs trained. loadWeights checks both, so that weights copied
// from another run, or an epoch's put in place of the final ones, are
// refused rather than exported or measured as the run's. Files written
// before carry neither, and load unchecked.
const weightsRun = "run"

// saveWeights writes the weights of run key after epoch (its final
// weights when epoch is the last it trained).
func saveWeights(path, key string, epoch int, net nn.Layer) error {
	return saveState(path, &checkpoint.State{Net: net, Epoch: int64(epoch), Extra: map[string][]byte{weightsRun: []byte(key)}})
}

// loadWeights loads into net the weights of run key after epoch from
// path, refusing those of another run or epoch (see weightsRun).
// A file that reads but does not load (truncated, corrupt, of another
// network) is said to be so, with the one way to have the weights again:
// a file that cannot be read says why itself.
func loadWeights(path, key string, epoch int, net nn.Layer) error {
	st := checkpoint.State{Net: net}
	if err := checkpoint.Load(path, &st); err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return err
		}
		return fmt.Errorf("%w: %s is damaged or not run %s's weights after epoch %d; only training the run again makes them anew: run its sweep again in a new --out", err, path, key, epoch)
	}
	if k, ok := st.Extra[weightsRun]; ok && (string(k) != key || st.Epoch != int64(epoch)) {
		return fmt.Errorf("%s holds the weights of run %s after epoch %d, not of run %s after epoch %d: copied or renamed by hand", path, k, st.Epoch, key, epoch)
	}
	return nil
}

// saveState writes a checkpoint (a run's epoch checkpoint or its final
// weights) atomically, with the mode of every file of a runs directory
// (filePerm).
func saveState(path string, st *checkpoint.State) error {
	data, err := checkpoint.Marshal(st)
	if err != nil {
		return wrapErr("suite", err)
	}
	if err := atomicfile.WriteFileUmask(path, data, filePerm); err != nil {
		return wrapErr("suite", err)
	}
	return nil
}

// segmentsThrough returns the run's training segments with this
// process's ending at epoch last (1-based): the record's so far (those of
// the processes before it) and this one's, from the epoch it started at.
func (ru *run) segmentsThrough(last int) []Segment {
	if ru.noSegments {
		return nil
	}
	return append(ru.rec.Segments[:len(ru.rec.Segments):len(ru.rec.Segments)], Segment{FirstEpoch: ru.firstEpoch, LastEpoch: last, Machine: ThisMachine()})
}

// CheckpointPath returns where the checkpoint of the run with that key
// lives.
func CheckpointPath(dir, key string) string { return runFile("CheckpointPath", dir, key, ".ckpt") }

// WeightsPath returns where the final weights of the finished run with that
// key live: a checkpoint of the network alone (no optimizer state), which
// gradbench export packs into a binary model file. A diverged run has
// none (see saveFinalWeights).
func WeightsPath(dir, key string) string { return runFile("WeightsPath", dir, key, ".weights") }

// saveFinalWeights writes the final weights net of run key, whose record
// is rec, before the record is written: a record with status ok always has
// them. A diverged run keeps none. Its network is the one the non-finite
// loss or epoch number came from, trained into the epoch it diverged in
// (its weights perhaps NaN): not the network after its last finished epoch, which a
// weights file labelled with the epochs it recorded would claim to hold.
// A file left at their path (a build before this one wrote one for
// diverged runs too) is removed, so that none says otherwise. The weights
// after its finished epochs are those KeepEpochs keeps (EpochWeightsPath).
func saveFinalWeights(dir, key string, rec *Record, net nn.Layer) error {
	path := WeightsPath(dir, key)
	if rec.Status == StatusDiverged {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return wrapErr("suite", err)
		}
		return nil
	}
	return saveWeights(path, key, len(rec.Epochs), net)
}

// removeEarlierWeights removes the weights files of cell c that an
// earlier attempt of the run left and the run, about to train from epoch
// start, does not continue: its final weights <key>.weights, and its
// weights after any epoch past start (all of them when it starts from
// scratch, its checkpoint missing or discarded). They carry the run's key
// and epoch, all that loadWeights checks, so that export and fidelity
// would take another trajectory's network (a build whose initial weights
// differed, an attempt on other kernels) for this run's. The weights after
// epochs 1..start belong to the trajectory the run resumes.
func (r *Runner) removeEarlierWeights(c Cell, start int) error {
	key := c.Key()
	paths := []string{WeightsPath(r.Dir, key)}
	// Listed, not globbed: the directory's name may hold a glob's
	// metacharacters.
	ents, err := os.ReadDir(r.Dir)
	if err != nil {
		return wrapErr("suite", err)
	}
	for _, ent := range ents {
		if m := epochWeightsRE.FindStringSubmatch(ent.Name()); m != nil && m[1] == key {
			if e, err := strconv.Atoi(m[2]); err != nil || e > start {
				paths = append(paths, filepath.Join(r.Dir, ent.Name()))
			}
		}
	}
	// Nothing is removed unless all can be: a directory or a loop of
	// links under a weights file's name is the user's, not an earlier
	// attempt's, and is refused by name as checkRunFiles refuses it
	// (which, without --keep-epochs, looks at no epoch's name).
	for _, p := range paths {
		if err := checkRunFile(p); err != nil {
			return err
		}
	}
	var removed []string
	for _, p := range paths {
		err := os.Remove(p)
		switch {
		case err == nil:
			removed = append(removed, filepath.Base(p))
		case !errors.Is(err, fs.ErrNotExist):
			return wrapErr("suite", err)
		}
	}
	if len(removed) > 0 {
		from := "trains from scratch"
		if start > 0 {
			from = "resumes after " + epochsText(start)
		}
		r.emit(Event{Kind: EventNote, Cell: c, Note: fmt.Sprintf("%s: removing the weights an earlier attempt left, which this run, as it %s, would not write: %s", c, from, strings.Join(removed, ", "))})
	}
	return nil
}

// removeDoneCheckpoint removes the checkpoint of cell c, which has a
// record: a process killed between writing the record and removing the
// checkpoint leaves it, and nothing reads it again (a finished run is
// never trained again), so that it would stay for good, as large as the
// network and its optimizer's state. While a live process holds the
// cell's lock (lc tunes when a lock is stale), the checkpoint is left to
// it: it has just written the record, and removes the checkpoint next.
// A checkpoint that holds another run's progress (copied or renamed by
// hand, checkOwnCheckpoint) is that run's epochs: it is kept, with a
// note saying whose it is, as resume and Plan refuse to discard it.
func (r *Runner) removeDoneCheckpoint(c Cell, lc LockConfig) {
	path := CheckpointPath(r.Dir, c.Key())
	if _, err := os.Stat(path); err != nil {
		return
	}
	if other := checkpointOwner(path); other != "" && other != c.Key() {
		r.emit(Event{Kind: EventNote, Cell: c, Note: fmt.Sprintf("%s: finished; %s, under its name, holds the checkpoint of run %s (copied or renamed by hand) and is kept: move it to %s for that run to resume from it",
			c, path, other, CheckpointPath(r.Dir, other))})
		return
	}
	if l, err := ReadLock(r.Dir, c.Key()); err == nil && !l.Stale(lc, time.Now()) {
		return
	}
	if os.Remove(path) == nil {
		r.emit(Event{Kind: EventNote, Cell: c, Note: fmt.Sprintf("%s: removed the epoch checkpoint its finished run left (the process that recorded it was stopped before it could)", c)})
	}
}
