package suite_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/suite"
)

// A batch task trains one cell of a sweep into a runs directory that other
// tasks share, named by its index (or key) as Plan lists it;
// RunCellLocked takes the cell's lock, so a cell submitted twice is
// trained once. Plan then shows which cells still need a task.
func ExampleSweep_Plan() {
	r, err := suite.ParseRecipe(strings.NewReader(`{"model": "resnet20", "dataset": "synthetic", "width": 0.125,
		"epochs": 1, "batch": 16, "optimizer": "sgd", "lr": 0.1, "momentum": 0.9, "weight_decay": 0,
		"schedule": "constant", "augment": false, "train_subset": 32, "test_subset": 32}`), "tiny")
	if err != nil {
		panic(err)
	}
	specs, _ := estimators.ParseList("ste,fda")
	s := &suite.Sweep{Workload: suite.Workload{Recipe: *r}, Specs: specs, Seeds: []uint64{1}}
	dir, _ := os.MkdirTemp("", "runs")
	defer os.RemoveAll(dir)

	// What an array task with SLURM_ARRAY_TASK_ID=1 does.
	c, err := s.CellAt(1)
	if err != nil {
		panic(err)
	}
	if _, err := (&suite.Runner{Dir: dir}).RunCellLocked(context.Background(), c, suite.LockConfig{}); err != nil {
		panic(err)
	}
	states, err := s.Plan(dir)
	if err != nil {
		panic(err)
	}
	for _, st := range states {
		fmt.Println(st.Index, st.Cell, st.State)
	}
	// Output:
	// 0 ste seed 1 pending
	// 1 fda seed 1 done
}
