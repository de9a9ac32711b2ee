package dedup

import (
	"math"
	"slices"

	"github.com/wiredesk/wiredesk/pipeline/lexicon"
)

// A lead profile is what an article's opening says about its event, kept
// to tell two events of the same kind apart: reports of one event open on
// the same facts (who, where, how many), found in each other's text, while
// the first report of another event of the same kind opens on a name or a
// figure the earlier reports never mention. The story rule weighs these
// ([leadMatch]) with the support and the phrases ([storyScore]).
const (
	// leadWords is how many distinct content words (numbers aside) of the
	// opening make its lead.
	leadWords = 40
	// leadTokens is how many words of the opening the lead, its
	// capitalised names and its numbers are taken from.
	leadTokens = 100
	// leadNameIDF is the rarity a capitalised word of the opening needs to
	// count as a name of the event: common capitalised words ("President",
	// "Monday") are not the facts that tell events apart.
	leadNameIDF = 2
	// idfScale quantises a lead word's IDF into a byte.
	idfScale = 16
	// figureSentences is how many of its first sentences with figures
	// (see [leadScratch.figure]) a profile keeps.
	figureSentences = 8
	// figureWords is how many words other than numbers a sentence with
	// figures needs to be compared: shorter lines ("He was 77.", "Updated
	// 10:24 AM") match those of unrelated text, or are time stamps.
	figureWords = 3
	// vocabBloomWords sizes the Bloom filter of the vocabulary a profile
	// keeps (the distinct content words and numbers of the article's first
	// phraseWords content words, about 110): 1024 bits, 3 per word within
	// one 64-bit word of them, so that a word of another article passes
	// for one of them about once in 50 tries.
	vocabBloomWords = 16
)

// vocabHash folds a word's [lexicon.Hash] to the 16 bits a lead profile
// keeps of the lead words, names and numbers it compares.
func vocabHash(h uint64) uint16 { return uint16(h>>48 ^ h>>16) }

// vocabBloom is a blocked Bloom filter of words, by their [lexicon.Hash]:
// a word sets three bits of one of its 64-bit words, so that a test reads
// one word.
type vocabBloom [vocabBloomWords]uint64

// bloomProbe is where a word is in a [vocabBloom]: the word of the filter
// that holds its bits, and those bits.
type bloomProbe struct {
	word uint
	bits uint64
}

// probeOf returns the probe of h.
func probeOf(h uint64) bloomProbe {
	return bloomProbe{uint(h % vocabBloomWords), 1<<(h>>8&63) | 1<<(h>>16&63) | 1<<(h>>24&63)}
}

func (b *vocabBloom) add(h uint64) {
	p := probeOf(h)
	b[p.word%vocabBloomWords] |= p.bits
}

// has reports whether the word of probe p may have been added: always if
// it was.
func (b *vocabBloom) has(p bloomProbe) bool {
	return b[p.word%vocabBloomWords]&p.bits == p.bits
}

// leadScratch gathers the lead profile of the article being decided. It
// is emptied by [leadScratch.reset].
type leadScratch struct {
	// The 64-bit hashes of the opening's lead words, names and numbers,
	// with the place of each lead word among the fingerprint's features
	// and its quantised IDF (see [leadScratch.weigh]).
	leadWords, names, numbers []uint64
	at                        []int32
	idf                       []uint8
	leadIDF                   float64 // the sum of the lead words' IDFs
	// profile is the article's profile; its bloom filter holds the
	// content words and numbers of its first phraseWords content words,
	// and its figures are filled as the article is read.
	profile leadProfile
}

// reset empties the scratch.
func (ls *leadScratch) reset() {
	ls.leadWords, ls.names, ls.numbers, ls.at, ls.idf = ls.leadWords[:0], ls.names[:0], ls.numbers[:0], ls.at[:0], ls.idf[:0]
	ls.profile.packed, ls.profile.figures, ls.profile.bloom, ls.leadIDF = ls.profile.packed[:0], ls.profile.figures[:0], vocabBloom{}, 0
}

// leadSets hold the vocabulary and lead of the article being decided as
// sets of their vocabHash, to measure candidates' profiles against, and
// the probes of its lead words, names and numbers in a profile's
// vocabulary filter. An index keeps one, 16 KB that a fingerprint need
// not carry, filled once for a decision that compares leads, however many
// it compares, and emptied after.
type leadSets struct {
	vocab, lead phraseSet
	// probes are the [bloomProbe]s of the lead words, names and numbers
	// of the lead filled in, in that order: the same for every profile.
	probes []bloomProbe
	// leadWords are the lead filled in, for empty; filled tells whether
	// anything was.
	leadWords []uint64
	filled    bool
}

// fill puts in the sets the vocabulary of an article, its distinct
// features (see [fingerprint].terms), and the lead of ls, unless they hold
// them already: the sets hold one article's at a time, until emptied.
func (s *leadSets) fill(terms []uint64, ls *leadScratch) {
	if s.filled {
		return
	}
	s.filled, s.leadWords = true, ls.leadWords
	for _, h := range terms {
		s.vocab.put(vocabHash(h))
	}
	probes := s.probes[:0]
	for _, h := range ls.leadWords {
		s.lead.put(vocabHash(h))
		probes = append(probes, probeOf(h))
	}
	for _, h := range ls.names {
		probes = append(probes, probeOf(h))
	}
	for _, h := range ls.numbers {
		probes = append(probes, probeOf(h))
	}
	s.probes = probes
}

// empty removes what fill put in the sets: the vocabulary, a few hundred
// words that set bits all over its set, by clearing the whole set (8 KB,
// a few hundred instructions), the lead by clearing the words of its set
// that its few dozen words set.
func (s *leadSets) empty() {
	if !s.filled {
		return
	}
	clear(s.vocab.bits[:])
	for _, h := range s.leadWords {
		s.lead.bits[vocabHash(h)/64] = 0
	}
	s.filled, s.leadWords = false, nil
}

// read takes in a content word or number among the first leadTokens
// words of the article, the feature at place at, first mentioned here if
// first; opens tells whether it opens a sentence.
func (ls *leadScratch) read(wd word, at int32, first, opens bool) {
	switch {
	case wd.is&numberWord != 0:
		if first && !isYear(wd.term) {
			ls.numbers = append(ls.numbers, wd.h)
		}
		return
	case first && len(ls.leadWords) < leadWords:
		ls.leadWords = append(ls.leadWords, wd.h)
		ls.at = append(ls.at, at)
	}
	if wd.is&upperWord != 0 && !opens && !slices.Contains(ls.names, wd.h) {
		ls.names = append(ls.names, wd.h)
	}
}

// figure takes in a sentence of the article: its hash (see [extract]),
// the same hash with its numbers left out, how many words it has and how
// many of them are numbers. The first figureSentences sentences that have
// numbers and figureWords other words are kept (see [leadProfile]).
func (ls *leadScratch) figure(sent, blind uint32, words, numbers int) {
	if numbers > 0 && words-numbers >= figureWords && len(ls.profile.figures) < figureSentences {
		ls.profile.figures = append(ls.profile.figures, uint64(blind)<<32|uint64(sent))
	}
}

// isYear reports whether a number is a year of the last two centuries,
// which reports of one event cite as they please.
func isYear(term string) bool {
	return len(term) == 4 && (term[:2] == "19" || term[:2] == "20")
}

// weigh takes in the IDF of the next lead word, in their order.
func (ls *leadScratch) weigh(idf float64) {
	q := uint8(max(min(idf*idfScale+0.5, math.MaxUint8), 1)) // rounded
	ls.idf = append(ls.idf, q)
	ls.leadIDF += float64(q) / idfScale
}

// finish completes the profile once the article is read and its lead
// words weighed: it keeps the rare names, and builds the packed profile
// the index keeps (see [leadProfile]).
//
// A name's IDF is taken as IDFOfDF of its DFOf, which both inline, where
// [lexicon.Rarities.IDFOf] is a call; the packed profile is grown once.
func (ls *leadScratch) finish(r lexicon.Rarities) {
	names := ls.names[:0]
	for _, h := range ls.names {
		if r.IDFOfDF(r.DFOf(h)) >= leadNameIDF {
			names = append(names, h)
		}
	}
	ls.names = names
	p := slices.Grow(ls.profile.packed[:0], 3+len(ls.leadWords)+len(ls.idf)+len(ls.names)+len(ls.numbers))
	p = append(p, uint16(len(ls.leadWords)), uint16(len(ls.names)), uint16(len(ls.numbers)))
	p = appendVocab(p, ls.leadWords)
	for _, q := range ls.idf {
		p = append(p, uint16(q))
	}
	p = appendVocab(p, ls.names)
	ls.profile.packed = appendVocab(p, ls.numbers)
}

// appendVocab appends the vocabHash of each of hs to p.
func appendVocab(p []uint16, hs []uint64) []uint16 {
	for _, h := range hs {
		p = append(p, vocabHash(h))
	}
	return p
}

// leadProfile is the profile [leadScratch.finish] builds: packed holds
// the numbers of lead words, names and numbers, then the vocabHash of each
// lead word, their quantised IDFs, the names and the numbers; bloom holds
// the vocabulary. figures are the article's first sentences with figures,
// each its hash without its numbers in the high 32 bits and its hash in
// the low ones: a sentence of another article with the same high half and
// another low half repeats it with other figures.
type leadProfile struct {
	packed  []uint16
	figures []uint64
	bloom   vocabBloom
}

// parts returns the parts of a profile's packed lists; ok is false for an
// empty profile.
func (p *leadProfile) parts() (lead, idf, names, numbers []uint16, ok bool) {
	if len(p.packed) < 3 {
		return nil, nil, nil, nil, false
	}
	nl, nn, nu := int(p.packed[0]), int(p.packed[1]), int(p.packed[2])
	rest := p.packed[3:]
	if len(rest) != 2*nl+nn+nu {
		return nil, nil, nil, nil, false
	}
	return rest[:nl], rest[nl : 2*nl], rest[2*nl : 2*nl+nn], rest[2*nl+nn:], true
}

// leadMatch is how the leads of a new article and an earlier one relate.
type leadMatch struct {
	// shared is the IDF-weighted Jaccard index of the two leads.
	shared float64
	// found is the lesser of the IDF-weighted shares of each lead found
	// in the other article (in the earlier one's first phraseWords content
	// words, in the whole of the new one).
	found float64
	// newNames and oldNames count the names of each opening that the
	// other article lacks, newNumbers and oldNumbers its numbers.
	newNames, oldNames, newNumbers, oldNumbers int
	// revised counts the new article's sentences with figures that repeat
	// one of the earlier article's with other figures (see [leadProfile]).
	revised int
}

// compare measures an earlier article's profile against the new article's,
// whose vocabulary and lead sets holds (filled from ls).
func (ls *leadScratch) compare(p *leadProfile, sets *leadSets) leadMatch {
	lead, idf, names, numbers, ok := p.parts()
	bloom := &p.bloom
	var m leadMatch
	if !ok {
		return m
	}
	nl, nn := len(ls.leadWords), len(ls.names)
	probes := sets.probes[:nl+nn+len(ls.numbers)]
	var oldIDF, oldFound, shared, newFound uint32
	for i, v := range lead {
		q := uint32(idf[i])
		oldIDF += q
		oldFound += q * uint32(b2i(sets.vocab.has(v)))
		shared += q * uint32(b2i(sets.lead.has(v)))
	}
	for _, v := range names {
		m.oldNames += b2i(!sets.vocab.has(v))
	}
	for _, v := range numbers {
		m.oldNumbers += b2i(!sets.vocab.has(v))
	}
	for i, q := range ls.idf[:nl] {
		newFound += uint32(q) * uint32(b2i(bloom.has(probes[i])))
	}
	for _, pr := range probes[nl : nl+nn] {
		m.newNames += b2i(!bloom.has(pr))
	}
	for _, pr := range probes[nl+nn:] {
		m.newNumbers += b2i(!bloom.has(pr))
	}
	m.revised = revisedFigures(ls.profile.figures, p.figures)
	newIDF := ls.leadIDF * idfScale
	if union := newIDF + float64(oldIDF) - float64(shared); union > 0 {
		m.shared = float64(shared) / union
	}
	m.found = min(ratio(float64(newFound), newIDF), ratio(float64(oldFound), float64(oldIDF)))
	return m
}

// revisedFigures counts the sentences of figures (a profile's) that repeat
// one of old with other figures: the same words, other numbers.
func revisedFigures(figures, old []uint64) int {
	n := 0
	for _, f := range figures {
		same, other := false, false
		for _, o := range old {
			if f>>32 == o>>32 {
				same, other = same || f == o, other || f != o
			}
		}
		n += b2i(other && !same)
	}
	return n
}

// ratio returns a/b, or 0.5 when b is 0: a lead without a word says
// nothing either way.
func ratio(a, b float64) float64 {
	if b <= 0 {
		return 0.5
	}
	return a / b
}
