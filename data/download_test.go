package data

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gradbench/gradbench/internal/idxtest"
)

// server serves files by name from a map and counts requests; nothing in
// these tests touches the network.
type server struct {
	*httptest.Server
	files map[string][]byte
	hits  atomic.Int64
}

func newServer(t testing.TB, files map[string][]byte) *server {
	s := &server{files: files}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		b, ok := s.files[strings.TrimPrefix(r.URL.Path, "/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(s.Close)
	return s
}

func pin(name string, b []byte) remoteFile {
	sum := sha256.Sum256(b)
	return remoteFile{name, int64(len(b)), hex.EncodeToString(sum[:])}
}

// tinyIDX registers a dataset "tiny-idx" shaped like MNIST whose four
// files (n training, n/2 test images) are served by a test server, and
// returns the server and the files.
func tinyIDX(t testing.TB, n int) (*server, map[string][]byte) {
	t.Helper()
	files := map[string][]byte{}
	var pins []remoteFile
	for _, sp := range []struct {
		prefix string
		n      int
	}{{"train", n}, {"t10k", n / 2}} {
		pixels, labels := testImages(sp.n, 28, 28, 10)
		img := gz(t, idxtest.Bytes([]int{sp.n, 28, 28}, pixels))
		lab := gz(t, idxtest.Bytes([]int{sp.n}, labels))
		files[sp.prefix+"-images-idx3-ubyte.gz"] = img
		files[sp.prefix+"-labels-idx1-ubyte.gz"] = lab
		pins = append(pins, pin(sp.prefix+"-images-idx3-ubyte.gz", img), pin(sp.prefix+"-labels-idx1-ubyte.gz", lab))
	}
	srv := newServer(t, files)
	s := *datasets["mnist"]
	s.remote = &remote{urls: []string{"http://127.0.0.1:1/unused/", srv.URL + "/"}, files: pins}
	register(t, "tiny-idx", &s)
	return srv, files
}

func register(t testing.TB, name string, s *spec) {
	datasets[name] = s
	t.Cleanup(func() { delete(datasets, name) })
}

// leftovers returns the names of the files in dir (recursively), to check
// that no partial download survives.
func leftovers(t testing.TB, dir string) []string {
	var names []string
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, d.Name())
		}
		return nil
	})
	return names
}

func TestDownload(t *testing.T) {
	_, cache := sandbox(t)
	srv, files := tinyIDX(t, 40)
	var progress bytes.Buffer
	d, err := Open(context.Background(), "tiny-idx", Train, Options{Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(cache, "tiny-idx")
	if d.N != 40 || d.Source != dir {
		t.Errorf("downloaded dataset: %v from %s, want 40 images from %s", d, d.Source, dir)
	}
	// Tried as a new user would: gradbench eval, which reads the test
	// split alone, downloaded the training split too. Opening a split
	// downloads that split's files only.
	if got := leftovers(t, dir); len(got) != 2 || !slices.Contains(got, "train-images-idx3-ubyte.gz") || !slices.Contains(got, "train-labels-idx1-ubyte.gz") {
		t.Errorf("cache holds %q, want exactly the training split's 2 files", got)
	}
	out := progress.String()
	if strings.Count(out, "SHA-256 verified") != 2 || strings.Contains(out, "\r") {
		t.Errorf("progress written when not a terminal:\n%s\nwant one line per file and no redrawn bar", out)
	}
	// The first mirror refuses connections; every file came from the second.
	if hits := srv.hits.Load(); hits != 2 {
		t.Errorf("server got %d requests, want 2", hits)
	}
	// The test split is downloaded when opened, then both are in the cache.
	if _, err := Open(context.Background(), "tiny-idx", Test, Options{}); err != nil {
		t.Fatal(err)
	}
	if got := leftovers(t, dir); len(got) != 4 || srv.hits.Load() != 4 {
		t.Errorf("after opening the test split: cache holds %q after %d requests, want the 4 files after 4", got, srv.hits.Load())
	}
	for name, b := range files {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(got, b) {
			t.Errorf("%s in the cache: %d bytes, %v; want the %d bytes served", name, len(got), err, len(b))
		}
	}
	for _, split := range []Split{Train, Test} {
		if _, err := Open(context.Background(), "tiny-idx", split, Options{}); err != nil {
			t.Fatal(err)
		}
	}
	if srv.hits.Load() != 4 {
		t.Error("opening a split in the cache downloaded again")
	}
}

// TestDownloadTestSplitAlone: opening the test split of a dataset found
// nowhere downloads the test split's files and not the training split's,
// whose absence does not block it (gradbench eval reads the test split
// alone).
func TestDownloadTestSplitAlone(t *testing.T) {
	_, cache := sandbox(t)
	srv, files := tinyIDX(t, 20)
	// The training split is not served: were it asked for, Open fails.
	delete(files, "train-images-idx3-ubyte.gz")
	delete(files, "train-labels-idx1-ubyte.gz")
	d, err := Open(context.Background(), "tiny-idx", Test, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d.N != 10 || srv.hits.Load() != 2 {
		t.Errorf("test split: %d images after %d requests, want 10 after 2", d.N, srv.hits.Load())
	}
	if got := leftovers(t, filepath.Join(cache, "tiny-idx")); len(got) != 2 {
		t.Errorf("cache holds %q, want the test split's 2 files", got)
	}
}

// TestDownloadWrongChecksum is the acceptance test: a file whose SHA-256
// is not the pinned one fails the Open and leaves nothing in the cache.
func TestDownloadWrongChecksum(t *testing.T) {
	_, cache := sandbox(t)
	srv, files := tinyIDX(t, 10)
	tampered := bytes.Clone(files["train-labels-idx1-ubyte.gz"])
	tampered[len(tampered)-1] ^= 1
	srv.files["train-labels-idx1-ubyte.gz"] = tampered
	_, err := Open(context.Background(), "tiny-idx", Train, Options{})
	wantErr(t, err, "train-labels-idx1-ubyte.gz", "SHA-256", pin("", files["train-labels-idx1-ubyte.gz"]).sha256, pin("", tampered).sha256)
	for _, name := range leftovers(t, filepath.Join(cache, "tiny-idx")) {
		if strings.Contains(name, "labels") && strings.HasPrefix(name, "train") || strings.HasSuffix(name, ".part") {
			t.Errorf("cache holds %s after a failed download", name)
		}
	}
}

func TestDownloadBadResponses(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		want    []string
	}{
		{"not found", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }, []string{"404 Not Found"}},
		{"short body", func(w http.ResponseWriter, r *http.Request) {
			w.(http.Flusher).Flush() // no Content-Length: the length is known only at the end
			w.Write(make([]byte, 10))
		}, []string{"got 10 bytes, want 100"}},
		{"long body", func(w http.ResponseWriter, r *http.Request) {
			w.(http.Flusher).Flush()
			w.Write(make([]byte, 1000))
		}, []string{"got 101 bytes, want 100"}},
		{"announced size", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "5")
			w.Write(make([]byte, 5))
		}, []string{"server announces 5 bytes, want 100"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			dir := t.TempDir()
			f := pin("f.bin", make([]byte, 100))
			err := fetchFile(context.Background(), []string{srv.URL + "/"}, filepath.Join(dir, "f.bin"), f, Options{})
			wantErr(t, err, append(tc.want, srv.URL+"/f.bin")...)
			if got := leftovers(t, dir); len(got) > 0 {
				t.Errorf("directory holds %q after a failed download", got)
			}
		})
	}
}

func TestDownloadMirrorsAndBaseURL(t *testing.T) {
	body := []byte("hello, mirror")
	good := newServer(t, map[string][]byte{"f.bin": body})
	bad := newServer(t, nil)
	dir := t.TempDir()
	f := pin("f.bin", body)
	if err := fetchFile(context.Background(), []string{bad.URL + "/", good.URL + "/"}, filepath.Join(dir, "f.bin"), f, Options{}); err != nil {
		t.Fatal(err)
	}
	if bad.hits.Load() != 1 || good.hits.Load() != 1 {
		t.Errorf("mirror hits: %d then %d, want 1 and 1", bad.hits.Load(), good.hits.Load())
	}
	err := fetchFile(context.Background(), []string{bad.URL + "/", bad.URL + "/x/"}, filepath.Join(dir, "g.bin"), f, Options{})
	wantErr(t, err, "failed from every mirror", bad.URL+"/f.bin", bad.URL+"/x/f.bin")

	// BaseURL replaces the official locations.
	_, cache := sandbox(t)
	mirror, files := tinyIDX(t, 6)
	datasets["tiny-idx"].remote.urls = []string{"http://127.0.0.1:1/"}
	if _, err := Open(context.Background(), "tiny-idx", Train, Options{BaseURL: mirror.URL}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(cache, "tiny-idx", "train-images-idx3-ubyte.gz")); err != nil || len(files) != 4 {
		t.Errorf("BaseURL download: %v", err)
	}
}

func TestDownloadProgressBar(t *testing.T) {
	sandbox(t)
	tinyIDX(t, 300)
	var out bytes.Buffer
	if _, err := Open(context.Background(), "tiny-idx", Train, Options{Progress: &out, ProgressBar: true}); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	if !strings.Contains(s, "\rdownloading train-images-idx3-ubyte.gz [") || !strings.Contains(s, "100%") || strings.Count(s, "SHA-256 verified)\n") != 2 {
		t.Errorf("progress on a terminal:\n%q\nwant a redrawn bar reaching 100%% and one line per file of the split", s)
	}
}

// TestDownloadProgressFitsTerminal: the status line of a download
// ("downloading cifar-10-binary.tar.gz [====>   ] 52% 88.4/170.1 MB
// 4.1 MB/s" is over 80 columns) wrapped on a narrow terminal, and each
// redraw left a row behind. Within the terminal's width it drops the
// bar, then shortens the file name, keeping the percentage and sizes.
func TestDownloadProgressFitsTerminal(t *testing.T) {
	for _, cols := range []int{80, 40, 30} {
		sandbox(t)
		tinyIDX(t, 300)
		var out bytes.Buffer
		opt := Options{Progress: &out, ProgressBar: true, Columns: func() int { return cols }}
		if _, err := Open(context.Background(), "tiny-idx", Train, opt); err != nil {
			t.Fatal(err)
		}
		drawn := 0
		for _, l := range strings.Split(out.String(), "\r") {
			l = strings.TrimRight(l, " ")
			if !strings.Contains(l, "%") || strings.Contains(l, "\n") {
				continue // a permanent line, or the erased status
			}
			drawn++
			if n := len([]rune(l)); n > cols-1 {
				t.Errorf("%d columns: status line %q is %d wide", cols, l, n)
			}
		}
		if drawn == 0 {
			t.Errorf("%d columns: no status line drawn:\n%q", cols, out.String())
		}
	}
}

// TestDownloadCancel cancels a download in flight: the error wraps
// context.Canceled and no partial file is left.
func TestDownloadCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.Write(make([]byte, 50))
		w.(http.Flusher).Flush()
		close(started)
		<-r.Context().Done()
	}))
	defer srv.Close()
	go func() { <-started; cancel() }()
	dir := t.TempDir()
	err := fetchFile(ctx, []string{srv.URL + "/", srv.URL + "/second/"}, filepath.Join(dir, "f.bin"), pin("f.bin", make([]byte, 100)), Options{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	if got := leftovers(t, dir); len(got) > 0 {
		t.Errorf("directory holds %q after a cancelled download", got)
	}
}

// TestDownloadStall abandons a server that stops sending, with an error
// saying so and no partial file.
func TestDownloadStall(t *testing.T) {
	old := stallTimeout
	stallTimeout = 100 * time.Millisecond
	defer func() { stallTimeout = old }()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		for range 3 { // a trickle keeps the download alive
			w.Write(make([]byte, 10))
			w.(http.Flusher).Flush()
			time.Sleep(60 * time.Millisecond)
		}
		<-r.Context().Done()
	}))
	defer srv.Close()
	dir := t.TempDir()
	err := fetchFile(context.Background(), []string{srv.URL + "/"}, filepath.Join(dir, "f.bin"), pin("f.bin", make([]byte, 100)), Options{})
	wantErr(t, err, srv.URL+"/f.bin", "no data received for 100ms")
	if got := leftovers(t, dir); len(got) > 0 {
		t.Errorf("directory holds %q after a stalled download", got)
	}
}

// tarGz returns a tar.gz archive of the files, in order.
func tarGz(t testing.TB, names []string, files map[string][]byte) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, name := range names {
		b := files[name]
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(b)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write(b)
	}
	tw.Close()
	return gz(t, buf.Bytes())
}

func TestDownloadArchive(t *testing.T) {
	_, cache := sandbox(t)
	s := *datasets["cifar10"]
	files := map[string][]byte{"cifar-10-batches-bin/batches.meta.txt": []byte("airplane\n")}
	names := []string{"cifar-10-batches-bin/batches.meta.txt"}
	for i, name := range s.allFiles() {
		files["cifar-10-batches-bin/"+name] = cifarBatch(i*3, 3)
		names = append(names, "cifar-10-batches-bin/"+name)
	}
	archive := tarGz(t, names, files)
	srv := newServer(t, map[string][]byte{"cifar-10-binary.tar.gz": archive})
	s.remote = &remote{urls: []string{srv.URL + "/"}, files: []remoteFile{pin("cifar-10-binary.tar.gz", archive)}, archive: true, archiveDir: "cifar-10-batches-bin"}
	register(t, "tiny-cifar", &s)

	train, test, err := OpenSplits(context.Background(), "tiny-cifar", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if train.N != 15 || test.N != 3 || !bytes.Equal(test.Image(2), files["cifar-10-batches-bin/test_batch.bin"][2*cifarRecord+1:]) {
		t.Errorf("extracted CIFAR: %v, %v; want 15 and 3 images as archived", train, test)
	}
	dir := filepath.Join(cache, "tiny-cifar")
	if got := leftovers(t, dir); len(got) != 6 {
		t.Errorf("cache holds %q, want the 6 batches (the archive removed)", got)
	}
	if srv.hits.Load() != 1 {
		t.Errorf("%d requests, want 1", srv.hits.Load())
	}

	// An archive without the test batch: extraction fails and names it.
	os.RemoveAll(dir)
	delete(files, "cifar-10-batches-bin/test_batch.bin")
	archive = tarGz(t, names[:len(names)-1], files)
	srv.files["cifar-10-binary.tar.gz"] = archive
	s.remote.files[0] = pin("cifar-10-binary.tar.gz", archive)
	_, err = Open(context.Background(), "tiny-cifar", Train, Options{})
	wantErr(t, err, "archive lacks cifar-10-batches-bin/test_batch.bin")
}

// TestExplicitDirNeverDownloads checks that a --data directory without
// the dataset is an error and no request is made.
func TestExplicitDirNeverDownloads(t *testing.T) {
	sandbox(t)
	srv, _ := tinyIDX(t, 4)
	_, err := Open(context.Background(), "tiny-idx", Train, Options{Dir: t.TempDir()})
	wantErr(t, err, "train split not found")
	if srv.hits.Load() != 0 {
		t.Errorf("%d requests with an explicit directory, want none", srv.hits.Load())
	}
}

// TestDownloadFailedSaysWhereToPutFiles: tried as a new user would, on a
// machine without network access, gradbench run --dataset mnist failed
// with the download's error alone ("dial tcp: lookup ...: no such host"),
// which did not say that the dataset was looked for and not found, where,
// nor that its files can be put there by hand. The error names the places
// searched, the download's failure and the files to put there.
func TestDownloadFailedSaysWhereToPutFiles(t *testing.T) {
	system, cache := sandbox(t)
	tinyIDX(t, 10)
	datasets["tiny-idx"].remote.urls = []string{"http://127.0.0.1:1/"}
	_, err := Open(context.Background(), "tiny-idx", Train, Options{})
	wantErr(t, err,
		"data: tiny-idx: train split not found; searched:\n\t",
		filepath.Join(cache, "tiny-idx")+" (the user cache)",
		filepath.Join(system, "tiny-idx")+" (the system datasets directory)",
		"\nand downloading it failed: downloading http://127.0.0.1:1/train-images-idx3-ubyte.gz: ",
		"\nput train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz] in one of these directories, or pass a data directory that holds them")
	if strings.Count(err.Error(), "data: ") != 1 {
		t.Errorf("error %q names the data layer more than once", err)
	}
}

// TestDownloadFailedLeavesNoDirectory: tried as a new user would, a
// download that failed (no network) left an empty
// $XDG_CACHE_HOME/gradbench/mnist behind, which then looked like a
// dataset directory to search. A failed fetch removes the directories it
// made, when they are still empty, and leaves those that were there.
func TestDownloadFailedLeavesNoDirectory(t *testing.T) {
	_, cache := sandbox(t)
	tinyIDX(t, 10)
	datasets["tiny-idx"].remote.urls = []string{"http://127.0.0.1:1/"}
	if _, err := Open(context.Background(), "tiny-idx", Train, Options{}); err == nil {
		t.Fatal("Open with the download unreachable succeeded")
	}
	if _, err := os.Stat(cache); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after a failed download, %s: %v, want it gone (the fetch made it)", cache, err)
	}
	if _, err := os.Stat(filepath.Dir(cache)); err != nil {
		t.Errorf("the cache directory, there before, is gone: %v", err)
	}
	// A directory that was there before is the user's: it stays, empty.
	mine := filepath.Join(cache, "tiny-idx")
	if err := os.MkdirAll(mine, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(context.Background(), "tiny-idx", Train, Options{}); err == nil {
		t.Fatal("Open with the download unreachable succeeded")
	}
	if st, err := os.Stat(mine); err != nil || !st.IsDir() {
		t.Errorf("the failed download removed %s, which was there before it: %v", mine, err)
	}
}

// TestDownloadWhileAnotherFails: a fetch that fails removes the
// directories it made if they are empty, and one running beside it (a
// second gradbench process downloading the same dataset) that found the
// dataset's directory there, made by the first, and was waiting for the
// server when the first removed it, could not create its file: the
// download it was receiving failed with "no such file or directory". A
// download makes its file's directory again if it is gone.
func TestDownloadWhileAnotherFails(t *testing.T) {
	_, cache := sandbox(t)
	_, files := tinyIDX(t, 10)
	aArrived, bArrived, aDone := make(chan struct{}), make(chan struct{}), make(chan struct{})
	var aOnce, bOnce sync.Once
	// A's mirror answers 404 once B waits for its own answer.
	srvA := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		aOnce.Do(func() { close(aArrived) })
		<-bArrived
		http.NotFound(w, r)
	}))
	defer srvA.Close()
	// B's mirror answers once A has failed.
	srvB := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bOnce.Do(func() { close(bArrived) })
		<-aDone
		b, ok := files[strings.TrimPrefix(r.URL.Path, "/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	defer srvB.Close()
	datasets["tiny-idx"].remote.urls = []string{srvB.URL + "/"}

	aErr := make(chan error, 1)
	go func() {
		_, err := Open(context.Background(), "tiny-idx", Train, Options{BaseURL: srvA.URL})
		aErr <- err
	}()
	<-aArrived // A has made the dataset's directory
	bErr := make(chan error, 1)
	go func() {
		_, err := Open(context.Background(), "tiny-idx", Train, Options{})
		bErr <- err
	}()
	if err := <-aErr; err == nil {
		t.Fatal("A's download from a mirror answering 404 succeeded")
	}
	close(aDone)
	if err := <-bErr; err != nil {
		t.Errorf("B's download, while A's failed: %v", err)
	}
	dir := filepath.Join(cache, "tiny-idx")
	if got := leftovers(t, dir); len(got) != 2 {
		t.Errorf("cache holds %q, want the training split's 2 files", got)
	}
}
