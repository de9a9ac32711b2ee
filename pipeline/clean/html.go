package clean

import (
	"strings"
	"time"
	"unicode/utf8"

	trafilatura "github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlSniffLen is how much of a body is searched for HTML markers.
const htmlSniffLen = 4096

// htmlTags are the tags whose presence near the start makes a body HTML.
var htmlTags = []string{"!doctype", "html", "head", "body", "article", "div", "p", "br"}

// looksHTML reports whether raw is an HTML document or fragment rather
// than plain text that happens to contain a "<": it starts with "<" and
// has one of htmlTags near the start, followed by anything but a letter
// or digit ("<p>", "<p class=…>", "<br/>").
func looksHTML(raw string) bool {
	head := strings.TrimSpace(raw)
	if !strings.HasPrefix(head, "<") {
		return false
	}
	if len(head) > htmlSniffLen {
		head = head[:htmlSniffLen]
	}
	head = strings.ToLower(head)
	for i := 0; i < len(head); i++ {
		if head[i] != '<' {
			continue
		}
		for _, tag := range htmlTags {
			rest := head[i+1:]
			if strings.HasPrefix(rest, tag) && (len(rest) == len(tag) || !asciiWord[rest[len(tag)]&0x7f] || rest[len(tag)] >= utf8.RuneSelf) {
				return true
			}
		}
	}
	return false
}

// htmlMeta is the metadata HTML extraction found.
type htmlMeta struct {
	title, author string
	date          time.Time
}

// htmlParagraphs extracts the main content of an HTML document with
// go-trafilatura, which also reads the title, author and publication date
// from the page metadata. When it finds no main content, the visible text
// of the whole body is used, minus scripts, navigation and forms; the
// line rules then remove the furniture that comes with it.
func htmlParagraphs(raw string) ([]string, htmlMeta) {
	var meta htmlMeta
	root, err := html.Parse(strings.NewReader(raw))
	if err != nil {
		return nil, meta // html.Parse fails only on reader errors
	}
	res, err := trafilatura.ExtractDocument(root, trafilatura.Options{ExcludeComments: true})
	if err == nil && res != nil {
		meta = htmlMeta{title: res.Metadata.Title, author: res.Metadata.Author, date: res.Metadata.Date}
		if paras := blockText(res.ContentNode); len(paras) > 0 {
			return paras, meta
		}
	}
	// ExtractDocument may have pruned root; parse again for the fallback.
	if root, err = html.Parse(strings.NewReader(raw)); err != nil {
		return nil, meta
	}
	return blockText(root), meta
}

// skipped are elements whose text is never article content.
var skipped = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Nav: true, atom.Form: true, atom.Button: true, atom.Select: true,
	atom.Iframe: true, atom.Svg: true, atom.Head: true,
}

// inline are elements that do not break a paragraph; any other element does.
var inline = map[atom.Atom]bool{
	atom.A: true, atom.Abbr: true, atom.B: true, atom.Bdi: true, atom.Bdo: true,
	atom.Cite: true, atom.Code: true, atom.Data: true, atom.Dfn: true, atom.Em: true,
	atom.I: true, atom.Kbd: true, atom.Mark: true, atom.Q: true, atom.S: true,
	atom.Samp: true, atom.Small: true, atom.Span: true, atom.Strong: true,
	atom.Sub: true, atom.Sup: true, atom.Time: true, atom.U: true, atom.Var: true,
	atom.Font: true, atom.Del: true, atom.Ins: true,
}

// blockText returns the text of n split into paragraphs at block elements
// and <br>, each normalised like a plain-text line.
func blockText(n *html.Node) []string {
	if n == nil {
		return nil
	}
	var out []string
	var cur strings.Builder
	flush := func() {
		if s := normalizeLine(cur.String()); s != "" {
			out = append(out, s)
		}
		cur.Reset()
	}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			cur.WriteString(n.Data)
			return
		case html.ElementNode:
			if skipped[n.DataAtom] {
				return
			}
			if !inline[n.DataAtom] {
				flush()
				defer flush()
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}
