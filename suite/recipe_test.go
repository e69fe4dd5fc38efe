package suite

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/internal/texttest"
)

func TestBuiltinRecipes(t *testing.T) {
	want := []string{"cifar10-paper", "fmnist-10", "imagenet-paper", "quick", "study"}
	if got := RecipeNames(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("RecipeNames() = %v, want %v", got, want)
	}
	for _, r := range Recipes() {
		if r.Description == "" {
			t.Errorf("recipe %s has no description", r.Name)
		}
	}
	// The workloads the recipes stand for: fmnist-10 is ResNet-20 on
	// Fashion-MNIST, 10 epochs of SGD (lr 0.1, momentum 0.9, weight decay
	// 1e-4, cosine, crop+flip); quick the same at width 0.5 on a 10k-image
	// subset for 2 epochs; cifar10-paper and imagenet-paper the FDA paper's
	// recipes (arXiv 2103.00841: 400 epochs of SGD at lr 0.1; Adam at lr
	// 1e-3 without weight decay on ResNet-18).
	r, err := LoadRecipe("fmnist-10")
	if err != nil {
		t.Fatal(err)
	}
	if r.Model != "resnet20" || r.Dataset != "fashion-mnist" || r.Epochs != 10 || r.Batch != 128 ||
		r.Optimizer != "sgd" || r.LR != 0.1 || r.Momentum != 0.9 || r.WeightDecay != 1e-4 || r.Schedule != "cosine" || !r.Augment || r.Width != 1 {
		t.Errorf("fmnist-10 = %+v, want the spec's values", r)
	}
	q, _ := LoadRecipe("quick")
	if q.Width != 0.5 || q.Epochs != 2 || q.TrainSubset != 10000 || q.Model != "resnet20" {
		t.Errorf("quick = %+v, want resnet20 width 0.5, 2 epochs, 10k images", q)
	}
	c, _ := LoadRecipe("cifar10-paper")
	if c.Epochs != 400 || c.Dataset != "cifar10" || c.LR != 0.1 {
		t.Errorf("cifar10-paper = %+v, want 400 epochs on cifar10 at lr 0.1", c)
	}
	im, _ := LoadRecipe("imagenet-paper")
	if im.Optimizer != "adam" || im.LR != 1e-3 || im.WeightDecay != 0 || im.Model != "resnet18" {
		t.Errorf("imagenet-paper = %+v, want adam lr 1e-3 wd 0 on resnet18", im)
	}
}

const goodRecipe = `{"model": "resnet20", "dataset": "synthetic", "epochs": 1, "batch": 8,
 "optimizer": "sgd", "lr": 0.05, "momentum": 0.9, "weight_decay": 0, "schedule": "cosine", "augment": false}`

func TestRecipeFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tiny.json")
	if err := os.WriteFile(path, []byte(goodRecipe), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := LoadRecipe(path)
	if err != nil {
		t.Fatal(err)
	}
	if r.Name != "tiny" || r.Width != 1 || r.LR != 0.05 {
		t.Errorf("LoadRecipe(%s) = %+v, want name tiny, width 1 (default), lr 0.05", path, r)
	}
}

func TestRecipeErrors(t *testing.T) {
	edit := func(old, new string) string {
		if !strings.Contains(goodRecipe, old) {
			t.Fatalf("test recipe has no %q", old)
		}
		return strings.Replace(goodRecipe, old, new, 1)
	}
	tests := []struct {
		name, json, want string
	}{
		{"unknown key", edit(`"epochs": 1`, `"epochs": 1, "epoch": 3`), `unknown field "epoch"`},
		{"missing key", edit(`"schedule": "cosine", `, ``), "missing required keys schedule"},
		// Tried as a new user would: a file of the one key to change
		// was told what it lacked, not that a recipe file is whole.
		{"only changes", `{"epochs": 1}`, "missing required keys augment, batch, dataset, lr, model, optimizer, schedule, weight_decay: a recipe file gives every key, not only those it changes (the built-in recipes, suite/recipes/*.json in the source, are complete files to copy"},
		{"epochs 0", edit(`"epochs": 1`, `"epochs": 0`), "bad epochs 0: want an integer from 1 to 1000000"},
		// 2^62 epochs had wrapped the step count and trained at lr 0.
		{"epochs huge", edit(`"epochs": 1`, `"epochs": 4611686018427387904`), "bad epochs 4611686018427387904: want an integer from 1 to 1000000"},
		// Past any build's int: encoding/json refused it in its own words.
		{"epochs past int64", edit(`"epochs": 1`, `"epochs": 18446744073709551616`), "bad epochs 18446744073709551616: want an integer from 1 to 1000000"},
		{"batch past int64", edit(`"batch": 8`, `"batch": 18446744073709551616`), fmt.Sprintf("bad batch 18446744073709551616: want an integer >= 1 that this build's int holds (at most %d)", math.MaxInt)},
		{"test subset past int64", edit(`"epochs": 1`, `"epochs": 1, "test_subset": -18446744073709551616`), "bad test_subset -18446744073709551616: want an integer >= 0 (0: the whole split) that this build's int holds"},
		{"batch 0", edit(`"batch": 8`, `"batch": 0`), "bad batch 0"},
		{"lr 0", edit(`"lr": 0.05`, `"lr": 0`), "bad lr 0: want a number > 0"},
		{"lr negative", edit(`"lr": 0.05`, `"lr": -1`), "bad lr -1"},
		{"optimizer", edit(`"sgd"`, `"rmsprop"`), `bad optimizer "rmsprop": want sgd or adam`},
		{"momentum 1", edit(`"momentum": 0.9`, `"momentum": 1`), "bad momentum 1"},
		{"adam momentum", edit(`"sgd"`, `"adam"`), "no momentum with adam"},
		{"schedule", edit(`"cosine"`, `"step"`), `bad schedule "step"`},
		{"width", edit(`"epochs": 1`, `"epochs": 1, "width": 0`), "bad width 0"},
		{"weight decay", edit(`"weight_decay": 0`, `"weight_decay": -0.1`), "bad weight_decay -0.1"},
		{"subset", edit(`"epochs": 1`, `"epochs": 1, "train_subset": -5`), "bad train_subset -5"},
		{"wrong type", edit(`"epochs": 1`, `"epochs": "ten"`), `bad epochs "ten": want an integer from 1 to 1000000, not a string`},
		{"key case", edit(`"epochs": 1`, `"epochs": 1, "Epochs": 3`), `key "Epochs" is not a recipe key: keys are matched exactly; did you mean "epochs"?`},
		{"key case alone", edit(`"weight_decay": 0`, `"WEIGHT_DECAY": 0.5`), `key "WEIGHT_DECAY" is not a recipe key`},
		{"key case before", edit(`"weight_decay": 0`, `"WEIGHT_DECAY": 0.5, "weight_decay": 0`), `key "WEIGHT_DECAY" is not a recipe key`},
		{"key folded", edit(`"schedule": "cosine"`, `"ſchedule": "cosine"`), "key \"ſchedule\" is not a recipe key: keys are matched exactly; did you mean \"schedule\"?"},
		{"null required", edit(`"weight_decay": 0`, `"weight_decay": null`), `key "weight_decay" is null`},
		{"null optional", edit(`"epochs": 1`, `"epochs": 1, "width": null`), `key "width" is null: give a value, or leave out a key that is optional`},
		{"null name", edit(`"epochs": 1`, `"epochs": 1, "name": null`), `key "name" is null`},
		{"empty name", edit(`"epochs": 1`, `"epochs": 1, "name": ""`), `suite: recipe test: key "name" is "": give the recipe a name, or leave the key out to name it after its file (test)`},
		{"blank name", edit(`"epochs": 1`, `"epochs": 1, "name": " "`), `suite: recipe name " ": want a word without spaces or slashes`},
		{"name with a return", edit(`"epochs": 1`, `"epochs": 1, "name": "a\rb"`), `suite: recipe name "a\rb": want a word without spaces or slashes (printable characters, no \ or |)`},
		{"name with a NUL", edit(`"epochs": 1`, `"epochs": 1, "name": "a\u0000b"`), `suite: recipe name "a\x00b"`},
		{"name with a no-break space", edit(`"epochs": 1`, `"epochs": 1, "name": "a\u00a0b"`), `suite: recipe name "a\u00a0b"`},
		{"name with a line separator", edit(`"epochs": 1`, `"epochs": 1, "name": "a\u2028b"`), `suite: recipe name "a\u2028b"`},
		{"name with a backslash", edit(`"epochs": 1`, `"epochs": 1, "name": "a\\b"`), `suite: recipe name "a\\b"`},
		{"name with a bar", edit(`"epochs": 1`, `"epochs": 1, "name": "a|b"`), `suite: recipe name "a|b"`},
		{"name with a lone surrogate", edit(`"epochs": 1`, `"epochs": 1, "name": "a\ud800b"`), `suite: recipe name "a\ufffdb"`},
		{"description with a lone surrogate", edit(`"epochs": 1`, `"epochs": 1, "description": "x\udc00"`), `bad description "x\ufffd": want text without U+FFFD`},
		{"not UTF-8", edit(`"epochs": 1`, "\"epochs\": 1, \"name\": \"ab\xffcd\""), "suite: recipe test: not UTF-8 text"},
		{"lr 0 as float32", edit(`"lr": 0.05`, `"lr": 1e-50`), "suite: recipe test: bad lr 1e-50: it is 0 as float32, the precision training computes in"},
		{"lr infinite as float32", edit(`"lr": 0.05`, `"lr": 1e300`), "bad lr 1e300: it is infinite as float32, the precision training computes in (want at most 3.4028234663852886e+38)"},
		{"momentum 1 as float32", edit(`"momentum": 0.9`, `"momentum": 0.99999999999`), "bad momentum 0.99999999999: it is 1 as float32, the precision training computes in (want at most 0.9999999403953552)"},
		{"momentum 0 as float32", edit(`"momentum": 0.9`, `"momentum": 1e-50`), "bad momentum 1e-50: it is 0 as float32"},
		// -0 trains as 0 but would name its runs with other keys.
		{"momentum -0", edit(`"momentum": 0.9`, `"momentum": -0.0`), "suite: recipe test: bad momentum -0.0: want 0, not -0: the same setting would name its runs with other keys than 0's"},
		{"weight decay -0", edit(`"weight_decay": 0`, `"weight_decay": -0`), "suite: recipe test: bad weight_decay -0: want 0, not -0"},
		{"weight decay 0 as float32", edit(`"weight_decay": 0`, `"weight_decay": 1e-300`), "bad weight_decay 1e-300: it is 0 as float32"},
		// float32 would hold these with fewer digits than written.
		{"lr subnormal as float32", edit(`"lr": 0.05`, `"lr": 1.2345678e-40`), "suite: recipe test: bad lr 1.2345678e-40: it is 1.23457e-40 as float32, the precision training computes in: a subnormal, which holds fewer digits (want 0 or a magnitude at least 1.1754944e-38)"},
		{"momentum subnormal as float32", edit(`"momentum": 0.9`, `"momentum": 1e-39`), "bad momentum 1e-39: it is 1e-39 as float32, the precision training computes in: a subnormal"},
		{"weight decay subnormal as float32", edit(`"weight_decay": 0`, `"weight_decay": 1.1754942e-38`), "bad weight_decay 1.1754942e-38: it is 1.1754942e-38 as float32, the precision training computes in: a subnormal"},
		{"weight decay infinite as float32", edit(`"weight_decay": 0`, `"weight_decay": 1e300`), "bad weight_decay 1e300: it is infinite as float32"},
		{"adam first step", edit(`"sgd", "lr": 0.05, "momentum": 0.9`, `"adam", "lr": 1e38`), "bad lr 1e38: Adam's first step, lr/(1 − β1) = 1.0000000000000001e+39, is infinite as float32, the precision training computes in (want lr at most 3.402823466385288e+37)"},
		// A nonzero literal below float64's range decoded to 0 without a
		// word and was refused as "bad width 0", or trained as momentum 0.
		{"width underflows", edit(`"epochs": 1`, `"epochs": 1, "width": 1e-400`), "suite: recipe test: bad width 1e-400: it underflows to 0 in float64 (its smallest magnitude is 5e-324), so the recipe would not hold the value written"},
		// Tried as a new user would: encoding/json refused 1e400 as if the
		// key were wrong, listing the recipe's keys, and a subnormal was
		// held with fewer digits than written.
		{"lr overflows", edit(`"lr": 0.05`, `"lr": 1e400`), "suite: recipe test: bad lr 1e400: it overflows float64 to +Inf (its largest magnitude is 1.7976931348623157e+308), so the recipe would not hold the value written"},
		{"width overflows", edit(`"epochs": 1`, `"epochs": 1, "width": -1E999`), "bad width -1E999: it overflows float64 to -Inf"},
		{"validation subnormal", edit(`"epochs": 1`, `"epochs": 1, "validation": 1e-310`), "bad validation 1e-310: it underflows to a subnormal in float64, 1e-310, which holds fewer digits (its smallest normal magnitude is 2.2250738585072014e-308), so the recipe would not hold the value written"},
		{"weight decay subnormal", edit(`"weight_decay": 0`, `"weight_decay": 1e-320`), "bad weight_decay 1e-320: it underflows to a subnormal in float64"},
		{"lr underflows", edit(`"lr": 0.05`, `"lr": 0.0001E-330`), "bad lr 0.0001E-330: it underflows to 0"},
		{"momentum underflows", edit(`"momentum": 0.9`, `"momentum": 1e-400`), "bad momentum 1e-400: it underflows to 0"},
		{"weight decay underflows", edit(`"weight_decay": 0`, `"weight_decay": -2.5e-400`), "bad weight_decay -2.5e-400: it underflows to 0"},
		{"validation underflows", edit(`"epochs": 1`, `"epochs": 1, "validation": 1e-999`), "bad validation 1e-999: it underflows to 0"},
		{"width 0 with an exponent", edit(`"epochs": 1`, `"epochs": 1, "width": 0.0e-400`), "bad width 0.0e-400: want a number > 0"},
		{"not json", "epochs: 1", "want one JSON object"},
		{"trailing", goodRecipe + "{}", "want one JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRecipe(strings.NewReader(tt.json), "test")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ParseRecipe() error = %v, want one containing %q", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "suite: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

// TestLoadRecipeAmbiguous: --recipe quick read the built-in recipe even
// where a recipe file named quick stood in the working directory, the
// file given (as its name) and left unread. Such a name is refused; a
// directory of the name (an --out) is no recipe file, and leaves the
// built-in one.
func TestLoadRecipeAmbiguous(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := os.Mkdir("fmnist-10", 0o755); err != nil {
		t.Fatal(err)
	}
	if r, err := LoadRecipe("fmnist-10"); err != nil || r.Name != "fmnist-10" {
		t.Errorf("LoadRecipe(fmnist-10) beside a directory of that name = %v, %v; want the built-in recipe", r, err)
	}
	if err := os.WriteFile("quick", []byte(goodRecipe), 0o644); err != nil {
		t.Fatal(err)
	}
	want := `suite: recipe "quick" names both a built-in recipe and the file quick in this directory: write ` + "." + string(filepath.Separator) + "quick for the file, or run elsewhere for the built-in one"
	if _, err := LoadRecipe("quick"); err == nil || err.Error() != want {
		t.Errorf("LoadRecipe(quick) beside a file quick: %v, want %s", err, want)
	}
	if r, err := LoadRecipe("./quick"); err != nil || r.Name != "quick" || r.Epochs != 1 {
		t.Errorf("LoadRecipe(./quick) = %+v, %v; want the file's recipe", r, err)
	}
	// The built-in recipes are listed (gradbench list) wherever it runs.
	if n := len(Recipes()); n != len(RecipeNames()) {
		t.Errorf("Recipes() beside a file quick: %d recipes, want %d", n, len(RecipeNames()))
	}
}

func TestLoadRecipeUnknown(t *testing.T) {
	_, err := LoadRecipe("fmnist10")
	if err == nil || !strings.Contains(err.Error(), `unknown recipe "fmnist10" (have cifar10-paper, fmnist-10, imagenet-paper, quick`) {
		t.Errorf("LoadRecipe(fmnist10) error = %v, want the list of recipes", err)
	}
	_, err = LoadRecipe(filepath.Join(t.TempDir(), "none.json"))
	if err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("LoadRecipe(missing file) error = %v, want no such file", err)
	}
}

func TestLRAt(t *testing.T) {
	r := &Recipe{LR: 0.1, Schedule: "cosine"}
	for _, tt := range []struct {
		step, steps int
		want        float64
	}{{0, 100, 0.1}, {50, 100, 0.05}, {100, 100, 0}} {
		if got := r.LRAt(tt.step, tt.steps); got < tt.want-1e-12 || got > tt.want+1e-12 {
			t.Errorf("LRAt(%d, %d) = %g, want %g", tt.step, tt.steps, got, tt.want)
		}
	}
	r.Schedule = "constant"
	if got := r.LRAt(99, 100); got != 0.1 {
		t.Errorf("constant LRAt(99, 100) = %g, want 0.1", got)
	}
}

// TestLRAtRefuses checks that LRAt refuses a step outside [0, steps] and
// steps < 1, for which it used to return rates off the schedule (the
// cosine climbing back after the end, the peak for steps <= 0).
func TestLRAtRefuses(t *testing.T) {
	r, err := LoadRecipe("quick")
	if err != nil {
		t.Fatal(err)
	}
	for _, schedule := range []string{"cosine", "constant"} {
		r.Schedule = schedule
		for _, tt := range [][2]int{{150, 100}, {200, 100}, {101, 100}, {-50, 100}, {-1, 100}, {5, 0}, {5, -10}, {0, 0}} {
			t.Run(fmt.Sprintf("%s/%d,%d", schedule, tt[0], tt[1]), func(t *testing.T) {
				want := fmt.Sprintf("suite: Recipe.LRAt(%d, %d): want steps >= 1 and step in [0, steps]", tt[0], tt[1])
				if msg := texttest.Panic(func() { r.LRAt(tt[0], tt[1]) }); msg != want {
					t.Errorf("panic %q, want %q", msg, want)
				}
			})
		}
	}
	r.Schedule = "cosine"
	if got := r.LRAt(100, 100); got != 0 {
		t.Errorf("LRAt(100, 100) = %g, want 0 (the end of the run)", got)
	}
}

// TestParseRecipeNilReader checks that a nil reader is refused with an
// error, not a nil dereference.
func TestParseRecipeNilReader(t *testing.T) {
	var r *Recipe
	var err error
	if msg := texttest.Panic(func() { r, err = ParseRecipe(nil, "x") }); msg != "" {
		t.Fatalf("ParseRecipe(nil) panicked: %s", msg)
	}
	if r != nil || err == nil || err.Error() != "suite: recipe x: nil reader, want one to read the JSON from" {
		t.Errorf("ParseRecipe(nil) = %v, %v, want the nil reader refused", r, err)
	}
}

// TestRecipeZeroLiterals: a zero written in any form, with an exponent
// however small, is still 0 and accepted where 0 is (only a nonzero
// literal that underflows is refused).
func TestRecipeZeroLiterals(t *testing.T) {
	for _, lit := range []string{"0", "0.0", "0e-400", "0.000E+5"} {
		r, err := ParseRecipe(strings.NewReader(strings.Replace(goodRecipe, `"weight_decay": 0`, `"weight_decay": `+lit, 1)), "test")
		if err != nil || r.WeightDecay != 0 {
			t.Errorf("weight_decay %s: %+v, %v; want 0 accepted", lit, r, err)
		}
	}
}

// TestRecipeSmallestNormal: a value whose nearest float32 is float32's
// smallest normal magnitude trains as that number, a normal one, and is
// taken: 1.1754943e-38 was refused as "it is 1.1754944e-38 as float32
// ...: a subnormal", the very magnitude the error asked for.
func TestRecipeSmallestNormal(t *testing.T) {
	r, err := ParseRecipe(strings.NewReader(strings.Replace(goodRecipe, `"weight_decay": 0`, `"weight_decay": 1.1754943e-38`, 1)), "test")
	if err != nil || float32(r.WeightDecay) != 0x1p-126 {
		t.Errorf("weight_decay 1.1754943e-38: %+v, %v; want it taken as float32's smallest normal magnitude", r, err)
	}
}

// TestLoadRecipeDirectory: a directory given as the recipe (the recipes
// folder, a runs directory) was read as a file, "suite: recipe: read
// recipes: is a directory (in recipes)".
func TestLoadRecipeDirectory(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	os.Mkdir("recipes", 0o755)
	for _, name := range []string{"recipes", dir} {
		want := "suite: recipe file " + name + " is a directory: want a built-in recipe (cifar10-paper, fmnist-10, imagenet-paper, quick, study) or a recipe's JSON file"
		if _, err := LoadRecipe(name); err == nil || err.Error() != want {
			t.Errorf("LoadRecipe(%s) error = %v\nwant %s", name, err, want)
		}
	}
}

// TestRecipeWrongTypes: tried as a new user would, a value of the wrong
// JSON type was refused in encoding/json's words, "json: cannot
// unmarshal string into Go struct field Recipe.epochs of type int",
// followed by the recipe's keys, as if the key were unknown. The error
// names the key, quotes the value as written and says what the key wants.
func TestRecipeWrongTypes(t *testing.T) {
	for _, tc := range []struct{ old, new, want string }{
		{`"epochs": 1`, `"epochs": "1"`, `suite: recipe test: bad epochs "1": want an integer from 1 to 1000000, not a string`},
		{`"epochs": 1`, `"epochs": 1.0`, `suite: recipe test: bad epochs 1.0: want an integer from 1 to 1000000, without a fraction or an exponent`},
		{`"epochs": 1`, `"epochs": 1e0`, `suite: recipe test: bad epochs 1e0: want an integer from 1 to 1000000, without a fraction or an exponent`},
		{`"batch": 8`, `"batch": true`, `suite: recipe test: bad batch true: want an integer >= 1, not true or false`},
		{`"lr": 0.05`, `"lr": "0.05"`, `suite: recipe test: bad lr "0.05": want a number, not a string`},
		{`"augment": false`, `"augment": "false"`, `suite: recipe test: bad augment "false": want true or false, not a string`},
		{`"augment": false`, `"augment": 0`, `suite: recipe test: bad augment 0: want true or false, not a number`},
		{`"model": "resnet20"`, `"model": ["resnet20"]`, `suite: recipe test: bad model ["resnet20"]: want a string, not an array`},
		{`"schedule": "cosine"`, `"schedule": {"name": "cosine"}`, `suite: recipe test: bad schedule {"name": "cosine"}: want a string, not an object`},
	} {
		if !strings.Contains(goodRecipe, tc.old) {
			t.Fatalf("test recipe has no %q", tc.old)
		}
		_, err := ParseRecipe(strings.NewReader(strings.Replace(goodRecipe, tc.old, tc.new, 1)), "test")
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s: error\n%v\nwant\n%s", tc.new, err, tc.want)
		}
	}
}

// TestRecipeByteOrderMark: a recipe file saved by an editor that starts
// UTF-8 text with a byte order mark was refused as "invalid character
// 'ï' looking for beginning of value", a character the file does not
// show. The error says what is there and what to do.
func TestRecipeByteOrderMark(t *testing.T) {
	_, err := ParseRecipe(strings.NewReader("\ufeff"+goodRecipe), "test")
	want := "suite: recipe test: the file starts with a byte order mark (U+FEFF), which JSON does not allow: save it as UTF-8 without one"
	if err == nil || err.Error() != want {
		t.Errorf("error\n%v\nwant\n%s", err, want)
	}
}
