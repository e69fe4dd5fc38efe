package suite

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// FuzzSweepLists feeds arbitrary strings to the sweep's list flags
// (--seeds, --lr-grid, --optimizers) and to gradbench fidelity's --init
// seed: none may panic, a refused value's error names the package, and an
// accepted value, written back as a plain comma-separated list, parses to
// the same list (so what the flag says is what runs).
//
//	go test -run '^$' -fuzz FuzzSweepLists ./suite
func FuzzSweepLists(f *testing.F) {
	for _, s := range []string{
		"", "1", "3", "1000", "1001", "0", "1,2,5", "4..6", "1..1000", "1..", "..3", "6..4", "1,,2", ",1", "1,",
		"1,1", "+2", "1, 2", "18446744073709551615", "18446744073709551614..18446744073709551615", "1..2,3",
		"0.3,1,3", "1e-400", "0x1p-1", "1_0", "NaN", "Inf", "-1", "1e308,1.0000000000000002e308",
		"sgd,adam", "adam,adam", "Adam", "sgd,", strings.Join(OptimizerNames, ","),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		refused := func(flag string, err error) {
			t.Helper()
			if !strings.HasPrefix(err.Error(), "suite: bad ") {
				t.Errorf("%s %q: error %q does not name the package and the flag", flag, s, err)
			}
		}
		if seeds, err := ParseSeeds(s); err != nil {
			refused("--seeds", err)
		} else {
			if len(seeds) == 0 || slices.Contains(seeds, 0) {
				t.Fatalf("--seeds %q = %v", s, seeds)
			}
			var items []string
			for i, v := range seeds {
				if slices.Contains(seeds[:i], v) {
					t.Fatalf("--seeds %q = %v, seed %d twice", s, seeds, v)
				}
				items = append(items, strconv.FormatUint(v, 10))
			}
			if len(items) > 1 {
				again, err := ParseSeeds(strings.Join(items, ","))
				if err != nil || !slices.Equal(again, seeds) {
					t.Fatalf("--seeds %q = %v, written as a list reads %v, %v", s, seeds, again, err)
				}
			}
		}
		if seed, err := ParseSeed(s); err != nil {
			refused("--init", err)
		} else {
			other := "1"
			if seed == 1 {
				other = "2"
			}
			// s is one seed, and the first of the list s,other.
			if seeds, err := ParseSeeds(s + "," + other); err != nil || seeds[0] != seed {
				t.Fatalf("--init %q = %d, but as a list item %v, %v", s, seed, seeds, err)
			}
		}
		if grid, err := ParseLRGrid(s); err != nil {
			refused("--lr-grid", err)
		} else {
			var items []string
			for _, v := range grid {
				if !(v > 0) || math.IsInf(v, 0) {
					t.Fatalf("--lr-grid %q = %v", s, grid)
				}
				items = append(items, strconv.FormatFloat(v, 'g', -1, 64))
			}
			again, err := ParseLRGrid(strings.Join(items, ","))
			if err != nil || !slices.Equal(again, grid) {
				t.Fatalf("--lr-grid %q = %v, written back reads %v, %v", s, grid, again, err)
			}
		}
		if opts, err := ParseOptimizers(s); err != nil {
			refused("--optimizers", err)
		} else if again, err := ParseOptimizers(strings.Join(opts, ",")); err != nil || !slices.Equal(again, opts) {
			t.Fatalf("--optimizers %q = %v, written back reads %v, %v", s, opts, again, err)
		}
	})
}

// FuzzSlurmOptions feeds arbitrary flag values to gradbench slurm's
// options (--partition, --time, --mem, --job-name and two --sbatch
// lines): Validate must never panic, a refused value's error names the
// package and the flag, and accepted options are the lines the scripts
// hold: each --sbatch line one line, the same whether given with
// "#SBATCH " or without, and options that validate again unchanged.
//
//	go test -run '^$' -fuzz FuzzSlurmOptions ./suite
func FuzzSlurmOptions(f *testing.F) {
	f.Add("", "", "", "gradbench", "--account=proj", "")
	f.Add("cpu,gpu", "1-00:00:00", "4G", "job", "#SBATCH --qos=short", "-A proj")
	f.Add("cpu,,gpu", "99:99:99", "9999999999999999999T", "a b", "--comment='x -c2'", "-Hvq low")
	f.Add("cpu", "24855-03:13:00", "8796093022207T", "j", "--mem-per-cpu=1G", "--account proj")
	f.Add("cpu", "35791394", "0", "j", "-A -c2", "--export=ALL")
	f.Add("p", "59:59", "1k", "j", `--comment=a\ b -p x`, "#SBATCH  --x")
	f.Add("p", "0", "1", "j", "--qos='a b' -a1", "--hold -ox")
	f.Add("p", "1-23:59", "", "j", " --account=x", "--account=x\n")
	f.Fuzz(func(t *testing.T, partition, time, mem, job, line1, line2 string) {
		o := SlurmOptions{Partition: partition, Time: time, Mem: mem, CPUs: 1, JobName: job, Extra: []string{line1, line2}}
		if err := o.Validate(); err != nil {
			if !strings.HasPrefix(err.Error(), "suite: bad --") {
				t.Errorf("%+v: error %q does not name the package and the flag", o, err)
			}
			return
		}
		for _, l := range o.Extra {
			if strings.ContainsAny(l, "\n\r") || strings.HasPrefix(l, "#SBATCH") || !strings.HasPrefix(l, "-") {
				t.Fatalf("--sbatch lines %q, %q are kept as %q", line1, line2, o.Extra)
			}
			p := SlurmOptions{JobName: "j", Extra: []string{"#SBATCH " + l}}
			if err := p.Validate(); err != nil || p.Extra[0] != l {
				t.Fatalf("--sbatch %q (kept as %q) is %q, %v with #SBATCH before it", line1, l, p.Extra, err)
			}
		}
		again := o
		again.Extra = slices.Clone(o.Extra)
		if err := again.Validate(); err != nil || !slices.Equal(again.Extra, o.Extra) {
			t.Fatalf("validated options %+v validate again as %q, %v", o, again.Extra, err)
		}
	})
}
