package ner

import (
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
func tokenize(text string, toks []token) []token {
	toks = toks[:0]
	lineStart := true
	for i := 0; i < len(text); {
		end, ascii := i+1, true
		h, hashed := lexicon.HashOffset, false // the hash of text[i:end], once computed
		switch byteClass[text[i]] {
		case classSpace:
			i++
			continue
		case classNewline:
			lineStart = true
			i++
			continue
		case classAlnum:
			// Most words are a run of ASCII letters and digits ended by a
			// space or punctuation that cannot join it to more: hash them
			// as they are read.
			h, hashed = lexicon.HashByte(h, text[i]), true
			for end < len(text) && byteClass[text[end]] == classAlnum {
				h = lexicon.HashByte(h, text[end])
				end++
			}
			if end < len(text) {
				if c := byteClass[text[end]]; c == classJoin || c == classMulti {
					end, ascii = wordEnd(text, i, end)
					hashed = false
				}
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
		sentStart := lineStart
		if !lineStart && len(toks) > 0 {
			sentStart = afterSentenceEnd(toks)
		}
		w := text[i:end]
		if !ascii {
			w = foldQuotes(w)
		}
		if !hashed {
			h = lexicon.Hash(w)
		}
		toks = append(toks, token{text: w, hash: h, start: i, end: end, sentStart: sentStart, lineStart: lineStart})
		lineStart = false
		i = end
	}
	markCapsLines(toks)
	return toks
}

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
		case r == '.' && abbreviations[text[i:j]]:
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

// afterSentenceEnd reports whether the token after toks starts a sentence:
// the previous token, skipping quotes and brackets, ends one.
func afterSentenceEnd(toks []token) bool {
	for j := len(toks) - 1; j >= 0 && j >= len(toks)-3; j-- {
		// Every mark that ends or wraps a sentence is one byte long.
		if len(toks[j].text) != 1 {
			return false
		}
		switch toks[j].text[0] {
		case '.', '!', '?', ':':
			return true
		case '"', '\'', '(', ')', '-', '[', ']':
			continue
		}
		return false
	}
	return false
}

// markCapsLines flags the tokens of lines that contain letters but no
// lower-case letter, such as wire headlines and datelines.
func markCapsLines(toks []token) {
	for i := 0; i < len(toks); {
		j := i + 1
		for j < len(toks) && !toks[j].lineStart {
			j++
		}
		letters, lower := false, false
		for _, t := range toks[i:j] {
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
				break
			}
		}
		if letters && !lower {
			for k := i; k < j; k++ {
				toks[k].capsLine = true
			}
		}
		i = j
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
