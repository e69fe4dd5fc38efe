package dirtest

import "syscall"

// mountReadOnly mounts a read-only tmpfs on dir (which needs root) and
// returns how to unmount it.
func mountReadOnly(dir string) (unmount func(), err error) {
	if err := syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_RDONLY, "size=64k"); err != nil {
		return nil, err
	}
	return func() { syscall.Unmount(dir, 0) }, nil
}
