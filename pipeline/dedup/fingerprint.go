package dedup

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/wiredesk/wiredesk/pipeline/lexicon"
)

// Sizes of a [Signature]. They bound the per-article memory of the index.
const (
	// SignatureTerms is how many of an article's strongest features a
	// signature keeps: enough to cover the names, numbers and rare terms of
	// a long report, few enough for a compact record.
	SignatureTerms = 32
	// SignatureSentences is how many sentence hashes a signature keeps (the
	// smallest ones, a bottom-k sample that two copies draw alike).
	SignatureSentences = 8
	// blockingKeys is how many of the strongest features are posted in the
	// candidate index.
	blockingKeys = 8
)

// Feature kinds. A key carries its kind in its low two bits (see
// hashFeature), so a stored signature still tells names and numbers from
// other terms.
const (
	kindTerm   = 't'
	kindName   = 'n'
	kindNumber = '#'
)

// Signature is the compact fingerprint of one article that the index keeps:
// its strongest features (terms, capitalised name sequences and numbers,
// weighted by rarity) and a sample of its sentence hashes. It is a plain
// value of 232 bytes, free of pointers.
type Signature struct {
	// Keys are feature hashes in ascending order; the first N are used.
	Keys [SignatureTerms]uint32
	// Weights[i] is the weight of Keys[i], the vector scaled to unit
	// length and quantised to 1/65535.
	Weights [SignatureTerms]uint16
	N       uint8
	// Words is the article's length in words (saturating).
	Words uint16
	// Sentences are the smallest hashes of the article's sentences of six
	// words or more, ascending; the first NS are used.
	Sentences [SignatureSentences]uint32
	NS        uint8
}

// fingerprint is a [Signature] plus what only the article being decided
// needs: its strongest features with their text, for evidence (strongest
// first, the first blockingKeys being its blocking keys), and the
// [lexicon.Hash]es of its distinct features, to update the rarity table.
type fingerprint struct {
	sig   Signature
	top   []feat
	block []uint32
	body  string // the text read, for the text of top features
	// terms are the hashes of distinct texts whatever their kind: names
	// hold a space, numbers start with a digit, other terms do neither.
	terms []uint64
}

type scored struct {
	score float64
	key   uint32
	i     int32
}

// stronger orders features by score, then key, so that ties are broken the
// same way whatever the order of the text.
func stronger(a, b scored) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return a.key < b.key
}

// feat is one distinct feature of an article. Its text, as evidence shows
// it, is built only when needed ([fingerprint.text]): a term's is its first
// mention as written, a name's the span of its first mention.
type feat struct {
	hash  uint64 // lexicon.Hash of the text
	key   uint32
	kind  byte
	text  string // a term or number as first written, "" for a name
	start int32  // a name's first mention: its words in the text
	end   int32
	tf    float64 // position-weighted count
	score float64
}

// scratch holds the buffers of one extraction, reused through scratchPool:
// growing them afresh for every article cost more than the extraction.
type scratch struct {
	index     featIndex
	feats     []feat
	sentences []uint32
	idf       []float64
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// release clears the scratch of references into the article and returns it
// to the pool.
func (sc *scratch) release() {
	clear(sc.feats)
	sc.index.reset()
	sc.feats, sc.sentences = sc.feats[:0], sc.sentences[:0]
	scratchPool.Put(sc)
}

// featIndex maps feature hashes to their place in an article's feature
// list: an open-addressing table, cheaper to fill and to clear than a map
// for the few hundred features of an article.
type featIndex struct {
	slots []featSlot // a power of two long; i+1 in a used slot, 0 if free
	used  int
}

type featSlot struct {
	hash uint64
	i    int32 // feature index + 1; 0 marks a free slot
}

// lookup returns the index stored for h and true, or stores next for h
// and returns it and false.
func (x *featIndex) lookup(h uint64, next int32) (int32, bool) {
	if 2*(x.used+1) > len(x.slots) {
		x.grow()
	}
	mask := uint64(len(x.slots) - 1)
	for p := h & mask; ; p = (p + 1) & mask {
		s := &x.slots[p]
		switch {
		case s.i == 0:
			x.used++
			*s = featSlot{hash: h, i: next + 1}
			return next, false
		case s.hash == h:
			return s.i - 1, true
		}
	}
}

func (x *featIndex) grow() {
	old := x.slots
	x.slots = make([]featSlot, max(512, 2*len(old)))
	mask := uint64(len(x.slots) - 1)
	for _, s := range old {
		if s.i == 0 {
			continue
		}
		p := s.hash & mask
		for x.slots[p].i != 0 {
			p = (p + 1) & mask
		}
		x.slots[p] = s
	}
}

func (x *featIndex) reset() {
	clear(x.slots)
	x.used = 0
}

// extract computes the fingerprint of a title and text against the rarity
// table. It reads the table but does not update it.
func extract(title, text string, table *lexicon.Table) *fingerprint {
	sc := scratchPool.Get().(*scratch)
	defer sc.release()
	feats := sc.feats
	add := func(kind byte, h uint64, s string, w float64) int32 {
		i, ok := sc.index.lookup(h, int32(len(feats)))
		if !ok {
			feats = append(feats, feat{hash: h, key: featureKey(kind, h), kind: kind, text: s})
		}
		feats[i].tf += w
		return i
	}
	body := text
	if title != "" && !strings.Contains(text, title) {
		body = title + "\n" + text
	}
	var (
		sentences = sc.sentences
		sent      = fnvOffset // hash of the current sentence's words
		sentWords int
		first     = true // the word starts a sentence
		// The current run of capitalised words: its hash (the words
		// joined by spaces), length, span and weight.
		name               = lexicon.HashOffset
		nameWords          int
		nameStart, nameEnd int
		nameW              float64
	)
	flush := func() {
		if nameWords >= 2 {
			i := add(kindName, name, "", nameW)
			if feats[i].end == 0 {
				feats[i].start, feats[i].end = int32(nameStart), int32(nameEnd)
			}
		}
		name, nameWords, nameW = lexicon.HashOffset, 0, 0
	}
	// Sentences of six words or more are hashed, so that punctuation,
	// spacing and case do not matter and short furniture lines ("Read
	// more") are not counted.
	endSentence := func() {
		flush()
		if sentWords >= 6 {
			sentences = append(sentences, sent)
		}
		sent, sentWords, first = fnvOffset, 0, true
	}
	pos, prevEnd := 0, 0
	for start, end := lexicon.NextWord(body, 0); start >= 0; start, end = lexicon.NextWord(body, end) {
		if pos > 0 && sentenceBreak(body[prevEnd:start]) {
			endSentence()
		}
		word := body[start:end]
		term := termOf(word)
		number := isNumber(term)
		h := lowerHash(lexicon.HashOffset, term, number, false)
		sent = (sent ^ uint32(h^h>>32)) * fnvPrime
		sentWords++
		sentenceStart := first
		first = false
		w := positionWeight(pos)
		pos, prevEnd = pos+1, end
		switch {
		case number:
			flush()
			add(kindNumber, h, term, w)
			continue
		case shorterThan2(term):
			flush()
			continue
		}
		// Hyphenated words count as their parts, so that spelling
		// variants ("Jong-un", "Jong Un") share features.
		if strings.IndexByte(term, '-') < 0 {
			add(kindTerm, h, term, w)
		} else {
			for part := range strings.SplitSeq(term, "-") {
				switch {
				case isNumber(part): // "Su-57"
					add(kindNumber, lowerHash(lexicon.HashOffset, part, true, false), part, w)
				case !shorterThan2(part):
					add(kindTerm, lowerHash(lexicon.HashOffset, part, false, false), part, w)
				}
			}
		}
		// A capitalised common word opening a sentence ("The", "On")
		// does not start a name.
		if !capitalised(word) || sentenceStart && table.DFOf(h) > 0 {
			flush()
			continue
		}
		if nameWords > 0 {
			name = lexicon.HashByte(name, ' ')
		} else {
			nameStart = start
		}
		name = lowerHash(name, term, false, true)
		nameWords, nameEnd = nameWords+1, end
		nameW = max(nameW, w)
	}
	endSentence()
	sc.feats, sc.sentences = feats, sentences

	fp := &fingerprint{terms: make([]uint64, len(feats))}
	for i := range feats {
		fp.terms[i] = feats[i].hash
	}
	// Rank by score through a pointer-free slice (moving features would
	// cost write barriers), keeping only the strongest: a bounded insertion
	// rejects most features with one comparison.
	sc.idf = table.AppendIDFsOf(sc.idf[:0], fp.terms)
	idf := sc.idf
	ranked := make([]scored, 0, SignatureTerms+1)
	for i := range feats {
		feats[i].score = tfWeight(feats[i].tf) * idf[i]
		c := scored{feats[i].score, feats[i].key, int32(i)}
		if len(ranked) == SignatureTerms && !stronger(c, ranked[len(ranked)-1]) {
			continue
		}
		at, _ := slices.BinarySearchFunc(ranked, c, func(e, c scored) int {
			if stronger(e, c) {
				return -1
			}
			return 1
		})
		ranked = slices.Insert(ranked, at, c)
		if len(ranked) > SignatureTerms {
			ranked = ranked[:SignatureTerms]
		}
	}
	fp.top = make([]feat, len(ranked))
	for i, r := range ranked {
		fp.top[i] = feats[r.i]
	}
	fp.body = body
	var norm float64
	for i, f := range fp.top {
		norm += f.score * f.score
		if i < blockingKeys {
			fp.block = append(fp.block, f.key)
		}
	}
	norm = math.Sqrt(norm)
	// Sort the small rank records by key, not the features themselves.
	slices.SortFunc(ranked, func(a, b scored) int { return cmp.Compare(a.key, b.key) })
	for i, r := range ranked {
		f := &feats[r.i]
		w := 0.0
		if norm > 0 {
			w = f.score / norm
		}
		fp.sig.Keys[i] = f.key
		fp.sig.Weights[i] = uint16(math.Round(w * math.MaxUint16))
	}
	fp.sig.N = uint8(len(ranked))
	fp.sig.Words = uint16(min(pos, math.MaxUint16))

	slices.Sort(sentences)
	sentences = slices.Compact(sentences)
	fp.sig.NS = uint8(copy(fp.sig.Sentences[:], sentences))
	return fp
}

// text returns the text of one of the fingerprint's top features, as
// evidence shows it: lower-case, a name's words joined by spaces, a
// number without thousands separators.
func (fp *fingerprint) text(f *feat) string {
	switch f.kind {
	case kindName:
		return nameText(fp.body[f.start:f.end])
	case kindNumber:
		return strings.ToLower(strings.ReplaceAll(f.text, ",", ""))
	}
	return strings.ToLower(f.text)
}

// nameText returns the text of a name feature from the words it spans:
// their normalised lower-case forms, hyphens made spaces, joined by spaces.
func nameText(span string) string {
	var b strings.Builder
	for _, t := range lexicon.Tokenize(span) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strings.ReplaceAll(normalise(t.Lower), "-", " "))
	}
	return b.String()
}

// featureKey is the key of a feature in a [Signature]: its
// [lexicon.Hash] folded to 32 bits, the low two bits encoding its kind, so
// a stored signature still tells names from other terms.
func featureKey(kind byte, h uint64) uint32 {
	return uint32(h^h>>32)&^3 | kindCode(kind)
}

// A sentence's hash folds the 32-bit FNV-1a way over its words' term
// hashes (one step per word, not per byte).
const (
	fnvOffset uint32 = 2166136261
	fnvPrime  uint32 = 16777619
)

func kindCode(kind byte) uint32 {
	switch kind {
	case kindName:
		return 2
	case kindNumber:
		return 3
	}
	return 0
}

// termOf returns the term a word counts as: its possessive ("Kim's")
// folded into the noun, typographic apostrophes made plain. An ASCII word
// keeps its case, its hash lower-casing it ([lowerHash]), so that no
// string is built per word; other words are lower-cased.
func termOf(word string) string {
	for i := 0; i < len(word); i++ {
		if word[i] >= utf8.RuneSelf {
			return normalise(strings.ToLower(word))
		}
	}
	return lexicon.TrimPossessive(word)
}

// lowerHash extends the [lexicon.Hash] h with s lower-cased (its ASCII
// letters: s is ASCII or lower-case already), leaving out commas if number
// is set ("2,290" is 2290) and reading hyphens as spaces if spaced.
func lowerHash(h uint64, s string, number, spaced bool) uint64 {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c-'A' < 26:
			c += 'a' - 'A'
		case c == ',' && number:
			continue
		case c == '-' && spaced:
			c = ' '
		}
		h = lexicon.HashByte(h, c)
	}
	return h
}

// normalise folds a possessive ("kim's") into its noun and typographic
// apostrophes into plain ones, and drops thousands separators from numbers.
func normalise(lower string) string {
	if strings.IndexByte(lower, "’"[0]) >= 0 {
		lower = strings.ReplaceAll(lower, "’", "'")
	}
	lower = strings.TrimSuffix(lower, "'s")
	if isNumber(lower) {
		lower = strings.ReplaceAll(lower, ",", "")
	}
	return lower
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	if c := s[0]; c < utf8.RuneSelf {
		return '0' <= c && c <= '9'
	}
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsDigit(r)
}

func capitalised(s string) bool {
	if s == "" {
		return false
	}
	if c := s[0]; c < utf8.RuneSelf {
		return 'A' <= c && c <= 'Z'
	}
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r)
}

// shorterThan2 tells whether s has fewer than two runes.
func shorterThan2(s string) bool {
	if len(s) < 2 {
		return true
	}
	if s[0] < utf8.RuneSelf || len(s) > 4 {
		return false
	}
	return utf8.RuneCountInString(s) < 2
}

// positionScale is the number of words after which a word counts half as
// much as the first one (tuned on the development data: 50 to 200 are
// within 0.03 of ARI).
const positionScale = 100.0

// positionWeight weighs the word at position pos (in words from the start):
// news puts the event first, while site furniture and teasers for other
// stories gather at the end.
func positionWeight(pos int) float64 {
	if pos < len(positionWeights) {
		return positionWeights[pos]
	}
	return 1 / (1 + float64(pos)/positionScale)
}

// positionWeights holds the [positionWeight] of the first words, sparing a
// division per word.
var positionWeights = func() (w [4096]float64) {
	for pos := range w {
		w[pos] = 1 / (1 + float64(pos)/positionScale)
	}
	return w
}()

// tfWeight is linear in the position-weighted count: a square root did
// worse on the development data (ARI 0.78 against 0.81), as repetition is
// how a report marks what it is about.
func tfWeight(tf float64) float64 { return tf }

// sentenceBreak tells whether the text between two words ends a sentence:
// a line break, or ".", "!" or "?" followed by a space.
func sentenceBreak(gap string) bool {
	if gap == " " {
		return false
	}
	if strings.IndexByte(gap, '\n') >= 0 {
		return true
	}
	return strings.ContainsAny(gap, ".!?") && strings.HasSuffix(gap, " ")
}
