package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wiredesk/wiredesk/pipeline"
	"github.com/wiredesk/wiredesk/pipeline/feed"
)

// doc is one corpus article split into its headline and body lines, and
// the same as templates whose facts (names and numbers) can be replaced.
type doc struct {
	title string
	lines []string

	titleTmpl []seg
	lineTmpls [][]seg
	facts     []string // the facts as the article has them
}

// seg is a piece of a templated line: literal text, then a fact unless
// fact is -1.
type seg struct {
	text string
	fact int
}

func newDoc(lines []string) doc {
	d := doc{title: lines[0], lines: lines[1:]}
	index := map[string]int{}
	d.titleTmpl = d.template(d.title, true, index)
	for _, l := range d.lines {
		d.lineTmpls = append(d.lineTmpls, d.template(l, false, index))
	}
	return d
}

// template splits a line around its facts: every capitalised word that
// does not start a body line, and every number. The words are rejoined
// with single spaces.
func (d *doc) template(line string, title bool, index map[string]int) []seg {
	var segs []seg
	var lit strings.Builder
	for k, w := range strings.Fields(line) {
		if k > 0 {
			lit.WriteByte(' ')
		}
		core := strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		r, _ := utf8.DecodeRuneInString(core)
		if core == "" || (k == 0 && !title) || (!unicode.IsUpper(r) && !unicode.IsDigit(r)) {
			lit.WriteString(w)
			continue
		}
		i := strings.Index(w, core)
		lit.WriteString(w[:i])
		f, ok := index[core]
		if !ok {
			f = len(d.facts)
			index[core] = f
			d.facts = append(d.facts, core)
		}
		segs = append(segs, seg{text: lit.String(), fact: f})
		lit.Reset()
		lit.WriteString(w[i+len(core):])
	}
	return append(segs, seg{text: lit.String(), fact: -1})
}

func render(tmpl []seg, facts []string) string {
	var b strings.Builder
	for _, s := range tmpl {
		b.WriteString(s.text)
		if s.fact >= 0 {
			b.WriteString(facts[s.fact])
		}
	}
	return b.String()
}

// loadCorpus reads the articles the generator draws its text from. It
// returns an error if path holds fewer than two usable articles.
func loadCorpus(ctx context.Context, path string) ([]doc, error) {
	var docs []doc
	err := feed.Read(ctx, []string{path}, nil, func(it feed.Item) error {
		if it.Err != nil {
			return nil // the corpus is real data: skip what does not decode
		}
		var lines []string
		for l := range strings.SplitSeq(it.Article.Text, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				lines = append(lines, l)
			}
		}
		if len(lines) < 3 {
			return nil
		}
		docs = append(docs, newDoc(lines))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read corpus %s: %w", path, err)
	}
	if len(docs) < 2 {
		return nil, errors.New("corpus " + path + " has fewer than two articles of three lines or more")
	}
	return docs, nil
}

// furniture is the boilerplate news sites wrap articles in; %s is replaced
// by the site name or another article's headline.
var furniture = []string{
	"- Advertisement -",
	"Advertisement",
	"Share this article",
	"Share on Facebook Share on Twitter Share via Email",
	"Sign up to receive the latest news in your inbox, everyday.",
	"We don't spam! Read our privacy policy for more info.",
	"Please enter your comment!",
	"Follow us on Twitter and Facebook for the latest updates.",
	"Related: %s",
	"Read more: %s",
	"Recommended for you: %s",
	"Copyright © 2026 %s. All rights reserved.",
	"This article originally appeared on %s.",
	"Comments (%d)",
	"View more related content",
	"Most Read",
	"Recent Posts",
}

// generator makes a reproducible stream of articles from a corpus. An
// original takes a corpus article and gives it new names and numbers, the
// way two events of the same kind share their wording but not their facts;
// a copy is an earlier original as another site runs it (its own furniture,
// maybe a new headline), and a rewrite also drops, swaps and adds lines.
// Every article gets random site furniture. It is not safe for concurrent
// use.
type generator struct {
	docs    []doc
	dupRate float64
	rng     *rand.Rand
	// recent holds the latest originals, the ones copies are made of: wire
	// copies follow their original within hours, not weeks.
	recent []original
	next   int
}

type original struct {
	title string
	lines []string
}

// recentOriginals bounds the originals a copy can be made of.
const recentOriginals = 1000

func newGenerator(docs []doc, dupRate float64, seed uint64) *generator {
	return &generator{docs: docs, dupRate: dupRate, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// articleID is the id of the i-th generated article; [articleIndex]
// inverts it.
func articleID(i int) string { return "lb-" + strconv.Itoa(i) }

// articleIndex returns the index of an id made by [articleID], or false.
func articleIndex(id string) (int, bool) {
	s, ok := strings.CutPrefix(id, "lb-")
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(s)
	if err != nil || i < 0 {
		return 0, false
	}
	return i, true
}

// article returns the i-th article; calls must come with i = 0, 1, 2, ...
// It reports whether the article is a copy or rewrite of an earlier one.
func (g *generator) article(i int) (a *pipeline.Article, copied bool) {
	var o original
	if len(g.recent) > 0 && g.rng.Float64() < g.dupRate {
		o = g.recent[g.rng.IntN(len(g.recent))]
		o = g.rewrite(o)
		copied = true
	} else {
		o = g.original()
		if len(g.recent) < recentOriginals {
			g.recent = append(g.recent, o)
		} else {
			g.recent[g.next] = o
			g.next = (g.next + 1) % recentOriginals
		}
	}
	site := g.rng.IntN(40)
	source := "site" + strconv.Itoa(site)
	return &pipeline.Article{
		ID:     articleID(i),
		Title:  o.title,
		Text:   g.dress(o.title, o.lines, source),
		URL:    "https://www." + source + ".example/news/" + strconv.Itoa(i),
		Source: source,
	}, copied
}

// original gives a corpus article new names and numbers, each replaced the
// same way throughout the article.
func (g *generator) original() original {
	d := &g.docs[g.rng.IntN(len(g.docs))]
	facts := make([]string, len(d.facts))
	for i, f := range d.facts {
		facts[i] = g.fact(f)
	}
	o := original{title: render(d.titleTmpl, facts), lines: make([]string, len(d.lineTmpls))}
	for j, t := range d.lineTmpls {
		o.lines[j] = render(t, facts)
	}
	return o
}

// syllables make up invented names.
var syllables = []string{"ka", "lo", "mi", "ren", "tus", "va", "dor", "el", "shi", "bran", "no", "ta", "quin", "zel", "hu", "mar", "os", "pe", "ri", "gal"}

// fact invents a replacement of the same kind as w: digits for a number, a
// capitalised name of one to three syllables for a word.
func (g *generator) fact(w string) string {
	var b strings.Builder
	for _, r := range w {
		if unicode.IsDigit(r) {
			b.WriteByte(byte('0' + g.rng.IntN(10)))
		} else if !unicode.IsLetter(r) {
			b.WriteRune(r)
		}
	}
	if b.Len() > 0 && strings.ContainsFunc(w, unicode.IsDigit) {
		return b.String()
	}
	b.Reset()
	for range 1 + g.rng.IntN(3) {
		b.WriteString(syllables[g.rng.IntN(len(syllables))])
	}
	name := b.String()
	return strings.ToUpper(name[:1]) + name[1:]
}

// rewrite returns o as another site runs it: half the time verbatim, else
// with a changed headline, one or two lines dropped, two lines swapped and
// an unrelated teaser appended.
func (g *generator) rewrite(o original) original {
	if g.rng.IntN(2) == 0 {
		return o
	}
	lines := make([]string, 0, len(o.lines)+1)
	drop := map[int]bool{}
	for range 1 + g.rng.IntN(2) {
		if len(o.lines) > 4 {
			drop[1+g.rng.IntN(len(o.lines)-1)] = true
		}
	}
	for j, l := range o.lines {
		if !drop[j] {
			lines = append(lines, l)
		}
	}
	if len(lines) > 3 {
		j := 1 + g.rng.IntN(len(lines)-2)
		lines[j], lines[j+1] = lines[j+1], lines[j]
	}
	teaser := g.docs[g.rng.IntN(len(g.docs))]
	lines = append(lines, teaser.title+" "+teaser.lines[0])
	title := o.title
	if g.rng.IntN(2) == 0 {
		title = "UPDATE: " + title
	}
	return original{title: title, lines: lines}
}

// dress puts the headline and body between random site furniture.
func (g *generator) dress(title string, lines []string, site string) string {
	var b strings.Builder
	b.Grow(len(title) + 64*len(lines) + 256)
	if g.rng.IntN(3) == 0 {
		b.WriteString(g.furniture(site))
		b.WriteByte('\n')
	}
	b.WriteString(title)
	for j, l := range lines {
		b.WriteByte('\n')
		b.WriteString(l)
		if j > 0 && g.rng.IntN(12) == 0 {
			b.WriteByte('\n')
			b.WriteString(g.furniture(site))
		}
	}
	for range g.rng.IntN(4) {
		b.WriteByte('\n')
		b.WriteString(g.furniture(site))
	}
	return b.String()
}

func (g *generator) furniture(site string) string {
	f := furniture[g.rng.IntN(len(furniture))]
	switch {
	case strings.Contains(f, "%d"):
		return fmt.Sprintf(f, g.rng.IntN(500))
	case strings.HasPrefix(f, "Copyright"), strings.HasPrefix(f, "This article"):
		return fmt.Sprintf(f, site)
	case strings.Contains(f, "%s"):
		return fmt.Sprintf(f, g.docs[g.rng.IntN(len(g.docs))].title)
	}
	return f
}

// dump writes the articles a run would publish to cfg.dump, one JSON object
// per line, for batch mode and profiling.
func dump(ctx context.Context, cfg *config) error {
	docs, err := loadCorpus(ctx, cfg.corpus)
	if err != nil {
		return err
	}
	f, err := os.Create(cfg.dump)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<16)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	g := newGenerator(docs, cfg.dupRate, cfg.seed)
	for i := range cfg.articles {
		if err := ctx.Err(); err != nil {
			f.Close()
			return err
		}
		a, _ := g.article(i)
		if err := enc.Encode(a); err != nil {
			f.Close()
			return fmt.Errorf("write %s: %w", cfg.dump, err)
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", cfg.dump, err)
	}
	return f.Close()
}
