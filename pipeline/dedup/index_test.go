package dedup

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/wiredesk/wiredesk/pipeline"
)

// Three short reports: a storm, a wire copy of it with furniture and a
// teaser, and an unrelated one.
const (
	storm = `Storm Arwen knocked out power to 120,000 homes across Northumberland on Friday, the utility Northern Powergrid said.
Engineers restored supply to 80,000 homes by the evening, but crews warned that rural villages around Alnwick could wait until Monday.
The Met Office issued an amber wind warning for the coast, with gusts of 98 mph recorded at Brizlee Wood.
Schools in Berwick and Morpeth will stay closed, the county council said.`
	stormCopy = `Home | News | Weather
Storm Arwen knocked out power to 120,000 homes across Northumberland on Friday, the utility Northern Powergrid said.
The Met Office issued an amber wind warning for the coast, with gusts of 98 mph recorded at Brizlee Wood.
Engineers restored supply to 80,000 homes by the evening, but crews warned that rural villages around Alnwick could wait until Monday.
Schools in Berwick and Morpeth will stay closed, the county council said.
Sign up to our newsletter.
Read more: Lottery winner from Leeds plans to buy a football club and a castle.`
	chess = `Magnus Carlsen won the Tata Steel Masters in Wijk aan Zee on Sunday after beating Anish Giri in the final round.
Carlsen finished with 9.5 points from 13 games, a point ahead of Ding Liren, the organisers said.`
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newTestIndex(t *testing.T, cfg Config, reg prometheus.Registerer) *Index {
	t.Helper()
	x, err := NewIndex(cfg, reg)
	if err != nil {
		t.Fatalf("NewIndex: %v", err)
	}
	return x
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{name: "zero value", cfg: Config{}, ok: true},
		{name: "explicit", cfg: Config{Window: time.Hour, StoryThreshold: 0.4, DuplicateThreshold: 0.5, CandidatesPerKey: 4}, ok: true},
		{name: "negative window", cfg: Config{Window: -time.Second}},
		{name: "story threshold above 1", cfg: Config{StoryThreshold: 1.5}},
		{name: "negative duplicate threshold", cfg: Config{DuplicateThreshold: -0.1}},
		{name: "negative candidates", cfg: Config{CandidatesPerKey: -1}},
		{name: "negative max articles", cfg: Config{MaxArticles: -1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if tc.ok != (err == nil) {
				t.Fatalf("Validate() = %v, want ok %v", err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrInvalidConfig) {
				t.Errorf("Validate() = %v, want it to wrap ErrInvalidConfig", err)
			}
			if _, err := NewIndex(tc.cfg, nil); tc.ok != (err == nil) {
				t.Errorf("NewIndex() error = %v, want ok %v", err, tc.ok)
			}
		})
	}
}

func TestFeatures(t *testing.T) {
	x := newTestIndex(t, Config{}, nil)
	fp := extract("", "North Korean leader Kim Jong-un met Vladimir Putin's aides on Sept. 13, paying 2,290 roubles.", x.table)
	got := map[byte][]string{}
	for i := range fp.top {
		got[fp.top[i].kind] = append(got[fp.top[i].kind], string(fp.appendText(nil, &fp.top[i])))
	}
	want := map[byte][]string{
		kindName:   {"kim jong un", "north korean", "vladimir putin"},
		kindNumber: {"13", "2290"},
	}
	for kind, names := range want {
		for _, n := range names {
			if !strings.Contains(strings.Join(got[kind], "|"), n) {
				t.Errorf("features of kind %q = %q, want %q among them", kind, got[kind], n)
			}
		}
	}
	for _, term := range []string{"putin", "jong", "roubles"} {
		if !strings.Contains(strings.Join(got[kindTerm], "|"), term) {
			t.Errorf("terms = %q, want %q among them", got[kindTerm], term)
		}
	}
	if len(fp.block) != blockingKeys {
		t.Errorf("blocking keys = %d, want %d", len(fp.block), blockingKeys)
	}
}

// TestExtractScratch checks that the buffers extract reuses carry nothing
// from one article to the next: each seed fingerprints alike after the
// others, in a fingerprint released and reused, and its distinct feature
// texts are distinct, as the rarity table update assumes (a number inside
// a hyphenated word, as in "Su-57", must not count twice).
func TestExtractScratch(t *testing.T) {
	x := newTestIndex(t, Config{}, nil)
	arts := append(seeds(t), labelled{ID: "hyphen", Text: "The Su-57 jet, 57 of them."})
	first := make([]*fingerprint, len(arts))
	for i, a := range arts {
		first[i] = extract(a.Title, a.Text, x.table)
	}
	for i := len(arts) - 1; i >= 0; i-- {
		t.Run(arts[i].ID, func(t *testing.T) {
			again := extract(arts[i].Title, arts[i].Text, x.table)
			if diff := cmp.Diff(first[i].sig, again.sig); diff != "" {
				t.Errorf("signature after other articles (-first +again):\n%s", diff)
			}
			seen := map[uint64]bool{}
			for _, term := range again.terms {
				if seen[term] {
					t.Errorf("term %#x listed twice", term)
				}
				seen[term] = true
			}
			again.release()
		})
	}
}

// TestSharedTexts checks the evidence lists cut from one array: each kind
// gets its own features, strongest first, none where it has none, and
// appending to one list leaves the others as they are.
func TestSharedTexts(t *testing.T) {
	x := newTestIndex(t, Config{}, nil)
	const text = "North Korean leader Kim Jong-un met Vladimir Putin's aides on Sept. 13, paying 2,290 roubles."
	fp := extract("", text, x.table)
	rec := &Record{Sig: fp.sig}
	names, numbers, terms := sharedTexts(sharedKeys(&fp.sig, &rec.Sig), fp)
	var want [3][]string
	for i := range fp.top {
		k := map[byte]int{kindName: 0, kindNumber: 1, kindTerm: 2}[fp.top[i].kind]
		want[k] = append(want[k], string(fp.appendText(nil, &fp.top[i])))
	}
	if diff := cmp.Diff(want, [3][]string{names, numbers, terms}); diff != "" {
		t.Errorf("sharedTexts (-want +got):\n%s", diff)
	}
	_ = append(names, "appended")
	if diff := cmp.Diff(want[1], numbers); diff != "" {
		t.Errorf("numbers after appending to the names (-want +got):\n%s", diff)
	}

	other := extract("", "Roubles.", x.table)
	names, numbers, terms = sharedTexts(sharedKeys(&fp.sig, &other.sig), fp)
	if names != nil || numbers != nil || len(terms) != 1 || terms[0] != "roubles" {
		t.Errorf("sharedTexts with one shared term = %q, %q, %q, want nil, nil, [roubles]", names, numbers, terms)
	}
}

func TestSignals(t *testing.T) {
	x := newTestIndex(t, Config{}, nil)
	sig := func(text string) *Signature { return &extract("", text, x.table).sig }
	tests := []struct {
		name     string
		a, b     string
		min, max signals // bounds on cosine, covered and sentenceShare
	}{
		{
			name: "identical",
			a:    storm, b: storm,
			min: signals{cosine: 0.999, covered: 0.999, sentenceShare: 1},
			max: signals{cosine: 1, covered: 1, sentenceShare: 1},
		},
		{
			name: "copy with furniture and teaser",
			a:    stormCopy, b: storm,
			min: signals{cosine: 0.8, covered: 0.7, sentenceShare: 0.75},
			max: signals{cosine: 1, covered: 1, sentenceShare: 1},
		},
		{
			name: "unrelated",
			a:    chess, b: storm,
			min: signals{},
			max: signals{cosine: 0.1, covered: 0.1, sentenceShare: 0},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := compare(sig(tc.a), sig(tc.b))
			check := func(name string, got, lo, hi float64) {
				if got < lo || got > hi {
					t.Errorf("%s = %.3f, want in [%.3f, %.3f]", name, got, lo, hi)
				}
			}
			check("cosine", s.cosine, tc.min.cosine, tc.max.cosine)
			check("covered", s.covered, tc.min.covered, tc.max.covered)
			check("sentence share", s.sentenceShare, tc.min.sentenceShare, tc.max.sentenceShare)
		})
	}
}

// TestDuplicateRule checks the two ways to a duplicate: a copy, which
// shares sentences, and a rewrite, which shares none but is close to the
// earlier article, covered by it, no longer, and, once the leads are
// compared, brings no number the earlier article lacks.
func TestDuplicateRule(t *testing.T) {
	x := newTestIndex(t, Config{}, nil)
	rewrite := signals{cosine: 0.8, covered: 0.85, lengthRatio: 0.7}
	copied := signals{cosine: 0.5, sentenceShare: 0.25}
	withLead := func(s signals, newNumbers, revised int) signals {
		s.compared, s.lead.newNumbers, s.lead.revised = true, newNumbers, revised
		return s
	}
	for _, tc := range []struct {
		name string
		s    signals
		want bool
	}{
		{"copy", copied, true},
		{"copy, leads compared", withLead(copied, 0, 0), true},
		{"copy with new figures (a teaser's)", withLead(copied, 3, 0), true},
		{"copy repeating a sentence with other figures", withLead(copied, 1, 1), false},
		{"too few sentences", signals{cosine: 0.5, sentenceShare: 0.125}, false},
		{"rewrite, leads not compared yet", rewrite, true},
		{"rewrite", withLead(rewrite, 0, 0), true},
		{"rewrite with a new figure", withLead(rewrite, 1, 0), false},
		{"rewrite repeating a sentence with other figures", withLead(rewrite, 0, 1), false},
		{"longer than the earlier article", signals{cosine: 0.8, covered: 0.85, lengthRatio: 1.2}, false},
		{"not covered", signals{cosine: 0.8, covered: 0.7, lengthRatio: 0.7}, false},
	} {
		if got := x.duplicate(&tc.s); got != tc.want {
			t.Errorf("%s: duplicate(%+v) = %v, want %v", tc.name, tc.s, got, tc.want)
		}
	}
}

// TestConfirmFallsBackToCopy checks the duplicate a decision keeps: the
// most similar candidate if it still passes the rule once its lead is
// compared, and otherwise the most similar copy, which the lead does not
// change.
func TestConfirmFallsBackToCopy(t *testing.T) {
	x := newTestIndex(t, Config{}, nil)
	x.Add("original", "", storm, t0)
	x.Add("rewrite", "", `Northern Powergrid said Storm Arwen cut power to homes across Northumberland on Friday.
Crews said villages around Alnwick could wait until Monday for supply.`, t0.Add(time.Minute))
	get := func(id string) *Record {
		r, ok := x.store.Get(id)
		if !ok {
			t.Fatalf("%s is not held", id)
		}
		return &r
	}
	// Signals as the candidate search measured them: the rewrite closer
	// than the copy.
	rewrite := match{rec: get("rewrite"), sig: signals{cosine: 0.8, covered: 0.85, lengthRatio: 0.7}}
	copied := match{rec: get("original"), sig: signals{cosine: 0.6, sentenceShare: 0.5}}
	for _, tc := range []struct {
		name, text, want string
	}{
		{"no new figure", "Storm Arwen cut power to homes across Northumberland on Friday, Northern Powergrid said.", "rewrite"},
		{"a new figure", "Storm Arwen cut power to 120,000 homes across Northumberland on Friday, Northern Powergrid said.", "original"},
	} {
		fp := extract("", tc.text, x.table)
		got := x.confirm(fp, nil, rewrite, copied)
		x.leadSets.empty()
		fp.release()
		if got.rec == nil {
			t.Errorf("%s: confirmed none, want %s", tc.name, tc.want)
		} else if got.rec.ID != tc.want {
			t.Errorf("%s: confirmed %s, want %s", tc.name, got.rec.ID, tc.want)
		}
	}
	fp := extract("", "Storm Arwen cut power to 120,000 homes across Northumberland on Friday.", x.table)
	defer fp.release()
	defer x.leadSets.empty()
	if got := x.confirm(fp, nil, rewrite, match{}); got.rec != nil {
		t.Errorf("a rewrite with a new figure and no copy: confirmed %s, want none", got.rec.ID)
	}
}

// TestCompareAlone checks that a match compared alone gets the signals it
// gets from a comparison of its own whether or not the story rule's
// comparison of its lead is taken over.
func TestCompareAlone(t *testing.T) {
	x := newTestIndex(t, Config{}, nil)
	x.Add("storm", "", storm, t0)
	x.Add("chess", "", chess, t0.Add(time.Minute))
	x.Add("revised", "", strings.Replace(storm, "120,000", "150,000", 1), t0.Add(2*time.Minute))
	fp := extract("", stormCopy, x.table)
	defer fp.release()
	defer x.leadSets.empty()
	var top [storyCandidates]match
	ntop, _, _ := x.candidates(fp, &top)
	found := top // as the search found them, before the story rule
	x.storyMatch(top[:ntop], fp)
	if ntop < 2 {
		t.Fatalf("%d candidates, want the storm and its revision", ntop)
	}
	for _, m := range found[:ntop] {
		got, want := x.compareAlone(m, top[:ntop], fp), x.compareAlone(m, nil, fp)
		if got != want || !got.sig.compared || got.sig.story == 0 {
			t.Errorf("%s: compared alone after the story rule %+v, want %+v, compared", m.rec.ID, got.sig, want.sig)
		}
	}
}

// reversedStore visits candidates in the reverse of the order in which
// the store it wraps visits them.
type reversedStore struct{ Store }

func (s reversedStore) Candidates(keys []uint32, perKey int, fn func(*Record)) {
	var rs []*Record
	s.Store.Candidates(keys, perKey, func(r *Record) { rs = append(rs, r) })
	for i := len(rs) - 1; i >= 0; i-- {
		fn(rs[i])
	}
}

// TestCandidateOrder checks that decisions do not depend on the order in
// which the store visits candidates: of two earlier articles alike (the
// same signature recorded twice), the earlier recorded is matched either
// way.
func TestCandidateOrder(t *testing.T) {
	for _, store := range []Store{newMemStore(), reversedStore{newMemStore()}} {
		x := newTestIndex(t, Config{Store: store}, nil)
		fp := extract("", storm, x.table)
		for _, id := range []string{"storm-1", "storm-2"} {
			x.recorded++
			x.store.Put(Record{ID: id, StoryID: "story-" + id, At: t0, Seq: x.recorded, Sig: fp.sig}, fp.block)
			x.phrases.put(x.recorded, fp.phrases, fp.lead)
		}
		fp.release()
		for _, a := range []struct{ id, text, want string }{
			{"copy", stormCopy, "storm-1"}, {"rewrite", "Storm Arwen knocked out power to 120,000 homes across Northumberland on Friday.", "storm-1"},
		} {
			d := x.Add(a.id, "", a.text, t0.Add(time.Minute))
			if d.Evidence == nil || d.Evidence.Matched != a.want || d.StoryID != "story-"+a.want {
				t.Errorf("%T: %s matched %+v in %s, want %s, the earlier of two alike", store, a.id, d.Evidence, d.StoryID, a.want)
			}
		}
	}
}

// TestCopyFigures checks that a copy repeating a sentence with other
// figures (an update of a wire story) is a new version of the story, not
// a duplicate, while one followed by a teaser with figures of its own is
// still a copy.
func TestCopyFigures(t *testing.T) {
	revised := strings.Replace(storm, "120,000", "150,000", 1)
	teaser := stormCopy + "\nMost read: 40,000 fans saw Leeds beat Hull in the 2027 final."
	for _, tc := range []struct {
		name, text string
		dup        bool
		revised    float64
	}{
		{"revised figures", revised, false, 1},
		{"a teaser with figures", teaser, true, 0},
	} {
		x := newTestIndex(t, Config{}, nil)
		x.Add("storm", "", storm, t0)
		d := x.Add("later", "", tc.text, t0.Add(time.Minute))
		if got := d.DuplicateOf == "storm"; got != tc.dup || d.StoryID != "story-storm" {
			t.Errorf("%s: duplicate_of %q in %s, want duplicate %v in story-storm", tc.name, d.DuplicateOf, d.StoryID, tc.dup)
		}
		if d.Evidence == nil || d.Evidence.Signals["sentence_share"] < minSentenceShare || d.Evidence.Signals["revised_sentences"] != tc.revised {
			t.Errorf("%s: evidence %+v, want the sentences of a copy, %v revised", tc.name, d.Evidence, tc.revised)
		}
	}
}

// TestSupport checks that one shared feature, however heavy, adds at most
// supportCap to the support, while features shared evenly add their full
// part: two reports of different events dominated by one name score a
// high cosine and a low support.
func TestSupport(t *testing.T) {
	signature := func(weights map[uint32]float64) *Signature {
		var s Signature
		keys := slices.Sorted(maps.Keys(weights))
		for i, k := range keys {
			s.Keys[i], s.Weights[i] = k, uint16(math.Round(weights[k]*math.MaxUint16))
		}
		s.N = uint8(len(keys))
		return &s
	}
	// One dominant shared feature (key 1); the rest differ.
	a := signature(map[uint32]float64{1: 0.8, 2: 0.6})
	b := signature(map[uint32]float64{1: 0.8, 3: 0.6})
	if s := compare(a, b); s.cosine < 0.63 || s.support > supportCap+1e-9 {
		t.Errorf("one shared feature: cosine %.3f, support %.3f, want cosine >= 0.63 and support <= %v", s.cosine, s.support, supportCap)
	}
	// Sixteen features shared evenly: each adds 1/16, under the cap.
	even := map[uint32]float64{}
	for k := range uint32(16) {
		even[k] = 0.25
	}
	c := signature(even)
	if s := compare(c, c); math.Abs(s.support-s.cosine) > 1e-3 || s.cosine < 0.99 {
		t.Errorf("even features: cosine %.3f, support %.3f, want both near 1", s.cosine, s.support)
	}
}

func TestDecisions(t *testing.T) {
	x := newTestIndex(t, Config{}, nil)
	first := x.Add("storm", "", storm, t0)
	cp := x.Add("storm-copy", "", stormCopy, t0.Add(time.Minute))
	other := x.Add("chess", "", chess, t0.Add(2*time.Minute))

	if first.StoryID != "story-storm" || first.DuplicateOf != "" || first.Evidence != nil {
		t.Errorf("first report = %+v, want a new story with no evidence", first)
	}
	if cp.DuplicateOf != "storm" || cp.StoryID != "story-storm" {
		t.Errorf("copy = %+v, want duplicate of storm in story-storm", cp)
	}
	if cp.Evidence == nil || cp.Evidence.Decision != DecisionDuplicate || cp.Evidence.Matched != "storm" {
		t.Fatalf("copy evidence = %+v, want duplicate of storm", cp.Evidence)
	}
	for _, name := range []string{"northern powergrid", "brizlee wood"} {
		if !strings.Contains(strings.Join(cp.Evidence.SharedNames, "|"), name) {
			t.Errorf("shared names = %q, want %q among them", cp.Evidence.SharedNames, name)
		}
	}
	if cp.Evidence.SharedSentences == 0 || len(cp.Evidence.SharedNumbers) == 0 {
		t.Errorf("copy evidence = %+v, want shared sentences and numbers", cp.Evidence)
	}
	if other.StoryID != "story-chess" || other.DuplicateOf != "" {
		t.Errorf("unrelated = %+v, want a new story", other)
	}
}

func TestRedelivery(t *testing.T) {
	x := newTestIndex(t, Config{}, nil)
	first := x.Add("storm", "", storm, t0)
	cp := x.Add("storm-copy", "", stormCopy, t0.Add(time.Minute))
	for _, tc := range []struct {
		name, id, text string
		want           Decision
	}{
		{name: "first report", id: "storm", text: storm, want: first},
		{name: "copy", id: "storm-copy", text: stormCopy, want: cp},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := x.Add(tc.id, "", tc.text, t0.Add(time.Hour))
			// Signals are recomputed on redelivery; the decision is not.
			if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(pipeline.Evidence{}, "Signals", "SharedNames", "SharedNumbers", "SharedTerms", "SharedSentences")); diff != "" {
				t.Errorf("redelivered decision differs (-want +got):\n%s", diff)
			}
		})
	}
	if x.Len() != 2 {
		t.Errorf("Len() = %d after redeliveries, want 2", x.Len())
	}
}

func TestWindow(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	x := newTestIndex(t, Config{Window: time.Hour}, reg)
	x.Add("storm", "", storm, t0)
	late := x.Add("storm-copy", "", stormCopy, t0.Add(2*time.Hour))
	if late.DuplicateOf != "" || late.StoryID != "story-storm-copy" {
		t.Errorf("copy after the window = %+v, want a new story", late)
	}
	if got := testutil.ToFloat64(x.metrics.evictions); got != 1 {
		t.Errorf("evictions = %v, want 1", got)
	}
	if x.Len() != 1 {
		t.Errorf("Len() = %d, want 1", x.Len())
	}
}

// TestMaxArticles checks that a window bounded in articles lets the
// oldest go, however recent, and that what left is no longer matched.
func TestMaxArticles(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	x := newTestIndex(t, Config{MaxArticles: 2}, reg)
	x.Add("storm", "", storm, t0)
	x.Add("other-1", "", "The city council approved a new budget for public libraries on Tuesday.", t0.Add(time.Minute))
	x.Add("other-2", "", "A rare comet will be visible from the southern hemisphere next week, astronomers said.", t0.Add(2*time.Minute))
	if x.Len() != 2 {
		t.Errorf("Len() = %d, want 2", x.Len())
	}
	if x.Holds("storm") || !x.Holds("other-2") {
		t.Errorf("Holds(storm), Holds(other-2) = %v, %v, want false, true", x.Holds("storm"), x.Holds("other-2"))
	}
	if got := testutil.ToFloat64(x.metrics.evictions); got != 1 {
		t.Errorf("evictions = %v, want 1", got)
	}
	copied := x.Add("storm-copy", "", stormCopy, t0.Add(3*time.Minute))
	if copied.DuplicateOf != "" || copied.StoryID != "story-storm-copy" {
		t.Errorf("copy of an article pushed out of the window = %+v, want a new story", copied)
	}
}

func TestMetrics(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	x := newTestIndex(t, Config{}, reg)
	x.Add("storm", "", storm, t0)
	x.Add("storm-copy", "", stormCopy, t0.Add(time.Minute))
	x.Add("chess", "", chess, t0.Add(2*time.Minute))

	want := `
# HELP wiredesk_dedup_decisions_total Dedup decisions, by decision.
# TYPE wiredesk_dedup_decisions_total counter
wiredesk_dedup_decisions_total{decision="duplicate"} 1
wiredesk_dedup_decisions_total{decision="new_story"} 2
wiredesk_dedup_decisions_total{decision="same_story"} 0
# HELP wiredesk_dedup_evictions_total Articles expired from the dedup window.
# TYPE wiredesk_dedup_evictions_total counter
wiredesk_dedup_evictions_total 0
# HELP wiredesk_dedup_index_articles Articles held in the dedup window.
# TYPE wiredesk_dedup_index_articles gauge
wiredesk_dedup_index_articles 3
# HELP wiredesk_dedup_story_size Size of the story an article joined, the article included.
# TYPE wiredesk_dedup_story_size histogram
wiredesk_dedup_story_size_bucket{le="1"} 2
wiredesk_dedup_story_size_bucket{le="2"} 3
wiredesk_dedup_story_size_bucket{le="4"} 3
wiredesk_dedup_story_size_bucket{le="8"} 3
wiredesk_dedup_story_size_bucket{le="16"} 3
wiredesk_dedup_story_size_bucket{le="32"} 3
wiredesk_dedup_story_size_bucket{le="64"} 3
wiredesk_dedup_story_size_bucket{le="128"} 3
wiredesk_dedup_story_size_bucket{le="256"} 3
wiredesk_dedup_story_size_bucket{le="512"} 3
wiredesk_dedup_story_size_bucket{le="+Inf"} 3
wiredesk_dedup_story_size_sum 4
wiredesk_dedup_story_size_count 3
`
	names := []string{"wiredesk_dedup_decisions_total", "wiredesk_dedup_evictions_total", "wiredesk_dedup_index_articles", "wiredesk_dedup_story_size"}
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(x.metrics.similarity); n != 1 {
		t.Errorf("similarity series = %d, want 1", n)
	}
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint %s: %s", p.Metric, p.Text)
	}
	if _, err := NewIndex(Config{}, reg); err == nil {
		t.Error("NewIndex with the same registry = nil error, want a registration error")
	}
}

func TestStage(t *testing.T) {
	x := newTestIndex(t, Config{}, nil)
	stage := x.Stage()
	ctx := context.Background()
	run := func(id, text string) *pipeline.Event {
		t.Helper()
		e := pipeline.NewEvent(&pipeline.Article{ID: id, Text: text})
		e.IngestedAt = t0
		got, err := stage(ctx, e)
		if err != nil || got != e {
			t.Fatalf("stage(%s) = %v, %v, want the event back and no error", id, got, err)
		}
		return got
	}
	first := run("storm", storm)
	if first.DuplicateOf != nil || first.StoryID != "story-storm" || first.Similarity != 0 {
		t.Errorf("first event: duplicate_of %v, story %q, similarity %v, want nil, story-storm, 0", first.DuplicateOf, first.StoryID, first.Similarity)
	}
	cp := run("storm-copy", stormCopy)
	if cp.DuplicateOf == nil || *cp.DuplicateOf != "storm" || cp.StoryID != "story-storm" || cp.Similarity < 0.8 {
		t.Errorf("copy event: duplicate_of %v, story %q, similarity %v, want storm, story-storm, >= 0.8", cp.DuplicateOf, cp.StoryID, cp.Similarity)
	}
	if cp.Evidence == nil || cp.Evidence.Decision != DecisionDuplicate {
		t.Errorf("copy evidence = %+v, want a duplicate decision", cp.Evidence)
	}
}

// TestConcurrentCopies checks that decide and record are atomic: of many
// copies of one report added at once, exactly one is the first report.
func TestConcurrentCopies(t *testing.T) {
	x := newTestIndex(t, Config{}, nil)
	const n = 8
	got := make([]Decision, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			got[i] = x.Add(fmt.Sprintf("copy-%d", i), "", stormCopy, t0)
		})
	}
	wg.Wait()
	firsts := 0
	for _, d := range got {
		if d.DuplicateOf == "" {
			firsts++
		}
		if d.StoryID != got[0].StoryID {
			t.Errorf("stories %q and %q, want one story", d.StoryID, got[0].StoryID)
		}
	}
	if firsts != 1 {
		t.Errorf("%d first reports among %d identical copies, want 1", firsts, n)
	}
}
