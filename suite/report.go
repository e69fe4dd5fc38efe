package suite

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/gradbench/gradbench/estimators"
)

// The files a sweep leaves in its runs directory besides the records.
const (
	TableFile  = "table.md"   // the tables of every record of the directory (DirRecords)
	CurvesFile = "curves.svg" // their training curves
	BenchFile  = "bench.txt"  // every record of the directory as benchmark lines
)

// SweepTables returns the tables of a finished sweep: the main table and
// the tables of its ablation, if it has one (AblationPaper: the FDA
// paper's ablation tables; AblationSides: the sides table). order is as
// for WriteTable.
func SweepTables(recs []*Record, order []string, ablation string) ([]byte, error) {
	return SweepTablesNotRun(recs, order, ablation, nil, nil, "")
}

// SweepTablesNotRun is SweepTables of a sweep some of whose cells have
// no record (gradbench run --no-train): each spec of notRun, of order,
// that a workload of the sweep's own records, own, of recs, has no
// record of is shown there as not run (a row of the main table, a line
// after a table without rows for them). A workload of
// recs that holds none of own is another sweep's, run into the same
// directory: it is tabulated as run of that sweep tabulates it, without
// rows for estimators it never asked for, even where it has records of
// some spec of order (ste, the baseline of most sweeps). runs is the
// directory of recs, which a note's gradbench table command names (""
// when there is none: then it names no --runs).
func SweepTablesNotRun(recs []*Record, order []string, ablation string, notRun []string, own []*Record, runs string) ([]byte, error) {
	in := map[string]bool{}
	for _, r := range own {
		in[r.Key] = true
	}
	var b bytes.Buffer
	if err := writeTableOf(&b, TableMain, recs, order, notRun, in, nil, runs); err != nil {
		return nil, err
	}
	if ablation != "" {
		b.WriteString("\n")
		if err := writeTableOf(&b, ablation, recs, order, notRun, in, nil, runs); err != nil {
			return nil, err
		}
	}
	return b.Bytes(), nil
}

// Records returns the records in dir of the sweep's cells, in the
// sweep's order and labelled with its recipe's name, as Runner.Run
// returns them once every cell has one, and the cells without a record.
// It trains and loads nothing: gradbench run --no-train makes the
// sweep's files of them, after its cells were trained elsewhere.
func (s *Sweep) Records(dir string) (recs []*Record, unrecorded []Cell, err error) {
	for _, c := range s.Cells() {
		rec, err := ReadRecord(dir, c.Key())
		if errors.Is(err, fs.ErrNotExist) {
			unrecorded = append(unrecorded, c)
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		recs = append(recs, sweepLabel(rec, c.Workload.Recipe.Name))
	}
	return recs, unrecorded, nil
}

// WriteSweepOutputs writes tables, the tables of recs (SweepTables), and
// the training curves of recs, which gradbench run makes DirRecords (its
// sweep's records and every other of dir), and every record of dir as
// benchmark lines, into dir: TableFile, CurvesFile (one file per
// workload when recs have several, named after the workload, as
// OutputFiles lists them) and BenchFile, all or none of them (see
// outputBatch). Once they are written it removes the curves files of
// dir's workloads named as for another set of workloads (CurvesFile when
// there are several now, a workload's own when there is one: see
// staleCurves), which would read as current beside them. It returns the
// paths written and those removed.
func WriteSweepOutputs(dir string, tables []byte, recs []*Record, order []string) (written, removed []string, err error) {
	// Its errors name the command's layer, as table's and fidelity's
	// writes do ("suite: run: writing out/table.md: ..."), not the file alone.
	var batch outputBatch
	defer batch.abort()
	table := filepath.Join(dir, TableFile)
	if err := batch.add(table, tables); err != nil {
		return nil, nil, wrapErr("suite: run", err)
	}
	curves, err := addCurves(&batch, filepath.Join(dir, CurvesFile), recs, order)
	if err != nil {
		return nil, nil, wrapErr("suite: run", err)
	}
	all, err := ReadRecords(dir)
	if err != nil {
		return nil, nil, wrapErr("suite: run", err)
	}
	var bench bytes.Buffer
	if err := WriteBench(&bench, all); err != nil {
		return nil, nil, wrapErr("suite: run", err)
	}
	benchPath := filepath.Join(dir, BenchFile)
	if err := batch.add(benchPath, bench.Bytes()); err != nil {
		return nil, nil, wrapErr("suite: run", err)
	}
	if err := batch.commit(); err != nil {
		return nil, nil, wrapErr("suite: run", err)
	}
	written = []string{table}
	for _, c := range curves {
		written = append(written, c.Path)
	}
	return append(written, benchPath), batch.removed(), nil
}

// DirRecords returns what gradbench run makes its files in dir of
// after a sweep (WriteSweepOutputs: the table, the curves, the benchmark
// lines): recs, the sweep's records, followed by every other record of
// dir, and how many those others are. The runs directory is shared by
// the sweeps run into it (results/runs, the default --out, by all that
// are not given their own), and its files cover every record of it, as
// the benchmark lines did already: a second sweep into the same
// directory adds its rows to the first's table instead of replacing it.
// The sweep's records stand for those of their keys in dir, keeping the
// labels the sweep gave them (its recipe's name). With no other record
// in dir, all is recs itself, and the files are the sweep's alone.
func DirRecords(dir string, recs []*Record) (all []*Record, others int, err error) {
	rs, err := ReadRecords(dir)
	if err != nil {
		return nil, 0, wrapErr("suite: run", err)
	}
	all = withOthers(recs, rs)
	return all, len(all) - len(recs), nil
}

// withOthers returns own followed by the records of dir whose keys are
// not own's; own itself when there are none.
func withOthers(own, dir []*Record) []*Record {
	keys := map[string]bool{}
	for _, r := range own {
		keys[r.Key] = true
	}
	all := own
	for _, r := range dir {
		if !keys[r.Key] {
			all = append(slices.Clip(all), r)
		}
	}
	return all
}

// OutputFiles returns the files gradbench run writes into dir, its runs
// directory, after the sweep, named relative to it: TableFile, the curves
// (CurvesFile, or one file per workload named after it, such as
// curves-quick-resnet20-w0.5-fashion-mnist-2ep.svg, when the sweep and
// the records already in dir have several workloads: DirRecords) and
// BenchFile, for CheckOutputDir before the sweep trains. A record of dir
// that cannot be read is an error, which writing the files after the
// sweep would otherwise be; a dir that does not exist, or is no
// directory, has no records (CheckOutputDir says what is wrong with it).
func (s *Sweep) OutputFiles(dir string) ([]string, error) {
	var own []*Record
	for _, c := range s.Cells() {
		own = append(own, &Record{Key: c.Key(), Recipe: c.Workload.Recipe.Name, Config: c.Config()})
	}
	rs := own
	if st, err := os.Stat(dir); err == nil && st.IsDir() {
		recs, err := ReadRecords(dir)
		if err != nil {
			return nil, err
		}
		rs = withOthers(own, recs)
	}
	return append(append([]string{TableFile}, curvesPaths(CurvesFile, byWorkload(rs))...), BenchFile), nil
}

// TableOptions say what Tabulate builds.
type TableOptions struct {
	// Runs is the directory of records; Table a table name (TableNames).
	Runs, Table string
	// Estimators, when set, keeps only the records of these
	// comma-separated specs, in this order.
	Estimators string
	// First, when set, lists the records of these comma-separated specs
	// first, in this order, and keeps every other record, as gradbench
	// run orders the files it writes (the sweep's estimators first):
	// rows of other estimators follow, ste first, then by name. Each must
	// have records, as with Estimators (see ShowMissing); not with
	// Estimators, nor with a table of fixed rows.
	First string
	// Curves, when set, is the SVG file to draw the training curves to
	// (one file per workload named after it when there are several, as
	// OutputFiles names them); Bench, when set, the file to write every
	// record to as benchmark lines. Neither may be a file of a runs
	// directory, nor the other (see CheckOutputs).
	Curves, Bench string
	// Diagnostics asks for the training diagnostics table
	// (TableDiagnostics); Table must then be "" or that table.
	Diagnostics bool
	// ShowMissing shows an estimator of Estimators that has no records as
	// not run (a row of the main and sides tables, a line after the
	// others) instead of refusing the table; at least one of them must
	// have records. With First, it shows so an estimator of First that
	// has no records in any workload, in the tables of the workloads
	// with records of some of First: a workload of another sweep, of
	// other estimators, or that lacks estimators another has, is
	// tabulated as it is (SweepTablesNotRun shows the estimators of a
	// sweep without records so).
	ShowMissing bool
	// Seeds, when not nil, keeps only the runs of these seeds (as
	// ParseSeeds returns them) in the table's rows and comparisons, which
	// then pair seeds among these alone; under each workload's heading a
	// line says which seeds the table covers. On a learning-rate grid the
	// rate of every estimator is still chosen on every seed that ran the
	// grid, as without Seeds, since those are the rates compared; the lr
	// table, which is that choice alone, chooses on these seeds' runs
	// instead. At least one of them must have a record; the curves and
	// the benchmark lines (Curves, Bench) are not filtered and refuse it.
	Seeds []uint64
	// SeedsTyped is --seeds as typed, which messages quote; empty, they
	// write Seeds.
	SeedsTyped string
}

// seedsText returns --seeds as typed, or Seeds written out when it was
// not given as text.
func (o TableOptions) seedsText() string {
	if o.SeedsTyped != "" {
		return o.SeedsTyped
	}
	return fmtSeeds(o.Seeds)
}

// theseSeeds returns "this seed" for one seed and "these seeds" for more.
func theseSeeds(seeds []uint64) string {
	if len(seeds) == 1 {
		return "this seed"
	}
	return "these seeds"
}

// A Tabulation is what Tabulate built: the table and the files it wrote.
type Tabulation struct {
	Table []byte
	// Curves are the SVG files written, one per workload; Removed the
	// curves files of those workloads named as for another set of
	// workloads, which Tabulate removed once they were written (see
	// staleCurves).
	Curves  []WorkloadFile
	Removed []string
	// Bench is the benchmark-lines file written, or "".
	Bench string
	// Missing lists, for each workload whose table lacks some of the
	// estimators TableOptions.Estimators names (they have records of
	// other workloads only), those estimators; and each workload of the
	// runs directory that has records of none of them, and so no table.
	// With TableOptions.ShowMissing it lists the latter only: the tables
	// show the others as not run.
	Missing []WorkloadMissing
	// Unverified lists the records tabulated that carry no checksum:
	// written before gradbench wrote checksums, they were checked for
	// consistency only (see ReadRecord).
	Unverified []string
}

// A WorkloadMissing names the estimators asked for that a workload has
// no records of.
type WorkloadMissing struct {
	Workload   string
	Estimators []string
	// NoTable says that the workload has records of none of them, so
	// the table has no section for it.
	NoTable bool
}

// fixedRows returns the estimators of a table whose rows are fixed (the
// paper's tables), or nil for a table whose rows --estimators selects.
func fixedRows(table string) []string {
	var rows []paperRow
	switch table {
	case TableSineNA:
		rows = sineNARows
	case TableEta:
		rows = etaRows
	case TableNAOthers:
		for _, r := range naOthersRows {
			rows = append(rows, r[0], r[1])
		}
	case TablePaper:
		var specs []string
		for _, s := range PaperSpecs() {
			specs = append(specs, s.String())
		}
		return specs
	default:
		return nil
	}
	var specs []string
	for _, r := range rows {
		specs = append(specs, canon(r.spec))
	}
	return specs
}

// estimatorTables lists the tables whose rows --estimators selects.
func estimatorTables() []string {
	var names []string
	for _, n := range TableNames() {
		if fixedRows(n) == nil {
			names = append(names, n)
		}
	}
	return names
}

// missingSpecs returns the specs of order (canonical) that no record of
// rs ran, in order.
func missingSpecs(order []string, rs []*Record) []string {
	have := map[string]bool{}
	for _, r := range rs {
		have[r.Config.Estimator] = true
	}
	var missing []string
	for _, s := range order {
		if !have[s] {
			missing = append(missing, s)
		}
	}
	return missing
}

// recordSpecs returns the estimators rs ran, each once, sorted.
func recordSpecs(rs []*Record) []string {
	return distinct(rs, func(r *Record) string { return r.Config.Estimator })
}

// distinct returns key of each record of rs, each value once, sorted.
func distinct[T cmp.Ordered](rs []*Record, key func(*Record) T) []T {
	var out []T
	for _, r := range rs {
		if k := key(r); !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// recordSubdirs returns the names, sorted, of the subdirectories of dir
// that hold a file named as a run record (<key>.json): where a --runs
// that holds none may have meant to point.
func recordSubdirs(dir string) []string {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var subs []string
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		files, _ := os.ReadDir(filepath.Join(dir, e.Name()))
		for _, f := range files {
			if key, ok := strings.CutSuffix(f.Name(), ".json"); ok && isKey(key) {
				subs = append(subs, e.Name())
				break
			}
		}
	}
	return subs
}

// andList joins s as "a", "a and b" or "a, b and c".
func andList(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// them is "it" for one estimator and "them" for several.
func them(specs []string) string {
	if len(specs) == 1 {
		return "it"
	}
	return "them"
}

// A WorkloadFile is a file written for one workload.
type WorkloadFile struct {
	Path     string
	Workload string // the workload's label, as table headings give it
}

// Tabulate reads the records in o.Runs and builds the table o.Table from
// them, for every workload found there; it writes the curves and
// benchmark lines o asks for.
func Tabulate(o TableOptions) (*Tabulation, error) {
	if o.Diagnostics {
		if o.Table != "" && o.Table != TableDiagnostics {
			return nil, fmt.Errorf("suite: --diagnostics with --ablation %s: give one of them", o.Table)
		}
		o.Table = TableDiagnostics
	}
	if !slices.Contains(TableNames(), o.Table) {
		return nil, fmt.Errorf("suite: unknown --ablation %q (have %s)", o.Table, strings.Join(TableNames(), ", "))
	}
	if o.Estimators != "" && o.First != "" {
		return nil, fmt.Errorf("suite: --estimators %s with --first %s: --estimators keeps only the estimators it names, --first lists them first and keeps every other; give one of them", o.Estimators, o.First)
	}
	if o.ShowMissing && o.Estimators == "" && o.First == "" {
		// Without --estimators every estimator shown has records: there is
		// nothing to show as not run, and the flag would do nothing.
		return nil, errors.New("suite: --missing show without --estimators or --first: it shows an estimator they name that has no records as not run, and without them every estimator tabulated has records; name the estimators, or drop --missing")
	}
	// The records read are a runs directory's, which the rule keeps
	// every output off.
	if err := CheckOutputs([]NamedFile{{"--curves", o.Curves}, {"--bench", o.Bench}}, nil); err != nil {
		return nil, fmt.Errorf("suite: %w", err)
	}
	if err := CheckFormat("--curves", o.Curves, FormatSVG); err != nil {
		return nil, fmt.Errorf("suite: %w", err)
	}
	if err := CheckFormat("--bench", o.Bench, FormatBench); err != nil {
		return nil, fmt.Errorf("suite: %w", err)
	}
	if o.Seeds != nil && (o.Curves != "" || o.Bench != "") {
		// They would draw and list every seed's runs under a table of
		// some seeds only.
		return nil, fmt.Errorf("suite: --seeds with --curves or --bench: the curves and benchmark lines are of every seed's runs, not of --seeds %s alone; write them without --seeds", o.seedsText())
	}
	recs, err := ReadRecords(o.Runs)
	if err != nil {
		// Said as what --runs should name, not as the bare "open
		// results/runs: no such file or directory" of a fresh clone,
		// whose default --runs no run has made yet.
		if st, serr := os.Stat(o.Runs); errors.Is(serr, fs.ErrNotExist) {
			return nil, fmt.Errorf("suite: --runs %s does not exist: want the directory of run records that gradbench run --out wrote (gradbench run --out %s writes them)", o.Runs, o.Runs)
		} else if serr == nil && !st.IsDir() {
			return nil, fmt.Errorf("suite: --runs %s is a file, not a directory: want the directory of run records that gradbench run --out wrote", o.Runs)
		}
		return nil, err
	}
	if len(recs) == 0 {
		if subs := recordSubdirs(o.Runs); len(subs) > 0 {
			// A directory above runs directories, such as results/study.
			return nil, fmt.Errorf("suite: no run records in %s, but its subdirectories %s hold some: name one of them, such as --runs %s",
				o.Runs, andList(subs), filepath.Join(o.Runs, subs[0]))
		}
		return nil, fmt.Errorf("suite: no run records in %s (gradbench run --out %s writes them)", o.Runs, o.Runs)
	}
	if o.Seeds != nil && len(ofSeeds(recs, o.Seeds)) == 0 {
		return nil, fmt.Errorf("suite: --seeds %s: no run records of %s in %s (it has records of %s)",
			o.seedsText(), theseSeeds(o.Seeds), o.Runs, namedSeeds(recordSeeds(recs)))
	}
	t := &Tabulation{}
	var order, notRun []string
	// --estimators and --first name estimators alike, and are checked
	// alike: only what is done with the others differs.
	name, list, does := "--estimators", o.Estimators, "selects"
	if o.First != "" {
		name, list, does = "--first", o.First, "orders"
	}
	if list != "" {
		if fixed := fixedRows(o.Table); fixed != nil {
			// Its rows are the paper's, whatever --estimators names: it
			// could only drop records and show their rows as not run.
			return nil, fmt.Errorf("suite: %s %s with --ablation %s: that table's rows are fixed (%s), so %s cannot choose them; drop %s (it %s the rows of %s)",
				name, list, o.Table, strings.Join(fixed, ", "), name, name, does, strings.Join(estimatorTables(), ", "))
		}
		specs, err := estimators.ParseList(list)
		if err != nil {
			return nil, err
		}
		if o.Table == TableSides {
			// Each estimator's three rows and ste, as run --ablation
			// sides trains them.
			if specs, err = SidesSpecs(specs); err != nil {
				return nil, err
			}
		}
		keep := map[string]bool{}
		for _, s := range specs {
			order = append(order, s.String())
			keep[s.String()] = true
		}
		var sel []*Record
		for _, r := range recs {
			if keep[r.Config.Estimator] {
				sel = append(sel, r)
			}
		}
		if len(sel) == 0 {
			// Said as when some are missing, with what the directory
			// has; --missing=show cannot help, since no record gives
			// the workload a not-run row would be shown in.
			missing := missingSpecs(order, sel)
			why := ""
			if o.ShowMissing {
				why = ": --missing=show shows unrecorded estimators beside recorded ones, and none of these has a record"
			}
			return nil, fmt.Errorf("suite: %s %s: no run records of %s in %s (it has records of %s); name estimators it has, or run %s first%s",
				name, list, strings.Join(missing, ", "), o.Runs, strings.Join(recordSpecs(recs), ", "), them(missing), why)
		}
		// Every estimator named is tabulated or the table is refused: a
		// row left out without a word reads as if it had been asked for
		// and shown.
		if missing := missingSpecs(order, sel); len(missing) > 0 && !o.ShowMissing {
			return nil, fmt.Errorf("suite: %s %s: no run records of %s in %s (it has records of %s); drop %s or run %s first",
				name, list, strings.Join(missing, ", "), o.Runs, strings.Join(recordSpecs(recs), ", "), them(missing), them(missing))
		}
		if o.Seeds != nil && !o.ShowMissing {
			// An estimator with records of other seeds only would have
			// no row, and its absence would read as not asked for.
			if missing := missingSpecs(order, ofSeeds(sel, o.Seeds)); len(missing) > 0 {
				return nil, fmt.Errorf("suite: %s %s --seeds %s: no run records of %s of %s in %s (%s); drop %s or choose other seeds",
					name, list, o.seedsText(), strings.Join(missing, ", "), theseSeeds(o.Seeds), o.Runs, seedsOfSpecs(sel, missing), them(missing))
			}
		}
		if o.First != "" {
			// Every record is tabulated, so no workload lacks a row but
			// of an estimator it has no records of: not run where no
			// workload has any (of --seeds), a workload of another
			// sweep's estimators left as it is (see writeTableOf).
			if o.ShowMissing {
				in := sel
				if o.Seeds != nil {
					in = ofSeeds(sel, o.Seeds)
				}
				notRun = missingSpecs(order, in)
			}
		} else {
			// Every workload of the directory, also one with records of
			// none of them (which the selection drops with its table).
			// With --missing=show a table shows those it lacks as not
			// run, but a workload with none of them has no table to show
			// them in: it is noted in both modes.
			if wls := byWorkload(recs); len(wls) > 1 {
				labels := workloadLabels(wls)
				for i, wl := range wls {
					m := missingSpecs(order, wl)
					if noTable := len(m) == len(order); len(m) > 0 && (!o.ShowMissing || noTable) {
						t.Missing = append(t.Missing, WorkloadMissing{Workload: labels[i], Estimators: m, NoTable: noTable})
					}
				}
			}
			recs = sel
			if o.ShowMissing {
				notRun = order
			}
		}
	}
	for _, r := range recs {
		if r.Checksum == "" {
			t.Unverified = append(t.Unverified, RecordPath(o.Runs, r.Key))
		}
	}
	if o.Curves != "" {
		// The files of the workloads, named after them, are checked as
		// --curves is: all before any is written.
		outs := []NamedFile{{"--bench", o.Bench}}
		for _, p := range curvesPaths(o.Curves, byWorkload(recs)) {
			outs = append(outs, NamedFile{"--curves", p})
		}
		if err := CheckOutputs(outs, nil); err != nil {
			return nil, fmt.Errorf("suite: %w", err)
		}
	}
	var out bytes.Buffer
	if err := writeTableOf(&out, o.Table, recs, order, notRun, nil, o.Seeds, o.Runs); err != nil {
		return nil, err
	}
	t.Table = out.Bytes()
	// Its errors name the command's layer, as the table's others do
	// ("suite: table: writing nodir/c.svg: ..."), not the file alone.
	var batch outputBatch
	defer batch.abort()
	if o.Curves != "" {
		if t.Curves, err = addCurves(&batch, o.Curves, recs, order); err != nil {
			return nil, wrapErr("suite: table", err)
		}
	}
	if o.Bench != "" {
		var b bytes.Buffer
		if err := WriteBench(&b, recs); err != nil {
			return nil, wrapErr("suite: table", err)
		}
		if err := batch.add(o.Bench, b.Bytes()); err != nil {
			return nil, wrapErr("suite: table", err)
		}
		t.Bench = o.Bench
	}
	if err := batch.commit(); err != nil {
		return nil, wrapErr("suite: table", err)
	}
	t.Removed = batch.removed()
	return t, nil
}

// ofSeeds returns the records of rs whose seed is among seeds, in order.
func ofSeeds(rs []*Record, seeds []uint64) []*Record {
	var out []*Record
	for _, r := range rs {
		if slices.Contains(seeds, r.Config.Seed) {
			out = append(out, r)
		}
	}
	return out
}

// recordSeeds returns the seeds rs ran, each once, ascending.
func recordSeeds(rs []*Record) []uint64 {
	return distinct(rs, func(r *Record) uint64 { return r.Config.Seed })
}

// seedsOfSpecs says which seeds each of specs has records of in rs: "fda
// has records of seeds 1, 2".
func seedsOfSpecs(rs []*Record, specs []string) string {
	var parts []string
	for _, s := range specs {
		var of []*Record
		for _, r := range rs {
			if r.Config.Estimator == s {
				of = append(of, r)
			}
		}
		parts = append(parts, fmt.Sprintf("%s has records of %s", s, namedSeeds(recordSeeds(of))))
	}
	return strings.Join(parts, "; ")
}

// addCurves stages in batch the training curves of every workload in rs
// (see WriteCurves), each in an SVG file of its own named by curvesPaths,
// and the removal of the curves files of rs's workloads that an earlier
// set of workloads named otherwise (staleCurves), and returns the files
// to write, in the order of the workloads in rs.
func addCurves(batch *outputBatch, path string, rs []*Record, order []string) ([]WorkloadFile, error) {
	wls := byWorkload(rs)
	paths := curvesPaths(path, wls)
	labels := workloadLabels(wls)
	var files []WorkloadFile
	for i, wl := range wls {
		var svg bytes.Buffer
		if err := WriteCurves(&svg, wl, order); err != nil {
			return nil, err
		}
		if err := batch.add(paths[i], svg.Bytes()); err != nil {
			return nil, err
		}
		files = append(files, WorkloadFile{Path: paths[i], Workload: labels[i]})
	}
	for _, p := range staleCurves(path, rs, paths) {
		batch.remove(p)
	}
	return files, nil
}

// staleCurves returns the curves files of the workloads of rs that
// curvesPaths names under another set of workloads than rs's and that
// are not among written, the files of rs's (curvesPaths(path,
// byWorkload(rs))): path itself, the file of a single workload, when
// rs has several, and a workload's file of its own (path's stem and the
// workload's name, with or without its optimizer or key) when rs has
// one workload, or names it otherwise. The curves there are of an
// earlier set of workloads (a directory that held one workload before a
// second sweep into it added another, or whose records of a workload
// were removed since): left beside the files written, one reads as
// current. Only regular files are returned, none a run owns
// (outputRefusal): a link, a directory or anything else at such a name
// is not gradbench's to remove; nor is any other file, such as a
// curves-mine.svg of the user's.
func staleCurves(path string, rs []*Record, written []string) []string {
	seen := map[string]bool{}
	for _, p := range written {
		seen[p] = true
	}
	var stale []string
	check := func(p string) {
		if seen[p] {
			return
		}
		seen[p] = true
		if st, err := os.Lstat(p); err == nil && st.Mode().IsRegular() && outputRefusal(p) == "" {
			stale = append(stale, p)
		}
	}
	check(path)
	for _, r := range rs {
		name := workloadSlug(r)
		for _, n := range []string{name, name + "-" + r.Config.Optimizer, name + "-" + r.Config.WorkloadKey()[:8]} {
			check(workloadCurvesPath(path, n))
		}
	}
	return stale
}

// curvesPaths returns the curves file of each workload of wls (records
// grouped by byWorkload). With one workload the file is path; with
// several, each file is named after its workload: path's stem, then the
// recipe, model, width, dataset and epochs (then the optimizer where those
// do not tell two workloads apart, or else the workload's key), such as
// curves-quick-resnet20-w0.5-fashion-mnist-2ep.svg or, with run
// --optimizers, curves-quick-resnet20-w0.5-fashion-mnist-2ep-adam.svg.
func curvesPaths(path string, wls [][]*Record) []string {
	names := make([]string, len(wls))
	count := map[string]int{}
	for i, wl := range wls {
		names[i] = workloadSlug(wl[0])
		count[names[i]]++
	}
	// Workloads that differ in the optimizer alone (run --optimizers) are
	// named by it, which says which file is which; the key tells apart
	// those that the optimizer does not.
	withOpt := make([]string, len(wls))
	countOpt := map[string]int{}
	for i, wl := range wls {
		withOpt[i] = names[i] + "-" + wl[0].Config.Optimizer
		countOpt[withOpt[i]]++
	}
	paths := make([]string, len(wls))
	for i, wl := range wls {
		p := path
		if len(wls) > 1 {
			name := names[i]
			if count[name] > 1 {
				if countOpt[withOpt[i]] == 1 {
					name = withOpt[i]
				} else {
					name += "-" + wl[0].Config.WorkloadKey()[:8]
				}
			}
			p = workloadCurvesPath(path, name)
		}
		paths[i] = p
	}
	return paths
}

// workloadCurvesPath returns the curves file of the workload named name
// (curvesPaths) when there are several: path's stem, then "-" and name,
// then path's extension.
func workloadCurvesPath(path, name string) string {
	ext := filepath.Ext(path)
	return strings.TrimSuffix(path, ext) + "-" + name + ext
}

// workloadSlug names a record's workload for a file name.
func workloadSlug(r *Record) string {
	c := &r.Config
	parts := []string{r.Recipe, c.Model}
	if c.Width != 1 {
		parts = append(parts, "w"+strconv.FormatFloat(c.Width, 'g', -1, 64))
	}
	parts = append(parts, c.Dataset, strconv.Itoa(c.Epochs)+"ep")
	if c.Binarize != "both" {
		parts = append(parts, c.Binarize)
	}
	return strings.Join(parts, "-")
}
