// Package mdtable renders the markdown tables of gradbench's reports (the
// suite's ablation tables, benchreport's benchmark summaries) with
// github.com/olekukonko/tablewriter, set up once so that every table reads
// the same: text columns left-aligned, numbers right-aligned, header text
// exactly as given and '|' in a cell escaped.
package mdtable

import (
	"io"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// Write writes a markdown table of header and rows to w. The first text
// columns (labels, specs) are left-aligned and the others (numbers)
// right-aligned. Header and cells are written as given, with tablewriter's
// header auto-format (upper case, '_' to space) and wrapping turned off,
// except that '|' is escaped as `\|` so that a cell cannot split its row.
// The error, if any, is tablewriter's.
func Write(w io.Writer, text int, header []string, rows [][]string) error {
	align := make([]tw.Align, len(header))
	for i := range align {
		align[i] = tw.AlignRight
		if i < text {
			align[i] = tw.AlignLeft
		}
	}
	t := tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewMarkdown()),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAlignmentConfig(tw.CellAlignment{PerColumn: align}),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: align}),
	)
	t.Header(escape(header))
	for _, row := range rows {
		if err := t.Append(escape(row)); err != nil {
			return err
		}
	}
	return t.Render()
}

// escape returns cells with every '|' escaped as `\|`.
func escape(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = strings.ReplaceAll(c, "|", `\|`)
	}
	return out
}
