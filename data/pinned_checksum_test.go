package data

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/gradbench/gradbench/internal/racebuild"
)

// officialGzipMTime holds the MTIME field of the gzip header of each
// official Fashion-MNIST file (Unix seconds, 2017-08-31 UTC). Debian's
// dataset-fashion-mnist ships the same deflate streams behind a rewritten
// header (its own MTIME, no FNAME field), which is why its .gz files are
// 23 or 24 bytes shorter than the official ones and hash differently. The
// times were recovered by searching the seconds of 2017-08 for the header
// that makes Debian's payload hash to the pinned SHA-256.
var officialGzipMTime = map[string]uint32{
	"train-images-idx3-ubyte.gz": 1504176606,
	"train-labels-idx1-ubyte.gz": 1504176606,
	"t10k-images-idx3-ubyte.gz":  1504176627,
	"t10k-labels-idx1-ubyte.gz":  1504176627,
}

// TestPinnedFashionMNISTChecksums checks the pinned download checksums of
// Fashion-MNIST against the copy installed on this machine, independently
// of any other published record: each official file is rebuilt from
// Debian's by restoring the original gzip header (magic, deflate, FNAME
// flag, the MTIME above, XFL 0, OS Unix, the original file name), and its
// size and SHA-256 must be the pinned ones.
func TestPinnedFashionMNISTChecksums(t *testing.T) {
	racebuild.Skip(t, "it checks checksums of files only, with no goroutines of its own; the openblas and purego builds run it in full")
	const dir = "/usr/share/datasets/fashion-mnist"
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("Debian's dataset-fashion-mnist is not installed (%v); apt-get install dataset-fashion-mnist", err)
	}
	files := datasets["fashion-mnist"].remote.files
	if len(files) != len(officialGzipMTime) {
		t.Fatalf("%d pinned Fashion-MNIST files, want %d", len(files), len(officialGzipMTime))
	}
	for _, f := range files {
		mtime, ok := officialGzipMTime[f.name]
		if !ok {
			t.Errorf("no gzip MTIME recorded for pinned file %s", f.name)
			continue
		}
		deb, err := os.ReadFile(filepath.Join(dir, f.name))
		if err != nil {
			t.Fatal(err)
		}
		// Debian's header is the 10 fixed bytes with no optional field.
		if len(deb) < 10 || deb[0] != 0x1f || deb[1] != 0x8b || deb[2] != 8 || deb[3] != 0 {
			t.Fatalf("%s: gzip header % x, want 1f 8b 08 00 (deflate, no optional fields)", f.name, deb[:min(4, len(deb))])
		}
		official := []byte{0x1f, 0x8b, 8, 0x08 /* FNAME */, 0, 0, 0, 0, 0 /* XFL */, 3 /* OS: Unix */}
		binary.LittleEndian.PutUint32(official[4:], mtime)
		official = append(official, f.name[:len(f.name)-len(".gz")]...)
		official = append(official, 0)
		official = append(official, deb[10:]...)
		sum := sha256.Sum256(official)
		if got := hex.EncodeToString(sum[:]); got != f.sha256 || int64(len(official)) != f.size {
			t.Errorf("%s rebuilt from Debian's copy: %d bytes, SHA-256 %s; want the pinned %d bytes, %s", f.name, len(official), got, f.size, f.sha256)
		}
	}
}
