//go:build !purego

package nn

import "testing"

// TestVecLoopsPortable runs the elementwise-loop checks with the assembly
// switched off: the Go loops that CPUs without AVX2 and FMA run.
func TestVecLoopsPortable(t *testing.T) {
	saved := hasAVX2
	hasAVX2 = false
	defer func() { hasAVX2 = saved }()
	t.Run("VecLoops", TestVecLoops)
	t.Run("AddSinCos", TestAddSinCos)
	t.Run("BatchNorm", TestBatchNormRunningStats)
}
