package enrich

import (
	"iter"
	"math"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/wiredesk/wiredesk/pipeline"
	"github.com/wiredesk/wiredesk/pipeline/lexicon"
)

// Phrase limits: a run of capitalised words longer than maxNameWords is a
// title-case headline or a list rather than a name, and a phrase seen only
// once is as likely an accident of wording as a topic.
const (
	maxNameWords   = 4
	minPhraseCount = 2
)

// phraseKey holds the words of a candidate, unused ones nil. Within one
// counter a word's pointer stands for its key, so a phrase is compared as a
// few pointers rather than as strings, and hashed by its words' ids (see
// [phraseIndex]).
type phraseKey [maxNameWords]*word

// candidate is a keyword being scored: a content word or a phrase.
type candidate struct {
	words phraseKey
	n     int    // number of words
	key   string // words joined by spaces, set once the candidate is kept
	// first and last are the tokens of its first occurrence, which it is
	// displayed as (see [counter.display]), lower-cased if fold is set.
	first, last int
	lowered     bool // written in lower case, or displayed so
	fold        bool // mostly written in lower case, though not at first
	count       int
	lower       int     // occurrences written all in lower case
	weight      float64 // sum of the weights of its words
	score       float64 // count times weight, set once counting is done
}

// slab hands out zeroed values from chunks that it keeps for reuse, so
// the hundreds of words and candidates of an article cost no allocation
// once a pooled counter has seen an article as large.
type slab[T any] struct {
	chunks [][]T
	n      int // values handed out since the last reset
}

const slabChunk = 64

func (s *slab[T]) new() *T {
	if s.n == len(s.chunks)*slabChunk {
		s.chunks = append(s.chunks, make([]T, slabChunk))
	}
	v := &s.chunks[s.n/slabChunk][s.n%slabChunk]
	s.n++
	return v
}

// all yields the values handed out since the last reset, in order.
func (s *slab[T]) all() iter.Seq[*T] {
	return func(yield func(*T) bool) {
		for i := range s.n {
			if !yield(&s.chunks[i/slabChunk][i%slabChunk]) {
				return
			}
		}
	}
}

// reset zeroes the values handed out, so they hold on to nothing, and
// makes them available again.
func (s *slab[T]) reset() {
	for i := 0; i < s.n; i += slabChunk {
		clear(s.chunks[i/slabChunk][:min(slabChunk, s.n-i)])
	}
	s.n = 0
}

// word is what an article's counter knows about one distinct word.
type word struct {
	key     string // see [appendKey]
	id      uint64 // the order it was met in, from 0: the phrase index hashes it
	content bool   // see [isContent]
	weight  float64
	single  *candidate // the word as a keyword of its own, once counted
}

// counter counts the keyword candidates of one text. Each token costs one
// probe of a table by the hash of its key; each distinct word is looked
// up once: its stopword status, its rarity (for all the words of the text
// under one lock, when the [Rarity] is a [hashedRarity]) and its
// single-word candidate. Counters are pooled: all their buffers, tables
// and slabs are reused from one article to the next.
type counter struct {
	text    string
	toks    []span
	stat    []form       // per token
	covered []bool       // per token: part of a frequent phrase
	occs    []occurrence // phrase occurrences, in text order
	kept    []*candidate // the candidates that qualify, scored
	chosen  []*candidate // the keywords picked so far
	// nWords counts the whitespace-separated runs of the text that hold
	// a letter or digit, as a reader counts words: "F-16s" and "Kim's" are
	// one word each, a lone dash is none. The words of the text never span
	// white space (see [appendWords]), so every such run holds at least
	// one, and the first word of a run is the first of the text or has
	// white space before it.
	nWords  int
	words   wordIndex // by key: "Russia’s" and "russia" share a word
	phrases phraseIndex
	keyBuf  []byte
	// The content words met for the first time, the hashes of their keys
	// and their rarities, looked up together once the text is read.
	fresh   []*word
	hashes  []uint64
	idfs    []float64
	wordMem slab[word]
	candMem slab[candidate]
}

// form is what the counter knows about one token: its word and how it is
// written.
type form struct {
	w       *word
	capital bool // starts with an upper-case letter
	upper   bool // holds an upper-case letter
	content bool // its word is a content word (see [isContent])
	// joined is set when the token and the one before are content words
	// one space apart, as the words of a phrase are.
	joined bool
}

// hashedRarity is a [Rarity] that also looks up terms by their
// [lexicon.Hash], many under one lock; *lexicon.Table is one. The keyword
// extractor uses it when the Rarity passed to [New] has it.
type hashedRarity interface {
	Rarity
	// AppendIDFsOf appends the IDF of each term, given by its hash, to dst.
	AppendIDFsOf(dst []float64, hashes []uint64) []float64
}

// wordIndex finds the words of a counter by the [lexicon.Hash] of their
// keys, by open addressing: a token costs a hash and a probe or two of a
// flat array rather than a string-keyed map access.
type wordIndex struct {
	slots []wordSlot // a power of two of them, more than there are tokens
}

type wordSlot struct {
	hash uint64
	w    *word // nil for an empty slot
}

// grow makes room in the empty x for up to n words.
func (x *wordIndex) grow(n int) {
	size := 64
	for size <= n {
		size *= 2
	}
	if len(x.slots) < size {
		x.slots = make([]wordSlot, size)
	}
}

// find returns the slot of the word of key and hash h: the word's, or the
// empty slot to put it in.
func find[K string | []byte](x *wordIndex, h uint64, key K) *wordSlot {
	mask := uint64(len(x.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &x.slots[i]
		if s.w == nil || s.hash == h && s.w.key == string(key) {
			return s
		}
	}
}

// occurrence is one phrase occurrence: tokens first..last.
type occurrence struct {
	first, last int
	c           *candidate
}

var counters = sync.Pool{New: func() any { return new(counter) }}

// getCounter returns a pooled counter loaded with the words of text; give
// it back with [counter.release] once its candidates are no longer used.
func getCounter(text string, rarity Rarity) *counter {
	k := counters.Get().(*counter)
	k.text = text
	k.toks = appendWords(k.toks[:0], text)
	toks := k.toks
	k.words.grow(len(toks))
	k.stat = resize(k.stat, len(toks))
	k.nWords = min(1, len(toks))
	prevEnd, prevContent := 0, false // of the token before
	for i, t := range toks {
		f := k.form(text[t.start:t.end])
		if i > 0 {
			oneSpace := t.start == prevEnd+1 && text[prevEnd] == ' '
			f.joined = f.content && prevContent && oneSpace
			if oneSpace || hasSpace(text[prevEnd:t.start]) {
				k.nWords++
			}
		}
		k.stat[i] = f
		prevEnd, prevContent = t.end, f.content
	}
	k.weigh(rarity)
	return k
}

// weigh sets the weights of the content words met for the first time.
func (k *counter) weigh(rarity Rarity) {
	idfs := k.idfs[:0]
	if hr, ok := rarity.(hashedRarity); ok {
		idfs = hr.AppendIDFsOf(idfs, k.hashes)
	} else {
		for _, w := range k.fresh {
			idfs = append(idfs, rarity.IDF(w.key))
		}
	}
	for i, w := range k.fresh {
		w.weight = 1 + max(0, idfs[i])
	}
	k.idfs = idfs
}

// span is a word's byte range in the text.
type span struct{ start, end int }

// appendWords appends the words of text to dst, split as
// [lexicon.Tokenize] splits them (which the rarity table's terms come
// from): runs of letters and digits, with inner apostrophes and hyphens
// between letters or digits and periods and commas between digits kept.
// Unlike lexicon.Tokenize it does not lower-case each word; the counter
// does that once per distinct form.
func appendWords(dst []span, text string) []span {
	start := -1
	prev := rune(-1) // the rune before i
	for i := 0; i < len(text); {
		// The common cases, ASCII letters, digits, spaces and punctuation
		// that never joins a word, skip the decoding and the separator
		// rules.
		c := text[i]
		switch asciiClass[c] {
		case asciiAlnum:
			if start < 0 {
				start = i
			}
			for i++; i < len(text) && asciiClass[text[i]] == asciiAlnum; i++ {
			}
			prev = rune(text[i-1])
			continue
		case asciiSpace, asciiOther:
			if start >= 0 {
				dst = append(dst, span{start, i})
				start = -1
			}
			prev = rune(c)
			i++
			continue
		}
		r, size := rune(c), 1
		if c >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(text[i:])
		}
		switch {
		case isLetterOrDigit(r):
			if start < 0 {
				start = i
			}
		case start >= 0 && !joinsWord(prev, r, text[i+size:]):
			dst = append(dst, span{start, i})
			start = -1
		}
		prev = r
		i += size
	}
	if start >= 0 {
		dst = append(dst, span{start, len(text)})
	}
	return dst
}

// joinsWord reports whether separator r, after rune prev and before rest,
// continues a word.
func joinsWord(prev, r rune, rest string) bool {
	next, _ := utf8.DecodeRuneInString(rest)
	switch r {
	case '\'', '’', '-':
		return isLetterOrDigit(prev) && isLetterOrDigit(next)
	case '.', ',':
		return unicode.IsDigit(prev) && unicode.IsDigit(next)
	}
	return false
}

// form returns what the counter knows of a token as written, adding its
// word on first use.
func (k *counter) form(s string) form {
	var slot *wordSlot
	h, own := ownKeyHash(s)
	upper := false
	if own {
		// Most words are written as their key: no copy.
		if slot = find(&k.words, h, s); slot.w == nil {
			slot.hash, slot.w = h, k.word(s, h)
		}
	} else {
		k.keyBuf, h, upper = appendKey(k.keyBuf[:0], s)
		if slot = find(&k.words, h, k.keyBuf); slot.w == nil {
			slot.hash, slot.w = h, k.word(string(k.keyBuf), h)
		}
	}
	return form{w: slot.w, upper: upper, capital: upper && isCapitalised(s), content: slot.w.content}
}

// ownKeyHash returns the [lexicon.Hash] of word and true if the word is
// its own key (see [appendKey]): ASCII without capitals or a possessive.
// It gives up with false at the first byte that is not so.
func ownKeyHash(word string) (uint64, bool) {
	h := lexicon.HashOffset
	for i := 0; i < len(word); i++ {
		c := word[i]
		if c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' {
			return 0, false
		}
		h = lexicon.HashByte(h, c)
	}
	n := len(word)
	return h, n <= 2 || word[n-2] != '\'' || word[n-1] != 's'
}

// word returns a new word of key, whose hash is h. A content word waits
// in k.fresh for [counter.weigh] to weigh it.
func (k *counter) word(key string, h uint64) *word {
	w := k.wordMem.new()
	w.key, w.id, w.content = key, uint64(k.wordMem.n-1), isContent(key, h)
	if w.content {
		k.fresh = append(k.fresh, w)
		k.hashes = append(k.hashes, h)
	}
	return w
}

// release clears k, dropping its references to the text, and puts it back
// in the pool.
func (k *counter) release() {
	k.text = ""
	clear(k.toks)
	clear(k.stat)
	clear(k.kept)
	clear(k.chosen)
	clear(k.occs)
	clear(k.words.slots)
	clear(k.fresh)
	k.fresh, k.hashes = k.fresh[:0], k.hashes[:0]
	k.phrases.reset()
	k.wordMem.reset()
	k.candMem.reset()
	counters.Put(k)
}

// resize returns s with length n, zeroed, reusing its array if it can.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// addWord counts one occurrence of token i as a keyword of its own.
func (k *counter) addWord(i int) {
	f := &k.stat[i]
	c := f.w.single
	if c == nil {
		c = k.candidate(phraseKey{f.w}, i, i, f.upper)
		f.w.single = c
	}
	c.observe(f.upper)
}

// addPhrase counts one occurrence of the phrase made of tokens first..last.
func (k *counter) addPhrase(first, last int) *candidate {
	var key phraseKey
	upper := false // the occurrence holds an upper-case letter
	for i := first; i <= last; i++ {
		key[i-first] = k.stat[i].w
		upper = upper || k.stat[i].upper
	}
	c := k.phrases.get(&key)
	if c == nil {
		c = k.candidate(key, first, last, upper)
		k.phrases.put(c)
	}
	c.observe(upper)
	return c
}

// candidate returns a new candidate of the words key, first met as tokens
// first..last, which hold an upper-case letter if upper is set.
func (k *counter) candidate(key phraseKey, first, last int, upper bool) *candidate {
	c := k.candMem.new()
	c.words, c.n = key, last-first+1
	c.first, c.last = first, last
	c.lowered = !upper // already lower case
	for _, w := range key[:c.n] {
		c.weight += w.weight
	}
	return c
}

// observe counts one occurrence of c, which holds an upper-case letter if
// upper is set. A candidate mostly written in lower case is displayed so.
// Only the few candidates that make the keywords are displayed: their
// display strings are built then (see [counter.display]).
func (c *candidate) observe(upper bool) {
	c.count++
	if !upper {
		c.lower++
	}
	if 2*c.lower > c.count && !c.lowered {
		c.fold, c.lowered = true, true
	}
}

// phraseIndex finds the phrase candidates of a counter by their words, by
// open addressing on a hash of the words' ids: cheaper than a map keyed by
// the four pointers of a [phraseKey], which hashes their 32 bytes.
type phraseIndex struct {
	slots []*candidate // a power of two of them, at most half used; nil for none
	n     int
}

// get returns the candidate of the phrase of words key, or nil.
func (x *phraseIndex) get(key *phraseKey) *candidate {
	if x.slots == nil {
		return nil
	}
	return *x.slot(key)
}

// put adds candidate c, whose words are not in the index yet.
func (x *phraseIndex) put(c *candidate) {
	if 2*(x.n+1) > len(x.slots) {
		old := x.slots
		x.slots = make([]*candidate, max(64, 2*len(old)))
		for _, o := range old {
			if o != nil {
				*x.slot(&o.words) = o
			}
		}
	}
	*x.slot(&c.words) = c
	x.n++
}

// slot returns the slot of the phrase of words key: its candidate's, or
// the empty slot to put it in.
func (x *phraseIndex) slot(key *phraseKey) **candidate {
	var h uint64
	for _, w := range key {
		if w == nil {
			break
		}
		h = (h + w.id + 1) * 0x9E3779B97F4A7C15
	}
	mask := uint64(len(x.slots) - 1)
	for i := h >> 32 & mask; ; i = (i + 1) & mask {
		if s := &x.slots[i]; *s == nil || (*s).words == *key {
			return s
		}
	}
}

// reset empties the index, keeping its slots.
func (x *phraseIndex) reset() {
	clear(x.slots)
	x.n = 0
}

// count counts the phrases first, then credits each content word
// occurrence that is not part of a frequent phrase to the word itself, so
// that "North" is scored by its mentions outside "North Korea". It returns
// the candidates that qualify as keywords, scored.
func (k *counter) count() []*candidate {
	occs := k.occs[:0]
	stat := k.stat
	runStart := -1 // first token of the current run of capitalised content words
	for i := range k.toks {
		if !stat[i].content || !stat[i].capital {
			runStart = -1
		} else if runStart < 0 || !stat[i].joined {
			runStart = i
		}
		if stat[i].joined && !stat[i-1].capital && !stat[i].capital && stat[i-1].w != stat[i].w {
			occs = append(occs, occurrence{i - 1, i, k.addPhrase(i-1, i)})
		}
		// Take a run of names when it ends here, unless it is a headline.
		ends := i+1 == len(k.toks) || !stat[i+1].capital || !stat[i+1].joined
		if runStart >= 0 && ends && i > runStart && i-runStart < maxNameWords {
			occs = append(occs, occurrence{runStart, i, k.addPhrase(runStart, i)})
		}
	}
	k.occs = occs
	k.covered = resize(k.covered, len(k.toks))
	covered := k.covered
	for _, o := range occs {
		if o.c.count >= minPhraseCount {
			for i := o.first; i <= o.last; i++ {
				covered[i] = true
			}
		}
	}
	for i := range k.toks {
		if stat[i].content && !covered[i] {
			k.addWord(i)
		}
	}

	kept := k.kept[:0]
	for c := range k.candMem.all() {
		switch {
		case c.n == 1:
			c.key = c.words[0].key
		case c.count >= minPhraseCount:
			c.key = c.joinKeys()
		default:
			continue
		}
		c.score = float64(c.count) * c.weight
		kept = append(kept, c)
	}
	k.kept = kept
	return kept
}

// joinKeys returns the keys of c's words joined by spaces.
func (c *candidate) joinKeys() string {
	var b strings.Builder
	n := c.n - 1
	for _, w := range c.words[:c.n] {
		n += len(w.key)
	}
	b.Grow(n)
	for i, w := range c.words[:c.n] {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w.key)
	}
	return b.String()
}

// keywords ranks the content words and phrases of text by rarity-weighted
// frequency: occurrences times the summed weight of the words, where a
// word's weight is 1 + its IDF (the "+1" of smoothed TF-IDF, so that a
// common word still counts by frequency, and an empty rarity table still
// ranks by frequency). Content words exclude stopwords, one-letter words and
// words without a letter (numbers). Phrases are runs of 2 to maxNameWords
// capitalised content words ("Vladimir Putin") and pairs of adjacent
// lower-case content words ("fighter jet") seen at least minPhraseCount
// times; a word counts only its occurrences outside such phrases. A word or
// phrase that is part of a better-ranked phrase is left out. Scores are
// divided by the best one and rounded to three decimals; ties are broken by
// term, so the result is deterministic.
//
// It also returns the word count of text (see [counter].nWords), from the
// same words.
func (x *Enricher) keywords(text string) (keywords []pipeline.Keyword, words int) {
	k := getCounter(text, x.rarity)
	defer k.release()
	// Only the best few candidates are read, so they are popped from a
	// heap rather than sorting them all.
	h := rankHeap(k.count())
	h.init()
	out := make([]pipeline.Keyword, 0, x.cfg.MaxKeywords)
	chosen := k.chosen[:0]
	var top float64
	for len(out) < x.cfg.MaxKeywords && len(h) > 0 {
		var c *candidate
		h, c = h.pop()
		if len(chosen) == 0 {
			top = c.score
		}
		if insidePhrase(c, chosen) {
			continue
		}
		chosen = append(chosen, c)
		out = append(out, pipeline.Keyword{Term: k.display(c), Score: math.Round(c.score/top*1000) / 1000})
	}
	k.chosen = chosen
	return out, k.nWords
}

// display returns c as a keyword is written: as first seen, without a
// possessive, or in lower case if mostly written so.
func (k *counter) display(c *candidate) string {
	s := lexicon.TrimPossessive(k.text[k.toks[c.first].start:k.toks[c.last].end])
	if c.fold {
		s = strings.ToLower(s)
	}
	return s
}

// rankHeap is a binary heap of candidates, best first: highest score, then
// first term in lexical order.
type rankHeap []*candidate

func (h rankHeap) better(i, j int) bool {
	a, b := h[i], h[j]
	if a.score != b.score {
		return a.score > b.score
	}
	return a.key < b.key
}

func (h rankHeap) init() {
	for i := len(h)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

// pop removes the best candidate and returns the rest of the heap and it.
func (h rankHeap) pop() (rankHeap, *candidate) {
	n := len(h) - 1
	best := h[0]
	h[0], h[n] = h[n], nil
	h = h[:n]
	h.down(0)
	return h, best
}

func (h rankHeap) down(i int) {
	for {
		c := 2*i + 1
		if c >= len(h) {
			return
		}
		if c+1 < len(h) && h.better(c+1, c) {
			c++
		}
		if !h.better(c, i) {
			return
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
}

// insidePhrase reports whether c is part of one of the chosen phrases, so
// that "North Korea" is not followed by "North" and "Korea": whether its
// words appear in a longer phrase's words, in a row.
func insidePhrase(c *candidate, chosen []*candidate) bool {
	for _, p := range chosen {
		for i := 0; i+c.n <= p.n && p.n > c.n; i++ {
			if slices.Equal(p.words[i:i+c.n], c.words[:c.n]) {
				return true
			}
		}
	}
	return false
}

// appendKey appends to dst the key of a word as written: lower case, with
// typographic apostrophes made straight and the possessive dropped
// ("Russia’s" is "russia"). It also returns the key's [lexicon.Hash] and
// reports whether the word holds an upper-case letter.
func appendKey(dst []byte, form string) (key []byte, hash uint64, upper bool) {
	start := len(dst)
	hash = lexicon.HashOffset
	for i := 0; i < len(form); i++ {
		c := form[i]
		if c >= utf8.RuneSelf {
			// Rare: lower-case the rest rune by rune, as strings.ToLower.
			for _, r := range form[i:] {
				if r == '’' {
					r = '\''
				}
				upper = upper || unicode.IsUpper(r)
				dst = utf8.AppendRune(dst, unicode.ToLower(r))
			}
			key = trimPossessive(dst, start)
			return key, hashOf(key[start:]), upper
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
			upper = true
		}
		dst = append(dst, c)
		hash = lexicon.HashByte(hash, c)
	}
	if key = trimPossessive(dst, start); len(key) < len(dst) {
		hash = hashOf(key[start:])
	}
	return key, hash, upper
}

// trimPossessive drops a possessive "'s" from the end of the key that
// starts at dst[start].
func trimPossessive(dst []byte, start int) []byte {
	if n := len(dst) - start; n > 2 && dst[start+n-2] == '\'' && dst[start+n-1] == 's' {
		return dst[:start+n-2]
	}
	return dst
}

// hashOf returns the [lexicon.Hash] of key.
func hashOf(key []byte) uint64 {
	h := lexicon.HashOffset
	for _, c := range key {
		h = lexicon.HashByte(h, c)
	}
	return h
}

func isCapitalised(word string) bool {
	r, _ := utf8.DecodeRuneInString(word)
	return unicode.IsUpper(r)
}

// isContent reports whether a normalised word (see [appendKey]) whose
// [lexicon.Hash] is h can be a keyword: not a stopword, longer than one
// letter, and holding a letter.
func isContent(k string, h uint64) bool {
	if len(k) < 2 || lexicon.IsStopword(h) {
		return false
	}
	for i := 0; i < len(k); i++ {
		switch c := k[i]; {
		case 'a' <= c && c <= 'z':
			return true // an ASCII letter and another byte: two runes or more
		case c >= utf8.RuneSelf:
			return utf8.RuneCountInString(k) > 1 && strings.IndexFunc(k, unicode.IsLetter) >= 0
		}
	}
	return false // ASCII without a letter: a number
}
