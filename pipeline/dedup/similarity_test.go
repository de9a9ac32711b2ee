package dedup

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestKeyIndexShared checks the shared keys a key index finds against
// [sharedKeys], on signatures drawn from few keys, so that keys are shared
// and repeat within one.
func TestKeyIndexShared(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var k keyIndex
	for range 1000 {
		a, b := fewKeys(rng), fewKeys(rng)
		k.reset(a)
		if got, want := k.shared(b), sharedKeys(a, b); got != want {
			t.Fatalf("shared(%v) indexing %v = %b, want %b", b.Keys[:b.N], a.Keys[:a.N], got, want)
		}
	}
}

// TestKeyIndexSentences checks the shared sentences a key index counts
// against a plain count, on signatures whose sentences are drawn from few
// hashes.
func TestKeyIndexSentences(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	random := func() *Signature {
		var s Signature
		hs := rng.Perm(12)[:rng.IntN(SignatureSentences+1)]
		slices.Sort(hs)
		for i, h := range hs {
			s.Sentences[i] = uint32(h) * 0x01000193
		}
		s.NS = uint8(len(hs))
		return &s
	}
	var k keyIndex
	for range 1000 {
		a, b := random(), random()
		k.reset(a)
		want := 0
		for _, h := range b.Sentences[:b.NS] {
			want += b2i(slices.Contains(a.Sentences[:a.NS], h))
		}
		if got := k.compare(b).sentences; got != want {
			t.Fatalf("sentences %v against %v: %d shared, want %d", a.Sentences[:a.NS], b.Sentences[:b.NS], got, want)
		}
	}
}
