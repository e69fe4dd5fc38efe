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
//	         shape (uint8 rank + uint32 dims; every record has the rank,
//	         0 for all but parameters)
//	         kinds 1-3: uint64 count + float32 values, then uint64 count +
//	         int64 values; kind 4: uint64 length + the extra's bytes
//	trailer  CRC-32C (Castagnoli) of everything before it, uint32
//
// Save writes to a temporary file in the same directory, syncs it and
// renames it over the target, so a crash never leaves a half-written
// checkpoint under the final name. Load reads and verifies the whole file
// (magic, version, checksum, and that every record matches the network and
// optimizer it is loaded into by name, shape and length) before it changes
// anything: an error leaves the network untouched. ReadExtra reads one
// extra alone, passing over the arrays and not verifying the checksum, to
// tell cheaply which run a file belongs to.
package checkpoint

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sort"

	"github.com/gradbench/gradbench/internal/atomicfile"
	"github.com/gradbench/gradbench/internal/binfile"
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

// format is the frame of a checkpoint file: magic, version and checksum.
var format = binfile.Format{Name: "checkpoint", Magic: "GBCKPT\x00\n", Version: 1}

const (
	kindParam  = 1
	kindBuffer = 2
	kindOpt    = 3
	kindExtra  = 4
)

// record is one named array of a checkpoint.
type record struct {
	kind  uint8
	name  string
	shape []int
	f32   []float32
	i64   []int64
	bytes []byte
}

func kindName(k uint8) string {
	switch k {
	case kindParam:
		return "parameter"
	case kindBuffer:
		return "layer buffer"
	case kindOpt:
		return "optimizer buffer"
	case kindExtra:
		return "extra"
	}
	return fmt.Sprintf("record kind %d", k)
}

// records lists the live arrays of s: parameters and layer buffers by Walk
// path, optimizer buffers by index. The slices alias the live state.
func (s *State) records() []record {
	var rs []record
	nn.Walk(s.Net, func(path string, l nn.Layer) {
		if p, ok := l.(nn.Parametric); ok {
			for _, q := range p.Params() {
				rs = append(rs, record{kind: kindParam, name: path + "/" + q.Name, shape: q.Shape, f32: q.Data})
			}
		}
		if b, ok := l.(nn.Stateful); ok {
			for _, q := range b.Buffers() {
				rs = append(rs, record{kind: kindBuffer, name: path + "/" + q.Name, f32: q.Data, i64: q.Ints})
			}
		}
	})
	if s.Opt != nil {
		for i, b := range s.Opt.State() {
			rs = append(rs, record{kind: kindOpt, name: fmt.Sprintf("%d/%s", i, b.Name), f32: b.Data, i64: b.Ints})
		}
	}
	return rs
}

// Save writes the state to path atomically: to a temporary file in the
// same directory, synced, then renamed over path. The file is the user's
// alone (mode 0600): it is training state, read back only by Load.
func Save(path string, s *State) error {
	data, err := Marshal(s)
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("checkpoint: save: %w", err)
	}
	return nil
}

// Load reads the checkpoint at path into s (see Unmarshal).
func Load(path string, s *State) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("checkpoint: load: %w", err)
	}
	if err := Unmarshal(data, s); err != nil {
		return fmt.Errorf("%w (file %s)", err, path)
	}
	return nil
}

// Marshal returns the checkpoint encoding of s, or an error naming the
// first record the format cannot hold as it is: a name over 65,535 bytes,
// a shape of over 255 dimensions or a dimension over 2³²-1 (the widths of
// its length fields), never a truncated copy; or one that another record
// of its kind has the name of (two parameters or buffers of one layer
// named alike), which Load could not tell apart and refuses.
func Marshal(s *State) ([]byte, error) {
	rs := s.records()
	seen := make(map[string]bool, len(rs))
	for _, r := range rs {
		key := kindName(r.kind) + " " + r.name
		if seen[key] {
			return nil, fmt.Errorf("checkpoint: %s %q appears twice in the state: Load could not tell the two apart", kindName(r.kind), r.name)
		}
		seen[key] = true
	}
	names := make([]string, 0, len(s.Extra))
	for k := range s.Extra {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		rs = append(rs, record{kind: kindExtra, name: k, bytes: s.Extra[k]})
	}
	b := format.Header()
	b = binary.LittleEndian.AppendUint64(b, uint64(s.Epoch))
	b = binary.LittleEndian.AppendUint64(b, uint64(s.Step))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(rs)))
	for _, r := range rs {
		if err := r.fits(); err != nil {
			return nil, err
		}
		b = append(b, r.kind)
		b = binary.LittleEndian.AppendUint16(b, uint16(len(r.name)))
		b = append(b, r.name...)
		b = append(b, uint8(len(r.shape)))
		for _, d := range r.shape {
			b = binary.LittleEndian.AppendUint32(b, uint32(d))
		}
		if r.kind == kindExtra {
			b = binary.LittleEndian.AppendUint64(b, uint64(len(r.bytes)))
			b = append(b, r.bytes...)
			continue
		}
		b = binary.LittleEndian.AppendUint64(b, uint64(len(r.f32)))
		for _, v := range r.f32 {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
		}
		b = binary.LittleEndian.AppendUint64(b, uint64(len(r.i64)))
		for _, v := range r.i64 {
			b = binary.LittleEndian.AppendUint64(b, uint64(v))
		}
	}
	return binfile.Seal(b), nil
}

// fits returns an error if the record's name, rank or a dimension
// overflows its length field.
func (r *record) fits() error {
	what := kindName(r.kind) + " " + r.name
	if len(what) > 80 {
		what = what[:80] + "…"
	}
	if len(r.name) > math.MaxUint16 {
		return fmt.Errorf("checkpoint: %s: a name of %d bytes, over the format's 65535", what, len(r.name))
	}
	if len(r.shape) > math.MaxUint8 {
		return fmt.Errorf("checkpoint: %s: a shape of %d dimensions, over the format's 255", what, len(r.shape))
	}
	for _, d := range r.shape {
		if d < 0 || uint64(d) > math.MaxUint32 {
			return fmt.Errorf("checkpoint: %s: shape %v has a dimension outside 0..4294967295", what, r.shape)
		}
	}
	return nil
}

// Unmarshal decodes a checkpoint into s: it verifies the magic, version
// and checksum, decodes every record, and checks that the records are
// exactly the parameters and buffers of s.Net (by Walk path, name and
// shape) and of s.Opt, before it copies anything. With s.Opt nil the
// optimizer records are ignored (loading for evaluation). Any mismatch is
// an error that names the first record at fault, and s is left unchanged.
func Unmarshal(data []byte, s *State) error {
	epoch, step, file, extras, err := decode(data)
	if err != nil {
		return err
	}
	live := s.records()
	unused := make(map[string]bool, len(file))
	for key := range file {
		unused[key] = true
	}
	for _, r := range live {
		key := kindName(r.kind) + " " + r.name
		f, ok := file[key]
		if !ok {
			return fmt.Errorf("checkpoint: %s %q of the network is not in the checkpoint (a different architecture or optimizer?)", kindName(r.kind), r.name)
		}
		if !slices.Equal(f.shape, r.shape) {
			return fmt.Errorf("checkpoint: %s %q has shape %v in the checkpoint, %v in the network", kindName(r.kind), r.name, f.shape, r.shape)
		}
		if len(f.f32) != len(r.f32) || len(f.i64) != len(r.i64) {
			return fmt.Errorf("checkpoint: %s %q holds %d floats and %d integers in the checkpoint, %d and %d in the network", kindName(r.kind), r.name, len(f.f32), len(f.i64), len(r.f32), len(r.i64))
		}
		delete(unused, key)
	}
	for key := range unused {
		f := file[key]
		if f.kind == kindOpt && s.Opt == nil {
			continue
		}
		return fmt.Errorf("checkpoint: %s %q of the checkpoint is not in the network (a different architecture or optimizer?)", kindName(f.kind), f.name)
	}
	// Everything matches: copy.
	for _, r := range live {
		f := file[kindName(r.kind)+" "+r.name]
		copy(r.f32, f.f32)
		copy(r.i64, f.i64)
	}
	s.Epoch, s.Step = epoch, step
	s.Extra = make(map[string][]byte, len(extras))
	for _, e := range extras {
		s.Extra[e.name] = e.bytes
	}
	return nil
}

// ReadProgress reads the training progress of the checkpoint at path, its
// Epoch, Step and Extra, without a network or optimizer to load the rest
// into: what a caller needs to learn how far a run got before it builds
// the network. The file is verified as Load verifies it (frame, checksum,
// records well formed), but not against any network.
func ReadProgress(path string) (epoch, step int64, extra map[string][]byte, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, nil, fmt.Errorf("checkpoint: load: %w", err)
	}
	epoch, step, _, extras, err := decode(data)
	if err != nil {
		return 0, 0, nil, fmt.Errorf("%w (file %s)", err, path)
	}
	extra = make(map[string][]byte, len(extras))
	for _, e := range extras {
		extra[e.name] = e.bytes
	}
	return epoch, step, extra, nil
}

// decode verifies the frame of a checkpoint and decodes its progress and
// records: the parameters and buffers by kind and name, and the extras.
func decode(data []byte) (epoch, step int64, file map[string]record, extras []record, err error) {
	body, err := format.Open(data)
	if err != nil {
		return 0, 0, nil, nil, fmt.Errorf("checkpoint: %w", err)
	}
	d := binfile.NewDecoder(body)
	epoch, step = int64(d.U64()), int64(d.U64())
	// The count stays a uint32: as an int it is negative past 2^31 on a
	// 32-bit build, which read no record and blamed the bytes after them.
	n := d.U32()
	file = make(map[string]record)
	for i := uint32(0); i < n && d.Err() == nil; i++ {
		r := readRecord(d)
		if d.Err() != nil {
			break
		}
		if r.kind == kindExtra {
			extras = append(extras, r)
			continue
		}
		key := kindName(r.kind) + " " + r.name
		if _, dup := file[key]; dup {
			return 0, 0, nil, nil, fmt.Errorf("checkpoint: %s %q appears twice", kindName(r.kind), r.name)
		}
		file[key] = r
	}
	if d.Err() != nil {
		return 0, 0, nil, nil, fmt.Errorf("checkpoint: malformed record: %w", d.Err())
	}
	if d.Len() != 0 {
		return 0, 0, nil, nil, fmt.Errorf("checkpoint: %d unexpected bytes after the last record", d.Len())
	}
	return epoch, step, file, extras, nil
}

// readRecord decodes one record; d holds the first error.
func readRecord(d *binfile.Decoder) record {
	r := readHeader(d)
	if r.kind == kindExtra {
		r.bytes = slices.Clone(d.Bytes(d.Count(1)))
		return r
	}
	r.f32 = d.Float32s(d.Count(4))
	r.i64 = d.Int64s(d.Count(8))
	return r
}

// readHeader decodes the kind, name and shape of a record, all that comes
// before its values; d holds the first error.
func readHeader(d *binfile.Decoder) record {
	var r record
	r.kind = d.U8()
	if d.Err() == nil && (r.kind < kindParam || r.kind > kindExtra) {
		d.Fail("unknown record kind %d", r.kind)
		return r
	}
	r.name = d.String16()
	if rank := int(d.U8()); rank > 0 {
		r.shape = make([]int, rank)
		for i := range r.shape {
			r.shape[i] = d.U32Int()
		}
	}
	return r
}

// ReadExtra returns the extra named name of the checkpoint at path (see
// State.Extra), and whether it has one, reading only the file's header,
// its records' headers and that extra, and passing over the values of the
// arrays and of the other extras, where Load and ReadProgress read the
// file whole. It is for identifying a file (which run a checkpoint
// belongs to) before deciding what to do with it.
//
// It does NOT verify the checksum: a file damaged in an array's values,
// or in the extra itself, is read as if it were sound. It checks the
// frame's magic and version, and that the records are well formed and end
// where the file does (a truncated file is an error), as Load does; Load
// still verifies everything. Of a file Load loads, it returns the extra
// Load sets (the last of that name).
func ReadExtra(path, name string) (value []byte, ok bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, fmt.Errorf("checkpoint: read extra: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, false, fmt.Errorf("checkpoint: read extra: %w", err)
	}
	value, ok, err = readExtra(f, fi.Size(), name)
	if err != nil {
		return nil, false, fmt.Errorf("%w (file %s)", err, path)
	}
	return value, ok, nil
}

// readExtra is ReadExtra of the file of size bytes that r reads.
func readExtra(r io.ReaderAt, size int64, name string) (value []byte, ok bool, err error) {
	d, err := format.OpenAt(r, size)
	if err != nil {
		return nil, false, fmt.Errorf("checkpoint: %w", err)
	}
	d.Skip(16)   // epoch and step
	n := d.U32() // a uint32, as in decode
	for i := uint32(0); i < n && d.Err() == nil; i++ {
		rec := readHeader(d)
		switch {
		case rec.kind == kindExtra && rec.name == name:
			value, ok = d.Bytes(d.Count(1)), true
		case rec.kind == kindExtra:
			d.SkipCount(1)
		default:
			// Counted in 64 bits: an array may take more bytes than a
			// 32-bit int holds, and is passed over, not read.
			d.SkipCount(4)
			d.SkipCount(8)
		}
	}
	if d.Err() != nil {
		return nil, false, fmt.Errorf("checkpoint: malformed record: %w", d.Err())
	}
	if d.Len() != 0 {
		return nil, false, fmt.Errorf("checkpoint: %d unexpected bytes after the last record", d.Len())
	}
	return value, ok, nil
}
