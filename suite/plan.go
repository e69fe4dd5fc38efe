package suite

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gradbench/gradbench/internal/cli"
)

// Cell states in a runs directory, as Sweep.Plan reports them.
const (
	CellDone      = "done"      // recorded with status ok
	CellDiverged  = "diverged"  // recorded with status diverged: finished, never retried
	CellRunning   = "running"   // no record; a live process holds the cell's lock
	CellResumable = "resumable" // no record; a checkpoint to resume from
	CellPending   = "pending"   // no record, no checkpoint
)

// A CellState is a cell of a sweep and how far it is in a runs directory.
type CellState struct {
	Cell
	Key   string
	State string // CellDone, CellDiverged, CellRunning, CellResumable or CellPending
	// Record is the finished run (CellDone, CellDiverged).
	Record *Record
	// Lock is the live holder of a running cell.
	Lock *LockInfo
}

// Finished reports whether the cell has a record (status ok or diverged).
func (s *CellState) Finished() bool { return s.Record != nil }

// Plan returns the state of every cell of the sweep in the runs directory
// dir, in cell order. A directory that does not exist yet holds no record:
// every cell is pending. Plan reads records, checkpoints and locks, and
// writes nothing. A cell gradbench run would refuse before it trains, for
// what stands at the name of its record, its lock, its checkpoint or its
// final weights, or for a checkpoint that holds another run's progress,
// is refused with run's error. Of a checkpoint Plan reads the progress
// alone, not the network's arrays nor the checksum over them: one whose
// progress it cannot read (cut short, malformed), or the cell's own
// damaged, is listed as resumable; run discards it and trains the cell
// from its first epoch.
func (s *Sweep) Plan(dir string) ([]CellState, error) {
	if err := checkRunsDir(dir); err != nil {
		return nil, err
	}
	return s.plan(dir, LockConfig{}, time.Now())
}

func (s *Sweep) plan(dir string, lc LockConfig, now time.Time) ([]CellState, error) {
	cells := s.Cells()
	out := make([]CellState, len(cells))
	for i, c := range cells {
		st := CellState{Cell: c, Key: c.Key(), State: CellPending}
		rec, err := ReadRecord(dir, st.Key)
		switch {
		case err == nil:
			st.Record = rec
			st.State = CellDone
			if rec.Status == StatusDiverged {
				st.State = CellDiverged
			}
		case !errors.Is(err, fs.ErrNotExist):
			return nil, err
		default:
			// What run refuses of a cell it would take the lock of and
			// train, plan refuses with run's message, by run's checks
			// (tryLock's of what stands at the lock's name when it
			// cannot be read, runCell's of the names the run writes):
			// it would otherwise list the cell as pending or
			// resumable.
			l, err := ReadLock(dir, st.Key)
			if err != nil {
				if err := checkLockPath(LockPath(dir, st.Key), st.Key); err != nil {
					return nil, err
				}
			}
			if err == nil && !l.Stale(lc, now) {
				st.State, st.Lock = CellRunning, l
				break
			}
			if err := checkRunFiles(dir, st.Key, false, 0); err != nil {
				return nil, err
			}
			if _, err := os.Stat(CheckpointPath(dir, st.Key)); err == nil {
				// Another run's, which run refuses (resume): plan
				// reads its progress alone, not its arrays.
				if err := checkOwnCheckpoint(dir, c); err != nil {
					return nil, err
				}
				st.State = CellResumable
			}
		}
		out[i] = st
	}
	return out, nil
}

// CellAt returns cell i of the sweep (see Cells), or an error saying which
// indices exist.
func (s *Sweep) CellAt(i int) (Cell, error) {
	return s.cellAt(i, strconv.Itoa(i))
}

// cellAt is CellAt for an index typed as typed ("04"), which its error
// quotes.
func (s *Sweep) cellAt(i int, typed string) (Cell, error) {
	cells := s.Cells()
	if i < 0 || i >= len(cells) {
		if len(cells) == 1 {
			// Not "1 cells (0..0)".
			return Cell{}, fmt.Errorf("suite: no cell %s: the sweep has one cell, 0", typed)
		}
		return Cell{}, fmt.Errorf("suite: no cell %s: the sweep has %d cells (0..%d)", typed, len(cells), len(cells)-1)
	}
	return cells[i], nil
}

// FindCell returns the cell named by ref: its index in Cells ("3") or its
// key (16 hex digits, as gradbench plan lists them). A key names a run
// whatever the order of the sweep's flags; an index is shorter to type.
func (s *Sweep) FindCell(ref string) (Cell, error) {
	if isKey(ref) {
		for _, c := range s.Cells() {
			if c.Key() == ref {
				return c, nil
			}
		}
		return Cell{}, fmt.Errorf("suite: no cell of the sweep has key %s: the sweep's flags, its recipe file or the gradbench version differ from those it was planned with (gradbench plan lists the keys)", ref)
	}
	if low := strings.ToLower(ref); low != ref && isKey(low) {
		return Cell{}, fmt.Errorf("suite: bad cell %q: a key is 16 lowercase hex digits, as gradbench plan lists them: %s", ref, low)
	}
	i, ok := cli.Digits(ref)
	if !ok {
		index := fmt.Sprintf("an index 0..%d", len(s.Seeds)*len(s.Specs)-1)
		if len(s.Seeds)*len(s.Specs) == 1 {
			index = "the index 0" // not "0..0"
		}
		return Cell{}, fmt.Errorf("suite: bad cell %q: want %s or a 16-digit key", ref, index)
	}
	return s.cellAt(i, ref)
}
