package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/data"
	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/models"
	"github.com/gradbench/gradbench/suite"
)

// TestList: list names every registered estimator with each of its
// parameters and defaults, the +na settings, every model, dataset and
// recipe.
func TestList(t *testing.T) {
	out, _ := gradbenchOK(t, "list")
	var want []string
	for _, name := range estimators.Names() {
		want = append(want, "\n  "+name+" ")
		ps, _ := estimators.Defaults(name)
		for _, p := range ps {
			want = append(want, p.Key+"="+p.Default+" ("+p.Allowed+")")
		}
	}
	for _, p := range estimators.NADefaults() {
		want = append(want, p.Key+"="+p.Default)
	}
	for _, name := range models.Names() {
		want = append(want, "\n  "+name+" ")
	}
	for _, name := range data.Names() {
		want = append(want, "\n  "+name+" ", data.Doc(name))
	}
	want = append(want, strings.Join(data.SearchDirs("NAME"), ", "))
	for _, r := range suite.Recipes() {
		want = append(want, "\n  "+r.Name+" ", r.Description)
	}
	want = append(want, "+na", "hidden width max(1, D/k) with D/k rounded down", "w=SPEC/a=SPEC names the estimator of the latent weights and of the activations apart", "fda=", "n=9..18", "resnet20 on fashion-mnist, 10 epochs, batch 128, sgd lr 0.1 momentum 0.9 cosine, weight decay 0.0001, crop+flip")
	for _, w := range want {
		if w == "fda=" {
			continue
		}
		if !strings.Contains(out, w) {
			t.Errorf("gradbench list lacks %q:\n%s", w, out)
		}
	}
	// Spec numbers are float32 but for expr's knots, which are float64
	// (knots=1e-300 is accepted); list said every number was float32.
	if !strings.Contains(out, "numbers are float32: 0 or magnitudes 1.1754944e-38 to 3.4028235e+38, but expr's knots are float64") {
		t.Errorf("gradbench list does not say that expr's knots are float64:\n%s", out)
	}
	// A weights-only estimator's lines say why in its own sentence, which
	// names the sided spec to use; list prefixed another example
	// (w=biper/a=ste) that the sentence then contradicted.
	for _, name := range estimators.Names() {
		e, err := estimators.New(name)
		if err != nil {
			t.Fatal(err)
		}
		if wo, ok := e.(estimators.WeightsOnly); ok {
			if !strings.Contains(out, "\n               "+wo.WeightsOnly()+"\n") {
				t.Errorf("gradbench list lacks %s's line %q:\n%s", name, wo.WeightsOnly(), out)
			}
			if n := strings.Count(out, "w="+name+"/"); n != 1 {
				t.Errorf("gradbench list gives %d sided specs for %s, want the one its sentence names:\n%s", n, name, out)
			}
		}
	}
	// list takes no flags either: "flags only" would send the user
	// looking for one.
	wantErr := `list: unexpected argument "extra" (list takes no arguments and no flags; see gradbench help list)`
	if _, _, err := runGradbench(t, "list", "extra"); err == nil || err.Error() != wantErr {
		t.Errorf("gradbench list extra: error %v, want %s", err, wantErr)
	}
}

// errFull is fullWriter's error.
var errFull = errors.New("no space left on device")

// fullWriter fails every write, as a full disk (/dev/full) does.
type fullWriter struct{}

func (fullWriter) Write([]byte) (int, error) { return 0, errFull }

// TestOutputWriteFails: tried as a new user would, gradbench list
// >/dev/full and gradbench models >/dev/full exited 0 with nothing
// written, where table and plan fail with the write's error. A command
// whose output cannot be written fails, saying why.
func TestOutputWriteFails(t *testing.T) {
	for _, args := range [][]string{{"list"}, {"models"}, {"models", "--model", "resnet20"}} {
		var stderr bytes.Buffer
		err := gradbench(context.Background(), &cmdEnv{stdout: fullWriter{}, stderr: &stderr}, args)
		if !errors.Is(err, errFull) {
			t.Errorf("gradbench %q with a full stdout: error %v, want %v", args, err, errFull)
		}
	}
}
