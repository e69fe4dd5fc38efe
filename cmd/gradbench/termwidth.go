package main

import (
	"os"

	"golang.org/x/term"
)

// terminalColumns returns the width of the terminal f is, in columns, or
// 0 where it cannot tell (not a terminal, or a system x/term cannot ask).
func terminalColumns(f *os.File) int {
	w, _, err := term.GetSize(int(f.Fd()))
	if err != nil || w < 0 {
		return 0
	}
	return w
}
