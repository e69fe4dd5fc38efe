//go:build !linux

package main

import "errors"

// mountFull would mount a file system too small for a checkpoint at dir:
// the tests do that only on Linux (a tmpfs with a size).
func mountFull(dir string) error { return errors.New("a size-limited tmpfs is mounted only on Linux") }

// unmount undoes mountFull.
func unmount(dir string) {}
