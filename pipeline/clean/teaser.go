package clean

import (
	"hash/maphash"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Teasers are the first lines of other stories that aggregator sites paste
// after an article ("You may also like" boxes whose heading was lost). They
// are long prose paragraphs that either stop mid-sentence (the site cut
// them at a fixed length) or share almost no content words with the
// article above them.
const (
	// maxTeasers bounds how many trailing paragraphs are examined.
	maxTeasers = 10
	// minTeaserWords: shorter trailing lines (sign-offs, table rows,
	// contributor notes) are never treated as teasers.
	minTeaserWords = 12
	// cutTeaserWords: a paragraph this long that stops mid-sentence is a
	// cut-off teaser even when it is about the same topic.
	cutTeaserWords = 50
	// cutOverlap: a paragraph stopping mid-sentence is a teaser when less
	// than this share of its content words occur in the article above.
	cutOverlap = 0.5
	// strayWords and strayOverlap: a complete paragraph is a teaser only
	// when it is long and nearly unrelated to the article above.
	strayWords   = 40
	strayOverlap = 0.1
	// blockOverlap: in an article written one sentence per line, a
	// complete multi-sentence paragraph is a teaser below this overlap.
	blockOverlap = 0.15
	// stemLen is how many leading runes of a word are compared, a crude
	// stemmer that makes "Ukraine" match "Ukrainian".
	stemLen = 6
)

// stopwords are frequent words of four or more letters that say nothing
// about a story's topic.
var stopwords = setOf(
	"that", "this", "with", "from", "have", "been", "were", "they", "them", "their",
	"there", "which", "what", "when", "where", "would", "could", "should", "will",
	"about", "after", "before", "also", "into", "than", "then", "some", "more",
	"most", "other", "over", "only", "just", "like", "said", "says", "told", "year",
	"years", "first", "last", "time", "while", "being", "because", "does", "didnt",
	"dont", "each", "even", "very", "many", "much", "such", "these", "those", "your",
	"here", "made", "make", "still", "back", "well", "week", "according", "people",
	"since", "under", "between", "against", "during", "through", "monday", "tuesday",
	"wednesday", "thursday", "friday", "saturday", "sunday", "today", "yesterday",
)

// markTeasers drops the run of teaser paragraphs at the end of the body,
// walking back from the last paragraph and stopping at the first that
// belongs to the article. At least the first two body paragraphs stay.
func markTeasers(paras []para) {
	var body []int
	for i, p := range paras {
		if p.kind == kindBody {
			body = append(body, i)
		}
	}
	if len(body) < 3 {
		return
	}
	bi := bodyIndex{paras: paras, body: body}
	for k := len(body) - 1; k >= 2 && k >= len(body)-maxTeasers; k-- {
		if !isTeaser(paras[body[k]].text, func() float64 { return bi.overlap(k) }, func() bool { return bi.oneSentenceLines(k) }) {
			return
		}
		paras[body[k]].kind = kindTeaser
	}
}

// bodyIndex holds statistics of the body paragraphs, each computed on
// first use: most articles end in a paragraph that is not teaser-shaped,
// and then they are never needed. Each statistic a trailing paragraph is
// judged by covers only the paragraphs above it, so that dropping the
// teasers after it never changes its verdict: cleaning a cleaned text
// changes nothing.
type bodyIndex struct {
	paras   []para
	body    []int
	stems   [][]uint64
	firstAt map[uint64]int // stem -> first body paragraph it occurs in
	// multi[k] counts the body paragraphs before the k-th with more than
	// one sentence; nil until counted.
	multi []int
}

func (bi *bodyIndex) build() {
	if bi.stems != nil {
		return
	}
	bi.stems = make([][]uint64, len(bi.body))
	size := 0
	for _, i := range bi.body {
		size += len(bi.paras[i].text)
	}
	// About one content word in eight bytes; the paragraphs' stems share
	// one array while it has room.
	all := make([]uint64, 0, size/8)
	for k, i := range bi.body {
		start := len(all)
		all = appendStems(all, bi.paras[i].text)
		bi.stems[k] = all[start:len(all):len(all)]
	}
	bi.firstAt = make(map[uint64]int, len(all))
	for k := range bi.stems {
		for _, s := range bi.stems[k] {
			if _, ok := bi.firstAt[s]; !ok {
				bi.firstAt[s] = k
			}
		}
	}
}

// overlap is the share of the k-th body paragraph's content stems that
// occur in a body paragraph before it.
func (bi *bodyIndex) overlap(k int) float64 {
	bi.build()
	if len(bi.stems[k]) == 0 {
		return 0
	}
	shared := 0
	for _, s := range bi.stems[k] {
		if bi.firstAt[s] < k {
			shared++
		}
	}
	return float64(shared) / float64(len(bi.stems[k]))
}

// oneSentenceLines reports whether the article above the k-th body
// paragraph is written one sentence per line, where a multi-sentence
// block stands out.
func (bi *bodyIndex) oneSentenceLines(k int) bool {
	if bi.multi == nil {
		bi.multi = make([]int, len(bi.body)+1)
		for j, i := range bi.body {
			bi.multi[j+1] = bi.multi[j]
			if sentenceBreaks(bi.paras[i].text) > 0 {
				bi.multi[j+1]++
			}
		}
	}
	return 10*bi.multi[k] < 3*k
}

// isTeaser decides for one trailing paragraph; overlap gives the share of
// its content words found in the article above it.
func isTeaser(text string, overlap func() float64, oneSentenceLines func() bool) bool {
	n, lower := proseWords(text)
	if n < minTeaserWords || 10*lower < 3*n {
		return false // not prose: a table row, a result list, a short note
	}
	switch {
	case !endsSentence(text):
		return n >= cutTeaserWords || overlap() < cutOverlap
	case datedLead(text):
		return true // "December 19,2005 Convicted mobster …": a story's date stamp glued to its text
	case sentenceBreaks(text) > 0 && oneSentenceLines():
		return overlap() < blockOverlap
	}
	return n >= strayWords && overlap() < strayOverlap
}

// proseWords returns the number of words of a paragraph, which has single
// spaces, and how many of them start with a lower-case letter. ASCII takes
// no branch, as the branches a word boundary would take cost more than the
// rest of the loop.
func proseWords(text string) (n, lower int) {
	start := 1 // whether text[i] starts a word
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c >= utf8.RuneSelf {
			if r, _ := utf8.DecodeRuneInString(text[i:]); start == 1 && unicode.IsLower(r) {
				lower++
			}
			start = 0
			continue
		}
		isLower, isSpace := 0, 0
		if 'a' <= c && c <= 'z' {
			isLower = 1
		}
		if c == ' ' {
			isSpace = 1
		}
		lower += start & isLower
		start = isSpace
	}
	return strings.Count(text, " ") + 1, lower
}

// datedLead reports whether s opens with a date stamp ("Sun, 15 Sep 2013
// Two men…", "Updated 5 / 5 / 2010 1:41 PM Riots…").
func datedLead(s string) bool {
	var head [6]string // the words a date stamp is looked for in
	n := 0
	for w := range wordSpans(s) {
		if n < len(head) {
			head[n] = noApostrophes(w)
		}
		if n++; n == 1 {
			first := strings.ToLower(head[0])
			_, month := months[first]
			if !month && !dateWords[first] && !isNumberish(first) && !leadWords[first] {
				return false
			}
		}
	}
	if n < minTeaserWords {
		return false
	}
	head6 := strings.Join(head[:], " ")
	_, ok := parseDate(head6)
	return ok || hasNumericDate(head6)
}

// leadWords may precede the date of a date stamp.
var leadWords = setOf("updated", "published", "posted", "first", "last", "on", "release")

// sentenceBreaks counts sentence ends inside s: ". ", "? " or "! ",
// possibly after a closing quote, followed by a capital letter or an
// opening quote, where the word before is not an initial or a short
// abbreviation ("U.", "Mr.", "St.").
func sentenceBreaks(s string) int {
	n := 0
	for i := 0; i+2 < len(s); i++ {
		c := s[i]
		if c != '.' && c != '?' && c != '!' {
			continue
		}
		j := i + 1
		for j < len(s) && (s[j] == '"' || s[j] == '\'') {
			j++
		}
		if strings.HasPrefix(s[j:], "”") || strings.HasPrefix(s[j:], "’") {
			j += len("”")
		}
		if j >= len(s) || s[j] != ' ' {
			continue
		}
		r, _ := utf8.DecodeRuneInString(s[j+1:])
		if !unicode.IsUpper(r) && r != '"' && r != '“' {
			continue
		}
		if c == '.' {
			w := s[strings.LastIndexByte(s[:i], ' ')+1 : i]
			if len(w) <= 3 && w != "" && unicode.IsUpper(rune(w[0])) {
				continue // an initial or an abbreviation
			}
		}
		n++
	}
	return n
}

// stemSeed seeds the hashes stems are compared by.
var stemSeed = maphash.MakeSeed()

// appendStems appends to dst the hashes of the distinct stems of the
// content words of s: words of four or more letters that are not stopwords
// or numbers, cut to stemLen runes and lower-cased.
func appendStems(dst []uint64, s string) []uint64 {
	start := len(dst)
	var word [64]byte // most words fit, sparing an allocation
	for w := range wordSpans(s) {
		if len(w) < 4 {
			continue
		}
		buf, stem, runes, letter := word[:0], 0, 0, false
		for i := 0; i < len(w); {
			r, size := rune(w[i]), 1
			if r >= utf8.RuneSelf {
				r, size = utf8.DecodeRuneInString(w[i:])
			}
			i += size
			switch {
			case r == '\'' || r == '’':
				continue
			case r < utf8.RuneSelf: // an ASCII letter or digit, see wordSpans
				letter = letter || r > '9'
				if 'A' <= r && r <= 'Z' {
					r += 'a' - 'A'
				}
				buf = append(buf, byte(r))
			default:
				letter = letter || unicode.IsLetter(r)
				buf = utf8.AppendRune(buf, unicode.ToLower(r))
			}
			if runes++; runes == stemLen {
				stem = len(buf)
			}
		}
		if !letter || stopwords[string(buf)] {
			continue
		}
		if stem > 0 {
			buf = buf[:stem]
		}
		dst = append(dst, maphash.Bytes(stemSeed, buf))
	}
	slices.Sort(dst[start:])
	return dst[:start+len(slices.Compact(dst[start:]))]
}
