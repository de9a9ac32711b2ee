package dedup

// Phrases are the pairs of consecutive content words of an article's
// opening, stopwords skipped ("scoring record" in "broke the scoring
// record"), each hashed to 16 bits. Two reports of one event share many of
// them (the names, places, figures and turns of phrase of the event) even
// when their strongest single features are the topic words that reports of
// another event of the same kind share too; the story rule adds their
// overlap to the support (see [Index]).
const (
	// phraseWords is how many content words of an article its phrases
	// are drawn from: the opening, where news states the event, and a
	// bound on what the index keeps per article.
	phraseWords = 150
	// phraseWeight scales the phrase overlap (a Jaccard index, rarely
	// above 0.3 between reports that are not copies) against the support.
	phraseWeight = 2.0
	// storyCandidates is how many of the best-supported earlier
	// articles the story rule also compares phrases with.
	storyCandidates = 5
	// DefaultPhraseArticles is how many of the most recently recorded
	// articles keep their phrases and lead profiles, about 27 MB; see
	// [Config].PhraseArticles.
	DefaultPhraseArticles = 1 << 15
)

// phraseHash is the 16-bit hash of the phrase of two words given by their
// hashes. Between two sets of phraseWords phrases, fewer than one pair of
// different phrases shares a hash on average.
func phraseHash(a, b uint64) uint16 {
	return uint16((a*0x9E3779B97F4A7C15 ^ b) * 0xBF58476D1CE4E5B9 >> 48)
}

// phraseSet is a set of phrase hashes as a bitmap: adding, testing and
// removing a phrase costs a few instructions, where sorting and merging
// sets cost a hundred per phrase. It is scratch space, emptied after use
// by removing what was added.
type phraseSet struct {
	bits [1 << 16 / 64]uint64
}

// add puts p in the set and reports whether it was not there.
func (s *phraseSet) add(p uint16) bool {
	w, b := &s.bits[p/64], uint64(1)<<(p%64)
	if *w&b != 0 {
		return false
	}
	*w |= b
	return true
}

// put puts p in the set.
func (s *phraseSet) put(p uint16) { s.bits[p/64] |= 1 << (p % 64) }

func (s *phraseSet) has(p uint16) bool { return s.bits[p/64]&(1<<(p%64)) != 0 }

// remove takes the phrases of ps out of the set.
func (s *phraseSet) remove(ps []uint16) {
	for _, p := range ps {
		s.bits[p/64] &^= 1 << (p % 64)
	}
}

// jaccard returns the Jaccard index of the phrases of b and those of the
// set, of which there are n: shared phrases over distinct ones, 0 when
// both are empty. The phrases of b must be distinct.
func (s *phraseSet) jaccard(n int, b []uint16) float64 {
	shared := 0
	for _, p := range b {
		shared += b2i(s.has(p))
	}
	if union := n + len(b) - shared; union > 0 {
		return float64(shared) / float64(union)
	}
	return 0
}

// phraseRing keeps the phrase sets and lead profiles of the most recently
// recorded articles, by their [Record].Seq; an article recorded more than
// its length earlier has lost them. Its slots reuse their buffers, so that
// recording costs no allocation once the ring has gone round.
type phraseRing struct {
	slots   []phraseSlot // a power of two of them
	touched uint16       // phrases read ahead by [Index.addPhrases], kept
}

type phraseSlot struct {
	seq  uint64 // 0: empty
	set  []uint16
	lead leadProfile
}

// newPhraseRing returns a ring holding the sets of at least n articles.
func newPhraseRing(n int) *phraseRing {
	size := 1
	for size < n {
		size *= 2
	}
	return &phraseRing{slots: make([]phraseSlot, size)}
}

func (r *phraseRing) slot(seq uint64) *phraseSlot {
	return &r.slots[seq&uint64(len(r.slots)-1)]
}

// put keeps a copy of the phrase set and lead profile of the article
// recorded as seq.
func (r *phraseRing) put(seq uint64, set []uint16, lead *leadProfile) {
	s := r.slot(seq)
	s.seq, s.set = seq, append(s.set[:0], set...)
	s.lead.packed, s.lead.figures, s.lead.bloom = append(s.lead.packed[:0], lead.packed...), append(s.lead.figures[:0], lead.figures...), lead.bloom
}

// get returns the phrase set and lead profile of the article recorded as
// seq, if the ring still holds them.
func (r *phraseRing) get(seq uint64) ([]uint16, *leadProfile, bool) {
	s := r.slot(seq)
	if s.seq != seq || seq == 0 {
		return nil, nil, false
	}
	return s.set, &s.lead, true
}
