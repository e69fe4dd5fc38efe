package suite

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Which kind of machine trained a run, and the note of a table whose
// records were trained on more than one kind.

// A machineType is what decides how a run's arithmetic rounds, of the
// Machine that trained it: the same seed gives bit-identical numbers on
// one machine type and need not on another. It is the CPU model (which
// kernels the engine picks at start-up, and how the chip executes them),
// the GEMM kernel set (avx512, avx2, go, openblas), the build tags and
// GOEXPERIMENT the binary was built with (purego and openblas swap kernels,
// an experiment may change what the compiler emits), GOARCH and its level
// (Go fuses x*y+z into one rounding on arm64, and on amd64 from
// GOAMD64=v3, not below) and the Go version (its compiler and math
// library). It leaves out the host name, the
// core count, GOMAXPROCS and the worker pool's size (reductions run in
// a fixed order, so the numbers are the same on 1 core or 16), the OS (the
// compiler emits the same arithmetic for one GOARCH whatever the OS), and
// the commit: a change of gradbench's code is not one of machine, and is
// what TestTrainingGolden watches.
type machineType struct {
	CPU, GEMM, BuildTags, Experiment, Arch, ArchLevel, GoVersion string
}

// defaultArchLevel is the level of GOARCH that the go command builds for
// unless told otherwise, that of a record written before records kept the
// level (every one of the results' was built for it), for the GOARCHes
// the kernels are written and measured for.
var defaultArchLevel = map[string]string{"amd64": "GOAMD64=v1", "arm64": "GOARM64=v8.0"}

// typeOf returns m's machine type. The go command records -tags and
// GOEXPERIMENT as they were typed: one build is recorded "purego,openblas"
// or "openblas,purego", and GOEXPERIMENT may list experiments in any
// order or name one that is on by default and changes nothing. So the
// build tags are taken as a set (sorted, each once), and the experiments
// are those in effect, which the linker appends to the Go version
// (runtime.Version: "go1.26.8-X:arenas,jsonv2", in one order, the
// defaults left out): the type's GoVersion is the version without them,
// its Experiment that list (m.Experiment, as a set, only for a record
// that kept no Go version). A record that kept no architecture level is
// of its GOARCH's default one (defaultArchLevel).
func typeOf(m Machine) machineType {
	version, exp := splitExperiments(m.GoVersion)
	if m.GoVersion == "" {
		exp = canonicalList(m.Experiment)
	}
	level := m.ArchLevel
	if level == "" {
		level = defaultArchLevel[m.Arch]
	}
	return machineType{CPU: m.CPU, GEMM: m.GEMM, BuildTags: canonicalList(m.BuildTags), Experiment: exp, Arch: m.Arch, ArchLevel: level, GoVersion: version}
}

// splitExperiments splits v, a runtime.Version, into the Go version and
// the experiments the linker appended after " X:" (or "-X:" to a version
// without a "-"), or "" where it appended none.
func splitExperiments(v string) (version, exp string) {
	for _, sep := range []string{" X:", "-X:"} {
		if i := strings.LastIndex(v, sep); i >= 0 {
			return v[:i], v[i+len(sep):]
		}
	}
	return v, ""
}

// canonicalList returns the comma-separated list s (as the go command
// records -tags and GOEXPERIMENT; spaces also separate, as older -tags
// did) sorted, each item once, joined by commas.
func canonicalList(s string) string {
	items := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
	slices.Sort(items)
	return strings.Join(slices.Compact(items), ",")
}

// machineTypes returns the machine types that trained r: that of every
// segment and of the process that finished it, in the order they came,
// each once. More than one means the run was resumed on another type.
func machineTypes(r *Record) []machineType {
	var ts []machineType
	for _, s := range r.Segments {
		if t := typeOf(s.Machine); !slices.Contains(ts, t) {
			ts = append(ts, t)
		}
	}
	if t := typeOf(r.Machine); !slices.Contains(ts, t) {
		ts = append(ts, t)
	}
	return ts
}

// writeMachineTypes writes a note for one workload's records wl when they
// were trained on more than one machine type: a reader of the table must
// know which numbers came from which, since a run retrained on another
// type need not end where its record does. It names each type with its
// records and their seeds, then the records resumed from one type on
// another, and says whether each seed's records are of one type: the
// table compares estimators seed by seed, which stays within one type
// only then. On one machine type it writes nothing. It reads the records
// the digest note reads (writeUndigested), is written after it, and names
// them as it does (of).
func writeMachineTypes(w io.Writer, wl []*Record, of string) {
	type group struct {
		t     machineType
		label string
		n     int      // records trained on t alone
		seeds []uint64 // their seeds
	}
	var gs []*group
	find := func(t machineType) *group {
		for _, g := range gs {
			if g.t == t {
				return g
			}
		}
		g := &group{t: t}
		gs = append(gs, g)
		return g
	}
	var resumed []uint64 // the seeds of the records resumed on another type, one per record
	bySeed := map[uint64][]machineType{}
	for _, r := range wl {
		ts := machineTypes(r)
		s := r.Config.Seed
		for _, t := range ts {
			find(t)
			if !slices.Contains(bySeed[s], t) {
				bySeed[s] = append(bySeed[s], t)
			}
		}
		if len(ts) > 1 {
			resumed = append(resumed, s)
			continue
		}
		g := find(ts[0])
		g.n++
		if !slices.Contains(g.seeds, s) {
			g.seeds = append(g.seeds, s)
		}
	}
	if len(gs) < 2 {
		return
	}
	ts := make([]machineType, len(gs))
	for i, g := range gs {
		ts[i] = g.t
	}
	for i, l := range typeLabels(ts) {
		gs[i].label = l
		slices.Sort(gs[i].seeds)
	}
	// Types in the order of their first seed (a study's machines in the
	// order its seeds ran), then of their names; one that trained only
	// parts of resumed records after them.
	slices.SortFunc(gs, func(a, b *group) int {
		if len(a.seeds) == 0 || len(b.seeds) == 0 {
			return cmp.Or(cmp.Compare(len(b.seeds), len(a.seeds)), strings.Compare(a.label, b.label))
		}
		return cmp.Or(cmp.Compare(a.seeds[0], b.seeds[0]), strings.Compare(a.label, b.label))
	})
	var parts []string
	for _, g := range gs {
		if g.n == 0 {
			parts = append(parts, g.label+": parts of resumed records only")
			continue
		}
		parts = append(parts, g.label+": "+countRecords(g.n)+", "+seedsWord(len(g.seeds))+seedList(g.seeds))
	}
	if len(resumed) > 0 {
		ss := slices.Clone(resumed)
		slices.Sort(ss)
		ss = slices.Compact(ss)
		parts = append(parts, "resumed on another type: "+countRecords(len(resumed))+", "+seedsWord(len(ss))+seedList(ss))
	}
	var mixed []uint64
	for s, ts := range bySeed {
		if len(ts) > 1 {
			mixed = append(mixed, s)
		}
	}
	slices.Sort(mixed)
	pairing := "Each seed's records are of one type, so every pair of runs compared seed by seed is of one type."
	if len(mixed) > 0 {
		pairing = "The records of " + seedsWord(len(mixed)) + seedList(mixed) + " are of more than one type, so their paired comparisons set side by side runs whose rounding may differ."
	}
	these := recordsOf(len(wl), of) + " were"
	if len(wl) == 1 {
		these = recordsOf(1, of) + " was" // resumed on another type
	}
	fmt.Fprintf(w, "Note: %s trained on %d machine types (CPU, GEMM, build tags, Go version, architecture), whose rounding may differ: a run retrained on another type need not give the same numbers. %s. %s\n\n",
		these, len(gs), escapeMarkdown(strings.Join(parts, "; ")), pairing)
}

// countRecords is "1 record" or "n records".
func countRecords(n int) string {
	if n == 1 {
		return "1 record"
	}
	return strconv.Itoa(n) + " records"
}

// typeLabels names each of the machine types ts (at least two) for the
// note: the CPU and the GEMM, then the build tags, GOEXPERIMENT, Go
// version, GOARCH and its level where the types differ in them.
func typeLabels(ts []machineType) []string {
	or := func(s, none string) string {
		if s == "" {
			return none
		}
		return s
	}
	fields := []func(machineType) string{
		func(t machineType) string { return or(t.CPU, "CPU not recorded") },
		func(t machineType) string { return "GEMM " + or(t.GEMM, "not recorded") },
		func(t machineType) string { return or(prefixed("tags ", t.BuildTags), "no build tags") },
		func(t machineType) string { return or(prefixed("GOEXPERIMENT ", t.Experiment), "no GOEXPERIMENT") },
		func(t machineType) string { return or(t.GoVersion, "Go version not recorded") },
		func(t machineType) string { return or(t.Arch, "GOARCH not recorded") },
		func(t machineType) string { return or(t.ArchLevel, "architecture level not recorded") },
	}
	labels := make([]string, len(ts))
	for j, f := range fields {
		differ := slices.ContainsFunc(ts, func(t machineType) bool { return f(t) != f(ts[0]) })
		if j >= 2 && !differ {
			continue
		}
		for i, t := range ts {
			if j > 0 {
				labels[i] += ", "
			}
			labels[i] += f(t)
		}
	}
	return labels
}

// prefixed is p+s, or "" when s is.
func prefixed(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}
