//go:build unix && !linux

package main

import "errors"

// mountFull is Linux-only (syscall.Mount); elsewhere TestRefuses, run as
// root, has no full --out to try and says so.
func mountFull(dir string) (unmount func(), err error) {
	return nil, errors.New("mounting a tmpfs is done only on Linux")
}
