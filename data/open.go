package data

import (
	"context"
	"fmt"
	"io"
	"math"
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
			if ctx.Err() != nil {
				return nil, err
			}
			return nil, s.notFetched(name, split, err)
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

// allFiles returns the file names of both splits.
func (s *spec) allFiles() []string { return slices.Concat(s.files[Train], s.files[Test]) }
