//go:build !race

// Package racebuild reports whether this binary was built with the race
// detector (go build -race, go test -race).
//
// Tests use it to keep the race build for what it is for: the race
// detector slows every Go memory access about tenfold and sees nothing in
// assembly, so under it a test that checks learning or numerics only is
// skipped (the other builds of the README's test command run it in full),
// and a test of concurrency runs fewer cases, keeping at least one that
// takes its concurrent path. Code outside tests has no use for it.
package racebuild

// Enabled is true in a binary built with -race.
const Enabled = false
