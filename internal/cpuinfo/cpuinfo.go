// Package cpuinfo reads the CPU's model name, which run records (package
// suite) and benchmark reports (bench/cmd/benchreport) print beside their
// numbers.
package cpuinfo

import (
	"bufio"
	"io"
	"os"
	"strings"
)

// Model returns the CPU model name from /proc/cpuinfo (Linux), or "" where
// the file does not exist or names none.
func Model() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	return model(f)
}

// model returns the first "model name" field of a /proc/cpuinfo listing.
func model(r io.Reader) string {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
