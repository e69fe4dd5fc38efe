package suite

import (
	"errors"
	"io/fs"
	"testing"
)

func TestWrapErr(t *testing.T) {
	for _, tc := range []struct{ prefix, inner, want string }{
		{"suite: export", "suite: record x.json: unexpected EOF", "suite: export: record x.json: unexpected EOF"},
		{"suite: fidelity: --seeds", `suite: bad seed "0": not an integer >= 1`, `suite: fidelity: --seeds: bad seed "0": not an integer >= 1`},
		{"suite: fidelity", "suite: fidelity: epoch 3 is outside the run's 0..2", "suite: fidelity: epoch 3 is outside the run's 0..2"},
		{"suite", "suite: unknown dataset", "suite: unknown dataset"},
		{"suite: eval", "data: batch size 9 is larger", "suite: eval: data: batch size 9 is larger"},
	} {
		if got := wrapErr(tc.prefix, errors.New(tc.inner)).Error(); got != tc.want {
			t.Errorf("wrapErr(%q, %q) = %q, want %q", tc.prefix, tc.inner, got, tc.want)
		}
	}
	err := wrapErr("suite: eval", &fs.PathError{Op: "open", Path: "m.gbnn", Err: fs.ErrNotExist})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("errors.Is(%v, fs.ErrNotExist) = false: the wrapped error is lost", err)
	}
	if pe := (*fs.PathError)(nil); !errors.As(err, &pe) || pe.Path != "m.gbnn" {
		t.Errorf("errors.As(%v, *fs.PathError) does not find it", err)
	}
}
