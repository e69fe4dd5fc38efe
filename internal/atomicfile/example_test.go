package atomicfile_test

import (
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"

	"github.com/gradbench/gradbench/internal/atomicfile"
)

func ExampleWrite() {
	dir, err := os.MkdirTemp("", "atomicfile")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "bench.txt")

	// A reader of bench.txt sees no file, then the two lines, never one.
	err = atomicfile.Write(path, 0o644, func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "BenchmarkA 1 10 ns/op\nBenchmarkB 1 20 ns/op\n")
		return err
	})
	if err != nil {
		log.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(b))
	// Output:
	// BenchmarkA 1 10 ns/op
	// BenchmarkB 1 20 ns/op
}
