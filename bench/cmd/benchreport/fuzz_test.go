package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzInputs feeds arbitrary benchmark files to benchreport, two inputs
// with a target and a ratio target: it must never panic, refuse a file
// without results by naming it, and make the same report (or the same
// error) every time from the same files, as a committed report must be
// made again unchanged from its inputs.
//
//	go test -run '^$' -fuzz FuzzInputs ./bench/cmd/benchreport
func FuzzInputs(f *testing.F) {
	f.Add([]byte(fast), []byte(fast))
	f.Add([]byte(fast), []byte("BenchmarkBackward/est=ste/n=1000/impl=fast-2 100 500 ns/op\n"))
	f.Add([]byte("machine: x\ncpu: y\ngo: 1\nBenchmarkCopy/n=1000/bytes=12 1 1 ns/op 1 MB/s\n"), []byte("BenchmarkX 1 1 B/op\n"))
	f.Add([]byte("BenchmarkBackward/est=ste/n=0/impl=fast 1 NaN ns/op Inf MB/s\n"), []byte("\n"))
	f.Add([]byte("BenchmarkBackward/est=ste/n=1e400 1 -1 ns/op 1e308 MB/s\nBenchmarkCopy/n=1e400/bytes=1 1 1e-320 ns/op 0 MB/s\n"), []byte(fast))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		dir := t.TempDir()
		pa, pb := filepath.Join(dir, "a.txt"), filepath.Join(dir, "b.txt")
		if err := os.WriteFile(pa, a, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(pb, b, 0o644); err != nil {
			t.Fatal(err)
		}
		args := []string{
			"-target", ".name:Backward /est:ste: ns/elem < 0.5",
			"-target", ".name:Backward /est:ste :: .name:Copy: ratio <= 1.2",
			"x=" + pa, "y=" + pb,
		}
		var first bytes.Buffer
		err := run(args, &first)
		if err != nil && strings.HasSuffix(err.Error(), "no benchmark results") && !strings.Contains(err.Error(), dir) {
			t.Fatalf("error %q does not name the file", err)
		}
		var again bytes.Buffer
		err2 := run(args, &again)
		if (err == nil) != (err2 == nil) || err != nil && err.Error() != err2.Error() {
			t.Fatalf("the same inputs gave errors %v and %v", err, err2)
		}
		if !bytes.Equal(first.Bytes(), again.Bytes()) {
			t.Fatalf("the same inputs gave two reports:\n%s\n%s", first.Bytes(), again.Bytes())
		}
	})
}
