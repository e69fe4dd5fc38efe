package xnor

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/gradbench/gradbench/internal/binfile"
	"github.com/gradbench/gradbench/nn"
)

// The model file format is documented in doc.go ("Model file format").
var fileFormat = binfile.Format{Name: "model file", Magic: "GBNN\x00\r\n\x1a", Version: 1,
	Hint: "want a .gbnn file written by gradbench export"}

const (
	recParam  = 1
	recBuffer = 2
	recInts   = 3
	recPacked = 4
)

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
// file needs: the shape, and the weight estimator whose forward pass gives
// the codes.
type binaryLayer struct {
	shape Shape
	q     binarizer
}

// A binarizer gives the binary codes of latent weights: the forward pass
// of a binary layer's weight estimator (estimators.Estimator), sign(w) for
// most estimators, sign(sin(ω·w)) for BiPer.
type binarizer interface {
	Forward(dst, w []float32)
}

// codedWeights returns w with each value's sign replaced by its binary code
// under q, |w_i|·q(w_i) (a code of -1 on a zero weight keeps it with the
// smallest magnitude), so that PackWeights of the result packs the codes q
// gives and the scales mean|W_o|.
func codedWeights(q binarizer, w []float32) []float32 {
	c := make([]float32, len(w))
	q.Forward(c, w)
	for i, v := range w {
		a := float32(math.Abs(float64(v)))
		if c[i] < 0 {
			a = -max(a, math.SmallestNonzeroFloat32)
		}
		c[i] = a
	}
	return c
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
			es = append(es, entry{kind: recPacked, name: prefix + b.Weight.Name, shape: b.Weight.Shape, param: b.Weight, bin: binaryLayer{s, b.WeightEstimator()}})
			return // noise adaptation and estimator scalars: training only
		case *nn.BinaryLinear:
			s := Shape{In: b.In, Out: b.Out, Kernel: 1}
			es = append(es, entry{kind: recPacked, name: prefix + b.Weight.Name, shape: []int{b.Out, b.In, 1, 1}, param: b.Weight, bin: binaryLayer{s, b.WeightEstimator()}})
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
// and reports the sizes. A binary layer with a NaN or ±Inf latent weight
// (a run that diverged) is refused, before anything is written: its
// filter's scale would be NaN or +Inf, which File.Restore refuses.
func Save(w io.Writer, net nn.Layer, meta map[string]string) (SizeStats, error) {
	es, err := entries(net)
	if err != nil {
		return SizeStats{}, err
	}
	var st SizeStats
	var b bytes.Buffer
	b.Write(fileFormat.Header())
	// The keys of a map, so each is written once, as Read requires.
	keys := make([]string, 0, len(meta))
	for k := range meta {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	put32(&b, uint32(len(keys)))
	for _, k := range keys {
		if len(k) > math.MaxUint16 || uint64(len(meta[k])) > math.MaxUint32 {
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
			w := codedWeights(e.bin.q, e.param.Data)
			pw := PackWeights(e.bin.shape, w)
			for o, s := range pw.Scale {
				// Restore refuses such a scale: a file that holds one
				// could not be loaded.
				if math.IsNaN(float64(s)) || math.IsInf(float64(s), 0) {
					return st, fmt.Errorf("xnor: record %q: filter %d has scale %g, mean|W| of latent weights of which one is NaN or ±Inf: a model file holds finite scales only", e.name, o, s)
				}
			}
			putFloats(&b, pw.Scale)
			b.Write(denseSigns(w))
			st.BinaryLayers++
			st.BinaryWeights += int64(len(e.param.Data))
			st.BinaryFloat32Bytes += 4 * int64(len(e.param.Data))
			st.BinaryPackedBytes += int64(4*len(pw.Scale) + (len(e.param.Data)+7)/8)
			continue
		}
		st.OtherBytes += int64(b.Len() - start)
	}
	file := binfile.Seal(b.Bytes())
	st.FileBytes = int64(len(file))
	if _, err := w.Write(file); err != nil {
		return st, fmt.Errorf("xnor: writing model file: %w", err)
	}
	return st, nil
}

// denseSigns packs the codes of w, one bit per value, set for −1.
func denseSigns(w []float32) []byte {
	out := make([]byte, (len(w)+7)/8)
	for i, v := range w {
		if v < 0 {
			out[i/8] |= 1 << (i % 8)
		}
	}
	return out
}

// File is a model file read by [Read]: its metadata and records, checked
// against the format but not yet against a network.
type File struct {
	Meta    map[string]string
	records []record
}

// IsModelFile reports whether what r reads starts with the model file's
// magic, as [Read] recognises a model file before it checks the rest: a
// model file of any format version, whole or damaged, is one, and any
// other content (an empty file too) is not. It reads only the magic's
// bytes; the error is r's, other than a short read.
func IsModelFile(r io.Reader) (bool, error) {
	head := make([]byte, len(fileFormat.Magic))
	n, err := io.ReadFull(r, head)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		err = nil
	}
	return fileFormat.HasMagic(head[:n]), err
}

// Read reads a model file and checks its magic, version, checksum and
// structure. Its metadata says which network to build; [File.Restore]
// then loads the values into it.
func Read(r io.Reader) (*File, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("xnor: reading model file: %w", err)
	}
	body, err := fileFormat.Open(data)
	if err != nil {
		return nil, fmt.Errorf("xnor: model file: %w", err)
	}
	d := binfile.NewDecoder(body)
	f := &File{Meta: map[string]string{}}
	for n := d.U32(); n > 0 && d.Err() == nil; n-- {
		k := d.String16()
		v := string(d.Bytes32())
		if _, ok := f.Meta[k]; ok && d.Err() == nil {
			// Save writes a map's keys, each once; a file that gives one
			// twice does not say which value it means.
			d.Fail("metadata key %q appears twice", k)
			break
		}
		f.Meta[k] = v
	}
	names := map[string]bool{}
	for n := d.U32(); n > 0 && d.Err() == nil; n-- {
		var rec record
		rec.kind = d.U8()
		rec.name = d.String16()
		if names[rec.name] && d.Err() == nil {
			d.Fail("two records named %q", rec.name)
			break
		}
		names[rec.name] = true
		rank := int(d.U8())
		// count is the product of the sizes, capped just past what the
		// rest of the file could hold; in int64, so that neither it nor
		// the cap overflows (on a 32-bit build, nor the sizes themselves).
		count := int64(1)
		var shape64 []int64
		for range rank {
			dim := int64(d.U32())
			shape64 = append(shape64, dim)
			limit := 8*int64(d.Len()) + 8 // packed records take one bit per value
			if dim != 0 && count > limit/dim {
				count = limit + 1
			} else {
				count *= dim
			}
		}
		if count > 8*int64(d.Len())+8 { // guards the allocations below
			d.Fail("record %q of shape %v is longer than the file", rec.name, shape64)
			break
		}
		if count > math.MaxInt || slices.Max(append(shape64, 0)) > math.MaxInt { // only on a 32-bit build
			d.Fail("record %q of shape %v: more values than a 32-bit build can hold", rec.name, shape64)
			break
		}
		for _, dim := range shape64 {
			rec.shape = append(rec.shape, int(dim))
		}
		switch rec.kind {
		case recParam, recBuffer:
			rec.f32 = d.Float32s(int(count))
		case recInts:
			rec.i64 = d.Int64s(int(count))
		case recPacked:
			if rank != 4 {
				d.Fail("packed record %q has shape %v, want Out×In×Kernel×Kernel", rec.name, rec.shape)
				break
			}
			rec.f32 = d.Float32s(rec.shape[0])
			rec.signs = d.Bytes(int((count + 7) / 8))
		default:
			d.Fail("record %q has unknown kind %d", rec.name, rec.kind)
		}
		f.records = append(f.records, rec)
	}
	if d.Err() == nil && d.Len() != 0 {
		d.Fail("%d bytes after the last record", d.Len())
	}
	if d.Err() != nil {
		return nil, fmt.Errorf("xnor: model file: %w", d.Err())
	}
	return f, nil
}

// zeroScaleCodes returns the number of codes −1 of filter o (d weights)
// in signs if weights of −the smallest float32 there, and 0 elsewhere,
// would have a mean |w| that float32 does not round to 0; otherwise -1.
// Save never writes a scale of 0 for such a filter: its weights of code
// −1 are negative, at least that large, and its scale is their mean |w|.
func zeroScaleCodes(signs []byte, o, d int) int {
	k := 0
	for i := o * d; i < (o+1)*d; i++ {
		if signs[i/8]>>(i%8)&1 != 0 {
			k++
		}
	}
	// As nn and PackWeights compute the scale: a float64 sum, divided by d.
	if float32(float64(k)*math.SmallestNonzeroFloat32/float64(d)) != 0 {
		return k
	}
	return -1
}

// Restore sets the parameters and buffers of net, which must have the
// architecture the file was saved from, to the file's values. It checks
// every record against net (name, kind, shape; no record missing or left
// over) before it changes anything. A binary layer's latent weights become
// q(W)·s, the only values the file keeps: they have the saved signs and
// mean absolute value s, so the layer computes exactly what it did. (A
// filter whose scale is 0 gets +0 for a code of +1 and −the smallest
// float32 for a code of −1, which keep its codes and its scale of 0, so
// that its channel is 0 in the float and the packed network alike, as in
// the network saved.)
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
		if r.kind != e.kind || !slices.Equal(r.shape, e.shape) {
			return fmt.Errorf("xnor: model file record %q is kind %d of shape %v, the network wants kind %d of shape %v", e.name, r.kind, r.shape, e.kind, e.shape)
		}
		if e.kind == recPacked {
			d := len(e.param.Data) / e.bin.shape.Out
			for o, s := range r.f32 {
				if s < 0 || math.IsNaN(float64(s)) || math.IsInf(float64(s), 0) {
					return fmt.Errorf("xnor: model file record %q: scale %d is %g, want a finite value >= 0", e.name, o, s)
				}
				if s != 0 {
					continue
				}
				if k := zeroScaleCodes(r.signs, o, d); k >= 0 {
					return fmt.Errorf("xnor: model file record %q: scale %d is 0 but %d of its %d codes are −1, whose weights cannot all be 0: want a scale of at least %g (Save never writes this)", e.name, o, k, d, float32(math.SmallestNonzeroFloat32))
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
				neg := r.signs[i/8]>>(i%8)&1 != 0
				if v == 0 && neg {
					// A code of −1 needs a negative weight, and the
					// smallest keeps the filter's mean |w| at 0 (see
					// zeroScaleCodes).
					v = math.SmallestNonzeroFloat32
				}
				if neg {
					v = -v
				}
				e.param.Data[i] = v
			}
			// ±s has the saved code under sign(w); under another forward
			// pass (BiPer's sign(sin(ω·w)), odd in w) the other sign may.
			codes := make([]float32, len(e.param.Data))
			e.bin.q.Forward(codes, e.param.Data)
			for i, c := range codes {
				if (c < 0) != (r.signs[i/8]>>(i%8)&1 != 0) {
					e.param.Data[i] = -e.param.Data[i]
				}
			}
		}
	}
	return nil
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
