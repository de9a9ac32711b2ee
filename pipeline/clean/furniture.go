package clean

import (
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

// classify returns the kind of one normalised line taken on its own.
func classify(s string) kind {
	if isBreadcrumb(s) || isCredit(s) {
		return kindFurniture
	}
	if len(s) > maxFurnitureLen {
		return kindBody
	}
	key := lineKey(s)
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
			isCallToAction(lineKey(paras[i+1].text)) && isHeading(paras[i].text) {
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

// ctaByFirst indexes ctaPhrases by their first word, so that a line key
// is checked for all of them in one pass over its words.
var ctaByFirst = func() map[string][]string {
	m := make(map[string][]string)
	for _, p := range ctaPhrases {
		first, _, _ := strings.Cut(p, " ")
		m[first] = append(m[first], p)
	}
	return m
}()

// isCallToAction reports whether the line key is a sign-up, promo or
// cookie line: a CTA phrase, a word addressing the reader, and short.
func isCallToAction(key string) bool {
	phrase, reader, n := false, false, 0
	for pos := 0; pos < len(key); {
		end := strings.IndexByte(key[pos:], ' ')
		if end < 0 {
			end = len(key)
		} else {
			end += pos
		}
		w := key[pos:end]
		reader = reader || readerWords[w]
		for _, p := range ctaByFirst[w] {
			rest := key[pos:]
			if strings.HasPrefix(rest, p) && (len(rest) == len(p) || rest[len(p)] == ' ') {
				phrase = true
			}
		}
		if n++; n > 60 {
			return false
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
	head := strings.ToLower(s[:min(len(s), 24)])
	for _, p := range creditPrefixes {
		if strings.HasPrefix(head, p) {
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

// lineKey is the lowercase words of s joined by single spaces: the form
// lines are compared in, blind to punctuation, case and spacing.
func lineKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for w := range wordSpans(s) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		for i := 0; i < len(w); {
			if c := w[i]; c < utf8.RuneSelf {
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				}
				if c != '\'' {
					b.WriteByte(c)
				}
				i++
				continue
			}
			r, size := utf8.DecodeRuneInString(w[i:])
			if r != '’' {
				b.WriteRune(unicode.ToLower(r))
			}
			i += size
		}
	}
	return b.String()
}

func setOf(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}
