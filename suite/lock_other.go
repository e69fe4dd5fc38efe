//go:build !unix

package suite

// killTellsGone says that processGone cannot tell an ended process here.
const killTellsGone = false

// processGone cannot tell that a process has ended here (Windows): it
// says no, and only the heartbeat decides.
func processGone(pid int) bool { return false }
