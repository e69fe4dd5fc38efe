//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package main

import "os"

// terminalColumns returns 0: the width of a terminal is not known here,
// and status lines are drawn whole.
func terminalColumns(*os.File) int { return 0 }
