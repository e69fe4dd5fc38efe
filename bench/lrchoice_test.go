// Built as scripts_atomic_test.go is, for the reason given there: these
// tests run results/ scripts (bash and awk) and no Go code of this
// package, so which of the test command's builds runs them changes
// nothing they check.

//go:build !race && !purego && !goexperiment.simd

package bench

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// lrTable is a learning-rate table as gradbench table --ablation lr writes
// it for an SGD workload and for a Bop one.
const lrTable = `### resnet20 on fashion-mnist, recipe study: 5 epochs, batch 128, sgd lr tuned per estimator from 0.1 times a grid cosine

| estimator | val top-1 % at lr ×0.3 | val top-1 % at lr ×1 | val top-1 % at lr ×3 | val top-1 % at lr ×10 | chosen lr |
|:----------|------:|------:|------:|------:|------:|
| ste       | 63.13 (n=2) | 73.20 (n=2) | **77.12 (n=2)** | diverged (2) | 0.3 (×3) |
| fda       | 64.68 (n=2) | 75.41 (n=2) | 77.82 (n=2) | **78.00 (n=2)** | 1 (×10), at the grid's upper edge |
| dsq       | **70.00 (n=2)** | 65.00 (n=2) | 60.00 (n=2) | diverged (2) | 0.03 (×0.3), at the grid's lower edge |
| ede       | diverged (2) | diverged (2) | diverged (2) | diverged (2) | none (every run diverged) |

### resnet20 on fashion-mnist, recipe study: 5 epochs, batch 128, bop lr tuned per estimator from 0.001 times a grid cosine

| estimator | val top-1 % at lr ×0.1 | val top-1 % at lr ×0.3 | chosen lr |
|:----------|------:|------:|------:|
| ste       | 29.42 (n=2) | **60.33 (n=2)** | 0.0003 (×0.3), at the grid's upper edge |
`

// TestLRChoiceEveryAwk: results/study.sh reads each estimator's chosen
// multiplier from the table with lr_choice (results/lib.sh), then trains
// it. The cell holds "×", two bytes in UTF-8: an awk that counts
// characters (gawk in a UTF-8 locale) and one that counts bytes (mawk)
// must read the same multiplier, or the study would train at ×0 (from
// "×10") or skip an estimator (from "×3"). Checked with every awk
// installed, as awk.
func TestLRChoiceEveryAwk(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	want := map[string]string{"ste": "3 inside", "fda": "10 upper", "dsq": "0.3 lower", "ede": "", "bnnplus": "", "ste bop": "0.3 upper", "ste adam": ""}
	tried := 0
	for _, name := range []string{"awk", "mawk", "gawk", "nawk", "original-awk", "busybox"} {
		bin, err := exec.LookPath(name)
		if err != nil {
			continue
		}
		dir := t.TempDir()
		if name == "busybox" {
			if exec.Command(bin, "awk", "BEGIN{}").Run() != nil {
				continue
			}
			script := "#!/bin/sh\nexec " + bin + " awk \"$@\"\n"
			if err := os.WriteFile(filepath.Join(dir, "awk"), []byte(script), 0o755); err != nil {
				t.Fatal(err)
			}
		} else if err := os.Symlink(bin, filepath.Join(dir, "awk")); err != nil {
			t.Fatal(err)
		}
		tried++
		for _, locale := range []string{"C", "C.UTF-8"} {
			for key, w := range want {
				spec, opt, _ := strings.Cut(key, " ")
				cmd := exec.Command("bash", "-c", `. ../results/lib.sh && lr_choice "$@"`, "lr_choice", spec, opt)
				cmd.Env = append(os.Environ(), "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"), "LC_ALL="+locale)
				cmd.Stdin = strings.NewReader(lrTable)
				out, err := cmd.Output()
				if err != nil {
					t.Fatalf("%s, LC_ALL=%s, lr_choice %s %s: %v", name, locale, spec, opt, err)
				}
				if got := strings.TrimSpace(string(out)); got != w {
					t.Errorf("%s, LC_ALL=%s, lr_choice %s %s: %q, want %q", name, locale, spec, opt, got, w)
				}
			}
		}
	}
	if tried == 0 {
		t.Skip("no awk installed")
	}
	// Records of another SGD workload in the directory (another recipe's)
	// give fda a second choice: neither is taken.
	two := lrTable + "\n" + strings.Replace(lrTable[:strings.Index(lrTable, "| ste       | 63")], "5 epochs", "10 epochs", 1) +
		"| fda       | 1 (n=2) | 2 (n=2) | **3 (n=2)** | 1 (n=2) | 0.3 (×3) |\n"
	cmd := exec.Command("bash", "-c", `. ../results/lib.sh && lr_choice fda`)
	cmd.Stdin = strings.NewReader(two)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || len(out) != 0 || !strings.Contains(stderr.String(), "2 workloads of sgd") {
		t.Errorf("two SGD workloads: %q, %v, stderr %q; want nothing printed and the reason on stderr", out, err, stderr.String())
	}
}
