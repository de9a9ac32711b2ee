package lexicon

import (
	"encoding/binary"
	"math/bits"
	"testing"
)

// isAlnum is the byte-by-byte reference of [OtherBytes].
func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// TestOtherBytes checks OtherBytes and Before against the bytes one by
// one: every byte value at every place of a chunk, among bytes of every
// kind.
func TestOtherBytes(t *testing.T) {
	for _, fill := range []byte{'a', 'Z', '5', ' ', 0, 0x80, 0xff, '@', '[', '`', '{', '/', ':'} {
		for place := range 8 {
			for b := range 256 {
				var chunk [8]byte
				for i := range chunk {
					chunk[i] = fill
				}
				chunk[place] = byte(b)
				checkChunk(t, chunk)
			}
		}
	}
}

// FuzzOtherBytes checks OtherBytes and Before on any chunk.
func FuzzOtherBytes(f *testing.F) {
	f.Add(uint64(0x2e6e6f6974617473)) // "station."
	f.Add(uint64(0x5a5a5a5a5a5a5a5a))
	f.Fuzz(func(t *testing.T, c uint64) {
		var chunk [8]byte
		binary.LittleEndian.PutUint64(chunk[:], c)
		checkChunk(t, chunk)
	})
}

func checkChunk(t *testing.T, chunk [8]byte) {
	t.Helper()
	c := binary.LittleEndian.Uint64(chunk[:])
	var want uint64
	for i, b := range chunk {
		if !isAlnum(b) {
			want |= 0x80 << (8 * i)
		}
	}
	stop := OtherBytes(c)
	if stop != want {
		t.Fatalf("OtherBytes(%q) = %#x, want %#x", chunk[:], stop, want)
	}
	if stop == 0 {
		return
	}
	n := bits.TrailingZeros64(stop) / 8
	if got, want := Before(stop), uint64(1)<<(8*n)-1; got != want {
		t.Fatalf("Before(OtherBytes(%q)) = %#x, want %#x", chunk[:], got, want)
	}
}

// FuzzScanRuns checks the way a hot path reads a run of ASCII letters and
// digits a chunk at a time, as [OtherBytes] tells it: each run that [NextWord] finds whole, read from its start, ends where
// NextWord's word does or at a separator inside it, and its hash, as
// written and lower-cased with [FoldBits], is the [Hash] and [HashLower]
// of its bytes.
func FuzzScanRuns(f *testing.F) {
	for _, s := range []string{"", "Kim Jong Un met Vladimir Putin in Komsomolsk-on-Amur.", "2,290.5 tonnes, U.S. forces' Russia’s", "abcdefgh abcdefghijklmnopq\n\tZ9 \xff\xfeé"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for start, end := NextWord(text, 0); start >= 0; start, end = NextWord(text, end) {
			if !isAlnum(text[start]) || start+8 > len(text) {
				continue
			}
			h, hl, i := HashSeed, HashSeed, -1 // i: where the run ends, once found
			for at := start; i < 0 && at+8 <= len(text); at += 8 {
				c := Chunk(text, at)
				stop := OtherBytes(c)
				if stop == 0 {
					h, hl = HashStep(h, c), HashStep(hl, c|FoldBits)
					continue
				}
				before := Before(stop)
				i = at + bits.TrailingZeros64(stop)/8
				h, hl = HashLast(h, c&before, i-start), HashLast(hl, (c|FoldBits)&before, i-start)
			}
			if i < 0 {
				continue // the run goes on past the last whole chunk
			}
			run := text[start:i]
			if i > end || i < end && isAlnum(text[i]) {
				t.Fatalf("run %q at %d of %q: NextWord's word is %q", run, start, text, text[start:end])
			}
			if h != Hash(run) || hl != HashLower(run) {
				t.Fatalf("run %q of %q: hashes %#x, %#x, want %#x, %#x", run, text, h, hl, Hash(run), HashLower(run))
			}
		}
	})
}
