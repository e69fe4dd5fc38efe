package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/estimators"
	"github.com/gradbench/gradbench/internal/texttest"
	"github.com/gradbench/gradbench/suite"
)

func progressEvents() []suite.Event {
	cell := suite.Cell{Index: 0, Spec: estimators.MustParse("fda+na"), Seed: 1}
	rec := &suite.Record{Status: suite.StatusOK, Final: &suite.Final{TestTop1: 87.5, SecondsPerEpoch: 12.25}, Epochs: make([]suite.Epoch, 2)}
	var evs []suite.Event
	for s := range 10 {
		evs = append(evs, suite.Event{Kind: suite.EventStep, Cell: cell, Cells: 2, Epoch: 0, Epochs: 2, Step: s, Steps: 10, Loss: 2.5, ImagesPerSec: 321, Done: s + 1, Total: 40})
	}
	evs = append(evs,
		suite.Event{Kind: suite.EventEval, Cell: cell, Cells: 2, Epoch: 0, Epochs: 2, Step: 10, Steps: 10, Done: 10, Total: 40},
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
	// The status line is erased before a permanent line is printed.
	if !strings.Contains(out, "        \r[1/2] fda+na seed 1: top-1") {
		t.Errorf("the status line is not erased before the run's line: %q", out)
	}
}

func TestProgressNotTerminal(t *testing.T) {
	var buf bytes.Buffer
	p := newProgressBar(&buf, false, false)
	for _, e := range progressEvents() {
		p.event(e)
	}
	out := buf.String()
	want := "[1/2] fda+na seed 1: top-1 87.50% after 2 epochs (12.2 s/epoch)\n[1/2] fda+na seed 1: resuming after epoch 1/2\n"
	if out != want {
		t.Errorf("without a terminal the progress output is\n%q\nwant only the permanent lines\n%q", out, want)
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
