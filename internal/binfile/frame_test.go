package binfile

import (
	"encoding/binary"
	"strings"
	"testing"
)

// TestSealIsCRC32C pins the trailer to CRC-32C (Castagnoli) by its
// standard check value, the checksum of "123456789": files written by
// earlier builds must keep opening.
func TestSealIsCRC32C(t *testing.T) {
	b := Seal([]byte("123456789"))
	if got := binary.LittleEndian.Uint32(b[9:]); got != 0xe3069283 {
		t.Errorf("Seal's trailer for \"123456789\" = %08x, want CRC-32C's check value e3069283", got)
	}
}

// TestFrameChecksEveryMagicByte checks that a file differing from the
// format's magic in any one byte, the last included, is refused as not
// of the format, with a valid checksum.
func TestFrameChecksEveryMagicByte(t *testing.T) {
	for i := range len(testFormat.Magic) {
		b := append(testFormat.Header(), "body"...)
		b[i] ^= 0x20
		if _, err := testFormat.Open(Seal(b)); err == nil || !strings.Contains(err.Error(), "bad magic") {
			t.Errorf("magic byte %d changed: Open = %v, want a bad-magic error", i, err)
		}
	}
}
