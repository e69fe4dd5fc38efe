package main

import (
	"errors"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// root is the module's directory, seen from this package's.
const root = "../.."

// linesWithPrefix returns the lines of the module's file path (slash
// separated) that start with prefix.
func linesWithPrefix(t *testing.T, path, prefix string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(path)))
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, prefix) {
			found = append(found, l)
		}
	}
	return found
}

// testCommand returns the README's test command: its one line that starts
// as the command does.
func testCommand(t *testing.T) string {
	t.Helper()
	const prefix = "go test -short -race "
	found := linesWithPrefix(t, "README.md", prefix)
	if len(found) != 1 {
		t.Fatalf("README.md: %d lines start with the test command's %q, want 1: %q", len(found), prefix, found)
	}
	return found[0]
}

// TestCIRunsTheTestCommand: .ci/run runs the README's test command as it
// stands, so that what CI checks is what the README tells a reader to run.
func TestCIRunsTheTestCommand(t *testing.T) {
	cmd := testCommand(t)
	b, err := os.ReadFile(filepath.Join(root, ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "if ! { " + cmd + "; }; then\n"; !strings.Contains(string(b), want) {
		t.Errorf(".ci/run lacks the README's test command in its status test; want the line\n%s", want)
	}
}

// A pass is one go test command of the test command: the build it makes
// and the packages it tests.
type pass struct {
	text  string
	ctx   build.Context
	vet   bool
	dirs  []string // package directories, relative to root
	files []string // every Go file it compiles, relative to root
}

// parsePasses splits cmd at && into go test commands and reads each one's
// environment, flags and packages. A flag or a variable it does not know
// is an error, so that a change to the command is looked at here too.
func parsePasses(cmd string) ([]pass, error) {
	var ps []pass
	for _, text := range strings.Split(cmd, " && ") {
		p := pass{text: text, ctx: build.Default, vet: true}
		p.ctx.ToolTags = slices.Clone(build.Default.ToolTags)
		f := strings.Fields(text)
		for len(f) > 0 && strings.Contains(f[0], "=") {
			k, v, _ := strings.Cut(f[0], "=")
			if k != "GOEXPERIMENT" || strings.Contains(v, ",") {
				return nil, errors.New(text + ": unknown variable " + f[0])
			}
			p.ctx.ToolTags = append(p.ctx.ToolTags, "goexperiment."+v)
			f = f[1:]
		}
		if len(f) < 2 || f[0] != "go" || f[1] != "test" {
			return nil, errors.New(text + ": not a go test command")
		}
		for f = f[2:]; len(f) > 0 && strings.HasPrefix(f[0], "-"); f = f[1:] {
			switch {
			case f[0] == "-short":
			case f[0] == "-race":
				p.ctx.BuildTags = append(p.ctx.BuildTags, "race")
			case f[0] == "-vet=off":
				p.vet = false
			case f[0] == "-tags" && len(f) > 1 && !strings.Contains(f[1], ","):
				p.ctx.BuildTags = append(p.ctx.BuildTags, f[1])
				f = f[1:]
			case (f[0] == "-run" || f[0] == "-fuzz" || f[0] == "-fuzztime") && len(f) > 1:
				f = f[1:] // which tests run, not what is built
			default:
				return nil, errors.New(text + ": unknown flag " + f[0])
			}
		}
		if len(f) == 0 {
			return nil, errors.New(text + ": no packages")
		}
		for _, pat := range f {
			dirs, err := packageDirs(pat)
			if err != nil {
				return nil, errors.New(text + ": " + err.Error())
			}
			p.dirs = append(p.dirs, dirs...)
		}
		ps = append(ps, p)
	}
	return ps, nil
}

// packageDirs returns the directories pattern names, relative to root:
// ./... every directory go test's ./... walks (but those without Go
// files, which listFiles leaves out), ./dir one.
func packageDirs(pattern string) ([]string, error) {
	if pattern != "./..." {
		if !strings.HasPrefix(pattern, "./") || strings.Contains(pattern, "...") {
			return nil, errors.New("unknown package pattern " + pattern)
		}
		return []string{filepath.FromSlash(strings.TrimPrefix(pattern, "./"))}, nil
	}
	var dirs []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		name := d.Name()
		if path != root && (name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			return filepath.SkipDir
		}
		rel, err := filepath.Rel(root, path)
		dirs = append(dirs, rel)
		return err
	})
	return dirs, err
}

// listFiles fills p.files: the Go files, test files included, that its
// build compiles in each of its packages.
func (p *pass) listFiles() error {
	for _, dir := range p.dirs {
		bp, err := p.ctx.ImportDir(filepath.Join(root, dir), 0)
		var none *build.NoGoError
		if errors.As(err, &none) {
			continue
		}
		if err != nil {
			return errors.New(p.text + ": " + err.Error())
		}
		for _, l := range [][]string{bp.GoFiles, bp.CgoFiles, bp.TestGoFiles, bp.XTestGoFiles} {
			for _, f := range l {
				p.files = append(p.files, filepath.ToSlash(filepath.Join(dir, f)))
			}
		}
	}
	if len(p.files) == 0 {
		return errors.New(p.text + ": compiles no Go file")
	}
	return nil
}

// constantsOnly reports whether a Go file declares constants and imports
// alone: nothing that go test's vet checks (calls, statements, struct
// tags, test functions) can find fault with.
func constantsOnly(path string) (bool, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	if err != nil {
		return false, err
	}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || (g.Tok != token.CONST && g.Tok != token.IMPORT) {
			return false, nil
		}
	}
	return true, nil
}

// ciCommands returns .ci/run's other go test commands, the fuzz runs:
// its lines that start with go test.
func ciCommands(t *testing.T) []string {
	t.Helper()
	return linesWithPrefix(t, ".ci/run", "go test ")
}

// TestCommandVetsEveryFile: a pass of the test command, or a go test
// command of .ci/run's, that does not vet (-vet=off) compiles no file
// that a pass of the test command that vets does not compile too, but
// for files of constants alone, so that turning vet off loses no check:
// a file that only the race detector's build compiles, such as a new test
// file with //go:build race, fails here until a vetted build compiles it
// too.
func TestCommandVetsEveryFile(t *testing.T) {
	ps, err := parsePasses(testCommand(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range ciCommands(t) {
		cp, err := parsePasses(c)
		if err != nil {
			t.Fatalf(".ci/run: %v", err)
		}
		if cp[0].vet {
			continue // it vets what it builds
		}
		ps = append(ps, cp...)
	}
	vetted := map[string]bool{}
	for i := range ps {
		if err := ps[i].listFiles(); err != nil {
			t.Fatal(err)
		}
		if ps[i].vet {
			for _, f := range ps[i].files {
				vetted[f] = true
			}
		}
	}
	if len(vetted) == 0 {
		t.Fatal("no pass of the test command vets")
	}
	for _, p := range ps {
		for _, f := range p.files {
			if vetted[f] {
				continue
			}
			if ok, err := constantsOnly(filepath.Join(root, filepath.FromSlash(f))); err != nil {
				t.Error(err)
			} else if !ok {
				t.Errorf("%s: compiled by %q, which does not vet, and by no pass that does: vet it in another build (its //go:build line) or drop -vet=off", f, p.text)
			}
		}
	}
}

// TestParsePasses: the passes of a command and what each builds, and
// refusals of what the tests above would misread.
func TestParsePasses(t *testing.T) {
	// The tags this test binary was built with (goexperiment.simd too,
	// when it runs under GOEXPERIMENT=simd): parsing must not add to them.
	tool := slices.Clone(build.Default.ToolTags)
	ps, err := parsePasses("go test -short -race -vet=off ./... && go test -short -tags purego ./internal/racebuild && GOEXPERIMENT=simd go test -short ./internal/bitconv")
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 3 {
		t.Fatalf("%d passes, want 3", len(ps))
	}
	if ps[0].vet || !ps[1].vet || !ps[2].vet {
		t.Errorf("vet: %v %v %v, want false true true", ps[0].vet, ps[1].vet, ps[2].vet)
	}
	if !slices.Contains(ps[0].ctx.BuildTags, "race") || !slices.Contains(ps[1].ctx.BuildTags, "purego") || !slices.Contains(ps[2].ctx.ToolTags, "goexperiment.simd") {
		t.Errorf("tags: %v, %v, %v", ps[0].ctx.BuildTags, ps[1].ctx.BuildTags, ps[2].ctx.ToolTags)
	}
	if !slices.Equal(build.Default.ToolTags, tool) {
		t.Errorf("the third pass's tags leaked into build.Default: %v", build.Default.ToolTags)
	}
	if !slices.Contains(ps[0].dirs, filepath.Join("internal", "readme")) || !slices.Equal(ps[1].dirs, []string{filepath.Join("internal", "racebuild")}) {
		t.Errorf("dirs: %v; %v", ps[0].dirs, ps[1].dirs)
	}
	for i := range ps {
		if err := ps[i].listFiles(); err != nil {
			t.Fatal(err)
		}
	}
	if !slices.Contains(ps[0].files, "internal/racebuild/race.go") || slices.Contains(ps[1].files, "internal/racebuild/race.go") {
		t.Errorf("race.go in the race build's files but not purego's: %v; %v", ps[0].files, ps[1].files)
	}
	if !slices.Contains(ps[2].files, "internal/bitconv/simd_amd64.go") && build.Default.GOARCH == "amd64" {
		t.Errorf("the simd build's files lack simd_amd64.go: %v", ps[2].files)
	}
	if ok, err := constantsOnly(filepath.Join(root, "internal", "racebuild", "race.go")); err != nil || !ok {
		t.Errorf("race.go: constants only = %v, %v; want true", ok, err)
	}
	if ok, err := constantsOnly(filepath.Join(root, "internal", "racebuild", "skip.go")); err != nil || ok {
		t.Errorf("skip.go: constants only = %v, %v; want false", ok, err)
	}
	if fz, err := parsePasses("go test -vet=off -run '^$' -fuzz FuzzSpec -fuzztime 30000x ./estimators"); err != nil || len(fz) != 1 || fz[0].vet || !slices.Equal(fz[0].dirs, []string{"estimators"}) {
		t.Errorf("a fuzz command: %+v, %v; want one pass of estimators without vet", fz, err)
	}
	for _, bad := range []string{
		"go test -short -count=1 ./...",  // a flag it does not know
		"CGO_ENABLED=0 go test ./...",    // a variable it does not know
		"go test -short -tags a,b ./...", // several tags
		"go test -short",                 // no packages
		"go vet ./...",                   // not go test
		"go test -short ./internal/...",  // a pattern it does not read
		"go test -short github.com/x/y",  // nor this one
	} {
		if _, err := parsePasses(bad); err == nil {
			t.Errorf("parsePasses(%q): no error", bad)
		}
	}
}
