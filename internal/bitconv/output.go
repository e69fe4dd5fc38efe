package bitconv

// The output stages after the XOR-popcount kernel: the corrected dot
// products through the output transform into float32 outputs, or their
// signs packed for the next binary layer.

// dot returns the corrected dot product of lane j of block b for channel o
// from its popcount.
func (c *Conv) dot(s *scratch, b, j, o int, pc uint64) int64 {
	return c.k - 2*int64(pc) + int64(c.plan.corr[o*c.plan.cstride+int(s.cls[b][j])])
}

// outFloat is the portable outFloatKernel: outFloatGo on every channel.
func (c *Conv) outFloat(out, res []float32, s *scratch, b, o0, nc int) {
	c.outFloatGo(out, res, s, b, o0, 0, nc)
}

// outFloatGo applies the transform to channels o0+i0 to o0+nc−1 of block b
// (o0 being where s.pc's channels start) and writes them to out, adding res
// (when not nil) at the same positions. It is the reference loop
//
//	for i, j: k := s.off[b][j] + o·OH·OW
//	          out[k] = apply(mul[o], add[o], c.dot(s, b, j, o, pc)) (+ res[k])
//
// with the lanes of a block whose outputs are consecutive written as one
// slice, and the corrections looked up only for border blocks.
func (c *Conv) outFloatGo(out, res []float32, s *scratch, b, o0, i0, nc int) {
	p := c.plan
	v := s.valid[b]
	var cls [8]int
	for j := range v {
		cls[j] = int(s.cls[b][j])
	}
	for i := i0; i < min(nc, c.Shape.Out-o0); i++ {
		o := o0 + i
		mul, add := c.mul[o], c.add[o]
		pc := s.pc[(b*64+i)*8:][:8]
		var corr []int32
		if s.border[b] {
			corr = p.corr[o*p.cstride:][:p.cstride]
		}
		if !s.contig[b] {
			for j := range v {
				k := s.off[b][j] + o*p.ohw
				y := apply(mul, add, c.dot(s, b, j, o, pc[j]))
				if res != nil {
					y += res[k]
				}
				out[k] = y
			}
			continue
		}
		at := s.off[b][0] + o*p.ohw
		dst := out[at:][:v]
		var r []float32
		if res != nil {
			r = res[at:][:v]
		}
		for j := range dst {
			d := c.k - 2*int64(pc[j])
			if corr != nil {
				d += int64(corr[cls[j]])
			}
			y := apply(mul, add, d)
			if r != nil {
				y += r[j]
			}
			dst[j] = y
		}
	}
}

// outMasksGo sets s.masks[b][i], bit j, to the code of q(y) of lane j for
// channel o0+i: 1 (−1) where y < 0.
func (c *Conv) outMasksGo(s *scratch, b, o0, nc int) {
	for i := range nc {
		o := o0 + i
		flip, tau := c.flip[o], c.tau[o]
		pc := s.pc[(b*64+i)*8:][:8]
		var m uint8
		for j := range 8 {
			d := c.k - 2*int64(pc[j])
			if o < c.Shape.Out {
				d += int64(c.plan.corr[o*c.plan.cstride+int(s.cls[b][j])])
			}
			if (d^flip)-flip < tau {
				m |= 1 << j
			}
		}
		s.masks[b][i] = m
	}
}

// outBits writes the packed codes of channels o0 to o0+nc−1 (a word's
// worth, o0 a multiple of 64) of block b's valid lanes from s.masks.
func (c *Conv) outBits(dst *Bits, s *scratch, b, o0, nc int) {
	var word [8]uint64
	for g := 0; g < nc; g += 8 {
		var m uint64
		for i := range 8 {
			m |= uint64(s.masks[b][g+i]) << (8 * i)
		}
		t := transpose8(m) // byte j: lane j's bits of channels g to g+7
		for j := range 8 {
			word[j] |= (t >> (8 * j) & 0xff) << g
		}
	}
	w := o0 / 64
	for j := range s.valid[b] {
		pix := s.pix[b][0] + j // contig
		if !s.contig[b] {
			pix = s.pix[b][j]
		}
		dst.Data[pix*dst.Words+w] = word[j]
	}
}

// transpose8 transposes the 8×8 bit matrix whose row i is byte i of x
// (bit j of the byte being column j): bit j of byte i becomes bit i of
// byte j.
func transpose8(x uint64) uint64 {
	t := (x ^ x>>7) & 0x00AA00AA00AA00AA
	x ^= t ^ t<<7
	t = (x ^ x>>14) & 0x0000CCCC0000CCCC
	x ^= t ^ t<<14
	t = (x ^ x>>28) & 0x00000000F0F0F0F0
	x ^= t ^ t<<28
	return x
}
