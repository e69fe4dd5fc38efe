//go:build !unix

package main

// setUmask reports false: this system has no umask.
func setUmask(mask int) (old int, ok bool) { return 0, false }
