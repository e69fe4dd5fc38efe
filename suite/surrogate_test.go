package suite

import (
	"bytes"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestEvalSurrogatesSides: a sided spec gives two curves, labelled with
// the spec and its side, each the curve of that side's estimator alone;
// the grid runs from From to To inclusive.
func TestEvalSurrogatesSides(t *testing.T) {
	s, err := EvalSurrogates(SurrogateOptions{Estimators: "a=approxsign/w=fda:n=9,fda:n=9,approxsign", From: -1, To: 1, Points: 9})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.X) != 9 || s.X[0] != -1 || s.X[4] != 0 || s.X[8] != 1 {
		t.Errorf("grid = %v, want 9 points from -1 to 1", s.X)
	}
	var labels []string
	for _, c := range s.Curves {
		labels = append(labels, c.Label())
	}
	want := []string{"w=fda:n=9/a=approxsign (weights)", "w=fda:n=9/a=approxsign (activations)", "fda:n=9", "approxsign"}
	if !slices.Equal(labels, want) {
		t.Fatalf("labels = %q, want %q", labels, want)
	}
	if !slices.Equal(s.Curves[0].G, s.Curves[2].G) || !slices.Equal(s.Curves[1].G, s.Curves[3].G) {
		t.Errorf("the sides' curves %v, %v differ from fda:n=9 %v and approxsign %v", s.Curves[0].G, s.Curves[1].G, s.Curves[2].G, s.Curves[3].G)
	}
	if s.Curves[0].pos != s.Curves[1].pos || s.Curves[1].pos == s.Curves[2].pos {
		t.Errorf("color positions %d %d %d: a spec's sides share one, the next spec has its own", s.Curves[0].pos, s.Curves[1].pos, s.Curves[2].pos)
	}
}

// TestEvalSurrogatesProgress: a scheduled estimator's curve follows
// Progress (fda's default schedule adds terms, raising g(0)); a fixed
// one's does not.
func TestEvalSurrogatesProgress(t *testing.T) {
	at := func(p float64) *Surrogates {
		s, err := EvalSurrogates(SurrogateOptions{Estimators: "fda,ste", From: -1, To: 1, Points: 3, Progress: p})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s0, s1 := at(0), at(1)
	if !(s1.Curves[0].G[1] > s0.Curves[0].G[1]) {
		t.Errorf("fda g(0) at p=1 = %v, want more than at p=0 (%v)", s1.Curves[0].G[1], s0.Curves[0].G[1])
	}
	if !slices.Equal(s0.Curves[1].G, s1.Curves[1].G) {
		t.Errorf("ste g(x) at p=0 %v and p=1 %v differ", s0.Curves[1].G, s1.Curves[1].G)
	}
}

// TestEvalSurrogatesProgressFixedSchedule: --progress is refused where no
// curve listed changes with it, also for estimators whose schedule the
// spec fixes (fda:n=9 keeps n, ede and rbnn with tmin = tmax keep t,
// reste:o=1 keeps o, an expr formula without p): it would be given and
// then ignored. A spec whose curve does change keeps it.
func TestEvalSurrogatesProgressFixedSchedule(t *testing.T) {
	for _, list := range []string{"fda:n=9", "ede:tmax=1,tmin=1", "rbnn:tmax=2,tmin=2", "reste:o=1", "expr:g=max(0, 1 - abs(x))", "ste,w=fda:n=9/a=ste"} {
		_, err := EvalSurrogates(SurrogateOptions{Estimators: list, From: -1, To: 1, Points: 9, Progress: 0.5, ProgressGiven: true})
		if err == nil || !strings.Contains(err.Error(), "--progress 0.5: none of the estimators") {
			t.Errorf("EvalSurrogates(%s at --progress 0.5) = %v, want it refused as changing no curve", list, err)
		}
	}
	for _, list := range []string{"fda", "fda:n=9,ede", "reste", "expr:g=(1 + p) * max(0, 1 - abs(x))", "w=ste/a=fda"} {
		if _, err := EvalSurrogates(SurrogateOptions{Estimators: list, From: -1, To: 1, Points: 9, Progress: 0.5, ProgressGiven: true}); err != nil {
			t.Errorf("EvalSurrogates(%s at --progress 0.5): %v", list, err)
		}
	}
}

// TestEvalSurrogatesRefused: grids float32 cannot hold, out-of-range
// options and specs without a fixed curve are refused before any curve is
// evaluated.
func TestEvalSurrogatesRefused(t *testing.T) {
	ok := SurrogateOptions{Estimators: "ste", From: -2, To: 2, Points: 5}
	for _, tc := range []struct {
		edit func(*SurrogateOptions)
		want string
	}{
		{func(o *SurrogateOptions) { o.From, o.To = 1, 1 }, "--from must be less than --to"},
		{func(o *SurrogateOptions) { o.Points = 10_000_001 }, "--points must be at most 10000000"},
		// Drawn, 10000000 points of the 11 default curves would take
		// tens of GB (a 1000000-point curve took 336 MB to draw and
		// 13.9 MB of SVG), for a picture a few hundred points wide.
		{func(o *SurrogateOptions) { o.Points, o.SVG = 100_001, "g.svg" }, "--points 100001 with --svg: a plot draws at most 100000 points per curve"},
		{func(o *SurrogateOptions) { o.Progress = -0.1 }, "--progress must be in [0, 1]"},
		{func(o *SurrogateOptions) { o.Format = "md" }, `--format must be tsv or csv, got "md"`},
		{func(o *SurrogateOptions) { o.Format = "SVG" }, `--format must be tsv or csv, got "SVG": the plot is drawn by --svg FILE, with or without --format`},
		{func(o *SurrogateOptions) { o.To = 1e39 }, "--to 1e+39 is outside float32's range"},
		{func(o *SurrogateOptions) { o.From = -1e39 }, "--from -1e+39 is outside float32's range"},
		// Past float32, or 0 in it, before the order: --from 1e39 was
		// "--from must be less than --to", as if a smaller --from would
		// do.
		{func(o *SurrogateOptions) { o.From = 1e39 }, "--from 1e+39 is outside float32's range"},
		{func(o *SurrogateOptions) { o.From, o.To = -1, -1e39 }, "--to -1e+39 is outside float32's range"},
		{func(o *SurrogateOptions) { o.From, o.To = 1, 1e-50 }, "--to 1e-50 is 0 as float32"},
		// A nonzero end float32 rounds to 0 would print x = 0 where the
		// flag asked for another number.
		{func(o *SurrogateOptions) { o.From = 1e-50 }, "--from 1e-50 is 0 as float32, in which the estimators take x (its smallest magnitude is 1e-45)"},
		{func(o *SurrogateOptions) { o.From, o.To = -1, -1e-50 }, "--to -1e-50 is 0 as float32"},
		// The plot's file is checked with the options, before any curve is
		// evaluated or a table printed.
		{func(o *SurrogateOptions) { o.SVG = filepath.Join("runs", "0123456789abcdef.weights") }, "--svg runs/0123456789abcdef.weights: refusing"},
		{func(o *SurrogateOptions) { o.From, o.To, o.Points = 0, 1e-44, 100 }, "closer than float32 resolves"},
		{func(o *SurrogateOptions) { o.Estimators = "w=ste/a=fda+na" }, "noise adaptation (+na) is a learned module"},
	} {
		o := ok
		tc.edit(&o)
		if s, err := EvalSurrogates(o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("EvalSurrogates(%+v) = %v, %v; want an error containing %q", o, s, err, tc.want)
		}
	}
	if _, err := EvalSurrogates(ok); err != nil {
		t.Errorf("EvalSurrogates(%+v): %v", ok, err)
	}
}

// TestEvalSurrogatesFloat32Ends: an end is used as its nearest float32,
// as the help says, so the decimal the range refusal prints,
// ±3.4028235e+38 (a little above float32's largest value, which it
// rounds to), is an end like any other, as it is in an estimator's spec
// (ste:c=3.4028235e38); one that rounds to ±Inf is still refused.
func TestEvalSurrogatesFloat32Ends(t *testing.T) {
	s, err := EvalSurrogates(SurrogateOptions{Estimators: "ste", From: -3.4028235e38, To: 3.4028235e38, Points: 3})
	if err != nil {
		t.Fatalf("--from -3.4028235e38 --to 3.4028235e38: %v", err)
	}
	if want := []float32{-math.MaxFloat32, 0, math.MaxFloat32}; !slices.Equal(s.X, want) {
		t.Errorf("grid %v, want %v", s.X, want)
	}
	// 3.4028236e38 lies past the midpoint between float32's largest value
	// and the next power of two: it rounds to +Inf.
	if _, err := EvalSurrogates(SurrogateOptions{Estimators: "ste", From: -1, To: 3.4028236e38, Points: 3}); err == nil || !strings.Contains(err.Error(), "--to 3.4028236e+38 is outside float32's range") {
		t.Errorf("--to 3.4028236e38: %v, want it refused as outside float32's range", err)
	}
}

// TestSurrogatesWriteTable: the table's formats, and no table for Format "".
func TestSurrogatesWriteTable(t *testing.T) {
	for format, want := range map[string]string{
		"tsv": "x\tste\tw=ste/a=approxsign (weights)\tw=ste/a=approxsign (activations)\n-2\t0\t0\t0\n0\t1\t1\t2\n2\t0\t0\t0\n",
		"csv": "x,ste,w=ste/a=approxsign (weights),w=ste/a=approxsign (activations)\n-2,0,0,0\n0,1,1,2\n2,0,0,0\n",
		"":    "",
	} {
		s, err := EvalSurrogates(SurrogateOptions{Estimators: "ste,w=ste/a=approxsign", From: -2, To: 2, Points: 3, Format: format})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := s.WriteTable(&b); err != nil || b.String() != want {
			t.Errorf("format %q: table %q, %v; want %q", format, b.String(), err, want)
		}
	}
}
