package data

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gradbench/gradbench/internal/idxtest"
	"github.com/gradbench/gradbench/internal/racebuild"
)

// sandbox points every place of the search order into fresh temporary
// directories (the system directory, the user cache, no $GRADBENCH_DATA)
// and returns them.
func sandbox(t testing.TB) (system, cache string) {
	t.Helper()
	system, cache = t.TempDir(), t.TempDir()
	old := systemDir
	systemDir = system
	t.Cleanup(func() { systemDir = old })
	t.Setenv("XDG_CACHE_HOME", cache)
	t.Setenv("HOME", t.TempDir())
	t.Setenv(EnvDataDir, "")
	return system, filepath.Join(cache, "gradbench")
}

func wantErr(t testing.TB, err error, subs ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one containing %q", subs)
	}
	for _, s := range subs {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not contain %q", err, s)
		}
	}
}

func TestOpenSearchOrder(t *testing.T) {
	system, cache := sandbox(t)
	env := t.TempDir()
	explicit := t.TempDir()
	nested := t.TempDir()
	writeIDXSplit(t, filepath.Join(system, "fashion-mnist"), "train", 5, true)
	writeIDXSplit(t, filepath.Join(cache, "fashion-mnist"), "train", 6, true)
	writeIDXSplit(t, filepath.Join(env, "fashion-mnist"), "train", 7, false)
	writeIDXSplit(t, explicit, "train", 8, true)
	writeIDXSplit(t, filepath.Join(nested, "fashion-mnist"), "train", 9, true)
	t.Setenv(EnvDataDir, env)
	ctx := context.Background()
	open := func(opt Options) *Dataset {
		t.Helper()
		opt.Offline = true
		d, err := Open(ctx, "fashion-mnist", Train, opt)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	check := func(what string, d *Dataset, n int, src string) {
		t.Helper()
		if d.N != n || d.Source != src {
			t.Errorf("%s: read %d images from %s, want %d from %s", what, d.N, d.Source, n, src)
		}
	}
	check("explicit directory", open(Options{Dir: explicit}), 8, explicit)
	// The files read, compressed here: what a command's outputs must not
	// replace.
	if got, want := open(Options{Dir: explicit}).Files, []string{filepath.Join(explicit, "train-images-idx3-ubyte.gz"), filepath.Join(explicit, "train-labels-idx1-ubyte.gz")}; !slices.Equal(got, want) {
		t.Errorf("files read %q, want %q", got, want)
	}
	check("explicit directory/<name>", open(Options{Dir: nested}), 9, filepath.Join(nested, "fashion-mnist"))
	check("$GRADBENCH_DATA", open(Options{}), 7, filepath.Join(env, "fashion-mnist"))
	t.Setenv(EnvDataDir, "")
	check("user cache", open(Options{}), 6, filepath.Join(cache, "fashion-mnist"))
	os.RemoveAll(cache)
	d := open(Options{})
	check("system directory", d, 5, filepath.Join(system, "fashion-mnist"))
	if d.Name != "fashion-mnist" || d.Split != Train || d.Mean[0] != 0.2860 || d.Std[0] != 0.3530 || d.Classes != 10 || d.ClassNames[9] != "Ankle boot" {
		t.Errorf("metadata: %v, mean %v std %v, class names %q", d, d.Mean, d.Std, d.ClassNames)
	}
}

// TestOpenEnvNotADirectory checks that a $GRADBENCH_DATA that names no
// directory is refused, naming the variable, instead of being skipped for
// the next place that holds the dataset.
func TestOpenEnvNotADirectory(t *testing.T) {
	system, _ := sandbox(t)
	writeIDXSplit(t, filepath.Join(system, "fashion-mnist"), "train", 5, true)
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, env := range []string{filepath.Join(t.TempDir(), "typo"), file} {
		t.Setenv(EnvDataDir, env)
		_, err := Open(context.Background(), "fashion-mnist", Train, Options{Offline: true})
		wantErr(t, err, "$GRADBENCH_DATA", env, "not a directory")
		// CheckEnv, for callers that open nothing, refuses it alike.
		if cerr := CheckEnv("fashion-mnist"); cerr == nil || cerr.Error() != err.Error() {
			t.Errorf("CheckEnv(fashion-mnist) with $GRADBENCH_DATA=%s = %v, want Open's error %v", env, cerr, err)
		}
		if err := CheckEnv("synthetic"); err != nil {
			t.Errorf("CheckEnv(synthetic), a generated dataset: %v", err)
		}
	}
	// A directory without this dataset is a place searched, not an error.
	t.Setenv(EnvDataDir, t.TempDir())
	if err := CheckEnv("fashion-mnist"); err != nil {
		t.Errorf("CheckEnv with $GRADBENCH_DATA a directory without the dataset: %v", err)
	}
	if d, err := Open(context.Background(), "fashion-mnist", Train, Options{Offline: true}); err != nil || d.N != 5 {
		t.Errorf("Open with $GRADBENCH_DATA lacking the dataset = %v, %v; want the system directory's 5 images", d, err)
	}
}

// TestOpenCacheRelative: with $XDG_CACHE_HOME a relative path,
// os.UserCacheDir has no user cache, and the search order left it out
// without a word (reading the dataset from the system directory); it is
// refused, naming the variable.
func TestOpenCacheRelative(t *testing.T) {
	if !readsXDG {
		t.Skip("os.UserCacheDir does not read $XDG_CACHE_HOME here")
	}
	system, _ := sandbox(t)
	writeIDXSplit(t, filepath.Join(system, "fashion-mnist"), "train", 5, true)
	t.Setenv("XDG_CACHE_HOME", "cache")
	want := `data: fashion-mnist: $XDG_CACHE_HOME is "cache", a relative path, which Go's user cache directory refuses (the user cache would be left out of the search order): set it to an absolute path, or unset it`
	if _, err := Open(context.Background(), "fashion-mnist", Train, Options{Offline: true}); err == nil || err.Error() != want {
		t.Errorf("Open with a relative $XDG_CACHE_HOME: %v, want %s", err, want)
	}
	if err := CheckEnv("fashion-mnist"); err == nil || err.Error() != want {
		t.Errorf("CheckEnv with a relative $XDG_CACHE_HOME: %v, want %s", err, want)
	}
	// An explicit directory is the only place looked in: the variable
	// plays no part.
	if _, err := Open(context.Background(), "fashion-mnist", Train, Options{Dir: filepath.Join(system, "fashion-mnist"), Offline: true}); err != nil {
		t.Errorf("Open of an explicit directory with a relative $XDG_CACHE_HOME: %v", err)
	}
}

func TestOpenExplicitDirWithoutDataset(t *testing.T) {
	system, _ := sandbox(t)
	writeIDXSplit(t, filepath.Join(system, "mnist"), "train", 5, true)
	empty := t.TempDir()
	_, err := Open(context.Background(), "mnist", Train, Options{Dir: empty})
	wantErr(t, err, "data: mnist", empty, "train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz]", filepath.Join(empty, "mnist"))
	_, err = Open(context.Background(), "mnist", Train, Options{Dir: filepath.Join(empty, "nope")})
	wantErr(t, err, "data: mnist", filepath.Join(empty, "nope"))
	// Only the test split there: the training split is still missing.
	writeIDXSplit(t, empty, "t10k", 3, true)
	_, err = Open(context.Background(), "mnist", Train, Options{Dir: empty})
	wantErr(t, err, "train split not found", empty)
	if d, err := Open(context.Background(), "mnist", Test, Options{Dir: empty}); err != nil || d.N != 3 {
		t.Errorf("Open(mnist, test) = %v, %v; want the 3 test images", d, err)
	}
}

func TestOpenPartialDirectory(t *testing.T) {
	system, _ := sandbox(t)
	dir := filepath.Join(system, "fashion-mnist")
	writeIDXSplit(t, dir, "train", 5, true)
	os.Remove(filepath.Join(dir, "train-labels-idx1-ubyte.gz"))
	_, err := Open(context.Background(), "fashion-mnist", Train, Options{Offline: true})
	wantErr(t, err, dir, "missing train-labels-idx1-ubyte")

	writeCIFAR(t, filepath.Join(system, "cifar10", "cifar-10-batches-bin"), 2)
	os.Remove(filepath.Join(system, "cifar10", "cifar-10-batches-bin", "data_batch_3.bin"))
	_, err = Open(context.Background(), "cifar10", Train, Options{Offline: true})
	wantErr(t, err, filepath.Join(system, "cifar10"), "missing data_batch_3.bin")
	if d, err := Open(context.Background(), "cifar10", Test, Options{Offline: true}); err != nil || d.N != 2 {
		t.Errorf("Open(cifar10, test) = %v, %v; want the 2 test images", d, err)
	}
}

func TestOpenNotFound(t *testing.T) {
	system, cache := sandbox(t)
	_, err := Open(context.Background(), "cifar10", Train, Options{Offline: true})
	wantErr(t, err, "downloads are off", filepath.Join(system, "cifar10"), filepath.Join(cache, "cifar10"), "data_batch_1.bin")
	_, err = Open(context.Background(), "imagenet", Test, Options{})
	wantErr(t, err, "never downloaded", "val/CLASS/*.{JPEG,jpg,png}", filepath.Join(system, "imagenet"))
	_, err = Open(context.Background(), "cifar-10", Train, Options{})
	wantErr(t, err, `data: unknown dataset "cifar-10" (have cifar10, fashion-mnist, imagenet, mnist, synthetic)`)
}

func TestOpenCIFAR(t *testing.T) {
	sandbox(t)
	dir := t.TempDir()
	writeCIFAR(t, filepath.Join(dir, "cifar-10-batches-bin"), 4)
	train, test, err := OpenSplits(context.Background(), "cifar10", Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if train.N != 20 || test.N != 4 || train.ClassNames[0] != "airplane" || len(train.Mean) != 3 {
		t.Errorf("OpenSplits(cifar10) = %v, %v; want 20 and 4 images with CIFAR-10 metadata", train, test)
	}
	if len(train.Files) != 5 || len(test.Files) != 1 || test.Files[0] != filepath.Join(dir, "cifar-10-batches-bin", "test_batch.bin") {
		t.Errorf("files read: train %q, test %q", train.Files, test.Files)
	}
}

func TestOpenSynthetic(t *testing.T) {
	d, err := Open(context.Background(), "synthetic", Test, Options{Synthetic: SyntheticConfig{N: 30, Seed: 3}})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := Synthetic(Test, SyntheticConfig{N: 30, Seed: 3})
	if d.N != 30 || string(d.Pixels) != string(want.Pixels) {
		t.Error("Open(synthetic) differs from Synthetic")
	}
	if d.Files != nil {
		t.Errorf("Open(synthetic) read files %q: it generates its images", d.Files)
	}
}

// TestOpenRefusesBadOptions: a negative MemoryLimit or a Resolution out of
// range was ignored by every dataset but ImageNet (which said its split
// was "more than the limit of -1 B"); it is refused for all, by name.
func TestOpenRefusesBadOptions(t *testing.T) {
	for _, tc := range []struct {
		opt  Options
		want string
	}{
		{Options{MemoryLimit: -1}, "data: memory limit -1 bytes, want > 0 (0 for 16 GiB)"},
		{Options{Resolution: -3}, "data: resolution -3, want 1..4096 (0 for 224)"},
		{Options{Resolution: 4097}, "data: resolution 4097, want 1..4096 (0 for 224)"},
	} {
		for _, name := range []string{"synthetic", "fashion-mnist", "imagenet"} {
			_, err := Open(context.Background(), name, Train, tc.opt)
			if err == nil || err.Error() != tc.want {
				t.Errorf("Open(%s, %+v) = %v, want %s", name, tc.opt, err, tc.want)
			}
		}
	}
	if _, err := Open(context.Background(), "synthetic", Train, Options{Resolution: 4096, MemoryLimit: 1}); err != nil {
		t.Errorf("Open(synthetic) with Resolution 4096 and MemoryLimit 1: %v", err)
	}
}

// debianFashionMNIST is where Debian's dataset-fashion-mnist installs.
const debianFashionMNIST = "/usr/share/datasets/fashion-mnist"

// fashionMNISTRaw holds the SHA-256 of the decompressed official
// Fashion-MNIST files, from public records of them, so that the IDX
// contents Open reads from Debian's package are checked to be the
// official data.
var fashionMNISTRaw = map[string]string{
	"train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
	"train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
	"t10k-images-idx3-ubyte":  "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
	"t10k-labels-idx1-ubyte":  "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}

func skipWithoutDebianFashionMNIST(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(debianFashionMNIST, "train-images-idx3-ubyte.gz")); err != nil {
		t.Skipf("Debian's dataset-fashion-mnist is not installed (%v): apt-get install dataset-fashion-mnist (.ci/run does)", err)
	}
}

// TestDebianFashionMNIST loads the real dataset from Debian's package.
func TestDebianFashionMNIST(t *testing.T) {
	// The real files' contents; readIDX's two readers side by side are TestReadIDX's, kept under -race.
	racebuild.Skip(t, "it checks the contents of the real files, and the readers it runs side by side are the small tests'; the openblas and purego builds run it in full")
	skipWithoutDebianFashionMNIST(t)
	sandbox(t)
	systemDir = filepath.Dir(debianFashionMNIST)
	for _, tc := range []struct {
		split    Split
		prefix   string
		n, class int
	}{{Train, "train", 60000, 6000}, {Test, "t10k", 10000, 1000}} {
		start := time.Now()
		d, err := Open(context.Background(), "fashion-mnist", tc.split, Options{Offline: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%v from %s in %v", d, d.Source, time.Since(start))
		if d.Source != debianFashionMNIST || d.N != tc.n || d.C != 1 || d.H != 28 || d.W != 28 || d.Classes != 10 {
			t.Errorf("Open(fashion-mnist, %v) = %v from %s, want %d images 1×28×28, 10 classes from %s", tc.split, d, d.Source, tc.n, debianFashionMNIST)
		}
		for k, n := range d.ClassCounts() { // Fashion-MNIST is balanced
			if n != tc.class {
				t.Errorf("%v: class %d has %d images, want %d", tc.split, k, n, tc.class)
			}
		}
		// The official files' checksums, of the IDX contents rebuilt from
		// what was read.
		labels := make([]byte, d.N)
		for i, y := range d.Labels {
			labels[i] = byte(y)
		}
		for name, b := range map[string][]byte{
			tc.prefix + "-images-idx3-ubyte": idxtest.Bytes([]int{d.N, d.H, d.W}, d.Pixels),
			tc.prefix + "-labels-idx1-ubyte": idxtest.Bytes([]int{d.N}, labels),
		} {
			sum := sha256.Sum256(b)
			if got := hex.EncodeToString(sum[:]); got != fashionMNISTRaw[name] {
				t.Errorf("SHA-256 of %s as read = %s, want %s (the official file's)", name, got, fashionMNISTRaw[name])
			}
		}
	}
}

// BenchmarkOpenFashionMNIST measures loading the real training set (read,
// decompress, check) from Debian's package.
func BenchmarkOpenFashionMNIST(b *testing.B) {
	skipWithoutDebianFashionMNIST(b)
	for b.Loop() {
		if _, err := Open(context.Background(), "fashion-mnist", Train, Options{Dir: debianFashionMNIST}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestOpenMisplaced: a data file replaced by a directory (or a class-folder
// tree by a file) is named as such, not reported as not found.
func TestOpenMisplaced(t *testing.T) {
	system, _ := sandbox(t)
	explicit := t.TempDir()
	writeIDXSplit(t, explicit, "train", 5, true)
	img := filepath.Join(explicit, "train-images-idx3-ubyte.gz")
	os.Remove(img)
	if err := os.Mkdir(img, 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), "mnist", Train, Options{Dir: explicit})
	wantErr(t, err, "data: "+img+" is a directory, want the train split's data file (train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz])")

	dir := filepath.Join(system, "fashion-mnist")
	writeIDXSplit(t, dir, "t10k", 3, true)
	lbl := filepath.Join(dir, "t10k-labels-idx1-ubyte.gz")
	os.Remove(lbl)
	os.Mkdir(lbl, 0o755)
	_, err = Open(context.Background(), "fashion-mnist", Test, Options{Offline: true})
	wantErr(t, err, "data: "+lbl+" is a directory, want the test split's data file")

	os.MkdirAll(filepath.Join(system, "imagenet"), 0o755)
	val := filepath.Join(system, "imagenet", "val")
	os.WriteFile(val, []byte("x"), 0o644)
	_, err = Open(context.Background(), "imagenet", Test, Options{})
	wantErr(t, err, "data: "+val+" is a file, want the test split's directory of class folders (val/CLASS/*.{JPEG,jpg,png})")
}

// TestPaths checks that Paths names the files Open reads where it finds
// the split, the user cache's where it would download it, and Open's
// error where it may not, without reading, downloading or creating
// anything.
func TestPaths(t *testing.T) {
	system, cache := sandbox(t)
	writeIDXSplit(t, filepath.Join(system, "fashion-mnist"), "train", 5, true)
	got, err := Paths("fashion-mnist", Train, Options{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := Open(context.Background(), "fashion-mnist", Train, Options{Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	// The files Open reads, and the uncompressed names beside them that
	// Open would read instead if the .gz files went (and the other way).
	want := slices.Concat(d.Files, []string{strings.TrimSuffix(d.Files[0], ".gz"), strings.TrimSuffix(d.Files[1], ".gz")})
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) || !strings.HasSuffix(d.Files[0], ".gz") {
		t.Errorf("Paths of a found split = %q, want Open's files %q and their uncompressed names", got, d.Files)
	}

	// The test split is nowhere: Open would download it into the cache.
	got, err = Paths("fashion-mnist", Test, Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(cache, "fashion-mnist")
	for _, name := range []string{"t10k-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte"} {
		if !slices.Contains(got, filepath.Join(dir, name)) {
			t.Errorf("Paths of a split to download = %q, want %s among them", got, filepath.Join(dir, name))
		}
	}
	for _, p := range got {
		if strings.Contains(p, "train-") {
			t.Errorf("Paths of the test split to download names the training split's %s", p)
		}
	}
	if _, err := os.Stat(dir); err == nil || !os.IsNotExist(err) {
		t.Errorf("Paths created or could not check %s: %v", dir, err)
	}

	_, err = Paths("fashion-mnist", Test, Options{Offline: true})
	_, openErr := Open(context.Background(), "fashion-mnist", Test, Options{Offline: true})
	if err == nil || openErr == nil || err.Error() != openErr.Error() {
		t.Errorf("Paths offline = %v, want Open's error %v", err, openErr)
	}
	if _, err := Paths("no-such-set", Train, Options{}); err == nil || !strings.Contains(err.Error(), `unknown dataset "no-such-set"`) {
		t.Errorf("Paths of an unknown dataset: error %v", err)
	}
	if got, err := Paths("synthetic", Train, Options{}); got != nil || err != nil {
		t.Errorf("Paths of the synthetic dataset = %q, %v; want none", got, err)
	}
}

// TestOpenRefusesAmbiguousFiles: where one file of a split is there twice
// (a .gz beside the uncompressed file, a CIFAR-10 batch in the directory
// and in its cifar-10-batches-bin/) or the split is in both DIR and
// DIR/<name>, Open refuses, naming both, rather than reading one of them
// without a word. Tried as a new user would: a directory holding both
// forms loaded whichever the loader looked at first.
func TestOpenRefusesAmbiguousFiles(t *testing.T) {
	sandbox(t)
	ctx := context.Background()

	gzRaw := t.TempDir()
	writeIDXSplit(t, gzRaw, "t10k", 10, true)
	writeIDXSplit(t, gzRaw, "t10k", 10, false)
	_, err := Open(ctx, "mnist", Test, Options{Dir: gzRaw})
	wantErr(t, err, "both "+filepath.Join(gzRaw, "t10k-images-idx3-ubyte.gz")+" and "+filepath.Join(gzRaw, "t10k-images-idx3-ubyte")+" hold")

	// The same files in the search order ($GRADBENCH_DATA/<name>).
	env := t.TempDir()
	writeIDXSplit(t, filepath.Join(env, "mnist"), "t10k", 10, true)
	writeIDXSplit(t, filepath.Join(env, "mnist"), "t10k", 10, false)
	t.Setenv(EnvDataDir, env)
	_, err = Open(ctx, "mnist", Test, Options{})
	wantErr(t, err, "both "+filepath.Join(env, "mnist", "t10k-images-idx3-ubyte.gz")+" and ")
	t.Setenv(EnvDataDir, "")

	both := t.TempDir()
	writeIDXSplit(t, both, "t10k", 10, true)
	writeIDXSplit(t, filepath.Join(both, "mnist"), "t10k", 10, true)
	_, err = Open(ctx, "mnist", Test, Options{Dir: both})
	wantErr(t, err, "both "+both+" and "+filepath.Join(both, "mnist")+" hold the test split")
	if _, err := Paths("mnist", Test, Options{Dir: both}); err == nil {
		t.Error("Paths of a split in both DIR and DIR/mnist: no error")
	}

	cifar := t.TempDir()
	writeFile(t, filepath.Join(cifar, "test_batch.bin"), cifarBatch(0, 3))
	writeFile(t, filepath.Join(cifar, "cifar-10-batches-bin", "test_batch.bin"), cifarBatch(0, 3))
	_, err = Open(ctx, "cifar10", Test, Options{Dir: cifar})
	wantErr(t, err, "both "+filepath.Join(cifar, "test_batch.bin")+" and "+filepath.Join(cifar, "cifar-10-batches-bin", "test_batch.bin")+" hold")

	// One form alone, in one place, opens.
	one := t.TempDir()
	writeIDXSplit(t, filepath.Join(one, "mnist"), "t10k", 10, false)
	if _, err := Open(ctx, "mnist", Test, Options{Dir: one}); err != nil {
		t.Fatal(err)
	}
}
