package dedup

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/wiredesk/wiredesk/pipeline/lexicon"
)

const pirates = `Indian Navy captures 26 Somali pirates
The Indian warship INS Sukanya foiled a pirate attack in the Gulf of Aden on Friday, capturing 26 pirates in 2011. Su-57 jets were not involved.`

// TestLeadProfile checks what the profile keeps of an opening: its
// content words (no stopwords, numbers or hyphenated words), its rare
// capitalised words that open no sentence, its numbers other than years,
// and a filter of its vocabulary.
func TestLeadProfile(t *testing.T) {
	fp := extract("", pirates, lexicon.Default())
	defer fp.release()
	lead, idf, names, numbers, ok := fp.lead.parts()
	words := map[uint64]string{}
	for _, tk := range lexicon.Tokenize(pirates) {
		w := strings.ToLower(tk.Text)
		words[lexicon.Hash(w)] = w
	}
	if !ok {
		t.Fatalf("profile %v does not parse", fp.lead.packed)
	}
	has := func(list []uint16, word string) bool { return slices.Contains(list, vocabHash(lexicon.Hash(word))) }
	for _, w := range []string{"indian", "navy", "captures", "somali", "pirates", "warship", "sukanya", "foiled", "gulf", "aden", "capturing"} {
		if !has(lead, w) {
			t.Errorf("lead lacks %q", w)
		}
	}
	for _, w := range []string{"the", "of", "on", "su-57", "26", "2011"} {
		if has(lead, w) {
			t.Errorf("lead holds %q", w)
		}
	}
	if len(idf) != len(lead) || slices.Contains(idf, 0) {
		t.Errorf("idf = %v for %d lead words, want one non-zero weight each", idf, len(lead))
	}
	// The IDFs, read in the ranking pass, are each lead word's own.
	table := lexicon.Default()
	for i, h := range fp.sc.lead.leadWords {
		if want := uint16(max(min(math.Round(table.IDF(words[h])*idfScale), math.MaxUint8), 1)); idf[i] != want {
			t.Errorf("idf of %q = %d, want %d", words[h], idf[i], want)
		}
	}
	if !has(names, "sukanya") || !has(names, "aden") || has(names, "captures") || has(names, "su-57") {
		t.Errorf("names = %v, want sukanya and aden, not captures or su-57", names)
	}
	if want := []uint16{vocabHash(termHash("26", true))}; !slices.Equal(numbers, want) {
		t.Errorf("numbers = %v, want only 26 (%v): a year is no fact of the event", numbers, want)
	}
	for _, w := range []string{"pirates", "aden", "involved", "jets"} {
		if !fp.lead.bloom.has(probeOf(lexicon.Hash(w))) {
			t.Errorf("vocabulary filter lacks %q", w)
		}
	}
}

// compareLeads measures the profile of an earlier article b against a new
// one, a, as the index does.
func compareLeads(a, b *fingerprint) leadMatch {
	var sets leadSets
	sets.fill(a.terms, &a.sc.lead)
	return a.sc.lead.compare(b.lead, &sets)
}

// TestLeadCompare checks the comparison of leads: an article against
// itself, and the seeds, where the rewrite of the factory visit (003 of
// 002) opens on facts of 002 that the Vostochny summit (000) lacks.
func TestLeadCompare(t *testing.T) {
	table := lexicon.Default()
	fp := extract("", pirates, table)
	if m := compareLeads(fp, fp); m != (leadMatch{shared: 1, found: 1}) {
		t.Errorf("an article against itself: %+v, want shared and found 1, nothing new", m)
	}
	fp.release()

	fps := map[string]*fingerprint{}
	for _, a := range seeds(t) {
		fps[a.ID[:3]] = extract(a.Title, a.Text, table)
		defer fps[a.ID[:3]].release()
	}
	same := compareLeads(fps["003"], fps["002"])
	other := compareLeads(fps["002"], fps["000"])
	if same.found <= other.found || same.shared <= other.shared {
		t.Errorf("003 against 002: %+v; 002 against 000: %+v; want the first to share more of its lead", same, other)
	}

	old := extract("", "Chargers receiver arrested\nSan Diego Chargers receiver Vincent Jackson was arrested on suspicion of drunk driving on Tuesday.", table)
	defer old.release()
	next := extract("", "Chargers tackle faces charges\nSan Diego Chargers defensive tackle Jamal Williams was arrested on suspicion of drunk driving on Sunday.", table)
	defer next.release()
	if m := compareLeads(next, old); m.newNames == 0 || m.oldNames == 0 {
		t.Errorf("two arrests of two players: %+v, want names of each that the other lacks", m)
	}

	// A sentence repeated with other figures is revised; one repeated
	// as it was, or one with other words, is not.
	toll := extract("", "Floods killed 25 people in the north, officials said on Monday. Rescuers searched 3 villages.", table)
	defer toll.release()
	for _, tc := range []struct {
		text    string
		revised int
	}{
		{"Floods killed 31 people in the north, officials said on Monday. Rescuers searched 3 villages.", 1},
		{"Floods killed 31 people in the north, officials said on Monday. Rescuers searched 5 villages.", 2},
		{"Floods killed 25 people in the north, officials said on Monday. Rescuers searched 3 villages.", 0},
		{"Storms killed 31 people in the south, officials said on Tuesday.", 0},
	} {
		fp := extract("", tc.text, table)
		if m := compareLeads(fp, toll); m.revised != tc.revised {
			t.Errorf("%q against the toll: %d revised sentences, want %d", tc.text, m.revised, tc.revised)
		}
		fp.release()
	}
	// Repeating one of two sentences that differ only in their figures
	// revises neither.
	twice := extract("", "Rescuers searched 3 villages on Monday. Rescuers searched 5 villages on Monday.", table)
	defer twice.release()
	again := extract("", "Rescuers searched 3 villages on Monday.", table)
	defer again.release()
	if m := compareLeads(again, twice); m.revised != 0 {
		t.Errorf("a sentence repeated as it was: %d revised, want 0", m.revised)
	}
}

// TestFigureSentences checks which sentences a profile keeps to tell
// revised figures: those with a number and at least figureWords other
// words, the first figureSentences of them.
func TestFigureSentences(t *testing.T) {
	var b strings.Builder
	b.WriteString("He was 77.\nUpdated 10:24 AM.\nNo figure in this sentence at all.\n")
	for i := range 2 * figureSentences {
		fmt.Fprintf(&b, "Police counted %d cars on the bridge.\n", i+10)
	}
	fp := extract("", b.String(), lexicon.Default())
	defer fp.release()
	if got := len(fp.lead.figures); got != figureSentences {
		t.Fatalf("kept %d sentences with figures, want %d", got, figureSentences)
	}
	first := extract("", "Police counted 10 cars on the bridge.", lexicon.Default())
	defer first.release()
	if len(first.lead.figures) != 1 || fp.lead.figures[0] != first.lead.figures[0] {
		t.Errorf("first kept %x, want the first counting sentence %x", fp.lead.figures[0], first.lead.figures)
	}
	if fp.lead.figures[0]>>32 != fp.lead.figures[1]>>32 || fp.lead.figures[0] == fp.lead.figures[1] {
		t.Errorf("two counts %x, %x: want the same words, other figures", fp.lead.figures[0], fp.lead.figures[1])
	}
}

// TestLeadScratchReset checks that emptying the sets and the scratch
// clears everything they held, so that the next article starts from
// nothing.
func TestLeadScratchReset(t *testing.T) {
	fp := extract("", pirates, lexicon.Default())
	var sets leadSets
	sets.fill(fp.terms, &fp.sc.lead)
	if sets.vocab == (phraseSet{}) || sets.lead == (phraseSet{}) {
		t.Fatal("sets empty after fill")
	}
	sets.empty()
	if sets.vocab != (phraseSet{}) || sets.lead != (phraseSet{}) {
		t.Error("sets not empty after empty")
	}
	fp.sc.reset()
	ls := &fp.sc.lead
	if len(ls.leadWords)+len(ls.names)+len(ls.numbers)+len(ls.idf)+len(ls.profile.packed)+len(ls.profile.figures) != 0 || ls.leadIDF != 0 || ls.profile.bloom != (vocabBloom{}) {
		t.Errorf("scratch not empty after reset: %+v", ls)
	}
	fp.release()
}

// TestVocabBloom checks that the filter holds what was added and rarely
// passes anything else, at the size of an opening's vocabulary.
func TestVocabBloom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 100 {
		var b vocabBloom
		added := make([]uint64, 110)
		for i := range added {
			added[i] = lexicon.Hash(strings.Repeat("w", 1+rng.IntN(9)) + string(rune('a'+rng.IntN(26))) + string(rune('a'+rng.IntN(26))))
			b.add(added[i])
		}
		for _, h := range added {
			if !b.has(probeOf(h)) {
				t.Fatalf("filter lacks %#x", h)
			}
		}
		passed := 0
		const tries = 1000
		for range tries {
			passed += b2i(b.has(probeOf(rng.Uint64())))
		}
		if passed > tries/20 {
			t.Errorf("%d of %d other words pass the filter, want at most 5%%", passed, tries)
		}
	}
}

// TestStoryScore checks the direction of each part of the story score.
func TestStoryScore(t *testing.T) {
	base := signals{base: 0.4, phrases: 0.05, lead: leadMatch{shared: 0.3, found: 0.5, newNames: 1, oldNames: 1}}
	s0 := storyScore(&base, base.base)
	for _, tc := range []struct {
		name   string
		change func(*signals)
		gap    float64
		higher bool
	}{
		{"more shared", func(s *signals) { s.base += 0.1 }, 0, true},
		{"more phrases", func(s *signals) { s.phrases += 0.05 }, 0, true},
		{"more of the leads in common", func(s *signals) { s.lead.shared += 0.1 }, 0, true},
		{"more of each lead found in the other", func(s *signals) { s.lead.found += 0.1 }, 0, true},
		{"a new name", func(s *signals) { s.lead.newNames++ }, 0, false},
		{"a name left out", func(s *signals) { s.lead.oldNames++ }, 0, false},
		{"a new number", func(s *signals) { s.lead.newNumbers++ }, 0, false},
		{"a number left out", func(s *signals) { s.lead.oldNumbers++ }, 0, false},
		{"a better candidate", func(*signals) {}, 0.1, false},
	} {
		s := base
		tc.change(&s)
		got := storyScore(&s, s.base+tc.gap)
		if got <= 0 || got >= 1 || (got > s0) != tc.higher || got == s0 {
			t.Errorf("%s: story score %.4f from %.4f, want it higher: %v", tc.name, got, s0, tc.higher)
		}
	}
}

// TestStoryRule checks which match the story rule prefers and links: by
// story score when leads were compared, by support when the index no
// longer holds the candidate's phrases and lead.
func TestStoryRule(t *testing.T) {
	x := newTestIndex(t, Config{}, nil)
	linked := signals{compared: true, story: x.cfg.StoryThreshold + 0.01}
	unlinked := signals{compared: true, story: x.cfg.StoryThreshold - 0.01, base: 0.9}
	old := signals{base: supportThreshold}
	weak := signals{base: supportThreshold - 0.01}
	for _, tc := range []struct {
		name string
		s    signals
		want bool
	}{{"compared, above", linked, true}, {"compared, below", unlinked, false}, {"support alone, at", old, true}, {"support alone, below", weak, false}} {
		if got := x.links(&tc.s); got != tc.want {
			t.Errorf("%s: links = %v, want %v", tc.name, got, tc.want)
		}
	}
	if !x.prefer(&linked, &old) || x.prefer(&unlinked, &old) || !x.prefer(&unlinked, &weak) {
		t.Error("prefer: want a link before no link, then a compared match before one judged on support")
	}
	better := linked
	better.story += 0.01
	if !x.prefer(&better, &linked) || x.prefer(&linked, &better) {
		t.Error("prefer: want the better story score")
	}
}

// FuzzLeadProfile checks, for any text, that the profile parses, that an
// article's lead matches its own in full with nothing unshared, and that
// emptying the sets and the scratch clears them.
func FuzzLeadProfile(f *testing.F) {
	f.Add("", pirates)
	f.Add("Chargers receiver arrested", "San Diego Chargers receiver Vincent Jackson was arrested on Tuesday, 2,300 fans said. Su-57 jets in 1999.")
	table := lexicon.Default()
	f.Fuzz(func(t *testing.T, title, text string) {
		fp := extract(title, text, table)
		defer fp.release()
		if _, _, _, _, ok := fp.lead.parts(); !ok {
			t.Fatalf("profile %v does not parse", fp.lead.packed)
		}
		var sets leadSets
		sets.fill(fp.terms, &fp.sc.lead)
		m := fp.sc.lead.compare(fp.lead, &sets)
		want := leadMatch{shared: 1, found: 1}
		if len(fp.sc.lead.leadWords) == 0 {
			want = leadMatch{found: 0.5}
		}
		if math.Abs(m.shared-want.shared) > 1e-9 || math.Abs(m.found-want.found) > 1e-9 || m.newNames+m.oldNames+m.newNumbers+m.oldNumbers+m.revised != 0 {
			t.Errorf("against itself: %+v, want %+v", m, want)
		}
		sets.empty()
		if sets.vocab != (phraseSet{}) || sets.lead != (phraseSet{}) {
			t.Error("sets not empty after empty")
		}
	})
}
