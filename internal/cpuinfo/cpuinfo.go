// Package cpuinfo reads the CPU's model name, which run records (package
// suite) and benchmark reports (bench/cmd/benchreport) print beside their
// numbers.
package cpuinfo

import (
	"bufio"
	"io"
	"strings"
)

// Model returns the CPU's model name, or "" where the system names none.
//
// On Linux it is read from /proc/cpuinfo. On x86 the name is followed by
// the CPU's family and model numbers, "AMD EPYC (family 26, model 2)":
// a virtual machine may show only a generic name, the same for CPUs of
// different generations (a Zen 4 and a Zen 5 host both as "AMD EPYC"),
// and the numbers tell them apart. Linux on arm64 names no model, only
// the implementer and part numbers of each core, which are given:
// "arm64 (implementer 0x41, part 0xd0c)" (a Neoverse N1). They are the
// first processor's: on a machine with cores of two kinds that is the
// kind of core 0.
//
// On macOS it is the sysctl machdep.cpu.brand_string, "Apple M2 Pro".
// Elsewhere (Windows) it is "".
func Model() string { return osModel() }

// model reads the first processor's "model name", "cpu family" and
// "model" fields of a /proc/cpuinfo listing (the listing of each
// processor ends at a blank line), or, where it has no "model name"
// (Linux on arm64), its "CPU implementer" and "CPU part".
func model(r io.Reader) string {
	var name, family, num, impl, part string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" && (name != "" || impl != "" || part != "") {
			break
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		set := func(p *string) {
			if *p == "" {
				*p = v
			}
		}
		switch strings.TrimSpace(k) {
		case "model name":
			set(&name)
		case "cpu family":
			set(&family)
		case "model":
			set(&num)
		case "CPU implementer":
			set(&impl)
		case "CPU part":
			set(&part)
		}
	}
	switch {
	case name != "" && family != "" && num != "":
		return name + " (family " + family + ", model " + num + ")"
	case name != "":
		return name
	case impl != "" && part != "":
		return "arm64 (implementer " + impl + ", part " + part + ")"
	}
	return ""
}
