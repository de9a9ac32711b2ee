package enrich

import (
	"iter"
	"math"
	"math/bits"
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
	weight      float64 // sum of the weights of its words, set once it is kept
	score       float64 // count times weight, set once it is kept
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

// word is what an article's counter knows about one distinct word. A
// stopword is never one: it is told by the hash of its key alone.
type word struct {
	key     string // see [appendKey]
	id      uint64 // the order it was met in, from 0: the phrase index hashes it
	content bool   // see [isContent]
	weight  float64
	// single is the word as a keyword of its own, counted as the text is
	// read; [counter.count] counts again the words that also occur in
	// frequent phrases, so that only their occurrences outside count.
	single  candidate
	recount recount
}

// recount is how far [counter.count] is in counting a word again.
type recount uint8

const (
	recountNone    recount = iota // the word's count stands
	recountPending                // it occurs in a frequent phrase: count it again
	recountStarted                // its count was reset: it is being counted again
)

// counter counts the keyword candidates of one text. It reads the text in
// one pass ([counter.read]): it splits the words and hashes their keys,
// drops the stopwords by that hash, finds the other words by it in a
// table, and counts the content words and the phrases they make as it goes.
// Each distinct word is looked up once: whether it is a content word, its
// rarity (for all the words of the text under one lock, when the [Rarity]
// is a [hashedRarity]). Counters are pooled: all their buffers, tables and
// slabs are reused from one article to the next.
type counter struct {
	text   string
	toks   []token      // the occurrences of content words, in text order
	occs   []occurrence // phrase occurrences, in text order
	kept   []*candidate // the candidates that qualify, scored
	ranked []*candidate // the best of them, best first
	chosen []*candidate // the keywords picked so far
	// runStart is the first token of the run of capitalised words that
	// the last token read is in, or -1.
	runStart int
	// nWords counts the whitespace-separated runs of the text that hold
	// a letter or digit, as a reader counts words: "F-16s" and "Kim's" are
	// one word each, a lone dash is none. The words of the text never span
	// white space, so every such run holds at least one, and the first
	// word of a run is the first of the text or has white space before it.
	nWords  int
	words   wordIndex // by key: "Russia’s" and "russia" share a word
	phrases phraseIndex
	keyBuf  []byte
	// keys holds the keys of the words that are not written as their key,
	// one after the other: a key is a slice of it, so that it costs no
	// allocation of its own. A strings.Builder never changes what it
	// holds, and keeps it when it grows.
	keys    strings.Builder
	scanned [scanChunk]scanned
	// The content words met for the first time, the hashes of their keys
	// and their rarities, looked up together once the text is read.
	fresh   []*word
	hashes  []uint64
	idfs    []float64
	wordMem slab[word]
	candMem slab[candidate]
}

// token is an occurrence of a content word.
type token struct {
	w          *word
	start, end int  // its bytes in the text
	capital    bool // starts with an upper-case letter
	upper      bool // holds an upper-case letter
	// joined is set when the word before is a content word one space
	// before this one, as the words of a phrase are.
	joined  bool
	covered bool // part of a frequent phrase
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
// keys, by open addressing: a token costs a probe or two of a flat array
// rather than a string-keyed map access.
type wordIndex struct {
	slots []wordSlot // a power of two of them, at most half used
	shift uint       // 64 - log2(len(slots)): see [home]
	n     int        // slots used
}

// home returns the first slot of hash h in an index of 1<<(64-shift)
// slots. The hash is spread by a multiplication and its top bits taken
// (Fibonacci hashing), so that probing does not rest on how well the hash
// mixes its bits.
func home(h uint64, shift uint) uint64 { return (h * 0x9E3779B97F4A7C15) >> shift }

type wordSlot struct {
	hash uint64
	w    *word // nil for an empty slot
}

// stopword stands in the index for every stopword: a stopword is told by
// the hash of its key alone ([lexicon.IsStopword]), so it needs no word of
// its own, and a slot of it matches by hash. It is shared and never
// changed.
var stopword = &word{}

// find returns the slot of the word of key and hash h: the word's, or the
// empty slot to put it in with [wordIndex.put].
func find[K string | []byte](x *wordIndex, h uint64, key K) int {
	mask := len(x.slots) - 1
	for i := int(home(h, x.shift)); ; i = (i + 1) & mask {
		s := &x.slots[i]
		if s.w == nil || s.hash == h && (s.w == stopword || s.w.key == string(key)) {
			return i
		}
	}
}

// put puts w, whose key has hash h, in the empty slot that a probe for it
// ended at. It does not grow the index, so that the slot stays valid: the
// index must have room (see [wordIndex.reserve]).
func (x *wordIndex) put(slot int, h uint64, w *word) {
	x.slots[slot] = wordSlot{h, w}
	x.n++
}

// reserve makes room for n more words, growing the index to keep probes
// short (at most half its slots used): the number of words of a text is
// not known until it is read, so room is made for a chunk of words at a
// time.
func (x *wordIndex) reserve(n int) {
	if 2*(x.n+n) <= len(x.slots) {
		return
	}
	size, shift := len(x.slots), x.shift
	for 2*(x.n+n) > size {
		size, shift = 2*size, shift-1
	}
	old := x.slots
	x.slots, x.shift = make([]wordSlot, size), shift
	for _, o := range old {
		if o.w != nil {
			x.slots[find(x, o.hash, o.w.key)] = o
		}
	}
}

// reset empties the index, keeping its slots, of which it makes sure
// there are some.
func (x *wordIndex) reset() {
	if x.slots == nil {
		x.slots, x.shift = make([]wordSlot, 256), 64-8
	}
	clear(x.slots)
	x.n = 0
}

// occurrence is one phrase occurrence: tokens first..last.
type occurrence struct {
	first, last int
	c           *candidate
}

var counters = sync.Pool{New: func() any {
	k := new(counter)
	k.words.reset()
	return k
}}

// getCounter returns a pooled counter loaded with the words of text; give
// it back with [counter.release] once its candidates are no longer used.
func getCounter(text string, rarity Rarity) *counter {
	k := counters.Get().(*counter)
	k.read(text)
	k.weigh(rarity)
	return k
}

// read reads the words of text in one pass: it counts them, and counts the
// content words and their phrases. It splits words as [lexicon.Tokenize]
// splits them (which the rarity table's terms come from): runs of letters
// and digits, with inner apostrophes and hyphens between letters or digits
// and periods and commas between digits kept. Unlike lexicon.Tokenize it
// builds no string per word. It reads a chunk of words at a time:
// [scanWords] reads ASCII words and hashes their keys, then each word is
// looked up ([counter.wordOf]) and, if it is a content word, counted as a
// keyword of its own and as the end of a phrase.
func (k *counter) read(text string) {
	k.text = text
	k.runStart = -1
	space := true                    // white space before the next word, or no word before it
	prevEnd, prevContent := 0, false // of the word before
	for i := 0; i < len(text); {
		var n int
		k.words.reserve(scanChunk) // so that slots do not move in the chunk
		n, i, space = scanWords(text, i, space, &k.scanned)
		if n < scanChunk && i < len(text) {
			// A non-ASCII rune, between words or in a word that starts
			// at i.
			r, size := utf8.DecodeRuneInString(text[i:])
			if isLetterOrDigit(r) {
				end := wordEnd(text, i, i+size)
				k.scanned[n] = scanned{start: i, end: end, space: space}
				n, i, space = n+1, end, false
			} else {
				space = space || unicode.IsSpace(r)
				i += size
			}
		}
		chunk := k.scanned[:n]
		k.toks = slices.Grow(k.toks, n)
		for j := range chunk {
			r := &chunk[j]
			if r.space {
				k.nWords++
			}
			joined := prevContent && r.start == prevEnd+1 && text[prevEnd] == ' '
			prevEnd, prevContent = r.end, false
			if r.keyed && lexicon.IsStopword(r.hash) {
				continue // most words: no word of the counter's own
			}
			w := k.wordOf(text[r.start:r.end], r)
			if w == nil || !w.content {
				continue
			}
			prevContent = true
			// Count it as a keyword of its own, and as the end of a
			// phrase: a run of capitalised words ends before it unless it
			// goes on with it.
			t := len(k.toks)
			k.toks = k.toks[:t+1] // room was made for the chunk
			tok := &k.toks[t]
			tok.w, tok.start, tok.end = w, r.start, r.end
			tok.capital, tok.upper, tok.joined, tok.covered = r.capital, r.upper, joined, false
			w.single.observeAt(t, t, r.upper)
			if !r.capital || !joined {
				k.endRun(t - 1)
			}
			if !r.capital {
				k.runStart = -1
			} else if k.runStart < 0 || !joined {
				k.runStart = t
			}
			if joined && !r.capital {
				if p := &k.toks[t-1]; !p.capital && p.w != w {
					k.addPhrase(t-1, t)
				}
			}
		}
	}
	k.endRun(len(k.toks) - 1)
}

// wordOf returns the word of s, as [scanWords] or [counter.read] read it
// into r, adding it if it is new, or nil for a one-letter word. A keyed
// word is found by comparing the keys of the words of its hash with its
// bytes lower-cased as scanWords hashed them, building no key; a
// possessive or a word of other letters has its key built first, and how
// it is written noted in r.
func (k *counter) wordOf(s string, r *scanned) *word {
	if len(s) < 2 {
		return nil
	}
	slots, h := k.words.slots, r.hash
	if r.keyed {
		mask := len(slots) - 1
		p := int(home(h, k.words.shift))
		for ; slots[p].w != nil; p = (p + 1) & mask {
			if e := &slots[p]; e.hash == h && (e.w == stopword || foldedEqual(e.w.key, s)) {
				return e.w
			}
		}
		key := s // most words are written as their key: no copy
		if r.upper {
			key = k.key(k.fold(s))
		}
		w := k.word(key, h)
		k.words.put(p, h, w)
		return w
	}
	var key []byte
	key, h, r.upper = appendKey(k.keyBuf[:0], s)
	k.keyBuf, r.capital = key, r.upper && isCapitalised(s)
	p := find(&k.words, h, key)
	if slots[p].w == nil {
		k.words.put(p, h, k.word(k.key(key), h))
	}
	return slots[p].w
}

// key returns key as a string held by k.keys.
func (k *counter) key(key []byte) string {
	if k.keys.Len() == 0 {
		k.keys.Grow(len(k.text) / 8) // a first guess, to grow once or twice
	}
	start := k.keys.Len()
	k.keys.Write(key)
	return k.keys.String()[start:]
}

// fold returns the key of the ASCII word s in k.keyBuf: its bytes
// lower-cased by setting their bit 5 (see [scanWords]).
func (k *counter) fold(s string) []byte {
	key := append(k.keyBuf[:0], s...)
	for i := range key {
		key[i] |= 0x20
	}
	k.keyBuf = key
	return key
}

// endRun takes the run of capitalised words that ends with token last as
// a name, unless it is one word or a headline.
func (k *counter) endRun(last int) {
	if k.runStart >= 0 && last > k.runStart && last-k.runStart < maxNameWords {
		k.addPhrase(k.runStart, last)
	}
}

// scanned is a word as [scanWords] reads it.
type scanned struct {
	start, end int
	hash       uint64 // of its key, if keyed or once looked up
	// upper and capital tell whether it holds an upper-case letter and
	// starts with one, as scanWords reads them, or [counter.wordOf] for a
	// word that is not keyed.
	upper, capital bool
	space          bool // white space before it, or no word before it
	// keyed is set when scanWords read it and it is not a possessive: its
	// key is its bytes lower-cased (see [scanWords]), and hash its hash.
	keyed bool
}

// scanChunk is how many words [scanWords] reads at a time.
const scanChunk = 128

// keyByte maps an ASCII letter or digit to itself in lower case, and any
// other byte to 0. Lower-casing sets bit 5 (0x20), which the separators
// that join a word hold already.
var keyByte = func() (t [256]byte) {
	for c := range t {
		if asciiClass[c] == asciiAlnum {
			t[c] = byte(c) | 0x20
		}
	}
	return t
}()

// scanWords reads the words of text from byte i on into buf while the
// text is ASCII. Unless it is a possessive, a word's key is its bytes
// lower-cased by setting their bit 5 (0x20), which the separators that
// join a word hold already, so that the key's hash is the
// [lexicon.HashLower] of the word's bytes. Most words are one run of
// letters and digits: scanWords reads it a chunk of eight bytes at a time
// ([lexicon.OtherBytes]), hashing the key as it goes, and gathers the
// bytes' bit 5, clear in an upper-case letter. A word joined by
// separators is read on byte by byte and hashed once its end is known.
// space tells whether white space came before i since the last word. It
// stops when buf is full, at the end of the text, or at a non-ASCII byte
// between words or at the start of a word that may hold one. It returns
// the number of words read, where it stopped, and whether white space
// came since the last word. Its loops run over every byte of most texts:
// they call nothing but the hash of a joined word, so that they keep all
// in registers.
func scanWords(text string, i int, space bool, buf *[scanChunk]scanned) (n, stop int, spaceAfter bool) {
	for n < len(buf) {
		// Skip to the next word, most often one space away.
		if i+1 < len(text) && text[i] == ' ' && keyByte[text[i+1]] != 0 {
			i, space = i+1, true
		} else {
			for ; i < len(text) && keyByte[text[i]] == 0; i++ {
				switch asciiClass[text[i]] {
				case asciiSpace:
					space = true
				case nonASCII:
					return n, i, space
				}
			}
			if i == len(text) {
				break
			}
		}
		start := i
		// caps gathers the complement of the word's bytes: bit 5 of a
		// byte is set in it for an upper-case letter.
		h, caps, hashed := lexicon.HashSeed, uint64(0), false
		for {
			if i+8 > len(text) { // near the end of the text
				for ; i < len(text) && keyByte[text[i]] != 0; i++ {
					caps |= uint64(^text[i])
				}
				break
			}
			c := lexicon.Chunk(text, i)
			if stop := lexicon.OtherBytes(c); stop != 0 {
				before := lexicon.Before(stop)
				i += bits.TrailingZeros64(stop) / 8
				h, hashed = lexicon.HashLast(h, (c|lexicon.FoldBits)&before, i-start), true
				caps |= ^c & before
				break
			}
			h = lexicon.HashStep(h, c|lexicon.FoldBits)
			caps |= ^c
			i += 8
		}
		for i+1 < len(text) {
			// A separator joins the word if the letters or digits around
			// it are of the right kind (see [joinsWord]); the one before
			// is an ASCII letter or digit. A non-ASCII rune may join it.
			c := text[i]
			if class := asciiClass[c]; class != asciiJoin {
				if class == nonASCII {
					return n, start, space
				}
				break
			}
			next := text[i+1]
			if next >= utf8.RuneSelf && (c == '\'' || c == '-' || isDigit(text[i-1])) {
				return n, start, space
			}
			if c == '\'' || c == '-' {
				if keyByte[next] == 0 {
					break
				}
			} else if !isDigit(text[i-1]) || !isDigit(next) {
				break
			}
			for i, hashed = i+1, false; i < len(text) && keyByte[text[i]] != 0; i++ {
				caps |= uint64(^text[i])
			}
		}
		r := &buf[n]
		r.start, r.end = start, i
		r.upper, r.capital = caps&lexicon.FoldBits != 0, text[start]-'A' < 26
		// A word of one run holds no apostrophe: it is no possessive.
		r.space, r.keyed = space, hashed || text[i-1]|0x20 != 's' || i-start < 3 || text[i-2] != '\''
		if r.keyed && !hashed {
			h = lexicon.HashLowerAt(text, start, i)
		}
		r.hash = h
		n++
		space = false
	}
	return n, i, space
}

// foldedEqual reports whether key is the ASCII word s with the bit 5 of
// every byte set: lower-cased, if s holds only letters, digits and the
// separators that join a word.
func foldedEqual(key, s string) bool {
	if len(key) != len(s) {
		return false
	}
	for i := range len(s) {
		if key[i] != s[i]|0x20 {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c-'0' < 10 }

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

// joinsWord reports whether separator r, after the word so far and before
// rest, continues the word.
func joinsWord(word string, r rune, rest string) bool {
	switch r {
	case '\'', '’', '-', '.', ',':
	default:
		return false
	}
	prev := rune(word[len(word)-1])
	if prev >= utf8.RuneSelf {
		prev, _ = utf8.DecodeLastRuneInString(word)
	}
	next, _ := utf8.DecodeRuneInString(rest)
	if r == '.' || r == ',' {
		return unicode.IsDigit(prev) && unicode.IsDigit(next)
	}
	return isLetterOrDigit(prev) && isLetterOrDigit(next)
}

// wordEnd returns the end of the word that starts at byte start of text,
// going on from byte i: the word's end, or a separator within it.
func wordEnd(text string, start, i int) int {
	for i < len(text) {
		r, size := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(text[i:])
		}
		if !isLetterOrDigit(r) && !joinsWord(text[start:i], r, text[i+size:]) {
			break
		}
		i += size
	}
	return i
}

// word returns a new word of key, whose hash is h, or [stopword]. A
// content word waits in k.fresh for [counter.weigh] to weigh it.
func (k *counter) word(key string, h uint64) *word {
	if lexicon.IsStopword(h) {
		return stopword
	}
	w := k.wordMem.new()
	w.key, w.id, w.content = key, uint64(k.wordMem.n-1), isContent(key)
	if w.content {
		w.single.words[0], w.single.n = w, 1
		k.fresh = append(k.fresh, w)
		k.hashes = append(k.hashes, h)
	}
	return w
}

// release clears k, dropping its references to the text, and puts it back
// in the pool. Only the slabs, the indexes and the key arena hold what is
// not the counter's own (the text, keys, the other candidates' words); the
// token and candidate lists point into the slabs, so they are only
// emptied.
func (k *counter) release() {
	k.text = ""
	k.nWords = 0
	k.keys.Reset()
	k.toks, k.occs = k.toks[:0], k.occs[:0]
	k.fresh, k.hashes = k.fresh[:0], k.hashes[:0]
	k.words.reset()
	k.phrases.reset()
	k.wordMem.reset()
	k.candMem.reset()
	counters.Put(k)
}

// addPhrase counts one occurrence of the phrase made of tokens first..last.
func (k *counter) addPhrase(first, last int) {
	var key phraseKey
	upper := false // the occurrence holds an upper-case letter
	for i := first; i <= last; i++ {
		key[i-first] = k.toks[i].w
		upper = upper || k.toks[i].upper
	}
	c, slot := k.phrases.get(&key)
	if c == nil {
		c = k.candMem.new()
		c.words, c.n = key, last-first+1
		k.phrases.put(slot, c)
	}
	c.observeAt(first, last, upper)
	k.occs = append(k.occs, occurrence{first, last, c})
}

// observeAt counts an occurrence of c as tokens first..last, which hold an
// upper-case letter if upper is set. A candidate mostly written in lower
// case is displayed so. Only the few candidates that make the keywords are
// displayed: their display strings are built then (see [counter.display]).
func (c *candidate) observeAt(first, last int, upper bool) {
	if c.count == 0 {
		c.first, c.last = first, last
		c.lowered = !upper // already lower case
	}
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

// get returns the candidate of the phrase of words key, or nil and the
// slot to put it in with [phraseIndex.put].
func (x *phraseIndex) get(key *phraseKey) (*candidate, **candidate) {
	if x.slots == nil {
		x.slots = make([]*candidate, 64)
	}
	s := x.slot(key)
	return *s, s
}

// put puts candidate c in the empty slot that [phraseIndex.get] returned
// for its words, growing the index to keep it at most half full.
func (x *phraseIndex) put(slot **candidate, c *candidate) {
	*slot = c
	if x.n++; 2*x.n <= len(x.slots) {
		return
	}
	old := x.slots
	x.slots = make([]*candidate, 2*len(old))
	for _, o := range old {
		if o != nil {
			*x.slot(&o.words) = o
		}
	}
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
		if s := &x.slots[i]; *s == nil || (*s).words.equal(key) {
			return s
		}
	}
}

// equal reports whether p and q hold the same words: four comparisons,
// where comparing the arrays calls memequal.
func (p *phraseKey) equal(q *phraseKey) bool {
	return p[0] == q[0] && p[1] == q[1] && p[2] == q[2] && p[3] == q[3]
}

// reset empties the index, keeping its slots.
func (x *phraseIndex) reset() {
	clear(x.slots)
	x.n = 0
}

// count credits each content word occurrence that is not part of a
// frequent phrase to the word itself, so that "North" is scored by its
// mentions outside "North Korea", and returns the candidates that qualify
// as keywords, scored. The text has been read: its phrases, and its words
// as if no phrase were frequent, are counted already; only the words of
// frequent phrases are counted again.
func (k *counter) count() []*candidate {
	toks := k.toks
	again := false
	for _, o := range k.occs {
		if o.c.count >= minPhraseCount {
			for i := o.first; i <= o.last; i++ {
				toks[i].covered = true
				toks[i].w.recount = recountPending
			}
			again = true
		}
	}
	if again {
		for i := range toks {
			t := &toks[i]
			switch t.w.recount {
			case recountNone:
				continue
			case recountPending:
				c := &t.w.single
				c.count, c.lower, c.lowered, c.fold = 0, 0, false, false
				t.w.recount = recountStarted
			}
			if !t.covered {
				t.w.single.observeAt(i, i, t.upper)
			}
		}
	}

	kept := k.kept[:0]
	for w := range k.wordMem.all() {
		if c := &w.single; c.count > 0 {
			c.key, c.weight = w.key, w.weight
			c.score = float64(c.count) * c.weight
			kept = append(kept, c)
		}
	}
	for c := range k.candMem.all() {
		if c.count >= minPhraseCount {
			c.key = c.joinKeys()
			for _, w := range c.words[:c.n] {
				c.weight += w.weight
			}
			c.score = float64(c.count) * c.weight
			kept = append(kept, c)
		}
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
	kept := k.count()
	// Only the best few candidates are read, so only they are sorted. A
	// few more than are wanted are taken, as a candidate inside a chosen
	// phrase is skipped; if too many are, all are taken.
	out := make([]pipeline.Keyword, 0, x.cfg.MaxKeywords)
	for m := min(len(kept), 2*x.cfg.MaxKeywords); ; m = len(kept) {
		k.ranked = best(k.ranked, kept, m)
		chosen := k.chosen[:0]
		for _, c := range k.ranked {
			if len(out) == x.cfg.MaxKeywords {
				break
			}
			if insidePhrase(c, chosen) {
				continue
			}
			chosen = append(chosen, c)
			out = append(out, pipeline.Keyword{Term: k.display(c), Score: math.Round(c.score/chosen[0].score*1000) / 1000})
		}
		k.chosen = chosen
		if len(out) == x.cfg.MaxKeywords || m == len(kept) {
			return out, k.nWords
		}
		out = out[:0]
	}
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

// better reports whether a ranks before b: a higher score, or the same
// score and a term first in lexical order. Terms are distinct, so no two
// candidates tie.
func better(a, b *candidate) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return a.key < b.key
}

// best returns the m best of cands, best first, in dst's array. It keeps
// the best met so far in a heap whose root is the worst of them, so that
// a candidate that does not make it costs one comparison, then sorts them.
func best(dst, cands []*candidate, m int) []*candidate {
	h := rankHeap(dst[:0])
	for _, c := range cands {
		if len(h) < m {
			h = append(h, c)
			h.up(len(h) - 1)
		} else if m > 0 && better(c, h[0]) {
			h[0] = c
			h.down(0)
		}
	}
	for n := len(h) - 1; n > 0; n-- { // heapsort: the worst to the back
		h[0], h[n] = h[n], h[0]
		h[:n].down(0)
	}
	return h
}

// rankHeap is a binary heap of candidates, worst first (see [better]).
type rankHeap []*candidate

func (h rankHeap) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !better(h[p], h[i]) {
			return
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func (h rankHeap) down(i int) {
	for {
		c := 2*i + 1
		if c >= len(h) {
			return
		}
		if c+1 < len(h) && better(h[c], h[c+1]) {
			c++
		}
		if !better(h[i], h[c]) {
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
			break
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
			upper = true
		}
		dst = append(dst, c)
	}
	key = trimPossessive(dst, start)
	return key, lexicon.HashBytes(key[start:]), upper
}

// trimPossessive drops a possessive "'s" from the end of the key that
// starts at dst[start].
func trimPossessive(dst []byte, start int) []byte {
	if n := len(dst) - start; n > 2 && dst[start+n-2] == '\'' && dst[start+n-1] == 's' {
		return dst[:start+n-2]
	}
	return dst
}

func isCapitalised(word string) bool {
	r, _ := utf8.DecodeRuneInString(word)
	return unicode.IsUpper(r)
}

// isContent reports whether a normalised word (see [appendKey]) that is
// not a stopword can be a keyword: longer than one letter, and holding a
// letter. Stopwords are told by their hash ([lexicon.IsStopword]) before
// a word is made of them (see [counter.word]).
func isContent(k string) bool {
	if len(k) < 2 {
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
