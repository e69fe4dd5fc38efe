package data

import "math/rand/v2"

// Every random choice in the package comes from a PCG stream keyed by the
// run seed and a purpose, plus the epoch and batch where they matter, so
// that one choice never shifts another: the order of epoch e depends only
// on (seed, e), the augmentation of batch b of epoch e only on (seed, e, b).
const (
	purposeOrder     = 1 // the permutation of an epoch: (seed, epoch)
	purposeAugment   = 2 // crop offsets and flips of a batch: (seed, epoch, batch)
	purposeSubset    = 3 // which images a subset keeps: (seed)
	purposePrototype = 4 // the class patterns of a synthetic dataset: (seed)
	purposeSample    = 5 // the images of one synthetic split: (seed, split)
	purposeHoldout   = 6 // which images a validation holdout keeps: (seed)
)

// stream returns the second PCG seed word for (purpose, a, b): the three
// words hashed with the SplitMix64 finalizer so that nearby keys give
// unrelated streams.
func stream(purpose, a, b uint64) uint64 {
	h := mix64(purpose ^ 0x6a09e667f3bcc909)
	h = mix64(h ^ a)
	return mix64(h ^ b)
}

func mix64(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// newRand returns a fresh generator for (seed, purpose, a, b). Hot loops
// reseed a kept *rand.PCG instead (see reseed), which allocates nothing.
func newRand(seed, purpose, a, b uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, stream(purpose, a, b)))
}

func reseed(p *rand.PCG, seed, purpose, a, b uint64) {
	p.Seed(seed, stream(purpose, a, b))
}
