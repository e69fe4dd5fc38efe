package nn

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
)

// Stream returns a random number generator for one purpose of a run: a PCG
// whose 128-bit state is derived (by SHA-256) from the run seed, the purpose
// ("init/weights", "init/na", "data/order") and optional indices such as
// the epoch and batch. Streams of different purposes are independent, so
// drawing more numbers for one purpose never shifts another: adding noise
// adaptation does not change the initial weights, and the data order of
// epoch e depends only on (seed, e).
func Stream(seed uint64, purpose string, idx ...uint64) *rand.Rand {
	h := sha256.New()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], seed)
	h.Write(b[:])
	h.Write([]byte(purpose))
	for _, i := range idx {
		binary.LittleEndian.PutUint64(b[:], i)
		h.Write(b[:])
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return rand.New(rand.NewPCG(binary.LittleEndian.Uint64(sum[0:8]), binary.LittleEndian.Uint64(sum[8:16])))
}

// Init holds the random streams that layer constructors draw their initial
// values from. Model builders make one per run and pass it to every
// constructor, in a fixed order.
type Init struct {
	// Weights initialises the weights of every layer (convolutions, linear
	// layers), the same for every estimator and with or without noise
	// adaptation.
	Weights *rand.Rand
	// NA initialises the noise-adaptation modules' W1 and W2.
	NA *rand.Rand
}

// NewInit returns the initialisation streams of a run seed:
// Stream(seed, "init/weights") and Stream(seed, "init/na").
func NewInit(seed uint64) *Init {
	return &Init{Weights: Stream(seed, "init/weights"), NA: Stream(seed, "init/na")}
}

// weights returns init.Weights for the constructor fn, and panics with a
// message naming fn when init or init.Weights is nil.
func (init *Init) weights(fn string) *rand.Rand {
	if init == nil {
		panic(fmt.Sprintf("nn: %s: init is nil, want one such as NewInit's", fn))
	}
	if init.Weights == nil {
		panic(fmt.Sprintf("nn: %s: init.Weights is nil, want a stream such as NewInit's", fn))
	}
	return init.Weights
}

// na returns init.NA for the constructor fn, and panics with a message
// naming fn when init or init.NA is nil.
func (init *Init) na(fn string) *rand.Rand {
	if init == nil {
		panic(fmt.Sprintf("nn: %s: init is nil, want one such as NewInit's", fn))
	}
	if init.NA == nil {
		panic(fmt.Sprintf("nn: %s: init.NA is nil, want a stream such as NewInit's", fn))
	}
	return init.NA
}

// kaimingNormal fills w from N(0, 2/fanIn): "Delving Deep into
// Rectifiers", ICCV 2015 (arXiv 1502.01852), eq. 10, for layers followed by
// ReLU.
func kaimingNormal(w []float32, fanIn int, r *rand.Rand) {
	std := math.Sqrt(2 / float64(fanIn))
	for i := range w {
		w[i] = float32(r.NormFloat64() * std)
	}
}

// uniformFanIn fills w from U(-1/√fanIn, 1/√fanIn): PyTorch's default for
// nn.Linear and nn.Conv2d (kaiming_uniform_ with a = √5, which gives the
// bound gain·√(3/fanIn) = √(1/3)·√(3/fanIn) = 1/√fanIn).
func uniformFanIn(w []float32, fanIn int, r *rand.Rand) {
	bound := 1 / math.Sqrt(float64(fanIn))
	for i := range w {
		w[i] = float32((2*r.Float64() - 1) * bound)
	}
}
