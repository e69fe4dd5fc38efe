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
// The zero Batch is ready to use. A Batch is not safe for concurrent use.
type Batch struct {
	staged []staged
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

// Abort removes the temporary files of the files staged and empties the
// batch. It is a no-op after Commit.
func (b *Batch) Abort() {
	for _, s := range b.staged {
		os.Remove(s.tmp)
	}
	b.staged = nil
}

// Commit renames every staged file over its destination, in the order
// added, syncs their directories and empties the batch. On a failed
// rename it undoes what it can (see Batch) and returns an error naming
// the destination.
func (b *Batch) Commit() error {
	defer func() { b.staged = nil }()
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
	synced := map[string]bool{}
	for _, s := range b.staged {
		if dir := filepath.Dir(s.target); !synced[dir] {
			synced[dir] = true
			syncDir(s.target)
		}
	}
	return nil
}
