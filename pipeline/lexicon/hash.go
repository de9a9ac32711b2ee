package lexicon

import "math/bits"

// A term's hash consumes its bytes eight at a time, read little-endian
// ([Chunk]): starting from [HashSeed], each whole chunk of eight is mixed
// in by one 64-by-64-bit multiplication, the two halves of the product
// folded together as wyhash does ([HashStep]), and then the zero to seven
// bytes left, padded with zeros, along with the term's length
// ([HashLast]). Most words are shorter than eight bytes: hashing one costs
// a load and a multiplication, where a byte-by-byte hash is a chain of one
// multiplication per byte. The length comes last, so that a word can be
// hashed as it is read, before its end is known.
const (
	// HashSeed is the state of a hash before the first chunk of a term.
	HashSeed uint64 = 0xa0761d6478bd642f
	hashMul  uint64 = 0xe7037ed1a0b428db
)

// Hash returns the key of a lower-case term in a [Table].
func Hash(term string) uint64 { return hashAt(term, 0, len(term), false) }

// HashBytes returns the [Hash] of the term held by b.
func HashBytes(b []byte) uint64 { return hashAt(b, 0, len(b), false) }

// HashLower returns the [Hash] of s with its ASCII capitals lower-cased.
func HashLower(s string) uint64 { return hashAt(s, 0, len(s), true) }

// HashAt returns the [Hash] of text[start:end]. It may read the bytes
// after end, to load the last chunk at once, so that a hot path walking a
// text hashes each word from the text itself.
func HashAt(text string, start, end int) uint64 {
	if n := end - start; n < 8 && start+8 <= len(text) { // most words: one load
		return HashLast(HashSeed, Chunk(text, start)&(1<<(8*(uint(n)&7))-1), n)
	}
	return hashAt(text, start, end, false)
}

// HashLowerAt returns the [HashLower] of text[start:end], as [HashAt]
// reads it.
func HashLowerAt(text string, start, end int) uint64 {
	if n := end - start; n < 8 && start+8 <= len(text) { // most words: one load
		return HashLast(HashSeed, lowerASCII(Chunk(text, start)&(1<<(8*(uint(n)&7))-1)), n)
	}
	return hashAt(text, start, end, true)
}

// HashStep returns the state of a hash after its state h and the next
// eight bytes c of the term.
func HashStep(h, c uint64) uint64 {
	hi, lo := bits.Mul64(h^c, hashMul)
	return hi ^ lo
}

// HashLast returns the [Hash] of a term of n bytes from the state h after
// its whole chunks of eight bytes and the bytes left, c: the term's last
// n%8 bytes, padded with zeros.
//
// The length goes into the top byte, which the bytes left never fill:
// terms that differ only in their length and their last bytes, zeros
// among them, do not share a hash.
func HashLast(h, c uint64, n int) uint64 { return HashStep(h^uint64(n)<<56, c) }

// Chunk returns the eight bytes of text from byte i on, little-endian;
// text must hold them. It is cheap enough to be inlined in a loop that
// reads words a chunk at a time.
func Chunk(text string, i int) uint64 { return load64(text[i : i+8]) }

// hashAt returns the [Hash] of text[start:end], with its ASCII capitals
// lower-cased if lower is set.
func hashAt[T string | []byte](text T, start, end int, lower bool) uint64 {
	h, i := HashSeed, start
	for ; end-i >= 8; i += 8 {
		h = HashStep(h, lowerIf(load64(text[i:]), lower))
	}
	var c uint64
	if i+8 <= len(text) {
		c = load64(text[i:]) & (1<<(8*uint(end-i)) - 1)
	} else {
		c = loadShort(text[i:end])
	}
	return HashLast(h, lowerIf(c, lower), end-start)
}

// lowerIf returns c with its ASCII capitals lower-cased if lower is set.
func lowerIf(c uint64, lower bool) uint64 {
	if lower {
		return lowerASCII(c)
	}
	return c
}

// load64 returns the first eight bytes of s, little-endian.
func load64[T string | []byte](s T) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// loadShort returns the bytes of s, fewer than eight, little-endian,
// padded with zeros.
func loadShort[T string | []byte](s T) uint64 {
	var c uint64
	for i := len(s) - 1; i >= 0; i-- {
		c = c<<8 | uint64(s[i])
	}
	return c
}

// lowerASCII lower-cases the ASCII capitals among the eight bytes of c,
// leaving every other byte as it is.
func lowerASCII(c uint64) uint64 {
	const low7, high = 0x7f7f7f7f7f7f7f7f, 0x8080808080808080
	t := c & low7
	// A byte's high bit is set in (t + 0x3f) from 'A' on, in (t + 0x25)
	// from 'Z'+1 on: no sum carries into the next byte.
	upper := (t + 0x3f3f3f3f3f3f3f3f) &^ (t + 0x2525252525252525) &^ c & high
	return c | upper>>2
}
