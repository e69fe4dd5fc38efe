package mdtable_test

import (
	"log"
	"os"

	"github.com/gradbench/gradbench/internal/mdtable"
)

func ExampleWrite() {
	header := []string{"estimator", "top-1 %", "n"}
	rows := [][]string{
		{"fda:n=9", "91.25 ± 0.31", "3"},
		{"ste", "90.10 ± 0.42", "3"},
	}
	if err := mdtable.Write(os.Stdout, 1, header, rows); err != nil {
		log.Fatal(err)
	}
	// Output:
	// | estimator |      top-1 % | n |
	// |:----------|-------------:|--:|
	// | fda:n=9   | 91.25 ± 0.31 | 3 |
	// | ste       | 90.10 ± 0.42 | 3 |
}
