package suite

import (
	"fmt"

	"github.com/gradbench/gradbench/data"
)

// openDataset returns the training and test splits of the named dataset,
// read from dir when it is set.
func openDataset(name, dir string) (train, test *data.Dataset, err error) {
	switch name {
	case "synthetic":
		// The dataset's own seed is fixed: it names the data, not the run.
		cfg := data.SyntheticConfig{Seed: 1}
		if train, err = data.Synthetic(data.Train, cfg); err != nil {
			return nil, nil, err
		}
		if test, err = data.Synthetic(data.Test, cfg); err != nil {
			return nil, nil, err
		}
		return train, test, nil
	}
	return nil, nil, fmt.Errorf("suite: unknown dataset %q (have synthetic)", name)
}

// OpenDataset returns the training and test splits of the named dataset as
// the runs of a sweep see them (read from dir when it is set): what
// gradbench export and eval use to rebuild and evaluate a run's model.
func OpenDataset(name, dir string) (train, test *data.Dataset, err error) {
	return openDataset(name, dir)
}

// DatasetNames returns the names of the datasets a workload can use.
func DatasetNames() []string { return []string{"synthetic"} }
