package xnor

import (
	"bytes"
	"encoding/binary"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gradbench/gradbench/internal/binfile"
	"github.com/gradbench/gradbench/nn"
	"github.com/gradbench/gradbench/nn/nntest"
)

// rawRecord is a model file record as doc.go describes it: kind, name,
// shape (rank and dimensions), then the values, which data holds.
func rawRecord(kind uint8, name string, shape []int, data ...byte) []byte {
	b := []byte{kind}
	b = binary.LittleEndian.AppendUint16(b, uint16(len(name)))
	b = append(b, name...)
	b = append(b, uint8(len(shape)))
	for _, d := range shape {
		b = binary.LittleEndian.AppendUint32(b, uint32(d))
	}
	return append(b, data...)
}

// rawFile is a sealed model file without metadata holding the records,
// with tail after them.
func rawFile(tail []byte, records ...[]byte) []byte {
	b := fileFormat.Header()
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(records)))
	for _, r := range records {
		b = append(b, r...)
	}
	return binfile.Seal(append(b, tail...))
}

// metaFile is a sealed model file without records whose metadata holds
// the key, value pairs kv in the order given, repeats and all.
func metaFile(kv ...string) []byte {
	b := binary.LittleEndian.AppendUint32(fileFormat.Header(), uint32(len(kv)/2))
	for i := 0; i+1 < len(kv); i += 2 {
		b = binary.LittleEndian.AppendUint16(b, uint16(len(kv[i])))
		b = append(b, kv[i]...)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(kv[i+1])))
		b = append(b, kv[i+1]...)
	}
	return binfile.Seal(binary.LittleEndian.AppendUint32(b, 0))
}

// TestReadRecords checks Read on files written by hand: a packed record
// of 9 values has one scale per output and 2 bytes of signs; a packed
// record that is not 4-D, an unknown kind, bytes after the last record,
// a shape longer than the file, and a metadata key or record name given
// twice (which of its values would the file mean?) are refused.
func TestReadRecords(t *testing.T) {
	one := binary.LittleEndian.AppendUint32(nil, math.Float32bits(1))
	f, err := Read(bytes.NewReader(rawFile(nil, rawRecord(recPacked, "w", []int{1, 1, 3, 3}, append(one, 0xff, 0x01)...))))
	if err != nil {
		t.Fatalf("a packed record of 9 values: %v", err)
	}
	if r := f.records[0]; !slices.Equal(r.f32, []float32{1}) || !slices.Equal(r.signs, []byte{0xff, 0x01}) {
		t.Errorf("packed record of 9 values read as scales %v, signs %v; want [1], [255 1]", r.f32, r.signs)
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"packed of rank 2", rawFile(nil, rawRecord(recPacked, "w", []int{1, 9}, append(one, 0, 0)...)), `packed record "w" has shape [1 9]`},
		{"unknown kind", rawFile(nil, rawRecord(7, "w", []int{1}, one...)), `record "w" has unknown kind 7`},
		{"trailing bytes", rawFile([]byte{0}, rawRecord(recParam, "w", []int{1}, one...)), "1 bytes after the last record"},
		{"too long", rawFile(nil, rawRecord(recParam, "w", []int{1 << 30}, one...)), `record "w" of shape [1073741824] is longer than the file`},
		// Its length in the refusal is unsigned on every build (a 32-bit
		// int would show -1).
		{"repeated metadata key", metaFile("model", "a", "width", "2", "model", "b"), `metadata key "model" appears twice`},
		// Otherwise the later record would win, and Restore refuse the
		// file saying it has 0 records the network does not have.
		{"repeated record name", rawFile(nil, rawRecord(recParam, "0/w", []int{1}, one...), rawRecord(recParam, "0/w", []int{1}, one...)), `two records named "0/w"`},
		{"metadata value past the end", binfile.Seal(binary.LittleEndian.AppendUint32(append(binary.LittleEndian.AppendUint16(binary.LittleEndian.AppendUint32(fileFormat.Header(), 1), 1), 'k'), math.MaxUint32)), "want 4294967295 more bytes, have 0"},
	} {
		_, err := Read(bytes.NewReader(tc.data))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Read error %v, want one mentioning %q", tc.name, err, tc.want)
		}
	}
}

// TestSaveIntsAndNames: int64 buffers are saved and restored; two records
// of one name, and metadata keys longer than 65535 bytes, are refused.
func TestSaveIntsAndNames(t *testing.T) {
	saved := &nntest.StateLayer{B: []*nn.Buffer{{Name: "step", Ints: []int64{-3, 1 << 40}}}}
	var buf bytes.Buffer
	if _, err := Save(&buf, nn.Sequential{saved}, nil); err != nil {
		t.Fatal(err)
	}
	f, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	restored := &nntest.StateLayer{B: []*nn.Buffer{{Name: "step", Ints: make([]int64, 2)}}}
	if err := f.Restore(nn.Sequential{restored}); err != nil {
		t.Fatal(err)
	}
	if got := restored.B[0].Ints; !slices.Equal(got, []int64{-3, 1 << 40}) {
		t.Errorf("restored int64 buffer %v, want [-3 1099511627776]", got)
	}
	twice := &nntest.StateLayer{P: []*nn.Param{{Name: "w", Shape: []int{1}, Data: []float32{1}}, {Name: "w", Shape: []int{1}, Data: []float32{2}}}}
	if _, err := Save(&buf, nn.Sequential{twice}, nil); err == nil || !strings.Contains(err.Error(), `two records named "0/w"`) {
		t.Errorf("two parameters named w: Save error %v, want one naming 0/w", err)
	}
	long := strings.Repeat("k", math.MaxUint16+1)
	if _, err := Save(&buf, nn.Sequential{saved}, map[string]string{long: "v"}); err == nil || !strings.Contains(err.Error(), "too long") {
		t.Errorf("a metadata key of 65536 bytes: Save error %v, want one saying it is too long", err)
	}
}

// TestReadShapeArithmetic checks Read's size arithmetic on shapes whose
// product or sizes a 32-bit int cannot hold. 65537×65537 is 2³² + 2·65537
// − 1 values, far longer than the file; a product taken in int wraps to
// 131073 on a 32-bit build, which the 131073 values that follow would
// satisfy. A size of 2³¹ beside a size of 0 is a record of no values: a
// 64-bit build reads it as such, while a 32-bit build, whose int cannot
// hold the size, must refuse it rather than read it as −2³¹.
func TestReadShapeArithmetic(t *testing.T) {
	wrapped := make([]byte, 4*131073)
	_, err := Read(bytes.NewReader(rawFile(nil, rawRecord(recParam, "w", []int{65537, 65537}, wrapped...))))
	if want := `record "w" of shape [65537 65537] is longer than the file`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("a record of 65537×65537 values followed by 131073: Read error %v, want one mentioning %q", err, want)
	}

	wide := uint32(1) << 31 // a variable: a 32-bit int cannot hold it as a constant
	f, err := Read(bytes.NewReader(rawFile(nil, rawRecord(recParam, "w", []int{int(wide), 0}))))
	if strconv.IntSize == 32 {
		if want := `record "w" of shape [2147483648 0]: more values than a 32-bit build can hold`; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("a record of 2147483648×0 values on a 32-bit build: Read error %v, want one mentioning %q", err, want)
		}
		return
	}
	if err != nil {
		t.Fatalf("a record of 2147483648×0 values: %v", err)
	}
	if r := f.records[0]; !slices.Equal(r.shape, []int{int(wide), 0}) || len(r.f32) != 0 {
		t.Errorf("a record of 2147483648×0 values read as shape %v with %d values, want [2147483648 0] and none", r.shape, len(r.f32))
	}
}
