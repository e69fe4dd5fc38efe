package suite

import (
	"cmp"
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
// of says what the records are (recordsOf): "" for those of the table
// below.
func writeUndigested(w io.Writer, wl []*Record, of string) {
	n := 0
	opts := map[string]bool{}
	bySeed := map[uint64][2]int{} // per seed: records without a digest, records
	for _, r := range wl {
		opts[r.Config.Optimizer] = true
		c := bySeed[r.Config.Seed]
		if r.Data == nil {
			n++
			c[0]++
		}
		c[1]++
		bySeed[r.Config.Seed] = c
	}
	if n == 0 || n == len(wl) {
		return
	}
	// Records written before digests were kept are often whole seeds of a
	// study (every record of seeds 1 to 6, its later seeds with digests):
	// then the seeds say it in a few words. Otherwise one entry per
	// estimator (optimizer where the records have several, learning-rate
	// multiplier where a grid ran) with its seeds.
	var whole []uint64
	for s, c := range bySeed {
		if c[0] > 0 && c[0] < c[1] {
			whole = nil
			break
		}
		if c[0] > 0 {
			whole = append(whole, s)
		}
	}
	var which string
	if whole != nil {
		slices.Sort(whole)
		which = "every record of " + seedsWord(len(whole)) + seedList(whole)
	} else {
		type entry struct {
			est, opt string
			lr       float64
			seeds    []uint64
		}
		var es []*entry
		for _, r := range wl {
			if r.Data != nil {
				continue
			}
			c := r.Config
			i := slices.IndexFunc(es, func(e *entry) bool { return e.est == c.Estimator && e.opt == c.Optimizer && e.lr == c.LRScale })
			if i < 0 {
				i = len(es)
				es = append(es, &entry{est: c.Estimator, opt: c.Optimizer, lr: c.LRScale})
			}
			es[i].seeds = append(es[i].seeds, c.Seed)
		}
		slices.SortStableFunc(es, func(a, b *entry) int {
			return cmp.Or(strings.Compare(a.est, b.est), strings.Compare(a.opt, b.opt), cmp.Compare(a.lr, b.lr))
		})
		parts := make([]string, len(es))
		for i, e := range es {
			l := e.est
			if len(opts) > 1 {
				l += " " + e.opt
			}
			if e.lr != 0 {
				l += " lr ×" + strconv.FormatFloat(e.lr, 'g', -1, 64)
			}
			ss := slices.Clone(e.seeds)
			slices.Sort(ss)
			ss = slices.Compact(ss)
			parts[i] = l + " " + seedsWord(len(ss)) + seedList(ss)
		}
		which = strings.Join(parts, "; ")
	}
	// One record is spoken of as one: "1 of these 8 records carries".
	carry, were, their, them, digests := "carry", "they were", "their", "them", "digests"
	if n == 1 {
		carry, were, their, them, digests = "carries", "it was", "its", "it", "a digest"
	}
	fmt.Fprintf(w, "Note: %d of %s %s no data digest (written before gradbench kept them), so whether %s trained on the same data as the others could not be checked: %s. Running %s sweep again after removing %s (results/study.sh for the standard study) would train %s anew, with %s, on the data it reads.\n\n",
		n, recordsOf(len(wl), of), carry, were, escapeMarkdown(which), their, them, them, digests)
}

// choiceRecords is the of of writeUndigested and writeMachineTypes for
// all the records of a learning-rate grid, which its choice reads (it
// picks the seeds that ran every multiplier), when the table below it is
// of other records (some seeds' runs at the chosen rates, --seeds).
const choiceRecords = "of the whole sweep, which the learning-rate choice below reads,"

// recordsOf names n records for a note: "these n records" (those of the
// table below; "this record" if one), or, with of, "the n records <of>".
func recordsOf(n int, of string) string {
	switch {
	case of != "":
		return "the " + countRecords(n) + " " + of
	case n == 1:
		return "this record"
	}
	return fmt.Sprintf("these %d records", n)
}

// writeRecordNotes writes the notes on records rs, those a table below
// is computed from (of as for writeUndigested): on those without a data
// digest, then on machine types.
func writeRecordNotes(w io.Writer, rs []*Record, of string) {
	writeUndigested(w, rs, of)
	writeMachineTypes(w, rs, of)
}

// seedsWord is "seed " before one seed, "seeds " before more.
func seedsWord(n int) string {
	if n == 1 {
		return "seed "
	}
	return "seeds "
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
// writes nothing: CheckSweep (gradbench plan --check-data) checks with it
// what plan, which loads no data, would otherwise list as done, and Slurm refuses
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
