package suite

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
)

// A run's final numbers as Go benchmark-format lines (bench.txt), which
// benchstat compares across estimators and files.

// Benchmark-format units of the records, with the direction benchstat
// should read as an improvement.
var benchUnits = []struct{ unit, better string }{
	{"top1-%", "higher"},
	{"top5-%", "higher"},
	{"train-loss", "lower"},
	{"sec/epoch", "lower"},
	{"img/s", "higher"},
}

// BenchName returns the Go benchmark name of a run, with the workload and
// the estimator as key=value parts so that benchstat can pivot on them
// (`benchstat -col /est`). The seed is left out: runs that differ only by
// seed are repeated measurements of one benchmark. A benchmark name
// separates its parts with '/' and ends at a space, so the '/' of a spec
// (between the sides of w=fda/a=ste, or in a formula) is written as
// '∕' (U+2215, division slash) and white space as '_', as the testing
// package writes it: est=w=fda∕a=ste.
func (r *Record) BenchName() string {
	c := &r.Config
	name := fmt.Sprintf("BenchmarkTrain/model=%s/data=%s/recipe=%s/width=%s/epochs=%d/bin=%s/est=%s",
		c.Model, c.Dataset, benchValue(r.Recipe), strconv.FormatFloat(c.Width, 'g', -1, 64), c.Epochs, c.Binarize, benchValue(c.Estimator))
	// Keys that earlier records lack stay out of their names.
	if c.LRScale != 0 {
		name += "/opt=" + c.Optimizer + "/lr=" + strconv.FormatFloat(c.TrainLR(), 'g', -1, 64)
	} else if c.Optimizer != "sgd" && c.Optimizer != "" {
		name += "/opt=" + c.Optimizer
	}
	return name
}

// benchValue writes s as one part of a benchmark name (see BenchName).
func benchValue(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '/':
			return '∕'
		case unicode.IsSpace(r):
			return '_'
		}
		return r
	}, s)
}

// WriteBench writes the final numbers of the records with status ok as Go
// benchmark-format lines, one per run, after a header that declares the
// units and the machine, so that benchstat reads them. Diverged runs have
// no numbers and are left out.
func WriteBench(w io.Writer, rs []*Record) error {
	// benchstat compares the lines of one name across files as runs of
	// one benchmark: records of other data are refused, as a table does.
	if err := checkSameData(rs); err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "pkg: github.com/gradbench/gradbench/suite\n")
	for _, u := range benchUnits {
		fmt.Fprintf(bw, "Unit %s better=%s\n", u.unit, u.better)
	}
	clash := benchClashes(rs)
	var last Machine
	for _, r := range rs {
		if r.Status != StatusOK {
			continue
		}
		// File configuration lines apply to the results after them:
		// repeat them where the machine changes (a sweep on a cluster).
		if m := r.Machine; m.OS != last.OS || m.Arch != last.Arch || m.CPU != last.CPU {
			fmt.Fprintf(bw, "goos: %s\ngoarch: %s\ncpu: %s\n", m.OS, m.Arch, m.CPU)
			last = m
		}
		f := r.Final
		name := r.BenchName()
		if clash[r.Config.WorkloadKey()] {
			name += "/workload=" + r.Config.WorkloadKey()
		}
		fmt.Fprintf(bw, "%s 1 %s top1-%%", name, fmtBench(f.TestTop1))
		if f.TestTop5 != nil {
			fmt.Fprintf(bw, " %s top5-%%", fmtBench(*f.TestTop5))
		}
		fmt.Fprintf(bw, " %s train-loss %s sec/epoch %s img/s\n", fmtBench(f.TrainLoss), fmtBench(f.SecondsPerEpoch), fmtBench(f.ImagesPerSec))
	}
	return bw.Flush()
}

// benchClashes returns the workload keys of rs whose runs' benchmark
// names another workload of rs gives too. A name gives the recipe's name
// but not every value of its workload (not the batch, momentum, weight
// decay, augmentation or subsets), so two recipe files of one name that
// differ in those alone name their runs alike, and benchstat would pool
// them as runs of one benchmark: WriteBench ends those workloads' names
// with /workload=<key>, and leaves every other name as it was. Only the
// runs WriteBench writes count (not the diverged ones, which have no
// line to clash with).
func benchClashes(rs []*Record) map[string]bool {
	seen := map[string]string{} // a name, the estimator's left out: its workload
	clash := map[string]bool{}
	for _, r := range rs {
		if r.Status != StatusOK {
			continue
		}
		c := *r
		c.Config.Estimator = ""
		name, wk := c.BenchName(), r.Config.WorkloadKey()
		if other, ok := seen[name]; ok && other != wk {
			clash[other], clash[wk] = true, true
		}
		seen[name] = wk
	}
	return clash
}

func fmtBench(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
