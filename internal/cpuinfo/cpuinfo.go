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
// the file does not exist or names none. On x86 the name is followed by
// the CPU's family and model numbers, "AMD EPYC (family 26, model 2)":
// a virtual machine may show only a generic name, the same for CPUs of
// different generations (a Zen 4 and a Zen 5 host both as "AMD EPYC"),
// and the numbers tell them apart.
func Model() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	return model(f)
}

// model reads the first processor's "model name", "cpu family" and
// "model" fields of a /proc/cpuinfo listing (the listing of each
// processor ends at a blank line).
func model(r io.Reader) string {
	var name, family, num string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" && name != "" {
			break
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.TrimSpace(k) {
		case "model name":
			if name == "" {
				name = v
			}
		case "cpu family":
			if family == "" {
				family = v
			}
		case "model":
			if num == "" {
				num = v
			}
		}
	}
	if name == "" || family == "" || num == "" {
		return name
	}
	return name + " (family " + family + ", model " + num + ")"
}
