package atomicfile

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/internal/dirtest"
)

// symlink makes a symbolic link, or skips the test where there are none.
func symlink(t *testing.T, dest, link string) {
	t.Helper()
	if err := os.Symlink(dest, link); err != nil {
		t.Skip("no symbolic links:", err)
	}
}

// checkLink fails the test unless link is still a symbolic link to dest.
func checkLink(t *testing.T, link, dest string) {
	t.Helper()
	if st, err := os.Lstat(link); err != nil || st.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("%s is now %v, %v; want the link kept", link, st.Mode(), err)
	}
	if got, err := os.Readlink(link); err != nil || got != dest {
		t.Errorf("%s points to %q, %v; want %q", link, got, err, dest)
	}
}

// TestWriteThroughLink: a path that is a symbolic link (plot.svg ->
// ../figs/plot.svg, tried as a new user would with gradbench surrogates
// --svg plot.svg) is written through, as a shell's > writes: the file it
// points to gets the new content, staged in that file's directory, and
// the link stays. Write used to rename its temporary file over the link,
// which became a regular file holding the output while the file it
// pointed to kept the old content. So for Write, for a Batch, through a
// chain of two links and through a dangling link (the file is created).
func TestWriteThroughLink(t *testing.T) {
	for _, tc := range []struct {
		name  string
		write func(path string, data []byte) error
	}{
		{"WriteFile", func(path string, data []byte) error { return WriteFile(path, data, 0o644) }},
		{"WriteFileUmask", func(path string, data []byte) error { return WriteFileUmask(path, data, 0o666) }},
		{"Batch", func(path string, data []byte) error {
			var b Batch
			defer b.Abort()
			if err := b.AddUmask(path, 0o666, func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
				return err
			}
			return b.Commit()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			work, figs := filepath.Join(root, "work"), filepath.Join(root, "figs")
			for _, d := range []string{work, figs} {
				if err := os.Mkdir(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			target := filepath.Join(figs, "plot.svg")
			if err := os.WriteFile(target, []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
			link := filepath.Join(work, "plot.svg")
			symlink(t, "../figs/plot.svg", link)
			if err := tc.write(link, []byte("new")); err != nil {
				t.Fatal(err)
			}
			checkLink(t, link, "../figs/plot.svg")
			if b, err := os.ReadFile(target); err != nil || string(b) != "new" {
				t.Errorf("the link's file holds %q, %v; want \"new\"", b, err)
			}
			if names := dirtest.Names(t, figs); len(names) != 1 {
				t.Errorf("figs holds %q, want only plot.svg", names)
			}
			if names := dirtest.Names(t, work); len(names) != 1 {
				t.Errorf("work holds %q, want only the link", names)
			}

			// A chain: latest.svg -> plot.svg -> ../figs/plot.svg.
			latest := filepath.Join(work, "latest.svg")
			symlink(t, "plot.svg", latest)
			if err := tc.write(latest, []byte("newer")); err != nil {
				t.Fatal(err)
			}
			checkLink(t, latest, "plot.svg")
			checkLink(t, link, "../figs/plot.svg")
			if b, err := os.ReadFile(target); err != nil || string(b) != "newer" {
				t.Errorf("through a chain of links, the file holds %q, %v; want \"newer\"", b, err)
			}

			// A dangling link: its file is created, as > does.
			dangling := filepath.Join(work, "new.svg")
			symlink(t, filepath.Join(figs, "new.svg"), dangling)
			if err := tc.write(dangling, []byte("created")); err != nil {
				t.Fatal(err)
			}
			checkLink(t, dangling, filepath.Join(figs, "new.svg"))
			if b, err := os.ReadFile(filepath.Join(figs, "new.svg")); err != nil || string(b) != "created" {
				t.Errorf("through a dangling link, the new file holds %q, %v; want \"created\"", b, err)
			}
		})
	}
}

// TestWriteThroughLinkRefused: what Write refuses it refuses through a
// link too, naming the path given: a link to a directory, a link whose
// directory is missing (named in the error), a loop of links. Nothing is
// left behind and the links stay.
func TestWriteThroughLinkRefused(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	toDir := filepath.Join(dir, "todir")
	symlink(t, "sub", toDir)
	nowhere := filepath.Join(dir, "nowhere")
	symlink(t, "missing/plot.svg", nowhere)
	loopA, loopB := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	symlink(t, "b", loopA)
	symlink(t, "a", loopB)
	for _, tc := range []struct{ path, want string }{
		{toDir, "writing " + toDir + ": it is a directory, want a file name"},
		{nowhere, "writing " + nowhere + ": creating a file in " + filepath.Join(dir, "missing") + ": no such file or directory"},
		{loopA, "writing " + loopA + ": it is a chain of more than 40 symbolic links (a loop?), want a file name"},
	} {
		if err := WriteFile(tc.path, []byte("x"), 0o644); err == nil || err.Error() != tc.want {
			t.Errorf("WriteFile(%s) = %v, want %s", tc.path, err, tc.want)
		}
		var b Batch
		if err := b.AddUmask(tc.path, 0o644, func(io.Writer) error { return nil }); err == nil || err.Error() != tc.want {
			t.Errorf("Batch.AddUmask(%s) = %v, want %s", tc.path, err, tc.want)
		}
		b.Abort()
	}
	checkLink(t, toDir, "sub")
	checkLink(t, nowhere, "missing/plot.svg")
	checkLink(t, loopA, "b")
	if names := dirtest.Names(t, dir); len(names) != 5 || strings.Contains(strings.Join(names, " "), ".tmp") {
		t.Errorf("directory holds %q, want only sub and the four links", names)
	}
}

// TestTargetThroughLinkedDir: a relative link with ".." in a directory
// reached through a link is read as the system reads it, from the
// directory's real place, not by cleaning the path as written.
func TestTargetThroughLinkedDir(t *testing.T) {
	root := t.TempDir()
	real := filepath.Join(root, "deep", "out")
	if err := os.MkdirAll(real, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(root, "deep", "figs"), 0o755); err != nil {
		t.Fatal(err)
	}
	symlink(t, real, filepath.Join(root, "out"))
	symlink(t, "../figs/plot.svg", filepath.Join(real, "plot.svg"))
	if err := WriteFile(filepath.Join(root, "out", "plot.svg"), []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(root, "deep", "figs", "plot.svg")); err != nil || string(b) != "new" {
		t.Errorf("deep/figs/plot.svg holds %q, %v; want \"new\"", b, err)
	}
	checkLink(t, filepath.Join(real, "plot.svg"), "../figs/plot.svg")
}
