package enrich

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

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

// TestRead checks the one pass of the keyword counter over a text against
// a reference built the simple way: lexicon.Tokenize, whose terms the
// rarity table holds, splits the words, each word's key is lower-cased
// without its possessive, and the word count goes by hasSpace.
func TestRead(t *testing.T) {
	texts := []string{
		"",
		" \t",
		"Komsomolsk-on-Amur, Kim's visit: 2,290.5 tonnes -- end. Russia’s ‘Vostok’ 'quoted' U.S. e-mail 3-2 x-",
		"Правительство в четверг объявило о мерах; Straße, naïve café. 政府周四宣布",
		"RUSSIA'S Russia'S x's ab's F-16S f-16s O’Neill o'neill ÉCOLE école Café's CAFÉ 12ab AB12 1,000 Ab-Cd",
		"a\u00a0b\u2009c\u2014d \u2014e-\u00e9 1.\u0663 \u0661.\u0662 x\u2019y x\u2019 \xffz\xff zz\xffzz",
		"fighter jet  fighter\njet fighter jet, fighter-jet Fighter Jet",
	}
	for _, seed := range readSeeds(t) {
		texts = append(texts, seed.text)
	}
	type occurrence struct {
		Key                    string
		Start, End             int
		Capital, Upper, Joined bool
	}
	for _, text := range texts {
		var want []occurrence
		wantWords, prevContent := 0, false
		toks := lexicon.Tokenize(text)
		for i, tok := range toks {
			gap := text[:tok.Start]
			if i > 0 {
				gap = text[toks[i-1].End:tok.Start]
			}
			if i == 0 || hasSpace(gap) {
				wantWords++
			}
			key := strings.ToLower(strings.ReplaceAll(tok.Text, "’", "'"))
			if len(key) > 2 && strings.HasSuffix(key, "'s") {
				key = key[:len(key)-2]
			}
			content := !lexicon.IsStopword(lexicon.Hash(key)) && utf8.RuneCountInString(key) > 1 && strings.IndexFunc(key, unicode.IsLetter) >= 0
			if content {
				upper := strings.IndexFunc(tok.Text, unicode.IsUpper) >= 0
				want = append(want, occurrence{key, tok.Start, tok.End, upper && isCapitalised(tok.Text), upper, prevContent && gap == " "})
			}
			prevContent = content
		}
		k := getCounter(text, fakeRarity{})
		var got []occurrence
		for _, tok := range k.toks {
			got = append(got, occurrence{tok.w.key, tok.start, tok.end, tok.capital, tok.upper, tok.joined})
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("read(%.40q...) mismatch (-want +got):\n%s", text, diff)
		}
		if k.nWords != wantWords {
			t.Errorf("read(%.40q...) counted %d words, want %d", text, k.nWords, wantWords)
		}
		k.release()
	}
}

// TestWordIndex checks that the word index finds every word put in it, by
// its key as a string or bytes, as it grows, and nothing after a reset.
func TestWordIndex(t *testing.T) {
	var x wordIndex
	x.reset()
	words := make([]word, 2000)
	hash := func(i int) uint64 {
		if i%7 == 0 {
			return 42 // words sharing a hash must be told apart by their keys
		}
		return lexicon.Hash(words[i].key)
	}
	for i := range words {
		words[i].key = fmt.Sprintf("w%d", i)
		x.reserve(1)
		slot := find(&x, hash(i), words[i].key)
		if x.slots[slot].w != nil {
			t.Fatalf("%q found before it was put", words[i].key)
		}
		x.put(slot, hash(i), &words[i])
		if 2*x.n > len(x.slots) {
			t.Fatalf("%d of %d slots used, want at most half", x.n, len(x.slots))
		}
	}
	for i := range words {
		if slot := find(&x, hash(i), []byte(words[i].key)); x.slots[slot].w != &words[i] {
			t.Fatalf("%q not found after %d were put", words[i].key, len(words))
		}
	}
	x.reset()
	for i := range words {
		if x.slots[find(&x, hash(i), words[i].key)].w != nil {
			t.Fatalf("%q found after a reset", words[i].key)
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
	if c, _ := x.get(&keys[0]); c != nil {
		t.Fatal("empty index found a phrase")
	}
	for i := range keys {
		c, slot := x.get(&keys[i])
		if c != nil {
			t.Fatalf("phrase %d found before it was put", i)
		}
		x.put(slot, &candidate{words: keys[i], count: i})
		if c, _ := x.get(&keys[i]); c == nil || c.count != i {
			t.Fatalf("phrase %d not found right after it was put", i)
		}
	}
	for i := range keys {
		if c, _ := x.get(&keys[i]); c == nil || c.words != keys[i] || c.count != i {
			t.Fatalf("phrase %d not found after %d were put", i, len(keys))
		}
	}
	if c, _ := x.get(&phraseKey{&words[2], &words[1]}); c != nil {
		t.Errorf("phrase of words 2, 1 found as %v, want none: only 1, 2 was put", c.words)
	}
	if c, _ := x.get(&phraseKey{&words[1], &words[2], &words[4]}); c != nil {
		t.Errorf("phrase never put found as %v", c.words)
	}
	x.reset()
	for i := range keys {
		if c, _ := x.get(&keys[i]); c != nil {
			t.Fatalf("phrase %d found after a reset", i)
		}
	}
}

// TestKeywordsReuse checks that a pooled counter forgets a text: the
// keywords of each seed article are the same whatever was read before.
func TestKeywordsReuse(t *testing.T) {
	x := newTestEnricher(t, Config{}, fakeRarity{})
	var texts []string
	for _, seed := range readSeeds(t) {
		texts = append(texts, seed.text)
	}
	texts = append(texts, "Short text, Short Text.")
	want := make([][]pipeline.Keyword, len(texts))
	for i, text := range texts {
		want[i], _ = x.keywords(text)
	}
	for i := range texts {
		for j := range texts { // text j after text i
			x.keywords(texts[i])
			if got, _ := x.keywords(texts[j]); !cmp.Equal(got, want[j]) {
				t.Errorf("keywords of text %d after text %d = %v, want %v", j, i, got, want[j])
			}
		}
	}
}

// TestBest checks the selection of the best candidates against sorting
// them all, with scores that tie.
func TestBest(t *testing.T) {
	var cands []*candidate
	for i := range 300 {
		cands = append(cands, &candidate{score: float64(i*7919%23) / 2, key: fmt.Sprintf("k%03d", i*104729%300)})
	}
	sorted := slices.Clone(cands)
	slices.SortFunc(sorted, func(a, b *candidate) int {
		if better(a, b) {
			return -1
		}
		return 1
	})
	for _, m := range []int{0, 1, 2, 7, 20, 299, 300} {
		got := best(nil, cands, m)
		if !slices.Equal(got, sorted[:m]) {
			t.Errorf("best(%d) is not the first %d of the candidates sorted", m, m)
		}
	}
}

// FuzzScanWords checks scanWords, resumed as [counter.read] resumes it,
// against lexicon.NextWord, which splits the words the rarity table's
// terms come from: the same words, in order, each with its key's hash
// ([lexicon.HashLower]) unless it is a possessive, and how it is written.
func FuzzScanWords(f *testing.F) {
	for _, s := range []string{"", "Komsomolsk-on-Amur, Kim's visit: 2,290.5 tonnes -- end.", "Russia’s ‘Vostok’ e-mail x- F-16S abcdefgh abcdefghijklmnopq", "naïve café 12ab\xffAB12 1.\u0663"} {
		f.Add(s)
	}
	var buf [scanChunk]scanned
	f.Fuzz(func(t *testing.T, text string) {
		start, end := lexicon.NextWord(text, 0)
		for i, space := 0, true; i < len(text); {
			n, stop, spaceAfter := scanWords(text, i, space, &buf)
			for _, r := range buf[:n] {
				if r.start != start || r.end != end {
					t.Fatalf("scanWords(%q) read [%d, %d), want [%d, %d)", text, r.start, r.end, start, end)
				}
				w := text[start:end]
				possessive := len(w) > 2 && w[len(w)-2] == '\'' && w[len(w)-1]|0x20 == 's'
				switch {
				case r.keyed == possessive:
					t.Fatalf("scanWords(%q): %q keyed %t", text, w, r.keyed)
				case r.keyed && r.hash != lexicon.HashLower(w):
					t.Fatalf("scanWords(%q): %q has the wrong hash", text, w)
				case r.upper != (strings.IndexFunc(w, unicode.IsUpper) >= 0) || r.capital != ('A' <= w[0] && w[0] <= 'Z'):
					t.Fatalf("scanWords(%q): %q upper %t, capital %t", text, w, r.upper, r.capital)
				}
				start, end = lexicon.NextWord(text, end)
			}
			i, space = stop, spaceAfter
			if n < scanChunk && i < len(text) {
				// At a non-ASCII rune, which read reads itself: a word
				// that starts there, or a rune between words.
				if i == start {
					i, start, end = end, -1, -1
					start, end = lexicon.NextWord(text, i)
				} else {
					_, size := utf8.DecodeRuneInString(text[i:])
					i += size
				}
			}
		}
		if start >= 0 {
			t.Fatalf("scanWords(%q) missed %q", text, text[start:end])
		}
	})
}
