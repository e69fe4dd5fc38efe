package suite

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// FuzzRecipe: ParseRecipe never panics, and a recipe it accepts is valid
// and reads back the same from its own JSON encoding (so that what a
// recipe file says is what runs).
func FuzzRecipe(f *testing.F) {
	for _, name := range RecipeNames() {
		b, err := recipeFiles.ReadFile("recipes/" + name + ".json")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(goodRecipe))
	f.Add([]byte(`{"model": "resnet20", "model": "vgg-small"}`))
	f.Add([]byte(`{"epochs": 1e3, "lr": -0, "width": 1e-320}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseRecipe(bytes.NewReader(b), "fuzz")
		if err != nil {
			return
		}
		if err := r.Validate(); err != nil {
			t.Fatalf("ParseRecipe accepted a recipe Validate refuses: %v\n%s", err, b)
		}
		enc, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseRecipe(bytes.NewReader(enc), "other")
		if err != nil {
			t.Fatalf("the accepted recipe's own encoding is refused: %v\n%s", err, enc)
		}
		if !reflect.DeepEqual(again, r) {
			t.Fatalf("recipe %+v reads back as %+v", r, again)
		}
	})
}

// FuzzRecord: reading a record never panics, and a record it accepts
// agrees with itself and is written and read back unchanged.
func FuzzRecord(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("..", "results", "*", "*.json"))
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil && isKey(strings.TrimSuffix(filepath.Base(p), ".json")) {
			f.Add(b)
		}
	}
	w := testWorkload(f)
	w.Recipe.Epochs = 2
	for _, top1 := range []float64{80, math.NaN()} {
		r := fakeRecord(&w, "fda+na", 1, top1)
		r.Checksum = r.mustChecksum()
		b, _ := json.MarshalIndent(r, "", "\t")
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := decodeRecord("fuzz.json", b)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "suite: record fuzz.json: ") {
				t.Fatalf("error does not name the record: %v", err)
			}
			return
		}
		if err := r.check(); err != nil {
			t.Fatalf("decodeRecord accepted a record check refuses: %v", err)
		}
		dir := t.TempDir()
		want := *r
		if err := WriteRecord(dir, r); err != nil {
			t.Fatalf("an accepted record cannot be written: %v", err)
		}
		got, err := ReadRecord(dir, r.Key)
		if err != nil {
			t.Fatalf("a written record does not read back: %v", err)
		}
		want.Checksum, got.Checksum = "", ""
		a, _ := json.Marshal(&want)
		c, _ := json.Marshal(got)
		if !bytes.Equal(a, c) {
			t.Fatalf("record reads back changed:\n%s\n%s", a, c)
		}
	})
}
