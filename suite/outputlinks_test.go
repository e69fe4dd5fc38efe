package suite

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOutputThroughLinkRunFiles: an output named by a symbolic link to a
// run's file (table.md -> runs/<key>.json, a dangling link to a run's
// weights yet to be written, or in an --out directory, bench.txt ->
// <key>.ckpt) is refused as the run's file is, by CheckOutputs,
// CheckOutputDir, WriteOutput and an outputBatch, and the run's file and
// the link are left as they were. Tried as a new user would: outputs
// are now written through links, so without this a link would let any
// output replace a run's record.
func TestOutputThroughLinkRunFiles(t *testing.T) {
	dir := t.TempDir()
	runs := filepath.Join(dir, "runs")
	if err := os.Mkdir(runs, 0o755); err != nil {
		t.Fatal(err)
	}
	rec := filepath.Join(runs, "0123456789abcdef.json")
	if err := os.WriteFile(rec, []byte("record"), 0o644); err != nil {
		t.Fatal(err)
	}
	table := filepath.Join(dir, "table.md")
	if err := os.Symlink("runs/0123456789abcdef.json", table); err != nil {
		t.Skip("no symbolic links:", err)
	}
	weights := filepath.Join(dir, "model.bin")
	if err := os.Symlink(filepath.Join(runs, "0123456789abcdef.weights"), weights); err != nil {
		t.Fatal(err)
	}
	bench := filepath.Join(runs, "bench.txt")
	if err := os.Symlink("0123456789abcdef.ckpt", bench); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, kind string }{
		{table, "a run record (<key>.json)"},
		{weights, "a run's weights (*.weights)"},
		{bench, "a run's epoch checkpoint (*.ckpt)"},
	} {
		err := CheckOutputs([]NamedFile{{"--out", tc.path}}, nil)
		if err == nil || !strings.Contains(err.Error(), "--out "+tc.path+": refusing to write there: it is a link to ") || !strings.Contains(err.Error(), tc.kind+", which only gradbench run writes") {
			t.Errorf("CheckOutputs(--out %s) = %v, want a refusal of the link to %s", tc.path, err, tc.kind)
		}
		if err := WriteOutput(tc.path, []byte("table")); err == nil || !strings.Contains(err.Error(), "writing "+tc.path+": refusing: it is a link to ") {
			t.Errorf("WriteOutput(%s) = %v, want a refusal", tc.path, err)
		}
		var b outputBatch
		if err := b.add(tc.path, []byte("table")); err == nil || !strings.Contains(err.Error(), "writing "+tc.path+": refusing: it is a link to ") {
			t.Errorf("outputBatch.add(%s) = %v, want a refusal", tc.path, err)
		}
		b.abort()
		if st, err := os.Lstat(tc.path); err != nil || st.Mode()&fs.ModeSymlink == 0 {
			t.Errorf("%s is now %v, %v; want the link", tc.path, st.Mode(), err)
		}
	}
	if err := CheckOutputDir("--out", runs, "bench.txt"); err == nil || !strings.Contains(err.Error(), "refusing to write "+bench+" there: it is a link to ") {
		t.Errorf("CheckOutputDir(%s, bench.txt) = %v, want a refusal of the link to a checkpoint", runs, err)
	}
	if b, err := os.ReadFile(rec); err != nil || string(b) != "record" {
		t.Errorf("record now %q, %v", b, err)
	}
	for _, p := range []string{"0123456789abcdef.weights", "0123456789abcdef.ckpt"} {
		if _, err := os.Lstat(filepath.Join(runs, p)); err == nil {
			t.Errorf("%s was created", p)
		}
	}
}

// TestOutputThroughLink: an output named by a link to a file of no run
// (--svg plot.svg -> ../figs/plot.svg) passes the checks and is written
// through the link, which stays; an output and an input that are the
// same file through a dangling link are refused as one file.
func TestOutputThroughLink(t *testing.T) {
	dir := t.TempDir()
	figs := filepath.Join(dir, "figs")
	work := filepath.Join(dir, "work")
	for _, d := range []string{figs, work} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	link := filepath.Join(work, "plot.svg")
	if err := os.Symlink("../figs/plot.svg", link); err != nil {
		t.Skip("no symbolic links:", err)
	}
	if err := CheckOutputs([]NamedFile{{"--svg", link}}, nil); err != nil {
		t.Fatal(err)
	}
	if err := WriteOutput(link, []byte("<svg/>")); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(figs, "plot.svg")); err != nil || string(b) != "<svg/>" {
		t.Errorf("figs/plot.svg holds %q, %v", b, err)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("%s is now %v, %v; want the link", link, st.Mode(), err)
	}
	dangling := filepath.Join(work, "new.svg")
	if err := os.Symlink("../figs/new.svg", dangling); err != nil {
		t.Fatal(err)
	}
	err := CheckOutputs([]NamedFile{{"--a", dangling}, {"--b", filepath.Join(figs, "new.svg")}}, nil)
	if err == nil || !strings.Contains(err.Error(), "it is the same file as --a "+dangling) {
		t.Errorf("CheckOutputs(dangling link, its file) = %v, want them refused as one file", err)
	}
}

// TestCheckFormatThroughLink: an output is written through a symbolic
// link at its name, into the file the link points to, so --svg plot.svg
// where plot.svg -> figures/fig3.png replaced the PNG figure with an SVG
// plot that kept the PNG's name: CheckFormat looked at the name given
// alone. It refuses a link whose file's extension is another format's,
// naming the link, its file and the format, and passes one whose file
// has the format's extension or none.
func TestCheckFormatThroughLink(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "figures"), 0o755); err != nil {
		t.Fatal(err)
	}
	png := filepath.Join(dir, "figures", "fig3.png")
	if err := os.WriteFile(png, []byte("\x89PNG"), 0o644); err != nil {
		t.Fatal(err)
	}
	plot := filepath.Join(dir, "plot.svg")
	if err := os.Symlink("figures/fig3.png", plot); err != nil {
		t.Skip("no symbolic links:", err)
	}
	real, err := filepath.EvalSymlinks(png) // as the link is followed (a temporary directory may be under a link)
	if err != nil {
		t.Fatal(err)
	}
	want := "--svg " + plot + ": it is a link to " + real + ", whose extension .png names a PNG image, and --svg writes an SVG image through it: name another file"
	if err := CheckFormat("--svg", plot, FormatSVG); err == nil || err.Error() != want {
		t.Errorf("CheckFormat through a link to a .png: %v, want %q", err, want)
	}
	// A dangling link to a .png is the .png the write would create.
	dangling := filepath.Join(dir, "new.svg")
	if err := os.Symlink("figures/new.PNG", dangling); err != nil {
		t.Fatal(err)
	}
	if err := CheckFormat("--svg", dangling, FormatSVG); err == nil || !strings.Contains(err.Error(), "whose extension .PNG names a PNG image") {
		t.Errorf("CheckFormat through a dangling link to a .PNG: %v, want it refused", err)
	}
	for _, dest := range []string{"figures/fig3.svg", "figures/fig3", "figures/fig3.log"} {
		ok := filepath.Join(dir, "ok-"+filepath.Base(dest)+".svg")
		if err := os.Symlink(dest, ok); err != nil {
			t.Fatal(err)
		}
		if err := CheckFormat("--svg", ok, FormatSVG); err != nil {
			t.Errorf("CheckFormat through a link to %s: %v, want it passed", dest, err)
		}
	}
}
