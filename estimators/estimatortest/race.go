//go:build race

package estimatortest

// raceEnabled shrinks the suite under the race detector, which slows every
// memory access about tenfold.
const raceEnabled = true
