//go:build unix

package suite

import "golang.org/x/sys/unix"

// killTellsGone says that processGone can tell an ended process here.
const killTellsGone = true

// processGone reports whether no process pid exists on this host: kill
// with signal 0 checks for the process without signalling it, and ESRCH
// is its answer that there is none. A process of another user answers
// EPERM, and one that has ended but was not yet waited for by its parent
// (a zombie) still exists: both count as not gone. Only "gone" is
// certain: an existing process may be another one given the same id.
func processGone(pid int) bool {
	return pid > 0 && unix.Kill(pid, 0) == unix.ESRCH
}
