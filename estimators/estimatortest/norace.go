//go:build !race

package estimatortest

const raceEnabled = false
