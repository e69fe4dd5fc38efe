//go:build !darwin

package cpuinfo

import "os"

// osModel reads /proc/cpuinfo; where there is none (Windows), it is "".
func osModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	return model(f)
}
