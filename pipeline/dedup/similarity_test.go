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
	random := func() *Signature {
		var s Signature
		s.N = uint8(rng.IntN(SignatureTerms + 1))
		for i := range s.N {
			s.Keys[i] = uint32(rng.IntN(40))
		}
		slices.Sort(s.Keys[:s.N])
		return &s
	}
	var k keyIndex
	for range 1000 {
		a, b := random(), random()
		k.reset(a)
		if got, want := k.shared(b), sharedKeys(a, b); got != want {
			t.Fatalf("shared(%v) indexing %v = %b, want %b", b.Keys[:b.N], a.Keys[:a.N], got, want)
		}
	}
}
