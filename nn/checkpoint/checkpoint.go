// Package checkpoint saves and restores the complete training state of a
// network: every parameter, every layer's non-trainable state (BatchNorm
// running statistics), the optimizer's state (momentum, Adam moments and
// step count), the training progress and any extra named blobs the caller
// adds (the RNG state, the recipe), so that a resumed run continues
// bit-identically.
//
// # Format
//
// A checkpoint file is little-endian binary:
//
//	magic    "GBCKPT\x00\n" (8 bytes)
//	version  uint32 (currently 1)
//	epoch    int64, step int64
//	records  uint32 count, then for each record:
//	         kind uint8 (1 parameter, 2 layer buffer, 3 optimizer buffer, 4 extra)
//	         name (uint16 length + bytes; parameters and buffers are named
//	         by their Walk path, such as "3.1.0/weight")
//	         shape (uint8 rank + uint32 dims; parameters only)
//	         float32 count + values, int64 count + values (bytes for extras)
//	trailer  CRC-32C (Castagnoli) of everything before it, uint32
//
// Save writes to a temporary file in the same directory, syncs it and
// renames it over the target, so a crash never leaves a half-written
// checkpoint under the final name. Load reads and verifies the whole file
// (magic, version, checksum, and that every record matches the network and
// optimizer it is loaded into by name, shape and length) before it changes
// anything: an error leaves the network untouched.
package checkpoint

import (
	"github.com/gradbench/gradbench/nn"
)

// State is what a checkpoint holds. Save reads it; Load fills Net and Opt
// in place and sets Epoch, Step and Extra.
type State struct {
	// Net is the network; its parameters and buffers are saved and loaded
	// in Walk order.
	Net nn.Layer
	// Opt is the optimizer whose state to save and load; nil for none (a
	// checkpoint for evaluation only).
	Opt nn.Optimizer
	// Epoch and Step are the training progress: the number of completed
	// epochs and optimizer steps.
	Epoch, Step int64
	// Extra holds named blobs the caller encodes itself, such as the PCG
	// state ("rng", from (*rand.PCG).MarshalBinary) or the recipe.
	Extra map[string][]byte
}
