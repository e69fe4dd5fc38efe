package cpuinfo

import (
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
		{"arm64 Neoverse N1", graviton2, "arm64 (implementer 0x41, part 0xd0c)"},
		{"arm64 Neoverse V1", graviton3, "arm64 (implementer 0x41, part 0xd40)"},
		{"arm64 two kinds of core", rk3399, "arm64 (implementer 0x41, part 0xd03)"},
		{"arm64 no part", "processor\t: 0\nCPU implementer\t: 0x41\nCPU architecture: 8\n\nprocessor\t: 1\nCPU part\t: 0xd0c\n", ""},
		{"arm 32-bit names a model", armv7, "ARMv7 Processor rev 4 (v7l)"},
	} {
		if got := model(strings.NewReader(tc.in)); got != tc.want {
			t.Errorf("%s: model = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// Listings of /proc/cpuinfo as Linux writes them on arm64, cut to two
// processors (the listing repeats per core, the rest identical): Linux
// on arm64 gives no "model name", only the numbers of the core.
const (
	// A Neoverse N1 (AWS Graviton2, Ampere Altra).
	graviton2 = `processor	: 0
BogoMIPS	: 243.75
Features	: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp ssbs
CPU implementer	: 0x41
CPU architecture: 8
CPU variant	: 0x3
CPU part	: 0xd0c
CPU revision	: 1

processor	: 1
BogoMIPS	: 243.75
Features	: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp ssbs
CPU implementer	: 0x41
CPU architecture: 8
CPU variant	: 0x3
CPU part	: 0xd0c
CPU revision	: 1

`
	// A Neoverse V1 (AWS Graviton3): another part number.
	graviton3 = `processor	: 0
BogoMIPS	: 2100.00
Features	: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm jscvt fcma lrcpc dcpop sha3 sm3 sm4 asimddp sha512 sve asimdfhm dit uscat ilrcpc flagm ssbs paca pacg dcpodp svei8mm svebf16 i8mm bf16 dgh rng
CPU implementer	: 0x41
CPU architecture: 8
CPU variant	: 0x1
CPU part	: 0xd40
CPU revision	: 1

processor	: 1
BogoMIPS	: 2100.00
Features	: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm jscvt fcma lrcpc dcpop sha3 sm3 sm4 asimddp sha512 sve asimdfhm dit uscat ilrcpc flagm ssbs paca pacg dcpodp svei8mm svebf16 i8mm bf16 dgh rng
CPU implementer	: 0x41
CPU architecture: 8
CPU variant	: 0x1
CPU part	: 0xd40
CPU revision	: 1
`
	// A Rockchip RK3399, Cortex-A53 cores (0xd03) then Cortex-A72
	// (0xd08): the first processor's are given.
	rk3399 = `processor	: 0
BogoMIPS	: 48.00
Features	: fp asimd evtstrm aes pmull sha1 sha2 crc32 cpuid
CPU implementer	: 0x41
CPU architecture: 8
CPU variant	: 0x0
CPU part	: 0xd03
CPU revision	: 4

processor	: 4
BogoMIPS	: 48.00
Features	: fp asimd evtstrm aes pmull sha1 sha2 crc32 cpuid
CPU implementer	: 0x41
CPU architecture: 8
CPU variant	: 0x0
CPU part	: 0xd08
CPU revision	: 2

`
	// A 32-bit ARM kernel (Raspberry Pi 3) names a model and gives the
	// same numbers besides: the name is kept, as before.
	armv7 = `processor	: 0
model name	: ARMv7 Processor rev 4 (v7l)
BogoMIPS	: 38.40
Features	: half thumb fastmult vfp edsp neon vfpv3 tls vfpv4 idiva idivt vfpd32 lpae evtstrm crc32
CPU implementer	: 0x41
CPU architecture: 7
CPU variant	: 0x0
CPU part	: 0xd03
CPU revision	: 4

Hardware	: BCM2835
Revision	: a02082
Serial		: 00000000d4d0a8b1
Model		: Raspberry Pi 3 Model B Rev 1.2
`
)
