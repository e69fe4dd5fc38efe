//go:build darwin

package cpuinfo

import (
	"strings"

	"golang.org/x/sys/unix"
)

// osModel reads the sysctl machdep.cpu.brand_string: "Apple M2 Pro" on
// Apple silicon, the CPUID brand string on an Intel Mac.
func osModel() string {
	s, err := unix.Sysctl("machdep.cpu.brand_string")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(s)
}
