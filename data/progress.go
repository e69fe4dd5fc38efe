package data

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// progress reports the advance of one long task (a download, decoding a
// folder of images) to Options.Progress: a status line redrawn in place at
// most every redrawEvery when Options.ProgressBar is set, and a final line
// (done) either way. A nil Options.Progress makes it silent. add may be
// called from several goroutines.
type progress struct {
	w       io.Writer
	bar     bool
	columns func() int // Options.Columns
	label   string
	total   int64
	bytes   bool // count bytes (MB, MB/s) rather than items

	mu    sync.Mutex
	n     int64
	start time.Time
	last  time.Time
	width int // length of the status line on screen
}

const redrawEvery = 100 * time.Millisecond

func newProgress(opt Options, label string, total int64, bytes bool) *progress {
	now := time.Now()
	return &progress{w: opt.Progress, bar: opt.ProgressBar, columns: opt.Columns, label: label, total: total, bytes: bytes, start: now, last: now}
}

// add records n more units done.
func (p *progress) add(n int64) {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n += n
	if p.bar && (time.Since(p.last) >= redrawEvery || p.n == p.total) {
		p.last = time.Now()
		p.draw(p.status())
	}
}

// status returns e.g. "downloading x.gz [=====>    ] 52% 13.7/26.4 MB 4.1 MB/s",
// in fewer than the terminal's columns where Options.Columns gives them:
// without the bar, then with the label shortened by "…", then cut.
func (p *progress) status() string {
	var bar, pct strings.Builder
	if p.total > 0 {
		const width = 24
		frac := min(1, float64(p.n)/float64(p.total))
		fill := int(frac * width)
		bar.WriteString(" [")
		bar.WriteString(strings.Repeat("=", fill))
		if fill < width {
			bar.WriteString(">")
			bar.WriteString(strings.Repeat(" ", width-fill-1))
		}
		bar.WriteString("]")
		fmt.Fprintf(&pct, " %3.0f%%", 100*frac)
	}
	rate := float64(p.n) / max(time.Since(p.start).Seconds(), 1e-3)
	if p.bytes {
		fmt.Fprintf(&pct, " %s/%s %s/s", byteSize(p.n), byteSize(p.total), byteSize(int64(rate)))
	} else {
		fmt.Fprintf(&pct, " %d/%d %.0f/s", p.n, p.total, rate)
	}
	label, tail := []rune(p.label), []rune(pct.String())
	limit := 0
	if p.columns != nil {
		limit = p.columns() - 1
	}
	switch {
	case limit < 1 || len(label)+len([]rune(bar.String()))+len(tail) <= limit:
		return p.label + bar.String() + pct.String()
	case len(label)+len(tail) <= limit:
		return p.label + pct.String()
	case limit-len(tail)-1 >= 1:
		return string(label[:limit-len(tail)-1]) + "…" + string(tail)
	}
	return string([]rune(p.label + pct.String())[:limit])
}

func (p *progress) draw(s string) {
	n := len([]rune(s))
	pad := max(0, p.width-n)
	fmt.Fprintf(p.w, "\r%s%s", s, strings.Repeat(" ", pad))
	p.width = n
}

// stop clears the status line, if one is drawn.
func (p *progress) stop() {
	if p.w == nil || !p.bar {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.width > 0 {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.width))
		p.width = 0
	}
}

// done clears the status line and writes msg as a permanent line.
func (p *progress) done(msg string) {
	if p.w == nil {
		return
	}
	p.stop()
	fmt.Fprintf(p.w, "data: %s\n", msg)
}

// reader returns r counting what is read from it.
func (p *progress) reader(r io.Reader) io.Reader { return &progressReader{r, p} }

type progressReader struct {
	r io.Reader
	p *progress
}

func (r *progressReader) Read(b []byte) (int, error) {
	n, err := r.r.Read(b)
	r.p.add(int64(n))
	return n, err
}

// byteSize formats a byte count, e.g. "26.4 MB", "5.1 kB".
func byteSize(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.2f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d B", n)
}
