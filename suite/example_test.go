package suite_test

import (
	"fmt"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/suite"
)

// A sweep is a stable list of cells, each with a key that names its record:
// here the quick recipe with two estimators and two seeds. Runner.Run
// trains them in this order; a batch system's array task i can run cell i
// alone with Runner.RunCell.
func Example() {
	r, err := suite.LoadRecipe("quick")
	if err != nil {
		panic(err)
	}
	specs, err := estimators.ParseList("ste,fda:omega=0.1+na")
	if err != nil {
		panic(err)
	}
	s := suite.Sweep{Workload: suite.Workload{Recipe: *r}, Specs: specs, Seeds: []uint64{1, 2}}
	fmt.Println(s.Workload.Label())
	for _, c := range s.Cells() {
		fmt.Println(c.Index, c.Key(), c)
	}
	// Output:
	// resnet20 (width 0.5) on fashion-mnist (10000 training images), recipe quick: 2 epochs, batch 128, sgd lr 0.1 cosine
	// 0 2d8b2b2cfcbf52d6 ste seed 1
	// 1 6fb98bd957dcbdc1 fda+na seed 1
	// 2 f89aa4c69803efd2 ste seed 2
	// 3 9571d44fde07e1ca fda+na seed 2
}
