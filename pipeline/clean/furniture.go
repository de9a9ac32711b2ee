package clean

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// furnitureLines are whole lines that are site furniture wherever they
// appear, as their lowercase word key (see lineKey). They are widget
// labels, not sentences, so no story paragraph consists of one of them.
var furnitureLines = setOf(
	"advertisement", "advertisements", "sponsored", "sponsored content", "paid content",
	"story continues below advertisement", "article continues below advertisement",
	"rate this post", "source link", "read more", "read next", "read also",
	"see also", "more stories", "more news", "more from this section",
	"please enter your comment", "please enter your name here",
	"please enter your email address here", "you have entered an incorrect email address",
	"leave a reply", "leave a comment", "cancel reply", "post comment", "comments",
	"most popular", "most read", "most viewed", "recent posts", "recent news",
	"related articles", "related posts", "related stories", "related news", "related",
	"popular posts", "popular stories", "trending", "trending now", "top stories",
	"latest news", "latest stories", "you may also like", "you might also like",
	"recommended", "recommended for you", "editors picks", "dont miss",
	"share", "share this", "share this article", "share this story", "share on facebook",
	"share on twitter", "share via email", "tweet", "email", "print", "whatsapp",
	"facebook", "twitter", "linkedin", "pinterest", "reddit", "telegram",
	"this post was originally published on this site",
	"skip to content", "skip to main content", "menu",
	"all rights reserved", "subscribe", "subscribe now", "sign up", "sign in", "log in",
	"login", "follow us", "back to top", "next article", "previous article",
	"next post", "previous post", "tags", "filed under", "listen to this article",
	"play video",
)

// ctaPhrases mark a call to action (sign-ups, promos, cookie banners) when
// the line also talks to the reader; see isCallToAction.
var ctaPhrases = []string{
	"sign up", "signup", "subscribe", "newsletter", "privacy policy", "click here",
	"in your inbox", "follow us", "cookie", "terms of use", "terms of service",
	"all rights reserved", "unsubscribe", "dont spam", "download our app",
	"get the latest", "support our journalism",
}

// readerWords are the second-person or site-voice words a call to action
// needs; a news sentence quoting a "newsletter" usually has none.
var readerWords = setOf("you", "your", "our", "us", "here", "today", "now")

// creditPrefixes start a photo or video credit line.
var creditPrefixes = []string{
	"photo:", "photos:", "photo by", "photograph:", "photograph by", "image:",
	"image by", "picture:", "pictures:", "credit:", "photo credit", "image credit",
	"video:", "illustration:", "file photo", "courtesy of", "(photo", "(image",
}

// maxFurnitureLen is the longest line (in bytes) that the word-based
// furniture rules look at: widget labels and calls to action are short,
// and skipping long story paragraphs keeps cleaning fast.
const maxFurnitureLen = 500

// classify returns the kind of one normalised line s, whose line key is
// key, taken on its own.
func classify(s, key string) kind {
	if isBreadcrumb(s) || isCredit(s) {
		return kindFurniture
	}
	if len(s) > maxFurnitureLen {
		return kindBody
	}
	switch {
	case key == "", furnitureLines[key], isCallToAction(key):
		return kindFurniture
	case isDateOnly(s):
		return kindDate
	}
	return kindBody
}

// markPromoHeadings drops the short heading of a promo box: a headline-like
// line directly followed by a call to action, as "Live Briefing: …" above
// "…'s Live Briefing gives you all of the latest …, click here." The first
// body line is never dropped this way, since it is the article's headline.
func markPromoHeadings(paras []para) {
	first := true
	for i := range paras {
		if paras[i].kind != kindBody {
			continue
		}
		if !first && i+1 < len(paras) && paras[i+1].kind == kindFurniture &&
			isCallToAction(paras[i+1].key) && isHeading(paras[i].text) {
			paras[i].kind = kindFurniture
		}
		first = false
	}
}

// isHeading reports whether s looks like a heading: a few words in title
// case, not ending a sentence.
func isHeading(s string) bool {
	ws := words(s)
	if len(ws) == 0 || len(ws) > 12 || endsSentence(s) {
		return false
	}
	upper := 0
	for _, w := range ws {
		if r, _ := utf8.DecodeRuneInString(w); unicode.IsUpper(r) {
			upper++
		}
	}
	return 4*upper >= 3*len(ws)
}

// isBreadcrumb reports whether s is a navigation trail: "HomeNewsWorld…"
// (crawlers drop the separators, gluing "Home" to the next crumb) or
// "Home > News > World".
func isBreadcrumb(s string) bool {
	rest, ok := strings.CutPrefix(s, "Home")
	if !ok {
		return false
	}
	r, _ := utf8.DecodeRuneInString(rest)
	if unicode.IsUpper(r) {
		return true
	}
	for _, sep := range []string{">", "»", "›", "/", "|"} {
		if strings.HasPrefix(strings.TrimSpace(rest), sep) {
			return true
		}
	}
	return false
}

// ctaWord is what a word of a line key means for isCallToAction.
type ctaWord struct {
	reader  bool     // one of readerWords
	phrases []string // the ctaPhrases starting with the word
}

// ctaWords indexes readerWords and ctaPhrases (by their first word), so
// that a line key is checked for all of them with one look-up per word.
var ctaWords = func() map[string]ctaWord {
	m := make(map[string]ctaWord)
	for w := range readerWords {
		m[w] = ctaWord{reader: true}
	}
	for _, p := range ctaPhrases {
		first, _, _ := strings.Cut(p, " ")
		cw := m[first]
		cw.phrases = append(cw.phrases, p)
		m[first] = cw
	}
	return m
}()

// ctaMaybe is a quick filter before ctaWords: whether a ctaWords key has
// this length (below 16) and first byte. Most words of a line fail it.
var ctaMaybe = func() (t [16][256]bool) {
	for w := range ctaWords {
		t[len(w)][w[0]] = true
	}
	return t
}()

// maxCTAWords is the longest call to action, in words.
const maxCTAWords = 60

// isCallToAction reports whether the line key is a sign-up, promo or
// cookie line: a CTA phrase, a word addressing the reader, and short.
func isCallToAction(key string) bool {
	if keyWords(key) > maxCTAWords {
		return false
	}
	phrase, reader := false, false
	for pos := 0; pos < len(key); {
		end := strings.IndexByte(key[pos:], ' ')
		if end < 0 {
			end = len(key)
		} else {
			end += pos
		}
		if w := key[pos:end]; len(w) < len(ctaMaybe) && ctaMaybe[len(w)][w[0]] {
			cw := ctaWords[w]
			reader = reader || cw.reader
			for _, p := range cw.phrases {
				rest := key[pos:]
				if strings.HasPrefix(rest, p) && (len(rest) == len(p) || rest[len(p)] == ' ') {
					phrase = true
				}
			}
		}
		pos = end + 1
	}
	return phrase && reader
}

// isCredit reports whether s is a photo/video credit or a caption carrying
// one, such as "Photo: AFP / …" or "… on Sept. 13. (Video: Reuters)".
func isCredit(s string) bool {
	if len(s) > 400 {
		return false
	}
	// The head of s in lower case, built on the stack when ASCII.
	var buf [24]byte
	head, ascii := buf[:0], true
	for _, c := range []byte(s[:min(len(s), len(buf))]) {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		head, ascii = append(head, c), ascii && c < utf8.RuneSelf
	}
	if !ascii {
		head = append(buf[:0], strings.ToLower(s[:len(head)])...)
	}
	for _, p := range creditPrefixes {
		if len(head) >= len(p) && string(head[:len(p)]) == p {
			return wordCount(s) <= 25
		}
	}
	if !strings.HasSuffix(s, ")") {
		return false
	}
	i := strings.LastIndexByte(s, '(')
	if i < 0 || len(s)-i > 60 {
		return false
	}
	inner := strings.ToLower(s[i+1:])
	for _, p := range []string{"photo", "video", "image", "picture", "credit"} {
		if strings.HasPrefix(inner, p) || strings.Contains(inner, " "+p+")") || strings.Contains(inner, "/"+p) {
			return true
		}
	}
	return false
}

// lineKey is the lowercase words of s (see wordSpans) without their
// apostrophes, joined by single spaces: the form lines are compared in,
// blind to punctuation, case and spacing.
func lineKey(s string) string { return string(appendKey(nil, s)) }

// setKeys sets the line key of every paragraph. The keys are cut from one
// string, so that an article costs one allocation for all of them.
func setKeys(paras []para) {
	size := 0
	for _, p := range paras {
		size += len(p.text) + 1
	}
	var b strings.Builder
	b.Grow(size)
	var scratch [1024]byte // holds most keys without an allocation
	for _, p := range paras {
		b.Write(appendKey(scratch[:0], p.text))
		b.WriteByte('\n') // no key contains a line break
	}
	keys := b.String()
	for i := range paras {
		paras[i].key, keys, _ = strings.Cut(keys, "\n")
	}
}

// appendKey appends the line key of s to dst. It splits words exactly as
// wordSpans does, in one pass without building the words. An ASCII byte
// takes no branch, since a branch at every word boundary would be
// mispredicted often enough to dominate the loop: a separator is written
// as a space but kept only after a word, so that a run of separators
// leaves one space, and a trailing space is dropped at the end.
func appendKey(dst []byte, s string) []byte {
	start := len(dst)
	out := slices.Grow(dst, len(s)+1)
	out = out[:cap(out)]
	j, word := start, 0 // word is 1 when out[j-1] is part of a word
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf && c != '\'' {
			k := keyByte[c]
			out[j] = k
			isWord := 0
			if k != ' ' {
				isWord = 1
			}
			j += isWord | word
			word = isWord
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r >= utf8.RuneSelf && !isTypoPunct(r) && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			out = utf8.AppendRune(out[:j], unicode.ToLower(r))
			j, word = len(out), 1
			out = slices.Grow(out, len(s)-i+1)
			out = out[:cap(out)]
		case word == 1 && (r == '\'' || r == '’'):
			if next, _ := utf8.DecodeRuneInString(s[i:]); !unicode.IsLetter(next) {
				out[j], j, word = ' ', j+1, 0
			} // else an inner apostrophe, dropped
		case word == 1:
			out[j], j, word = ' ', j+1, 0
		}
	}
	if j > start && out[j-1] == ' ' {
		j--
	}
	return out[:j]
}

// keyByte maps the ASCII letters and digits to their lower case, and every
// other ASCII byte, a separator in a line key, to a space.
var keyByte = func() (t [utf8.RuneSelf]byte) {
	for c := range utf8.RuneSelf {
		t[c] = ' '
		if asciiWord[c] {
			t[c] = byte(unicode.ToLower(rune(c)))
		}
	}
	return t
}()

func setOf(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}
