package main

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/internal/texttest"
	"github.com/gradbench/gradbench/suite"
)

func progressEvents() []suite.Event {
	cell := suite.Cell{Index: 0, Spec: estimators.MustParse("fda+na"), Seed: 1}
	rec := &suite.Record{Status: suite.StatusOK, Final: &suite.Final{TestTop1: 87.5, SecondsPerEpoch: 12.25}, Epochs: make([]suite.Epoch, 2)}
	var evs []suite.Event
	for s := range 10 {
		evs = append(evs, suite.Event{Kind: suite.EventStep, Cell: cell, Cells: 2, Epoch: 0, Epochs: 2, Step: s, Steps: 10, Loss: 2.5, ImagesPerSec: 321, Done: int64(s + 1), Total: 40})
	}
	val := 79.5
	evs = append(evs,
		suite.Event{Kind: suite.EventEval, Cell: cell, Cells: 2, Epoch: 0, Epochs: 2, Step: 10, Steps: 10, Done: 10, Total: 40},
		suite.Event{Kind: suite.EventEpoch, Cell: cell, Cells: 2, Epoch: 0, Epochs: 2, Step: 10, Steps: 10, Loss: 2.5, ImagesPerSec: 321, Done: 10, Total: 40,
			Result: &suite.Epoch{Epoch: 1, TrainLoss: 2.5, TestTop1: 81.25, ImagesPerSec: 321}},
		suite.Event{Kind: suite.EventEpoch, Cell: cell, Cells: 2, Epoch: 1, Epochs: 2, Step: 10, Steps: 10, Loss: 1.75, ImagesPerSec: 330, Done: 20, Total: 40,
			Result: &suite.Epoch{Epoch: 2, TrainLoss: 1.75, TestTop1: 87.5, ValTop1: &val, ImagesPerSec: 330}},
		suite.Event{Kind: suite.EventCellDone, Cell: cell, Cells: 2, Record: rec, Done: 20, Total: 40},
		suite.Event{Kind: suite.EventResumed, Cell: cell, Cells: 2, Epoch: 1, Epochs: 2},
	)
	return evs
}

func TestProgressBar(t *testing.T) {
	var buf bytes.Buffer
	p := newProgressBar(&buf, true, false)
	for _, e := range progressEvents() {
		p.event(e)
	}
	p.clear()
	out := buf.String()
	// The first step draws; the next ones, within 100 ms, do not, but the
	// epoch's last step does.
	if got := strings.Count(out, "\r[1/2] fda+na seed 1  epoch 1/2  step "); got != 2 {
		t.Errorf("status drawn %d times, want 2 (first and last step):\n%q", got, out)
	}
	texttest.ContainsAll(t, "progress output", out,
		"step 1/10  loss 2.5000  321 img/s",
		"step 10/10",
		"epoch 1/2  evaluating",
		"[1/2] fda+na seed 1: top-1 87.50% after 2 epochs (12.2 s/epoch)\n",
		"[1/2] fda+na seed 1: resuming after epoch 1/2\n",
	)
	// On a terminal the status line shows the epochs: no line per epoch.
	if strings.Contains(out, "train loss") {
		t.Errorf("on a terminal an epoch got a permanent line: %q", out)
	}
	// The status line is erased before a permanent line is printed.
	if !strings.Contains(out, "        \r[1/2] fda+na seed 1: top-1") {
		t.Errorf("the status line is not erased before the run's line: %q", out)
	}
}

// TestProgressNotTerminal: stderr a file or a pipe (a Slurm task's log,
// nohup's) gets no status line, and got nothing at all until a run
// ended: a 10-epoch fmnist-10 run was silent for 8 minutes, a slow job
// not to be told from a hung one. Each finished epoch gets a line, each
// step none.
func TestProgressNotTerminal(t *testing.T) {
	var buf bytes.Buffer
	p := newProgressBar(&buf, false, false)
	for _, e := range progressEvents() {
		p.event(e)
	}
	out := buf.String()
	want := "[1/2] fda+na seed 1: epoch 1/2  train loss 2.5000  test top-1 81.25%  321 img/s\n" +
		"[1/2] fda+na seed 1: epoch 2/2  train loss 1.7500  val top-1 79.50%  test top-1 87.50%  330 img/s\n" +
		"[1/2] fda+na seed 1: top-1 87.50% after 2 epochs (12.2 s/epoch)\n[1/2] fda+na seed 1: resuming after epoch 1/2\n"
	if out != want {
		t.Errorf("without a terminal the progress output is\n%q\nwant only the permanent lines, one per epoch and run\n%q", out, want)
	}
	buf.Reset()
	p = newProgressBar(&buf, false, true)
	for _, e := range progressEvents() {
		p.event(e)
	}
	if buf.Len() != 0 {
		t.Errorf("--quiet printed %q", buf.String())
	}
}

// TestProgressFitsTerminal: a status line as wide as the terminal or
// wider wraps, and each redraw, which returns only to the start of its
// last row, leaves a row behind: the default sweep's fda+na lines (81
// columns in its last epoch) scrolled an 80-column terminal, and a
// formula or a learning-rate grid makes a run's name longer still. The
// line keeps within the terminal's width, the run's name shortened so
// that the progress stays in view.
func TestProgressFitsTerminal(t *testing.T) {
	spec := estimators.MustParse("expr:g=(1+9*p)*max(0, 1-(1+9*p)*abs(x))")
	cell := suite.Cell{Index: 0, Spec: spec, Seed: 1}
	var buf bytes.Buffer
	env := &cmdEnv{stderr: &buf, stderrTTY: true, stderrColumns: func() int { return 60 }}
	p := newCmdProgressBar(env, false)
	p.event(suite.Event{Kind: suite.EventStep, Cell: cell, Cells: 2, Epoch: 9, Epochs: 10, Step: 468, Steps: 469, Loss: 1.1234, ImagesPerSec: 488, Done: 10, Total: 40})
	p.event(suite.Event{Kind: suite.EventEval, Cell: cell, Cells: 2, Epoch: 9, Epochs: 10, Step: 469, Steps: 469, Done: 10, Total: 40})
	lines := strings.Split(strings.TrimPrefix(buf.String(), "\r"), "\r")
	want := []string{
		"[1/2] e…  epoch 10/10  step 469/469  loss 1.1234  488 img/s",
		"[1/2] expr:g=(1 + 9 * p) * max(0,…  epoch 10/10  evaluating",
	}
	if len(lines) != len(want) {
		t.Fatalf("status lines %q, want %q", lines, want)
	}
	for i, l := range lines {
		if l = strings.TrimRight(l, " "); l != want[i] {
			t.Errorf("status line %q, want %q", l, want[i])
		}
		if n := len([]rune(lines[i])); n > 59 {
			t.Errorf("status line %q is %d columns wide on a terminal of 60", lines[i], n)
		}
	}
	// A tail too long by itself is cut at the width; an unknown width
	// (0) draws the line whole.
	if got := fitLine("[1/2] ste", "  "+strings.Repeat("x", 70), 59); len([]rune(got)) != 59 {
		t.Errorf("fitLine gave %d runes, want 59: %q", len([]rune(got)), got)
	}
	if got := fitLine("head", "tail", -1); got != "headtail" {
		t.Errorf("fitLine with no width: %q", got)
	}
}

// TestProgressNarrowTerminal: tried as a new user would, on a terminal of
// 40 columns the status line of a run with a long name showed the name
// alone, cut at the width ("[1/1] expr:g=max(0, 2 - 2 * abs(x)) * ("):
// the epoch, the step and the ETA, which the line is for, were never in
// view. Where the progress does not fit beside the name, the loss and the
// images per second are left out before the epoch, step and ETA are cut.
func TestProgressNarrowTerminal(t *testing.T) {
	spec := estimators.MustParse("expr:g=(1+9*p)*max(0, 1-(1+9*p)*abs(x))")
	cell := suite.Cell{Index: 0, Spec: spec, Seed: 1}
	for _, tc := range []struct {
		columns int
		want    string
	}{
		{60, "[1/2] e…  epoch 10/10  step 468/469  loss 1.1234  488 img/s"},
		{50, "[1/2] expr:g=(1 + 9 *…  epoch 10/10  step 468/469"},
		{40, "[1/2] expr:…  epoch 10/10  step 468/469"},
		{30, "[…  epoch 10/10  step 468/469"},
		{20, "[1/2] expr:g=(1 + 9"},
	} {
		var buf bytes.Buffer
		env := &cmdEnv{stderr: &buf, stderrTTY: true, stderrColumns: func() int { return tc.columns }}
		p := newCmdProgressBar(env, false)
		p.event(suite.Event{Kind: suite.EventStep, Cell: cell, Cells: 2, Epoch: 9, Epochs: 10, Step: 467, Steps: 469, Loss: 1.1234, ImagesPerSec: 488, Done: 10, Total: 40})
		got := strings.TrimPrefix(buf.String(), "\r")
		if got != tc.want {
			t.Errorf("%d columns: status line %q, want %q", tc.columns, got, tc.want)
		}
		if n := len([]rune(got)); n > tc.columns-1 {
			t.Errorf("%d columns: status line %q is %d columns wide", tc.columns, got, n)
		}
	}
}

// TestProgressEpochLineETA: an epoch's line ends with the time left, at
// the pace of the steps this process trained.
func TestProgressEpochLineETA(t *testing.T) {
	var buf bytes.Buffer
	p := newProgressBar(&buf, false, false)
	// 10 steps of 40 trained in 10 s: 20 steps left after the 20th.
	p.start, p.startDone, p.started = time.Now().Add(-10*time.Second), 0, true
	cell := suite.Cell{Index: 1, Spec: estimators.MustParse("fda"), Seed: 1}
	p.event(suite.Event{Kind: suite.EventEpoch, Cell: cell, Cells: 8, Epoch: 2, Epochs: 10, Loss: 0.6123, ImagesPerSec: 488, Done: 10, Total: 30,
		Result: &suite.Epoch{Epoch: 3, TrainLoss: 0.6123, TestTop1: 71.2, ImagesPerSec: 488}})
	if want := "[2/8] fda seed 1: epoch 3/10  train loss 0.6123  test top-1 71.20%  488 img/s  ETA 20s\n"; buf.String() != want {
		t.Errorf("epoch line %q, want %q", buf.String(), want)
	}
}

// TestProgressETAHour: tried as a new user would (the default
// benchmark on a loaded machine), the ETA of the status line read "59m59s",
// "1h0m", then "1h0m0s" and "1h0m" again: an ETA just under an hour,
// rounded to the second, became an hour and kept its seconds, where
// every ETA of an hour or more is shown to the minute.
func TestProgressETAHour(t *testing.T) {
	var buf bytes.Buffer
	p := newProgressBar(&buf, false, false)
	// 10 steps of 20 trained in 59m59.7s: as long again left.
	p.start, p.startDone, p.started = time.Now().Add(-(time.Hour - 300*time.Millisecond)), 0, true
	cell := suite.Cell{Index: 0, Spec: estimators.MustParse("ste"), Seed: 1}
	p.event(suite.Event{Kind: suite.EventEpoch, Cell: cell, Cells: 1, Epoch: 0, Epochs: 2, Loss: 0.5, ImagesPerSec: 100, Done: 10, Total: 20,
		Result: &suite.Epoch{Epoch: 1, TrainLoss: 0.5, TestTop1: 50, ImagesPerSec: 100}})
	if want := "  ETA 1h0m\n"; !strings.HasSuffix(buf.String(), want) {
		t.Errorf("epoch line %q, want it to end %q", buf.String(), want)
	}
}

// TestProgressFractionNarrowTerminal: eval's and fidelity's status line,
// "label  done/total  ETA left", on a terminal too narrow for the count
// and the ETA beside a rune of the label was cut at the width, "eval:
// test images  ": the count, which the line is for, was never in view
// while there was room for it. The ETA is left out first, as the
// training line leaves out its loss, and the label is shortened.
func TestProgressFractionNarrowTerminal(t *testing.T) {
	for _, tc := range []struct {
		columns int
		want    string
	}{
		{40, "eval: test images  300/10000  ETA 5s"},
		{30, "eval: tes…  300/10000  ETA 5s"},
		{20, "eval: t…  300/10000"},
		{12, "eval: test "},
	} {
		var buf bytes.Buffer
		env := &cmdEnv{stderr: &buf, stderrTTY: true, stderrColumns: func() int { return tc.columns }}
		p := newCmdProgressBar(env, false)
		p.fraction("eval: test images", 300, 10000, 5*time.Second)
		got := strings.TrimPrefix(buf.String(), "\r")
		if got != tc.want {
			t.Errorf("%d columns: status line %q, want %q", tc.columns, got, tc.want)
		}
		if n := len([]rune(got)); n > tc.columns-1 {
			t.Errorf("%d columns: status line %q is %d columns wide", tc.columns, got, n)
		}
	}
}

// TestProgressRateUnmeasured: a step timed at 0 s (a clock that advances
// in steps of milliseconds, as Windows' does, after a tiny first batch)
// has no images per second to show: the status line leaves the rate out
// rather than print "+Inf img/s".
func TestProgressRateUnmeasured(t *testing.T) {
	var buf bytes.Buffer
	p := newProgressBar(&buf, true, false)
	cell := suite.Cell{Index: 0, Spec: estimators.MustParse("ste"), Seed: 1}
	p.event(suite.Event{Kind: suite.EventStep, Cell: cell, Cells: 1, Epoch: 0, Epochs: 1, Step: 0, Steps: 10, Loss: 2.5, ImagesPerSec: math.Inf(1), Done: 1, Total: 10})
	p.clear()
	out := buf.String()
	if strings.Contains(out, "Inf") || strings.Contains(out, "img/s") {
		t.Errorf("status line of a step timed at 0 s: %q, want no rate", out)
	}
	texttest.ContainsAll(t, "progress output", out, "step 1/10  loss 2.5000")
}
