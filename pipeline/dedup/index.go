package dedup

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wiredesk/wiredesk/pipeline"
	"github.com/wiredesk/wiredesk/pipeline/lexicon"
)

// Decisions, as written to [pipeline.Evidence].Decision.
const (
	DecisionDuplicate = "duplicate"
	DecisionSameStory = "same_story"
	DecisionNewStory  = "new_story"
)

// Defaults, tuned on the development data (see the package documentation).
const (
	DefaultWindow             = 72 * time.Hour
	DefaultStoryThreshold     = 0.8266
	DefaultDuplicateThreshold = 0.45
	DefaultCandidatesPerKey   = 16
	DefaultMaxArticles        = 250_000
)

// Fixed parts of the duplicate rule (see [Index.duplicate]).
const (
	// minSentenceShare: a copy shares at least 2 of the 8 sampled
	// sentences; on the development data every wire copy does, and the
	// reports of other stories that share one share it through a teaser.
	minSentenceShare = 0.25
	// A rewrite sharing no sentence: close to the earlier article, mostly
	// covered by it, and no longer (it adds nothing). The seed rewrite (003
	// of 002) scores 0.72 and 0.84; without the length bar about 4% of the
	// independent ECB+ reports passed for rewrites, with it 2%. Nor does
	// its opening bring a figure the earlier article lacks (see
	// [Index.duplicate]).
	rewriteCosine  = 0.7
	rewriteCovered = 0.8
	rewriteLength  = 1.0
)

// Config configures an [Index]. The zero value means defaults.
type Config struct {
	// Window is how long an article stays a candidate after its ingest
	// time. Zero means DefaultWindow.
	Window time.Duration
	// StoryThreshold is the least story score (the probability, by the
	// story rule's model, that two reports are of one event; see the
	// package documentation) at which an article joins the story of its
	// best match. Zero means DefaultStoryThreshold, chosen on the
	// development data with the model's weights (tools/storyfit).
	StoryThreshold float64
	// DuplicateThreshold is the least similarity at which an article that
	// shares sentences with an earlier one (see the package documentation)
	// is its duplicate. Zero means DefaultDuplicateThreshold.
	DuplicateThreshold float64
	// MaxArticles bounds the window in articles, and so the index's
	// memory (about 0.5 KB per article, see BENCHMARKS.md): once it holds
	// that many, the oldest article leaves as each new one arrives, however
	// recent. Zero means DefaultMaxArticles.
	MaxArticles int
	// CandidatesPerKey bounds the candidate search: at most this many of
	// the newest articles are verified per blocking key. Zero means
	// DefaultCandidatesPerKey.
	CandidatesPerKey int
	// PhraseArticles is how many of the most recently recorded articles
	// keep their phrases and lead profile (about 800 bytes each) for the
	// story rule; an older candidate is judged on its support alone. Zero
	// means DefaultPhraseArticles.
	PhraseArticles int
	// Store keeps the per-article records; nil means a new in-memory store
	// private to the index.
	Store Store
	// Lexicon is the term-rarity table, updated with every article added;
	// nil means a new [lexicon.Default].
	Lexicon *lexicon.Table
	// Claims, if not nil, is where [Index.ClaimStage] claims each first
	// report, so that workers sharing it never both emit a first report for
	// near-identical articles; nil means no claims.
	Claims Claimer
}

// ErrInvalidConfig is returned, wrapped, by [Config.Validate].
var ErrInvalidConfig = errors.New("invalid dedup config")

func (c *Config) setDefaults() {
	if c.Window == 0 {
		c.Window = DefaultWindow
	}
	if c.StoryThreshold == 0 {
		c.StoryThreshold = DefaultStoryThreshold
	}
	if c.DuplicateThreshold == 0 {
		c.DuplicateThreshold = DefaultDuplicateThreshold
	}
	if c.CandidatesPerKey == 0 {
		c.CandidatesPerKey = DefaultCandidatesPerKey
	}
	if c.MaxArticles == 0 {
		c.MaxArticles = DefaultMaxArticles
	}
	if c.PhraseArticles == 0 {
		c.PhraseArticles = DefaultPhraseArticles
	}
}

// Validate reports an error wrapping [ErrInvalidConfig] for a negative
// window, candidate bound or article bound, or a threshold outside (0, 1].
// Zero fields are valid: they mean defaults.
func (c Config) Validate() error {
	c.setDefaults()
	switch {
	case c.Window < 0:
		return fmt.Errorf("window %v is negative: %w", c.Window, ErrInvalidConfig)
	case c.StoryThreshold < 0 || c.StoryThreshold > 1:
		return fmt.Errorf("story threshold %v is outside (0, 1]: %w", c.StoryThreshold, ErrInvalidConfig)
	case c.DuplicateThreshold < 0 || c.DuplicateThreshold > 1:
		return fmt.Errorf("duplicate threshold %v is outside (0, 1]: %w", c.DuplicateThreshold, ErrInvalidConfig)
	case c.CandidatesPerKey < 0:
		return fmt.Errorf("candidates per key %d is negative: %w", c.CandidatesPerKey, ErrInvalidConfig)
	case c.MaxArticles < 0:
		return fmt.Errorf("max articles %d is negative: %w", c.MaxArticles, ErrInvalidConfig)
	case c.PhraseArticles < 0:
		return fmt.Errorf("phrase articles %d is negative: %w", c.PhraseArticles, ErrInvalidConfig)
	}
	return nil
}

// Index decides, for each article in arrival order, its story and whether
// it duplicates an earlier article inside the window. It is safe for
// concurrent use; decisions are serialised.
type Index struct {
	cfg     Config
	metrics *metrics

	mu      sync.Mutex
	store   Store
	table   *lexicon.Table
	phrases *phraseRing
	// search is the scratch of candidate searches, and visit its
	// callback, [Index.measure], made once (see [Index.candidates]);
	// leave is [Index.leaves], made once for expiry: a method value
	// passed to the store is moved to the heap where it is made.
	search       *search
	visit, leave func(*Record)
	// leadSets hold a new article's vocabulary and lead while leads are
	// compared with it.
	leadSets *leadSets

	stories  map[string]int // live articles per story
	latest   time.Time      // newest ingest time seen
	recorded uint64         // articles recorded so far (Record.Seq)
	// pending holds the first reports recorded whose claims are not
	// settled yet (see [Index.ClaimStage]); each channel is closed once
	// they are.
	pending map[string]chan struct{}
}

// NewIndex returns an index configured by cfg, registering its metrics with
// reg (nil means no metrics). It returns an error wrapping
// [ErrInvalidConfig] for an invalid cfg, and the registerer's error if a
// metric is already registered.
func NewIndex(cfg Config, reg prometheus.Registerer) (*Index, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.setDefaults()
	m, err := newMetrics(reg)
	if err != nil {
		return nil, err
	}
	x := &Index{
		cfg: cfg, metrics: m, store: cfg.Store, table: cfg.Lexicon, phrases: newPhraseRing(cfg.PhraseArticles),
		search: new(search), leadSets: new(leadSets), stories: map[string]int{}, pending: map[string]chan struct{}{},
	}
	x.visit, x.leave = x.measure, x.leaves
	if x.store == nil {
		x.store = newMemStore()
	}
	if x.table == nil {
		x.table = lexicon.Default()
	}
	return x, nil
}

// Len returns the number of articles held in the window.
func (x *Index) Len() int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.store.Len()
}

// Holds reports whether the window holds an article.
func (x *Index) Holds(id string) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	_, ok := x.store.Get(id)
	return ok
}

// Stage returns the pipeline stage that decides each event and records it:
// it fills StoryID, DuplicateOf, Similarity and Evidence. The window is
// measured on e.IngestedAt (the current time when zero). An event whose ID
// was already recorded gets the decision it got the first time (story,
// duplicate, similarity, matched article); its evidence signals are
// recomputed against the matched article, so they may differ slightly as
// term rarity has moved on. The stage never fails. With [Config].Claims
// set, run [Index.ClaimStage] after it.
func (x *Index) Stage() pipeline.Stage {
	return func(_ context.Context, e *pipeline.Event) (*pipeline.Event, error) {
		at := e.IngestedAt
		if at.IsZero() {
			at = time.Now()
		}
		d := x.Add(e.ID, e.Title, e.Text, at)
		e.StoryID = d.StoryID
		e.DuplicateOf = nil
		if d.DuplicateOf != "" {
			dup := d.DuplicateOf
			e.DuplicateOf = &dup
		}
		e.Similarity = d.Similarity
		e.Evidence = d.Evidence
		return e, nil
	}
}

// Decision is the outcome for one article.
type Decision struct {
	// StoryID is the story the article belongs to.
	StoryID string
	// DuplicateOf is the id of the article this one duplicates, or "".
	DuplicateOf string
	// Similarity is the best-match score in [0, 1].
	Similarity float64
	// Evidence explains the decision; nil when nothing matched at all.
	Evidence *pipeline.Evidence
}

// Add decides the article and records it, atomically: see [Index.Stage].
func (x *Index) Add(id, title, text string, at time.Time) Decision {
	fp := extract(title, text, x.table)
	defer fp.release()

	x.mu.Lock()
	defer x.mu.Unlock()
	if at.Before(x.latest) {
		at = x.latest // the store keeps arrival order; a late clock is clamped
	}
	x.latest = at
	x.expire(at)
	if r, ok := x.store.Get(id); ok {
		return x.replay(r, fp)
	}
	d, rec := x.decide(id, fp, at)
	x.commit(rec, fp)
	if x.cfg.Claims != nil && !rec.Duplicate {
		x.pending[id] = make(chan struct{}) // closed by ClaimStage
	}
	return d
}

// Observe records an article decided elsewhere — by another worker, or by
// this process before a restart — as read back from the output stream, so
// that every worker's window holds what any of them saw. The decision is
// the event's own; nothing is decided or counted as a decision here. It is
// a no-op for an article already held, such as this worker's own output
// coming back.
func (x *Index) Observe(e *pipeline.Event) {
	at := e.IngestedAt
	if at.IsZero() {
		at = time.Now()
	}
	if x.Holds(e.ID) {
		return
	}
	fp := extract(e.Title, e.Text, x.table)
	defer fp.release()
	rec := Record{ID: e.ID, StoryID: e.StoryID, Similarity: float32(e.Similarity), Observed: true, Sig: fp.sig}
	if e.DuplicateOf != nil {
		rec.Duplicate, rec.Matched = true, *e.DuplicateOf
	} else if e.Evidence != nil {
		rec.Matched = e.Evidence.Matched
	}

	x.mu.Lock()
	defer x.mu.Unlock()
	if _, ok := x.store.Get(e.ID); ok {
		return
	}
	if at.Before(x.latest) {
		at = x.latest
	}
	x.latest = at
	x.expire(at)
	if at.Before(time.Now().Add(-x.cfg.Window)) {
		return // already outside the window
	}
	rec.At = at
	x.recorded++
	rec.Seq = x.recorded
	x.store.Put(rec, fp.block)
	x.phrases.put(rec.Seq, fp.phrases, fp.lead)
	x.table.ObserveHashes(fp.terms)
	x.stories[rec.StoryID]++
	x.metrics.articles.Set(float64(x.store.Len()))
}

// expire drops the records that left the window, by age or to make room
// for one more article, keeping story sizes those of the window.
func (x *Index) expire(at time.Time) {
	n := x.store.Expire(at.Add(-x.cfg.Window), x.cfg.MaxArticles-1, x.leave)
	if n > 0 {
		x.metrics.evictions.Add(float64(n))
		x.metrics.articles.Set(float64(x.store.Len()))
	}
}

// leaves keeps story sizes those of the window as r leaves it.
func (x *Index) leaves(r *Record) {
	if n := x.stories[r.StoryID] - 1; n > 0 {
		x.stories[r.StoryID] = n
	} else {
		delete(x.stories, r.StoryID)
	}
}

type match struct {
	rec *Record
	sig signals
}

// decide is the read-only half of Add: it finds the best earlier matches
// and returns the decision and the record that commit will store.
func (x *Index) decide(id string, fp *fingerprint, at time.Time) (Decision, Record) {
	var top [storyCandidates]match
	ntop, dup, copied := x.candidates(fp, &top)
	best := x.storyMatch(top[:ntop], fp)
	rec := Record{ID: id, At: at, Sig: fp.sig}
	var d Decision
	dup = x.confirm(fp, top[:ntop], dup, copied)
	x.leadSets.empty()
	var (
		m        *match // the match the evidence explains
		decision string
	)
	switch {
	case dup.rec != nil:
		rec.Duplicate = true
		d.DuplicateOf = dup.rec.ID
		d.StoryID = dup.rec.StoryID
		m, decision = &dup, DecisionDuplicate
	case best.rec != nil && x.links(&best.sig):
		d.StoryID = best.rec.StoryID
		m, decision = &best, DecisionSameStory
	case best.rec != nil:
		d.StoryID = "story-" + id
		m, decision = &best, DecisionNewStory
	default:
		d.StoryID = "story-" + id
	}
	rec.StoryID = d.StoryID
	if m != nil {
		// The search's key index still indexes fp's keys.
		d.Similarity = m.sig.cosine
		d.Evidence = evidence(decision, m, fp, x.search.keys.shared(&m.rec.Sig))
		rec.Matched = d.Evidence.Matched
	}
	// The record keeps the similarity as float32; round the decision
	// alike so that a redelivery reports the same value.
	rec.Similarity = float32(d.Similarity)
	d.Similarity = float64(rec.Similarity)
	return d, rec
}

// candidates finds the earlier articles fp is measured against: the
// best-supported, strongest first, into top (it returns how many), the
// most similar duplicate by the rule before leads are compared, and the
// most similar copy (a nil rec means none).
func (x *Index) candidates(fp *fingerprint, top *[storyCandidates]match) (ntop int, dup, copied match) {
	s := x.search
	s.keys.reset(&fp.sig)
	s.found, s.ntop, s.dup, s.copied = s.found[:0], 0, -1, -1
	x.store.Candidates(fp.block, x.cfg.CandidatesPerKey, x.visit)
	for i, f := range s.top[:s.ntop] {
		top[i] = s.found[f]
	}
	if s.dup >= 0 {
		dup = s.found[s.dup]
	}
	if s.copied >= 0 {
		copied = s.found[s.copied]
	}
	for i := range s.found {
		s.found[i].rec = nil // hold no record past the search
	}
	return s.ntop, dup, copied
}

// search is the state of a candidate search (see [Index.candidates]),
// kept in the index with its callback so that a search moves nothing to
// the heap: a closure over its state, and the matches it kept, were.
// Matches are measured in place, and only their places are moved about:
// a match is large.
type search struct {
	// keys index the new article's keys.
	keys keyIndex
	// found are the candidates measured, in the order visited.
	found []match
	// top holds the places in found of the ntop best-supported,
	// strongest first; dup and copied are those of the most similar
	// duplicate and copy, or -1.
	top         [storyCandidates]int
	ntop        int
	dup, copied int
}

// measure is the callback of a candidate search: it measures the
// candidate r against the new article and keeps its place among the
// best.
func (x *Index) measure(r *Record) {
	s := x.search
	i := len(s.found)
	s.found = append(s.found, match{rec: r})
	sig := &s.found[i].sig
	s.keys.measure(&r.Sig, sig)
	if s.ntop < storyCandidates || supported(&s.found[i], &s.found[s.top[storyCandidates-1]]) {
		s.ntop = insertBySupport(&s.top, s.ntop, s.found, i) // most candidates, once top is full, are not
	}
	if x.duplicate(sig) && (s.dup < 0 || closer(&s.found[i], &s.found[s.dup])) {
		s.dup = i
	}
	if x.copied(sig) && (s.copied < 0 || closer(&s.found[i], &s.found[s.copied])) {
		s.copied = i
	}
}

// closer tells whether match a is more similar than b, or as similar and
// recorded earlier: the search visits candidates in no particular order.
func closer(a, b *match) bool {
	return a.sig.cosine > b.sig.cosine || a.sig.cosine == b.sig.cosine && a.rec.Seq < b.rec.Seq
}

// confirm returns the duplicate of the decision: dup once its phrases and
// lead are compared, if it still passes [Index.duplicate] (a rewrite may
// bring a new figure), or else copied, the most similar copy, which the
// lead does not change. A nil rec means none. top are the matches the
// story rule compared.
func (x *Index) confirm(fp *fingerprint, top []match, dup, copied match) match {
	for _, m := range [...]match{dup, copied} {
		if m.rec == nil {
			continue
		}
		if m = x.compareAlone(m, top, fp); x.duplicate(&m.sig) {
			return m
		}
	}
	return match{}
}

// compareAlone returns m with its phrases and lead compared, as
// [Index.addPhrases] compares a match alone. The story rule has mostly
// compared the lead of the same record already (top are its matches):
// that comparison is taken over, and only the story score, which depends
// on the other candidates, is computed again.
func (x *Index) compareAlone(m match, top []match, fp *fingerprint) match {
	for i := range top {
		if top[i].rec == m.rec && top[i].sig.story > 0 { // its lead was compared
			m.sig = top[i].sig
			m.sig.story = storyScore(&m.sig, m.sig.base)
			return m
		}
	}
	one := [1]match{m}
	x.addPhrases(one[:], fp)
	return one[0]
}

// Candidate is an earlier article that the story rule weighs for a new
// one (see [Index.Explain]).
type Candidate struct {
	ID      string `json:"id"`
	StoryID string `json:"story_id"`
	// Signals are measured as for [pipeline.Evidence].Signals.
	Signals map[string]float64 `json:"signals"`
	// Held tells whether the index still held the candidate's phrases
	// and lead (see [Config].PhraseArticles); if not, the story rule
	// judged it on its support alone.
	Held bool `json:"held"`
}

// Explain returns the earlier articles that [Index.Add] would weigh for the
// story of an article, best-supported first, with the signals it would
// measure (not rounded, unlike evidence), without deciding or recording
// the article (nor expiring what left the window). It is for tools that
// audit or refit the story rule, such as tools/storyfit.
func (x *Index) Explain(title, text string) []Candidate {
	fp := extract(title, text, x.table)
	defer fp.release()
	x.mu.Lock()
	defer x.mu.Unlock()
	var top [storyCandidates]match
	ntop, _, _ := x.candidates(fp, &top)
	x.storyMatch(top[:ntop], fp)
	x.leadSets.empty()
	out := make([]Candidate, ntop)
	for i := range top[:ntop] {
		m := &top[i]
		out[i] = Candidate{ID: m.rec.ID, StoryID: m.rec.StoryID, Signals: signalMap(&m.sig, exact), Held: m.sig.compared}
	}
	return out
}

// insertBySupport inserts place i of found into top, the places of the n
// best-supported matches of found, strongest first, after those it ties
// with that were recorded earlier, and returns their new number.
func insertBySupport(top *[storyCandidates]int, n int, found []match, i int) int {
	m, at := &found[i], n
	for at > 0 && supported(m, &found[top[at-1]]) {
		at--
	}
	if at == storyCandidates {
		return n
	}
	n = min(n+1, storyCandidates)
	copy(top[at+1:n], top[at:n-1])
	top[at] = i
	return n
}

// supported tells whether match a is better supported than b, or as
// well and recorded earlier: the search visits candidates in no
// particular order.
func supported(a, b *match) bool {
	return a.sig.support > b.sig.support || a.sig.support == b.sig.support && a.rec.Seq < b.rec.Seq
}

// storyMatch returns the match of top that the story rule prefers, after
// comparing the phrases and leads of those the index still holds: one
// that links before one that does not, then one compared before one
// judged on its support alone, then the better score, then the earlier.
// It returns a nil rec when top is empty.
func (x *Index) storyMatch(top []match, fp *fingerprint) match {
	var best match
	x.addPhrases(top, fp)
	for _, m := range top {
		if best.rec == nil || x.prefer(&m.sig, &best.sig) {
			best = m
		}
	}
	return best
}

// prefer tells whether the story rule prefers a match with signals a to
// one with signals b.
func (x *Index) prefer(a, b *signals) bool {
	if la, lb := x.links(a), x.links(b); la != lb {
		return la
	}
	if a.compared != b.compared {
		return a.compared
	}
	if a.compared {
		return a.story > b.story
	}
	return a.base > b.base
}

// links tells whether a match with signals s joins its story: by its story
// score, or, for a candidate whose phrases and lead the index no longer
// holds, by its support.
func (x *Index) links(s *signals) bool {
	if s.compared {
		return s.story >= x.cfg.StoryThreshold
	}
	return s.base >= supportThreshold
}

// addPhrases compares the phrases and leads of matches whose phrases the
// index still holds, and sets their story scores. There are at most
// storyCandidates matches. It leaves fp's vocabulary and lead in the lead
// sets, for the other comparisons of the decision: empty them before fp
// is released.
func (x *Index) addPhrases(ms []match, fp *fingerprint) {
	// The phrases of all matches are looked up, and their first cache
	// lines read, before any is compared: in a large index each is a
	// cache miss, and misses are taken together where they are independent.
	var (
		phrases [storyCandidates][]uint16
		leads   [storyCandidates]*leadProfile
		held    [storyCandidates]bool
		sum     uint16
	)
	for i := range ms {
		phrases[i], leads[i], held[i] = x.phrases.get(ms[i].rec.Seq)
		if len(phrases[i]) > 0 {
			sum += phrases[i][0]
		}
	}
	x.phrases.touched = sum
	// Phrases are measured against the fingerprint's own set, which the
	// extraction built. Leads are compared for the leadCandidates best by
	// base score; the others are compared but cannot link.
	var lead [leadCandidates]int
	nlead, bestBase := 0, 0.0
	for i := range ms {
		m := &ms[i]
		if !held[i] {
			bestBase = max(bestBase, m.sig.base)
			continue
		}
		m.sig.phrases = fp.sc.seen.jaccard(len(fp.phrases), phrases[i])
		m.sig.base = m.sig.support + phraseWeight*m.sig.phrases
		m.sig.compared = true
		at := nlead
		for at > 0 && ms[lead[at-1]].sig.base < m.sig.base {
			at--
		}
		if at < leadCandidates {
			nlead = min(nlead+1, leadCandidates)
			copy(lead[at+1:nlead], lead[at:nlead-1])
			lead[at] = i
		}
		bestBase = max(bestBase, m.sig.base)
	}
	if nlead == 0 {
		return
	}
	x.leadSets.fill(fp.terms, &fp.sc.lead)
	for _, i := range lead[:nlead] {
		m := &ms[i]
		m.sig.lead = fp.sc.lead.compare(leads[i], x.leadSets)
		m.sig.story = storyScore(&m.sig, bestBase)
	}
}

// duplicate tells whether signals show a near-identical report: a copy
// (similar, and sharing a good part of the earlier article's sampled
// sentences: wire copies keep most sentences verbatim even when some are
// dropped or reworded) or a rewrite (very similar, adding little the
// earlier article lacks, and no longer than it, with no sentence in
// common).
//
// A rewrite must also add no number to the facts: once the two leads are
// compared (s.compared), the opening of a rewrite holds no number (years
// aside) that the earlier article lacks. Reports that share their names
// and wording but not their figures are new reports: the next round's
// results under the same headline, a revised death toll. Before the leads
// are compared, the candidate search takes the rule without it; the
// decision applies it to the duplicate found.
//
// Nor, once compared, does a duplicate repeat a sentence of the earlier
// article with other figures: an update of a wire story (a revised toll,
// the same results line with another score) is a new version of the
// story, however much of the text it keeps.
func (x *Index) duplicate(s *signals) bool {
	rewrite := s.cosine >= rewriteCosine && s.covered >= rewriteCovered && s.lengthRatio <= rewriteLength &&
		(!s.compared || s.lead.newNumbers == 0)
	return (x.copied(s) || rewrite) && (!s.compared || s.lead.revised == 0)
}

// copied tells whether signals show a copy (see [Index.duplicate]).
func (x *Index) copied(s *signals) bool {
	return s.cosine >= x.cfg.DuplicateThreshold && s.sentenceShare >= minSentenceShare
}

// commit is the recording half of Add.
func (x *Index) commit(rec Record, fp *fingerprint) {
	x.recorded++
	rec.Seq = x.recorded
	x.store.Put(rec, fp.block)
	x.phrases.put(rec.Seq, fp.phrases, fp.lead)
	x.table.ObserveHashes(fp.terms)
	x.stories[rec.StoryID]++
	decided := x.metrics.newStories
	switch {
	case rec.Duplicate:
		decided = x.metrics.duplicates
	case rec.Matched != "" && rec.StoryID != "story-"+rec.ID:
		decided = x.metrics.sameStories
	}
	decided.Inc()
	x.metrics.similarity.Observe(float64(rec.Similarity))
	x.metrics.storySize.Observe(float64(x.stories[rec.StoryID]))
	x.metrics.articles.Set(float64(x.store.Len()))
}

// replay rebuilds the decision recorded for r, so that a redelivered
// article is not taken for a duplicate of itself.
func (x *Index) replay(r Record, fp *fingerprint) Decision {
	d := Decision{StoryID: r.StoryID, Similarity: float64(r.Similarity)}
	if r.Matched == "" {
		return d
	}
	decision := DecisionNewStory
	switch {
	case r.Duplicate:
		decision = DecisionDuplicate
		d.DuplicateOf = r.Matched
	case r.StoryID != "story-"+r.ID:
		decision = DecisionSameStory
	}
	m := &match{rec: &Record{ID: r.Matched}}
	if old, ok := x.store.Get(r.Matched); ok {
		ms := []match{{rec: &old, sig: compare(&fp.sig, &old.Sig)}}
		x.addPhrases(ms, fp)
		x.leadSets.empty()
		m = &ms[0]
	}
	d.Evidence = evidence(decision, m, fp, sharedKeys(&fp.sig, &m.rec.Sig))
	return d
}

// evidence explains a match with its signals and the strongest shared
// features of each kind, shared being the places of the keys of fp that
// the match holds too (see [sharedKeys]).
func evidence(decision string, m *match, fp *fingerprint, shared uint32) *pipeline.Evidence {
	ev := &pipeline.Evidence{
		Matched:         m.rec.ID,
		Decision:        decision,
		Signals:         signalMap(&m.sig, round),
		SharedSentences: m.sig.sentences,
	}
	ev.SharedNames, ev.SharedNumbers, ev.SharedTerms = sharedTexts(shared, fp)
	return ev
}

// signalMap returns signals by name, as evidence shows them, each passed
// through r (evidence rounds them). The lead signals are there only for a
// match whose lead was compared.
func signalMap(s *signals, r func(float64) float64) map[string]float64 {
	n := 9
	if s.story > 0 {
		n += 7
	}
	m := make(map[string]float64, n) // sized once: growing a map allocates again
	m["cosine"] = r(s.cosine)
	m["support"] = r(s.support)
	m["phrases"] = r(s.phrases)
	m["base_score"] = r(s.base)
	m["story_score"] = r(s.story)
	m["covered"] = r(s.covered)
	m["covering"] = r(s.covering)
	m["sentence_share"] = r(s.sentenceShare)
	m["length_ratio"] = r(s.lengthRatio)
	if s.story > 0 {
		m["lead_shared"] = r(s.lead.shared)
		m["lead_found"] = r(s.lead.found)
		m["new_names"] = float64(s.lead.newNames)
		m["old_names"] = float64(s.lead.oldNames)
		m["new_numbers"] = float64(s.lead.newNumbers)
		m["old_numbers"] = float64(s.lead.oldNumbers)
		m["revised_sentences"] = float64(s.lead.revised)
	}
	return m
}

// sharedTexts returns the texts of the top features of fp whose keys'
// places are the bits of shared, strongest first, by kind: names, numbers
// and other terms (nil for a kind with none). The texts are cut from one
// string and the three lists from one array, which spares the allocations
// of a string and of list growth per feature, most of those of a decision.
func sharedTexts(shared uint32, fp *fingerprint) (names, numbers, terms []string) {
	var (
		texts          [SignatureTerms]*feat
		ends           [SignatureTerms]int
		n, nNames, nNo int
		buf            = make([]byte, 0, 512) // the texts of a long report's top features fit
	)
	for i := range fp.top { // strongest first
		f := &fp.top[i]
		if shared&(1<<fp.place[i]) == 0 {
			continue
		}
		texts[n] = f
		buf = fp.appendText(buf, f)
		ends[n] = len(buf)
		n++
		nNames += b2i(f.kind == kindName)
		nNo += b2i(f.kind == kindNumber)
	}
	if n == 0 {
		return nil, nil, nil
	}
	text := string(buf)
	lists := make([]string, n)
	next := [...]int{0, nNames, nNames + nNo} // the next place of each kind
	for i, f := range texts[:n] {
		start := 0
		if i > 0 {
			start = ends[i-1]
		}
		k := 2
		switch f.kind {
		case kindName:
			k = 0
		case kindNumber:
			k = 1
		}
		lists[next[k]] = text[start:ends[i]]
		next[k]++
	}
	return nonEmpty(lists[:nNames:nNames]), nonEmpty(lists[nNames : nNames+nNo : nNames+nNo]), nonEmpty(lists[nNames+nNo:])
}

// sharedKeys returns the places of the keys of a that b holds too, as the
// bits of a mask: one merge of the two sorted key lists costs less than a
// search of b for each key.
func sharedKeys(a, b *Signature) uint32 {
	ka, kb := a.Keys[:min(int(a.N), len(a.Keys))], b.Keys[:min(int(b.N), len(b.Keys))]
	var shared uint32
	for i, j := 0, 0; i < len(ka) && j < len(kb); {
		x, y := ka[i], kb[j]
		shared |= uint32(b2i(x == y)) << i
		i += b2i(x <= y) // a repeated key of a meets the same key of b
		j += b2i(x > y)
	}
	return shared
}

// nonEmpty returns list, or nil if it is empty.
func nonEmpty(list []string) []string {
	if len(list) == 0 {
		return nil
	}
	return list
}

func exact(v float64) float64 { return v }

func round(v float64) float64 { return float64(int(v*1000+0.5)) / 1000 }
