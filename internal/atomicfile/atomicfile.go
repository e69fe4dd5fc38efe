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
// A path that is a symbolic link is written through, as a shell's
// redirection (>) writes: the file the link points to (links followed to
// the end, see [Target]) gets the new content, staged and renamed in its
// own directory, and the link stays as it was. A link whose file does not
// exist yet (a dangling link) creates that file, if its directory exists.
// Every refusal applies to the file the link points to.
//
// Errors are returned as "writing <path>: <cause>", without a package
// prefix: callers wrap them with their own (suite, checkpoint, ...). They
// name path as given, not the file a link points to.
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
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
// If path names a directory, a device, a named pipe or a socket (see
// [NotFile]) or no file ("", "out/"), or fill or any step
// before the rename fails, Write removes the temporary file, leaves an
// existing file at path as it was and returns an error naming path that
// wraps the cause (fill's error, or the file system's).
func Write(path string, perm fs.FileMode, fill func(w io.Writer) error) error {
	return write(path, perm, true, fill)
}

// WriteUmask is [Write] with the permission bits perm less the process's
// umask, as [os.WriteFile] and [os.Create] set them on a new file: 0o666
// gives the usual 0o644 under umask 022, 0o664 under 002, 0o600 under 077.
// Files meant for others to read (results in a shared directory) are
// written so.
func WriteUmask(path string, perm fs.FileMode, fill func(w io.Writer) error) error {
	return write(path, perm, false, fill)
}

func write(path string, perm fs.FileMode, exact bool, fill func(w io.Writer) error) error {
	tmp, target, err := stage(path, perm, exact, fill)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, target); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	syncDir(target)
	return nil
}

// maxLinks is the most symbolic links Target follows, as Linux's
// path resolution does (40): a longer chain is taken for a loop.
const maxLinks = 40

// Target returns the file that [Write] replaces when given path: path
// itself (as given) if its last element is not a symbolic link, or does
// not exist; otherwise the file the link points to, links followed to
// the end, which may not exist yet (a dangling link: Write creates it, as
// a shell's > does). A relative link is read from the link's directory,
// itself resolved first, so that a ".." in the link means what it means
// to the system. The error is a loop of links (more than 40 in a chain)
// or a link or directory that cannot be read.
func Target(path string) (string, error) {
	p := path
	for range maxLinks {
		st, err := os.Lstat(p)
		if err != nil || st.Mode()&fs.ModeSymlink == 0 {
			// Not a link, or nothing (a missing directory, a
			// file where a directory should be): what creating the
			// file there says is the error to give.
			return p, nil
		}
		dest, err := os.Readlink(p)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(dest) {
			dir, _ := filepath.Split(p)
			if dir == "" {
				dir = "."
			}
			// The link's directory, its own links resolved, so
			// that joining dest (and cleaning its "..") names the
			// file the system would reach.
			real, err := filepath.EvalSymlinks(dir)
			if err != nil {
				return "", err
			}
			dest = filepath.Join(real, dest)
		}
		p = dest
	}
	return "", fmt.Errorf("it is a chain of more than %d symbolic links (a loop?), want a file name", maxLinks)
}

// stage writes what fill writes to a new temporary file beside the file
// path names (see Target), with the permission bits perm (exact) or perm
// less the umask, synced and closed, and returns its name and the file to
// rename it over. If path names a directory or another file that is not
// regular (see NotFile), or any step fails, it removes the temporary file
// and returns an error naming path.
func stage(path string, perm fs.FileMode, exact bool, fill func(w io.Writer) error) (tmp, target string, err error) {
	// Refusal follows links: it judges the file a link points to.
	if why := Refusal(path); why != "" {
		return "", "", fmt.Errorf("writing %s: %s", path, why)
	}
	if _, base := filepath.Split(path); base == "" {
		// No file name: "" would stage "..<random>.tmp" in the working
		// directory and fail at the rename, naming neither.
		return "", "", fmt.Errorf("writing %q: no file name, want a path such as out/table.md", path)
	}
	target, err = Target(path)
	if err != nil {
		return "", "", fmt.Errorf("writing %s: %w", path, err)
	}
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	f, err := createTemp(dir, base, perm)
	if err != nil {
		return "", "", fmt.Errorf("writing %s: %w", path, err)
	}
	tmp = f.Name()
	err = fill(f)
	if err == nil && exact {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = syncFile(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return "", "", fmt.Errorf("writing %s: %w", path, err)
	}
	return tmp, target, nil
}

// syncFile syncs a staged file to stable storage before it is renamed
// into place. A variable so that tests can see that a write syncs, and
// make the sync fail, which no file system does on demand.
var syncFile = (*os.File).Sync

// NotFile returns why a path whose (link-followed) mode is mode cannot
// be written by [Write], or "" for a regular file. A directory cannot take
// a file; a device, a named pipe or a socket (/dev/stdout, /dev/null, a
// FIFO) is not replaced: renaming the new file over its name would put a
// regular file in place of the device (the link /dev/stdout, as a user
// allowed to write /dev, lost for every process) instead of writing to
// it, and elsewhere fails with the temporary file's directory named, not
// the path given.
func NotFile(mode fs.FileMode) string {
	var kind string
	switch {
	case mode.IsRegular():
		return ""
	case mode.IsDir():
		return "it is a directory, want a file name"
	case mode&fs.ModeCharDevice != 0:
		kind = "a character device"
	case mode&fs.ModeDevice != 0:
		kind = "a device"
	case mode&fs.ModeNamedPipe != 0:
		kind = "a named pipe"
	case mode&fs.ModeSocket != 0:
		kind = "a socket"
	default:
		kind = "a special file"
	}
	return "it is " + kind + ", not a regular file: want a file name (an output is renamed into place, which would replace " + kind + " rather than write to it)"
}

// Refusal returns why [Write] refuses path, or "" if it does not (a
// regular file, or nothing yet): path (its links followed) is not a
// regular file (see [NotFile]), or it is the standard input, output or
// error of this process, as /dev/stdout is when the output is redirected
// to a file (gradbench table --bench /dev/stdout > out.txt, or --bench
// out.txt > out.txt). Renaming a new file over that name would replace
// the link /dev/stdout itself (for a user allowed to write /dev, for
// every process), or the redirected file, whose old content the process
// then goes on writing to unseen, rather than write to the stream.
func Refusal(path string) string {
	st, err := os.Stat(path)
	if err != nil {
		return ""
	}
	if why := NotFile(st.Mode()); why != "" {
		return why
	}
	for _, s := range []struct {
		f          *os.File
		name, link string
	}{{os.Stdout, "standard output", "/dev/stdout"}, {os.Stderr, "standard error", "/dev/stderr"}, {os.Stdin, "standard input", "/dev/stdin"}} {
		if s.f == nil {
			continue
		}
		if fst, err := s.f.Stat(); err == nil && os.SameFile(st, fst) {
			return "it is the " + s.name + " of this process (a redirection to that file, or " + s.link + "), not a file of its own: an output is renamed into place, which would replace that file rather than write to the stream"
		}
	}
	return ""
}

// syncDir syncs the directory of path, so that a rename into it is
// durable; best effort, since some file systems cannot sync a directory.
func syncDir(path string) {
	dir := filepath.Dir(path)
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// createTemp creates a new file "."+base+".<random>.tmp" in dir with the
// permission bits perm less the umask, as [os.CreateTemp] does with 0600.
// Its error names dir, not the temporary file, which the caller never
// named: "creating a file in nodir: no such file or directory".
func createTemp(dir, base string, perm fs.FileMode) (*os.File, error) {
	for range 10000 {
		name := filepath.Join(dir, "."+base+"."+strconv.FormatUint(uint64(rand.Uint32()), 10)+".tmp")
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		var pe *fs.PathError
		switch {
		case errors.Is(err, fs.ErrExist):
			continue
		case errors.As(err, &pe):
			return nil, fmt.Errorf("creating a file in %s: %w", filepath.Clean(dir), pe.Err)
		}
		return f, err
	}
	return nil, fmt.Errorf("creating a temporary file in %s: too many names taken", dir)
}

// WriteFile replaces the file named path with data, as [Write] does.
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	return Write(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteFileUmask replaces the file named path with data, as [WriteUmask]
// does.
func WriteFileUmask(path string, data []byte, perm fs.FileMode) error {
	return WriteUmask(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}
