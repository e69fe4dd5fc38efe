package suite

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/gradbench/gradbench/data"
)

// Which data a run was trained on, and the refusals of records trained on
// other data than each other or than the files read now.

// A DataDigest names the data of a run: the digest (data.Dataset.Digest,
// "sha256:" and the SHA-256 of its shape, pixels and labels) of its
// training split and of its test split, whole, as they were loaded. The
// images a run draws from them (its training subset, the validation split
// it holds out, its test subset) follow from those and from the run's
// configuration, which its key covers.
type DataDigest struct {
	Train string `json:"train"`
	Test  string `json:"test"`
}

// checkSameData refuses records of one dataset that were trained on
// other data than each other: their data digests disagree. A table pairs
// them seed by seed as runs on the same images, which they are not (the
// data files differed between the machines or the times they ran), and
// gradbench table, which loads no data, would not see it otherwise.
// Records without a digest (written before gradbench kept them) cannot
// be checked and are tabulated with the others, as gradbench run reuses
// them unchecked (refusing them would refuse the table of every sweep
// begun before digests and finished after); where a workload has records
// with a digest and records without, its table says so (writeUndigested).
// Every consumer that compares records across cells calls it: the tables
// (and the learning-rate choice they make), the curves and the benchmark
// lines.
func checkSameData(rs []*Record) error {
	first := map[string]*Record{} // a dataset's first record with a digest
	for _, r := range rs {
		if r.Data == nil {
			continue
		}
		f, ok := first[r.Config.Dataset]
		if !ok {
			first[r.Config.Dataset] = r
			continue
		}
		if *f.Data != *r.Data {
			return fmt.Errorf("suite: records %s (%s seed %d) and %s (%s seed %d) of %s were trained on different data: %s; they cannot be compared as runs on the same images: keep the records of one copy of the data together (move the others to a runs directory of their own, or delete them to train them again on the data read now)",
				f.Key, f.Config.Estimator, f.Config.Seed, r.Key, r.Config.Estimator, r.Config.Seed, r.Config.Dataset, f.Data.diff(r.Data, " against "))
		}
	}
	return nil
}

// writeUndigested writes a note for one workload's records wl when some
// of them carry a data digest and others none: those without could not be
// checked against the others' data (checkSameData), which the table would
// otherwise pass over in silence. When none carries one (every record
// written before gradbench kept them) the table says nothing, as before.
func writeUndigested(w io.Writer, wl []*Record) {
	opts := map[string]bool{}
	for _, r := range wl {
		opts[r.Config.Optimizer] = true
	}
	// One entry per estimator (optimizer where the records have several,
	// learning-rate multiplier where a grid ran) with its seeds: a study's
	// grid runs every estimator on the same seeds at several rates, and
	// "ste seed 1" four times over could not be told apart.
	var labels []string
	seeds := map[string][]uint64{}
	n := 0
	for _, r := range wl {
		if r.Data != nil {
			continue
		}
		n++
		l := r.Config.Estimator
		if len(opts) > 1 {
			l += " " + r.Config.Optimizer
		}
		if r.Config.LRScale != 0 {
			l += " lr ×" + strconv.FormatFloat(r.Config.LRScale, 'g', -1, 64)
		}
		if _, ok := seeds[l]; !ok {
			labels = append(labels, l)
		}
		seeds[l] = append(seeds[l], r.Config.Seed)
	}
	if n == 0 || n == len(wl) {
		return
	}
	without := make([]string, len(labels))
	for i, l := range labels {
		ss := slices.Clone(seeds[l])
		slices.Sort(ss)
		word := "seeds "
		if ss = slices.Compact(ss); len(ss) == 1 {
			word = "seed "
		}
		without[i] = l + " " + word + fmtSeeds(ss)
	}
	fmt.Fprintf(w, "Note: %d of these %d records carry no data digest (written before gradbench kept them), so whether they were trained on the same data as the others could not be checked: %s. Delete them and run the sweep again to have them trained on the data read now.\n\n",
		n, len(wl), escapeMarkdown(strings.Join(without, "; ")))
}

// digestOf returns the digests of a pair of splits.
func digestOf(train, test *data.Dataset) *DataDigest {
	return &DataDigest{Train: train.Digest(), Test: test.Digest()}
}

// differs says which of d's splits differ from want's, such as "training
// split (sha256:... where the files read now give sha256:...)", or ""
// when none does.
func (d *DataDigest) differs(want *DataDigest) string {
	return d.diff(want, " where the files read now give ")
}

// diff says which of d's splits differ from o's, each as its name, d's
// digest, sep and o's digest ("training split sha256:...<sep>sha256:..."),
// joined by ", and ".
func (d *DataDigest) diff(o *DataDigest, sep string) string {
	var out []string
	for _, s := range []struct{ name, had, now string }{{"training", d.Train, o.Train}, {"test", d.Test, o.Test}} {
		if s.had != s.now {
			out = append(out, s.name+" split "+s.had+sep+s.now)
		}
	}
	return strings.Join(out, ", and ")
}

// trainDiffers is differs for a reader of the training split alone
// (gradbench fidelity): it says whether d's training split differs from
// the one whose digest is train, as differs words it, and never compares
// the test split, which such a reader does not read.
func (d *DataDigest) trainDiffers(train string) string {
	return (&DataDigest{Train: d.Train}).differs(&DataDigest{Train: train})
}

// checkRecordData refuses rec, the record of cell c found in the runs
// directory dir, when it was trained on other data than the splits the cell
// loads now: other files in place of the ones it read (the training and
// test files swapped, a pixel changed, files cut down for a trial and
// then the real ones), which its key, made of the configuration alone,
// does not tell apart. A record without data digests (written before
// gradbench kept them) is reused unchecked, as it was, without loading
// the data.
func (r *Runner) checkRecordData(ctx context.Context, dir string, c Cell, rec *Record) error {
	if rec.Data == nil {
		return nil
	}
	p, err := r.load(ctx, c.Workload)
	if err != nil {
		return err
	}
	if d := rec.Data.differs(p.digest()); d != "" {
		return fmt.Errorf("suite: record %s of %s was trained on other data than the %s files read now: its %s; delete it to retrain the run on these files, or give the files it was trained on",
			RecordPath(dir, rec.Key), c, c.Workload.Recipe.Dataset, d)
	}
	return nil
}

// checkRecordsData refuses the first of cells whose record the runs
// directory dir holds and that was trained on other data than the splits
// loaded now (checkRecordData). Records without data digests, and those
// that do not read (reported when the cell is run), are left as they are.
func (r *Runner) checkRecordsData(ctx context.Context, dir string, cells []Cell) error {
	for _, c := range cells {
		if rec, err := ReadRecord(dir, c.Key()); err == nil {
			if err := r.checkRecordData(ctx, dir, c, rec); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkDirData refuses a runs directory dir that holds a record of w's
// dataset trained on other data than the splits loaded now, of any cell,
// this sweep's or another's: the sweep ends by writing every record of dir
// as benchmark lines (WriteSweepOutputs), which refuses records of one
// dataset and other data (checkSameData), so without this check the
// sweep would be refused only once trained. A record that does not read
// is refused here too, for the same reason.
func (r *Runner) checkDirData(ctx context.Context, dir string, w *Workload) error {
	recs, err := ReadRecords(dir)
	if err != nil {
		return err
	}
	for _, rec := range recs {
		if rec.Data == nil || rec.Config.Dataset != w.Recipe.Dataset {
			continue
		}
		p, err := r.load(ctx, w)
		if err != nil {
			return err
		}
		if d := rec.Data.differs(p.digest()); d != "" {
			return fmt.Errorf("suite: %s holds record %s (%s seed %d) of %s, trained on other data than the files read now: its %s; this sweep's bench.txt would set it beside the new runs as runs on the same images: delete or move it, or give --out a directory of its own",
				dir, rec.Key, rec.Config.Estimator, rec.Config.Seed, w.Recipe.Dataset, d)
		}
	}
	return nil
}

// CheckData refuses, as Run does before it estimates or trains anything,
// a sweep whose runs directory r.Dir holds a record trained on other data
// than the splits loaded now: one of the sweep's cells (checkRecordsData),
// or any record of its dataset (checkDirData). It loads the sweep's data
// only when r.Dir holds a record of its dataset with data digests, and
// writes nothing: gradbench plan --check-data checks with it what plan,
// which loads no data, would otherwise list as done, and Slurm refuses
// with it what the array's table job would refuse once trained. A runs
// directory that does not exist yet holds no record.
func (r *Runner) CheckData(ctx context.Context, s *Sweep) error {
	if err := checkRunsDir(r.Dir); err != nil {
		return err
	}
	return r.checkData(ctx, r.Dir, s)
}

// checkData is CheckData for the runs directory dir (gradbench slurm's
// --out, which is not the runner's Dir).
func (r *Runner) checkData(ctx context.Context, dir string, s *Sweep) error {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err := r.checkRecordsData(ctx, dir, s.Cells()); err != nil {
		return err
	}
	return r.checkDirData(ctx, dir, &s.Workload)
}
