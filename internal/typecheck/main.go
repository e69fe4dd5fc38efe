// Not built under the race detector: this command's one test does not
// run there (main_test.go), so the race pass of the README's test
// command, which names ./..., only compiled it, with go/types and the
// golang.org/x/tools packages it alone imports, instrumented for races
// that no test of it would look for (some 11 s of CPU on the 2-core
// project machine with an empty build cache). Every other build
// compiles it, and .ci/run runs it.

//go:build !race

// Command typecheck type-checks packages and their tests, from source,
// as they build for other platforms than this one: what CI runs to know
// that gradbench builds, and its tests compile, on a researcher's Mac
// (darwin/arm64), on Windows (windows/amd64) and on a 32-bit CPU
// (linux/386, where int is 32 bits wide and a constant beyond it does
// not compile):
//
//	go run ./internal/typecheck -platforms darwin/arm64,windows/amd64,linux/386 ./...
//
// It loads the packages with golang.org/x/tools/go/packages and checks
// every one, with every package it imports down to the standard library,
// with go/types, and compiles nothing. GOOS=darwin GOARCH=arm64 go vet
// checks the same and runs vet's analyzers too, but it compiles the
// standard library and every dependency for that platform first, more
// than two minutes on the 2-core project machine with an empty build
// cache against a few seconds here; the analyzers run in every go test
// of the README's test command, and the files that only another
// platform builds are a few short ones (internal/cpuinfo/darwin.go, a
// test's mount check).
//
// It prints each error with its position and exits 1 if there is any;
// a platform is GOOS/GOARCH as go tool dist list names it.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/tools/go/packages"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("typecheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	platforms := fs.String("platforms", "", "comma-separated `list` of GOOS/GOARCH to check for (required)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *platforms == "" || fs.NArg() == 0 {
		fmt.Fprintln(stderr, "usage: typecheck -platforms GOOS/GOARCH[,...] PACKAGES...")
		return 2
	}
	var list [][2]string
	for _, p := range strings.Split(*platforms, ",") {
		goos, goarch, ok := strings.Cut(p, "/")
		if !ok || goos == "" || goarch == "" || strings.Contains(goarch, "/") {
			fmt.Fprintf(stderr, "typecheck: -platforms: %q is not GOOS/GOARCH (such as darwin/arm64)\n", p)
			return 2
		}
		list = append(list, [2]string{goos, goarch})
	}
	failed := false
	for _, p := range list {
		n, err := check(p[0], p[1], fs.Args(), stderr)
		if err != nil {
			fmt.Fprintf(stderr, "typecheck: %s/%s: %v\n", p[0], p[1], err)
			return 1
		}
		if n > 0 {
			fmt.Fprintf(stderr, "typecheck: %s/%s: %d errors\n", p[0], p[1], n)
			failed = true
			continue
		}
		fmt.Fprintf(stdout, "typecheck: %s/%s: ok\n", p[0], p[1])
	}
	if failed {
		return 1
	}
	return 0
}

// check type-checks patterns and their tests for goos/goarch, printing
// each error to w, and returns how many there were. An error is
// returned when the packages could not be listed at all.
func check(goos, goarch string, patterns []string, w io.Writer) (int, error) {
	cfg := &packages.Config{
		// Syntax and types for every package, the imported ones too:
		// with less, go/packages would read the imports' export data,
		// which the go command compiles them to make.
		Mode:  packages.LoadAllSyntax,
		Tests: true,
		Env:   append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch),
	}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		return 0, err
	}
	if len(pkgs) == 0 {
		return 0, fmt.Errorf("no packages match %s", strings.Join(patterns, " "))
	}
	n := 0
	seen := map[string]bool{} // a test variant repeats its package's errors
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		for _, e := range p.Errors {
			s := e.Error()
			if !seen[s] {
				seen[s] = true
				fmt.Fprintln(w, s)
				n++
			}
		}
	})
	return n, nil
}
