package data

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Options says where Open looks for a dataset and how it gets one. The
// zero value searches the default places and downloads what it does not
// find, quietly.
type Options struct {
	// Dir is an explicit directory (the command line's --data): the
	// dataset's files directly in it, or in Dir/<name>. When set it is the
	// only place looked at; a Dir that does not hold the split is an error
	// naming the files expected, never a fallback or a download.
	Dir string

	// Offline forbids downloads: a dataset found nowhere is an error that
	// names every place searched.
	Offline bool

	// BaseURL, when set, replaces the official download locations: every
	// file is fetched from BaseURL + its published name (a mirror, or a
	// local test server). The pinned sizes and SHA-256 still apply.
	BaseURL string

	// Progress receives progress reports of downloads and image decoding;
	// nil means quiet. With ProgressBar set (for a terminal) a status line
	// is redrawn in place; otherwise one line is written per finished
	// download.
	Progress    io.Writer
	ProgressBar bool
	// Columns, if not nil, returns the width of the terminal the status
	// line is drawn on (0 if unknown): the line is kept narrower, its bar
	// dropped and then its label shortened, since a line that wraps
	// leaves a row behind at every redraw.
	Columns func() int

	// Resolution is the side of the square images that ImageNet-style
	// batches have (the network input); 0 means 224. Images are resized
	// so that the shorter side is Resolution·256/224 and the central
	// square of that side is kept; training batches take a random
	// Resolution×Resolution crop of it, evaluation the central one. At
	// most 4096; a value out of range is refused for every dataset.
	Resolution int

	// MemoryLimit bounds the bytes of decoded pixels an ImageNet-style
	// split may take in memory; 0 means 16 GiB. A larger split is an
	// error that suggests a subset or a smaller Resolution. A negative
	// limit is refused for every dataset.
	MemoryLimit int64

	// Synthetic configures the "synthetic" dataset.
	Synthetic SyntheticConfig
}

// EnvDataDir names the environment variable of a directory that holds
// datasets, one subdirectory per name ($GRADBENCH_DATA/fashion-mnist).
const EnvDataDir = "GRADBENCH_DATA"

// systemDir is where distributions install datasets (Debian's
// dataset-fashion-mnist installs /usr/share/datasets/fashion-mnist).
// Tests point it elsewhere.
var systemDir = "/usr/share/datasets"

// Open returns one split of the named dataset (see Names). Real datasets
// are looked for, in order, in:
//
//  1. opt.Dir, when set, and nowhere else (the files in Dir or in Dir/<name>);
//  2. $GRADBENCH_DATA/<name> (a set variable that names no directory is
//     an error);
//  3. the user cache, os.UserCacheDir()/gradbench/<name>;
//  4. /usr/share/datasets/<name>.
//
// A directory of 2 or 4 that holds some but not all of the split's files
// is an error rather than skipped. Where the split is found nowhere, it
// is downloaded into the user cache (3) from the dataset's official
// location, its size and SHA-256 checked, unless opt.Offline; ImageNet is
// never downloaded. ctx cancels a download or decoding.
func Open(ctx context.Context, name string, split Split, opt Options) (*Dataset, error) {
	s, err := lookup(name, split)
	if err != nil {
		return nil, err
	}
	if err := opt.check(); err != nil {
		return nil, err
	}
	if s.format == formatSynthetic {
		return Synthetic(split, opt.Synthetic)
	}
	dir, err := s.find(name, split, opt)
	if err != nil {
		return nil, err
	}
	if dir == "" {
		if dir, err = s.fetch(ctx, name, split, opt); err != nil {
			return nil, err
		}
	}
	paths, _, err := s.locate(dir, split)
	if err != nil {
		return nil, err
	}
	d, err := s.read(ctx, dir, paths, split, opt)
	if err != nil {
		return nil, err
	}
	d.Name, d.Split, d.Source, d.Files = name, split, dir, paths
	d.Mean, d.Std = s.mean, s.std
	if d.ClassNames == nil {
		d.ClassNames = s.classNames
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	if err := s.checkPublished(name, split, d); err != nil {
		return nil, err
	}
	return d, nil
}

// publishedIDX is the number of images of the published training and test
// splits of Fashion-MNIST and MNIST alike.
var publishedIDX = [2]int{60000, 10000}

// checkPublished refuses an IDX split of the published size whose mean
// pixel is more than 0.05 from the dataset's published mean: Fashion-MNIST
// and MNIST publish files of the same names and sizes (means 0.286 and
// 0.131), so a directory of one given for the other would otherwise load,
// and train, under the other's name. Smaller files (made for tests, or
// cut down by hand) are not the published ones and are not checked.
func (s *spec) checkPublished(name string, split Split, d *Dataset) error {
	if s.format != formatIDX || d.N != publishedIDX[split] || len(s.mean) != 1 {
		return nil
	}
	var sum uint64
	for _, p := range d.Pixels {
		sum += uint64(p)
	}
	mean := float64(sum) / float64(len(d.Pixels)) / 255
	if want := float64(s.mean[0]); math.Abs(mean-want) > 0.05 {
		return fmt.Errorf("data: %s: %s: its %d images have a mean pixel of %.4f, where %s's are about %.4f: not %s's images (Fashion-MNIST and MNIST publish files of the same names: is the directory another dataset's?)",
			name, d.Files[0], d.N, mean, s.title, want, s.title)
	}
	return nil
}

// check refuses settings that are no value for any dataset, even one that
// does not read them (a negative MemoryLimit made every ImageNet split
// "more than the limit of -1 B"; for the others it was ignored).
func (opt Options) check() error {
	switch {
	case opt.Resolution < 0 || opt.Resolution > maxResolution:
		return fmt.Errorf("data: resolution %d, want 1..%d (0 for %d)", opt.Resolution, maxResolution, defaultResolution)
	case opt.MemoryLimit < 0:
		return fmt.Errorf("data: memory limit %d bytes, want > 0 (0 for %d GiB)", opt.MemoryLimit, defaultMemoryLimit>>30)
	}
	return nil
}

// lookup returns the spec of the named dataset, or an error for an
// unknown name or split.
func lookup(name string, split Split) (*spec, error) {
	s, ok := datasets[name]
	if !ok {
		return nil, fmt.Errorf("data: unknown dataset %q (have %s)", name, strings.Join(Names(), ", "))
	}
	if split != Train && split != Test {
		return nil, fmt.Errorf("data: %s: unknown split %v", name, split)
	}
	return s, nil
}

// Paths returns the files Open would read the split from, without
// reading or downloading anything: where Open's search finds the split,
// every path in that directory at which Open looks for the split's files
// (the files it reads, and the names that would take their place, such
// as a .gz beside an uncompressed IDX file); where Open would download it,
// those paths in the user cache, and the published files the download
// fetches that are not the other split's (an archive of both is each
// split's). A command that writes a file checks it against
// these before it opens the dataset, so that a refused output costs no
// download. The synthetic dataset, generated, has none. The errors are
// Open's for a split it finds nowhere and may not download.
func Paths(name string, split Split, opt Options) ([]string, error) {
	s, err := lookup(name, split)
	if err != nil || s.format == formatSynthetic {
		return nil, err
	}
	dir, err := s.find(name, split, opt)
	if err != nil {
		return nil, err
	}
	download := dir == ""
	if download {
		if dir, err = cacheDir(name); err != nil {
			return nil, err
		}
	}
	var paths, others []string
	for _, f := range s.files[split] {
		paths = append(paths, s.candidates(dir, f)...)
	}
	if !download {
		return paths, nil
	}
	for _, f := range s.files[1-split] {
		others = append(others, s.candidates(dir, f)...)
	}
	for _, f := range s.remote.files {
		if p := filepath.Join(dir, f.name); !slices.Contains(others, p) {
			paths = append(paths, p) // the split's, or shared, such as an archive
		}
	}
	slices.Sort(paths)
	return slices.Compact(paths), nil
}

// OpenSplits returns the training and the test split of the named
// dataset, as two calls of Open would.
func OpenSplits(ctx context.Context, name string, opt Options) (train, test *Dataset, err error) {
	if train, err = Open(ctx, name, Train, opt); err != nil {
		return nil, nil, err
	}
	if test, err = Open(ctx, name, Test, opt); err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

// read reads the split from dir, which holds it (find said so), at
// paths (locate's).
func (s *spec) read(ctx context.Context, dir string, paths []string, split Split, opt Options) (*Dataset, error) {
	switch s.format {
	case formatIDX:
		return readIDX(paths[0], paths[1], s.h, s.w, s.classes)
	case formatCIFAR:
		return readCIFAR(paths, s.classes)
	case formatFolder:
		return readFolder(ctx, dir, split, opt)
	}
	panic("data: unknown format")
}

// candidates returns the paths in dir at which the split's file name may
// be.
func (s *spec) candidates(dir, name string) []string {
	switch s.format {
	case formatIDX:
		return []string{filepath.Join(dir, name+".gz"), filepath.Join(dir, name)}
	case formatCIFAR:
		var cands []string
		for _, d := range cifarDirs(dir) {
			cands = append(cands, filepath.Join(d, name))
		}
		return cands
	case formatFolder:
		return []string{filepath.Join(dir, name)}
	}
	return nil
}

// misplaced returns an error when a file of the split is missing from dir
// but its name is there as the wrong kind of file: a directory where a
// data file belongs (or a file where a class-folder tree does), so that
// the message says so rather than "not found".
func (s *spec) misplaced(dir string, split Split) error {
	for _, name := range s.files[split] {
		var wrong string
		for _, c := range s.candidates(dir, name) {
			st, err := os.Stat(c)
			if err != nil {
				continue
			}
			if st.IsDir() == (s.format == formatFolder) {
				wrong = ""
				break
			}
			if wrong == "" {
				wrong = c
			}
		}
		if wrong == "" {
			continue
		}
		if s.format == formatFolder {
			return fmt.Errorf("data: %s is a file, want the %s split's directory of class folders (%s)", wrong, split, s.want(split))
		}
		return fmt.Errorf("data: %s is a directory, want the %s split's data file (%s)", wrong, split, s.want(split))
	}
	return nil
}

// locate returns the path of each file of the split found in dir, and the
// names of those missing (nil paths then). A file found at two of its
// candidates (a .gz beside the uncompressed file, a CIFAR-10 batch both
// in dir and in its cifar-10-batches-bin/) is an error naming both: which
// one to read is not for the loader to guess.
func (s *spec) locate(dir string, split Split) (paths, missing []string, err error) {
	for _, name := range s.files[split] {
		var found []string
		for _, c := range s.candidates(dir, name) {
			st, err := os.Stat(c)
			if err == nil && st.IsDir() == (s.format == formatFolder) {
				found = append(found, c)
			}
		}
		switch len(found) {
		case 0:
			missing = append(missing, name)
			paths = append(paths, "")
		case 1:
			paths = append(paths, found[0])
		default:
			return nil, nil, fmt.Errorf("data: both %s and %s hold %s of the %s split: remove one, so that it is clear which to read", found[0], found[1], name, split)
		}
	}
	if missing != nil {
		paths = nil
	}
	return paths, missing, nil
}

// want describes the files of a split for messages, e.g.
// "train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz]".
func (s *spec) want(split Split) string {
	var names []string
	for _, n := range s.files[split] {
		switch s.format {
		case formatIDX:
			n += "[.gz]"
		case formatFolder:
			n += "/CLASS/*.{JPEG,jpg,png}"
		}
		names = append(names, n)
	}
	switch len(names) {
	case 1:
		return names[0]
	case 2:
		return names[0] + " and " + names[1]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// place is a directory of the search order.
type place struct {
	dir   string
	what  string // how the directory was chosen, for messages
	cache bool   // the user cache: incomplete means "download the rest"
}

// places returns the search order for name, without opt.Dir.
func places(name string) []place {
	var ps []place
	if env := os.Getenv(EnvDataDir); env != "" {
		ps = append(ps, place{filepath.Join(env, name), "$" + EnvDataDir, false})
	}
	if c, err := os.UserCacheDir(); err == nil {
		ps = append(ps, place{filepath.Join(c, "gradbench", name), "the user cache", true})
	}
	ps = append(ps, place{filepath.Join(systemDir, name), "the system datasets directory", false})
	return ps
}

// SearchDirs returns the directories Open looks in for the named
// dataset when Options.Dir is not set, in its order ($GRADBENCH_DATA's,
// the user cache's, the system's), as they are on this machine; a
// download goes into the user cache's.
func SearchDirs(name string) []string {
	var dirs []string
	for _, p := range places(name) {
		dirs = append(dirs, p.dir)
	}
	return dirs
}

// CheckEnv returns the error Open gives for the named dataset when
// $GRADBENCH_DATA is set but names no directory, reading no file: for
// callers that open no dataset but should refuse what Open would (gradbench
// plan). It returns nil for a generated dataset, which Open looks for
// nowhere, and for an unknown name (Open's lookup says that).
func CheckEnv(name string) error {
	if s, err := lookup(name, Train); err != nil || s.format == formatSynthetic {
		return nil
	}
	return checkEnv(name)
}

// checkEnv refuses a $GRADBENCH_DATA that names no directory. It is a
// search path, but not a silent one: a variable that names no directory
// (a typo, an unmounted disk) is refused rather than skipped for the next
// place.
func checkEnv(name string) error {
	env := os.Getenv(EnvDataDir)
	if env == "" {
		return nil
	}
	if st, err := os.Stat(env); err != nil || !st.IsDir() {
		return fmt.Errorf("data: %s: $%s is %q, which is not a directory: set it to a directory that holds datasets (one subdirectory per name, such as %s), or unset it",
			name, EnvDataDir, env, filepath.Join(env, name))
	}
	return nil
}

// find returns the directory that holds the split, "" when none does and
// the split may be downloaded, or an error (opt.Dir without the split, a
// directory with only some of the files, nothing found for a dataset that
// is never downloaded or with opt.Offline).
func (s *spec) find(name string, split Split, opt Options) (string, error) {
	if opt.Dir != "" {
		st, err := os.Stat(opt.Dir)
		if errors.Is(err, fs.ErrNotExist) {
			// Said as a directory without the dataset is, with what it
			// should hold: a mistyped path is the likely cause.
			return "", fmt.Errorf("data: %s: data directory %s does not exist: want %s in it or in %s",
				name, opt.Dir, s.want(split), filepath.Join(opt.Dir, name))
		}
		if err != nil {
			return "", fmt.Errorf("data: %s: data directory: %w", name, err)
		}
		if !st.IsDir() {
			return "", fmt.Errorf("data: %s: data directory %s is not a directory", name, opt.Dir)
		}
		// The split in both DIR and DIR/<name> is refused, naming
		// both, rather than one read without a word.
		var holding []string
		for _, dir := range []string{opt.Dir, filepath.Join(opt.Dir, name)} {
			_, missing, err := s.locate(dir, split)
			if err != nil {
				return "", err
			}
			if missing == nil {
				holding = append(holding, dir)
			}
		}
		switch len(holding) {
		case 1:
			return holding[0], nil
		case 2:
			return "", fmt.Errorf("data: %s: both %s and %s hold the %s split (%s): remove one, or give the one to read as --data, so that it is clear which to read",
				name, holding[0], holding[1], split, s.want(split))
		}
		for _, dir := range []string{opt.Dir, filepath.Join(opt.Dir, name)} {
			if err := s.misplaced(dir, split); err != nil {
				return "", err
			}
		}
		return "", fmt.Errorf("data: %s: %s split not found in data directory %s: want %s in it or in %s",
			name, split, opt.Dir, s.want(split), filepath.Join(opt.Dir, name))
	}
	if err := checkEnv(name); err != nil {
		return "", err
	}
	var searched []string
	for _, p := range places(name) {
		searched = append(searched, fmt.Sprintf("%s (%s)", p.dir, p.what))
		_, missing, err := s.locate(p.dir, split)
		if err != nil {
			return "", err
		}
		if missing == nil {
			return p.dir, nil
		}
		if err := s.misplaced(p.dir, split); err != nil {
			return "", err
		}
		if p.cache || len(missing) == len(s.files[split]) {
			continue
		}
		return "", fmt.Errorf("data: %s: %s (%s) holds part of the %s split: missing %s (want %s)",
			name, p.dir, p.what, split, strings.Join(missing, ", "), s.want(split))
	}
	where := "\n\t" + strings.Join(searched, "\n\t")
	switch {
	case s.remote == nil:
		return "", fmt.Errorf("data: %s: %s split not found; searched:%s\n"+
			"%s is never downloaded: put an ImageNet-style tree (%s) in one of these directories or pass its directory explicitly; "+
			"any subset works (Imagenette, ImageNet-100, or the full ILSVRC-2012 set from image-net.org)",
			name, split, where, s.title, s.want(split))
	case opt.Offline:
		return "", fmt.Errorf("data: %s: %s split not found and downloads are off; searched:%s\nwant %s in one of these directories",
			name, split, where, s.want(split))
	}
	return "", nil
}

// cacheDir returns the user-cache directory that downloads of name go to.
func cacheDir(name string) (string, error) {
	c, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("data: %s: no user cache directory to download into (%w); set $%s or pass a data directory", name, err, EnvDataDir)
	}
	return filepath.Join(c, "gradbench", name), nil
}

// fetch downloads the split's missing files (an archive's: the whole
// archive, which holds both splits) into the user cache and returns that
// directory, which then holds the split.
func (s *spec) fetch(ctx context.Context, name string, split Split, opt Options) (string, error) {
	dir, err := cacheDir(name)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("data: %s: %w", name, err)
	}
	urls := s.remote.urls
	if opt.BaseURL != "" {
		urls = []string{strings.TrimSuffix(opt.BaseURL, "/") + "/"}
	}
	if s.remote.archive {
		err = fetchArchive(ctx, urls, dir, s.remote.files[0], s.remote.archiveDir, s.allFiles(), opt)
	} else {
		for _, f := range s.remote.files {
			if !slices.Contains(s.files[split], strings.TrimSuffix(f.name, ".gz")) {
				// The other split's file: not needed to open this
				// one (gradbench eval reads the test split alone).
				// An archive holds both splits and is fetched whole.
				continue
			}
			dst := filepath.Join(dir, f.name)
			if _, err := os.Stat(dst); err == nil {
				continue // downloads are renamed into place only once checked
			} else if !errors.Is(err, fs.ErrNotExist) {
				return "", fmt.Errorf("data: %s: %w", name, err)
			}
			if raw := strings.TrimSuffix(dst, ".gz"); raw != dst {
				if _, err := os.Stat(raw); err == nil {
					// Uncompressed already: a download beside it
					// would make the file ambiguous (locate).
					continue
				}
			}
			if err = fetchFile(ctx, urls, dst, f, opt); err != nil {
				break
			}
		}
	}
	if err != nil {
		return "", err
	}
	if _, missing, err := s.locate(dir, split); err != nil {
		return "", err
	} else if missing != nil {
		return "", fmt.Errorf("data: %s: downloaded into %s, but %s is still missing", name, dir, strings.Join(missing, ", "))
	}
	return dir, nil
}

// allFiles returns the file names of both splits.
func (s *spec) allFiles() []string { return slices.Concat(s.files[Train], s.files[Test]) }
