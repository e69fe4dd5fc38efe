package suite

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/internal/dirtest"
)

// TestCheckOutputs: the output rule refuses a runs directory's files by
// name, an input however its path is spelled (another spelling, a hard
// link), and two outputs that are one file; it lets every other file be.
func TestCheckOutputs(t *testing.T) {
	dir := t.TempDir()
	in, link := filepath.Join(dir, "in.json"), filepath.Join(dir, "link.txt")
	dirtest.HardLinked(t, in, "{}", link)
	inputs := []NamedFile{{"--run", in}}
	for _, tc := range []struct {
		out  []NamedFile
		want string // "" for no error
	}{
		{[]NamedFile{{"--out", filepath.Join(dir, "0123456789abcdef.json")}}, "it names a run record"},
		{[]NamedFile{{"--out", filepath.Join(dir, "0123456789abcdef.weights")}}, "it names a run's weights"},
		{[]NamedFile{{"--out", filepath.Join(dir, "0123456789abcdef.e3.weights")}}, "it names a run's weights"},
		{[]NamedFile{{"--out", filepath.Join(dir, "any.weights")}}, "it names a run's weights"},
		{[]NamedFile{{"--out", filepath.Join(dir, "0123456789abcdef.ckpt")}}, "epoch checkpoint"},
		{[]NamedFile{{"--out", filepath.Join(dir, "0123456789abcdef.lock")}}, "cell lock"},
		{[]NamedFile{{"--out", filepath.Join(dir, "0123456789abcdef.lock.stale-12ab")}}, "cell lock"},
		{[]NamedFile{{"--out", filepath.Join(dir, "sub", "..", "in.json")}}, "same file as --run " + in + ", which this command reads"},
		{[]NamedFile{{"--out", link}}, "same file as --run " + in + ", which this command reads"},
		{[]NamedFile{{"--a", filepath.Join(dir, "o.svg")}, {"--b", filepath.Join(dir, "o.svg")}}, "--b " + filepath.Join(dir, "o.svg") + ": refusing to write there: it is the same file as --a"},
		{[]NamedFile{{"--out", filepath.Join(dir, "0123456789ABCDEF.json")}}, ""}, // not a key: keys are lower-case hex
		{[]NamedFile{{"--out", filepath.Join(dir, "recipe.json")}}, ""},
		{[]NamedFile{{"--out", filepath.Join(dir, "table.md")}, {"--bench", ""}, {"--x", ""}}, ""},
		// A path that cannot take a file is refused before any is written.
		{[]NamedFile{{"--a", filepath.Join(dir, "o.svg")}, {"--bench", dir}}, "--bench " + dir + ": refusing to write there: it is a directory, want a file name; name another file"},
		{[]NamedFile{{"--svg", filepath.Join(in, "o.svg")}}, "--svg " + filepath.Join(in, "o.svg") + ": refusing to write there: " + in + " is a file, not a directory; name another file"},
		{[]NamedFile{{"--svg", filepath.Join(in, "sub", "o.svg")}}, ": refusing to write there: " + in + " is a file, not a directory"},
		// A directory that does not exist is found now, not by the write
		// after the command's work.
		{[]NamedFile{{"--svg", filepath.Join(dir, "new", "sub", "o.svg")}}, "--svg " + filepath.Join(dir, "new", "sub", "o.svg") + ": its directory " + filepath.Join(dir, "new", "sub") + " does not exist: make it first, or name a file in a directory that exists"},
		{[]NamedFile{{"--svg", filepath.Join(dir, "o.svg")}, {"--bench", filepath.Join(dir, "new", "b.txt")}}, "--bench " + filepath.Join(dir, "new", "b.txt") + ": its directory " + filepath.Join(dir, "new") + " does not exist"},
	} {
		err := CheckOutputs(tc.out, inputs)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("CheckOutputs(%v) = %v, want %q", tc.out, err, tc.want)
		}
	}
}

// TestWriteOutputRefusesRunFiles: WriteOutput itself refuses a runs
// directory's file, whatever name a caller derived, and leaves it as it
// was.
func TestWriteOutputRefusesRunFiles(t *testing.T) {
	dir := t.TempDir()
	rec := filepath.Join(dir, "0123456789abcdef.json")
	os.WriteFile(rec, []byte("record"), 0o644)
	err := WriteOutput(rec, []byte("table"))
	if err == nil || !strings.Contains(err.Error(), "writing "+rec+": refusing: it names a run record") {
		t.Errorf("WriteOutput(record) = %v", err)
	}
	if b, _ := os.ReadFile(rec); string(b) != "record" {
		t.Errorf("record now %q", b)
	}
}

// TestCheckOutputDir: a directory to write into is refused when it, or a
// directory above it, is a file, and so is a file it is to take that is a
// directory, or a directory it is to hold that is a file: each by the
// flag, its value and the path.
func TestCheckOutputDir(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "afile")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "out", "table.md"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "out", "logs"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	for _, tc := range []struct {
		dir   string
		files []string
		want  string // "" for no error
	}{
		{file, nil, "--out " + file + ": not a directory: name a directory to write into (it is created if missing)"},
		{filepath.Join(file, "sub"), nil, "--out " + filepath.Join(file, "sub") + ": refusing to write there: " + file + " is a file, not a directory; name another directory"},
		{out, []string{"bench.txt", "table.md"}, "--out " + out + ": refusing to write " + filepath.Join(out, "table.md") + " there: it is a directory, want a file name; remove it or name another directory"},
		{out, []string{"logs/"}, "--out " + out + ": refusing to write " + filepath.Join(out, "logs") + " there: it is a file, want a directory; remove it or name another directory"},
		{out, []string{"logs/x.sh"}, "--out " + out + ": refusing to write " + filepath.Join(out, "logs", "x.sh") + " there: " + filepath.Join(out, "logs") + " is a file, not a directory; remove it or name another directory"},
		{out, []string{"bench.txt", "table.md/"}, ""},
		{filepath.Join(dir, "new", "sub"), []string{"table.md", "slurm/logs/"}, ""},
		{"", []string{"table.md"}, ""},
	} {
		err := CheckOutputDir("--out", tc.dir, tc.files...)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || err.Error() != tc.want) {
			t.Errorf("CheckOutputDir(%s, %q) = %v\nwant %q", tc.dir, tc.files, err, tc.want)
		}
	}
}

// TestWriteSweepOutputsAllOrNone: a sweep's outputs are written together:
// a later one that cannot be written (bench.txt, or the second
// workload's curves, a directory) leaves none of the others, and the
// names written are those curvesPaths gives (which Sweep.OutputFiles
// checks before the sweep).
func TestWriteSweepOutputsAllOrNone(t *testing.T) {
	w := testWorkload(t)
	w2 := testWorkload(t)
	w2.Recipe.LR = 0.5
	one := []*Record{fakeRecord(&w, "ste", 1, 80)}
	two := append(one, fakeRecord(&w2, "ste", 1, 70))
	for _, tc := range []struct {
		recs  []*Record
		block int // the index in OutputFiles of the file blocked
	}{{one, 2}, {one, 1}, {two, 2}, {two, 3}} {
		dir := t.TempDir()
		for _, r := range tc.recs {
			if err := WriteRecord(dir, r); err != nil {
				t.Fatal(err)
			}
		}
		names := append(append([]string{TableFile}, curvesPaths(CurvesFile, byWorkload(tc.recs))...), BenchFile)
		written, _, err := WriteSweepOutputs(dir, []byte("table\n"), tc.recs, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i, n := range names {
			if written[i] != filepath.Join(dir, n) {
				t.Errorf("WriteSweepOutputs wrote %q, want %q", written, names)
			}
			os.Remove(written[i])
		}
		blocked := filepath.Join(dir, names[tc.block])
		if err := os.Mkdir(blocked, 0o755); err != nil {
			t.Fatal(err)
		}
		if _, _, err := WriteSweepOutputs(dir, []byte("table\n"), tc.recs, nil); err == nil || err.Error() != "suite: run: writing "+blocked+": it is a directory, want a file name" {
			t.Errorf("WriteSweepOutputs with %s a directory: %v", names[tc.block], err)
		}
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if n := e.Name(); n != names[tc.block] && !strings.HasSuffix(n, ".json") {
				t.Errorf("WriteSweepOutputs that failed left %s", n)
			}
		}
	}
}

// TestCurvesPathsOptimizers: the curves of workloads that differ in the
// optimizer alone (run --optimizers) are named by it, so a reader can
// tell which file is which; workloads the optimizer does not tell apart
// keep the workload key.
func TestCurvesPathsOptimizers(t *testing.T) {
	sgd := testWorkload(t)
	adam := testWorkload(t)
	adam.Recipe.Optimizer, adam.Recipe.LR = "adam", 0.001
	sgd2 := testWorkload(t)
	sgd2.Recipe.LR = 0.5
	recs := []*Record{fakeRecord(&sgd, "ste", 1, 80), fakeRecord(&adam, "ste", 1, 70)}
	got := curvesPaths(CurvesFile, byWorkload(recs))
	slug := strings.TrimSuffix(CurvesFile, ".svg") + "-" + workloadSlug(recs[0])
	if want := []string{slug + "-sgd.svg", slug + "-adam.svg"}; !slices.Equal(got, want) {
		t.Errorf("curves of an sgd and an adam workload: %q, want %q", got, want)
	}
	recs = append(recs, fakeRecord(&sgd2, "ste", 1, 60))
	got = curvesPaths(CurvesFile, byWorkload(recs))
	want := []string{slug + "-" + recs[0].Config.WorkloadKey()[:8] + ".svg", slug + "-adam.svg", slug + "-" + recs[2].Config.WorkloadKey()[:8] + ".svg"}
	if !slices.Equal(got, want) {
		t.Errorf("curves of two sgd workloads and an adam one: %q, want %q", got, want)
	}
}

// TestCheckOutputsDevice: an output that names a device, such as
// --out /dev/null or /dev/stdout, is refused by the flag and its value
// before any work. It used to pass, and the write then renamed a new file
// over the name: run as root, /dev/null or the link /dev/stdout became a
// regular file holding the model or table.
func TestCheckOutputsDevice(t *testing.T) {
	st, err := os.Stat(os.DevNull)
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		t.Skipf("%s is no character device: %v", os.DevNull, err)
	}
	err = CheckOutputs([]NamedFile{{"--out", os.DevNull}}, nil)
	want := "--out " + os.DevNull + ": refusing to write there: it is a character device, not a regular file"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("CheckOutputs(--out %s) = %v, want %s...", os.DevNull, err, want)
	}
	if err := CheckOutputDir("--out", "/dev", "null"); err == nil || !strings.Contains(err.Error(), "refusing to write /dev/null there: it is a character device") {
		t.Errorf("CheckOutputDir(/dev, null) = %v, want a refusal of /dev/null as a character device", err)
	}
}

// TestCheckOutputsStdout: an output that is the command's standard output
// redirected to a file (/dev/stdout, or the file's own name) is refused
// before any work, naming the flag; it used to pass, the output then
// replaced the link /dev/stdout (or the redirected file) with its own.
func TestCheckOutputsStdout(t *testing.T) {
	dir := t.TempDir()
	out, link, _ := dirtest.StdoutFile(t, dir)
	for _, path := range []string{out, link} {
		err := CheckOutputs([]NamedFile{{"--bench", path}}, nil)
		want := "--bench " + path + ": refusing to write there: it is the standard output of this process"
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("CheckOutputs(--bench %s) = %v, want %s...", path, err, want)
		}
	}
	if err := CheckOutputDir("--out", dir, "out.txt"); err == nil || !strings.Contains(err.Error(), "it is the standard output of this process") {
		t.Errorf("CheckOutputDir(%s, out.txt) = %v, want a refusal of the standard output", dir, err)
	}
}

// TestCheckOutputsDash: an output flag given "-", as other tools take
// for the standard output, passed and the output was written to a file
// named - in the working directory, where the user looked for it on the
// terminal or in a pipe. It is refused, as /dev/stdout is, naming the
// flag; ./- still names a file of that name.
func TestCheckOutputsDash(t *testing.T) {
	err := CheckOutputs([]NamedFile{{"--svg", "-"}}, nil)
	want := "--svg -: refusing to write there: - would be a file named - in the working directory, not the standard output"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("CheckOutputs(--svg -) = %v, want %s...", err, want)
	}
	t.Chdir(t.TempDir())
	if err := CheckOutputs([]NamedFile{{"--svg", "./-"}}, nil); err != nil {
		t.Errorf("CheckOutputs(--svg ./-) = %v, want it taken", err)
	}
}

// TestCheckOutputsOrStdoutDash: the bench tools' -o, left out, writes to
// the standard output, but their refusal of -o - said only that output
// flags do not write there, not how to write there. It says so.
func TestCheckOutputsOrStdoutDash(t *testing.T) {
	err := CheckOutputsOrStdout([]NamedFile{{"-o", "-"}}, nil)
	want := "-o -: refusing to write there: - would be a file named - in the working directory, not the standard output"
	hint := "leave -o out to write to the standard output"
	if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), hint) {
		t.Errorf("CheckOutputsOrStdout(-o -) = %v, want %s... saying %q", err, want, hint)
	}
	t.Chdir(t.TempDir())
	if err := CheckOutputsOrStdout([]NamedFile{{"-o", "./-"}}, nil); err != nil {
		t.Errorf("CheckOutputsOrStdout(-o ./-) = %v, want it taken", err)
	}
}

// TestCheckFormatCompressedNames: a compressed name was refused with a
// suggestion made by stripping the compression's extension alone, which
// for a double extension left another format's behind: export --out
// x.tar.gz was told to name the file x.tar.gbnn. The suggestion strips
// every extension that names another format, then adds the output's
// own unless the name already ends in it; checked for every format an
// output flag writes.
func TestCheckFormatCompressedNames(t *testing.T) {
	for _, f := range []OutputFormat{FormatSVG, FormatBench, FormatModel, FormatMarkdown} {
		for path, want := range map[string]string{
			"x.tar.gz":          "x" + f.Ext,
			"x.tar.bz2":         "x" + f.Ext,
			"x.tgz":             "x" + f.Ext,
			"x" + f.Ext + ".gz": "x" + f.Ext,
			"x.png.xz":          "x" + f.Ext,
			"x.json.zst":        "x" + f.Ext,
			"run.v2.gz":         "run.v2" + f.Ext,
			"dir.tar/x.gz":      "dir.tar/x" + f.Ext,
			"x.zip":             "x" + f.Ext,
		} {
			err := CheckFormat("--out", path, f)
			if err == nil || !strings.HasSuffix(err.Error(), ": name the file "+want) {
				t.Errorf("CheckFormat(--out %s, %s) = %v, want it to end \": name the file %s\"", path, f.Ext, err, want)
			}
		}
	}
}

// TestOutputFilesCoverDir: the files run writes after a sweep are of
// every record in its directory (DirRecords), so that a second sweep
// into a directory adds to the first's table instead of replacing it;
// the names Sweep.OutputFiles checks before training are those written,
// a curves file per workload when the directory holds another
// workload's records than the sweep's.
func TestOutputFilesCoverDir(t *testing.T) {
	s := tinySweep(t, "ste", 1)
	s.Workload.Recipe.Epochs = 1
	dir := t.TempDir()
	alone, err := s.OutputFiles(dir)
	if err != nil || !slices.Equal(alone, []string{TableFile, CurvesFile, BenchFile}) {
		t.Fatalf("OutputFiles of a sweep into an empty directory = %q, %v", alone, err)
	}
	other := s.Workload
	other.Recipe.Epochs = 2
	earlier := fakeRecord(&other, "fda", 1, 80)
	if err := WriteRecord(dir, earlier); err != nil {
		t.Fatal(err)
	}
	names, err := s.OutputFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := (&Runner{Dir: dir}).Run(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	all, others, err := DirRecords(dir, recs)
	if err != nil || others != 1 || len(all) != 2 || all[0] != recs[0] || all[1].Key != earlier.Key {
		t.Fatalf("DirRecords = %d records, %d others, %v; want the sweep's, then the earlier one", len(all), others, err)
	}
	tables, err := SweepTables(all, []string{"ste"}, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| ste ", "| fda "} {
		if !strings.Contains(string(tables), want) {
			t.Errorf("tables of the directory lack a row %q:\n%s", want, tables)
		}
	}
	written, _, err := WriteSweepOutputs(dir, tables, all, []string{"ste"})
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 4 || len(written) != len(names) {
		t.Fatalf("OutputFiles = %q, written %q: want the table, a curves file per workload and the bench lines", names, written)
	}
	for i, n := range names {
		if written[i] != filepath.Join(dir, n) {
			t.Errorf("written %q, want OutputFiles' %q", written, names)
		}
	}
	// Without other records, DirRecords is the sweep's own.
	own := t.TempDir()
	recs, err = (&Runner{Dir: own}).Run(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if all, others, err := DirRecords(own, recs); err != nil || others != 0 || len(all) != 1 || all[0] != recs[0] {
		t.Errorf("DirRecords of a directory of the sweep alone = %v, %d others, %v", all, others, err)
	}
}
