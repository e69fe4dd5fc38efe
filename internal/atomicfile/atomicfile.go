// Package atomicfile replaces files so that a reader sees either the old
// content or the new one, never a part of it, even if the writing process
// dies or the machine loses power half-way.
//
// The new content goes to a temporary file in the destination's directory,
// which is synced to stable storage and renamed over the destination: on
// POSIX file systems the rename swaps the old file for the new one in a
// single step. The temporary file is named "." + the base name of the
// destination + ".<random>.tmp": a shell glob does not list it, nor does a
// pattern such as *.json, and a leftover from a killed process says which
// file it was meant to become.
//
// Errors are returned as "writing <path>: <cause>", without a package
// prefix: callers wrap them with their own (suite, checkpoint, ...).
package atomicfile

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Write replaces the file named path with the bytes that fill writes to w.
//
// fill writes to a new temporary file in the directory of path. Once fill
// returns nil, Write sets the permission bits of the temporary file to
// perm (exactly: unlike [os.WriteFile], the umask does not apply), syncs
// it, closes it and renames it over path. Last, it syncs the directory so
// that the rename itself is durable; that step is best effort, since some
// file systems cannot sync a directory.
//
// If fill or any step before the rename fails, Write removes the temporary
// file, leaves an existing file at path as it was and returns an error
// naming path that wraps the cause (fill's error, or the file system's).
func Write(path string, perm fs.FileMode, fill func(w io.Writer) error) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	tmp := f.Name()
	err = fill(f)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// WriteFile replaces the file named path with data, as [Write] does.
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	return Write(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}
