package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gradbench/gradbench/suite"
)

// progressBar shows a sweep's progress on stderr: a status line redrawn in
// place (only on a terminal, at most every redrawEvery) and one permanent
// line per run that finishes, resumes or was found cached (unless quiet).
type progressBar struct {
	w           io.Writer
	draw, quiet bool
	start       time.Time
	startDone   int // steps already done when this process started training
	started     bool
	last        time.Time
	width       int // length of the status line on screen
}

const redrawEvery = 100 * time.Millisecond

func newProgressBar(w io.Writer, draw, quiet bool) *progressBar {
	return &progressBar{w: w, draw: draw, quiet: quiet}
}

func (p *progressBar) event(e suite.Event) {
	cell := fmt.Sprintf("[%d/%d] %s", e.Cell.Index+1, e.Cells, e.Cell)
	switch e.Kind {
	case suite.EventStep, suite.EventEval:
		if !p.started {
			p.start, p.startDone, p.started = time.Now(), e.Done-1, true
		}
		if !p.draw || (e.Kind == suite.EventStep && time.Since(p.last) < redrawEvery && e.Step+1 < e.Steps) {
			return
		}
		p.last = time.Now()
		status := fmt.Sprintf("%s  epoch %d/%d  step %d/%d  loss %.4f  %.0f img/s", cell, e.Epoch+1, e.Epochs, e.Step+1, e.Steps, e.Loss, e.ImagesPerSec)
		if e.Kind == suite.EventEval {
			status = fmt.Sprintf("%s  epoch %d/%d  evaluating", cell, e.Epoch+1, e.Epochs)
		}
		if eta, ok := p.eta(e); ok {
			status += "  ETA " + eta
		}
		p.status(status)
	case suite.EventCellDone:
		r := e.Record
		if r.Status == suite.StatusOK {
			p.line("%s: top-1 %.2f%% after %s (%.1f s/epoch)", cell, r.Final.TestTop1, plural(len(r.Epochs), "epoch"), r.Final.SecondsPerEpoch)
		} else {
			p.line("%s: diverged in epoch %d: %s", cell, r.Diverged.Epoch, r.Diverged.Reason)
		}
	case suite.EventCached:
		r := e.Record
		if r.Status == suite.StatusOK {
			p.line("%s: already done (top-1 %.2f%%)", cell, r.Final.TestTop1)
		} else {
			p.line("%s: already done (diverged in epoch %d)", cell, r.Diverged.Epoch)
		}
	case suite.EventResumed:
		p.line("%s: resuming after epoch %d/%d", cell, e.Epoch, e.Epochs)
	case suite.EventNote:
		p.line("%s", e.Note)
	}
}

// eta estimates the time left from the steps trained by this process.
func (p *progressBar) eta(e suite.Event) (string, bool) {
	done := e.Done - p.startDone
	el := time.Since(p.start)
	if done < 1 || el < time.Second || e.Total <= e.Done {
		return "", false
	}
	left := time.Duration(float64(el) / float64(done) * float64(e.Total-e.Done))
	if left >= time.Hour {
		return strings.TrimSuffix(left.Round(time.Minute).String(), "0s"), true
	}
	return left.Round(time.Second).String(), true
}

// fraction draws "label done/total ETA left" for work counted in units,
// such as gradbench fidelity's network passes, whose time left its caller
// estimates (the units' costs differ: a rate of units per second would
// not do).
func (p *progressBar) fraction(label string, done, total int, left time.Duration) {
	if !p.draw || (time.Since(p.last) < redrawEvery && done < total) {
		return
	}
	p.last = time.Now()
	status := fmt.Sprintf("%s  %d/%d", label, done, total)
	if done < total {
		status += "  ETA " + left.Round(time.Second).String()
	}
	p.status(status)
}

// status redraws the status line in place.
func (p *progressBar) status(s string) {
	pad := ""
	if n := p.width - len([]rune(s)); n > 0 {
		pad = strings.Repeat(" ", n)
	}
	fmt.Fprintf(p.w, "\r%s%s", s, pad)
	p.width = len([]rune(s))
}

// clear erases the status line.
func (p *progressBar) clear() {
	if p.width > 0 {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.width))
		p.width = 0
	}
}

// line prints a permanent line above the status line.
func (p *progressBar) line(format string, args ...any) {
	if p.quiet {
		return
	}
	p.clear()
	fmt.Fprintf(p.w, format+"\n", args...)
}

// plural returns "1 epoch", "2 epochs".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
