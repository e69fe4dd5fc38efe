package suite

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gradbench/gradbench/internal/cli"
)

// A Recipe is how a network is trained: the default model and dataset, the
// optimizer and its schedule, the number of epochs. The built-in recipes are
// JSON files embedded in the binary (suite/recipes/*.json); a user recipe is
// a JSON file with the same keys. Unknown keys, keys given twice, keys
// that differ from a recipe key only in case, null values, and numbers
// float64 does not hold as written (1e-400, which would decode to 0,
// 1e400, or a subnormal such as 1e-310) are errors, so that a typo never silently falls back to a default or the
// zero value and no value is silently overridden.
//
// Required keys: model, dataset, epochs, batch, optimizer, lr, weight_decay,
// schedule, augment. Optional: name (default: the file name without
// extension), description, width (default 1), momentum (SGD only, default
// 0), train_subset and test_subset (default 0, the whole split),
// validation (default 0.1).
type Recipe struct {
	// Name labels the recipe in tables; it is not part of a run's key, so
	// two recipes with the same values share cached runs.
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`

	// Model and Dataset are the default workload; the command line may
	// override both.
	Model   string  `json:"model"`
	Dataset string  `json:"dataset"`
	Width   float64 `json:"width"` // width multiplier of the model, > 0

	Epochs int `json:"epochs"` // >= 1
	// Batch is the training batch size, >= 1 and at most the images
	// trained on; and where the model's BatchNorm layers see one value per
	// channel for an image (models.Model.NormValues), >= 2 and leaving no
	// last batch of one image (checkNormBatch).
	Batch int `json:"batch"`

	// Optimizer is "sgd" (with Momentum in [0, 1)) or "adam" (β1 0.9,
	// β2 0.999, ε 1e-8, as PyTorch's defaults).
	Optimizer   string  `json:"optimizer"`
	LR          float64 `json:"lr"`       // peak learning rate, > 0
	Momentum    float64 `json:"momentum"` // SGD momentum
	WeightDecay float64 `json:"weight_decay"`
	// Schedule is the learning-rate schedule over training steps:
	// "cosine" (lr·(1 + cos(π·step/steps))/2, decaying to 0) or "constant".
	Schedule string `json:"schedule"`
	// Augment turns on the dataset's training augmentation (random crop
	// with zero padding and horizontal flip).
	Augment bool `json:"augment"`

	// TrainSubset and TestSubset, when > 0, train and evaluate on that
	// many images of each split, drawn stratified by class: the training
	// subset from the run's seed (the same for every estimator of a seed),
	// the test subset once for all runs. A subset larger than its split
	// is an error when the data is loaded (Runner.Prepare): it would
	// train on fewer images than the key and the tables say.
	TrainSubset int `json:"train_subset,omitempty"`
	TestSubset  int `json:"test_subset,omitempty"`

	// Validation is the fraction of the training split that a sweep with a
	// learning-rate grid (Sweep.LRGrid) holds out as its validation split,
	// in (0, 0.5], of the split's images rounded to the nearest whole
	// image (holdoutSize): chosen from the run's seed, stratified by class, never
	// trained on, and the only split learning rates are selected on (see
	// data.Config.Holdout). Runs without a grid train on the whole split
	// (or TrainSubset of it) and do not use it.
	Validation float64 `json:"validation,omitempty"`
}

// DefaultValidation is the validation fraction of a recipe that sets none:
// 10% of the training split (6000 of Fashion-MNIST's 60000 images).
const DefaultValidation = 0.1

//go:embed recipes/*.json
var recipeFiles embed.FS

// requiredRecipeKeys are the keys a recipe file must set.
var requiredRecipeKeys = []string{"augment", "batch", "dataset", "epochs", "lr", "model", "optimizer", "schedule", "weight_decay"}

// RecipeNames returns the names of the built-in recipes, sorted.
func RecipeNames() []string {
	ents, err := recipeFiles.ReadDir("recipes")
	if err != nil {
		panic("suite: embedded recipes: " + err.Error())
	}
	var names []string
	for _, e := range ents {
		names = append(names, strings.TrimSuffix(e.Name(), ".json"))
	}
	sort.Strings(names)
	return names
}

// Recipes returns the built-in recipes, sorted by name.
func Recipes() []*Recipe {
	var rs []*Recipe
	for _, n := range RecipeNames() {
		b, err := recipeFiles.ReadFile("recipes/" + n + ".json")
		if err != nil {
			panic("suite: embedded recipes: " + err.Error())
		}
		r, err := ParseRecipe(bytes.NewReader(b), n)
		if err != nil {
			panic(err) // the embedded files are tested
		}
		rs = append(rs, r)
	}
	return rs
}

// LoadRecipe returns the built-in recipe of that name or, when nameOrFile
// names an existing file or looks like a path (holds a path separator or
// ends in .json), the recipe in that file. A built-in recipe's name that
// is also a file in the working directory is refused, as either reading
// would leave the other unread: ./name is the file.
func LoadRecipe(nameOrFile string) (*Recipe, error) {
	if !strings.ContainsAny(nameOrFile, `/\.`) {
		if b, err := recipeFiles.ReadFile("recipes/" + nameOrFile + ".json"); err == nil {
			// A file of that name here is what the name means as well:
			// reading either would leave the other unread without a word.
			if st, err := os.Stat(nameOrFile); err == nil && st.Mode().IsRegular() {
				return nil, fmt.Errorf("suite: recipe %q names both a built-in recipe and the file %s in this directory: write %s for the file, or run elsewhere for the built-in one",
					nameOrFile, nameOrFile, "."+string(filepath.Separator)+nameOrFile)
			}
			return ParseRecipe(bytes.NewReader(b), nameOrFile)
		}
	}
	if st, err := os.Stat(nameOrFile); err != nil {
		if strings.ContainsAny(nameOrFile, `/\`) || strings.HasSuffix(nameOrFile, ".json") {
			return nil, wrapErr("suite: recipe file", err)
		}
		return nil, fmt.Errorf("suite: unknown recipe %q (have %s, or a recipe file)", nameOrFile, strings.Join(RecipeNames(), ", "))
	} else if st.IsDir() {
		return nil, fmt.Errorf("suite: recipe file %s is a directory: want a built-in recipe (%s) or a recipe's JSON file", nameOrFile, strings.Join(RecipeNames(), ", "))
	}
	f, err := os.Open(nameOrFile)
	if err != nil {
		return nil, wrapErr("suite: recipe file", err)
	}
	defer f.Close()
	name := strings.TrimSuffix(filepath.Base(nameOrFile), filepath.Ext(nameOrFile))
	r, err := ParseRecipe(f, name)
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, nameOrFile)
	}
	return r, nil
}

// ParseRecipe reads and validates one JSON recipe. defaultName is used when
// the file has no "name" key; a "name" given empty is refused. A nil rd is
// refused with an error, as a recipe that cannot be read.
func ParseRecipe(rd io.Reader, defaultName string) (*Recipe, error) {
	if rd == nil {
		return nil, fmt.Errorf("suite: recipe %s: nil reader, want one to read the JSON from", defaultName)
	}
	b, err := io.ReadAll(rd)
	if err != nil {
		return nil, wrapErr("suite: recipe", err)
	}
	// encoding/json would replace invalid UTF-8, and an escaped lone
	// surrogate ("\ud800"), by U+FFFD without a word.
	if !utf8.Valid(b) {
		return nil, fmt.Errorf("suite: recipe %s: not UTF-8 text", defaultName)
	}
	// encoding/json would name its first byte as 'ï', a character the
	// file does not show.
	if bytes.HasPrefix(b, []byte("\ufeff")) {
		return nil, fmt.Errorf("suite: recipe %s: the file starts with a byte order mark (U+FEFF), which JSON does not allow: save it as UTF-8 without one", defaultName)
	}
	// Presence of required keys: decode into a map first.
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(b, &keys); err != nil {
		return nil, fmt.Errorf("suite: recipe %s: want one JSON object: %w", defaultName, err)
	}
	if err := checkStrictJSON(b); err != nil {
		return nil, fmt.Errorf("suite: recipe %s: %w", defaultName, err)
	}
	if err := checkRecipeKeys(keys); err != nil {
		return nil, fmt.Errorf("suite: recipe %s: %w", defaultName, err)
	}
	if err := checkRecipeNumbers(keys, defaultName); err != nil {
		return nil, err
	}
	r := &Recipe{Width: 1, Validation: DefaultValidation}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(r); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			if _, ok := keys[te.Field]; ok {
				return nil, recipeTypeError(keys, te, defaultName)
			}
		}
		return nil, fmt.Errorf("suite: recipe %s: %w (known keys: %s)", defaultName, err, strings.Join(recipeKeys(), ", "))
	}
	var missing []string
	for _, k := range requiredRecipeKeys {
		if _, ok := keys[k]; !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		// A recipe file is read as a whole recipe, not as changes to one
		// (the flags --model, --epochs and the like change one value).
		return nil, fmt.Errorf("suite: recipe %s: missing required keys %s: a recipe file gives every key, not only those it changes (the built-in recipes, suite/recipes/*.json in the source, are complete files to copy; --model, --dataset, --width and --epochs change one value of a recipe)", defaultName, strings.Join(missing, ", "))
	}
	if r.Name == "" {
		if _, ok := keys["name"]; ok {
			// Given empty, not left out: naming the recipe after the
			// file would not be the value given.
			return nil, fmt.Errorf("suite: recipe %s: key \"name\" is \"\": give the recipe a name, or leave the key out to name it after its file (%s)", defaultName, defaultName)
		}
		r.Name = defaultName
	}
	if err := r.validate(keys); err != nil {
		return nil, err
	}
	return r, nil
}

// asWritten returns the value v of the recipe key as written holds it, the
// recipe file's own text for the key, or else v as fmt.Sprint formats it
// (a float64 in Go's shortest form). A number decoded reads otherwise
// than the file wrote it ("epochs": -0 is the int 0, "lr": 1e300 is
// 1e+300, "momentum": 1.0 is 1), and an error naming the decoded value
// names one the user does not find in the file.
func asWritten(written map[string]json.RawMessage, key string, v any) string {
	if raw, ok := written[key]; ok {
		return string(bytes.TrimSpace(raw))
	}
	return fmt.Sprint(v)
}

// recipeFloatKeys are the JSON keys of a Recipe's float64 fields.
var recipeFloatKeys = func() []string {
	var ks []string
	t := reflect.TypeFor[Recipe]()
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Type.Kind() == reflect.Float64 {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			ks = append(ks, name)
		}
	}
	return ks
}()

// recipeIntWant says, for each of a Recipe's int fields by its JSON key,
// what Validate wants of it.
var recipeIntWant = []struct{ key, want string }{
	{"epochs", fmt.Sprintf("an integer from 1 to %d", MaxEpochs)},
	{"batch", "an integer >= 1"},
	{"train_subset", "an integer >= 0 (0: the whole split)"},
	{"test_subset", "an integer >= 0 (0: the whole split)"},
}

// intWant returns what Validate wants of the int key k (recipeIntWant).
func intWant(k string) string {
	i := slices.IndexFunc(recipeIntWant, func(w struct{ key, want string }) bool { return w.key == k })
	return recipeIntWant[i].want
}

// checkRecipeNumbers refuses a number key of the recipe that float64
// does not hold as written (cli.ParseFloat): encoding/json refuses one
// that overflows with its own words and the recipe's keys, as if the key
// were wrong, and rounds one below float64's smallest magnitude, such as
// "width": 1e-400, to 0 without a word (the recipe was then refused as
// "bad width 0", a value it does not hold, or, for momentum and
// weight_decay, trained as 0), or a subnormal one to fewer digits. It runs
// before the recipe is decoded, naming the recipe by its "name" key if
// that is a recipe name. Likewise an integer key past this build's int
// (past 2^31 on a 32-bit build, 2^63 on a 64-bit one), which
// encoding/json also refuses in its own words, is refused with what
// Validate wants of the key.
func checkRecipeNumbers(keys map[string]json.RawMessage, defaultName string) error {
	name := recipeLabel(keys, defaultName)
	for _, k := range recipeFloatKeys {
		raw, ok := keys[k]
		if !ok {
			continue
		}
		lit := string(bytes.TrimSpace(raw))
		if _, err := cli.ParseFloat(lit); errors.Is(err, strconv.ErrRange) {
			return fmt.Errorf("suite: recipe %s: bad %s %s: it %v, so the recipe would not hold the value written", name, k, lit, err)
		}
	}
	for _, k := range recipeIntWant {
		raw, ok := keys[k.key]
		if !ok {
			continue
		}
		lit := string(bytes.TrimSpace(raw))
		if _, err := strconv.Atoi(lit); errors.Is(err, strconv.ErrRange) {
			want := k.want
			if k.key != "epochs" { // epochs are bounded well within an int
				want += fmt.Sprintf(" that this build's int holds (at most %d)", math.MaxInt)
			}
			return fmt.Errorf("suite: recipe %s: bad %s %s: want %s", name, k.key, lit, want)
		}
	}
	return nil
}

// recipeLabel names a recipe in an error found before it is decoded: by
// its "name" key if that is a recipe name, else by defaultName.
func recipeLabel(keys map[string]json.RawMessage, defaultName string) string {
	if raw, ok := keys["name"]; ok {
		var n string
		if json.Unmarshal(raw, &n) == nil && recipeName(n) {
			return n
		}
	}
	return defaultName
}

// recipeTypeError says what is wrong with a value of the wrong JSON type,
// te, in the recipe's own words (encoding/json's speak of Go struct
// fields, and were followed by the recipe's keys, as if the key were
// unknown): the key, the value as written, what the key wants and what
// was given.
func recipeTypeError(keys map[string]json.RawMessage, te *json.UnmarshalTypeError, defaultName string) error {
	var want string
	switch te.Type.Kind() {
	case reflect.Int:
		want = intWant(te.Field)
	case reflect.Float64:
		want = "a number"
	case reflect.Bool:
		want = "true or false"
	default:
		want = "a string"
	}
	kind, _, _ := strings.Cut(te.Value, " ")
	switch {
	case kind == "number" && te.Type.Kind() == reflect.Int:
		want += ", without a fraction or an exponent"
	case kind == "bool":
		want += ", not true or false"
	case kind == "array" || kind == "object":
		want += ", not an " + kind
	default:
		want += ", not a " + kind
	}
	return fmt.Errorf("suite: recipe %s: bad %s %s: want %s", recipeLabel(keys, defaultName), te.Field, bytes.TrimSpace(keys[te.Field]), want)
}

// checkRecipeKeys refuses what encoding/json would accept but a reader of
// the file would not expect: a key that is not exactly one of the
// recipe's keys (encoding/json matches keys case-insensitively, with
// Unicode folding, so "Epochs" or "ſchedule" would set a value, and
// "epochs" and "Epochs" together would keep the last), and a null value
// (which would leave the key's zero value or its default while the key
// counts as given).
func checkRecipeKeys(keys map[string]json.RawMessage) error {
	known := recipeKeys()
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if !slices.Contains(known, k) {
			for _, kk := range known {
				if strings.EqualFold(k, kk) {
					return fmt.Errorf("key %q is not a recipe key: keys are matched exactly; did you mean %q?", k, kk)
				}
			}
			return fmt.Errorf("unknown field %q (known keys: %s)", k, strings.Join(known, ", "))
		}
		if string(bytes.TrimSpace(keys[k])) == "null" {
			return fmt.Errorf("key %q is null: give a value, or leave out a key that is optional", k)
		}
	}
	return nil
}

// recipeKeys lists the JSON keys of a Recipe, sorted.
func recipeKeys() []string {
	var ks []string
	b, _ := json.Marshal(&Recipe{Description: "x", TrainSubset: 1, TestSubset: 1, Validation: 1})
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// MaxEpochs is the most epochs a recipe (or --epochs) may ask for: far
// beyond any study, and small enough that a run's step count, epochs
// times batches per epoch, cannot overflow a 64-bit int (2^62 epochs had
// wrapped it negative, and the cosine schedule then gave lr 0 at every
// step); a 32-bit build refuses a count past its int (checkBatch).
const MaxEpochs = 1_000_000

// recipeName reports whether name is a recipe name: a non-empty word of
// printable characters with no space of any kind, no slash or backslash
// (a recipe is looked up by name or by path) and no | (names head
// markdown tables).
func recipeName(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range name {
		if !unicode.IsPrint(c) || unicode.IsSpace(c) || c == utf8.RuneError || strings.ContainsRune(`/\|`, c) {
			return false
		}
	}
	return true
}

// Validate checks every value of the recipe. It does not check that the
// model and dataset exist; NewWorkload does.
func (r *Recipe) Validate() error { return r.validate(nil) }

// validate is Validate, naming a bad number as written, the recipe's
// keys as its file wrote them (ParseRecipe), holds it (asWritten).
func (r *Recipe) validate(written map[string]json.RawMessage) error {
	bad := func(key string, got any, want string) error {
		return fmt.Errorf("suite: recipe %s: bad %s %v: want %s", r.Name, key, got, want)
	}
	// num names the number of key, v, as written.
	num := func(key string, v any) string { return asWritten(written, key, v) }
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	switch {
	case !recipeName(r.Name):
		return fmt.Errorf("suite: recipe name %+q: want a word without spaces or slashes (printable characters, no \\ or |)", r.Name)
	case strings.ContainsRune(r.Description, utf8.RuneError):
		return bad("description", fmt.Sprintf("%+q", r.Description), "text without U+FFFD, which an unpaired surrogate escape such as \\ud800 decodes to")
	case r.Model == "":
		return bad("model", `""`, "a model name")
	case r.Dataset == "":
		return bad("dataset", `""`, "a dataset name")
	case !(r.Width > 0) || !finite(r.Width):
		return bad("width", num("width", r.Width), "a number > 0")
	case r.Epochs < 1 || r.Epochs > MaxEpochs:
		return bad("epochs", num("epochs", r.Epochs), intWant("epochs"))
	case r.Batch < 1:
		return bad("batch", num("batch", r.Batch), intWant("batch"))
	case r.Optimizer != "sgd" && r.Optimizer != "adam":
		return bad("optimizer", fmt.Sprintf("%q", r.Optimizer), "sgd or adam")
	case !(r.LR > 0) || !finite(r.LR):
		return bad("lr", num("lr", r.LR), "a number > 0")
	case !(r.Momentum >= 0 && r.Momentum < 1):
		return bad("momentum", num("momentum", r.Momentum), "a number in [0, 1)")
	case r.Momentum == 0 && math.Signbit(r.Momentum):
		return bad("momentum", num("momentum", "-0"), "0, not -0: the same setting would name its runs with other keys than 0's")
	case r.Optimizer == "adam" && r.Momentum != 0:
		return bad("momentum", num("momentum", r.Momentum), "no momentum with adam (it uses β1 = 0.9)")
	case !(r.WeightDecay >= 0) || !finite(r.WeightDecay):
		return bad("weight_decay", num("weight_decay", r.WeightDecay), "a number >= 0")
	case r.WeightDecay == 0 && math.Signbit(r.WeightDecay):
		return bad("weight_decay", num("weight_decay", "-0"), "0, not -0: the same setting would name its runs with other keys than 0's")
	case r.Schedule != "cosine" && r.Schedule != "constant":
		return bad("schedule", fmt.Sprintf("%q", r.Schedule), "cosine or constant")
	case r.TrainSubset < 0:
		return bad("train_subset", num("train_subset", r.TrainSubset), intWant("train_subset"))
	case r.TestSubset < 0:
		return bad("test_subset", num("test_subset", r.TestSubset), intWant("test_subset"))
	case !(r.Validation > 0 && r.Validation <= 0.5):
		return bad("validation", num("validation", r.Validation), "a fraction of the training split in (0, 0.5]")
	}
	return checkFloat32Settings("suite: recipe "+r.Name, r.Optimizer, r.LR, r.Momentum, r.WeightDecay, written)
}

// LRAt returns the learning rate at a training step (0-based) of a run of
// steps steps, as nn.Cosine or nn.Constant gives it; step = steps, the end
// of the run, gives the cosine schedule's final 0. steps < 1 or a step
// outside [0, steps] is a programmer error and panics with a message
// naming Recipe.LRAt and the values.
func (r *Recipe) LRAt(step, steps int) float64 {
	if steps < 1 || step < 0 || step > steps {
		panic(fmt.Sprintf("suite: Recipe.LRAt(%d, %d): want steps >= 1 and step in [0, steps]", step, steps))
	}
	if r.Schedule == "constant" {
		return r.LR
	}
	return r.LR * 0.5 * (1 + math.Cos(math.Pi*float64(step)/float64(steps)))
}
