package suite

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// RunCellLocked runs one cell as a task of a batch system does, in a runs
// directory other processes (on other hosts) may share:
//
//   - a cell with a record returns it at once (EventCached), before any
//     data is loaded;
//   - otherwise it takes the cell's lock (see LockPath). While another live
//     process holds it, it waits (EventNote once per holder) and then
//     returns the record that process wrote, or takes the lock over if the
//     holder ended without one or is gone (a stale lock);
//   - holding the lock, it trains the cell with RunCell, resuming from the
//     cell's checkpoint if there is one, and releases the lock.
func (r *Runner) RunCellLocked(ctx context.Context, c Cell, lc LockConfig) (*Record, error) {
	if err := r.checkCellDir(ctx, c); err != nil {
		return nil, err
	}
	cached := func(rec *Record) { r.emit(Event{Kind: EventCached, Cell: c, Cells: 1, Record: rec}) }
	rec, err := ReadRecord(r.Dir, c.Key())
	if err == nil {
		cached(rec)
		return rec, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err := r.prepareCell(ctx, c); err != nil {
		return nil, err
	}
	rec, _, err = r.runLocked(ctx, c, lc, true, func() (*Record, error) { return r.RunCell(ctx, c) }, cached)
	return rec, err
}

// runLocked trains cell c with train under the cell's lock, unless it
// has a record (then cached receives it). When another live process holds
// the lock it waits for that process's record, or takes the lock over if
// the holder ends without one (wait); or, without wait, reports the cell
// busy and returns at once. With KeepEpochs, a live holder that trains
// without them is refused at once, in either mode (checkKeepEpochs).
func (r *Runner) runLocked(ctx context.Context, c Cell, lc LockConfig, wait bool, train func() (*Record, error), cached func(*Record)) (rec *Record, busy bool, err error) {
	lc = lc.withDefaults()
	key := c.Key()
	var waitingFor string
	for {
		rec, err := ReadRecord(r.Dir, key)
		if err == nil {
			// Another process may have finished the cell since the
			// runner checked.
			if err := r.checkKeepEpochs(ctx, []Cell{c}); err != nil {
				return nil, false, err
			}
			cached(rec)
			return rec, false, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, false, err
		}
		l, holder, err := tryLock(r.Dir, key, lc, r.KeepEpochs)
		if err != nil {
			return nil, false, err
		}
		if l == nil && r.KeepEpochs && holder.withoutKeepEpochs() {
			// A holder that took the lock since the runner checked: its
			// record would lack the weights KeepEpochs keeps, and waiting
			// for it would only end in that refusal.
			return nil, false, keptEpochsError(r.Dir, []keptEpochsGap{{cell: c, holder: holder}})
		}
		if l != nil {
			// Finished by the previous holder just now?
			if rec, err := ReadRecord(r.Dir, key); err == nil {
				l.release()
				if err := r.checkKeepEpochs(ctx, []Cell{c}); err != nil {
					return nil, false, err
				}
				cached(rec)
				return rec, false, nil
			}
			removeStaleTemps(r.Dir, key)
			rec, err := train()
			if lost := l.release(); lost && err == nil {
				r.emit(Event{Kind: EventNote, Cell: c, Note: fmt.Sprintf("%s: another process took this cell's lock for stale while it trained; both wrote the same record", c)})
			}
			return rec, false, err
		}
		if h := holder.String() + " " + holder.Token; h != waitingFor {
			waitingFor = h
			then := "waiting for its record"
			if !wait {
				then = "coming back to it after the other cells"
			}
			r.emit(Event{Kind: EventNote, Cell: c, Note: fmt.Sprintf("%s: %s is training it (lock taken %s, last heartbeat %s ago); %s",
				c, holder, holder.Acquired.Local().Format(time.DateTime), time.Since(holder.Heartbeat).Round(time.Second), then)})
		}
		if !wait {
			return nil, true, nil
		}
		select {
		case <-ctx.Done():
			return nil, false, ctx.Err()
		case <-time.After(lc.Poll):
		}
	}
}

// removeStaleTemps removes the temporary files a writer of the cell's
// files (record, weights, epoch weights, checkpoint) left in dir when it
// was killed between creating one and renaming it over its file
// (atomicfile names them ".<file>.<random>.tmp"). The caller holds the
// cell's lock, so their writer is gone; files of other cells stay.
func removeStaleTemps(dir, key string) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if n := e.Name(); strings.HasPrefix(n, "."+key+".") && strings.HasSuffix(n, ".tmp") && !e.IsDir() {
			os.Remove(filepath.Join(dir, n))
		}
	}
}
