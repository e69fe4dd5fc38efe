package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// A Batch replaces several files together, for a command that writes
// more than one: either all of them get their new content, or none of the
// files new to their directory is left behind.
//
// AddUmask writes each file's content to a temporary file beside it, as
// [WriteUmask] does, and leaves the destination as it was; Commit then renames
// every temporary file over its destination. A failure to write content
// (a full disk, a destination that is a directory, a missing directory)
// is met in AddUmask, before any destination changes: the caller then calls
// Abort, which removes the temporary files. Should a rename in Commit
// fail, Commit removes the temporary files not yet renamed and the files
// it had created (those that did not exist before); a file it had already
// replaced keeps its new content, since its old content is gone.
//
// Remove stages the removal of a file that the new files supersede (an
// earlier output under a name the command no longer writes), which Commit
// removes only once every staged file is in place.
//
// The zero Batch is ready to use. A Batch is not safe for concurrent use.
type Batch struct {
	staged  []staged
	remove  []string
	removed []string
}

type staged struct {
	tmp, path string
	target    string // the file path names (see Target), renamed over
}

// AddUmask stages the file path with the bytes that fill writes and the
// permission bits perm less the umask, as [WriteUmask] does; nothing at
// path changes until Commit. Its error names path; the caller then calls
// Abort.
func (b *Batch) AddUmask(path string, perm fs.FileMode, fill func(w io.Writer) error) error {
	tmp, target, err := stage(path, perm, false, fill)
	if err != nil {
		return err
	}
	b.staged = append(b.staged, staged{tmp, path, target})
	return nil
}

// Remove stages the removal of the file at path: Commit removes it after
// renaming every staged file into place, and leaves it as it is when a
// rename fails (or the caller calls Abort instead), so that a failed
// write never leaves fewer files than there were. The caller names a
// file that is none of the staged destinations.
func (b *Batch) Remove(path string) {
	b.remove = append(b.remove, path)
}

// Removed returns the files the last Commit removed (see Remove): those
// staged for removal that existed then.
func (b *Batch) Removed() []string { return b.removed }

// Abort removes the temporary files of the files staged and empties the
// batch, leaving the files staged for removal as they are. It is a no-op
// after Commit.
func (b *Batch) Abort() {
	for _, s := range b.staged {
		os.Remove(s.tmp)
	}
	b.staged, b.remove = nil, nil
}

// Commit renames every staged file over its destination, in the order
// added, then removes the files staged for removal (a file already gone
// is passed over), syncs their directories and empties the batch. On a
// failed rename it undoes what it can (see Batch), removes nothing and
// returns an error naming the destination; a removal that fails is an
// error naming the file, after every staged file is in place.
func (b *Batch) Commit() error {
	remove := b.remove
	b.removed = nil
	defer func() { b.staged, b.remove = nil, nil }()
	var created []string
	for i, s := range b.staged {
		_, err := os.Lstat(s.target)
		isNew := errors.Is(err, fs.ErrNotExist)
		if err := os.Rename(s.tmp, s.target); err != nil {
			for _, rest := range b.staged[i:] {
				os.Remove(rest.tmp)
			}
			for _, p := range created {
				os.Remove(p)
			}
			return fmt.Errorf("writing %s: %w", s.path, err)
		}
		if isNew {
			created = append(created, s.target)
		}
	}
	var rmErr error
	for _, p := range remove {
		err := os.Remove(p)
		switch {
		case err == nil:
			b.removed = append(b.removed, p)
		case errors.Is(err, fs.ErrNotExist):
		case rmErr == nil:
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err // "removing x: permission denied", x named once
			}
			rmErr = fmt.Errorf("removing %s: %w", p, err)
		}
	}
	synced := map[string]bool{}
	sync := func(path string) {
		if dir := filepath.Dir(path); !synced[dir] {
			synced[dir] = true
			syncDir(path)
		}
	}
	for _, s := range b.staged {
		sync(s.target)
	}
	for _, p := range b.removed {
		sync(p)
	}
	return rmErr
}
