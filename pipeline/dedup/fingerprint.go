package dedup

import (
	"math"
	"math/bits"
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
// [featureKey]), so a stored signature still tells names and numbers from
// other terms.
const (
	kindTerm   = 't'
	kindName   = 'n'
	kindNumber = '#'
)

// Signature is the compact fingerprint of one article that the index keeps:
// its strongest features (terms, capitalised name sequences and numbers,
// weighted by rarity) and a sample of its sentence hashes. It is a plain
// value of 228 bytes, free of pointers. Its fields are in the order that
// measuring a candidate against it reads them: the weights, read only for
// the keys it shares, come last.
type Signature struct {
	N  uint8
	NS uint8
	// Words is the article's length in words (saturating).
	Words uint16
	// Sentences are the smallest hashes of the article's sentences of six
	// words or more, distinct and ascending; the first NS are used.
	Sentences [SignatureSentences]uint32
	// Keys are feature hashes in ascending order; the first N are used.
	Keys [SignatureTerms]uint32
	// Weights[i] is the weight of Keys[i], the vector scaled to unit
	// length and quantised to 1/65535.
	Weights [SignatureTerms]uint16
}

// fingerprint is a [Signature] plus what only the article being decided
// needs: its strongest features with their text, for evidence (strongest
// first, the first blockingKeys being its blocking keys), and the
// [lexicon.Hash]es of its distinct features, to update the rarity table.
// Fingerprints are reused through fingerprintPool with their buffers:
// allocating them afresh for every article made half of the garbage of a
// decision. Call [fingerprint.release] once done with one.
type fingerprint struct {
	sig   Signature
	top   []feat
	block []uint32
	body  string // the text read, for the text of top features
	// terms are the hashes of distinct texts whatever their kind: names
	// hold a space, numbers start with a digit, other terms do neither.
	terms []uint64
	// phrases are the article's phrase hashes, each once, in order of
	// first appearance (see [phraseWords]).
	phrases []uint16
	// lead is the article's lead profile (see [leadScratch.finish]).
	lead *leadProfile
	// The arrays of top and block.
	topArray   [SignatureTerms]feat
	blockArray [blockingKeys]uint32
	// place[i] is the place of the key of top[i] in sig.Keys.
	place [SignatureTerms]uint8
	// sc holds the buffers of the extraction; terms and phrases are
	// its hashes and phrases.
	sc scratch
}

var fingerprintPool = sync.Pool{New: func() any { return new(fingerprint) }}

// release returns the fingerprint to the pool, emptied; it must not be
// used after.
func (fp *fingerprint) release() {
	fp.sc.reset()
	fp.body, fp.terms, fp.phrases, fp.lead = "", nil, nil, nil
	fingerprintPool.Put(fp)
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
// it ([fingerprint.appendText]), is kept apart: a name's is bytes lo to hi
// of the names of its scratch, as built to hash it; a term's or number's
// is built only when needed from where it was first mentioned, the bytes
// lo to hi of the term that the word at start to end counts as
// ([termOf]), the whole of it or a hyphenated part. It holds no pointer,
// so that the few hundred features of an article cost the garbage
// collector nothing.
type feat struct {
	key        uint32
	start, end int32 // the word, or the name's words, in the text
	lo, hi     int32 // the part of the word's term, or of the names
	kind       byte
	tf         float64 // the position-weighted count of its mentions
}

// scratch holds the buffers of one extraction, reused with its
// fingerprint: growing them afresh for every article cost more than the
// extraction.
type scratch struct {
	index indexTable // feature hash to place in feats
	// The distinct features in order of first mention, with their
	// position-weighted counts, and their lexicon.Hash.
	feats   []feat
	hashes  []uint64
	phrases []uint16
	// seen holds the phrases, to keep each once, and then to measure
	// their overlap with a candidate's ([Index.addPhrases]).
	seen phraseSet
	lead leadScratch
	name []byte // the buffer of a name's text, see [nameRun]
	// names holds the texts of the name features, one after the other.
	names []byte
}

// reset empties the scratch.
func (sc *scratch) reset() {
	sc.index.reset()
	sc.seen.remove(sc.phrases)
	sc.lead.reset()
	sc.feats, sc.hashes, sc.phrases, sc.names = sc.feats[:0], sc.hashes[:0], sc.phrases[:0], sc.names[:0]
}

// add counts a mention of the feature h with weight w, recording the
// feature from this first mention if it is new. It returns the feature's
// place in sc.feats and whether it is new. The extraction's loop calls it
// for most words, so it probes sc.index through the parts of
// [indexTable.lookup] that inline: as a call, lookup made add keep its
// arguments on the stack around it.
func (sc *scratch) add(kind byte, h uint64, w float64, start, end, lo, hi int) (int32, bool) {
	t := &sc.index
	t.reserve()
	p, held := t.slot(h)
	if held {
		i := t.slots[p].i
		sc.feats[i].tf += w
		return i, false
	}
	next := int32(len(sc.feats))
	t.fill(p, h, next)
	sc.feats = append(sc.feats, feat{
		key: featureKey(kind, h), kind: kind,
		start: int32(start), end: int32(end), lo: int32(lo), hi: int32(hi),
		tf: w,
	})
	sc.hashes = append(sc.hashes, h)
	return next, true
}

// indexTable maps keys to small indexes: an open-addressing table, cheaper
// to fill than a map for the few hundred keys of one article, and emptied
// in constant time, by starting a new generation, however large a long
// article made it.
type indexTable struct {
	slots []indexSlot // a power of two long
	shift uint        // 64 - log2(len(slots))
	used  int
	gen   uint32 // the generation of the slots in use; others are free
}

type indexSlot struct {
	key uint64
	i   int32
	gen uint32
}

// lookup returns the index stored for k and true, or stores next for k
// and returns it and false.
func (t *indexTable) lookup(k uint64, next int32) (int32, bool) {
	t.reserve()
	p, held := t.slot(k)
	if held {
		return t.slots[p].i, true
	}
	t.fill(p, k, next)
	return next, false
}

// reserve makes room for one more key.
func (t *indexTable) reserve() {
	if 2*(t.used+1) > len(t.slots) {
		t.grow()
	}
}

// fill stores i for k in the free slot p, as [indexTable.slot] found it.
func (t *indexTable) fill(p, k uint64, i int32) {
	t.used++
	t.slots[p] = indexSlot{key: k, i: i, gen: t.gen}
}

// slot returns the place of k's slot and true if k is held, or the free
// slot where it would go and false. The shift is masked, a no-op for the
// shifts a table has, so that it compiles to the bare instruction without
// the test of a shift past 63.
func (t *indexTable) slot(k uint64) (uint64, bool) {
	mask := uint64(len(t.slots) - 1)
	p := k * 0x9E3779B97F4A7C15 >> (t.shift & 63)
	for ; t.slots[p].gen == t.gen; p = (p + 1) & mask {
		if t.slots[p].key == k {
			return p, true
		}
	}
	return p, false
}

func (t *indexTable) grow() {
	old, gen := t.slots, t.gen
	size := max(256, 2*len(old))
	t.slots, t.shift, t.used, t.gen = make([]indexSlot, size), uint(64-bits.TrailingZeros(uint(size))), 0, 1
	for _, s := range old {
		if s.gen == gen {
			t.lookup(s.key, s.i)
		}
	}
}

// reset empties the table.
func (t *indexTable) reset() {
	t.used = 0
	if t.gen++; t.gen == 0 { // wrapped: slots of generation 0 may be left
		clear(t.slots)
		t.gen = 1
	}
}

// word is what the extraction reads from one word: the term it counts as
// ([termOf]), that term's hash and what kind of word it is. It has three
// fields so that the compiler keeps it in registers (a struct of more than
// four fields it keeps in memory), as one is read for every word of every
// article. A name's text and hash, needed only for the few capitalised
// words, are built apart (see [nameRun]).
type word struct {
	term string
	h    uint64 // lexicon.Hash of the term, without thousands separators for a number
	is   wordFlags
}

// wordFlags tell what kind of word a [word] is.
type wordFlags uint8

const (
	numberWord wordFlags = 1 << iota // the term is a number
	hyphenWord                       // the term holds a hyphen
	upperWord                        // the word is capitalised
)

// startFlags holds the flags that the first byte of an ASCII word tells.
var startFlags = func() (f [utf8.RuneSelf]wordFlags) {
	for c := range f {
		f[c] = flagIf(isDigit(byte(c)), numberWord) | flagIf('A' <= c && c <= 'Z', upperWord)
	}
	return f
}()

// flagIf returns f if b is true, and no flag otherwise.
func flagIf(b bool, f wordFlags) wordFlags {
	if b {
		return f
	}
	return 0
}

// wordStart returns where the first word of text at or after byte from
// starts, as [lexicon.NextWord] splits words, or -1 if there is none.
func wordStart(text string, from int) int {
	for i := from; i < len(text); i++ {
		switch c := text[i]; {
		case fold[c] != 0:
			return i
		case c >= utf8.RuneSelf:
			start, _ := lexicon.NextWord(text, i)
			return start
		}
	}
	return -1
}

// readWordAt reads the word that starts at byte start of text (see
// [wordStart]) and returns where it ends and what the extraction reads
// from it. Most words of English news are one run of ASCII letters and
// digits: it is delimited and hashed eight bytes at a time
// ([lexicon.Chunk], [lexicon.OtherBytes]), without building a string. A word
// joined with separators, or near the end of the text, goes on through
// [readJoined], and a word next to other bytes through [lexicon.NextWord]
// and [readWord].
func readWordAt(text string, start int) (end int, wd word) {
	c := text[start]
	if c >= utf8.RuneSelf {
		return readWordSlow(text, start)
	}
	is := startFlags[c]
	h := lexicon.HashSeed // the hash of text[start:at], in whole chunks
	for at := start; at+8 <= len(text); at += 8 {
		chunk := lexicon.Chunk(text, at)
		if stop := lexicon.OtherBytes(chunk); stop != 0 {
			i := at + bits.TrailingZeros64(stop)/8
			if !wordEnds(text, i) {
				return readJoined(text, start, i, is)
			}
			// The bytes before the first other one, with bit 5 set,
			// which lower-cases letters and leaves digits as they are.
			rest := (chunk | lexicon.FoldBits) & lexicon.Before(stop)
			h = lexicon.HashLast(h, rest, i-start)
			return i, word{term: text[start:i], h: h, is: is}
		}
		h = lexicon.HashStep(h, chunk|lexicon.FoldBits)
	}
	// The end of the text is less than eight bytes away.
	i := start + 1
	for i < len(text) && fold[text[i]] != 0 {
		i++
	}
	return readJoined(text, start, i, is)
}

// wordEnds reports whether the byte i of text, after a run of letters and
// digits, ends the word: an ASCII byte other than the separators that may
// join two runs, or a separator followed by an ASCII byte that is not a
// letter or digit (a comma or period after a word, most often).
func wordEnds(text string, i int) bool {
	switch c := text[i]; c {
	case ' ': // most words, told first
		return true
	case '\'', '-', '.', ',':
		return i+1 < len(text) && text[i+1] < utf8.RuneSelf && fold[text[i+1]] == 0
	default:
		return c < utf8.RuneSelf
	}
}

// readJoined is [readWordAt] for a word whose first run of letters and
// digits, from start to i, may be joined to more.
func readJoined(text string, start, i int, is wordFlags) (end int, wd word) {
	quote := -1     // the word's last apostrophe, to leave out a possessive "'s"
	commas := false // the number holds thousands separators, left out of its hash
scan:
	for i+1 < len(text) && text[i] != ' ' {
		// A separator continues the word only between two word runes:
		// an apostrophe or hyphen between letters or digits, a period
		// or comma between digits.
		c, next := text[i], text[i+1]
		if c >= utf8.RuneSelf || next >= utf8.RuneSelf && (c == '\'' || c == '-' || c == '.' || c == ',') {
			return readWordSlow(text, start)
		}
		if fold[next] == 0 {
			break
		}
		switch c {
		case '\'':
			quote = i
		case '-':
			is |= hyphenWord
		case '.', ',':
			if !isDigit(text[i-1]) || !isDigit(next) {
				break scan
			}
			commas = commas || c == ',' && is&numberWord != 0 // "2,290" is 2290
		default:
			break scan
		}
		for i++; i < len(text) && fold[text[i]] != 0; i++ {
		}
	}
	if i < len(text) && text[i] >= utf8.RuneSelf {
		return readWordSlow(text, start)
	}
	termEnd := i
	if quote >= 0 && quote == i-2 && (text[i-1] == 's' || text[i-1] == 'S') { // "Kim's"
		termEnd = quote
	}
	wd = word{term: text[start:termEnd], is: is}
	if commas {
		wd.h = termHash(wd.term, true)
	} else {
		wd.h = lexicon.HashLowerAt(text, start, termEnd)
	}
	return i, wd
}

// readWordSlow is [readWordAt] for a word that is not all ASCII, or is
// next to bytes that are not.
func readWordSlow(text string, start int) (end int, wd word) {
	_, end = lexicon.NextWord(text, start)
	return end, readWord(text[start:end])
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// fold maps ASCII letters and digits to their lower-case form, and every
// other byte to 0.
var fold = func() (f [256]byte) {
	for c := range utf8.RuneSelf {
		if unicode.IsLetter(rune(c)) || unicode.IsDigit(rune(c)) {
			f[c] = byte(unicode.ToLower(rune(c)))
		}
	}
	return f
}()

// readWord reads any word s.
func readWord(s string) word {
	term := termOf(s)
	number := isNumber(term)
	return word{
		term: term,
		h:    termHash(term, number),
		is:   flagIf(number, numberWord) | flagIf(strings.IndexByte(term, '-') >= 0, hyphenWord) | flagIf(capitalised(s), upperWord),
	}
}

// nameRun is the current run of capitalised words, a name if it reaches
// two: its text (the words' terms lower-cased, joined by spaces, hyphens
// read as spaces, see [appendNameWord]), length, span and weight.
type nameRun struct {
	text       []byte // built from the second word on: most runs are one word
	first      string // the first word's term
	words      int
	start, end int
	w          float64
	// opens is set if the first word opens a sentence, opener being its
	// term's hash: a common word there ("The", "On") starts no name,
	// which is looked up in the rarity table only once the run has
	// grown to a name ([scratch.recordName]). rest is the run without
	// its first word.
	opens  bool
	opener uint64
	rest   struct {
		text, start int // where its text and span start
		w           float64
	}
}

// begin starts a run with the capitalised word at start to end, whose
// term is term and its hash h; opens tells whether it opens a sentence.
// Most runs are one word: begin is small enough to be inlined in the
// extraction's loop, and the words that grow a run go through
// [nameRun.extend].
func (r *nameRun) begin(term string, h uint64, start, end int, w float64, opens bool) {
	r.first, r.start, r.opens, r.opener, r.w = term, start, opens, h, w
	r.words, r.end = 1, end
}

// extend adds the capitalised word at start to end, whose term is term,
// to a run of one word or more.
func (r *nameRun) extend(term string, start, end int, w float64) {
	if r.words == 1 {
		r.text = append(appendNameWord(r.text, r.first), ' ')
		r.rest.text, r.rest.start, r.rest.w = len(r.text), start, w
		r.text = appendNameWord(r.text, term)
	} else {
		r.text = appendNameWord(append(r.text, ' '), term)
		r.rest.w = max(r.rest.w, w)
	}
	r.w = max(r.w, w)
	r.words, r.end = r.words+1, end
}

// appendNameWord appends the term of a word to the text of a name:
// lower-cased, its hyphens read as spaces. The text is grown once and
// its new bytes set by place, which costs less than an append per byte.
func appendNameWord(text []byte, term string) []byte {
	n := len(text)
	text = slices.Grow(text, len(term))[:n+len(term)]
	dst := text[n:][:len(term)]
	for i := 0; i < len(term); i++ {
		dst[i] = nameBytes[term[i]]
	}
	return text
}

// nameBytes maps each byte of a word to its byte in the text of a name
// (see [appendNameWord]): a look-up per byte costs less than telling
// hyphens and capitals apart.
var nameBytes = func() (b [256]byte) {
	b = lowerBytes
	b['-'] = ' '
	return b
}()

// lowerBytes maps each byte to its [asciiLower].
var lowerBytes = func() (b [256]byte) {
	for c := range b {
		b[c] = asciiLower(byte(c))
	}
	return b
}()

// endName ends the current run of capitalised words, if any (most words
// are not in one, and are told apart inline). Most runs are one word, no
// name, and hold no text yet (see [nameRun]): a new run then only needs
// its count emptied, as [nameRun.begin] sets the other fields from its
// first word on.
func (sc *scratch) endName(r *nameRun, table *lexicon.Table) {
	if r.words >= 2 {
		sc.recordName(r, table)
	}
	r.words = 0
}

// recordName records a run of two or more capitalised words as a name
// feature, and empties the text's buffer for the next run. A run opening
// a sentence with a word of the rarity table is a name without that word.
func (sc *scratch) recordName(r *nameRun, table *lexicon.Table) {
	text, words, start, w := r.text, r.words, r.start, r.w
	if r.opens && table.DFOf(r.opener) > 0 {
		text, words, start, w = text[r.rest.text:], words-1, r.rest.start, r.rest.w
	}
	if n := len(sc.names); words >= 2 {
		if _, added := sc.add(kindName, lexicon.HashBytes(text), w, start, r.end, n, n+len(text)); added {
			sc.names = append(sc.names, text...)
		}
	}
	r.text = r.text[:0]
}

// addParts counts the parts of a hyphenated term with weight w, so that
// spelling variants ("Jong-un", "Jong Un") share features.
func (sc *scratch) addParts(term string, w float64, start, end int) {
	lo := 0
	for part := range strings.SplitSeq(term, "-") {
		switch {
		case isNumber(part): // "Su-57"
			sc.add(kindNumber, termHash(part, true), w, start, end, lo, lo+len(part))
		case !shorterThan2(part):
			sc.add(kindTerm, lexicon.HashLower(part), w, start, end, lo, lo+len(part))
		}
		lo += len(part) + 1
	}
}

// reading is the state of the extraction's loop from one word to the
// next. It is one struct of more than four fields so that the compiler
// keeps it in memory, reading and writing each field where it is used: as
// separate variables, kept in registers between the calls of the loop, it
// moved them all between registers and the stack at every word.
type reading struct {
	// The hash of the current sentence's words other than numbers, and
	// of its numbers, which are few: a sentence's hash is the two folded
	// together (see [sentenceHash]), and the first alone tells the same
	// sentence with other figures (see [leadScratch.figure]).
	sent, nums  uint32
	sentWords   int
	sentNumbers int
	pos         int // words read
	prevEnd     int // end of the previous word
	phrases     []uint16
	content     int    // content words read, up to phraseWords
	prevWord    uint64 // hash of the sentence's last content word, 0 for none
}

// extract computes the fingerprint of a title and text against the rarity
// table. It reads the table but does not update it.
func extract(title, text string, table *lexicon.Table) *fingerprint {
	fp := fingerprintPool.Get().(*fingerprint)
	sc := &fp.sc
	body := text
	if title != "" && !strings.Contains(text, title) {
		body = title + "\n" + text
	}
	fp.sig = Signature{}
	name := nameRun{text: sc.name[:0]}
	rd := reading{sent: fnvOffset, nums: fnvOffset, phrases: sc.phrases}
	for {
		// The usual gap between words, one space before an ASCII word,
		// is told apart inline: it ends no sentence. (It may open the
		// text: the first word is then the next byte, as wordStart
		// would find it.) start is compared unsigned, which spares the
		// bounds check of body[start].
		start := rd.prevEnd + 1
		if uint(start) >= uint(len(body)) || body[rd.prevEnd] != ' ' || fold[body[start]] == 0 {
			start = wordStart(body, rd.prevEnd)
			if start < 0 || rd.pos > 0 && sentenceBreak(body[rd.prevEnd:start]) {
				// Sentences of six words or more are hashed, so
				// that punctuation, spacing and case do not
				// matter and short furniture lines ("Read more")
				// are not counted.
				sc.endName(&name, table)
				h := sentenceHash(rd.sent, rd.nums, rd.sentNumbers)
				if rd.sentWords >= 6 {
					fp.sig.addSentence(h)
				}
				sc.lead.figure(h, rd.sent, rd.sentWords, rd.sentNumbers)
				rd.sent, rd.nums, rd.sentWords, rd.sentNumbers, rd.prevWord = fnvOffset, fnvOffset, 0, 0, 0
				if start < 0 {
					break
				}
			}
		}
		end, wd := readWordAt(body, start)
		if wd.is&numberWord != 0 {
			rd.nums = (rd.nums ^ uint32(wd.h^wd.h>>32)) * fnvPrime
			rd.sentNumbers++
		} else {
			rd.sent = (rd.sent ^ uint32(wd.h^wd.h>>32)) * fnvPrime
		}
		rd.sentWords++ // 1 for a word that opens its sentence
		// The word's position, weighed only where the word counts:
		// most words are stopwords, which need no weight.
		pos := rd.pos
		rd.pos, rd.prevEnd = rd.pos+1, end
		inLead := false // a content word among the first leadTokens words
		stop, short := lexicon.IsStopword(wd.h), shorterThan2(wd.term)
		if rd.content < phraseWords && !short && !stop {
			if p := phraseHash(rd.prevWord, wd.h); rd.prevWord != 0 && sc.seen.add(p) {
				rd.phrases = append(rd.phrases, p)
			}
			sc.lead.profile.bloom.add(wd.h)
			inLead = rd.pos <= leadTokens
			rd.prevWord = wd.h
			rd.content++
		}
		switch {
		case wd.is&numberWord != 0:
			sc.endName(&name, table)
			if at, added := sc.add(kindNumber, wd.h, positionWeight(pos), start, end, 0, len(wd.term)); inLead {
				sc.lead.read(wd, at, added, rd.sentWords == 1)
			}
			continue
		case short:
			sc.endName(&name, table)
			continue
		}
		switch {
		case wd.is&hyphenWord != 0:
			sc.addParts(wd.term, positionWeight(pos), start, end)
		case stop:
			// A stopword says nothing of the topic: it is no feature
			// (though it may be part of a name).
		default:
			if at, added := sc.add(kindTerm, wd.h, positionWeight(pos), start, end, 0, len(wd.term)); inLead {
				sc.lead.read(wd, at, added, rd.sentWords == 1)
			}
		}
		// A capitalised common word opening a sentence ("The", "On")
		// does not start a name: told once the run is long enough to
		// be one (see [scratch.recordName]).
		if wd.is&upperWord == 0 {
			sc.endName(&name, table)
			continue
		}
		if name.words == 0 {
			name.begin(wd.term, wd.h, start, end, positionWeight(pos), rd.sentWords == 1)
		} else {
			name.extend(wd.term, start, end, positionWeight(pos))
		}
	}
	feats := sc.feats
	sc.phrases, sc.name = rd.phrases, name.text

	fp.body, fp.terms, fp.phrases = body, sc.hashes, rd.phrases
	// Rank by score, keeping only the strongest: a bounded insertion
	// rejects most features with one comparison, those that could not
	// rank even if never seen before are not looked up, and those that
	// cannot rank at their count get no logarithm.
	//
	// On the way, the lead words are weighed by rarity: they are features
	// too, and met in the same order.
	var rank [SignatureTerms + 1]scored
	n := 0
	table.ReadRarities(fp.terms, func(r lexicon.Rarities) {
		maxIDF := r.MaxIDF()
		lead, k := sc.lead.at, 0
		for i := range feats {
			tf := tfWeight(feats[i].tf)
			isLead := k < len(lead) && int(lead[k]) == i
			if !isLead && n == SignatureTerms && tf*maxIDF < rank[n-1].score {
				continue
			}
			df := r.DFOf(sc.hashes[i])
			if isLead {
				sc.lead.weigh(r.IDFOfDF(df))
				k++
			}
			if n == SignatureTerms && tf*r.IDFBound(df) < rank[n-1].score {
				continue
			}
			c := scored{tf * r.IDFOfDF(df), feats[i].key, int32(i)}
			if n == SignatureTerms && !stronger(c, rank[n-1]) {
				continue
			}
			at, hi := 0, n // the first place whose feature is not stronger
			for at < hi {
				if m := int(uint(at+hi) >> 1); stronger(rank[m], c) {
					at = m + 1
				} else {
					hi = m
				}
			}
			copy(rank[at+1:n+1], rank[at:n])
			rank[at] = c
			n = min(n+1, SignatureTerms)
		}
		sc.lead.finish(r)
	})
	ranked := rank[:n]
	fp.top, fp.block = fp.topArray[:n], fp.blockArray[:0]
	var norm float64
	for i, r := range ranked {
		fp.top[i] = feats[r.i]
		norm += r.score * r.score
		if i < blockingKeys {
			fp.block = append(fp.block, r.key)
		}
	}
	norm = math.Sqrt(norm)
	// Sort by key, as numbers that each hold a key and a place in ranked:
	// plain integers sort faster than records through a comparison
	// function. Equal keys (two hashes folded alike) keep the stronger
	// first.
	var byKey [SignatureTerms]uint64
	for i, r := range ranked {
		byKey[i] = uint64(r.key)<<32 | uint64(i)
	}
	sortKeys(byKey[:n])
	for i, k := range byKey[:n] {
		r := ranked[uint32(k)]
		w := 0.0
		if norm > 0 {
			w = r.score / norm
		}
		fp.sig.Keys[i] = r.key
		fp.sig.Weights[i] = uint16(math.Round(w * math.MaxUint16))
		fp.place[uint32(k)] = uint8(i)
	}
	fp.sig.N = uint8(n)
	fp.sig.Words = uint16(min(rd.pos, math.MaxUint16))

	fp.lead = &sc.lead.profile
	return fp
}

// addSentence takes in the hash h of one of the article's sentences of six
// words or more, keeping it among the Sentences if it is one of the
// smallest SignatureSentences seen: a bounded insertion, which for the
// few dozen sentences of an article costs less than sorting them all.
func (s *Signature) addSentence(h uint32) {
	n := int(s.NS)
	if n == SignatureSentences && h >= s.Sentences[n-1] {
		return
	}
	at := 0 // the first place whose hash is not smaller
	for at < n && s.Sentences[at] < h {
		at++
	}
	if at < n && s.Sentences[at] == h {
		return
	}
	n = min(n+1, SignatureSentences)
	copy(s.Sentences[at+1:n], s.Sentences[at:n-1])
	s.Sentences[at] = h
	s.NS = uint8(n)
}

// sortKeys sorts the keys of a signature, SignatureTerms at most:
// insertion sort costs less than the general sort for so few.
func sortKeys(keys []uint64) {
	for i := 1; i < len(keys); i++ {
		k, j := keys[i], i
		for ; j > 0 && keys[j-1] > k; j-- {
			keys[j] = keys[j-1]
		}
		keys[j] = k
	}
}

// appendText appends to dst the text of one of the fingerprint's top
// features, as evidence shows it: lower-case, a name's words joined by
// spaces, a number without thousands separators.
//
// The word is lower-cased as it is appended, which tells whether it is
// ASCII: its term ([termOf]) is then the word less a possessive at most,
// so the term's bytes lo to hi are the word's, kept in place without
// building the term.
func (fp *fingerprint) appendText(dst []byte, f *feat) []byte {
	if f.kind == kindName {
		return append(dst, fp.sc.names[f.lo:f.hi]...)
	}
	word := fp.body[f.start:f.end]
	from := len(dst)
	dst = append(dst, word...)
	var high byte // the bytes ORed: bit 7 is set if one is not ASCII
	for i := from; i < len(dst); i++ {
		high |= dst[i]
		dst[i] = lowerBytes[dst[i]]
	}
	if high >= utf8.RuneSelf {
		text := termOf(word)[f.lo:f.hi]
		if f.kind == kindNumber {
			text = strings.ReplaceAll(text, ",", "")
		}
		return append(dst[:from], strings.ToLower(text)...)
	}
	dst = dst[:from+copy(dst[from:], dst[from+int(f.lo):from+int(f.hi)])]
	if f.kind == kindNumber {
		dst = dst[:from+len(slices.DeleteFunc(dst[from:], isComma))]
	}
	return dst
}

// isComma tells whether c is a comma, a thousands separator in a number.
func isComma(c byte) bool { return c == ',' }

// asciiLower returns an ASCII capital as lower case, any other byte as it
// is.
func asciiLower(c byte) byte {
	if c-'A' < 26 {
		return c + 'a' - 'A'
	}
	return c
}

// featureKey is the key of a feature in a [Signature]: its
// [lexicon.Hash] folded to 32 bits, the low two bits encoding its kind, so
// a stored signature still tells names from other terms.
func featureKey(kind byte, h uint64) uint32 {
	return uint32(h^h>>32)&^3 | kindCode(kind)
}

// A sentence's hash folds the 32-bit FNV-1a way over its words' term
// hashes (one step per word, not per byte), those of its numbers apart
// (see [sentenceHash]).
const (
	fnvOffset uint32 = 2166136261
	fnvPrime  uint32 = 16777619
)

// sentenceHash returns the hash of a sentence from the hash of its words
// other than numbers, words, and that of its numbers, of which it has n:
// words itself if it has none.
func sentenceHash(words, numbers uint32, n int) uint32 {
	if n == 0 {
		return words
	}
	return (words ^ numbers) * fnvPrime
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

// termHash returns the [lexicon.Hash] of term lower-cased (its ASCII
// letters: term is ASCII or lower-case already), leaving out commas if
// number is set ("2,290" is 2290).
func termHash(term string, number bool) uint64 {
	if !number || strings.IndexByte(term, ',') < 0 {
		return lexicon.HashLower(term)
	}
	var buf [32]byte // room for any number but the longest, on the stack
	digits := buf[:0]
	for i := 0; i < len(term); i++ {
		if term[i] != ',' {
			digits = append(digits, term[i])
		}
	}
	return lexicon.HashLower(string(digits))
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
	if uint(pos) < uint(len(positionWeights)) { // unsigned: no bounds check
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
// a line break, or ".", "!" or "?" followed by a space. The usual gap, a
// space, is told apart inline.
func sentenceBreak(gap string) bool { return gap != " " && punctuatedBreak(gap) }

// punctuatedBreak is [sentenceBreak] for a gap other than a space. A gap
// is a few bytes: one pass over them costs less than the searches of the
// strings package.
func punctuatedBreak(gap string) bool {
	stop := false
	for i := 0; i < len(gap); i++ {
		switch gap[i] {
		case '\n':
			return true
		case '.', '!', '?':
			stop = true
		}
	}
	return stop && gap[len(gap)-1] == ' '
}
