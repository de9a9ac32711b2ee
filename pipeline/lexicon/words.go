package lexicon

// WordMap maps words to values, found by the words' [Hash] through open
// addressing: a hot path that already has a word's hash pays a probe or two
// of a flat array instead of a string-keyed map's hashing and bucket
// search. It is filled first and then only read; reads need no lock, but
// Put must not run alongside anything else.
type WordMap[V any] struct {
	slots []wordSlot[V] // a power of two of them, at most half used
	shift uint          // 64 - log2(len(slots)): a hash's home slot is its top bits
	n     int
}

type wordSlot[V any] struct {
	hash  uint64
	word  string
	value V
	used  bool
}

// NewWordMap returns an empty map with room for n words.
func NewWordMap[V any](n int) *WordMap[V] {
	m := &WordMap[V]{}
	m.resize(n)
	return m
}

// Put maps word w to v, replacing what it mapped to before.
func (m *WordMap[V]) Put(w string, v V) {
	if 2*(m.n+1) > len(m.slots) {
		m.resize(2 * (m.n + 1))
	}
	s := m.slot(w, Hash(w))
	if !s.used {
		m.n++
	}
	*s = wordSlot[V]{hash: Hash(w), word: w, value: v, used: true}
}

// Get returns the value of word w, whose [Hash] is h, and whether w is in
// the map.
func (m *WordMap[V]) Get(w string, h uint64) (V, bool) {
	s := m.slot(w, h)
	return s.value, s.used
}

// Len returns the number of words in the map.
func (m *WordMap[V]) Len() int { return m.n }

// slot returns the slot holding w, whose hash is h, or the free slot where
// its probe ends.
func (m *WordMap[V]) slot(w string, h uint64) *wordSlot[V] {
	mask := uint64(len(m.slots) - 1)
	for i := (h * 0x9E3779B97F4A7C15) >> m.shift; ; i = (i + 1) & mask {
		s := &m.slots[i]
		if !s.used || s.hash == h && s.word == w {
			return s
		}
	}
}

// resize makes room for n words, keeping those held.
func (m *WordMap[V]) resize(n int) {
	size, bits := 8, uint(3)
	for size < 2*n {
		size, bits = 2*size, bits+1
	}
	old := m.slots
	m.slots, m.shift = make([]wordSlot[V], size), 64-bits
	for i := range old {
		if s := &old[i]; s.used {
			*m.slot(s.word, s.hash) = *s
		}
	}
}
