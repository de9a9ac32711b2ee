package ner

import (
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Tags are BIO tags over four entity classes.
const (
	tagO = iota
	tagBPer
	tagIPer
	tagBOrg
	tagIOrg
	tagBLoc
	tagILoc
	tagBMisc
	tagIMisc
	numTags
)

// Entity classes.
const (
	classPerson = 1 + iota
	classOrg
	classLoc
	classMisc
)

// classNames maps a class (tag/2 for B and I tags) to the entity type.
var classNames = [...]string{"", "person", "organization", "location", "misc"}

func classOf(tag int) int { return (tag + 1) / 2 }

func isInside(tag int) bool { return tag != tagO && tag%2 == 0 }

// The feature model. Every feature is either a property of one word seen
// at a fixed offset from the tagged token under a condition (a word group),
// or a condition alone (a constant group). Both kinds depend only on the
// word types of the line and a few per-token flags, so the tagger can sum
// precomputed per-word score vectors instead of looking up each feature.
const (
	gSelf  = iota // the word itself
	gPrev         // the word before
	gNext         // the word after
	gPrev2        // two before
	gNext2        // two after
	gSent         // the word itself, at the start of a sentence
	gCaps         // the word itself, in a line of capitals
	numWordGroups
)

// wordGroupOffset is the position, relative to the tagged token, of the
// word each group looks at.
var wordGroupOffset = [numWordGroups]int{gSelf: 0, gPrev: -1, gNext: 1, gPrev2: -2, gNext2: 2, gSent: 0, gCaps: 0}

const (
	cBias    = iota // every token
	cLowInit        // capitalised at a sentence start or in capitals, and seen in lower case elsewhere in the document
	cLowMid         // capitalised mid-sentence, and seen in lower case elsewhere
	cCapInit        // at a sentence start or in capitals, and seen capitalised mid-sentence elsewhere
	// cDoc+c-1 is active when the first stage tagged the word's
	// occurrences in the document mostly as class c, and cDocInit+c-1 when
	// moreover the token starts a sentence or is in capitals: the second
	// stage uses them to make a document's labels consistent.
	cDoc
	cDocInit       = cDoc + classMisc
	numConstGroups = cDocInit + classMisc
)

// numStages is the number of tagging passes: the second sees the document
// classes the first found (cDoc).
const numStages = 2

// Pseudo-words stand beyond the ends of a sentence.
const (
	wordBOS = "<s>"
	wordEOS = "</s>"
)

// Kinds of word features; a feature is a kind and a value in a group.
const (
	kWord      = iota // the word as written
	kLower            // lower-cased
	kShape            // character classes, see shape
	kLen              // length bucket
	kPrefix           // first 1–4 runes, lower-cased
	kSuffix           // last 1–4 runes, lower-cased
	kGazetteer        // where the word occurs in the names of the gazetteer
	numKinds
)

var kindNames = [numKinds]string{kWord: "w", kLower: "l", kShape: "sh", kLen: "len", kPrefix: "p", kSuffix: "s", kGazetteer: "g"}

// gazetteer maps the lower-case words of a list of place names to where
// they occur in them: alone, first or later in a longer name.
type gazetteer map[string]string

// newGazetteer indexes names.
func newGazetteer(names []string) gazetteer {
	flags := map[string]uint8{}
	for _, name := range names {
		toks := tokenize(name, nil)
		for i, t := range toks {
			var f uint8 = 4 // later word
			switch {
			case len(toks) == 1:
				f = 1 // the whole name
			case i == 0:
				f = 2 // first word
			}
			flags[lowerOf(t.text)] |= f
		}
	}
	g := make(gazetteer, len(flags))
	for w, f := range flags {
		g[w] = string(rune('0' + f))
	}
	return g
}

// wordProps holds the feature values of one word.
type wordProps struct {
	word, lower, shape, length string
	gazetteer                  string   // see gazetteer; "" when not in it
	affixes                    []string // prefixes, then suffixes, by length
	nPrefix                    int
	suffix3                    string
}

func propsOf(w string, gaz gazetteer) wordProps {
	lower := lowerOf(w)
	p := wordProps{word: w, lower: lower, shape: shape(w), length: lenBucket(w), gazetteer: gaz[lower]}
	for n := 1; n <= 4; n++ {
		if v, ok := prefix(lower, n); ok {
			p.affixes = append(p.affixes, v)
		}
	}
	p.nPrefix = len(p.affixes)
	for n := 1; n <= 4; n++ {
		if v, ok := suffix(lower, n); ok {
			p.affixes = append(p.affixes, v)
			if n == 3 {
				p.suffix3 = v
			}
		}
	}
	return p
}

// group calls emit with the features the word contributes in group g.
func (p *wordProps) group(g int, emit func(kind int, value string)) {
	switch g {
	case gSelf:
		p.all(emit)
	case gPrev, gNext, gSent:
		emit(kLower, p.lower)
		emit(kShape, p.shape)
	case gPrev2, gNext2:
		emit(kLower, p.lower)
	case gCaps:
		emit(kLower, p.lower)
		emit(kShape, p.shape)
		if p.suffix3 != "" {
			emit(kSuffix, p.suffix3)
		}
		if p.gazetteer != "" {
			emit(kGazetteer, p.gazetteer)
		}
	}
}

// all calls emit with every feature the word has in any group: the self
// group uses them all, the others a subset.
func (p *wordProps) all(emit func(kind int, value string)) {
	emit(kWord, p.word)
	emit(kLower, p.lower)
	emit(kShape, p.shape)
	emit(kLen, p.length)
	if p.gazetteer != "" {
		emit(kGazetteer, p.gazetteer)
	}
	for i, a := range p.affixes {
		if i < p.nPrefix {
			emit(kPrefix, a)
		} else {
			emit(kSuffix, a)
		}
	}
}

// featureKey names a word feature of a group in the model.
func featureKey(g, kind int, value string) string {
	return string(rune('A'+g)) + kindNames[kind] + "=" + value
}

// parseFeatureKey splits a key made by featureKey.
func parseFeatureKey(key string) (g, kind int, value string, ok bool) {
	if key == "" || key[0] < 'A' || key[0] >= 'A'+numWordGroups {
		return 0, 0, "", false
	}
	name, value, ok := strings.Cut(key[1:], "=")
	for k, n := range kindNames {
		if ok && n == name {
			return int(key[0] - 'A'), k, value, true
		}
	}
	return 0, 0, "", false
}

// constKey names a constant group's feature.
func constKey(c int) string { return string(rune('a' + c)) }

func lenBucket(w string) string {
	switch n := utf8.RuneCountInString(w); {
	case n <= 2:
		return "s"
	case n <= 4:
		return "m"
	default:
		return "l"
	}
}

// prefix returns the first n runes of s, if s is longer than n runes.
func prefix(s string, n int) (string, bool) {
	i := 0
	for k := 0; k < n; k++ {
		if i >= len(s) {
			return "", false
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i], i < len(s)
}

// suffix returns the last n runes of s, if s is longer than n runes.
func suffix(s string, n int) (string, bool) {
	i := len(s)
	for k := 0; k < n; k++ {
		if i <= 0 {
			return "", false
		}
		_, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
	}
	return s[i:], i > 0
}

// wordKind describes the casing of a word, for the document-level flags.
type wordKind uint8

const (
	kindOther   wordKind = iota
	kindCapital          // starts with an upper-case letter
	kindLower            // has letters, all lower case
)

func kindOf(w string) wordKind {
	r, _ := utf8.DecodeRuneInString(w)
	switch {
	case unicode.IsUpper(r):
		return kindCapital
	case unicode.IsLower(r) && strings.ToLower(w) == w:
		return kindLower
	}
	return kindOther
}

// docFlags records, per lower-case form, how the words of one document
// were written.
const (
	seenLower  uint8 = 1 << iota // in lower case, outside a capitals line
	seenCapMid                   // capitalised mid-sentence, outside a capitals line
)

// observe returns the flags one token contributes to its lower-case form.
func observe(t *token, k wordKind) uint8 {
	switch {
	case t.capsLine:
		return 0
	case k == kindLower:
		return seenLower
	case k == kindCapital && !t.sentStart:
		return seenCapMid
	}
	return 0
}

// constGroups appends to dst the constant groups active at a token t of
// kind k whose lower-case form has document flags f and, from the first
// stage, document class docClass (0 for none); see groupsOf.
func constGroups(dst []int, t *token, k wordKind, f uint8, docClass int) []int {
	for set := groupsOf(t, k, f, docClass) &^ (setSent | setCaps); set != 0; set &= set - 1 {
		dst = append(dst, set.constGroup(docClass))
	}
	return dst
}

// groupSet is a set of the groups a token has after its five word groups,
// one bit each, in the order they are added to its score: gSent, gCaps,
// then the constant groups, those of a document class standing for the
// class of the token's word.
type groupSet uint8

const (
	setSent groupSet = 1 << iota
	setCaps
	setBias
	setDoc
	setDocInit
	setLowInit
	setLowMid
	setCapInit
)

// groupsOf returns the set of groups of token t of kind k, whose
// lower-case form has document flags f and, from the first stage,
// document class docClass (0 for none).
func groupsOf(t *token, k wordKind, f uint8, docClass int) groupSet {
	set := setBias
	if t.sentStart {
		set |= setSent
	}
	if t.capsLine {
		set |= setCaps
	}
	initial := t.sentStart || t.capsLine
	if docClass != 0 {
		set |= setDoc
		if initial {
			set |= setDocInit
		}
	}
	if k != kindCapital {
		return set
	}
	switch {
	case f&seenLower != 0 && initial:
		set |= setLowInit
	case f&seenLower != 0:
		set |= setLowMid
	}
	if initial && f&seenCapMid != 0 {
		set |= setCapInit
	}
	return set
}

// constGroup returns the constant group of the lowest bit of set, which
// must be one of a constant group, for a word of document class
// docClass.
func (set groupSet) constGroup(docClass int) int {
	b := bits.TrailingZeros8(uint8(set))
	c := setConsts[b]
	if c == cDoc || c == cDocInit {
		c += docClass - 1
	}
	return c
}

// setConsts maps the bits of a groupSet from setBias on to their constant
// groups, those of the document class to the first class's.
var setConsts = [8]int{2: cBias, 3: cDoc, 4: cDocInit, 5: cLowInit, 6: cLowMid, 7: cCapInit}

// classVotes counts, for one lower-case form, the first-stage tags of its
// occurrences by class.
type classVotes [len(classNames)]uint16

// add counts one token tagged tag.
func (v *classVotes) add(tag int8) {
	if tag != tagO {
		v[classOf(int(tag))]++
	}
}

// majority returns the class most votes went to, 0 for none.
func (v *classVotes) majority() int {
	best := 0
	for c := 1; c < len(v); c++ {
		if v[c] > v[best] {
			best = c
		}
	}
	return best
}

// groupActive reports whether word group g applies at token t.
func groupActive(g int, t *token) bool {
	switch g {
	case gSent:
		return t.sentStart
	case gCaps:
		return t.capsLine
	}
	return true
}
