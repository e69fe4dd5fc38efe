package main

import "syscall"

// mountFull mounts a 4 KiB tmpfs at dir (as root), a file system too
// small for a checkpoint.
func mountFull(dir string) error { return syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=4k") }

// unmount undoes mountFull.
func unmount(dir string) { syscall.Unmount(dir, 0) }
