package ner

import (
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wiredesk/wiredesk/pipeline/lexicon"
)

// token is one word or punctuation mark of a text, with the context flags
// the tagger conditions on.
type token struct {
	// text is the token as written, with curly quotes folded to ASCII so
	// that “ and " are one word to the model.
	text       string
	hash       uint64 // the [lexicon.Hash] of text
	start, end int    // byte offsets into the text
	// sentStart marks the first token of a line or sentence, where a
	// capital letter says nothing about names.
	sentStart bool
	// lineStart marks the first token of a line.
	lineStart bool
	// capsLine marks tokens of a line written in capitals (headlines).
	capsLine bool
}

// tokenize splits text the way CoNLL-2003 is tokenized: runs of letters and
// digits, keeping inner hyphens ("Komsomolsk-on-Amur"), dotted initials
// ("U.S."), digit groups ("1,600", "88.5"), ampersands between capitals
// ("AT&T") and apostrophes before a capital ("O'Neill"); every other
// non-space rune is a token of its own. Possessive "'s" is split off.
//
// Most tokens are a word of ASCII letters and digits ended by a space or
// punctuation that cannot join it to more, or a mark of ASCII
// punctuation: an inner loop reads those ([tokenizeFast]). It leaves the
// rest to the general code after it, one token at a time: line breaks and
// the first token of a line, tokens other than ASCII or with punctuation
// inside, words near the end of the text, and any token when toks must
// grow.
func tokenize(text string, toks []token) []token {
	toks = toks[:0]
	lineStart, line := true, 0 // line: the first token of the line
	after := -1                // see sentenceEnd
	for i := 0; i < len(text); {
		if !lineStart {
			i, toks, after = tokenizeFast(text, i, toks, after)
		}
		if i == len(text) {
			break
		}
		end, ascii := i+1, true
		switch byteClass[text[i]] {
		case classSpace:
			i++
			continue
		case classNewline:
			lineStart = true
			i++
			continue
		case classAlnum:
			for end < len(text) && byteClass[text[end]] == classAlnum {
				end++
			}
			if end < len(text) && joins(byteClass[text[end]]) {
				end, ascii = wordEnd(text, i, end)
			}
		case classMulti:
			r, n := utf8.DecodeRuneInString(text[i:])
			switch {
			case unicode.IsSpace(r):
				i += n
				continue
			case isUnicodeAlnum(r):
				end, ascii = wordEnd(text, i, i)
			default:
				end, ascii = i+n, n == 1
			}
		}
		if lineStart {
			markCapsLine(toks[line:])
			line = len(toks)
		}
		w, h := text[i:end], uint64(0)
		if ascii {
			h = lexicon.HashAt(text, i, end)
		} else {
			w = foldQuotes(w)
			h = lexicon.Hash(w)
		}
		toks = append(toks, token{text: w, hash: h, start: i, end: end, sentStart: lineStart || after >= 0, lineStart: lineStart})
		after = sentenceEnd(after, w)
		lineStart = false
		i = end
	}
	markCapsLine(toks[line:])
	return toks
}

// tokenizeFast is the inner loop of [tokenize]: from byte i of text, not
// at the start of a line, it appends to toks the tokens that are a word
// of ASCII letters and digits ended by a space or punctuation that cannot
// join it to more, or a mark of ASCII punctuation, skipping the spaces
// between them. A mark is one byte; a word is read and hashed a chunk of
// eight bytes at a time ([lexicon.OtherBytes]). It calls nothing, and
// holds only what it needs, so that its state stays in registers. It
// stops before any other token, a line break, a word near the end of the
// text, or when toks is full, and returns where it stopped, toks and
// after (see [sentenceEnd]).
func tokenizeFast(text string, i int, toks []token, after int) (int, []token, int) {
	for i < len(text) && len(toks) < cap(toks) {
		c := byteClass[text[i]]
		if c == classSpace {
			i++
			continue
		}
		if c == classNewline || c == classMulti {
			break
		}
		end, h := i+1, uint64(0)
		if c != classAlnum {
			h = lexicon.HashLast(lexicon.HashSeed, uint64(text[i]), 1)
		} else {
			h = lexicon.HashSeed
			for at := i; ; at += 8 {
				if at+8 > len(text) {
					return i, toks, after
				}
				chunk := lexicon.Chunk(text, at)
				if stop := lexicon.OtherBytes(chunk); stop != 0 {
					end = at + bits.TrailingZeros64(stop)/8
					h = lexicon.HashLast(h, chunk&lexicon.Before(stop), end-i)
					break
				}
				h = lexicon.HashStep(h, chunk)
			}
			if joins(byteClass[text[end]]) {
				break
			}
		}
		w := text[i:end]
		toks = toks[:len(toks)+1]
		// Set field by field: copying a whole token would call the
		// write barrier's general copy, and the call would cost the
		// loop its registers.
		t := &toks[len(toks)-1]
		t.text, t.hash, t.start, t.end = w, h, i, end
		t.sentStart, t.lineStart, t.capsLine = after >= 0, false, false
		after = sentenceEnd(after, w)
		i = end
	}
	return i, toks, after
}

// joins reports whether a byte of class c after a run of ASCII letters and
// digits may continue the word (see [wordEnd]).
func joins(c uint8) bool { return c == classJoin || c == classMulti }

// wordEnd returns the end of the word starting at byte i, and whether the
// word is all ASCII, given that text[i:j] is ASCII letters and digits.
func wordEnd(text string, i, j int) (end int, ascii bool) {
	ascii = true
	for {
		for j < len(text) && byteClass[text[j]] == classAlnum {
			j++
		}
		if j == len(text) {
			return j, ascii
		}
		r, n := rune(text[j]), 1
		switch byteClass[r] {
		case classJoin:
			// Most often punctuation after a word: a mark other than a
			// dot (see below) followed by a space or more punctuation
			// cannot join it to anything.
			if r != '.' && (j+1 == len(text) || byteClass[text[j+1]] != classAlnum && byteClass[text[j+1]] != classMulti) {
				return j, ascii
			}
		case classMulti:
			r, n = utf8.DecodeRuneInString(text[j:])
			if isUnicodeAlnum(r) {
				ascii = false
				j += n
				continue
			}
		default:
			return j, ascii // the common case: a space or punctuation ends the word
		}
		prev, _ := utf8.DecodeLastRuneInString(text[:j])
		next, _ := utf8.DecodeRuneInString(text[j+n:])
		switch {
		case r == '-' && isAlnum(prev) && isAlnum(next):
		case (r == '.' || r == ',' || r == ':' || r == '/') && unicode.IsDigit(prev) && unicode.IsDigit(next):
		case r == '&' && unicode.IsUpper(prev) && unicode.IsUpper(next):
		case (r == '\'' || r == '’') && unicode.IsLetter(prev) && unicode.IsUpper(next):
		case r == '.' && isAbbreviation(text[i:j]):
			// "St. Louis", "Acme Inc.": the dot belongs to the word.
			return j + n, ascii
		case r == '.' && unicode.IsLetter(prev) && isInitial(text[:j]):
			// "U.S." keeps its dots, including the last one.
			if !unicode.IsLetter(next) {
				return j + n, ascii
			}
		default:
			return j, ascii
		}
		if n > 1 {
			ascii = false
		}
		j += n
	}
}

// abbreviations are the words written with a dot that names often hold or
// follow; the dot does not end a sentence after them.
var abbreviations = map[string]bool{
	"St": true, "Mt": true, "Ft": true, "Mr": true, "Mrs": true, "Ms": true, "Dr": true, "Prof": true,
	"Gen": true, "Lt": true, "Col": true, "Maj": true, "Capt": true, "Sgt": true, "Adm": true, "Brig": true,
	"Gov": true, "Sen": true, "Rep": true, "Rev": true, "Jr": true, "Sr": true,
	"Inc": true, "Corp": true, "Co": true, "Ltd": true, "Bros": true, "Dept": true, "Univ": true, "No": true,
	"Jan": true, "Feb": true, "Mar": true, "Apr": true, "Aug": true, "Sept": true, "Sep": true, "Oct": true, "Nov": true, "Dec": true,
}

// isAbbreviation reports whether w is one of abbreviations, which are all
// two to four ASCII letters, the first a capital: most words fail those
// tests and are not looked up.
func isAbbreviation(w string) bool {
	return 2 <= len(w) && len(w) <= 4 && 'A' <= w[0] && w[0] <= 'Z' && abbreviations[w]
}

// isInitial reports whether s ends with a single letter that starts a word
// or follows a dot, as in "U" or "U.S".
func isInitial(s string) bool {
	last, n := utf8.DecodeLastRuneInString(s)
	if !unicode.IsLetter(last) {
		return false
	}
	before, _ := utf8.DecodeLastRuneInString(s[:len(s)-n])
	return len(s) == n || before == '.' || !isAlnum(before)
}

// sentenceEnd carries, token by token, what the tokenizer needs to tell
// whether a token starts a sentence: it does when the token before it,
// skipping up to two quotes and brackets, ends one. Given after for the
// tokens before word w, it returns after for the tokens up to w: the
// number of quotes and brackets since the last mark that ends a sentence,
// or -1 if a word follows that mark, or more than two quotes and brackets
// do.
func sentenceEnd(after int, w string) int {
	// Every mark that ends or wraps a sentence is one byte long.
	if len(w) != 1 {
		return -1
	}
	switch w[0] {
	case '.', '!', '?', ':':
		return 0
	case '"', '\'', '(', ')', '-', '[', ']':
		if 0 <= after && after < 2 {
			return after + 1
		}
	}
	return -1
}

// markCapsLine flags the tokens of line if it contains letters but no
// lower-case letter, as wire headlines and datelines do.
func markCapsLine(line []token) {
	letters, lower := false, false
	for _, t := range line {
		for _, r := range t.text {
			switch {
			case 'a' <= r && r <= 'z':
				letters, lower = true, true
			case 'A' <= r && r <= 'Z':
				letters = true
			case r >= utf8.RuneSelf && unicode.IsLetter(r):
				letters = true
				lower = lower || unicode.IsLower(r)
			}
		}
		if lower {
			return
		}
	}
	if letters {
		for k := range line {
			line[k].capsLine = true
		}
	}
}

func isAlnum(r rune) bool {
	if 0 <= r && r < utf8.RuneSelf {
		return byteClass[r] == classAlnum
	}
	return isUnicodeAlnum(r)
}

// isUnicodeAlnum is the slow path of isAlnum, apart so that isAlnum is
// inlined. The block of General Punctuation (U+2000–U+206F: typographic
// quotes, dashes and spaces), which news text is full of, holds no letter
// or digit: it is answered without searching the Unicode tables.
func isUnicodeAlnum(r rune) bool {
	if 0x2000 <= r && r <= 0x206f {
		return false
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// Byte classes for the tokenizer's fast paths.
const (
	classOther   = iota // ASCII punctuation that never joins a word
	classAlnum          // ASCII letter or digit
	classSpace          // ASCII white space other than a line break
	classNewline        // '\n', which starts a line
	classJoin           // ASCII punctuation that may join a word's parts (see [wordEnd])
	classMulti          // part of a multi-byte UTF-8 sequence, or invalid
)

// byteClass has an entry for every byte, so that indexing it by one needs
// no bounds check.
var byteClass = func() (t [256]uint8) {
	for c := range t {
		switch r := rune(c); {
		case r >= utf8.RuneSelf:
			t[c] = classMulti
		case 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9':
			t[c] = classAlnum
		case r == '\n':
			t[c] = classNewline
		case unicode.IsSpace(r):
			t[c] = classSpace
		case strings.ContainsRune("-.,:/&'", r):
			t[c] = classJoin
		}
	}
	return t
}()

// foldQuotes maps typographic quotes to their ASCII forms.
func foldQuotes(s string) string {
	switch s {
	case "“", "”", "„", "«", "»":
		return "\""
	case "‘", "’":
		return "'"
	case "–", "—":
		return "-"
	}
	if strings.IndexByte(s, "’"[0]) >= 0 && strings.Contains(s, "’") {
		return strings.ReplaceAll(s, "’", "'")
	}
	return s
}

// shape maps a word to its character classes with repeats collapsed:
// "Kim" → "Xx", "U.S." → "X.X.", "1996-08-22" → "d-d-d".
func shape(w string) string {
	var b strings.Builder
	var last rune
	for _, r := range w {
		c := r
		switch {
		case unicode.IsUpper(r):
			c = 'X'
		case unicode.IsLower(r):
			c = 'x'
		case unicode.IsDigit(r):
			c = 'd'
		case unicode.IsLetter(r):
			c = 'x'
		}
		if c != last {
			b.WriteRune(c)
			last = c
		}
	}
	return b.String()
}
