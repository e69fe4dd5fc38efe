package data

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// Where a split's files are: the directories Open searches, in order, and
// what each must hold.

// EnvDataDir names the environment variable of a directory that holds
// datasets, one subdirectory per name ($GRADBENCH_DATA/fashion-mnist).
const EnvDataDir = "GRADBENCH_DATA"

// systemDir is where distributions install datasets (Debian's
// dataset-fashion-mnist installs /usr/share/datasets/fashion-mnist).
// Tests point it elsewhere.
var systemDir = "/usr/share/datasets"

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
//
// It also refuses a relative $XDG_CACHE_HOME where os.UserCacheDir reads
// it: os.UserCacheDir then has no user cache, and the search order would
// leave the cache the variable names out without a word.
func checkEnv(name string) error {
	if xdg := os.Getenv("XDG_CACHE_HOME"); xdg != "" && readsXDG && !filepath.IsAbs(xdg) {
		return fmt.Errorf("data: %s: $XDG_CACHE_HOME is %q, a relative path, which Go's user cache directory refuses (the user cache would be left out of the search order): set it to an absolute path, or unset it",
			name, xdg)
	}
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

// readsXDG says whether os.UserCacheDir reads $XDG_CACHE_HOME on this
// system: everywhere but Windows, macOS, iOS and Plan 9.
var readsXDG = !slices.Contains([]string{"windows", "darwin", "ios", "plan9"}, runtime.GOOS)

// notFetched returns the error of a split found nowhere whose download
// failed with err: where it was looked for, the failure, and which files
// to put where by hand. Without it a machine offline or behind a proxy
// saw only the download's error, as if the download were the problem,
// not that the dataset is not on the machine.
func (s *spec) notFetched(name string, split Split, err error) error {
	var searched []string
	for _, p := range places(name) {
		searched = append(searched, fmt.Sprintf("%s (%s)", p.dir, p.what))
	}
	return fmt.Errorf("data: %s: %s split not found; searched:\n\t%s\nand downloading it failed: %s\nput %s in one of these directories, or pass a data directory that holds them",
		name, split, strings.Join(searched, "\n\t"), strings.TrimPrefix(err.Error(), "data: "), s.want(split))
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
