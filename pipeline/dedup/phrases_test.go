package dedup

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/wiredesk/wiredesk/pipeline/lexicon"
)

// TestPhrases checks which phrases an article yields: pairs of consecutive
// content words, stopwords skipped, never across a sentence break, each
// once, from the first phraseWords content words only.
func TestPhrases(t *testing.T) {
	pair := func(a, b string) uint16 { return phraseHash(lexicon.Hash(a), lexicon.Hash(b)) }
	fp := extract("", "Kim Jong Un visited the aircraft factory on Friday. Factory workers cheered him. Kim Jong Un visited.", lexicon.Default())
	want := []uint16{
		pair("kim", "jong"), pair("jong", "un"), pair("un", "visited"), pair("visited", "aircraft"),
		pair("aircraft", "factory"), pair("factory", "workers"), pair("workers", "cheered"),
	} // in order of appearance
	if !slices.Equal(fp.phrases, want) {
		t.Errorf("phrases = %v, want %v", fp.phrases, want)
	}

	words := make([]string, 400)
	for i := range words {
		words[i] = "w" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	fp = extract("", strings.Join(words, " "), lexicon.Default())
	if len(fp.phrases) != phraseWords-1 {
		t.Errorf("a text of 400 distinct content words has %d phrases, want %d", len(fp.phrases), phraseWords-1)
	}
}

// TestPhraseSetJaccard checks the set's Jaccard index against a count over
// maps, and that removing what was added empties it.
func TestPhraseSetJaccard(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	distinct := func(n int) []uint16 {
		seen := map[uint16]bool{}
		var s []uint16
		for range n {
			if p := uint16(rng.IntN(300)) * 211; !seen[p] { // spread over the bitmap
				seen[p] = true
				s = append(s, p)
			}
		}
		return s
	}
	var set phraseSet
	for range 200 {
		a, b := distinct(rng.IntN(120)), distinct(rng.IntN(120))
		union := map[uint16]bool{}
		shared := 0
		for _, v := range a {
			union[v] = true
			if !set.add(v) {
				t.Fatalf("add(%d) of a new phrase = false", v)
			}
		}
		for _, v := range b {
			if union[v] {
				shared++
			}
			union[v] = true
		}
		want := 0.0
		if len(union) > 0 {
			want = float64(shared) / float64(len(union))
		}
		if got := set.jaccard(len(a), b); got != want {
			t.Fatalf("jaccard(%v, %v) = %v, want %v", a, b, got, want)
		}
		set.remove(a)
		if set != (phraseSet{}) {
			t.Fatal("the set is not empty after removing what was added")
		}
	}
}

// TestPhraseRing checks that the ring returns the sets of the most recent
// articles, copies, and forgets those it has gone round.
func TestPhraseRing(t *testing.T) {
	r := newPhraseRing(3) // rounded up to 4
	buf, lead := []uint16{1, 2}, &leadProfile{packed: []uint16{0, 0, 1, 7}, figures: []uint64{5}}
	for seq := uint64(1); seq <= 6; seq++ {
		buf[0], lead.packed[3], lead.figures[0], lead.bloom[0] = uint16(seq), uint16(10*seq), seq, seq
		r.put(seq, buf, lead)
	}
	buf[0], lead.packed[3], lead.figures[0], lead.bloom[0] = 99, 99, 99, 99 // the ring keeps copies
	for seq := uint64(0); seq <= 7; seq++ {
		got, gotLead, ok := r.get(seq)
		held := seq >= 3 && seq <= 6
		if ok != held || held && (!slices.Equal(got, []uint16{uint16(seq), 2}) || !slices.Equal(gotLead.packed, []uint16{0, 0, 1, uint16(10 * seq)}) || !slices.Equal(gotLead.figures, []uint64{seq}) || gotLead.bloom[0] != seq) {
			t.Errorf("get(%d) = %v, %v, %v; want held %v", seq, got, gotLead, ok, held)
		}
	}
}
