package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// IDX is the file format of MNIST and Fashion-MNIST: a 4-byte magic
// 00 00 TT DD (TT the element type, 0x08 for unsigned bytes; DD the number
// of dimensions), DD big-endian uint32 sizes, then the elements in
// row-major order. gradbench reads images files with 3 dimensions
// (N, rows, columns) and labels files with 1 (N). Files may be
// gzip-compressed: the gzip magic 1f 8b decides, not the file name.
const (
	idxUbyte      = 0x08
	idxImagesDims = 3
	idxLabelsDims = 1
)

const (
	// maxFileBytes bounds what one dataset file may hold once
	// decompressed (the largest real one, all of CIFAR-10's training
	// batches together, is 154 MB).
	maxFileBytes = 1 << 32
	// deflateMaxRatio bounds how much a gzip stream can expand (deflate
	// cannot exceed about 1032:1), so that a short corrupt file never
	// makes the reader allocate more than its contents can fill.
	deflateMaxRatio = 1040
)

// readFile returns the contents of path, decompressed when the file starts
// with the gzip magic, read whole otherwise.
func readFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	return maybeGunzip(b, path)
}

// maybeGunzip returns b decompressed when it starts with the gzip magic,
// b itself otherwise. name labels errors.
func maybeGunzip(b []byte, name string) ([]byte, error) {
	if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		if int64(len(b)) > maxFileBytes {
			return nil, fmt.Errorf("data: %s: %d bytes, more than the %d a dataset file may hold", name, len(b), int64(maxFileBytes))
		}
		return b, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, fmt.Errorf("data: %s: corrupt gzip stream: truncated in its %d-byte header", name, len(b))
	}
	if err != nil {
		return nil, fmt.Errorf("data: %s: corrupt gzip stream: %w", name, err)
	}
	defer zr.Close()
	limit := min(int64(maxFileBytes), int64(len(b))*deflateMaxRatio)
	buf := bytes.NewBuffer(make([]byte, 0, gzipSizeHint(b)))
	if _, err := buf.ReadFrom(io.LimitReader(zr, limit+1)); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("data: %s: corrupt gzip stream: truncated after %d decompressed bytes", name, buf.Len())
		}
		return nil, fmt.Errorf("data: %s: corrupt gzip stream after %d decompressed bytes: %w", name, buf.Len(), err)
	}
	if int64(buf.Len()) > limit {
		return nil, fmt.Errorf("data: %s: corrupt gzip stream: decompresses to more than %d bytes", name, limit)
	}
	return buf.Bytes(), nil
}

// gzipSizeHint returns the uncompressed size a gzip stream records in its
// trailer (ISIZE, the size modulo 2^32) when it is plausible, to size the
// output buffer once; 0 otherwise.
func gzipSizeHint(b []byte) int {
	if len(b) < 18 {
		return 0
	}
	n := int64(binary.LittleEndian.Uint32(b[len(b)-4:]))
	if n < int64(len(b))/2 || n > int64(len(b))*deflateMaxRatio {
		return 0
	}
	return int(n)
}

// parseIDX checks the header of an IDX file of unsigned bytes with
// wantDims dimensions (b decompressed) and returns its sizes and its
// elements, a sub-slice of b. name labels errors; what says what the file
// should hold ("images", "labels").
func parseIDX(b []byte, name, what string, wantDims int) (dims []int, body []byte, err error) {
	wantMagic := fmt.Sprintf("00 00 08 %02x", wantDims)
	if len(b) < 4 {
		return nil, nil, fmt.Errorf("data: %s: truncated: %d bytes, want an IDX %s header starting %s", name, len(b), what, wantMagic)
	}
	switch {
	case b[0] != 0 || b[1] != 0:
		return nil, nil, fmt.Errorf("data: %s: not an IDX file: magic % x, want %s (IDX %s)", name, b[:4], wantMagic, what)
	case b[2] != idxUbyte:
		return nil, nil, fmt.Errorf("data: %s: magic % x, want %s: element type 0x%02x, want 0x08 (unsigned byte)", name, b[:4], wantMagic, b[2])
	case int(b[3]) != wantDims:
		return nil, nil, fmt.Errorf("data: %s: magic % x, want %s: %d dimensions, want %d for an IDX %s file", name, b[:4], wantMagic, b[3], wantDims, what)
	}
	hdr := 4 + 4*wantDims
	if len(b) < hdr {
		return nil, nil, fmt.Errorf("data: %s: truncated: %d bytes, want at least the %d-byte header", name, len(b), hdr)
	}
	dims = make([]int, wantDims)
	total := int64(1)
	for i := range dims {
		d := binary.BigEndian.Uint32(b[4+4*i:])
		if uint64(d) > math.MaxInt {
			return nil, nil, fmt.Errorf("data: %s: size %d of dimension %d is more than this 32-bit build can index", name, d, i+1)
		}
		dims[i] = int(d)
		total *= int64(d)
		if total > maxFileBytes {
			return nil, nil, fmt.Errorf("data: %s: sizes %s declare more than %d bytes of data", name, shape(dims[:i+1]), int64(maxFileBytes))
		}
	}
	body = b[hdr:]
	switch {
	case int64(len(body)) < total:
		return nil, nil, fmt.Errorf("data: %s: truncated: header says %s = %d bytes of data, file holds %d", name, shape(dims), total, len(body))
	case int64(len(body)) > total:
		return nil, nil, fmt.Errorf("data: %s: %d bytes of data, want the %s = %d the header says (%d trailing bytes)", name, len(body), shape(dims), total, int64(len(body))-total)
	}
	return dims, body, nil
}

// shape formats sizes as "60000×28×28".
func shape(dims []int) string {
	var b []byte
	for i, d := range dims {
		if i > 0 {
			b = append(b, "×"...)
		}
		b = fmt.Append(b, d)
	}
	return string(b)
}

// parseIDXImages parses an IDX images file (N, rows, columns); when h and
// w are positive the images must be h×w.
func parseIDXImages(b []byte, name string, h, w int) (n, rows, cols int, pixels []uint8, err error) {
	dims, body, err := parseIDX(b, name, "images", idxImagesDims)
	if err != nil {
		return 0, 0, 0, nil, err
	}
	n, rows, cols = dims[0], dims[1], dims[2]
	switch {
	case n == 0:
		return 0, 0, 0, nil, fmt.Errorf("data: %s: holds 0 images", name)
	case rows == 0 || cols == 0:
		return 0, 0, 0, nil, fmt.Errorf("data: %s: images of %d×%d pixels, want a positive size", name, rows, cols)
	case h > 0 && w > 0 && (rows != h || cols != w):
		return 0, 0, 0, nil, fmt.Errorf("data: %s: images of %d×%d pixels, want %d×%d", name, rows, cols, h, w)
	}
	return n, rows, cols, body, nil
}

// parseIDXLabels parses an IDX labels file whose labels must be in
// [0, classes).
func parseIDXLabels(b []byte, name string, classes int) ([]int32, error) {
	dims, body, err := parseIDX(b, name, "labels", idxLabelsDims)
	if err != nil {
		return nil, err
	}
	if dims[0] == 0 {
		return nil, fmt.Errorf("data: %s: holds 0 labels", name)
	}
	labels := make([]int32, len(body))
	for i, v := range body {
		if int(v) >= classes {
			return nil, fmt.Errorf("data: %s: label %d of image %d out of range, want 0..%d", name, v, i, classes-1)
		}
		labels[i] = int32(v)
	}
	return labels, nil
}

// readIDX reads an images file and a labels file into a Dataset of
// 1-channel images, reading and decompressing both at once. It checks the
// image size when h and w are positive, and that both files hold the same
// number of images.
func readIDX(images, labels string, h, w, classes int) (*Dataset, error) {
	type result struct {
		b   []byte
		err error
	}
	lc := make(chan result, 1)
	go func() {
		b, err := readFile(labels)
		lc <- result{b, err}
	}()
	ib, ierr := readFile(images)
	lr := <-lc
	if ierr != nil {
		return nil, ierr
	}
	if lr.err != nil {
		return nil, lr.err
	}
	return idxDataset(images, ib, labels, lr.b, h, w, classes)
}

// idxDataset builds a Dataset from the decompressed contents of an images
// and a labels IDX file.
func idxDataset(imagesName string, images []byte, labelsName string, labels []byte, h, w, classes int) (*Dataset, error) {
	n, rows, cols, pixels, err := parseIDXImages(images, imagesName, h, w)
	if err != nil {
		return nil, err
	}
	ys, err := parseIDXLabels(labels, labelsName, classes)
	if err != nil {
		return nil, err
	}
	if len(ys) != n {
		return nil, fmt.Errorf("data: %s holds %d images but %s holds %d labels, want one label per image", imagesName, n, labelsName, len(ys))
	}
	return &Dataset{N: n, C: 1, H: rows, W: cols, Classes: classes, Pixels: pixels, Labels: ys}, nil
}
