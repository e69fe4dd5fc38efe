package main

import (
	"io"
	"strings"
	"testing"
)

func TestRefusesBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-batches", "0", "x.json"}, "-batches 0"},
		{[]string{"-batches", "-3", "x.json"}, "-batches -3"},
		{nil, "no runs given"},
		{[]string{"nothing.ckpt"}, "epoch checkpoint of an unfinished run"},
		{[]string{t.TempDir() + "/0123456789abcdef.json"}, "no record"},
	} {
		err := run(tc.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run(%q) = %v, want an error containing %q", tc.args, err, tc.want)
		}
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		xs   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
	} {
		if got := median(tc.xs); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.xs, got, tc.want)
		}
	}
}
