package clean

import (
	"iter"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Result is a cleaned article: the paragraphs a reader sees and the
// structural metadata found on the way.
type Result struct {
	// Paragraphs are the kept paragraphs in order, each trimmed, with runs
	// of white space collapsed and no line breaks inside.
	Paragraphs []string
	// Title is the headline found in the input (HTML metadata, or a
	// headline-shaped first line of plain text); "" when none was found.
	// The headline line stays in Paragraphs.
	Title string
	// Byline names the author(s), without a leading "By"; "" when none.
	Byline string
	// Dateline is the place (and date or agency) the story was filed from,
	// as written, for example "LONDON 1996-08-30" or "WASHINGTON (Reuters)";
	// the line or paragraph it came from stays in Paragraphs.
	Dateline string
	// PublishedAt is the publication date the text states, at midnight UTC
	// unless the input gave a time; the zero Time when none was found.
	PublishedAt time.Time
	// Removed counts the input paragraphs (non-empty lines) that were
	// dropped as furniture, template, date stamps or appended teasers.
	Removed int
}

// Text returns the paragraphs joined by a blank line ("\n\n").
func (r Result) Text() string { return strings.Join(r.Paragraphs, "\n\n") }

// Clean cleans one raw article body, plain text or HTML, without any
// per-source memory. It never fails: input with nothing readable in it
// yields a Result with no paragraphs. Invalid UTF-8 is dropped, control
// characters become spaces.
func Clean(raw string) Result { return clean(raw, nil) }

// Text is Clean(raw).Text(): the cleaned body with paragraphs separated by
// "\n\n", or "" when nothing readable is left.
func Text(raw string) string { return Clean(raw).Text() }

// kind is why a paragraph is kept or dropped.
type kind uint8

const (
	kindBody      kind = iota
	kindFurniture      // site furniture: ads, share/comment widgets, sign-ups, credits
	kindDate           // a line that is only a date stamp
	kindTemplate       // repeated across one source's articles
	kindTeaser         // another story's teaser appended after the article
)

// para is one input paragraph, its line key (see lineKey) and its
// classification.
type para struct {
	text string
	key  string
	kind kind
}

// templateFilter reports, for the paragraphs of one article, which are
// template lines of its source; nil means no per-source memory.
type templateFilter interface {
	templates(paras []para) []bool
}

// clean is the whole cleaning pass; tf adds the per-source template step.
func clean(raw string, tf templateFilter) Result {
	paras, res := classifyAll(raw, tf)
	for _, p := range paras {
		if p.kind != kindBody {
			res.Removed++
		}
	}
	if kept := len(paras) - res.Removed; kept > 0 {
		res.Paragraphs = make([]string, 0, kept)
		for _, p := range paras {
			if p.kind == kindBody {
				res.Paragraphs = append(res.Paragraphs, p.text)
			}
		}
	}
	return res
}

// classifyAll splits raw into paragraphs and classifies each, and returns
// them with the metadata found (Paragraphs and Removed left empty).
func classifyAll(raw string, tf templateFilter) ([]para, Result) {
	var res Result
	binary, valid := inspect(raw)
	if binary {
		return nil, res
	}
	if !valid {
		raw = strings.ToValidUTF8(raw, "")
	}
	var texts []string
	if looksHTML(raw) {
		var hm htmlMeta
		texts, hm = htmlParagraphs(raw)
		res.Title, res.Byline, res.PublishedAt = hm.title, hm.author, hm.date
	} else {
		texts = splitParagraphs(raw)
	}
	paras := make([]para, len(texts))
	for i, t := range texts {
		paras[i].text = t
	}
	setKeys(paras)
	for i := range paras {
		paras[i].kind = classify(paras[i].text, paras[i].key)
	}
	markPromoHeadings(paras)
	if tf != nil {
		markTemplates(paras, tf.templates(paras))
	}
	markTeasers(paras)
	extractMeta(paras, &res)
	return paras, res
}

// markTemplates drops the paragraphs the source memory calls template,
// unless that would remove most of the article: a source republishing one
// story many times repeats real paragraphs too, and those must stay.
func markTemplates(paras []para, tmpl []bool) {
	body, hits := 0, 0
	for i, p := range paras {
		if p.kind != kindBody {
			continue
		}
		body++
		if tmpl[i] {
			hits++
		}
	}
	if hits == 0 || 2*hits > body {
		return
	}
	for i := range paras {
		if tmpl[i] && paras[i].kind == kindBody {
			paras[i].kind = kindTemplate
		}
	}
}

// splitParagraphs turns valid UTF-8 plain text into paragraphs: every
// non-empty line is one, since crawlers deliver both one-line-per-paragraph
// and blank-line-separated text. Lines are normalised by normalizeLine.
func splitParagraphs(raw string) []string {
	out := make([]string, 0, strings.Count(raw, "\n")+1)
	for line := range strings.Lines(raw) {
		if s := normalizeLine(line); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// inspect reports whether raw is binary, that is more than a tenth of its
// characters are invalid UTF-8 or control characters other than line
// breaks and tabs (such input is a file, not text, and any letters in it
// are noise), and whether it is valid UTF-8, both in one pass.
func inspect(raw string) (binary, valid bool) {
	bad, total := 0, 0
	valid = true
	for i := 0; i < len(raw); {
		if i+8 <= len(raw) && printableASCII(raw[i:i+8]) {
			i += 8
			total += 8
			continue
		}
		total++
		if c := raw[i]; c < utf8.RuneSelf {
			i++
			if c < ' ' && c != '\n' && c != '\r' && c != '\t' {
				bad++
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(raw[i:])
		if r == utf8.RuneError && size == 1 {
			bad++
			valid = false
		}
		i += size
	}
	return 10*bad > total, valid
}

// printableASCII reports whether the eight bytes of s are all ASCII and
// none is below a space: the bulk of most text, checked at once with the
// "has a byte less than n" test of Bit Twiddling Hacks.
func printableASCII(s string) bool {
	_ = s[7]
	x := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	return x&highs == 0 && (x-' '*ones)&^x&highs == 0
}

// normalizeLine maps control and invisible format characters to spaces,
// collapses white space runs and trims the ends. Lines that are mostly
// symbols (binary junk) normalise to "".
func normalizeLine(line string) string {
	line = strings.TrimRight(line, "\r\n")
	if s, ok := alreadyNormal(line); ok {
		return s
	}
	var b strings.Builder
	b.Grow(len(line))
	space := false
	text, total := 0, 0
	for _, r := range line {
		switch {
		case r == utf8.RuneError, r == '\uFEFF', r == '\u200B', r == '\u200C', r == '\u200D', r == '\u2060':
			continue
		case unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
		total++
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsPunct(r) {
			text++
		}
	}
	if total == 0 || 2*text < total {
		return ""
	}
	return b.String()
}

// wordSpans yields the words of s as substrings: runs of letters and
// digits, with apostrophes between letters kept inside ("don't").
func wordSpans(s string) iter.Seq[string] {
	return func(yield func(string) bool) {
		start := -1
		for i := 0; i < len(s); {
			r, size := rune(s[i]), 1
			if r >= utf8.RuneSelf {
				r, size = utf8.DecodeRuneInString(s[i:])
			}
			if r < utf8.RuneSelf && asciiWord[r] || r >= utf8.RuneSelf && !isTypoPunct(r) && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
				if start < 0 {
					start = i
				}
				i += size
				continue
			}
			if start >= 0 && (r == '\'' || r == '’') {
				next, _ := utf8.DecodeRuneInString(s[i+size:])
				if unicode.IsLetter(next) {
					i += size
					continue
				}
			}
			if start >= 0 {
				if !yield(s[start:i]) {
					return
				}
				start = -1
			}
			i += size
		}
		if start >= 0 {
			yield(s[start:])
		}
	}
}

// isTypoPunct reports whether r is one of the dashes, quotes, bullets and
// ellipses of U+2010 to U+2027: punctuation, and the only non-ASCII
// characters of most English news, so worth telling apart without the
// unicode tables.
func isTypoPunct(r rune) bool { return '\u2010' <= r && r <= '\u2027' }

// asciiWord marks the ASCII letters and digits.
var asciiWord = func() (t [utf8.RuneSelf]bool) {
	for r := range rune(utf8.RuneSelf) {
		t[r] = unicode.IsLetter(r) || unicode.IsDigit(r)
	}
	return t
}()

// asciiClass classifies the ASCII bytes for alreadyNormal: classCounted
// for all but the space, classText for letters, digits and punctuation
// (the characters that count as text when telling text from junk), and
// classControl for control characters.
var asciiClass = func() (t [utf8.RuneSelf]uint8) {
	for r := range rune(utf8.RuneSelf) {
		switch {
		case r == ' ':
		case unicode.IsControl(r):
			t[r] = classControl
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsPunct(r):
			t[r] = classCounted | classText
		default:
			t[r] = classCounted
		}
	}
	return t
}()

const (
	classCounted = 1 << iota
	classText
	classControl
)

// alreadyNormal returns line and true when normalizeLine would return it
// unchanged, sparing the copy for the common case. ASCII, most of any
// English text, is counted without a branch per byte: a branch taken at
// every space would be mispredicted often enough to dominate the loop.
func alreadyNormal(line string) (string, bool) {
	if line == "" || line[0] == ' ' || line[len(line)-1] == ' ' {
		return "", false
	}
	text, total := 0, 0
	space, double := 0, 0 // whether the last byte is a space; whether two were in a row
	for i := 0; i < len(line); {
		if c := line[i]; c < utf8.RuneSelf {
			i++
			f := asciiClass[c]
			if f&classControl != 0 {
				return "", false
			}
			counted := int(f & classCounted)
			total += counted
			text += int(f&classText) / classText
			double |= space &^ counted
			space = 1 - counted
			continue
		}
		space = 0
		r, size := utf8.DecodeRuneInString(line[i:])
		i += size
		if isTypoPunct(r) {
			total++
			text++
			continue
		}
		switch {
		case r == utf8.RuneError, r == '\uFEFF', r == '\u200B', r == '\u200C', r == '\u200D', r == '\u2060',
			unicode.IsSpace(r), unicode.IsControl(r), unicode.Is(unicode.Cf, r):
			return "", false
		}
		total++
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsPunct(r) {
			text++
		}
	}
	if double == 1 || 2*text < total {
		return "", false // let normalizeLine collapse the spaces or reject the line
	}
	return line, true
}

// words returns the words of s (see wordSpans) with inner apostrophes
// dropped, so that "don't" is "dont".
func words(s string) []string {
	var out []string
	for w := range wordSpans(s) {
		out = append(out, noApostrophes(w))
	}
	return out
}

// noApostrophes returns w without its apostrophes.
func noApostrophes(w string) string {
	if strings.IndexByte(w, '\'') < 0 && !strings.Contains(w, "’") {
		return w
	}
	return apostrophes.Replace(w)
}

// apostrophes deletes the apostrophes words keep inside them.
var apostrophes = strings.NewReplacer("'", "", "’", "")

// keyWords is the number of words of a line key: len(words(s)) for the
// line s it was made from.
func keyWords(key string) int {
	if key == "" {
		return 0
	}
	return strings.Count(key, " ") + 1
}

// wordCount is len(words(s)) without allocating.
func wordCount(s string) int {
	n := 0
	for range wordSpans(s) {
		n++
	}
	return n
}

// endsSentence reports whether s ends like a finished sentence or quote.
func endsSentence(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return strings.ContainsRune(".!?…\"'”’»)]:;", r)
}
