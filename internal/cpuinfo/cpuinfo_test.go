package cpuinfo

import (
	"strings"
	"testing"
)

func TestModel(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"x86", "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel\t\t: 17\nmodel name\t: AMD EPYC 9R14\nmodel name\t: second\n", "AMD EPYC 9R14"},
		{"none", "processor\t: 0\nCPU implementer\t: 0x41\n", ""},
		{"empty", "", ""},
	} {
		if got := model(strings.NewReader(tc.in)); got != tc.want {
			t.Errorf("%s: model = %q, want %q", tc.name, got, tc.want)
		}
	}
}
