package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestOutputInMissingDir: tried as a new user would, a file flag naming a
// directory that does not exist was found only by the write, after the
// table was built or the model loaded ("suite: curves: writing
// nodir/c.svg: creating a file in nodir: no such file or directory").
// Each is refused before the work, naming the flag, its value and the
// directory.
func TestOutputInMissingDir(t *testing.T) {
	dir, runs, rec := trainTiny(t, "--estimators", "ste")
	record := filepath.Join(runs, rec.Key+".json")
	nodir := filepath.Join(dir, "nodir")
	for _, tc := range []struct {
		args       []string
		flag, path string
	}{
		{[]string{"table", "--runs", runs, "--curves"}, "--curves", filepath.Join(nodir, "c.svg")},
		{[]string{"table", "--runs", runs, "--bench"}, "--bench", filepath.Join(nodir, "b.txt")},
		{[]string{"export", "--run", record, "--out"}, "--out", filepath.Join(nodir, "m.gbnn")},
		{[]string{"curves", "--svg"}, "--svg", filepath.Join(nodir, "c.svg")},
	} {
		args := append(tc.args, tc.path)
		_, _, err := runGradbench(t, args...)
		want := tc.flag + " " + tc.path + ": its directory " + nodir + " does not exist: make it first, or name a file in a directory that exists"
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("gradbench %q: %v, want an error with %q", args, err, want)
		}
	}
}

// TestOutputFormatExtension: tried as a new user would, curves --svg
// x.png wrote an SVG plot into x.png. A flag that writes one format
// refuses a name whose extension is another format's, naming the flag,
// the extension and the name to give, before any work; its own
// extension (in any case) and a name without one are written as given.
func TestOutputFormatExtension(t *testing.T) {
	dir, runs, rec := trainTiny(t, "--estimators", "ste")
	record := filepath.Join(runs, rec.Key+".json")
	in := func(name string) string { return filepath.Join(dir, name) }
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"curves", "--svg", in("c.png")}, "suite: curves: --svg " + in("c.png") + ": .png names a PNG image, and --svg writes an SVG image: name the file " + in("c.svg")},
		{[]string{"curves", "--svg", in("c.PDF")}, "suite: curves: --svg " + in("c.PDF") + ": .PDF names a PDF document, and --svg writes an SVG image: name the file " + in("c.svg")},
		{[]string{"table", "--runs", runs, "--curves", in("c.jpg")}, "suite: --curves " + in("c.jpg") + ": .jpg names a JPEG image, and --curves writes an SVG image: name the file " + in("c.svg")},
		{[]string{"table", "--runs", runs, "--bench", in("b.json")}, "suite: --bench " + in("b.json") + ": .json names a JSON document, and --bench writes Go benchmark lines, a text file: name the file " + in("b.txt")},
		{[]string{"export", "--run", record, "--out", in("m.onnx")}, "suite: export: --out " + in("m.onnx") + ": .onnx names an ONNX model, and --out writes a gradbench model file: name the file " + in("m.gbnn")},
		// A compressed file's name: what is written is not compressed, and
		// zcat, a browser or a viewer would take it to be. The name to
		// give drops the compression rather than adding the format again.
		{[]string{"curves", "--svg", in("c.svg.gz")}, "suite: curves: --svg " + in("c.svg.gz") + ": .gz names a gzip-compressed file, and --svg writes an SVG image: name the file " + in("c.svg")},
		{[]string{"curves", "--svg", in("c.svgz")}, "suite: curves: --svg " + in("c.svgz") + ": .svgz names a gzip-compressed SVG image, and --svg writes an SVG image: name the file " + in("c.svg")},
		{[]string{"table", "--runs", runs, "--bench", in("b.txt.xz")}, "suite: --bench " + in("b.txt.xz") + ": .xz names an xz-compressed file, and --bench writes Go benchmark lines, a text file: name the file " + in("b.txt")},
		{[]string{"export", "--run", record, "--out", in("m.gbnn.gz")}, "suite: export: --out " + in("m.gbnn.gz") + ": .gz names a gzip-compressed file, and --out writes a gradbench model file: name the file " + in("m.gbnn")},
	} {
		_, _, err := runGradbench(t, tc.args...)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("gradbench %q: %v, want an error starting %q", tc.args, err, tc.want)
		}
	}
	for _, args := range [][]string{
		{"curves", "--svg", in("plot.SVG")},
		{"curves", "--svg", in("plot")},
		{"table", "--runs", runs, "--curves", in("curves"), "--bench", in("bench.log")},
		{"export", "--run", record, "--out", in("model")},
	} {
		gradbenchOK(t, args...)
	}
}
