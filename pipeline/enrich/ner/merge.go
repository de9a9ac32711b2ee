package ner

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wiredesk/wiredesk/pipeline"
)

// aliases maps the folded form of a short name to the folded form of the
// full name it stands for, for names that a text seldom spells out next to
// each other. A pair applies only when both names occur in the text.
var aliases = map[string]string{
	"dprk":  "north korea",
	"rok":   "south korea",
	"us":    "united states",
	"u s":   "united states",
	"usa":   "united states",
	"u s a": "united states",
	"uk":    "united kingdom",
	"u k":   "united kingdom",
	"un":    "united nations",
	"u n":   "united nations",
	"eu":    "european union",
	"ussr":  "soviet union",
	"prc":   "china",
	"uae":   "united arab emirates",
}

// maxAliasLen is the length of the longest short name of aliases.
var maxAliasLen = func() int {
	n := 0
	for short := range aliases {
		n = max(n, len(short))
	}
	return n
}()

// alias returns the full name of aliases for the folded form key, if it
// has one; it looks up only keys short enough to be there.
func alias(key string) (string, bool) {
	if len(key) > maxAliasLen {
		return "", false
	}
	full, ok := aliases[key]
	return full, ok
}

// acronymSkip lists words that acronyms leave out.
var acronymSkip = map[string]bool{"of": true, "the": true, "and": true, "for": true, "de": true, "du": true, "des": true, "la": true, "le": true, "on": true, "in": true, "at": true}

// formAt is a surface form and the byte offset of its first mention.
type formAt struct {
	text string
	at   int
}

// group is one entity being built from mentions of a single folded form.
type group struct {
	key      string   // folded form
	words    []string // key split into words
	class    int
	forms    []formAt // distinct, in order of appearance
	mentions int
	into     *group // set when merged into another group
	same     *group // the next group of the same key, of another class
	entity   int    // index of a root's entity in the result, from 1
}

// ofClass returns the group of class among g and those of the same key
// after it, or nil.
func (g *group) ofClass(class int) *group {
	for ; g != nil; g = g.same {
		if g.class == class {
			return g
		}
	}
	return nil
}

func (g *group) root() *group {
	for g.into != nil {
		g = g.into
	}
	return g
}

// join merges g into t's entity, unless t already belongs to g's: the
// merge rules are not symmetric, and a cycle would make root loop forever.
func (g *group) join(t *group) {
	if r := t.root(); r != g.root() {
		g.root().into = r
	}
}

// merge turns tagged mentions into entities. Mentions of one folded form
// (case, hyphens and spacing ignored) and type are one entity: a name may
// be two entities of different types, as a city and its team. A name
// tagged a person at least as often as another type is a person. A person
// named by part of a fuller name ("Putin", "Kim") joins the fuller name
// mentioned most; an acronym joins the name whose initials it spells, and
// a name of the alias table its full form.
//
// Its working memory is mg's, reused from one text to the next.
func (mg *merger) merge(text string, toks []token, ms []mention) []pipeline.Entity {
	defer mg.reset()
	if mg.byKey == nil {
		mg.byKey, mg.byText = map[string]*group{}, map[string]*group{}
	}
	byKey := mg.byKey // the first group of each key
	// Groups live in one array, sized so that it never moves.
	if cap(mg.pool) < len(ms) {
		mg.pool = make([]group, 0, len(ms))
	}
	pool, groups, words, arena := mg.pool[:0], mg.groups[:0], mg.words[:0], &mg.arena
	for _, m := range ms {
		start := toks[m.lo].start
		written := text[start:toks[m.hi-1].end]
		// A name is mostly mentioned again as written before, and then of
		// the group of the first such mention, with its form already in
		// it: only a new text is folded and looked up.
		if g := mg.byText[written]; g != nil && g.class == m.class {
			g.mentions++
			continue
		}
		form := normalizeSpace(written)
		mg.buf = appendFold(mg.buf[:0], form)
		if len(mg.buf) == 0 {
			continue
		}
		first := byKey[string(mg.buf)]
		g := first.ofClass(m.class)
		if g == nil {
			key := string(mg.buf)
			n := len(words)
			words = appendFields(words, key)
			pool = append(pool, group{key: key, words: words[n:len(words):len(words)], class: m.class})
			g = &pool[len(pool)-1]
			if first != nil {
				g.same, first.same = first.same, g
			} else {
				byKey[key] = g
			}
			groups = append(groups, g)
		}
		g.mentions++
		if !hasForm(g.forms, form) {
			g.forms = arena.add(g.forms, formAt{form, start})
		}
		mg.byText[written] = g
	}
	persons := mg.persons[:0]
	for _, g := range groups {
		if g.class == classPerson {
			persons = append(persons, g)
		}
	}
	mg.persons = persons
	for _, g := range groups {
		if g.class == classPerson {
			if t := bestContaining(g, persons); t != nil {
				g.join(t)
			}
			continue
		}
		// A name tagged a person at least as often as otherwise is a person
		// everywhere in the text.
		if p := byKey[g.key].ofClass(classPerson); p != nil && p.mentions >= g.mentions {
			g.join(p)
		}
	}
	for _, g := range groups {
		if g.into != nil {
			continue
		}
		if full, ok := alias(g.key); ok {
			if t := byKey[full]; t != nil && t != g {
				g.join(t)
				continue
			}
		}
		if t := expansion(g, groups); t != nil {
			g.join(t)
		}
	}
	mg.pool, mg.groups, mg.words = pool, groups, words
	ents := make([]pipeline.Entity, 0, len(groups))
	parts := mg.parts[:0]
	for _, g := range groups {
		r := g.root()
		if r.entity == 0 {
			ents = append(ents, pipeline.Entity{Type: classNames[r.class]})
			parts = append(parts, built{})
			r.entity = len(ents)
		}
		e, p := &ents[r.entity-1], &parts[r.entity-1]
		e.Mentions += g.mentions
		for _, f := range g.forms {
			p.forms = arena.addForm(p.forms, f)
		}
		if p.canon == nil || moreComplete(g, p.canon) {
			p.canon = g
		}
	}
	mg.parts = parts
	nForms := 0
	for _, p := range parts {
		nForms += len(p.forms)
	}
	forms := make([]string, 0, nForms) // every entity's forms, in one array
	for i := range ents {
		p := &parts[i]
		slices.SortFunc(p.forms, func(a, b formAt) int { return cmp.Compare(a.at, b.at) })
		ents[i].Name = p.canon.forms[0].text
		ents[i].Offset = p.forms[0].at
		n := len(forms)
		for _, f := range p.forms {
			forms = append(forms, f.text)
		}
		ents[i].Forms = forms[n:len(forms):len(forms)]
	}
	slices.SortStableFunc(ents, func(a, b pipeline.Entity) int { return cmp.Compare(a.Offset, b.Offset) })
	return ents
}

// merger is the working memory of [merger.merge], kept from one text to
// the next; the zero value is ready to use.
type merger struct {
	byKey  map[string]*group
	byText map[string]*group // the group of each text mentioned, as written
	pool   []group
	groups []*group
	// persons are the groups of people, in order: bestContaining looks
	// among them only.
	persons []*group
	words   []string // the words of every group's key
	buf     []byte
	arena   formArena
	parts   []built // by entity
}

// built is an entity's forms and canonical group, as merge gathers them.
type built struct {
	forms []formAt
	canon *group
}

// reset drops the references mg holds to the last text.
func (mg *merger) reset() {
	clear(mg.byKey)
	clear(mg.byText)
	clear(mg.pool)
	clear(mg.groups)
	clear(mg.persons)
	clear(mg.words)
	clear(mg.arena.buf)
	clear(mg.parts)
	mg.pool, mg.groups, mg.persons, mg.words, mg.arena.buf, mg.parts = mg.pool[:0], mg.groups[:0], mg.persons[:0], mg.words[:0], mg.arena.buf[:0], mg.parts[:0]
}

// appendFields appends the space-separated words of s to dst.
func appendFields(dst []string, s string) []string {
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			if i > start {
				dst = append(dst, s[start:i])
			}
			start = i + 1
		}
	}
	if start < len(s) {
		dst = append(dst, s[start:])
	}
	return dst
}

// spells reports whether acr is the initials of words, as an acronym
// spells them: the first letter of each word, leaving out acronymSkip.
func spells(acr string, words []string) bool {
	for _, w := range words {
		if acronymSkip[w] {
			continue
		}
		if acr == "" || acr[0] != w[0] {
			return false
		}
		acr = acr[1:]
	}
	return acr == ""
}

func hasForm(forms []formAt, text string) bool {
	for _, f := range forms {
		if f.text == text {
			return true
		}
	}
	return false
}

// formArena hands out the form lists of one merge: most names have one
// form, so a list starts as a one-element slice of a shared array and only
// a second form costs an allocation.
type formArena struct{ buf []formAt }

// add appends f to forms.
func (a *formArena) add(forms []formAt, f formAt) []formAt {
	if len(forms) > 0 {
		return append(forms, f)
	}
	a.buf = append(a.buf, f)
	n := len(a.buf)
	return a.buf[n-1 : n : n]
}

// addForm adds f to forms, or moves the first mention of its text earlier.
func (a *formArena) addForm(forms []formAt, f formAt) []formAt {
	for i := range forms {
		if forms[i].text == f.text {
			forms[i].at = min(forms[i].at, f.at)
			return forms
		}
	}
	return a.add(forms, f)
}

// bestContaining returns the person of persons with the most mentions
// whose name holds g's words as a contiguous run, or nil.
func bestContaining(g *group, persons []*group) *group {
	var best *group
	for _, h := range persons {
		if h == g || len(h.words) <= len(g.words) || !containsRun(h.words, g.words) {
			continue
		}
		if best == nil || h.mentions > best.mentions {
			best = h
		}
	}
	return best
}

// expansion returns the organisation or location whose initials g, a single
// word in capitals, spells, or nil.
func expansion(g *group, groups []*group) *group {
	if g.class != classOrg && g.class != classLoc || len(g.words) != 1 && !allSingleLetters(g.words) {
		return nil
	}
	acr := strings.Join(g.words, "")
	if len(acr) < 2 || !isUpperWord(g.forms[0].text) {
		return nil
	}
	for _, h := range groups {
		if h != g && (h.class == classOrg || h.class == classLoc) && len(h.words) >= 2 && spells(acr, h.words) {
			return h
		}
	}
	return nil
}

// moreComplete reports whether g's name is more complete than h's: more
// words, then longer, then more mentioned.
func moreComplete(g, h *group) bool {
	if len(g.words) != len(h.words) {
		return len(g.words) > len(h.words)
	}
	if len(g.key) != len(h.key) {
		return len(g.key) > len(h.key)
	}
	return g.mentions > h.mentions
}

// appendFold appends s to buf lower-cased, with runs of non-alphanumerics
// turned into one space, so that "Kim Jong-un" and "Kim Jong Un" are one
// name.
func appendFold(buf []byte, s string) []byte {
	space := false
	for i := 0; i < len(s); {
		r, n := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(s[i:])
		}
		i += n
		if !isAlnum(r) {
			space = true
			continue
		}
		if space && len(buf) > 0 {
			buf = append(buf, ' ')
		}
		space = false
		if r < utf8.RuneSelf {
			// Among ASCII letters and digits, only the capitals lack the
			// bit 0x20: setting it lowers them and leaves the rest.
			buf = append(buf, byte(r)|0x20)
			continue
		}
		buf = utf8.AppendRune(buf, unicode.ToLower(r))
	}
	return buf
}

// normalizeSpace turns every run of white space in s into one space.
func normalizeSpace(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || c <= ' ' && (c != ' ' || i+1 < len(s) && s[i+1] == ' ') {
			return strings.Join(strings.Fields(s), " ")
		}
	}
	return s
}

func containsRun(words, run []string) bool {
	for i := 0; i+len(run) <= len(words); i++ {
		match := true
		for j := range run {
			if words[i+j] != run[j] {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}

func allSingleLetters(words []string) bool {
	for _, w := range words {
		if len(w) != 1 {
			return false
		}
	}
	return true
}

func isUpperWord(s string) bool {
	for _, r := range s {
		if unicode.IsLower(r) {
			return false
		}
	}
	return true
}
