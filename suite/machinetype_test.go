package suite

import (
	"encoding/json"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// TestTableNotesMachineTypes: a table over records trained on two machine
// types (a study whose first seeds ran on an AVX2 Xeon and its later ones
// on an AVX-512 EPYC) said nothing of it, though a run retrained on the
// other type need not give the numbers its record holds. Through the files
// as gradbench table reads them, it now says which type trained which
// seeds, how many records each, which records were resumed from one type
// on another, and which seeds mix types (their pairs compare runs whose
// rounding may differ); on one type it says nothing.
func TestTableNotesMachineTypes(t *testing.T) {
	w := testWorkload(t)
	w.Recipe.Epochs = 2 // room for a resume
	xeon := Machine{OS: "linux", Arch: "amd64", CPU: "Intel(R) Xeon(R) Processor", Cores: 2, GoVersion: "go1.26.8", GEMM: "avx2", Commit: "unknown"}
	epyc := Machine{OS: "linux", Arch: "amd64", CPU: "AMD EPYC (family 26, model 2)", Cores: 2, GoVersion: "go1.26.8", GEMM: "avx512", Commit: "unknown"}
	// Another host, core count, OS and commit of the same type: the same
	// rounding, no note.
	xeon2 := xeon
	xeon2.Host, xeon2.Cores, xeon2.GOMAXPROCS, xeon2.Workers, xeon2.OS, xeon2.Commit = "node7", 16, 16, 16, "darwin", "0123abc"
	const head = "Note: these 8 records were trained on 2 machine types (CPU, GEMM, build tags, Go version, architecture), whose rounding may differ: a run retrained on another type need not give the same numbers. "
	for _, c := range []struct {
		name string
		// machine of the ste and fda records of seeds 1 to 4; a second
		// entry resumes the record on it from epoch 2.
		machines [8][]Machine
		want     string // "" for no note
	}{
		{"one type", [8][]Machine{{xeon}, {xeon}, {xeon}, {xeon}, {xeon2}, {xeon2}, {xeon}, {xeon, xeon2}}, ""},
		{"two types by seed", [8][]Machine{{xeon}, {xeon}, {xeon}, {xeon}, {xeon}, {xeon}, {epyc}, {epyc}},
			head + "Intel(R) Xeon(R) Processor, GEMM avx2: 6 records, seeds 1–3; AMD EPYC (family 26, model 2), GEMM avx512: 2 records, seed 4. Each seed's records are of one type, so every pair of runs compared seed by seed is of one type.\n\n"},
		{"mixed seeds", [8][]Machine{{epyc}, {xeon}, {xeon}, {xeon}, {xeon}, {xeon}, {xeon}, {epyc}},
			head + "AMD EPYC (family 26, model 2), GEMM avx512: 2 records, seeds 1 and 4; Intel(R) Xeon(R) Processor, GEMM avx2: 6 records, seeds 1–4. The records of seeds 1 and 4 are of more than one type, so their paired comparisons set side by side runs whose rounding may differ.\n\n"},
		{"resumed on another type", [8][]Machine{{xeon}, {xeon}, {xeon}, {xeon}, {xeon, epyc}, {xeon}, {xeon}, {xeon}},
			head + "Intel(R) Xeon(R) Processor, GEMM avx2: 7 records, seeds 1–4; AMD EPYC (family 26, model 2), GEMM avx512: parts of resumed records only; resumed on another type: 1 record, seed 3. The records of seed 3 are of more than one type, so their paired comparisons set side by side runs whose rounding may differ.\n\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for i, spec := range []string{"ste", "fda", "ste", "fda", "ste", "fda", "ste", "fda"} {
				r := fakeRecord(&w, spec, uint64(i/2+1), 70+float64(i))
				ms := c.machines[i]
				r.Machine = ms[len(ms)-1]
				for j, m := range ms {
					r.Segments = append(r.Segments, Segment{FirstEpoch: j + 1, LastEpoch: j + 1, Machine: m})
				}
				r.Segments[len(r.Segments)-1].LastEpoch = len(r.Epochs)
				r.Resumes = len(ms) - 1
				if err := WriteRecord(dir, r); err != nil {
					t.Fatal(err)
				}
			}
			tab, err := Tabulate(TableOptions{Runs: dir, Table: TableMain})
			if err != nil || !strings.Contains(string(tab.Table), "| fda ") {
				t.Fatalf("Tabulate: %v, want a table", err)
			}
			got := string(tab.Table)
			if c.want == "" {
				if strings.Contains(got, "machine type") {
					t.Errorf("a table of one machine type notes machine types:\n%s", got)
				}
				return
			}
			// Under the heading, before the table.
			head, _, ok := strings.Cut(got, "\n|")
			if !ok || !strings.HasSuffix(head+"\n", c.want) {
				t.Errorf("table:\n%s\nwant the note under its heading:\n%s", got, c.want)
			}
		})
	}
}

// TestMachineTypeLabels: a type is named by its CPU and GEMM, and by the
// build tags, GOEXPERIMENT, Go version and GOARCH where the types of the
// note differ in them; a Machine field left empty (a record that did
// not keep it) is named as not recorded.
func TestMachineTypeLabels(t *testing.T) {
	a := machineType{CPU: "X", GEMM: "avx2", Arch: "amd64", GoVersion: "go1.26.8"}
	b := a
	b.BuildTags, b.GoVersion = "purego", "go1.25.1"
	c := a
	c.Experiment, c.GEMM, c.CPU = "simd", "", ""
	got := typeLabels([]machineType{a, b, c})
	want := []string{
		"X, GEMM avx2, no build tags, no GOEXPERIMENT, go1.26.8",
		"X, GEMM avx2, tags purego, no GOEXPERIMENT, go1.25.1",
		"CPU not recorded, GEMM not recorded, no build tags, GOEXPERIMENT simd, go1.26.8",
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("label %d = %q, want %q", i, got[i], want[i])
		}
	}
}

// TestMachineTypeSpellings: the go command records -tags and GOEXPERIMENT
// as they were typed, so one build made with -tags purego,openblas and
// with -tags openblas,purego, or with GOEXPERIMENT=jsonv2,arenas and
// arenas,jsonv2, or with GOEXPERIMENT naming an experiment that is on by
// default (greenteagc in Go 1.26) and without it, recorded two spellings
// of one machine type, and the table noted two types whose rounding may
// differ. The build tags are a set; the experiments in effect are those
// the linker appends to the Go version ("go1.26.8-X:arenas,jsonv2", in
// one order, the defaults left out). A type that does differ in them
// is still told apart, named without the Go version's suffix.
func TestMachineTypeSpellings(t *testing.T) {
	base := Machine{OS: "linux", Arch: "amd64", CPU: "X", GoVersion: "go1.26.8", GEMM: "openblas"}
	with := func(tags, exp, version string) Machine {
		m := base
		m.BuildTags, m.Experiment, m.GoVersion = tags, exp, version
		return m
	}
	checkPairNotes(t, []pairNote{
		{"tags in another order", with("purego,openblas", "", "go1.26.8"), with("openblas,purego", "", "go1.26.8"), ""},
		{"a tag twice", with("openblas", "", "go1.26.8"), with("openblas,openblas", "", "go1.26.8"), ""},
		{"experiments in another order", with("", "jsonv2,arenas", "go1.26.8-X:arenas,jsonv2"), with("", "arenas,jsonv2", "go1.26.8-X:arenas,jsonv2"), ""},
		{"a default experiment named", with("", "greenteagc", "go1.26.8"), with("", "", "go1.26.8"), ""},
		{"devel version", with("", "arenas", "devel go1.27-abc123 X:arenas"), with("", "arenas", "devel go1.27-abc123 X:arenas"), ""},
		{"another experiment", with("", "arenas", "go1.26.8-X:arenas"), with("", "", "go1.26.8"),
			"X, GEMM openblas, GOEXPERIMENT arenas: 1 record, seed 1; X, GEMM openblas, no GOEXPERIMENT: 1 record, seed 2."},
		{"another tag", with("purego", "", "go1.26.8"), with("openblas,purego", "", "go1.26.8"),
			"X, GEMM openblas, tags purego: 1 record, seed 1; X, GEMM openblas, tags openblas,purego: 1 record, seed 2."},
	})
}

// A pairNote is a case of checkPairNotes: records of seeds 1 and 2
// trained on a and on b, and the note on them it wants ("" for none).
type pairNote struct {
	name string
	a, b Machine
	want string
}

// checkPairNotes checks the machine-type note on each case's records.
func checkPairNotes(t *testing.T, cases []pairNote) {
	t.Helper()
	rec := func(seed uint64, m Machine) *Record {
		r := &Record{Machine: m}
		r.Config.Seed = seed
		return r
	}
	for _, c := range cases {
		var b strings.Builder
		writeMachineTypes(&b, []*Record{rec(1, c.a), rec(2, c.b)}, "")
		got := b.String()
		if c.want == "" && got != "" || !strings.Contains(got, c.want) {
			t.Errorf("%s: note %q, want %q", c.name, got, c.want)
		}
	}
}

// TestMachineArchLevel: Go fuses x*y+z into one rounding on amd64 from
// GOAMD64=v3 (and not below), so one CPU, GEMM and Go version round the
// engine's Go loops differently in a binary built for v1 and one built
// for v3; records kept no GOAMD64, and a table over both noted one
// machine type. A record keeps the level the go command recorded for
// its GOARCH ("GOAMD64=v3"), and a type includes it; a record written
// before records kept it is of the GOARCH's default level (v1 on amd64,
// v8.0 on arm64), which every one of the results' was built for.
func TestMachineArchLevel(t *testing.T) {
	if runtime.GOARCH == "amd64" {
		bi, ok := debug.ReadBuildInfo()
		if !ok {
			t.Fatal("no build information in the test binary")
		}
		want := ""
		for _, s := range bi.Settings {
			if s.Key == "GOAMD64" {
				want = "GOAMD64=" + s.Value
			}
		}
		if got := describeMachine().ArchLevel; got != want || want == "" {
			t.Errorf("describeMachine().ArchLevel = %q, want %q, as the go command recorded it", got, want)
		}
	}
	base := Machine{OS: "linux", Arch: "amd64", CPU: "X", GoVersion: "go1.26.8", GEMM: "avx2"}
	at := func(arch, level string) Machine {
		m := base
		m.Arch, m.ArchLevel = arch, level
		return m
	}
	checkPairNotes(t, []pairNote{
		{"v1 and v3", at("amd64", "GOAMD64=v1"), at("amd64", "GOAMD64=v3"),
			"X, GEMM avx2, GOAMD64=v1: 1 record, seed 1; X, GEMM avx2, GOAMD64=v3: 1 record, seed 2."},
		{"not recorded on amd64 and v1", at("amd64", ""), at("amd64", "GOAMD64=v1"), ""},
		{"not recorded on arm64 and v8.0", at("arm64", ""), at("arm64", "GOARM64=v8.0"), ""},
		{"not recorded and v3", at("amd64", ""), at("amd64", "GOAMD64=v3"),
			"X, GEMM avx2, GOAMD64=v1: 1 record, seed 1; X, GEMM avx2, GOAMD64=v3: 1 record, seed 2."},
	})
	// An older record, without the field, reads and checksums as it was
	// written.
	r := fakeRecord(&tinySweep(t, "ste", 1).Workload, "ste", 1, 50)
	r.Checksum = r.mustChecksum()
	j, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(j), `"arch_level"`) {
		t.Errorf("a record without an architecture level is written with one: %s", j)
	}
}

// TestMachineTypesOneRecord: a workload of one record, resumed on
// another machine type, was noted as "these 1 records were trained on 2
// machine types". One record is "this record".
func TestMachineTypesOneRecord(t *testing.T) {
	xeon := Machine{Arch: "amd64", CPU: "Xeon", GoVersion: "go1.26.8", GEMM: "avx2"}
	epyc := Machine{Arch: "amd64", CPU: "EPYC", GoVersion: "go1.26.8", GEMM: "avx512"}
	r := &Record{Machine: epyc, Segments: []Segment{{Machine: xeon}, {Machine: epyc}}}
	r.Config.Seed = 3
	var b strings.Builder
	writeMachineTypes(&b, []*Record{r}, "")
	want := "Note: this record was trained on 2 machine types (CPU, GEMM, build tags, Go version, architecture), whose rounding may differ: a run retrained on another type need not give the same numbers. EPYC, GEMM avx512: parts of resumed records only; Xeon, GEMM avx2: parts of resumed records only; resumed on another type: 1 record, seed 3."
	if got := b.String(); !strings.HasPrefix(got, want) {
		t.Errorf("note on one record:\n%s\nwant it to begin\n%s", got, want)
	}
}
