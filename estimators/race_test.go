//go:build race

package estimators_test

// raceEnabled trims TestConformance under the race detector, which does
// not see into assembly and slows every Go memory access about tenfold.
const raceEnabled = true
