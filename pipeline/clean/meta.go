package clean

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// metaWindow is how many leading paragraphs are searched for a date,
// byline and dateline: they sit in the header, never deep in the story.
const metaWindow = 8

var months = map[string]time.Month{
	"january": time.January, "jan": time.January, "february": time.February, "feb": time.February,
	"march": time.March, "mar": time.March, "april": time.April, "apr": time.April, "may": time.May,
	"june": time.June, "jun": time.June, "july": time.July, "jul": time.July,
	"august": time.August, "aug": time.August, "september": time.September, "sep": time.September,
	"sept": time.September, "october": time.October, "oct": time.October,
	"november": time.November, "nov": time.November, "december": time.December, "dec": time.December,
}

// dateWords are the non-numeric words a bare date stamp may contain.
var dateWords = setOf(
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
	"mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
	"am", "pm", "gmt", "bst", "utc", "et", "est", "edt", "pst", "pdt", "cet", "cest", "ist", "uk",
)

// stampWords are the further words of a site's publication stamp, besides
// its [leadWords] ("Last updated at", "Article posted on"), and the letters
// of "p. m.".
var stampWords = setOf("at", "article", "a", "p", "m")

// maxDateLen is the longest line (in bytes) taken for a date stamp, which
// may give both the publication and the update time.
const maxDateLen = 80

// isDateOnly reports whether s is nothing but a date stamp, such as
// "Monday, July 1, 2024", "10:24 AM, MON 22 JUL 2013", "18 September 2013
// Last updated at 13:59 GMT" or "Posted 12 / 19 / 2005 3:36 PM".
func isDateOnly(s string) bool {
	if len(s) > maxDateLen {
		return false
	}
	for w := range wordSpans(s) { // the words, without building their list
		w = strings.ToLower(noApostrophes(w))
		if _, ok := months[w]; ok || dateWords[w] || leadWords[w] || stampWords[w] || isNumberish(w) {
			continue
		}
		return false
	}
	_, ok := parseDate(s)
	return ok || hasNumericDate(s)
}

// hasNumericDate reports whether s holds a date written in numbers ending
// in a four-digit year, such as "12 / 19 / 2005" or "08.07.2012". Which
// number is the day is not known, so no date is taken from it.
func hasNumericDate(s string) bool {
	ws := words(s)
	for i := 2; i < len(ws); i++ {
		if _, ok := year(ws[i]); ok && isDayNumber(ws[i-2]) && isDayNumber(ws[i-1]) {
			return true
		}
	}
	return false
}

// isDayNumber reports whether w is a number from 1 to 31 written in one
// or two digits, as a day or month is in a numeric date.
func isDayNumber(w string) bool {
	n, err := strconv.Atoi(w)
	return err == nil && len(w) <= 2 && n >= 1 && n <= 31
}

// isNumberish reports whether w is a number, possibly with an ordinal or
// am/pm suffix ("1st", "45pm").
func isNumberish(w string) bool {
	d := strings.TrimLeftFunc(w, unicode.IsDigit)
	if len(d) == len(w) {
		return false
	}
	switch d {
	case "", "st", "nd", "rd", "th", "am", "pm", "a", "p":
		return true
	}
	return false
}

// parseDate finds the first calendar date written in s: "July 1, 2024",
// "1 July 2024", "22 JUL 2013" or "1996-08-30". Times are ignored; the
// result is midnight UTC.
func parseDate(s string) (time.Time, bool) {
	ws := words(s)
	for i, w := range ws {
		if m, ok := months[strings.ToLower(w)]; ok {
			if i+2 < len(ws) {
				if d, ok := day(ws[i+1]); ok {
					if y, ok := year(ws[i+2]); ok {
						return date(y, m, d)
					}
				}
			}
			if i > 0 && i+1 < len(ws) {
				if d, ok := day(ws[i-1]); ok {
					if y, ok := year(ws[i+1]); ok {
						return date(y, m, d)
					}
				}
			}
			continue
		}
		if y, ok := year(w); ok && len(w) == 4 && i+2 < len(ws) && len(ws[i+1]) == 2 && len(ws[i+2]) == 2 {
			m, err1 := strconv.Atoi(ws[i+1])
			d, err2 := strconv.Atoi(ws[i+2])
			if err1 == nil && err2 == nil && m >= 1 && m <= 12 && d >= 1 && d <= 31 {
				return date(y, time.Month(m), d)
			}
		}
	}
	return time.Time{}, false
}

// date builds the date, rejecting days the month does not have.
func date(y int, m time.Month, d int) (time.Time, bool) {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return t, t.Day() == d
}

func day(w string) (int, bool) {
	w = strings.TrimRight(strings.ToLower(w), "stndrh")
	if len(w) == 0 || len(w) > 2 {
		return 0, false
	}
	d, err := strconv.Atoi(w)
	return d, err == nil && d >= 1 && d <= 31
}

func year(w string) (int, bool) {
	if len(w) != 4 {
		return 0, false
	}
	y, err := strconv.Atoi(w)
	return y, err == nil && y >= 1900 && y <= 2199
}

// extractMeta fills the title, byline, dateline and date of res from the
// leading paragraphs, keeping values res already has (from HTML metadata).
func extractMeta(paras []para, res *Result) {
	var head []int // indexes of the leading body and date paragraphs
	for i, p := range paras {
		if len(head) == metaWindow {
			break
		}
		if p.kind == kindBody || p.kind == kindDate {
			head = append(head, i)
		}
	}
	datelineAt := -1
	for _, i := range head {
		s := paras[i].text
		if res.PublishedAt.IsZero() && (paras[i].kind == kindDate || keyWords(paras[i].key) <= 12) {
			if t, ok := parseDate(s); ok {
				res.PublishedAt = t
			}
		}
		if res.Dateline == "" && paras[i].kind == kindBody {
			if d := dateline(paras[i]); d != "" {
				res.Dateline, datelineAt = d, i
			}
		}
		if res.Byline == "" && paras[i].kind == kindBody {
			res.Byline = byline(s)
		}
	}
	first := -1
	for _, i := range head {
		if paras[i].kind == kindBody {
			first = i
			break
		}
	}
	if res.Byline == "" && datelineAt > 0 && paras[datelineAt-1].kind == kindBody && isBareName(paras[datelineAt-1].text) {
		res.Byline = paras[datelineAt-1].text
	}
	if res.Title == "" && first >= 0 && first != datelineAt {
		s := paras[first].text
		n := keyWords(paras[first].key)
		headerBelow := datelineAt > first && datelineAt <= first+2
		if n >= 2 && n <= 30 && len(s) <= 250 && byline(s) == "" && (!endsSentence(s) || isAllCaps(s) || headerBelow) {
			res.Title = s
		}
	}
}

// dateline returns the dateline p carries: a whole line "PLACE date"
// ("LONDON 1996-08-30") or the lead-in of a paragraph before a dash
// ("WASHINGTON (Reuters) - …" gives "WASHINGTON (Reuters)").
func dateline(p para) string {
	s := p.text
	if n := keyWords(p.key); n >= 2 && n <= 9 {
		first, _, _ := strings.Cut(s, " ")
		if len(first) >= 2 && isAllCaps(first) {
			if _, ok := parseDate(s); ok {
				return s
			}
		}
	}
	for _, sep := range []string{" - ", " -- ", " — ", " – "} {
		i := indexSpaced(s[:min(len(s), 80+len(sep))], sep) // a lead-in is short
		if i <= 0 {
			continue
		}
		lead, body := s[:i], strings.TrimSpace(s[i+len(sep):])
		place := lead
		if j := strings.IndexAny(place, ",("); j > 0 {
			place = place[:j]
		}
		pw := words(place)
		if len(pw) == 0 || len(pw) > 4 || !isAllCaps(place) || len(pw[0]) < 2 {
			continue
		}
		if isAllCaps(body) || !endsSentence(body) || wordCount(body) < 6 {
			continue
		}
		return strings.TrimSpace(lead)
	}
	return ""
}

// indexSpaced is strings.Index(s, sep) for a sep that starts with a
// space. It looks for the rest of sep, which is rare, and then checks the
// space before it: strings.Index would stop at every space of s.
func indexSpaced(s, sep string) int {
	for off := 1; off <= len(s); {
		i := strings.Index(s[off:], sep[1:])
		if i < 0 {
			return -1
		}
		if s[off+i-1] == ' ' {
			return off + i - 1
		}
		off += i + 1
	}
	return -1
}

// byline returns the author names of a "By Jane Doe" line, or "".
func byline(s string) string {
	for _, p := range []string{"by ", "written by ", "posted by ", "words by "} {
		if len(s) < len(p) || !strings.EqualFold(s[:len(p)], p) {
			continue
		}
		rest := strings.TrimSpace(s[len(p):])
		ws := words(rest)
		if len(ws) == 0 || len(ws) > 8 || strings.ContainsAny(rest, "0123456789!?\"“”") {
			return ""
		}
		if r, _ := utf8.DecodeRuneInString(rest); !unicode.IsUpper(r) {
			return ""
		}
		return strings.TrimRight(rest, " .,;:")
	}
	return ""
}

// isBareName reports whether s is just a name, "Brad Dorfman": two to four
// capitalised words with no digits or punctuation, as Reuters bylines run.
func isBareName(s string) bool {
	ws := strings.Fields(s)
	if len(ws) < 2 || len(ws) > 4 || isAllCaps(s) {
		return false
	}
	for _, w := range ws {
		r := []rune(w)
		if !unicode.IsUpper(r[0]) {
			return false
		}
		for _, c := range r {
			if !unicode.IsLetter(c) && c != '.' && c != '-' && c != '\'' {
				return false
			}
		}
	}
	return true
}

// isAllCaps reports whether s has letters and none of them lowercase.
func isAllCaps(s string) bool {
	letters := false
	for _, r := range s {
		if unicode.IsLower(r) {
			return false
		}
		letters = letters || unicode.IsLetter(r)
	}
	return letters
}
