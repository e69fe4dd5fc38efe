//go:build unix

package main

import "syscall"

// setUmask sets the process's umask to mask and returns the old one.
func setUmask(mask int) (old int, ok bool) { return syscall.Umask(mask), true }
