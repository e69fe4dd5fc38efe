package suite

import (
	"context"
	"fmt"
	"os"

	"github.com/gradbench/gradbench/data"
)

// openDataset returns the training and test splits of the named dataset:
// from dir when it is set (and nowhere else), else from data.Open's search
// order, downloading what it does not find.
func (r *Runner) openDataset(ctx context.Context, name, dir string) (train, test *data.Dataset, err error) {
	if err := checkDataDir(name, dir); err != nil {
		return nil, nil, err
	}
	return data.OpenSplits(ctx, name, data.Options{Dir: dir, Progress: r.DataProgress, ProgressBar: r.DataProgressBar, Columns: r.DataColumns})
}

// openTestSplit returns the test split of the named dataset alone, as the
// runs of a sweep see it: what evaluating a trained model needs (a
// missing or damaged training split does not stop it).
func openTestSplit(ctx context.Context, name, dir string) (*data.Dataset, error) {
	if err := checkDataDir(name, dir); err != nil {
		return nil, err
	}
	return data.Open(ctx, name, data.Test, data.Options{Dir: dir})
}

// openTrainSplit returns the training split of the named dataset alone,
// as the runs of a sweep see it: what gradbench fidelity measures on (a
// missing or damaged test split does not stop it).
func openTrainSplit(ctx context.Context, name, dir string) (*data.Dataset, error) {
	if err := checkDataDir(name, dir); err != nil {
		return nil, err
	}
	return data.Open(ctx, name, data.Train, data.Options{Dir: dir})
}

// OpenDataset returns the training and test splits of the named dataset as
// the runs of a sweep see them (read from dir when it is set): what
// gradbench export uses (LoadRun) to rebuild a run's model. Canceling ctx
// stops a download or the decoding of an image folder.
func OpenDataset(ctx context.Context, name, dir string) (train, test *data.Dataset, err error) {
	return (&Runner{}).openDataset(ctx, name, dir)
}

// datasetFiles names the files of the named dataset's two splits that
// OpenDataset would read, or download, or read instead of those it reads
// if they were there (data.Paths), for CheckOutputs.
func datasetFiles(name, dir string) ([]NamedFile, error) {
	if err := checkDataDir(name, dir); err != nil {
		return nil, err
	}
	var files []NamedFile
	for _, split := range []data.Split{data.Train, data.Test} {
		paths, err := data.Paths(name, split, data.Options{Dir: dir})
		if err != nil {
			return nil, err
		}
		for _, p := range paths {
			what := fmt.Sprintf("the %s %s split's file", name, split)
			if _, err := os.Stat(p); err != nil {
				// Not there yet: a download writes it, or Open would read
				// it instead of the file beside it (x.gz beside x).
				what += ", when present,"
			}
			files = append(files, NamedFile{what, p})
		}
	}
	return files, nil
}

// checkDataDir refuses a data directory for the dataset that is
// generated, not read.
func checkDataDir(name, dir string) error {
	if name == "synthetic" && dir != "" {
		return fmt.Errorf("suite: the synthetic dataset is generated, not read: drop --data %s", dir)
	}
	return nil
}
