package bitconv

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestPackMatchesSign checks Pack's codes against x < 0 and its report of
// NaN under every implementation.
func TestPackMatchesSign(t *testing.T) {
	special := []float32{0, float32(math.Copysign(0, -1)), 1, -1, float32(math.Inf(1)), float32(math.Inf(-1)),
		float32(math.NaN()), -float32(math.NaN()), math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32, math.MaxFloat32, -math.MaxFloat32}
	forEachImpl(t, func(t *testing.T, impl string) {
		r := rand.New(rand.NewPCG(11, 1))
		for _, c := range []int{1, 3, 8, 63, 64, 65, 128, 130} {
			// Pack works in blocks of 64 pixels of an image, 16 at a time
			// in the SIMD kernel: whole blocks, blocks with a tail of
			// 1 to 16 pixels, and short images.
			for _, hw := range [][2]int{{1, 1}, {1, 7}, {3, 3}, {2, 4}, {5, 7}, {8, 8}, {1, 9}, {16, 16}, {9, 15}, {5, 16}, {7, 7}} {
				n := 1 + r.IntN(3)
				x := make([]float32, n*c*hw[0]*hw[1])
				for i := range x {
					if r.IntN(4) == 0 {
						x[i] = special[r.IntN(len(special))]
					} else {
						x[i] = float32(r.NormFloat64())
					}
				}
				b := NewBits(n, hw[0], hw[1], c)
				for i := range b.Data {
					b.Data[i] = ^uint64(0) // Pack must overwrite every word
				}
				hasNaN := slices.ContainsFunc(x, func(v float32) bool { return v != v })
				if nan := Pack(b, x); nan != hasNaN {
					t.Fatalf("Pack(c=%d, %dx%d) reports NaN %v, want %v", c, hw[0], hw[1], nan, hasNaN)
				}
				checkPadding(t, b)
				got := make([]float32, len(x))
				b.Unpack(got)
				for i, v := range x {
					want := float32(1)
					if v < 0 {
						want = -1
					}
					if got[i] != want {
						t.Fatalf("Pack(c=%d, %dx%d): value %d = %v packs as %v, want %v", c, hw[0], hw[1], i, v, got[i], want)
					}
				}
				// One NaN anywhere is found: the first and last values and
				// random ones, in every channel word and pixel tail.
				for i, v := range x {
					if v != v {
						x[i] = 0
					}
				}
				if Pack(b, x) {
					t.Fatalf("Pack(c=%d, %dx%d) reports a NaN in values without one", c, hw[0], hw[1])
				}
				for _, i := range []int{0, len(x) - 1, r.IntN(len(x)), r.IntN(len(x))} {
					x[i] = float32(math.NaN())
					if !Pack(b, x) {
						t.Fatalf("Pack(c=%d, %dx%d) misses a NaN at %d of %d", c, hw[0], hw[1], i, len(x))
					}
					x[i] = 0
				}
			}
		}
	})
}

// TestPackFindsEveryNaNOfABlock puts one NaN at a time in a whole block
// of 64 pixels, at the first and last pixel of each of its 4 vectors of
// 16 and in the first and last channel of each half word: the simd
// packing tests two vectors per compare, so each of them must be seen.
// Every other value is negative, so the NaN's own code (+1) shows too.
func TestPackFindsEveryNaNOfABlock(t *testing.T) {
	forEachImpl(t, func(t *testing.T, impl string) {
		const c, hw = 64, 64
		x := make([]float32, 2*c*hw)
		for i := range x {
			x[i] = -1
		}
		b := NewBits(2, 8, 8, c)
		for _, n := range []int{0, 1} {
			for _, ch := range []int{0, 31, 32, 63} {
				for _, q := range []int{0, 15, 16, 31, 32, 47, 48, 63} {
					i := (n*c+ch)*hw + q
					x[i] = float32(math.NaN())
					if !Pack(b, x) {
						t.Fatalf("Pack misses a NaN at image %d, channel %d, pixel %d", n, ch, q)
					}
					if w := b.Data[n*hw+q]; w != ^uint64(0)&^(1<<ch) {
						t.Fatalf("image %d, pixel %d with a NaN in channel %d packs as %#x", n, q, ch, w)
					}
					x[i] = -1
				}
			}
		}
		if Pack(b, x) {
			t.Fatal("Pack reports a NaN in values without one")
		}
	})
}

// TestPackFindsEveryNaNOfEachWord is TestPackFindsEveryNaNOfABlock for
// several channel words, the last with one channel in its upper half, and
// an image of two whole blocks and a short one: the avx512 packing runs a
// whole block's channels on other code than a short block's, so a NaN in
// each vector of each block, the short one's last pixel and each half
// word's first and last channel must be found and pack as code 0.
func TestPackFindsEveryNaNOfEachWord(t *testing.T) {
	forEachImpl(t, func(t *testing.T, impl string) {
		const c, h, w = 97, 9, 15 // words of 64 and 33 channels; 135 = 64+64+7 pixels
		const hw = h * w
		x := make([]float32, c*hw)
		for i := range x {
			x[i] = -1
		}
		b := NewBits(1, h, w, c)
		for _, ch := range []int{0, 31, 32, 63, 64, 95, 96} {
			for _, q := range []int{0, 15, 16, 31, 32, 47, 48, 63, 64, 79, 80, 95, 96, 111, 112, 127, 128, 134} {
				x[ch*hw+q] = float32(math.NaN())
				if !Pack(b, x) {
					t.Fatalf("Pack misses a NaN at channel %d, pixel %d", ch, q)
				}
				for wd, all := range []uint64{^uint64(0), 1<<33 - 1} {
					want := all
					if ch/64 == wd {
						want &^= 1 << (ch % 64)
					}
					if got := b.Data[q*b.Words+wd]; got != want {
						t.Fatalf("pixel %d with a NaN in channel %d packs word %d as %#x, want %#x", q, ch, wd, got, want)
					}
				}
				x[ch*hw+q] = -1
			}
		}
		if Pack(b, x) {
			t.Fatal("Pack reports a NaN in values without one")
		}
	})
}

func TestPackWeights(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 1))
	s := Shape{In: 70, Out: 3, Kernel: 3, Pad: 1}
	w := make([]float32, 3*70*9)
	for i := range w {
		w[i] = float32(r.NormFloat64())
	}
	w[5] = 0
	w[6] = float32(math.Copysign(0, -1))
	p := PackWeights(s, w)
	for o := range 3 {
		var sum float64
		for c := range 70 {
			for ky := range 3 {
				for kx := range 3 {
					v := w[((o*70+c)*3+ky)*3+kx]
					sum += math.Abs(float64(v))
					if got, want := p.Sign(o, c, ky, kx), float32(q(v)); got != want {
						t.Fatalf("weight (%d,%d,%d,%d) = %v packs as %v, want %v", o, c, ky, kx, v, got, want)
					}
				}
			}
		}
		if want := float32(sum / 630); p.Scale[o] != want {
			t.Errorf("Scale[%d] = %v, want mean|W| = %v", o, p.Scale[o], want)
		}
	}
	for i := p.Words - 1; i < len(p.Bits); i += p.Words {
		if p.Bits[i]>>6 != 0 {
			t.Fatalf("padding bits of weight word %d set: %#x", i, p.Bits[i])
		}
	}
}

func TestTranspose8(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 1))
	for range 1000 {
		x := r.Uint64()
		got := transpose8(x)
		for i := range 8 {
			for j := range 8 {
				if got>>(8*j+i)&1 != x>>(8*i+j)&1 {
					t.Fatalf("transpose8(%#x) = %#x: bit (%d,%d) wrong", x, got, j, i)
				}
			}
		}
	}
}

// TestReshape checks that Reshape sets the shape and the length of Data,
// keeping a larger buffer when shrinking (without allocating) and growing
// it when needed.
func TestReshape(t *testing.T) {
	b := NewBits(2, 3, 3, 70) // 36 words
	buf := &b.Data[0]
	for _, tc := range []struct {
		n, h, w, c, words, size int
		same                    bool
	}{
		{1, 2, 2, 3, 1, 4, true},
		{2, 3, 3, 130, 3, 54, false},
		{1, 1, 1, 64, 1, 1, true},
		{0, 3, 3, 8, 1, 0, true},
	} {
		b.Reshape(tc.n, tc.h, tc.w, tc.c)
		if b.N != tc.n || b.H != tc.h || b.W != tc.w || b.C != tc.c || b.Words != tc.words || len(b.Data) != tc.size {
			t.Fatalf("Reshape(%d, %d, %d, %d): %v with %d words per pixel and %d words, want %d and %d",
				tc.n, tc.h, tc.w, tc.c, b, b.Words, len(b.Data), tc.words, tc.size)
		}
		if tc.size > 0 && (&b.Data[:1][0] == buf) != tc.same {
			t.Fatalf("Reshape(%d, %d, %d, %d): buffer reused %v, want %v", tc.n, tc.h, tc.w, tc.c, !tc.same, tc.same)
		}
		if tc.size > 0 {
			buf = &b.Data[0]
		}
	}
}
