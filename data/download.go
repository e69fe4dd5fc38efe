package data

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gradbench/gradbench/internal/atomicfile"
)

// fetchFile downloads f into dst from the first of the base URLs that
// serves it intact. The body goes to a temporary file next to dst, is
// checked against f's size and SHA-256, and only then renamed to dst: a
// failed, cancelled or corrupt download leaves nothing behind.
func fetchFile(ctx context.Context, urls []string, dst string, f remoteFile, opt Options) error {
	var errs []string
	for _, base := range urls {
		err := fetchOne(ctx, base+f.name, dst, f, opt)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return err
		}
		errs = append(errs, err.Error())
	}
	if len(errs) == 1 {
		return errors.New(errs[0])
	}
	return fmt.Errorf("data: downloading %s failed from every mirror:\n\t%s", f.name, strings.Join(errs, "\n\t"))
}

// stallTimeout is how long a download may go without receiving a byte
// (or a response) before it is abandoned.
var stallTimeout = 60 * time.Second

var errStalled = errors.New("no data received")

func fetchOne(ctx context.Context, url, dst string, f remoteFile, opt Options) (err error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stall := time.AfterFunc(stallTimeout, func() { cancel(errStalled) })
	defer stall.Stop()
	defer func() {
		if context.Cause(ctx) == errStalled {
			err = fmt.Errorf("data: downloading %s: no data received for %v", url, stallTimeout)
		}
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("data: downloading %s: %w", url, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("data: downloading %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("data: downloading %s: %s", url, resp.Status)
	}
	if resp.ContentLength >= 0 && resp.ContentLength != f.size {
		return fmt.Errorf("data: downloading %s: server announces %d bytes, want %d", url, resp.ContentLength, f.size)
	}

	// The directory is made again if it is gone: another process's fetch
	// that made it and failed meanwhile removes it when it is empty, as
	// it is until this file is created (see fetch).
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("data: downloading %s: %w", url, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".*.part")
	if err != nil {
		return fmt.Errorf("data: downloading %s: %w", url, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()

	p := newProgress(opt, "downloading "+f.name, f.size, true)
	h := sha256.New()
	body := &stallReader{io.LimitReader(resp.Body, f.size+1), stall}
	n, err := io.Copy(io.MultiWriter(tmp, h), p.reader(body))
	p.stop()
	switch {
	case err != nil:
		return fmt.Errorf("data: downloading %s: %w after %d bytes", url, err, n)
	case n != f.size:
		return fmt.Errorf("data: downloading %s: got %d bytes, want %d", url, n, f.size)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != f.sha256 {
		return fmt.Errorf("data: downloading %s: SHA-256 %s, want %s (corrupt download or changed upstream file; nothing kept)", url, got, f.sha256)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("data: writing %s: %w", dst, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("data: writing %s: %w", dst, err)
	}
	if err = os.Rename(tmp.Name(), dst); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	p.done(fmt.Sprintf("downloaded %s to %s (%s, SHA-256 verified)", url, dst, byteSize(f.size)))
	return nil
}

// stallReader restarts the stall timer whenever bytes arrive.
type stallReader struct {
	r     io.Reader
	timer *time.Timer
}

func (r *stallReader) Read(b []byte) (int, error) {
	n, err := r.r.Read(b)
	if n > 0 {
		r.timer.Reset(stallTimeout)
	}
	return n, err
}

// fetchArchive makes sure dir holds the files named want, extracting the
// missing ones from the tar.gz archive f (downloaded into dir first when it
// is not there) where they sit under archiveDir. Each member is written to
// a temporary file and renamed into place; the archive is removed once
// every file is out.
func fetchArchive(ctx context.Context, urls []string, dir string, f remoteFile, archiveDir string, want []string, opt Options) error {
	var missing []string
	for _, name := range want {
		if _, err := os.Stat(filepath.Join(dir, name)); errors.Is(err, fs.ErrNotExist) {
			missing = append(missing, name)
		} else if err != nil {
			return fmt.Errorf("data: %w", err)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	archive := filepath.Join(dir, f.name)
	if _, err := os.Stat(archive); errors.Is(err, fs.ErrNotExist) {
		if err := fetchFile(ctx, urls, archive, f, opt); err != nil {
			return err
		}
	} else if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if err := extract(ctx, archive, dir, archiveDir, missing); err != nil {
		return err
	}
	os.Remove(archive)
	return nil
}

// extract writes the members archiveDir/<name> of the tar.gz archive, for
// every name in names, to dir/<name>.
func extract(ctx context.Context, archive, dir, archiveDir string, names []string) error {
	fh, err := os.Open(archive)
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	defer fh.Close()
	zr, err := gzip.NewReader(fh)
	if err != nil {
		return fmt.Errorf("data: %s: corrupt gzip stream: %w", archive, err)
	}
	tr := tar.NewReader(zr)
	left := slices.Clone(names)
	for len(left) > 0 {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("data: extracting %s: %w", archive, err)
		}
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("data: %s: corrupt archive: %w", archive, err)
		}
		if hdr.Typeflag != tar.TypeReg || path.Dir(path.Clean(hdr.Name)) != archiveDir {
			continue
		}
		name := path.Base(hdr.Name)
		i := slices.Index(left, name)
		if i < 0 {
			continue
		}
		// 0600, the mode fetchOne's downloads get from os.CreateTemp.
		err = atomicfile.Write(filepath.Join(dir, name), 0o600, func(w io.Writer) error {
			_, err := io.Copy(w, tr)
			return err
		})
		if err != nil {
			return fmt.Errorf("data: extracting %s from %s: %w", hdr.Name, archive, err)
		}
		left = slices.Delete(left, i, i+1)
	}
	if len(left) > 0 {
		return fmt.Errorf("data: %s: archive lacks %s/%s", archive, archiveDir, strings.Join(left, ", "))
	}
	return nil
}

// makeDirs makes dir and the directories above it that are missing, as
// os.MkdirAll does, and returns those it made, outermost first (also
// when it fails, for the caller to remove). Each is made by os.Mkdir, so
// that one another process made meanwhile is not counted as this call's.
func makeDirs(dir string) ([]string, error) {
	if st, err := os.Stat(dir); err == nil && st.IsDir() {
		return nil, nil
	}
	var made []string
	if parent := filepath.Dir(dir); parent != dir {
		var err error
		if made, err = makeDirs(parent); err != nil {
			return made, err
		}
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		if st, serr := os.Stat(dir); errors.Is(err, fs.ErrExist) && serr == nil && st.IsDir() {
			return made, nil
		}
		return made, err
	}
	return append(made, dir), nil
}

// removeEmpty removes the directories made (as makeDirs returns them),
// innermost first, each only if it is empty: a file in one, another
// process's download, keeps it and those above it.
func removeEmpty(made []string) {
	for i := len(made) - 1; i >= 0; i-- {
		os.Remove(made[i]) // fails, as it should, on a directory that is not empty
	}
}

// cacheDir returns the user-cache directory that downloads of name go to.
func cacheDir(name string) (string, error) {
	c, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("data: %s: no user cache directory to download into (%w); set $%s or pass a data directory", name, err, EnvDataDir)
	}
	return filepath.Join(c, "gradbench", name), nil
}

// fetch downloads the split's missing files (an archive's: the whole
// archive, which holds both splits) into the user cache and returns that
// directory, which then holds the split. A fetch that fails removes the
// directories it made (the dataset's, gradbench's in the cache), if
// they are empty, so that no empty dataset directory is left to be
// searched and listed. (Another process's fetch may be waiting for a
// file to put in one of them: fetchOne makes it again.)
func (s *spec) fetch(ctx context.Context, name string, split Split, opt Options) (_ string, err error) {
	dir, err := cacheDir(name)
	if err != nil {
		return "", err
	}
	made, err := makeDirs(dir)
	defer func() {
		if err != nil {
			removeEmpty(made)
		}
	}()
	if err != nil {
		return "", fmt.Errorf("data: %s: %w", name, err)
	}
	urls := s.remote.urls
	if opt.BaseURL != "" {
		urls = []string{strings.TrimSuffix(opt.BaseURL, "/") + "/"}
	}
	if s.remote.archive {
		err = fetchArchive(ctx, urls, dir, s.remote.files[0], s.remote.archiveDir, s.allFiles(), opt)
	} else {
		for _, f := range s.remote.files {
			if !slices.Contains(s.files[split], strings.TrimSuffix(f.name, ".gz")) {
				// The other split's file: not needed to open this
				// one (gradbench eval reads the test split alone).
				// An archive holds both splits and is fetched whole.
				continue
			}
			dst := filepath.Join(dir, f.name)
			if _, err := os.Stat(dst); err == nil {
				continue // downloads are renamed into place only once checked
			} else if !errors.Is(err, fs.ErrNotExist) {
				return "", fmt.Errorf("data: %s: %w", name, err)
			}
			if raw := strings.TrimSuffix(dst, ".gz"); raw != dst {
				if _, err := os.Stat(raw); err == nil {
					// Uncompressed already: a download beside it
					// would make the file ambiguous (locate).
					continue
				}
			}
			if err = fetchFile(ctx, urls, dst, f, opt); err != nil {
				break
			}
		}
	}
	if err != nil {
		return "", err
	}
	if _, missing, err := s.locate(dir, split); err != nil {
		return "", err
	} else if missing != nil {
		return "", fmt.Errorf("data: %s: downloaded into %s, but %s is still missing", name, dir, strings.Join(missing, ", "))
	}
	return dir, nil
}
