package suite

import (
	"strings"
	"testing"
)

// TestRecipeValuesAsWritten: a bad number of a recipe file was named by
// the value it decodes to, not as the file wrote it: "epochs": -0 was
// refused as "bad epochs 0", "lr": 1e300 as "bad lr 1e+300", so that
// the user, searching the file for the value the error named, did not
// find it. Every number key is named as written.
func TestRecipeValuesAsWritten(t *testing.T) {
	for _, tc := range []struct{ old, new, want string }{
		{`"epochs": 1`, `"epochs": -0`, "bad epochs -0: want an integer from 1 to 1000000"},
		{`"batch": 8`, `"batch": -0`, "bad batch -0: want an integer >= 1"},
		{`"epochs": 1`, `"epochs": 1, "width": -0.0`, "bad width -0.0: want a number > 0"},
		{`"epochs": 1`, `"epochs": 1, "width": -1.5E0`, "bad width -1.5E0: want a number > 0"},
		{`"lr": 0.05`, `"lr": 0.0`, "bad lr 0.0: want a number > 0"},
		{`"lr": 0.05`, `"lr": 1e300`, "bad lr 1e300: it is infinite as float32"},
		{`"momentum": 0.9`, `"momentum": 1.0`, "bad momentum 1.0: want a number in [0, 1)"},
		{`"momentum": 0.9`, `"momentum": -0e3`, "bad momentum -0e3: want 0, not -0"},
		{`"momentum": 0.9`, `"momentum": 9.9999999999E-1`, "bad momentum 9.9999999999E-1: it is 1 as float32"},
		{`"optimizer": "sgd", "lr": 0.05, "momentum": 0.9`, `"optimizer": "adam", "lr": 0.05, "momentum": 5e-1`, "bad momentum 5e-1: want no momentum with adam"},
		{`"weight_decay": 0`, `"weight_decay": -1e-1`, "bad weight_decay -1e-1: want a number >= 0"},
		{`"weight_decay": 0`, `"weight_decay": -0.00`, "bad weight_decay -0.00: want 0, not -0"},
		{`"weight_decay": 0`, `"weight_decay": 1E-300`, "bad weight_decay 1E-300: it is 0 as float32"},
		{`"epochs": 1`, `"epochs": 1, "train_subset": -5`, "bad train_subset -5: want an integer >= 0"},
		{`"epochs": 1`, `"epochs": 1, "test_subset": -7`, "bad test_subset -7: want an integer >= 0"},
		{`"epochs": 1`, `"epochs": 1, "validation": 6E-1`, "bad validation 6E-1: want a fraction of the training split in (0, 0.5]"},
		{`"epochs": 1`, `"epochs": 1, "validation": 0.000`, "bad validation 0.000: want a fraction"},
		{`"optimizer": "sgd", "lr": 0.05, "momentum": 0.9`, `"optimizer": "adam", "lr": 1.0e38`, "bad lr 1.0e38: Adam's first step"},
	} {
		if !strings.Contains(goodRecipe, tc.old) {
			t.Fatalf("test recipe has no %q", tc.old)
		}
		js := strings.Replace(goodRecipe, tc.old, tc.new, 1)
		_, err := ParseRecipe(strings.NewReader(js), "test")
		if want := "suite: recipe test: " + tc.want; err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("recipe with %s: error %v, want %q...", tc.new, err, want)
		}
	}
}
