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
	// title is set for the words of titles, which trimTitle cuts from
	// person names.
	title bool
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
	info := wordInfo{lower: lower, kind: kindOf(w), upper: strings.ToLower(w) != w, title: isTitle(w)}
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
	sets    []groupSet  // per token of a run: its groups after the five word groups
	doc     []docStat   // by lower-case id
	touched []int32     // ids set in doc
	voted   []int32     // ids the first stage tagged
	// untracked takes the updates of words without a lower-case id.
	untracked docStat
	runs      []run
	tagged    []run // the runs the second stage decodes
	// line holds the words of the sentences with runs, each between two
	// pseudo-words at either end, so that a token's neighbours are at
	// fixed offsets from it; see run.line.
	line   []*wordInfo
	more   [8]*[numTags]float32 // see moreGroups; a groupSet has 8 bits
	emit   [][numTags]float32
	back   [][numTags]int8
	tags   []int8
	ms     []mention
	merger merger
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
		s.sets = make([]groupSet, n)
		s.emit = make([][numTags]float32, n)
		s.back = make([][numTags]int8, n)
		s.tags = make([]int8, n)
	}
	s.infos, s.sets, s.emit, s.back, s.tags = s.infos[:n], s.sets[:n], s.emit[:n], s.back[:n], s.tags[:n]
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
	clear(s.line)
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
	runs, line := s.runs[:0], s.line[:0]
	forSentences(toks, func(lo, hi int) {
		n := len(runs)
		if runs = appendRuns(runs, s.infos, lo, hi, len(line)+2-lo); len(runs) > n {
			line = append(line, rec.bos, rec.bos)
			line = append(line, s.infos[lo:hi]...)
			line = append(line, rec.eos, rec.eos)
		}
	})
	s.runs, s.line = runs, line
	// Tokens outside the runs are O in both stages.
	clear(s.tags)
	for _, r := range runs {
		s.context(r)
	}
	rec.decode(s, 0, runs)
	s.voted = s.voted[:0]
	for _, r := range runs {
		for i := r.a; i < r.b; i++ {
			if s.tags[i] != tagO {
				s.vote(s.infos[i].lower, s.tags[i])
			}
		}
	}
	for _, id := range s.voted {
		d := &s.doc[id]
		d.class = int8(d.votes.majority())
	}
	// The second stage keeps the first stage's tags (all O) for runs
	// without a word the first stage tagged anywhere in the document: it
	// has nothing to add there.
	tagged := s.tagged[:0]
	for _, r := range runs {
		if s.markTagged(r) {
			tagged = append(tagged, r)
		}
	}
	s.tagged = tagged
	rec.decode(s, 1, tagged)
	s.ms = appendMentions(s.ms[:0], s.tags)
	for i := range s.ms {
		trimTitle(s.infos, &s.ms[i])
	}
	fn(s)
}

// vote counts the first stage's tag of a word of lower-case id id, and
// lists the id the first time.
func (s *scratch) vote(id int32, tag int8) {
	d := s.stat(id)
	if d.votes == (classVotes{}) && id >= 0 {
		s.voted = append(s.voted, id)
	}
	d.votes.add(tag)
}

// context sets the group sets of the tokens of run r for the first
// stage, once the document flags are known.
func (s *scratch) context(r run) {
	for i := r.a; i < r.b; i++ {
		info := s.infos[i]
		s.sets[i] = groupsOf(&s.toks[i], info.kind, s.docOf(info.lower).flags, 0)
	}
}

// markTagged adds the document class's groups to the group sets of the
// tokens of run r whose lower-case form the first stage tagged somewhere
// in the document, and reports whether there is one.
func (s *scratch) markTagged(r run) bool {
	tagged := false
	for i := r.a; i < r.b; i++ {
		info := s.infos[i]
		if d := s.docOf(info.lower); d.class != 0 {
			s.sets[i] = groupsOf(&s.toks[i], info.kind, d.flags, int(d.class))
			tagged = true
		}
	}
	return tagged
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
// of the sentence [lo, hi). Both stages decode the same runs. The word of
// token j is at j+line in scratch.line.
type run struct{ lo, hi, a, b, line int }

// appendRuns appends to runs those of the sentence [lo, hi) of tokens with
// words infos: the runs of tokens each at most window tokens from a
// capitalised word. The rest of the sentence is O, which the decoder's
// boundary transitions take into account. The runs' words are at offset
// line in scratch.line.
func appendRuns(runs []run, infos []*wordInfo, lo, hi, line int) []run {
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
		runs = append(runs, run{lo: lo, hi: hi, a: a, b: b, line: line})
		i = b
	}
	return runs
}

// docOf returns the statistics of lower-case id.
func (s *scratch) docOf(id int32) docStat {
	if id >= 0 && int(id) < len(s.doc) {
		return s.doc[id]
	}
	return docStat{}
}

// decode tags the tokens of runs with stage st into s.tags: it sums the
// scores of each run's tokens into s.emit, the word groups of each token
// in their order, then its constant groups, and decodes them. Most tokens
// have only the five groups of the word and its neighbours, which apply
// everywhere, and the bias: the loop sums those six from s.line in one
// pass, which spares most loads and stores of adding them one at a time,
// and calls nothing. The other tokens take their sixth group and the rest
// from moreGroups. The sum is unrolled: the compiler keeps a loop's
// counter in memory here.
func (rec *Recognizer) decode(s *scratch, st int, runs []run) {
	stage := &rec.stages[st]
	bias := &stage.consts[cBias]
	for _, r := range runs {
		emit, sets := s.emit[r.a:r.b], s.sets[r.a:r.b:r.b]
		line := s.line[r.a+r.line-2 : r.b+r.line+2]
		for i := range emit {
			g, more := bias, 0
			if set := sets[i]; set != setBias {
				more = rec.moreGroups(s, st, r.a+i, set)
				g = s.more[0]
			}
			w := (*[5]*wordInfo)(line[i : i+5]) // the words two before to two after
			self, prev, next, prev2, next2 := &w[2].vec[st][gSelf], &w[1].vec[st][gPrev], &w[3].vec[st][gNext], &w[0].vec[st][gPrev2], &w[4].vec[st][gNext2]
			e := &emit[i]
			e[0] = self[0] + prev[0] + next[0] + prev2[0] + next2[0] + g[0]
			e[1] = self[1] + prev[1] + next[1] + prev2[1] + next2[1] + g[1]
			e[2] = self[2] + prev[2] + next[2] + prev2[2] + next2[2] + g[2]
			e[3] = self[3] + prev[3] + next[3] + prev2[3] + next2[3] + g[3]
			e[4] = self[4] + prev[4] + next[4] + prev2[4] + next2[4] + g[4]
			e[5] = self[5] + prev[5] + next[5] + prev2[5] + next2[5] + g[5]
			e[6] = self[6] + prev[6] + next[6] + prev2[6] + next2[6] + g[6]
			e[7] = self[7] + prev[7] + next[7] + prev2[7] + next2[7] + g[7]
			e[8] = self[8] + prev[8] + next[8] + prev2[8] + next2[8] + g[8]
			if more > 1 {
				for _, v := range s.more[1:more] {
					add(e, v)
				}
			}
		}
		from := numTags
		if r.a > r.lo {
			from = tagO
		}
		stage.dec.viterbi(emit, s.tags[r.a:r.b], s.back[r.a:r.b], from, r.b < r.hi)
	}
}

// moreGroups sets s.more to the groups of set of token i in stage st, in
// their order, and returns their number.
func (rec *Recognizer) moreGroups(s *scratch, st, i int, set groupSet) int {
	info := s.infos[i]
	v, consts := &info.vec[st], &rec.stages[st].consts
	docClass := 0
	if set&(setDoc|setDocInit) != 0 {
		docClass = int(s.docOf(info.lower).class)
	}
	n := 0
	if set&setSent != 0 {
		s.more[n] = &v[gSent]
		n++
	}
	if set&setCaps != 0 {
		s.more[n] = &v[gCaps]
		n++
	}
	for set &^= setSent | setCaps; set != 0; set &= set - 1 {
		s.more[n] = &consts[set.constGroup(docClass)]
		n++
	}
	return n
}

// moreGroups adds the conditional word groups by name, gSent then gCaps,
// as the last groups in their order; these fail to compile if groups are
// added or reordered.
const (
	_ uint = gSent - gNext2 - 1
	_ uint = gCaps - gSent - 1
	_ uint = numWordGroups - gCaps - 1
)

// add adds score vector v to e. It is unrolled, as the sums of decode.
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

// isTitle reports whether w is a title, in any case and with or without
// a dot ("Gen.").
func isTitle(w string) bool { return titles[strings.TrimSuffix(lowerOf(w), ".")] }

// trimTitle drops from a person mention everything up to its last title;
// infos are the words of the tokens.
func trimTitle(infos []*wordInfo, m *mention) {
	if m.class != classPerson {
		return
	}
	for j := m.hi - 2; j >= m.lo; j-- {
		if infos[j].title {
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
