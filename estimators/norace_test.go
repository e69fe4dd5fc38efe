//go:build !race

package estimators_test

const raceEnabled = false
