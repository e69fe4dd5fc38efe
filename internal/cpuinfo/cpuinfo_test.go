package cpuinfo

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestModel(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"x86", "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 17\nmodel name\t: AMD EPYC 9R14\n\nprocessor\t: 1\ncpu family\t: 99\nmodel\t\t: 98\nmodel name\t: second\n",
			"AMD EPYC 9R14 (family 25, model 17)"},
		{"generic name", "processor\t: 0\ncpu family\t: 26\nmodel\t\t: 2\nmodel name\t: AMD EPYC\n", "AMD EPYC (family 26, model 2)"},
		{"no family", "processor\t: 0\nmodel name\t: Some CPU\n\nprocessor\t: 1\ncpu family\t: 6\nmodel\t\t: 1\nmodel name\t: Some CPU\n", "Some CPU"},
		{"none", "processor\t: 0\nCPU implementer\t: 0x41\n", ""},
		{"empty", "", ""},
		// Listings of /proc/cpuinfo as Linux writes them (testdata/), cut to
		// two processors: on arm64 it gives no "model name", only the numbers
		// of the core (a Neoverse N1, AWS Graviton2, and a Neoverse V1, AWS
		// Graviton3; a Rockchip RK3399 has Cortex-A53 cores, 0xd03, then
		// Cortex-A72, 0xd08, and the first processor's are given); a 32-bit
		// ARM kernel (Raspberry Pi 3) names a model, which is kept.
		{"arm64 Neoverse N1", listing(t, "arm64-neoverse-n1.txt"), "arm64 (implementer 0x41, part 0xd0c)"},
		{"arm64 Neoverse V1", listing(t, "arm64-neoverse-v1.txt"), "arm64 (implementer 0x41, part 0xd40)"},
		{"arm64 two kinds of core", listing(t, "arm64-rk3399.txt"), "arm64 (implementer 0x41, part 0xd03)"},
		{"arm64 no part", "processor\t: 0\nCPU implementer\t: 0x41\nCPU architecture: 8\n\nprocessor\t: 1\nCPU part\t: 0xd0c\n", ""},
		{"arm 32-bit names a model", listing(t, "arm-raspberry-pi-3.txt"), "ARMv7 Processor rev 4 (v7l)"},
	} {
		if got := model(strings.NewReader(tc.in)); got != tc.want {
			t.Errorf("%s: model = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// listing returns the /proc/cpuinfo listing testdata/name.
func listing(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
