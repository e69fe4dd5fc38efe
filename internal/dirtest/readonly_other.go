//go:build !linux

package dirtest

import "errors"

// mountReadOnly is Linux's alone.
func mountReadOnly(string) (func(), error) {
	return nil, errors.New("no tmpfs mounts on this system")
}
