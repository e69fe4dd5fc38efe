package suite

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/gradbench/gradbench/internal/atomicfile"
)

// Output files (tables, curves, benchmark lines, model files, fidelity
// reports) go where a flag names them, and are replaced there atomically.
// One rule keeps a flag from naming a file that is not the command's to
// replace:
//
//   - no output replaces a file of a runs directory that a run owns: a
//     record (<key>.json, key 16 hex digits), final or per-epoch weights
//     (*.weights), an epoch checkpoint (*.ckpt) or a cell lock
//     (<key>.lock, <key>.lock.stale-*); a run lost so is lost for good;
//   - no output replaces a file the same command reads (its inputs);
//   - no two outputs of one command are the same file (the second would
//     silently replace the first);
//   - an output that is a symbolic link is written through it (see
//     internal/atomicfile): the link stays and the file it points to
//     gets the content, so each rule here judges that file: a link to a
//     run's record is refused as the record is;
//   - no output is a directory, a device, a named pipe or a socket, or
//     the command's own standard output or error (/dev/stdout, also
//     when redirected to a file: the rename would replace it, not write
//     to it), nor "-", which other tools take for the standard output
//     and which would be a file of that name (./- names one), or
//     lies under a file that is not a directory, or in a directory that
//     does not exist (a directory a command writes into is named the
//     same way, see CheckOutputDir, but is created if missing): such a
//     path cannot take the file, and is found before the command's work
//     rather than after it.
//
// CheckOutputs applies the rule to a command's outputs before it writes
// any, naming the flag and the value refused; every output is written
// through WriteOutput (or writeOutputFunc), which refuses a run's file
// again, for names derived from a flag's (the per-workload curves). A
// command that writes several files writes them as one outputBatch, so
// that a write that fails leaves none of them.
//
// An existing file that is none of these is replaced without a question:
// each output flag names a file the user chose for that output, and a
// command re-run (a table rebuilt after more runs finished, a model
// re-exported) must replace its own earlier output, as the results
// scripts do. The one output with a header of its own, export's model
// file, is stricter: export --out replaces only a model file (by its
// magic, as the reader recognises one) or an empty file, and refuses any
// other (see checkReplaceModel); the text and SVG outputs have no header
// that would tell an earlier output from a file named by mistake, and
// rely on CheckFormat's extensions.

// A NamedFile is a file a command reads or writes, with the flag that
// names it (such as "--out"), for error messages.
type NamedFile struct {
	Flag, Path string
}

// runFileKind says what file of a runs directory a base name is, or ""
// if it is none: the names RecordPath, WeightsPath, EpochWeightsPath,
// CheckpointPath and LockPath give, and the names breakLock moves a
// stale lock to.
func runFileKind(base string) string {
	switch {
	case strings.HasSuffix(base, ".weights"):
		return "a run's weights (*.weights)"
	case strings.HasSuffix(base, ".ckpt"):
		return "a run's epoch checkpoint (*.ckpt)"
	}
	if key, ok := strings.CutSuffix(base, ".json"); ok && isKey(key) {
		return "a run record (<key>.json)"
	}
	if len(base) > 16 && isKey(base[:16]) {
		if rest := base[16:]; rest == ".lock" || strings.HasPrefix(rest, ".lock.stale-") {
			return "a cell lock of a runs directory (<key>.lock)"
		}
	}
	return ""
}

// outputRefusal returns why path may not be an output, or "": path, or
// the file it points to if it is a symbolic link (which the output is
// written through, see atomicfile.Target), is a file of a runs directory
// that a run owns.
func outputRefusal(path string) string {
	if kind := runFileKind(filepath.Base(path)); kind != "" {
		return "it names " + kind + ", which only gradbench run writes and no output may replace"
	}
	if target, err := atomicfile.Target(path); err == nil && target != path {
		if kind := runFileKind(filepath.Base(target)); kind != "" {
			return "it is a link to " + target + ", " + kind + ", which only gradbench run writes and no output may replace"
		}
	}
	return ""
}

// target is the file writing path replaces (atomicfile.Target): path, or
// the file a link points to; path itself if that cannot be told (the
// write then says why).
func target(path string) string {
	if t, err := atomicfile.Target(path); err == nil {
		return t
	}
	return path
}

// sameFile reports whether a and b name the same file: the same absolute
// path, their links followed (a dangling link and the file it would
// create), or, where both exist, the same file by os.SameFile (a hard
// link, a symbolic link, another spelling of the path).
func sameFile(a, b string) bool {
	aa, errA := filepath.Abs(target(a))
	bb, errB := filepath.Abs(target(b))
	if errA == nil && errB == nil && aa == bb {
		return true
	}
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}

// CheckOutputs applies the output rule (see NamedFile) to the files a
// command is about to write, outputs, given the files it reads, inputs.
// Outputs with an empty Path (flags not given) are skipped. The error
// names the flag and its value and says why, such as
// "--out runs/3f2a9c0d1e4b5a6c.weights: refusing to write there: it names
// a run's weights (*.weights), ...".
func CheckOutputs(outputs []NamedFile, inputs []NamedFile) error {
	for i, o := range outputs {
		if o.Path == "" {
			continue
		}
		refuse := func(why string) error {
			return fmt.Errorf("%s %s: refusing to write there: %s; name another file", o.Flag, o.Path, why)
		}
		if o.Path == "-" {
			// Other tools' name for the standard output, which no
			// output flag writes to (see /dev/stdout above): the user
			// would look for the output there, not in a file named -.
			return refuse(dashRefusal)
		}
		if why := outputRefusal(o.Path); why != "" {
			return refuse(why)
		}
		if why := pathBlocked(o.Path, false); why != "" {
			return refuse(why)
		}
		for _, in := range inputs {
			if in.Path != "" && sameFile(o.Path, in.Path) {
				return refuse(fmt.Sprintf("it is the same file as %s %s, which this command reads", in.Flag, in.Path))
			}
		}
		for _, prev := range outputs[:i] {
			if prev.Path != "" && sameFile(o.Path, prev.Path) {
				return refuse(fmt.Sprintf("it is the same file as %s %s, which this command also writes", prev.Flag, prev.Path))
			}
		}
		// Last: an input or output of that name is the better reason,
		// such as a dataset's file a download would put there.
		if err := checkParentDir(o); err != nil {
			return err
		}
	}
	return nil
}

// dashRefusal says why an output flag's "-" is refused (CheckOutputs).
const dashRefusal = "- would be a file named - in the working directory, not the standard output, which output flags do not write to (./- names that file, if it is meant)"

// CheckOutputsOrStdout is CheckOutputs for a command whose output flags,
// left out, write to the standard output (the bench tools' -o): its
// refusal of "-" says that leaving the flag out is the way to write
// there.
func CheckOutputsOrStdout(outputs []NamedFile, inputs []NamedFile) error {
	for _, o := range outputs {
		if o.Path == "-" {
			return fmt.Errorf("%s -: refusing to write there: %s; leave %s out to write to the standard output, or name another file", o.Flag, dashRefusal, o.Flag)
		}
	}
	return CheckOutputs(outputs, inputs)
}

// checkParentDir refuses an output whose directory does not exist: the
// file is written after the command's work (a table built, runs
// measured), and the write would fail only then. A link's file is
// written through it, so its directory is the one that must exist.
// (CheckOutputDir's files are another matter: their directory is
// created.)
func checkParentDir(o NamedFile) error {
	dir := filepath.Dir(target(o.Path))
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s %s: its directory %s does not exist: make it first, or name a file in a directory that exists", o.Flag, o.Path, dir)
	} else if err != nil {
		return fmt.Errorf("%s %s: %w", o.Flag, o.Path, err)
	}
	return nil
}

// pathBlocked returns why path cannot be created as a file (isDir false)
// or a directory (isDir true), or "": it exists as the other kind (or as
// a device, pipe or socket, or as the process's standard output, see
// atomicfile.Refusal), or a directory above it exists as a file.
func pathBlocked(path string, isDir bool) string {
	st, err := os.Stat(path)
	switch {
	case err == nil && !isDir:
		// Not a directory, nor a device or pipe, nor this process's
		// standard output (/dev/stdout redirected to a file), which the
		// output's rename would replace (atomicfile.Refusal).
		return atomicfile.Refusal(path)
	case err == nil && !st.IsDir() && isDir:
		return "it is a file, want a directory"
	case err == nil:
		return ""
	}
	// Missing (or under a file, or a dangling link, whose file the output
	// creates): the nearest existing directory above it must be a
	// directory.
	if !isDir {
		if _, err := atomicfile.Target(path); err != nil {
			return err.Error()
		}
		path = target(path)
	}
	for d := filepath.Dir(path); ; d = filepath.Dir(d) {
		st, err := os.Stat(d)
		if err == nil {
			if !st.IsDir() {
				return fmt.Sprintf("%s is a file, not a directory", d)
			}
			return ""
		}
		if parent := filepath.Dir(d); parent == d {
			return ""
		}
	}
}

// CheckOutputDir checks, before a command does its work, that dir (the
// value of flag) can take the files the command writes into it at the
// end: it is a directory, or nothing yet (it is then created), and each
// of files, named relative to dir, is not a directory (nor lies under a
// file); a name that ends in a slash is a directory the command creates,
// which must not be a file. The error names the flag, its value and the
// path refused.
func CheckOutputDir(flag, dir string, files ...string) error {
	if dir == "" {
		return nil
	}
	st, err := os.Stat(dir)
	switch {
	case err == nil && !st.IsDir():
		return fmt.Errorf("%s %s: not a directory: name a directory to write into (it is created if missing)", flag, dir)
	}
	if why := pathBlocked(dir, true); why != "" {
		return fmt.Errorf("%s %s: refusing to write there: %s; name another directory", flag, dir, why)
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s %s: %w", flag, dir, err)
	}
	for _, f := range files {
		isDir := strings.HasSuffix(f, "/")
		p := filepath.Join(dir, f)
		why := pathBlocked(p, isDir)
		if why == "" && !isDir {
			// A link there to a run's file (the output is written
			// through links), refused now rather than after the work.
			why = outputRefusal(p)
		}
		if why != "" {
			return fmt.Errorf("%s %s: refusing to write %s there: %s; remove it or name another directory", flag, dir, p, why)
		}
	}
	return nil
}

// ProbeOutputDir checks, before a long measurement, that a file can be
// created in dir (the value of flag), or, if dir does not exist yet, in
// the nearest directory above it, where dir would be created: a read-only
// directory or file system, or one the user may not write, is found now
// rather than when the results are written, after the work. The probe
// file is removed at once; dir itself is not created. CheckOutputDir
// checks the kinds of the paths; this checks the permission.
func ProbeOutputDir(flag, dir string) error {
	if dir == "" {
		return nil
	}
	return probeDir(flag, dir, dir)
}

// ProbeOutputFile is ProbeOutputDir for an output file, path (the value
// of flag), written after a long measurement: it checks that a file can
// be created in the directory of the file path names (the one a link
// there points to, which the output is written through), and names path
// in its error. An empty path (the flag not given) passes.
func ProbeOutputFile(flag, path string) error {
	if path == "" {
		return nil
	}
	return probeDir(flag, path, filepath.Dir(target(path)))
}

// probeDir checks that a file can be created in dir, or in the nearest
// directory above it, for the output value of flag (dir, or a file in
// it), as ProbeOutputDir says.
func probeDir(flag, value, dir string) error {
	d := dir
	for {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			break
		}
		parent := filepath.Dir(d)
		if parent == d {
			return nil // nothing exists above it: MkdirAll will say why
		}
		d = parent
	}
	f, err := os.CreateTemp(d, ".gradbench-write-probe-*")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("%s %s: cannot write there: creating a file in %s: %w", flag, value, d, err)
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// filePerm is the mode of every file gradbench writes into a runs
// directory and of its other outputs (records, checkpoints, final
// weights, tables, curves, benchmark lines, model files), less the umask:
// 0644 under the usual umask 022, group-writable under 002 for a
// directory a group shares, private under 077. All are written alike, so
// that whoever may read a directory's records may read its checkpoints
// and weights too.
const filePerm = 0o666

// WriteOutput replaces the file at path with data atomically (see
// internal/atomicfile), with the mode of every output (filePerm less the
// umask); a path that names a directory is refused, and so is a file of a
// runs directory that a run owns (see CheckOutputs). Its errors read
// "writing <path>: <cause>", for the caller to prefix.
func WriteOutput(path string, data []byte) error {
	return writeOutputFunc(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// writeOutputFunc is WriteOutput with the content written by fill.
func writeOutputFunc(path string, fill func(w io.Writer) error) error {
	if why := outputRefusal(path); why != "" {
		return fmt.Errorf("writing %s: refusing: %s", path, why)
	}
	return atomicfile.WriteUmask(path, filePerm, fill)
}

// An outputBatch writes a command's output files together (see
// atomicfile.Batch): add stages each, as WriteOutput would write it, and
// commit renames them all into place once every one is written, so that
// a write that fails (a directory of that name, a full disk) leaves none
// of them. Its errors read as WriteOutput's.
type outputBatch struct {
	b atomicfile.Batch
}

func (o *outputBatch) add(path string, data []byte) error {
	return o.addPerm(path, data, filePerm)
}

// addPerm is add with the permission bits perm (less the umask).
func (o *outputBatch) addPerm(path string, data []byte, perm fs.FileMode) error {
	if why := outputRefusal(path); why != "" {
		return fmt.Errorf("writing %s: refusing: %s", path, why)
	}
	return o.b.AddUmask(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// remove stages the removal of path, an earlier output that the files
// staged supersede, done by commit once they are all in place (see
// atomicfile.Batch.Remove); removed, after commit, lists those removed.
func (o *outputBatch) remove(path string) { o.b.Remove(path) }
func (o *outputBatch) removed() []string  { return o.b.Removed() }

// commit renames the files staged into place; abort, called after a
// failed add, removes them. Call abort deferred: after commit it does
// nothing.
func (o *outputBatch) commit() error { return o.b.Commit() }
func (o *outputBatch) abort()        { o.b.Abort() }

// Output formats: each output flag writes one format (--svg and
// --curves an SVG image, --bench Go benchmark lines, export --out a
// gradbench model file, the bench tools' -o a Markdown document),
// whatever the name it is given. A name whose
// extension is another format's (curves --svg plot.png) would hold SVG
// under a PNG's name, which viewers, browsers and scripts take at its
// word: CheckFormat refuses it before the command's work. The format's
// own extension, in any case (plot.svg, plot.SVG), is accepted, and so
// is a name without an extension (plot) or with one that names none of
// the formats below (bench.log, a temporary name), which claims no
// other format.

// An OutputFormat is the one format an output flag writes: Ext, its
// extension (".svg"), and Name, what it is ("an SVG image").
type OutputFormat struct{ Ext, Name string }

// The formats gradbench's output flags write.
var (
	FormatSVG   = OutputFormat{".svg", "an SVG image"}
	FormatBench = OutputFormat{".txt", "Go benchmark lines, a text file"}
	FormatModel = OutputFormat{".gbnn", "a gradbench model file"}
	// FormatMarkdown is the reports and tables of the tools under
	// bench/cmd (benchreport, bnrecal, stepprofile).
	FormatMarkdown = OutputFormat{".md", "a Markdown document"}
)

// otherFormats names the formats that an extension (lower-case) stands
// for, for CheckFormat's refusal: images, documents, tables, text and
// other models' files.
var otherFormats = map[string]string{
	".svg": "an SVG image", ".png": "a PNG image", ".jpg": "a JPEG image", ".jpeg": "a JPEG image",
	".gif": "a GIF image", ".webp": "a WebP image", ".bmp": "a BMP image", ".tif": "a TIFF image",
	".tiff": "a TIFF image", ".avif": "an AVIF image", ".eps": "an EPS image", ".ps": "a PostScript document",
	".pdf": "a PDF document", ".html": "an HTML page", ".htm": "an HTML page", ".md": "a Markdown document",
	".csv": "a CSV table", ".tsv": "a TSV table", ".json": "a JSON document", ".txt": "a text file",
	".gbnn": "a gradbench model file", ".onnx": "an ONNX model", ".pt": "a PyTorch file", ".pth": "a PyTorch file",
	".h5": "an HDF5 file", ".npy": "a NumPy array", ".npz": "a NumPy archive", ".safetensors": "a safetensors file",
	// Compressed files and archives: what is written is neither, and
	// zcat, a browser (plot.svgz) or a viewer would take it to be.
	".gz": "a gzip-compressed file", ".svgz": "a gzip-compressed SVG image", ".tgz": "a gzip-compressed tar archive",
	".bz2": "a bzip2-compressed file", ".xz": "an xz-compressed file", ".zst": "a Zstandard-compressed file",
	".zip": "a ZIP archive", ".tar": "a tar archive",
}

// CheckFormat refuses path, the value of flag, which writes format f,
// when its extension names another format (see OutputFormat). The error
// names the flag, the path, the extension and the name to give, such as
// "--svg plot.png: .png names a PNG image, and --svg writes an SVG image:
// name the file plot.svg". A symbolic link at path is written through,
// into the file it points to: that file's extension must not name
// another format either (plot.svg -> fig3.png would put the SVG in the
// PNG's place, under its name). An empty path (the flag not given)
// passes.
func CheckFormat(flag, path string, f OutputFormat) error {
	if path == "" {
		return nil
	}
	if ext, other := otherFormat(path, f); other != "" {
		// plot.png becomes plot.svg, and plot.svg.gz plot.svg, not
		// plot.svg.svg; every extension of another format goes, so
		// that x.tar.gz becomes x.gbnn, not x.tar.gbnn.
		name := strings.TrimSuffix(path, ext)
		for {
			e := filepath.Ext(name)
			if strings.EqualFold(e, f.Ext) {
				break
			}
			if otherFormats[strings.ToLower(e)] == "" {
				name += f.Ext
				break
			}
			name = strings.TrimSuffix(name, e)
		}
		return fmt.Errorf("%s %s: %s names %s, and %s writes %s: name the file %s", flag, path, ext, other, flag, f.Name, name)
	}
	if t := target(path); t != path {
		if ext, other := otherFormat(t, f); other != "" {
			return fmt.Errorf("%s %s: it is a link to %s, whose extension %s names %s, and %s writes %s through it: name another file", flag, path, t, ext, other, flag, f.Name)
		}
	}
	return nil
}

// otherFormat returns the extension of path and the format it names
// (otherFormats), or "" for the format when that is f or none.
func otherFormat(path string, f OutputFormat) (ext, other string) {
	ext = filepath.Ext(path)
	if strings.EqualFold(ext, f.Ext) {
		return ext, ""
	}
	return ext, otherFormats[strings.ToLower(ext)]
}
