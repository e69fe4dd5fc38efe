package suite

import (
	"reflect"
	"testing"

	"github.com/gradbench/gradbench/estimators"
)

// TestKeyCoversEveryRecipeField guards the result cache: a value of the
// recipe that changes what a run trains but is left out of its key would
// give a run of the changed recipe the record of the old one. Every field
// of Recipe but its labels (name, description) is changed in turn, by
// reflection so that a field added later is covered too, and each change
// must give a key of its own. TestKey pins the key of one recipe; fields
// at their zero value there (augment, weight decay, the subsets) are the
// ones only this test covers.
func TestKeyCoversEveryRecipeField(t *testing.T) {
	labels := map[string]bool{"Name": true, "Description": true}
	base := testWorkload(t)
	key := func(w Workload, grid bool) string {
		c := Cell{Workload: &w, Spec: estimators.MustParse("ste"), Seed: 1}
		if grid {
			// The validation fraction is a grid cell's alone: a run
			// without a grid holds out no images whatever it says.
			c.LRScale = 1
		}
		return c.Key()
	}
	rt := reflect.TypeOf(Recipe{})
	seen := map[string]string{key(base, false): "base", key(base, true): "base grid"}
	for i := range rt.NumField() {
		f := rt.Field(i)
		if labels[f.Name] {
			continue
		}
		w := base
		v := reflect.ValueOf(&w.Recipe).Elem().Field(i)
		switch v.Kind() {
		case reflect.String:
			v.SetString(v.String() + "x")
		case reflect.Int:
			v.SetInt(v.Int() + 1)
		case reflect.Float64:
			v.SetFloat(v.Float() + 0.125)
		case reflect.Bool:
			v.SetBool(!v.Bool())
		default:
			t.Fatalf("Recipe.%s is a %s: teach this test to change it", f.Name, v.Kind())
		}
		grid := f.Name == "Validation"
		k := key(w, grid)
		if other, dup := seen[k]; dup {
			t.Errorf("Recipe.%s changed: key %s, the same as %s's: the field is left out of the run key", f.Name, k, other)
		}
		seen[k] = f.Name
	}

	// The optimizer axis of a sweep: each optimizer's cell trains
	// otherwise, so each has a key of its own.
	keys := map[string]string{}
	for _, opt := range []string{"", "sgd", "adam", "bop"} {
		w := base
		c := Cell{Workload: &w, Spec: estimators.MustParse("ste"), Seed: 1, Optimizer: opt}
		if opt == "sgd" {
			// The recipe's own optimizer: the same run as no axis.
			if k := c.Key(); k != key(base, false) {
				t.Errorf("optimizer %s, the recipe's: key %s, want the cell's without the axis, %s", opt, k, key(base, false))
			}
			continue
		}
		if other, dup := keys[c.Key()]; dup {
			t.Errorf("optimizer %q: key %s, the same as optimizer %q's", opt, c.Key(), other)
		}
		keys[c.Key()] = opt
	}
}
