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

// TestCorrectRefuses checks that Correct and CorrectTopK refuse labels
// that are not one per row in range, and k outside 1..classes.
func TestCorrectRefuses(t *testing.T) {
	logits := &Tensor{N: 2, C: 3, H: 1, W: 1, Data: []float32{1, 2, 3, 3, 2, 1}}
	checkRefusals(t, []refusal{
		{"Correct short labels", func() { Correct(logits, []int{2}) }, "nn: Correct: 1 labels for logits 2x3x1x1, want one per row (2)"},
		{"Correct long labels", func() { Correct(logits, []int{2, 0, 1}) }, "nn: Correct: 3 labels for logits 2x3x1x1, want one per row (2)"},
		{"Correct label -1", func() { Correct(logits, []int{2, -1}) }, "nn: Correct: label -1 of row 1 is out of range, want 0..2"},
		{"Correct label 7", func() { Correct(logits, []int{7, 0}) }, "nn: Correct: label 7 of row 0 is out of range, want 0..2"},
		{"CorrectTopK short labels", func() { CorrectTopK(logits, []int{2}, 2) }, "nn: CorrectTopK: 1 labels for logits 2x3x1x1, want one per row (2)"},
		{"CorrectTopK label 3", func() { CorrectTopK(logits, []int{3, 0}, 2) }, "nn: CorrectTopK: label 3 of row 0 is out of range, want 0..2"},
		{"CorrectTopK k=0", func() { CorrectTopK(logits, []int{2, 0}, 0) }, "nn: CorrectTopK: k = 0, want 1..3"},
		{"CorrectTopK k=-1", func() { CorrectTopK(logits, []int{2, 0}, -1) }, "nn: CorrectTopK: k = -1, want 1..3"},
		{"CorrectTopK k=4", func() { CorrectTopK(logits, []int{2, 0}, 4) }, "nn: CorrectTopK: k = 4, want 1..3"},
		{"CorrectTopK short Data", func() { CorrectTopK(&Tensor{N: 2, C: 3, H: 1, W: 1, Data: make([]float32, 5)}, []int{0, 0}, 1) }, "nn: CorrectTopK: logits 2x3x1x1 with 5 values"},
	})
	// Valid calls count as before.
	if got := Correct(logits, []int{2, 0}); got != 2 {
		t.Errorf("Correct = %d, want 2", got)
	}
	if got := CorrectTopK(logits, []int{1, 2}, 3); got != 2 {
		t.Errorf("CorrectTopK(k = classes) = %d, want 2", got)
	}
	if got := CorrectTopK(logits, []int{0, 2}, 2); got != 0 {
		t.Errorf("CorrectTopK(k = 2) = %d, want 0", got)
	}
}
