package dedup

import (
	"math"
	"math/bits"
)

// supportCap is the most one shared feature adds to [signals].support. A
// topic word that dominates two reports of different events ("Klitschko"
// in reports of two of his title fights, "Microsoft" in two browser
// patches) then cannot link them alone: a story link needs several shared
// features. Chosen on the development data (see [Config].StoryThreshold).
const supportCap = 0.08

// signals are the measures of how an article relates to an earlier one,
// each in [0, 1].
type signals struct {
	// cosine of the two weighted feature vectors: how much the articles are
	// about the same things.
	cosine float64
	// support is the cosine with each shared feature's part capped at
	// supportCap: how much the articles share, counting no one feature
	// for more than a few.
	support float64
	// covered is the share of the new article's feature weight (squared,
	// so it adds up to 1) that the earlier one also has: near 1 when the new
	// article brings nothing the earlier one lacks.
	covered float64
	// covering is the same share the other way round: of the earlier
	// article's weight, how much the new one repeats.
	covering float64
	// sentences: shared sentence hashes among the earlier article's sample,
	// and the share of that sample found in the new article.
	sentences     int
	sentenceShare float64
	// lengthRatio is the new article's length in words over the earlier
	// one's.
	lengthRatio float64
	// phrases is the Jaccard index of the two articles' phrase sets (see
	// [phraseWords]), base the support plus phraseWeight times phrases,
	// lead the comparison of their leads ([leadScratch.compare]) and
	// story the story score ([storyScore]). The index sets them for the
	// best-supported candidates whose phrases it still holds (compared
	// then is set); compare leaves base the support and the others zero.
	phrases  float64
	base     float64
	lead     leadMatch
	story    float64
	compared bool
}

// compare measures a new signature against an earlier one.
func compare(a, b *Signature) signals {
	var k keyIndex
	k.reset(a)
	return k.compare(b)
}

// keyIndexSlots sizes a [keyIndex]: a power of two, so large that the
// look-up of a key the new article lacks, the usual case, finds its first
// slot free but about one time in 30.
const keyIndexSlots = 32 * SignatureTerms

// keyIndex holds the new article's signature, its keys in an
// open-addressing table, to measure it against each of its candidates:
// looking each of a candidate's keys up costs a few instructions, where a
// merge of the two sorted key lists costs many more per step, as which list
// advances is unpredictable. An index is reused: [keyIndex.reset] sets it
// to another signature.
type keyIndex struct {
	// slots are the table: a free slot is 0, another holds 1 plus the
	// place in keys of a key probed from it or from a slot before it. A
	// slot takes a byte, so that the usual look-up, which ends at a free
	// first slot, reads one byte of a 1 KB table.
	slots [keyIndexSlots]uint8
	// keys are the distinct keys of the signature.
	keys [SignatureTerms]keySlot
	// sentences has the bit of each sentence hash of the signature set
	// (see [sentenceBit]): the look-up of a hash the signature lacks
	// mostly ends at its clear bit.
	sentences uint64
	sig       Signature // a copy, so as not to keep the article's fingerprint
	// weights are the signature's [weight]s, computed once.
	weights [SignatureTerms]float64
}

// mayHold reports whether the signature may hold key: false means it
// does not.
func (k *keyIndex) mayHold(key uint32) bool {
	return k.slots[k.home(key)] != 0
}

// sentenceBit returns the bit of a sentence hash in a [keyIndex].
func sentenceBit(h uint32) uint64 { return 1 << (h * 0x9E3779B1 >> 26) }

// keySlot is a distinct key of the signature: the first place i of the
// key in its Keys, and the number n of places holding it (two hashes may
// fold alike).
type keySlot struct {
	key  uint32
	i, n uint8
}

// home returns the slot a key is probed from: its bits spread by a
// multiplication, the top ones taken.
func (k *keyIndex) home(key uint32) uint32 {
	return key * 0x9E3779B1 >> (32 - bits.TrailingZeros(keyIndexSlots))
}

// find returns the entry of key, and whether the signature holds it.
func (k *keyIndex) find(key uint32) (keySlot, bool) {
	for p := k.home(key); ; p++ {
		e := k.slots[p%keyIndexSlots]
		if e == 0 {
			return keySlot{}, false
		}
		if ks := k.keys[(e-1)%SignatureTerms]; ks.key == key {
			return ks, true
		}
	}
}

// reset makes k the index of signature a.
func (k *keyIndex) reset(a *Signature) {
	k.sig = *a
	clear(k.slots[:])
	k.sentences = 0
	for _, h := range a.Sentences[:min(int(a.NS), len(a.Sentences))] {
		k.sentences |= sentenceBit(h)
	}
	na, nk := min(int(a.N), len(a.Keys)), uint8(0)
	for i := 0; i < na; i++ {
		k.weights[i] = weight(a.Weights[i])
		key := a.Keys[i]
		if i > 0 && key == a.Keys[i-1] {
			continue // counted with its first place
		}
		n := 1
		for i+n < na && a.Keys[i+n] == key {
			n++
		}
		p := k.home(key)
		for k.slots[p%keyIndexSlots] != 0 {
			p++
		}
		k.keys[nk%SignatureTerms] = keySlot{key: key, i: uint8(i), n: uint8(n)}
		nk++
		k.slots[p%keyIndexSlots] = nk
	}
}

// shared returns the places of the keys of the indexed signature that b
// holds too, as the bits of a mask: [sharedKeys] of the two, at the cost
// of a look-up per key of b rather than a merge.
func (k *keyIndex) shared(b *Signature) uint32 {
	var mask uint32
	for _, key := range b.Keys[:min(int(b.N), len(b.Keys))] {
		if !k.mayHold(key) {
			continue
		}
		if slot, ok := k.find(key); ok {
			mask |= (1<<slot.n - 1) << slot.i // every place holding it
		}
	}
	return mask
}

// compare measures the indexed signature against an earlier one, b.
func (k *keyIndex) compare(b *Signature) signals {
	var s signals
	k.measure(b, &s)
	return s
}

// measure is compare into s: it sets the measures of s that compare sets
// and leaves the others. The shared keys are paired as a merge of the
// sorted keys pairs them (the t-th place of a key in one with its t-th
// place in the other) and their weights added up in the merge's order,
// ascending keys, so that the signals are those of a merge to the bit.
func (k *keyIndex) measure(b *Signature, s *signals) {
	a := &k.sig
	var dot, support, covered, covering float64
	nb := min(int(b.N), len(b.Keys))
	for j := 0; j < nb; j++ {
		key := b.Keys[j]
		if !k.mayHold(key) {
			continue // the usual case: not shared
		}
		slot, ok := k.find(key)
		if !ok {
			continue
		}
		run := 0 // places before j holding the key
		if j > 0 && b.Keys[j-1] == key {
			for run < j && b.Keys[j-run-1] == key {
				run++
			}
		}
		if run >= int(slot.n) {
			continue // held fewer times in a
		}
		wa, wb := k.weights[int(slot.i)+run], weight(b.Weights[j])
		dot += wa * wb
		support += min(wa*wb, supportCap)
		covered += wa * wa
		covering += wb * wb
	}
	s.support, s.base = support, support
	s.cosine = min(1, dot)
	s.covered = min(1, covered)
	s.covering = min(1, covering)
	// Sentence hashes are distinct and ascending within a signature: the
	// shared ones are those of b that a holds, mostly told apart by their
	// bits, else looked for in a from where the last one was.
	sa := a.Sentences[:min(int(a.NS), len(a.Sentences))]
	sentences, i := 0, 0
	for _, h := range b.Sentences[:min(int(b.NS), len(b.Sentences))] {
		if k.sentences&sentenceBit(h) == 0 {
			continue
		}
		for i < len(sa) && sa[i] < h {
			i++
		}
		if i < len(sa) && sa[i] == h {
			sentences++
		}
	}
	s.sentences, s.lengthRatio, s.sentenceShare = sentences, 0, 0
	if b.Words > 0 {
		s.lengthRatio = float64(a.Words) / float64(b.Words)
	}
	if b.NS > 0 {
		s.sentenceShare = float64(sentences) / float64(b.NS)
	}
}

func weight(q uint16) float64 { return float64(q) / math.MaxUint16 }

// b2i is 1 for true and 0 for false.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
