package xnor

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/gradbench/gradbench/nn"
)

// The model file format is documented in doc.go ("Model file format").
const (
	fileMagic   = "GBNN\x00\r\n\x1a"
	fileVersion = 1

	recParam  = 1
	recBuffer = 2
	recInts   = 3
	recPacked = 4
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// SizeStats compares a model file's binary layers with their float32 size.
type SizeStats struct {
	// BinaryLayers counts the binary layers, BinaryWeights their weights.
	BinaryLayers  int
	BinaryWeights int64
	// BinaryFloat32Bytes is what their latent weights take as float32;
	// BinaryPackedBytes what the file stores for them (signs and scales).
	BinaryFloat32Bytes, BinaryPackedBytes int64
	// OtherBytes is what the file stores for everything else (full
	// precision parameters and buffers); FileBytes is the file's size.
	OtherBytes, FileBytes int64
}

// Ratio returns BinaryFloat32Bytes / BinaryPackedBytes: how many times
// smaller the binary layers are packed (0 without binary layers).
func (s SizeStats) Ratio() float64 {
	if s.BinaryPackedBytes == 0 {
		return 0
	}
	return float64(s.BinaryFloat32Bytes) / float64(s.BinaryPackedBytes)
}

// record is one entry of a model file.
type record struct {
	kind  uint8
	name  string
	shape []int
	f32   []float32 // kinds 1, 2; kind 4: the scales
	i64   []int64   // kind 3
	signs []byte    // kind 4
}

// entry is one thing of a network a model file stores, in Walk order.
type entry struct {
	kind  uint8
	name  string
	shape []int
	param *nn.Param  // kinds 1, 4
	buf   *nn.Buffer // kinds 2, 3
	bin   binaryLayer
}

// binaryLayer is the part of nn.BinaryConv2d and nn.BinaryLinear a model
// file needs.
type binaryLayer struct {
	shape Shape
}

// entries lists what a model file stores for net, in Walk order.
func entries(net nn.Layer) ([]entry, error) {
	var es []entry
	var err error
	nn.Walk(net, func(path string, l nn.Layer) {
		if err != nil {
			return
		}
		prefix := path + "/"
		switch b := l.(type) {
		case *nn.BinaryConv2d:
			s := Shape{In: b.In, Out: b.Out, Kernel: b.Kernel, Stride: b.Stride, Pad: b.Pad}
			es = append(es, entry{kind: recPacked, name: prefix + b.Weight.Name, shape: b.Weight.Shape, param: b.Weight, bin: binaryLayer{s}})
			return // noise adaptation and estimator scalars: training only
		case *nn.BinaryLinear:
			s := Shape{In: b.In, Out: b.Out, Kernel: 1}
			es = append(es, entry{kind: recPacked, name: prefix + b.Weight.Name, shape: []int{b.Out, b.In, 1, 1}, param: b.Weight, bin: binaryLayer{s}})
			return
		}
		if p, ok := l.(nn.Parametric); ok {
			for _, q := range p.Params() {
				es = append(es, entry{kind: recParam, name: prefix + q.Name, shape: q.Shape, param: q})
			}
		}
		if s, ok := l.(nn.Stateful); ok {
			for _, b := range s.Buffers() {
				if b.Data != nil {
					es = append(es, entry{kind: recBuffer, name: prefix + b.Name, shape: []int{len(b.Data)}, buf: b})
				}
				if b.Ints != nil {
					es = append(es, entry{kind: recInts, name: prefix + b.Name + "#ints", shape: []int{len(b.Ints)}, buf: b})
				}
			}
		}
	})
	seen := map[string]bool{}
	for _, e := range es {
		if seen[e.name] {
			return nil, fmt.Errorf("xnor: network has two records named %q", e.name)
		}
		seen[e.name] = true
	}
	return es, err
}

// Save writes net (a trained network; binary layers are stored as their
// signs and scales) and the metadata to w in the model file format above,
// and reports the sizes.
func Save(w io.Writer, net nn.Layer, meta map[string]string) (SizeStats, error) {
	es, err := entries(net)
	if err != nil {
		return SizeStats{}, err
	}
	var st SizeStats
	var b bytes.Buffer
	b.WriteString(fileMagic)
	put32(&b, fileVersion)
	keys := make([]string, 0, len(meta))
	for k := range meta {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	put32(&b, uint32(len(keys)))
	for _, k := range keys {
		if len(k) > math.MaxUint16 || len(meta[k]) > math.MaxUint32 {
			return st, fmt.Errorf("xnor: metadata %q too long", k)
		}
		putString16(&b, k)
		put32(&b, uint32(len(meta[k])))
		b.WriteString(meta[k])
	}
	put32(&b, uint32(len(es)))
	for _, e := range es {
		start := b.Len()
		b.WriteByte(e.kind)
		putString16(&b, e.name)
		b.WriteByte(uint8(len(e.shape)))
		for _, d := range e.shape {
			put32(&b, uint32(d))
		}
		switch e.kind {
		case recParam:
			putFloats(&b, e.param.Data)
		case recBuffer:
			putFloats(&b, e.buf.Data)
		case recInts:
			for _, v := range e.buf.Ints {
				put64(&b, uint64(v))
			}
		case recPacked:
			pw := PackWeights(e.bin.shape, e.param.Data)
			putFloats(&b, pw.Scale)
			b.Write(denseSigns(e.param.Data))
			st.BinaryLayers++
			st.BinaryWeights += int64(len(e.param.Data))
			st.BinaryFloat32Bytes += 4 * int64(len(e.param.Data))
			st.BinaryPackedBytes += int64(4*len(pw.Scale) + (len(e.param.Data)+7)/8)
			continue
		}
		st.OtherBytes += int64(b.Len() - start)
	}
	put32(&b, crc32.Checksum(b.Bytes(), castagnoli))
	st.FileBytes = int64(b.Len())
	if _, err := w.Write(b.Bytes()); err != nil {
		return st, fmt.Errorf("xnor: writing model file: %w", err)
	}
	return st, nil
}

// denseSigns packs the codes of w, one bit per value, set for −1.
func denseSigns(w []float32) []byte {
	out := make([]byte, (len(w)+7)/8)
	for i, v := range w {
		out[i/8] |= byte(signBit(v)) << (i % 8)
	}
	return out
}

// File is a model file read by [Read]: its metadata and records, checked
// against the format but not yet against a network.
type File struct {
	Meta    map[string]string
	records []record
}

// Read reads a model file and checks its magic, version, checksum and
// structure. Its metadata says which network to build; [File.Restore]
// then loads the values into it.
func Read(r io.Reader) (*File, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("xnor: reading model file: %w", err)
	}
	if len(data) < len(fileMagic)+8 || string(data[:len(fileMagic)]) != fileMagic {
		return nil, errors.New("xnor: not a gradbench model file (bad magic; want a .gbnn file written by gradbench export)")
	}
	if v := binary.LittleEndian.Uint32(data[len(fileMagic):]); v != fileVersion {
		return nil, fmt.Errorf("xnor: model file format version %d, this gradbench reads version %d", v, fileVersion)
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if got := crc32.Checksum(body, castagnoli); got != sum {
		return nil, fmt.Errorf("xnor: model file is corrupt or truncated: checksum %08x, want %08x", got, sum)
	}
	d := &decoder{b: body[len(fileMagic)+4:]}
	f := &File{Meta: map[string]string{}}
	for range d.u32() {
		k := d.str16()
		f.Meta[k] = string(d.bytes(int(d.u32())))
	}
	n := d.u32()
	for range n {
		if d.err != nil {
			break
		}
		var rec record
		rec.kind = d.u8()
		rec.name = d.str16()
		rank := int(d.u8())
		count := 1
		for range rank {
			dim := int(d.u32())
			rec.shape = append(rec.shape, dim)
			limit := 8*len(d.b) + 8 // packed records take one bit per value
			if dim > limit {
				count = limit + 1
			} else {
				count = min(count*dim, limit+1)
			}
		}
		if count > 8*len(d.b)+8 { // guards the allocations below
			d.fail("record %q of shape %v is longer than the file", rec.name, rec.shape)
			break
		}
		switch rec.kind {
		case recParam, recBuffer:
			rec.f32 = d.floats(count)
		case recInts:
			for range count {
				rec.i64 = append(rec.i64, int64(d.u64()))
			}
		case recPacked:
			if rank != 4 {
				d.fail("packed record %q has shape %v, want Out×In×Kernel×Kernel", rec.name, rec.shape)
				break
			}
			rec.f32 = d.floats(rec.shape[0])
			rec.signs = d.bytes((count + 7) / 8)
		default:
			d.fail("record %q has unknown kind %d", rec.name, rec.kind)
		}
		f.records = append(f.records, rec)
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail("%d bytes after the last record", len(d.b))
	}
	if d.err != nil {
		return nil, fmt.Errorf("xnor: model file: %w", d.err)
	}
	return f, nil
}

// Restore sets the parameters and buffers of net, which must have the
// architecture the file was saved from, to the file's values. It checks
// every record against net (name, kind, shape; no record missing or left
// over) before it changes anything. A binary layer's latent weights become
// q(W)·s, the only values the file keeps: they have the saved signs and
// mean absolute value s, so the layer computes exactly what it did. (A
// filter whose scale is 0 gets ±the smallest float32 instead, to keep its
// signs.)
func (f *File) Restore(net nn.Layer) error {
	es, err := entries(net)
	if err != nil {
		return err
	}
	byName := map[string]*record{}
	for i := range f.records {
		byName[f.records[i].name] = &f.records[i]
	}
	for _, e := range es {
		r, ok := byName[e.name]
		if !ok {
			return fmt.Errorf("xnor: model file has no record %q for this network (wrong model or configuration?)", e.name)
		}
		if r.kind != e.kind || !equalShape(r.shape, e.shape) {
			return fmt.Errorf("xnor: model file record %q is kind %d of shape %v, the network wants kind %d of shape %v", e.name, r.kind, r.shape, e.kind, e.shape)
		}
		if e.kind == recPacked {
			for o, s := range r.f32 {
				if s < 0 || math.IsNaN(float64(s)) || math.IsInf(float64(s), 0) {
					return fmt.Errorf("xnor: model file record %q: scale %d is %g, want a finite value >= 0", e.name, o, s)
				}
			}
		}
	}
	if len(es) != len(f.records) {
		var extra []string
		want := map[string]bool{}
		for _, e := range es {
			want[e.name] = true
		}
		for _, r := range f.records {
			if !want[r.name] {
				extra = append(extra, r.name)
			}
		}
		return fmt.Errorf("xnor: model file has %d records the network does not have (%s; wrong model or configuration?)", len(extra), strings.Join(extra, ", "))
	}
	for _, e := range es {
		r := byName[e.name]
		switch e.kind {
		case recParam:
			copy(e.param.Data, r.f32)
		case recBuffer:
			copy(e.buf.Data, r.f32)
		case recInts:
			copy(e.buf.Ints, r.i64)
		case recPacked:
			d := len(e.param.Data) / e.bin.shape.Out
			for i := range e.param.Data {
				v := r.f32[i/d]
				if v == 0 {
					v = math.SmallestNonzeroFloat32
				}
				if r.signs[i/8]>>(i%8)&1 != 0 {
					v = -v
				}
				e.param.Data[i] = v
			}
		}
	}
	return nil
}

func equalShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func put32(b *bytes.Buffer, v uint32) { b.Write(binary.LittleEndian.AppendUint32(nil, v)) }
func put64(b *bytes.Buffer, v uint64) { b.Write(binary.LittleEndian.AppendUint64(nil, v)) }

func putString16(b *bytes.Buffer, s string) {
	b.Write(binary.LittleEndian.AppendUint16(nil, uint16(len(s))))
	b.WriteString(s)
}

func putFloats(b *bytes.Buffer, x []float32) {
	buf := make([]byte, 4*len(x))
	for i, v := range x {
		binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(v))
	}
	b.Write(buf)
}

// decoder reads little-endian values, remembering the first error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf(format, args...)
	}
}

func (d *decoder) bytes(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.b) {
		d.fail("truncated: want %d more bytes, have %d", n, len(d.b))
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) u8() uint8 {
	if b := d.bytes(1); b != nil {
		return b[0]
	}
	return 0
}

func (d *decoder) u32() uint32 {
	if b := d.bytes(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (d *decoder) u64() uint64 {
	if b := d.bytes(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

func (d *decoder) str16() string {
	n := 0
	if b := d.bytes(2); b != nil {
		n = int(binary.LittleEndian.Uint16(b))
	}
	return string(d.bytes(n))
}

func (d *decoder) floats(n int) []float32 {
	b := d.bytes(4 * n)
	if b == nil {
		return nil
	}
	x := make([]float32, n)
	for i := range x {
		x[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return x
}
