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
// first, the first blockingKeys being its blocking keys), and its distinct
// features, to update the rarity table.
type fingerprint struct {
	sig   Signature
	top   []feat
	block []uint32
	// terms are distinct texts whatever their kind: names hold a space,
	// numbers start with a digit, other terms do neither.
	terms []string
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

type feat struct {
	key   uint32
	kind  byte
	text  string
	tf    float64 // position-weighted count
	score float64
}

// scratch holds the buffers of one extraction, reused through scratchPool:
// growing them afresh for every article cost more than the extraction.
type scratch struct {
	index     map[uint32]int32
	feats     []feat
	toks      []lexicon.Token
	sentences []uint32
	name      []string
	idf       []float64
}

var scratchPool = sync.Pool{New: func() any { return &scratch{index: map[uint32]int32{}} }}

// release clears the scratch of references into the article and returns it
// to the pool.
func (sc *scratch) release() {
	clear(sc.index)
	clear(sc.feats)
	clear(sc.toks)
	clear(sc.name)
	sc.feats, sc.toks, sc.sentences, sc.name = sc.feats[:0], sc.toks[:0], sc.sentences[:0], sc.name[:0]
	scratchPool.Put(sc)
}

// extract computes the fingerprint of a title and text against the rarity
// table. It reads the table but does not update it.
func extract(title, text string, table *lexicon.Table) *fingerprint {
	sc := scratchPool.Get().(*scratch)
	defer sc.release()
	index, feats := sc.index, sc.feats
	add := func(kind byte, s string, w float64) {
		k := hashFeature(kind, s)
		i, ok := index[k]
		if !ok {
			i = int32(len(feats))
			index[k] = i
			feats = append(feats, feat{key: k, kind: kind, text: s})
		}
		feats[i].tf += w
	}
	body := text
	if title != "" && !strings.Contains(text, title) {
		body = title + "\n" + text
	}
	var (
		sentences = sc.sentences
		sent      = fnvOffset // hash of the current sentence's words
		sentWords int
		name      = sc.name // the current run of capitalised words
		nameW     float64
		first     = true // the word starts a sentence
	)
	flush := func() {
		if len(name) >= 2 {
			add(kindName, strings.Join(name, " "), nameW)
		}
		name, nameW = name[:0], 0
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
	toks := lexicon.AppendTokens(sc.toks, body)
	for pos, t := range toks {
		if pos > 0 && sentenceBreak(body[toks[pos-1].End:t.Start]) {
			endSentence()
		}
		sent = (fnvString(sent, t.Lower) ^ ' ') * fnvPrime
		sentWords++
		sentenceStart := first
		first = false

		term := normalise(t.Lower)
		w := positionWeight(pos)
		switch {
		case isNumber(term):
			flush()
			add(kindNumber, term, w)
			continue
		case utf8.RuneCountInString(term) < 2:
			flush()
			continue
		}
		// Hyphenated words count as their parts, so that spelling
		// variants ("Jong-un", "Jong Un") share features.
		if !strings.Contains(term, "-") {
			add(kindTerm, term, w)
		} else {
			for part := range strings.SplitSeq(term, "-") {
				switch {
				case isNumber(part): // "Su-57"
					add(kindNumber, part, w)
				case utf8.RuneCountInString(part) >= 2:
					add(kindTerm, part, w)
				}
			}
		}
		// A capitalised common word opening a sentence ("The", "On")
		// does not start a name.
		if capitalised(t.Text) && !(sentenceStart && table.DF(term) > 0) {
			name = append(name, strings.ReplaceAll(term, "-", " "))
			nameW = max(nameW, w)
		} else {
			flush()
		}
	}
	endSentence()
	sc.feats, sc.toks, sc.sentences, sc.name = feats, toks, sentences, name

	fp := &fingerprint{terms: make([]string, len(feats))}
	for i := range feats {
		fp.terms[i] = feats[i].text
	}
	// Rank by score through a pointer-free slice (moving features would
	// cost write barriers), keeping only the strongest: a bounded insertion
	// rejects most features with one comparison.
	sc.idf = table.AppendIDFs(sc.idf[:0], fp.terms)
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
	fp.sig.Words = uint16(min(len(toks), math.MaxUint16))

	slices.Sort(sentences)
	sentences = slices.Compact(sentences)
	fp.sig.NS = uint8(copy(fp.sig.Sentences[:], sentences))
	return fp
}

// hashFeature hashes a feature; the low two bits of the key encode its
// kind, so a stored signature still tells names from other terms.
func hashFeature(kind byte, s string) uint32 {
	return fnvString(fnvOffset, s)&^3 | kindCode(kind)
}

// FNV-1a, inlined: hash/fnv would allocate per call on this hot path.
const (
	fnvOffset uint32 = 2166136261
	fnvPrime  uint32 = 16777619
)

func fnvString(h uint32, s string) uint32 {
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * fnvPrime
	}
	return h
}

func kindCode(kind byte) uint32 {
	switch kind {
	case kindName:
		return 2
	case kindNumber:
		return 3
	}
	return 0
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
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsDigit(r)
}

func capitalised(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r)
}

// positionScale is the number of words after which a word counts half as
// much as the first one (tuned on the development data: 50 to 200 are
// within 0.03 of ARI).
const positionScale = 100.0

// positionWeight weighs the word at position pos (in words from the start):
// news puts the event first, while site furniture and teasers for other
// stories gather at the end.
func positionWeight(pos int) float64 { return 1 / (1 + float64(pos)/positionScale) }

// tfWeight is linear in the position-weighted count: a square root did
// worse on the development data (ARI 0.78 against 0.81), as repetition is
// how a report marks what it is about.
func tfWeight(tf float64) float64 { return tf }

// sentenceBreak tells whether the text between two words ends a sentence:
// a line break, or ".", "!" or "?" followed by a space.
func sentenceBreak(gap string) bool {
	if strings.IndexByte(gap, '\n') >= 0 {
		return true
	}
	return strings.ContainsAny(gap, ".!?") && strings.HasSuffix(gap, " ")
}
