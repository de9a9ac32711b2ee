package enrich

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wiredesk/wiredesk/pipeline"
)

// isLetterOrDigit reports whether r is a letter or a digit, looking ASCII
// up in a table. The block of General Punctuation (U+2000–U+206F:
// typographic quotes, dashes and spaces), which news text is full of,
// holds no letter or digit: it is answered without searching the Unicode
// tables.
func isLetterOrDigit(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return r >= 0 && asciiClass[r] == asciiAlnum
	case 0x2000 <= r && r <= 0x206f:
		return false
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// Headline shape: news headlines run from a few words to about two lines.
const (
	headlineMinWords = 3
	headlineMaxWords = 25
	headlineMaxChars = 200
	// proseMinWords is the fewest words (of letters only) of a line the
	// lead starts in; shorter lines are captions, buttons, bylines and
	// dates.
	proseMinWords = 6
)

// headline returns the first line of text when it reads as a headline, and
// "" otherwise. A headline has a few words, starts with a capital letter or
// digit, is followed by more text, does not end like a sentence or a
// truncated teaser (".", "…", ",", ":", ";"), and is not just a date.
func headline(text string) string {
	text = strings.TrimSpace(text)
	line, rest, _ := strings.Cut(text, "\n")
	line = strings.TrimSpace(line)
	if strings.TrimSpace(rest) == "" || utf8.RuneCountInString(line) > headlineMaxChars {
		return ""
	}
	first, _ := utf8.DecodeRuneInString(line)
	last, _ := utf8.DecodeLastRuneInString(line)
	if (!unicode.IsUpper(first) && !unicode.IsDigit(first)) || strings.ContainsRune(".…,:;", last) {
		return ""
	}
	words, dateWords := 0, 0
	for f := range strings.FieldsSeq(line) {
		words++
		if isDateWord(strings.Trim(f, ",.")) {
			dateWords++
		}
	}
	if words < headlineMinWords || words > headlineMaxWords || dateWords == words {
		return ""
	}
	return line
}

// isDateWord reports whether w is a number or the name of a weekday or month.
func isDateWord(w string) bool {
	if w != "" && strings.IndexFunc(w, func(r rune) bool { return !unicode.IsDigit(r) }) < 0 {
		return true
	}
	return dateNames[strings.ToLower(w)]
}

var dateNames = setOf(
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
	"january", "february", "march", "april", "may", "june", "july", "august",
	"september", "october", "november", "december",
	"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
)

// lead returns the first sentences of the first prose line of e.Text: at
// most LeadMaxSentences sentences and LeadMaxChars characters, but always at
// least one sentence, cut at a word and marked with "…" if it is longer
// than that. Lines that repeat the title, byline or dateline are skipped, as
// are lines too short or without a sentence end (captions, buttons,
// breadcrumbs); a leading dateline is removed. It returns "" when no line
// qualifies.
func (x *Enricher) lead(e *pipeline.Event) string {
	for line := range strings.Lines(e.Text) {
		line = strings.TrimSpace(line)
		if e.Dateline != "" && strings.HasPrefix(line, e.Dateline) {
			line = strings.TrimLeft(line[len(e.Dateline):], " -–—:")
		}
		if !isProse(line) || sameLine(line, e.Title) || sameLine(line, e.Byline) {
			continue
		}
		return firstSentences(line, x.cfg.LeadMaxSentences, x.cfg.LeadMaxChars)
	}
	return ""
}

func sameLine(a, b string) bool { return b != "" && strings.EqualFold(a, strings.TrimSpace(b)) }

// isProse reports whether line reads as running text: enough words of
// letters (so a date and time line is not prose), a sentence end, and not
// cut off with an ellipsis like a teaser.
func isProse(line string) bool {
	words := 0
	for f := range strings.FieldsSeq(line) {
		if strings.IndexFunc(f, unicode.IsLetter) >= 0 && strings.IndexFunc(f, unicode.IsDigit) < 0 {
			if words++; words == proseMinWords {
				break // enough
			}
		}
	}
	return words >= proseMinWords && sentenceEnd(line, 0) > 0 &&
		!strings.HasSuffix(line, "...") && !strings.HasSuffix(line, "…")
}

// firstSentences returns up to n sentences of s within maxChars characters.
// It stops before a sentence in brackets, which is an aside or a credit
// ("(Video: Reuters)") rather than part of the story.
func firstSentences(s string, n, maxChars int) string {
	end, count := 0, 0
	for count < n {
		if rest := strings.TrimLeft(s[end:], " "); count > 0 && (strings.HasPrefix(rest, "(") || strings.HasPrefix(rest, "[")) {
			break
		}
		next := sentenceEnd(s, end)
		if next < 0 {
			next = len(s) // the rest of the line is an unterminated sentence
		}
		if count > 0 && utf8.RuneCountInString(s[:next]) > maxChars {
			break
		}
		end, count = next, count+1
		if end == len(s) {
			break
		}
	}
	out := strings.TrimSpace(s[:end])
	if utf8.RuneCountInString(out) <= maxChars {
		return out
	}
	return truncateWords(out, maxChars)
}

// truncateWords cuts s to at most maxChars characters (including the
// ellipsis it appends) at the last space.
func truncateWords(s string, maxChars int) string {
	cut, chars := 0, 1 // the ellipsis counts as one character
	for i, r := range s {
		if chars > maxChars {
			break
		}
		if r == ' ' {
			cut = i
		}
		chars++
	}
	if cut == 0 {
		return s
	}
	return strings.TrimRight(s[:cut], " ,;:–—-") + "…"
}

// sentenceEnd returns the byte offset just past the first sentence end in s
// at or after from (past the terminator and any closing quotes or
// brackets), or -1 if there is none. A sentence ends at ".", "!", "?" or
// "…" followed by the end of s, or by a space and then a capital letter,
// digit or opening quote, unless the word before a period is an
// abbreviation ("Mr.", "Sept."), an initial ("J.") or dotted ("U.S.").
func sentenceEnd(s string, from int) int {
	for i := from; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		i += size
		if r != '.' && r != '!' && r != '?' && r != '…' {
			continue
		}
		end := i
		for end < len(s) {
			c, n := utf8.DecodeRuneInString(s[end:])
			if !strings.ContainsRune(`"'”’)]»`, c) {
				break
			}
			end += n
		}
		if end == len(s) {
			return end
		}
		next := strings.TrimLeft(s[end:], " ")
		if len(next) == len(s)-end {
			continue // no space: "3.5", "U.S", "...)"
		}
		c, _ := utf8.DecodeRuneInString(next)
		if !unicode.IsUpper(c) && !unicode.IsDigit(c) && !strings.ContainsRune(`"'“‘(«`, c) {
			continue
		}
		if r == '.' && isAbbreviation(s[:i-size]) {
			continue
		}
		return end
	}
	return -1
}

// isAbbreviation reports whether the word ending s (the text before a
// period) is an abbreviation rather than the last word of a sentence.
func isAbbreviation(s string) bool {
	word := s[strings.LastIndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || strings.ContainsRune(`("'“‘`, r) })+1:]
	if utf8.RuneCountInString(word) == 1 || strings.Contains(word, ".") {
		return true // an initial, or a dotted abbreviation such as U.S or a.m
	}
	return abbreviations[strings.ToLower(word)]
}

// abbreviations are words commonly written with a period inside English
// sentences.
var abbreviations = setOf(
	"mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "ft", "sen", "rep",
	"gov", "gen", "col", "lt", "sgt", "capt", "cmdr", "adm", "maj", "cpl", "pres",
	"rev", "hon", "inc", "ltd", "co", "corp", "bros", "vs", "etc", "no", "nos",
	"approx", "dept", "est", "fig", "ave", "blvd", "rd", "jan", "feb", "mar",
	"apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
)

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
