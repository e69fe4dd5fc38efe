package main

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/gradbench/gradbench/suite"
)

// progressBar shows a sweep's progress on stderr: a status line redrawn in
// place (only on a terminal, at most every redrawEvery) and one permanent
// line per run that finishes, resumes or was found cached (unless quiet).
// Where stderr is no terminal (a file or a pipe: a Slurm task's log,
// nohup's, CI's), which a status line would fill with every redraw, each
// finished epoch gets a permanent line instead, so that a long run is
// seen to move; not each step, so that the log stays short.
type progressBar struct {
	w           io.Writer
	draw, quiet bool
	start       time.Time
	startDone   int64 // steps already done when this process started training
	started     bool
	last        time.Time
	width       int // length of the status line on screen
	// columns returns the terminal's width, 0 if unknown (nil: unknown).
	// A status line as wide as the terminal or wider would wrap, and each
	// redraw, returning only to the start of its last row, would leave a
	// row behind.
	columns func() int
}

const redrawEvery = 100 * time.Millisecond

func newProgressBar(w io.Writer, draw, quiet bool) *progressBar {
	return &progressBar{w: w, draw: draw, quiet: quiet}
}

// newCmdProgressBar returns the progress bar of a command run in env, on
// its stderr, which it draws on when that is a terminal and quiet is not
// set, within the terminal's width.
func newCmdProgressBar(env *cmdEnv, quiet bool) *progressBar {
	p := newProgressBar(env.stderr, env.stderrTTY && !quiet, quiet)
	p.columns = env.stderrColumns
	return p
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
		// The progress in full, and without the loss and the images per
		// second for a terminal too narrow for it beside the run's name.
		where := fmt.Sprintf("  epoch %d/%d  step %d/%d", e.Epoch+1, e.Epochs, e.Step+1, e.Steps)
		rest := []string{where + fmt.Sprintf("  loss %.4f", e.Loss) + rate(e.ImagesPerSec), where}
		if e.Kind == suite.EventEval {
			rest = []string{fmt.Sprintf("  epoch %d/%d  evaluating", e.Epoch+1, e.Epochs)}
		}
		if eta, ok := p.eta(e); ok {
			for i := range rest {
				rest[i] += "  ETA " + eta
			}
		}
		p.status(cell, rest...)
	case suite.EventEpoch:
		if !p.draw {
			p.epochLine(cell, e)
		}
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

// rate shows images per second for a progress line, or nothing where
// none was measured: a step timed at 0 s (a clock that advances in
// milliseconds, as Windows' does, after a tiny first batch) gives +Inf.
func rate(ips float64) string {
	if !(ips > 0) || math.IsInf(ips, 1) {
		return ""
	}
	return fmt.Sprintf("  %.0f img/s", ips)
}

// epochLine prints the permanent line of a finished epoch: its training
// loss, its validation top-1 (a learning-rate grid's run) and test top-1,
// the throughput and the sweep's ETA.
func (p *progressBar) epochLine(cell string, e suite.Event) {
	s := fmt.Sprintf("%s: epoch %d/%d  train loss %.4f", cell, e.Epoch+1, e.Epochs, e.Loss)
	if r := e.Result; r != nil {
		if r.ValTop1 != nil {
			s += fmt.Sprintf("  val top-1 %.2f%%", *r.ValTop1)
		}
		s += fmt.Sprintf("  test top-1 %.2f%%", r.TestTop1)
	}
	s += rate(e.ImagesPerSec)
	if eta, ok := p.eta(e); ok {
		s += "  ETA " + eta
	}
	p.line("%s", s)
}

// eta estimates the time left from the steps trained by this process.
func (p *progressBar) eta(e suite.Event) (string, bool) {
	done := e.Done - p.startDone
	el := time.Since(p.start)
	if done < 1 || el < time.Second || e.Total <= e.Done {
		return "", false
	}
	left := time.Duration(float64(el) / float64(done) * float64(e.Total-e.Done))
	// An hour or more to the minute, judged after rounding to the second:
	// 59m59.7s is 1h0m, not 1h0m0s.
	if r := left.Round(time.Second); r < time.Hour {
		return r.String(), true
	}
	return strings.TrimSuffix(left.Round(time.Minute).String(), "0s"), true
}

// fraction draws "label done/total ETA left" for work counted in units,
// such as gradbench fidelity's network passes, whose time left its caller
// estimates (the units' costs differ: a rate of units per second would
// not do). A negative left, a time not known yet, draws no ETA.
func (p *progressBar) fraction(label string, done, total int, left time.Duration) {
	if !p.draw || (time.Since(p.last) < redrawEvery && done < total) {
		return
	}
	p.last = time.Now()
	count := fmt.Sprintf("  %d/%d", done, total)
	if done < total && left >= 0 {
		// Where the count and the ETA do not fit beside the label, the
		// count alone, which the line is for.
		p.status(label, count+"  ETA "+left.Round(time.Second).String(), count)
		return
	}
	p.status(label, count)
}

// unitLine prints the permanent line of a finished unit of work counted
// as fraction counts it (gradbench fidelity's states, their flips and
// each tenth of those), where stderr is no terminal: there no status
// line is drawn, and without these lines a log would hold nothing
// between the expected time and the end, minutes apart. On a terminal the status line shows the
// progress, and nothing is printed. The ETA is left's, where known, in
// whole seconds ("under a second" rather than a 0s that reads as done).
func (p *progressBar) unitLine(label, unit string, done, total int, left time.Duration) {
	if p.draw {
		return
	}
	s := fmt.Sprintf("%s: %s (%d/%d passes)", label, unit, done, total)
	if done < total && left >= 0 {
		s += "  ETA " + suite.RoundSeconds(left)
	}
	p.line("%s", s)
}

// status redraws the status line head+tail in place, tail the first of
// tails, each shorter than the one before it. Where the terminal's width
// is known and the line would fill it, head (a run's name, which a
// formula or a learning-rate grid can make long) is shortened with an
// ellipsis to keep the tail (the progress and the ETA) in view, the
// first tail that leaves a rune of head; if even the last one does not,
// head and the last tail are cut at the width.
func (p *progressBar) status(head string, tails ...string) {
	s := head + tails[0]
	if p.columns != nil {
		max := p.columns() - 1
		for i, tail := range tails {
			if s = fitLine(head, tail, max); i == len(tails)-1 || strings.HasSuffix(s, tail) {
				break
			}
		}
	}
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

// fitLine returns head+tail in at most max runes (no limit for max < 1):
// head shortened with "…" where that keeps at least one of its runes,
// else the whole line cut at max.
func fitLine(head, tail string, max int) string {
	h, t := []rune(head), []rune(tail)
	switch {
	case max < 1 || len(h)+len(t) <= max:
		return head + tail
	case max-len(t)-1 >= 1:
		return string(h[:max-len(t)-1]) + "…" + tail
	}
	return string([]rune(head + tail)[:max])
}

// plural returns "1 epoch", "2 epochs".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
