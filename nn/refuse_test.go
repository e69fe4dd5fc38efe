package nn

import (
	"fmt"
	"strings"
	"testing"
)

// panicMessage runs f and returns the message it panics with, or "" when
// it returns.
func panicMessage(f func()) (msg string) {
	defer func() {
		if e := recover(); e != nil {
			msg = fmt.Sprint(e)
		}
	}()
	f()
	return ""
}

// refusal is a call that must panic with a message containing want.
type refusal struct {
	name string
	f    func()
	want string
}

func checkRefusals(t *testing.T, cases []refusal) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			msg := panicMessage(tc.f)
			if msg == "" {
				t.Fatalf("no panic, want one containing %q", tc.want)
			}
			if !strings.Contains(msg, tc.want) {
				t.Errorf("panic %q, want one containing %q", msg, tc.want)
			}
		})
	}
}

// TestConstructorsRefuseSizes checks that constructors taking sizes
// refuse those without meaning with a panic naming the function and the
// value, not a runtime error or a tensor of a negative shape.
func TestConstructorsRefuseSizes(t *testing.T) {
	checkRefusals(t, []refusal{
		{"NewTensor(-1,-1,1,1)", func() { NewTensor(-1, -1, 1, 1) }, "nn: NewTensor(-1, -1, 1, 1): sizes must be >= 0"},
		{"NewTensor(-1,1,1,1)", func() { NewTensor(-1, 1, 1, 1) }, "nn: NewTensor(-1, 1, 1, 1): sizes must be >= 0"},
		{"NewTensor(1,1,1,-2)", func() { NewTensor(1, 1, 1, -2) }, "nn: NewTensor(1, 1, 1, -2): sizes must be >= 0"},
		{"NewTensor overflow", func() { NewTensor(1<<20, 1<<20, 1<<20, 1<<20) }, "N·C·H·W overflows int"},
		{"NewPReLU(-3)", func() { NewPReLU(-3) }, "nn: NewPReLU(-3): channels must be >= 1"},
		{"NewPReLU(0)", func() { NewPReLU(0) }, "nn: NewPReLU(0): channels must be >= 1"},
	})
	// Sizes of 0 are an empty tensor.
	if x := NewTensor(0, 3, 2, 2); x.Len() != 0 || len(x.Data) != 0 || x.Shape() != [4]int{0, 3, 2, 2} {
		t.Errorf("NewTensor(0, 3, 2, 2) = %v with %d values, want an empty 0x3x2x2 tensor", x, len(x.Data))
	}
}
