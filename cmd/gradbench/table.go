package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/gradbench/gradbench/suite"
)

var tableCmd = &command{
	name:  "table",
	short: "build a table (main or a paper ablation) from run records",
	long: `
Table reads the run records in --runs and prints, for every workload found
there, the table named by --ablation as markdown:

	main       one row per estimator: mean ± std of the final test top-1
	           over seeds, n, diverged runs, the paired difference Δ from
	           ste seed by seed with its 95% t interval and sign-flip
	           permutation p-value, that p adjusted by Holm's method over
	           the table's comparisons with ste (column p (Holm)), wall
	           time per epoch; then the final test and training losses
	           with their paired Δ and interval
	sine-na    the FDA paper's Table 2: ste, fda, fda+na
	na-others  its Table 3: dsq, bnnplus and fda without and with +na
	eta        its Table 4: fda+na with eta=0, eta=x and eta=sin
	paper      Tables 2, 3 and 4
	sides      each estimator E on the latent weights only (w=E/a=ste),
	           on the activations only (w=ste/a=E) and on both (E), every
	           row compared with ste like the main table (what gradbench
	           run --ablation sides trains)
	lr         for runs of a learning-rate grid (run --lr-grid), the
	           validation top-1 at each multiplier and the learning rate
	           chosen for each estimator, alone (every other table shows
	           it first, then the estimators at their chosen rates)
	findings   the main table's comparisons with ste in plain sentences:
	           which estimators differ from ste in top-1 and in final
	           training loss beyond seed noise (95% t interval excludes 0,
	           sign-flip p < 0.05, and p < 0.05 after Holm's correction
	           for the comparisons made per metric), which pass both
	           tests alone but not the correction, which cannot be told
	           from ste with these seeds, how wide the intervals are (or
	           that the seeds are too few for any to pass)
	diagnostics
	           the training diagnostics of the final epoch, one row per
	           estimator, seed means: flip ratio, oscillation frequency
	           and oscillating weights, silent weights, activation
	           saturation and entropy, gradient stability and norm
	           (docs/diagnostics.md), with the seeds of each row when
	           rows are over different seeds (runs without diagnostics
	           are left out); the same as --diagnostics

Each of the paper's tables has a column with its ResNet-20 CIFAR-10
number. Every table with a p column has a p (Holm) column after it: p
adjusted by Holm's step-down method over that table's comparisons that
have a p (every row against the table's reference, or, in na-others, each
row with NA against itself without), * where it is below 0.05.
--estimators keeps only the named estimators, in that order, as gradbench
run prints them (for the sides table, each estimator's three rows and
ste); an estimator named without records in --runs is refused by name, and
one that only some workloads lack is noted on stderr. With --missing show,
such an estimator is shown as not run instead (a row of the main and sides
tables, a line after the others); without --estimators or --first it is
refused, as there is nothing it could show. A workload with records of
none of them has no table, which is noted on stderr in either mode.
--first lists the named estimators first, in that order, and every other
estimator of the records after them (ste first, then by name), keeping
every record in the tables, the curves and the benchmark lines, as
gradbench run orders the table.md, curves.svg and bench.txt it writes
over every record of its --out, its sweep's estimators first (run lists
its sweep's workloads first too, where table lists them by record key;
gradbench run --no-train writes those files of a sweep from its records
again). An estimator it names without records in --runs is refused, or
with --missing show shown as not run in the tables of the workloads that
have records of the others it names (a workload of other estimators alone
is tabulated as it is); one that only some workloads lack is no row
there, as in any table of every record. --first and --estimators exclude
each other. The paper's tables (sine-na, na-others, eta, paper) have
fixed rows and refuse --estimators and --first. --seeds keeps only the
runs of the listed seeds (written as for gradbench run --seeds: 3..10,
1,2,5) in every table's rows and comparisons, which then pair seeds among
these alone, and says so under each heading ("Seeds 3–10 only"); on a
learning-rate grid the rates are still chosen on every seed that ran the
grid, as without --seeds, except in the lr table, which chooses on the
listed seeds' runs. A list none of whose seeds has a record in --runs is
refused, naming the seeds the records have, as is --seeds with --curves or
--bench (drawn and written from every seed's runs). --curves
writes the training curves (test accuracy and training loss per epoch,
mean over seeds, and a panel per training diagnostic when the records
have them) as SVG, and --bench every record as Go benchmark lines for
benchstat. Neither may name a file of a runs directory (a record,
weights, a checkpoint or a lock), nor the other. With several workloads
--curves c.svg writes a file per workload, c-<workload>.svg; once
written, table removes the files an earlier table named otherwise for
these workloads (c.svg, of one workload, beside several; a workload's
own file when it is alone), and says so, lest one be read as current.

Table loads no data, but records keep digests of the data they were
trained on: records of one dataset whose digests disagree (copied
together from machines with different files, say) are refused, naming
two of them, since their seeds would be paired as runs on the same
images; so are --curves and --bench. Records without digests (written
before gradbench kept them) cannot be checked and are tabulated; when
a workload has records with digests too, a note under its heading names
those without. That note, and the one on records trained on several
machine types, are of the records the table below them reads (those of
its rows and of --seeds); on a learning-rate grid with --seeds (but the
lr table) the pair above the choice is of the records the rates were
chosen on, every seed's, and the table's own pair follows the choice.

Examples:

	gradbench table --ablation sine-na --runs results/runs
	gradbench table --runs results/study/runs --seeds 3..10
	gradbench table --runs results/runs --first fda,ste --curves c.svg`,
	run: runTable,
}

func runTable(ctx context.Context, env *cmdEnv, fs *flag.FlagSet, args []string) error {
	ablation := fs.String("ablation", suite.TableMain, "`table`: "+strings.Join(suite.TableNames(), ", "))
	runs := fs.String("runs", defaultRunsDir, "`directory` of run records (gradbench run --out)")
	curves := stringOptional(fs, "curves", "no curves are written", "also write the training curves to this SVG `file` (one file per workload, named after it, when the records hold several); name.svg, or a name without an extension: another format's, such as .png, is refused")
	bench := stringOptional(fs, "bench", "no benchmark lines are written", "also write every record as Go benchmark lines to this text `file` (such as bench.txt; a name with another format's extension, such as .json or .md, is refused)")
	ests := fs.String("estimators", "", "only these estimator `specs`, in this order, each of which must have records (default: all, ste first; not with the paper's fixed-row tables)")
	first := fs.String("first", "", "list these estimator `specs` first, in this order, and every other estimator of the records after them (ste first, then by name), as gradbench run orders the table.md it writes; each must have records (see --missing) (not with --estimators, nor the paper's fixed-row tables)")
	missing := fs.String("missing", "refuse", "what to do with an estimator of --estimators or --first that has no records, `refuse|show`: refuse the table, or show it as not run (a row of the main and sides tables, a line after the others); show needs --estimators or --first")
	seeds := fs.String("seeds", "", "only the runs of these `seeds` in the table's rows and comparisons: a count N for seeds 1..N, a list 1,2,5 or a range 3..10, as gradbench run takes them (default: every seed)")
	diag := fs.Bool("diagnostics", false, "print the training diagnostics table (--ablation "+suite.TableDiagnostics+")")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *missing != "refuse" && *missing != "show" {
		return fmt.Errorf("table: --missing %q: want refuse or show", *missing)
	}
	var seedList []uint64
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "seeds" {
			seedList = []uint64{} // set, even to "", which ParseSeeds refuses
		}
	})
	if seedList != nil {
		var err error
		// ParseSeeds's error names the flag ("suite: bad seeds …"), as run
		// and plan print it: a "table: --seeds:" before it said it twice.
		if seedList, err = suite.ParseSeeds(*seeds); err != nil {
			return err
		}
	}
	table := *ablation
	if *diag {
		set := false
		fs.Visit(func(f *flag.Flag) { set = set || f.Name == "ablation" })
		if !set {
			table = ""
		}
	}
	t, err := suite.Tabulate(suite.TableOptions{Runs: *runs, Table: table, Diagnostics: *diag, Estimators: *ests, First: *first, Curves: *curves, Bench: *bench,
		ShowMissing: *missing == "show", Seeds: seedList, SeedsTyped: *seeds})
	if err != nil {
		return err
	}
	if _, err := env.stdout.Write(t.Table); err != nil {
		return err
	}
	// One line names every file written, as run's and fidelity's do: the
	// curves (each with its workload when there are several), then the
	// bench.
	var wrote []string
	for _, f := range t.Curves {
		if len(t.Curves) > 1 {
			wrote = append(wrote, fmt.Sprintf("%s (curves of %s)", f.Path, f.Workload))
		} else {
			wrote = append(wrote, f.Path)
		}
	}
	if t.Bench != "" {
		wrote = append(wrote, t.Bench)
	}
	if len(wrote) > 0 {
		fmt.Fprintf(env.stderr, "wrote %s\n", strings.Join(wrote, ", "))
	}
	if len(t.Removed) > 0 {
		fmt.Fprintf(env.stderr, "removed %s: %s\n", strings.Join(t.Removed, ", "), staleCurvesWhy("those tabulated"))
	}
	for _, m := range t.Missing {
		what := "which its table leaves out"
		if m.NoTable {
			what = "so it has no table"
		}
		fmt.Fprintf(env.stderr, "note: %s has no records of %s, %s (--estimators %s)\n",
			m.Workload, strings.Join(m.Estimators, ", "), what, *ests)
	}
	if n := len(t.Unverified); n > 0 {
		agree := "agree with themselves but are"
		if n == 1 {
			agree = "agrees with itself but is"
		}
		fmt.Fprintf(env.stderr, "note: %s, written before gradbench checksummed its records, %s not verified against edits (%s)\n",
			plural(n, "record"), agree, strings.Join(t.Unverified, ", "))
	}
	return nil
}
