package nn

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkLUTBuild times the table build of the input gradient alone
// (lutBuildKernel, a block of lutBlock chunks of one column block on
// resnet20's 64-channel grid) under each assembly implementation, to
// tell whether a variant of it pays.
func BenchmarkLUTBuild(b *testing.B) {
	tc := lutCase{64, 64, 3, 8, 8, 8, 8}
	r := rand.New(rand.NewPCG(3, 4))
	wq, s, dyp, offDy, _ := lutSetup(r, tc)
	var lw lutWeights
	lw.prepare(tc.in, tc.out, tc.k, wq, s, offDy)
	tab := make([]float32, lutBlock*lutChunk/4)
	for _, im := range lutBenchImpls() {
		b.Run("impl="+im, func(b *testing.B) {
			defer SetImpl(Impl())
			if err := SetImpl(im); err != nil {
				b.Fatal(err)
			}
			build := lutBuildKernel.Get()
			for b.Loop() {
				for q := 0; q+lutCols <= 4*lutCols; q += lutCols {
					for _, bl := range lw.blocks {
						build(tab, dyp[q:], lw.off4[4*bl[0]:4*bl[1]], lw.sc4[4*bl[0]:4*bl[1]], lutCols)
					}
				}
			}
		})
	}
}
