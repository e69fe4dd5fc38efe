// Package flagsread fails a benchmark run given one of a package's own
// flags that no benchmark which ran has read. go test takes a test
// binary's flags for the whole run, so a flag given beside a -bench
// pattern that selects none of the benchmarks reading it (-trainstep.impl
// with -bench Backward) would be ignored without a word.
package flagsread

import (
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
)

// A Set tracks which of a package's flags the benchmarks that ran read.
type Set struct {
	pkg     string
	readers map[string]string // flag name → the benchmarks that read it
	mu      sync.Mutex
	read    map[string]bool
}

// New returns the Set of package pkg (the prefix of its message) whose
// flags are the keys of readers, each naming the benchmarks that read it
// ("BenchmarkSgemm and BenchmarkRows").
func New(pkg string, readers map[string]string) *Set {
	return &Set{pkg: pkg, readers: readers, read: map[string]bool{}}
}

// Read records that a benchmark that is running reads the flags names.
func (s *Set) Read(names ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range names {
		s.read[n] = true
	}
}

// Unread says which of the flags given (by name, with their values; flags
// not of the Set are passed over) no benchmark read, or "" when every one
// was.
func (s *Set) Unread(given map[string]string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var each []string
	for _, name := range slices.Sorted(maps.Keys(given)) {
		if who, ours := s.readers[name]; ours && !s.read[name] {
			each = append(each, fmt.Sprintf("-%s %q was given, but no benchmark that reads it ran (%s), so it was ignored", name, given[name], who))
		}
	}
	if len(each) == 0 {
		return ""
	}
	return s.pkg + ": " + strings.Join(each, "; ") + ": give it with a -bench pattern that selects one of them"
}

// Main is the package's TestMain: it parses the flags, runs m and exits
// with its code, or with 1 after naming the flags given that no benchmark
// read.
func (s *Set) Main(m *testing.M) {
	flag.Parse()
	code := m.Run()
	given := map[string]string{}
	flag.Visit(func(f *flag.Flag) { given[f.Name] = f.Value.String() })
	if msg := s.Unread(given); msg != "" {
		fmt.Fprintln(os.Stderr, msg)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}
