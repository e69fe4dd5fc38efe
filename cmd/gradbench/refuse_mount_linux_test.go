package main

import "syscall"

// mountFull mounts a 4 KiB tmpfs on dir (which needs root) and returns
// how to unmount it: TestRefuses's --out that is full.
func mountFull(dir string) (unmount func(), err error) {
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=4k"); err != nil {
		return nil, err
	}
	return func() { syscall.Unmount(dir, 0) }, nil
}
