package lexicon

// FoldBits is bit 5 of each of eight bytes. Set in the bytes of a run of
// ASCII letters and digits, it lower-cases the letters and leaves the
// digits as they are: the run's [HashLower] is read from its chunks with
// FoldBits set.
const FoldBits uint64 = 0x2020202020202020

// OtherBytes returns the high bit of each of the eight bytes of c that is
// not an ASCII letter or digit, in a few operations on all eight at once.
// No sum below carries into the next byte.
//
// Most words of English news are one run of ASCII letters and digits. A
// hot path reads such a run a [Chunk] at a time: OtherBytes tells where
// it ends within a chunk, and the run is hashed as it is read, each whole
// chunk by [HashStep] and the bytes before its end ([Before]) by
// [HashLast].
func OtherBytes(c uint64) uint64 {
	d := c & 0x7f7f7f7f7f7f7f7f
	digit := (d + 0x5050505050505050) &^ (d + 0x4646464646464646)  // '0' to '9'
	l := d | FoldBits                                              // a letter lower-cased
	letter := (l + 0x1f1f1f1f1f1f1f1f) &^ (l + 0x0505050505050505) // 'a' to 'z'
	return (c | ^(letter | digit)) & 0x8080808080808080
}

// Before returns the mask of the bytes of a chunk before the first one
// whose high bit is set in stop, which must not be 0.
func Before(stop uint64) uint64 { return (stop ^ (stop - 1)) >> 8 }
