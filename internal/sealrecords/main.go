// Command sealrecords adds a checksum to the run records of the given
// runs directories that have none (records written before gradbench
// checksummed them), after checking that each agrees with itself as
// gradbench reads it. It is the one-off command that sealed the records
// committed under results/:
//
//	go run ./internal/sealrecords results/fmnist-10 results/quick-ablation results/quick-since-fda
//
// A sealed record is rewritten with the same content and one more line,
// its checksum; records that have one are left alone.
package main

import (
	"fmt"
	"os"

	"github.com/gradbench/gradbench/suite"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: go run ./internal/sealrecords DIR...")
		os.Exit(2)
	}
	for _, dir := range os.Args[1:] {
		n, err := seal(dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, "sealrecords:", err)
			os.Exit(1)
		}
		fmt.Printf("%s: sealed %d records\n", dir, n)
	}
}

// seal adds checksums to the records of dir that have none.
func seal(dir string) (int, error) {
	recs, err := suite.ReadRecords(dir)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range recs {
		if r.Checksum != "" {
			continue
		}
		if err := suite.WriteRecord(dir, r); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
