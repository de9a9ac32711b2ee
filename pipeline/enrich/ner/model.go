package ner

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/gob"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/wiredesk/wiredesk/pipeline"
	"github.com/wiredesk/wiredesk/pipeline/lexicon"
)

//go:embed model.bin.gz
var embeddedModel []byte

// Recognizer finds named entities in English text. It is safe for
// concurrent use; build one with [Default] or [Load].
type Recognizer struct {
	stages   [numStages]stage
	gaz      gazetteer
	vocab    *lexicon.WordMap[*wordInfo] // the training words, precomputed
	lowerIDs map[string]int32            // lower-case forms of the vocabulary
	bos, eos *wordInfo

	// seen caches words met at run time, up to maxSeenWords, with ids for
	// their lower-case forms beyond those of lowerIDs.
	mu        sync.RWMutex
	seen      map[string]*wordInfo
	seenLower map[string]int32

	scratch sync.Pool
}

// maxSeenWords bounds the run-time word cache: about 30 MB of score vectors.
const maxSeenWords = 50_000

// stage is one tagging pass.
type stage struct {
	// tables maps each kind of word feature and value to the weights the
	// feature has in every word group.
	tables [numKinds]map[string]*[numWordGroups][numTags]float32
	consts [numConstGroups][numTags]float32
	dec    decoder
}

// wordInfo is what the tagger needs of one word type: its score vector in
// each word group of each stage, its lower-case form's id and its casing.
type wordInfo struct {
	vec   [numStages][numWordGroups][numTags]float32
	lower int32
	kind  wordKind
	// upper is set for words with a capital letter, the only ones that
	// start a name in English.
	upper bool
}

var loadDefault = sync.OnceValues(func() (*Recognizer, error) {
	return Load(bytes.NewReader(embeddedModel))
})

// Default returns the recognizer of the model embedded in the package,
// decoding it on first use. It returns an error only if the embedded model
// is corrupt.
func Default() (*Recognizer, error) { return loadDefault() }

// Load reads a model written by [Train]. It returns an error if r does not
// hold one.
func Load(r io.Reader) (*Recognizer, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("read model: %w", err)
	}
	var m modelFile
	if err := gob.NewDecoder(zr).Decode(&m); err != nil {
		return nil, fmt.Errorf("decode model: %w", err)
	}
	if len(m.Stages) != numStages {
		return nil, fmt.Errorf("decode model: %d stages, want %d", len(m.Stages), numStages)
	}
	rec := &Recognizer{
		gaz:       newGazetteer(m.Places),
		vocab:     lexicon.NewWordMap[*wordInfo](len(m.Vocab) + 2),
		lowerIDs:  map[string]int32{},
		seen:      map[string]*wordInfo{},
		seenLower: map[string]int32{},
	}
	for i := range rec.stages {
		if err := rec.stages[i].load(&m.Stages[i]); err != nil {
			return nil, fmt.Errorf("decode model stage %d: %w", i+1, err)
		}
	}
	infos := make([]wordInfo, len(m.Vocab)+2)
	for i, w := range append(m.Vocab, wordBOS, wordEOS) {
		l := lowerOf(w)
		id, ok := rec.lowerIDs[l]
		if !ok {
			id = int32(len(rec.lowerIDs))
			rec.lowerIDs[l] = id
		}
		infos[i] = rec.wordInfo(w, id)
		rec.vocab.Put(w, &infos[i])
	}
	rec.bos, rec.eos = &infos[len(m.Vocab)], &infos[len(m.Vocab)+1]
	return rec, nil
}

func (st *stage) load(f *stageFile) error {
	if len(f.Weights) != len(f.Keys)*numTags || len(f.Trans) != (numTags+1)*numTags {
		return fmt.Errorf("%d keys, %d weights, %d transitions", len(f.Keys), len(f.Weights), len(f.Trans))
	}
	for k := range st.tables {
		st.tables[k] = map[string]*[numWordGroups][numTags]float32{}
	}
	for i, key := range f.Keys {
		var w [numTags]float32
		copy(w[:], f.Weights[i*numTags:])
		if g, kind, value, ok := parseFeatureKey(key); ok {
			block := st.tables[kind][value]
			if block == nil {
				block = new([numWordGroups][numTags]float32)
				st.tables[kind][value] = block
			}
			block[g] = w
			continue
		}
		for c := range numConstGroups {
			if key == constKey(c) {
				st.consts[c] = w
			}
		}
	}
	var tr transitions
	for a := range numTags + 1 {
		copy(tr[a][:], f.Trans[a*numTags:])
	}
	st.dec = newDecoder(&tr)
	return nil
}

// lookup returns the score vectors of word w, whose [lexicon.Hash] is h,
// computing and caching them for a word outside the vocabulary. Once the
// cache is full, new words are computed on every call and their lower-case
// forms get id -1: no document statistics.
func (rec *Recognizer) lookup(w string, h uint64) *wordInfo {
	if info, ok := rec.vocab.Get(w, h); ok {
		return info
	}
	rec.mu.RLock()
	info, ok := rec.seen[w]
	rec.mu.RUnlock()
	if ok {
		return info
	}
	l := lowerOf(w)
	id, ok := rec.lowerIDs[l]
	rec.mu.Lock()
	full := len(rec.seen) >= maxSeenWords
	if !ok {
		if id, ok = rec.seenLower[l]; !ok {
			id = -1
			if !full {
				id = int32(len(rec.lowerIDs) + len(rec.seenLower))
				rec.seenLower[l] = id
			}
		}
	}
	rec.mu.Unlock()
	info = new(wordInfo)
	*info = rec.wordInfo(w, id)
	if full {
		return info
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if cached, ok := rec.seen[w]; ok {
		return cached
	}
	rec.seen[w] = info
	return info
}

// wordInfo sums the weights of a word's features in every word group of
// every stage.
func (rec *Recognizer) wordInfo(w string, lower int32) wordInfo {
	info := wordInfo{lower: lower, kind: kindOf(w), upper: strings.ToLower(w) != w}
	p := propsOf(w, rec.gaz)
	p.all(func(kind int, value string) {
		for i := range rec.stages {
			block := rec.stages[i].tables[kind][value]
			if block == nil {
				continue
			}
			for g := range numWordGroups {
				for t := range numTags {
					info.vec[i][g][t] += block[g][t]
				}
			}
		}
	})
	return info
}

// scratch is the per-call working memory of the tagger.
type scratch struct {
	toks    []token
	infos   []*wordInfo // per token
	doc     []docStat   // by lower-case id
	touched []int32     // ids set in doc
	// untracked takes the updates of words without a lower-case id.
	untracked docStat
	runs      []run
	emit      [][numTags]float32
	back      [][numTags]int8
	tags      []int8
	ms        []mention
	merger    merger
}

// docStat is what the tagger gathers about one lower-case form across a
// document.
type docStat struct {
	flags uint8      // how its words were written
	votes classVotes // the first stage's tags of its words
	class int8       // the majority of votes, once the first stage is done
}

func (s *scratch) grow(n int) {
	if cap(s.infos) < n {
		s.infos = make([]*wordInfo, n)
		s.emit = make([][numTags]float32, n)
		s.back = make([][numTags]int8, n)
		s.tags = make([]int8, n)
	}
	s.infos, s.emit, s.back, s.tags = s.infos[:n], s.emit[:n], s.back[:n], s.tags[:n]
}

// stat returns the statistics of lower-case id, for update; those of id -1
// are thrown away.
func (s *scratch) stat(id int32) *docStat {
	if id < 0 {
		s.untracked = docStat{}
		return &s.untracked
	}
	for int(id) >= len(s.doc) {
		s.doc = append(s.doc, make([]docStat, max(1024, len(s.doc)))...)
	}
	d := &s.doc[id]
	if *d == (docStat{}) {
		s.touched = append(s.touched, id)
	}
	return d
}

func (s *scratch) reset() {
	for _, id := range s.touched {
		s.doc[id] = docStat{}
	}
	s.touched = s.touched[:0]
	clear(s.infos)
}

// mention is one tagged span of tokens.
type mention struct {
	lo, hi int // token range
	class  int
}

// tag runs both stages over text and calls fn with the scratch holding
// the tokens and the mentions of the second.
func (rec *Recognizer) tag(text string, fn func(s *scratch)) {
	s, _ := rec.scratch.Get().(*scratch)
	if s == nil {
		s = new(scratch)
	}
	defer func() {
		s.reset()
		rec.scratch.Put(s)
	}()
	s.toks = tokenize(text, s.toks)
	toks := s.toks
	s.grow(len(toks))
	for i := range toks {
		info := rec.lookup(toks[i].text, toks[i].hash)
		s.infos[i] = info
		if f := observe(&toks[i], info.kind); f != 0 {
			s.stat(info.lower).flags |= f
		}
	}
	runs := s.runs[:0]
	forSentences(toks, func(lo, hi int) {
		runs = appendRuns(runs, s.infos, lo, hi)
	})
	s.runs = runs
	// Tokens outside the runs are O in both stages.
	clear(s.tags)
	for _, r := range runs {
		rec.decode(s, 0, r)
	}
	for i, info := range s.infos {
		if s.tags[i] != tagO {
			s.stat(info.lower).votes.add(s.tags[i])
		}
	}
	for _, id := range s.touched {
		d := &s.doc[id]
		d.class = int8(d.votes.majority())
	}
	// The second stage keeps the first stage's tags (all O) for runs
	// without a word the first stage tagged anywhere in the document: it
	// has nothing to add there.
	for _, r := range runs {
		if s.tagged(r.a, r.b) {
			rec.decode(s, 1, r)
		}
	}
	s.ms = appendMentions(s.ms[:0], s.tags)
	for i := range s.ms {
		trimTitle(toks, &s.ms[i])
	}
	fn(s)
}

// appendMentions appends the mentions that BIO tags make to ms. The
// decoder never puts an I tag first in a sentence, nor after another class,
// so a mention never spans two sentences.
func appendMentions(ms []mention, tags []int8) []mention {
	for i, tag := range tags {
		t := int(tag)
		if t == tagO {
			continue
		}
		if isInside(t) && len(ms) > 0 && ms[len(ms)-1].hi == i {
			ms[len(ms)-1].hi = i + 1
			continue
		}
		ms = append(ms, mention{lo: i, hi: i + 1, class: classOf(t)})
	}
	return ms
}

// window is how far from a word with a capital letter a token may be for
// the tagger to consider it part of a name; tokens farther away are O.
// Three keeps the tags of CoNLL-2003 dev as exact decoding has them.
const window = 3

// run is a stretch of tokens the tagger scores and decodes: tokens [a, b)
// of the sentence [lo, hi). Both stages decode the same runs.
type run struct{ lo, hi, a, b int }

// appendRuns appends to runs those of the sentence [lo, hi) of tokens with
// words infos: the runs of tokens each at most window tokens from a
// capitalised word. The rest of the sentence is O, which the decoder's
// boundary transitions take into account.
func appendRuns(runs []run, infos []*wordInfo, lo, hi int) []run {
	for i := lo; i < hi; {
		a := i
		for a < hi && !infos[a].upper {
			a++
		}
		if a == hi {
			break
		}
		a = max(i, a-window)
		b, last := a, a
		for b < hi && b-last <= window {
			if infos[b].upper {
				last = b
			}
			b++
		}
		b = min(hi, last+window+1)
		runs = append(runs, run{lo: lo, hi: hi, a: a, b: b})
		i = b
	}
	return runs
}

// decode tags the tokens of run r with stage st into s.tags.
func (rec *Recognizer) decode(s *scratch, st int, r run) {
	rec.emissions(s, st, r)
	from := numTags
	if r.a > r.lo {
		from = tagO
	}
	rec.stages[st].dec.viterbi(s.emit[r.a:r.b], s.tags[r.a:r.b], s.back[r.a:r.b], from, r.b < r.hi)
}

// tagged reports whether the first stage tagged a word of tokens [a, b)
// somewhere in the document.
func (s *scratch) tagged(a, b int) bool {
	for _, info := range s.infos[a:b] {
		if s.docOf(info.lower).votes != (classVotes{}) {
			return true
		}
	}
	return false
}

// docOf returns the statistics of lower-case id.
func (s *scratch) docOf(id int32) docStat {
	if id >= 0 && int(id) < len(s.doc) {
		return s.doc[id]
	}
	return docStat{}
}

// emissions sums the scores of the tokens of run r in stage st into
// s.emit: the word groups of each token, in their order, then its
// constant groups.
func (rec *Recognizer) emissions(s *scratch, st int, r run) {
	consts := &rec.stages[st].consts
	toks, infos, emit := s.toks[:r.hi], s.infos[:r.hi], s.emit[:r.hi]
	for i := r.a; i < r.b; i++ {
		tok, info, e := &toks[i], infos[i], &emit[i]
		var p2, p1, n1, n2 *wordInfo // the words two and one before, one and two after
		if r.lo+2 <= i && i+2 < r.hi {
			w := infos[i-2 : i+3 : i+3]
			p2, p1, n1, n2 = w[0], w[1], w[3], w[4]
		} else {
			p2, p1, n1, n2 = rec.wordAt(infos, r, i-2), rec.wordAt(infos, r, i-1), rec.wordAt(infos, r, i+1), rec.wordAt(infos, r, i+2)
		}
		// The groups of the word itself and of its neighbours apply at
		// every token (see groupActive), and so does the bias.
		v := &info.vec[st]
		self, prev, next, prev2, next2 := &v[gSelf], &p1.vec[st][gPrev], &n1.vec[st][gNext], &p2.vec[st][gPrev2], &n2.vec[st][gNext2]
		d := s.docOf(info.lower)
		docClass := 0
		if st > 0 {
			docClass = int(d.class)
		}
		if !groupActive(gSent, tok) && !groupActive(gCaps, tok) && info.kind != kindCapital && docClass == 0 {
			// The common case: no other group applies (see constGroups).
			sum6(e, self, prev, next, prev2, next2, &consts[cBias])
			continue
		}
		var buf [2 + numConstGroups]*[numTags]float32
		more := buf[:0] // the other groups, in order
		if groupActive(gSent, tok) {
			more = append(more, &v[gSent])
		}
		if groupActive(gCaps, tok) {
			more = append(more, &v[gCaps])
		}
		var cbuf [numConstGroups]int
		for _, c := range constGroups(cbuf[:0], tok, info.kind, d.flags, docClass) {
			more = append(more, &consts[c])
		}
		sum6(e, self, prev, next, prev2, next2, more[0])
		for _, g := range more[1:] {
			add(e, g)
		}
	}
}

// wordAt returns the word at token j, or the pseudo-word beyond the ends of
// the sentence of run r.
func (rec *Recognizer) wordAt(infos []*wordInfo, r run, j int) *wordInfo {
	switch {
	case j >= r.hi:
		return rec.eos
	case j < r.lo:
		return rec.bos
	}
	return infos[j]
}

// emissions adds the conditional word groups by name, gSent then gCaps,
// as the last groups in their order; these fail to compile if groups are
// added or reordered.
const (
	_ uint = gSent - gNext2 - 1
	_ uint = gCaps - gSent - 1
	_ uint = numWordGroups - gCaps - 1
)

// sum6 sets e to a + b + c + d + f + g, added in that order: the six
// groups that apply at nearly every token, in one pass, which spares most
// loads and stores of adding them one at a time. It is unrolled: the
// compiler keeps a loop's counter in memory here.
func sum6(e, a, b, c, d, f, g *[numTags]float32) {
	e[0] = a[0] + b[0] + c[0] + d[0] + f[0] + g[0]
	e[1] = a[1] + b[1] + c[1] + d[1] + f[1] + g[1]
	e[2] = a[2] + b[2] + c[2] + d[2] + f[2] + g[2]
	e[3] = a[3] + b[3] + c[3] + d[3] + f[3] + g[3]
	e[4] = a[4] + b[4] + c[4] + d[4] + f[4] + g[4]
	e[5] = a[5] + b[5] + c[5] + d[5] + f[5] + g[5]
	e[6] = a[6] + b[6] + c[6] + d[6] + f[6] + g[6]
	e[7] = a[7] + b[7] + c[7] + d[7] + f[7] + g[7]
	e[8] = a[8] + b[8] + c[8] + d[8] + f[8] + g[8]
}

// add adds score vector v to e, unrolled: it is the tagger's inner loop.
func add(e, v *[numTags]float32) {
	e[0] += v[0]
	e[1] += v[1]
	e[2] += v[2]
	e[3] += v[3]
	e[4] += v[4]
	e[5] += v[5]
	e[6] += v[6]
	e[7] += v[7]
	e[8] += v[8]
}

// titles are words that precede a name but are not part of it, as the
// training data has it ("Governor Mikhail Degtyarev").
var titles = map[string]bool{
	"president": true, "vice": true, "governor": true, "minister": true, "premier": true, "chancellor": true,
	"secretary": true, "senator": true, "sen": true, "rep": true, "ambassador": true, "mayor": true,
	"admiral": true, "adm": true, "general": true, "gen": true, "lt": true, "col": true, "colonel": true,
	"captain": true, "capt": true, "sergeant": true, "sgt": true, "commander": true, "brig": true,
	"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "professor": true, "judge": true,
	"chairman": true, "chairwoman": true, "leader": true, "spokesman": true, "spokeswoman": true,
	"king": true, "queen": true, "prince": true, "princess": true, "pope": true, "sheikh": true,
}

// trimTitle drops from a person mention everything up to its last title.
func trimTitle(toks []token, m *mention) {
	if m.class != classPerson {
		return
	}
	for j := m.hi - 2; j >= m.lo; j-- {
		if titles[strings.TrimSuffix(lowerOf(toks[j].text), ".")] {
			m.lo = j + 1
			return
		}
	}
}

// Entities returns the named entities of text, aliases merged, sorted by
// the byte offset of their first mention; never nil. Types are "person",
// "organization", "location" and "misc". Forms are as written, with runs of
// white space inside a name (a line break) folded to one space.
func (rec *Recognizer) Entities(text string) []pipeline.Entity {
	var out []pipeline.Entity
	rec.tag(text, func(s *scratch) {
		out = s.merger.merge(text, s.toks, s.ms)
	})
	return out
}

func lowerOf(w string) string { return strings.ToLower(w) }
