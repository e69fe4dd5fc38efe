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
	} {
		if got := model(strings.NewReader(tc.in)); got != tc.want {
			t.Errorf("%s: model = %q, want %q", tc.name, got, tc.want)
		}
	}
}
