package enrich

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wiredesk/wiredesk/pipeline"
	"github.com/wiredesk/wiredesk/pipeline/lexicon"
)

func TestKeywords(t *testing.T) {
	tests := []struct {
		name   string
		cfg    Config
		rarity fakeRarity
		text   string
		want   []pipeline.Keyword
	}{
		{
			name: "empty text",
			text: "",
			want: []pipeline.Keyword{},
		},
		{
			name: "stopwords, numbers and single letters are excluded",
			text: "The 2024 report said that it was a 12,000 figure in 1999 and x was y.",
			want: []pipeline.Keyword{{Term: "figure", Score: 1}, {Term: "report", Score: 1}},
		},
		{
			name:   "rarity outweighs frequency",
			rarity: fakeRarity{"satellite": 4},
			text:   "The launch of the satellite was a launch like any launch.",
			// launch: 3 x (1+0) = 3; satellite: 1 x (1+4) = 5.
			want: []pipeline.Keyword{{Term: "satellite", Score: 1}, {Term: "launch", Score: 0.6}},
		},
		{
			name: "a capitalised name replaces its words, which count outside it",
			text: "Vladimir Putin met Kim. Vladimir Putin spoke. Putin left.",
			// vladimir putin: 2 x 2 = 4; putin outside the name: 1; kim: 1.
			want: []pipeline.Keyword{{Term: "Vladimir Putin", Score: 1}, {Term: "Kim", Score: 0.25}, {Term: "left", Score: 0.25}, {Term: "met", Score: 0.25}, {Term: "spoke", Score: 0.25}},
		},
		{
			name: "a lower-case pair seen twice is a phrase",
			text: "A fighter jet landed. Another fighter jet took off from the base.",
			// fighter jet: 2 x 2 = 4; base, landed, took: 1 each.
			want: []pipeline.Keyword{{Term: "fighter jet", Score: 1}, {Term: "base", Score: 0.25}, {Term: "landed", Score: 0.25}, {Term: "took", Score: 0.25}},
		},
		{
			name: "possessives fold into the word and casing follows the majority",
			text: "Russia’s army and Russia's navy. Russia acts.",
			want: []pipeline.Keyword{{Term: "Russia", Score: 1}, {Term: "acts", Score: 0.333}, {Term: "army", Score: 0.333}, {Term: "navy", Score: 0.333}},
		},
		{
			name: "a title-case run of five or more words is not a name",
			text: "Leaders Urge Swift Global Climate Action. Leaders Urge Swift Global Climate Action.",
			want: []pipeline.Keyword{{Term: "Action", Score: 1}, {Term: "Climate", Score: 1}, {Term: "Global", Score: 1}, {Term: "Leaders", Score: 1}, {Term: "Swift", Score: 1}, {Term: "Urge", Score: 1}},
		},
		{
			name: "at most MaxKeywords",
			cfg:  Config{MaxKeywords: 2},
			text: "alpha alpha alpha beta beta gamma",
			want: []pipeline.Keyword{{Term: "alpha", Score: 1}, {Term: "beta", Score: 0.667}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := newTestEnricher(t, tc.cfg, tc.rarity)
			got, _ := x.keywords(tc.text)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("keywords(%q) mismatch (-want +got):\n%s", tc.text, diff)
			}
		})
	}
}

// TestKeywordsDeterministic checks that ties and map iteration never change
// the order.
func TestKeywordsDeterministic(t *testing.T) {
	x := newTestEnricher(t, Config{}, fakeRarity{})
	const text = "delta charlie bravo alpha echo foxtrot golf hotel india juliet kilo lima mike"
	first, _ := x.keywords(text)
	for range 20 {
		again, _ := x.keywords(text)
		if diff := cmp.Diff(first, again); diff != "" {
			t.Fatalf("keywords() changed between runs (-first +now):\n%s", diff)
		}
	}
	if first[0].Term != "alpha" || len(first) != DefaultMaxKeywords {
		t.Errorf("keywords() = %v, want %d terms in alphabetical order of equal scores", first, DefaultMaxKeywords)
	}
}

// TestAppendWords checks that the keyword counter splits words exactly as
// lexicon.Tokenize does, whose terms the rarity table holds.
func TestAppendWords(t *testing.T) {
	texts := []string{
		"",
		"Komsomolsk-on-Amur, Kim's visit: 2,290.5 tonnes -- end. Russia’s ‘Vostok’ 'quoted' U.S. e-mail 3-2 x-",
		"Правительство в четверг объявило о мерах; Straße, naïve café. 政府周四宣布",
	}
	seeds, err := filepath.Glob("../../testdata/seeds/*.txt")
	if err != nil || len(seeds) == 0 {
		t.Fatalf("no seed articles found in ../../testdata/seeds (err %v)", err)
	}
	for _, f := range seeds {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, string(data))
	}
	for _, text := range texts {
		var want []span
		for _, tok := range lexicon.Tokenize(text) {
			want = append(want, span{tok.Start, tok.End})
		}
		if diff := cmp.Diff(want, appendWords(nil, text), cmp.AllowUnexported(span{})); diff != "" {
			t.Errorf("appendWords(%.40q...) mismatch with lexicon.Tokenize (-want +got):\n%s", text, diff)
		}
	}
}

func TestAppendKey(t *testing.T) {
	tests := []struct {
		name  string
		form  string
		key   string
		upper bool
	}{
		{"lower case", "launch", "launch", false},
		{"capitalised", "Russia", "russia", true},
		{"typographic possessive", "Russia’s", "russia", true},
		{"capital possessive", "RUSSIA'S", "russia", true},
		{"typographic apostrophe", "O’Neill", "o'neill", true},
		{"one letter and possessive", "x's", "x", false},
		{"non-ASCII capitals", "ÉCOLE", "école", true},
		{"non-ASCII lower case", "naïve", "naïve", false},
		{"Cyrillic", "Путин", "путин", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key, hash, upper := appendKey(nil, tc.form)
			if string(key) != tc.key || hash != lexicon.Hash(tc.key) || upper != tc.upper {
				t.Errorf("appendKey(%q) = %q, %#x, %v, want %q, %#x, %v", tc.form, key, hash, upper, tc.key, lexicon.Hash(tc.key), tc.upper)
			}
		})
	}
}

// TestPhraseIndex checks that the phrase index finds every phrase put in
// it, by its words and their order, as it grows, and nothing after a reset.
func TestPhraseIndex(t *testing.T) {
	words := make([]word, 50)
	for i := range words {
		words[i].id = uint64(i)
	}
	var keys []phraseKey
	for i := range words {
		for j := range words {
			if i < j && (i+j)%3 == 0 { // never both orders
				keys = append(keys, phraseKey{&words[i], &words[j]})
			}
		}
	}
	keys = append(keys, phraseKey{&words[1], &words[2], &words[3]}, phraseKey{&words[1], &words[2], &words[3], &words[4]})
	var x phraseIndex
	if x.get(&keys[0]) != nil {
		t.Fatal("empty index found a phrase")
	}
	for i := range keys {
		x.put(&candidate{words: keys[i], count: i})
		if c := x.get(&keys[i]); c == nil || c.count != i {
			t.Fatalf("phrase %d not found right after it was put", i)
		}
	}
	for i := range keys {
		if c := x.get(&keys[i]); c == nil || c.words != keys[i] || c.count != i {
			t.Fatalf("phrase %d not found after %d were put", i, len(keys))
		}
	}
	if c := x.get(&phraseKey{&words[2], &words[1]}); c != nil {
		t.Errorf("phrase of words 2, 1 found as %v, want none: only 1, 2 was put", c.words)
	}
	if c := x.get(&phraseKey{&words[1], &words[2], &words[4]}); c != nil {
		t.Errorf("phrase never put found as %v", c.words)
	}
	x.reset()
	for i := range keys {
		if x.get(&keys[i]) != nil {
			t.Fatalf("phrase %d found after a reset", i)
		}
	}
}
