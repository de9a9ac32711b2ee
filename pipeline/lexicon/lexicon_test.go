package lexicon

import (
	"bytes"
	"compress/gzip"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTokenize(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{name: "words and punctuation", text: "Kim met Putin, then left.", want: []string{"Kim", "met", "Putin", "then", "left"}},
		{name: "inner hyphen and apostrophes", text: "Komsomolsk-on-Amur's plant, Kim’s train", want: []string{"Komsomolsk-on-Amur's", "plant", "Kim’s", "train"}},
		{name: "numbers keep separators", text: "2,290 points at 9.5 - a record.", want: []string{"2,290", "points", "at", "9.5", "a", "record"}},
		{name: "trailing separators split", text: "rock-- 'quoted' 1990s, 3.", want: []string{"rock", "quoted", "1990s", "3"}},
		{name: "non-Latin letters", text: "Ouyang Ziyuan (歐陽自遠)", want: []string{"Ouyang", "Ziyuan", "歐陽自遠"}},
		{name: "empty", text: " \n ", want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, tok := range Tokenize(tc.text) {
				if tc.text[tok.Start:tok.End] != tok.Text {
					t.Errorf("token %q has offsets %d:%d of %q", tok.Text, tok.Start, tok.End, tc.text[tok.Start:tok.End])
				}
				got = append(got, tok.Text)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Tokenize(%q) (-want +got):\n%s", tc.text, diff)
			}
		})
	}
}

// TestNextWord checks that walking a text word by word from any offset
// finds the words Tokenize finds there.
func TestNextWord(t *testing.T) {
	texts := []string{"Kim met Putin, then left.", "Komsomolsk-on-Amur's plant, Kim’s train", "2,290 points at 9.5 - a record.", "Ouyang Ziyuan (歐陽自遠)", " \n ", ""}
	for _, text := range texts {
		var got []Token
		for start, end := NextWord(text, 0); start >= 0; start, end = NextWord(text, end) {
			got = append(got, Token{Text: text[start:end], Start: start, End: end})
		}
		var want []Token
		for _, tok := range Tokenize(text) {
			want = append(want, Token{Text: tok.Text, Start: tok.Start, End: tok.End})
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("NextWord over %q (-Tokenize +NextWord):\n%s", text, diff)
		}
	}
}

func TestDefault(t *testing.T) {
	table := Default()
	if table.Docs() < 500 {
		t.Fatalf("background docs = %v, want the ECB+ corpus", table.Docs())
	}
	// Common words are common, names and unseen words rare, from the
	// first article on.
	common, rare := table.IDF("the"), table.IDF("vostochny")
	if !(common < 0.5 && rare > 5) {
		t.Errorf("IDF(the) = %.2f, IDF(vostochny) = %.2f, want < 0.5 and > 5", common, rare)
	}
	if table.IDF("friday") >= table.IDF("cosmodrome") {
		t.Errorf("IDF(friday) = %.2f >= IDF(cosmodrome) = %.2f, want a common capitalised word below a rare one", table.IDF("friday"), table.IDF("cosmodrome"))
	}
	// Copies are independent.
	table.Observe([]string{"vostochny"})
	if got := Default().DF("vostochny"); got != 0 {
		t.Errorf("DF(vostochny) in a fresh Default = %v after observing in another, want 0", got)
	}
}

func TestObserve(t *testing.T) {
	table := NewTable()
	before := table.IDF("summit")
	table.Observe([]string{"summit", "summit", "kim"})
	table.Observe([]string{"kim"})
	if got := table.DF("summit"); got != 1 {
		t.Errorf("DF(summit) = %v, want 1 (counted once per document)", got)
	}
	if got := table.Docs(); got != 2 {
		t.Errorf("Docs() = %v, want 2", got)
	}
	if after := table.IDF("summit"); after >= before+1 {
		t.Errorf("IDF(summit) went from %.2f to %.2f, want it not to grow past the smoothing", before, after)
	}
	if got, want := table.AppendIDFsOf(nil, []uint64{Hash("kim"), Hash("summit")}), []float64{table.IDF("kim"), table.IDF("summit")}; !cmp.Equal(got, want) {
		t.Errorf("AppendIDFsOf = %v, want %v", got, want)
	}
}

func TestObserveHashes(t *testing.T) {
	observed, hashed := NewTable(), NewTable()
	observed.Observe([]string{"kim", "summit", "kim"})
	hashed.ObserveHashes([]uint64{Hash("kim"), Hash("summit")})
	for _, term := range []string{"kim", "summit", "missing"} {
		if got, want := hashed.DF(term), observed.DF(term); got != want {
			t.Errorf("DF(%s) after ObserveHashes = %v, want %v as after Observe", term, got, want)
		}
		if got, want := hashed.DFOf(Hash(term)), hashed.DF(term); got != want {
			t.Errorf("DFOf(Hash(%s)) = %v, want DF = %v", term, got, want)
		}
	}
	if got, want := hashed.Docs(), observed.Docs(); got != want {
		t.Errorf("Docs() after ObserveHashes = %v, want %v", got, want)
	}
}

// TestBound checks that a table past its maximum number of terms halves
// its counts, dropping the terms seen once, and keeps the rarity of the
// terms it keeps.
func TestBound(t *testing.T) {
	table := NewTable()
	table.maxTerms = 10
	for i := range 8 {
		table.Observe([]string{"common", "often", "once" + strconv.Itoa(i)})
	}
	before := table.IDF("common")
	if got := table.df.len(); got != 10 {
		t.Fatalf("%d terms before the bound, want 10", got)
	}
	table.Observe([]string{"common", "often", "new"}) // 11 terms: halve
	if got := table.df.len(); got != 2 {
		t.Errorf("%d terms after halving, want 2 (common, often)", got)
	}
	if got, want := table.DF("common"), 4.5; got != want {
		t.Errorf("DF(common) = %v, want %v", got, want)
	}
	if got := table.DF("once0"); got != 0 {
		t.Errorf("DF(once0) = %v, want it dropped", got)
	}
	if got, want := table.Docs(), 4.5; got != want {
		t.Errorf("Docs() = %v, want %v", got, want)
	}
	if after := table.IDF("common"); math.Abs(after-before) > 0.2 {
		t.Errorf("IDF(common) moved from %.3f to %.3f across the halving", before, after)
	}
	if Default().maxTerms != DefaultMaxTerms {
		t.Errorf("Default() is not bounded by DefaultMaxTerms")
	}
}

// TestIDFValues checks the IDF formula, for whole counts (read from a table
// of logarithms) and for fractional ones, as a loaded table may hold.
func TestIDFValues(t *testing.T) {
	table, err := Load(gzipped(t, "docs\t10000.5\nwhole\t3\nhalf\t2.5\nbig\t9000\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, term string
		df         float64
	}{
		{"whole count", "whole", 3},
		{"fractional count", "half", 2.5},
		{"count past the table of logarithms", "big", 9000},
		{"unseen", "missing", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := math.Log((10000.5 + 1) / (tc.df + 1))
			if got := table.IDF(tc.term); math.Abs(got-want) > 1e-12 {
				t.Errorf("IDF(%s) = %v, want %v", tc.term, got, want)
			}
			if got := table.AppendIDFsOf([]float64{-1}, []uint64{Hash(tc.term)}); len(got) != 2 || got[0] != -1 || math.Abs(got[1]-want) > 1e-12 {
				t.Errorf("AppendIDFsOf([-1], %s) = %v, want [-1 %v]", tc.term, got, want)
			}
		})
	}
}

func gzipped(t *testing.T, s string) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf
}

func TestSaveLoad(t *testing.T) {
	table := NewTable()
	table.Observe([]string{"a", "b"})
	table.Observe([]string{"a"})
	var buf bytes.Buffer
	if err := table.Save(&buf, []string{"a", "b", "missing"}); err != nil {
		t.Fatal(err)
	}
	got, err := Load(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got.Docs() != 2 || got.DF("a") != 2 || got.DF("b") != 1 || got.DF("missing") != 0 {
		t.Errorf("loaded docs %v, df a %v b %v missing %v, want 2, 2, 1, 0", got.Docs(), got.DF("a"), got.DF("b"), got.DF("missing"))
	}
	for _, bad := range []string{"not gzip", ""} {
		if _, err := Load(bytes.NewReader([]byte(bad))); err == nil {
			t.Errorf("Load(%q) = nil error, want one", bad)
		}
	}
	for _, bad := range []string{"docs\t3\na\t-1\n", "docs\t3\na\tNaN\n"} {
		if _, err := Load(gzipped(t, bad)); err == nil {
			t.Errorf("Load(%q) = nil error, want one for a count that is not a count", bad)
		}
	}
}

func TestTrimPossessive(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"straight", "Kim's", "Kim"},
		{"typographic", "Russia’s", "Russia"},
		{"capital S", "KIM'S", "KIM"},
		{"typographic capital S", "KIM’S", "KIM"},
		{"no possessive", "bus", "bus"},
		{"possessive alone", "'s", "'s"},
		{"typographic possessive alone", "’s", "’s"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := TrimPossessive(tc.in); got != tc.want {
				t.Errorf("TrimPossessive(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestCounts checks the counts table against a map: counts added and set,
// the zero hash, growth, halving and independent clones.
func TestCounts(t *testing.T) {
	var c counts
	if got := c.count(12345); got != 0 {
		t.Errorf("count(absent) of an empty table = %v, want 0", got)
	}
	want := map[uint64]float64{}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 5000 {
		h := r.Uint64N(3000) * 0x9E3779B97F4A7C15 // 0 among them
		if i%7 == 0 {
			*c.ref(h) = 2.5
			want[h] = 2.5
		} else {
			c.observe([]uint64{h})
			want[h]++
		}
	}
	var observed counts
	observed.observe([]uint64{7, 0, 7})
	if got, got0 := observed.count(7), observed.count(0); got != 2 || got0 != 1 {
		t.Errorf("count(7), count(0) after observe of an empty table = %v, %v, want 2, 1", got, got0)
	}
	check := func(c *counts, want map[uint64]float64) {
		t.Helper()
		if c.len() != len(want) {
			t.Errorf("len() = %d, want %d", c.len(), len(want))
		}
		for h, df := range want {
			if got, ok := c.get(h); !ok || got != df {
				t.Errorf("get(%#x) = %v, %v, want %v, true", h, got, ok, df)
			}
			if got := c.count(h); got != df {
				t.Errorf("count(%#x) = %v, want %v", h, got, df)
			}
		}
		if got, ok := c.get(12345); ok || got != 0 {
			t.Errorf("get(absent) = %v, %v, want 0, false", got, ok)
		}
		if got := c.count(12345); got != 0 {
			t.Errorf("count(absent) = %v, want 0", got)
		}
	}
	check(&c, want)

	clone := c.clone()
	*clone.ref(42) = 1
	check(&c, want)

	c.halve()
	for h, df := range want {
		if df < 2 {
			delete(want, h)
		} else {
			want[h] = df / 2
		}
	}
	check(&c, want)
}

// TestReadRarities checks that the IDF read through a view is the table's,
// and never above MaxIDF.
func TestReadRarities(t *testing.T) {
	table := Default()
	table.Observe([]string{"vostochny", "the"})
	terms := []string{"the", "vostochny", "cosmodrome", "never-seen"}
	hashes := make([]uint64, len(terms))
	for i, term := range terms {
		hashes[i] = Hash(term)
	}
	table.ReadRarities(hashes, func(r Rarities) {
		for i, term := range terms {
			got := r.IDFOf(hashes[i])
			if want := table.IDF(term); got != want {
				t.Errorf("IDFOf(%s) = %v, want IDF = %v", term, got, want)
			}
			if got > r.MaxIDF() {
				t.Errorf("IDFOf(%s) = %v, above MaxIDF = %v", term, got, r.MaxIDF())
			}
		}
		if got, want := r.IDFOf(Hash("never-seen")), r.MaxIDF(); got != want {
			t.Errorf("IDFOf(never seen) = %v, want MaxIDF = %v", got, want)
		}
	})
}

// TestIDFBound checks that IDFBound bounds the IDF closely, over counts
// from none to many, whole or halved.
func TestIDFBound(t *testing.T) {
	table := Default()
	var dfs []float64
	for df := range 5000 { // whole counts, read from a table of logarithms
		dfs = append(dfs, float64(df))
	}
	for k := range 60 { // df+1 a power of two, where the bound is tightest
		dfs = append(dfs, math.Exp2(float64(k))-1)
	}
	for df := 0.0; df < 1e9; df = df*1.01 + 0.5 {
		dfs = append(dfs, df)
	}
	table.ReadRarities(nil, func(r Rarities) {
		for _, df := range dfs {
			idf, bound := r.IDFOfDF(df), r.IDFBound(df)
			if bound < idf || bound > idf+0.09 {
				t.Fatalf("IDFBound(%v) = %v, want within 0.09 above IDFOfDF = %v", df, bound, idf)
			}
		}
	})
}

// TestWordMap checks a WordMap against a Go map through growth, including
// words whose hashes share their low bits.
func TestWordMap(t *testing.T) {
	m := NewWordMap[int](0)
	want := map[string]int{}
	for i := range 3000 {
		w := strconv.Itoa(i * 7919)
		if i%3 == 0 {
			w = strings.Repeat("x", i%40+1) + w
		}
		m.Put(w, i)
		want[w] = i
		if i%5 == 0 { // replace an earlier value
			m.Put(w, -i)
			want[w] = -i
		}
	}
	if m.Len() != len(want) {
		t.Fatalf("Len() = %d, want %d", m.Len(), len(want))
	}
	for w, v := range want {
		if got, ok := m.Get(w, Hash(w)); !ok || got != v {
			t.Errorf("Get(%q) = %d, %v, want %d, true", w, got, ok, v)
		}
	}
	for _, w := range []string{"", "absent", "x0x"} {
		if got, ok := m.Get(w, Hash(w)); ok {
			t.Errorf("Get(%q) = %d, true, want absent", w, got)
		}
	}
}

func TestIsStopword(t *testing.T) {
	for _, w := range []string{"the", "of", "said", "yesterday", "mr", "it's"} {
		if !IsStopword(Hash(w)) {
			t.Errorf("IsStopword(%q) = false, want true", w)
		}
	}
	for _, w := range []string{"earthquake", "kim", "factory", "The", "", "2008"} {
		if IsStopword(Hash(w)) {
			t.Errorf("IsStopword(%q) = true, want false", w)
		}
	}
	if IsStopword(0) {
		t.Error("IsStopword(0) = true: the hash of no word matched an empty slot")
	}
	n := 0
	for _, h := range stopHashes {
		if h != 0 {
			n++
		}
	}
	if n != len(stopwords) {
		t.Errorf("table holds %d hashes, want %d: a duplicate word or a hash collision", n, len(stopwords))
	}
}

// FuzzHash checks that every way of hashing a term agrees with [Hash]:
// from a text around it, which the chunks may read past the term
// ([HashAt], [HashLowerAt]), from bytes, lower-casing on the way
// ([HashLower]), and chunk by chunk as a hot path streams a word
// ([Chunk], [HashStep], [HashLast]).
func FuzzHash(f *testing.F) {
	for _, s := range []string{"", "a", "kim", "Kim's", "jong-un", "2,290.5", "komsomolsk", "Komsomolsk-on-Amur", "abcdefgh", "abcdefghijklmnopq", "Zürich", "ÀÉ\xff"} {
		f.Add("x ", s, " y")
	}
	f.Fuzz(func(t *testing.T, before, term, after string) {
		want := Hash(term)
		text := before + term + after
		if got := HashAt(text, len(before), len(before)+len(term)); got != want {
			t.Errorf("HashAt(%q in %q) = %#x, want Hash = %#x", term, text, got, want)
		}
		if got := HashBytes([]byte(term)); got != want {
			t.Errorf("HashBytes(%q) = %#x, want Hash = %#x", term, got, want)
		}
		lower := []byte(term)
		for i, c := range lower {
			if 'A' <= c && c <= 'Z' {
				lower[i] = c + 'a' - 'A'
			}
		}
		wantLower := Hash(string(lower))
		if got := HashLower(term); got != wantLower {
			t.Errorf("HashLower(%q) = %#x, want Hash(%q) = %#x", term, got, lower, wantLower)
		}
		if got := HashLowerAt(text, len(before), len(before)+len(term)); got != wantLower {
			t.Errorf("HashLowerAt(%q in %q) = %#x, want Hash(%q) = %#x", term, text, got, lower, wantLower)
		}
		// Streamed: whole chunks from the text, the rest masked.
		padded := text + "\x00\x00\x00\x00\x00\x00\x00\x00"
		h, i := HashSeed, len(before)
		for ; i+8 <= len(before)+len(term); i += 8 {
			h = HashStep(h, Chunk(padded, i))
		}
		rest := Chunk(padded, i) & (1<<(8*uint(len(before)+len(term)-i)) - 1)
		if got := HashLast(h, rest, len(term)); got != want {
			t.Errorf("streamed hash of %q = %#x, want Hash = %#x", term, got, want)
		}
	})
}

// TestHashDistinct checks that the hashes of short terms, and of terms
// that differ only in their length or last chunk, are distinct, as
// tables keyed by them assume, also folded to the 32 bits a feature key
// keeps.
func TestHashDistinct(t *testing.T) {
	const alphabet = "ae's-0,\x00"
	terms := []string{""}
	for n := 1; n <= 4; n++ {
		for _, prefix := range terms[len(terms)-pow(len(alphabet), n-1):] {
			for _, c := range []byte(alphabet) {
				terms = append(terms, prefix+string(c))
			}
		}
	}
	for _, w := range stopwords {
		for _, suffix := range []string{"", "s", "x", "\x00", "-ahead", "ilization"} {
			terms = append(terms, w+suffix, strings.Repeat(w, 3)+suffix)
		}
	}
	seen := map[uint64]string{}
	folded := map[uint32]string{}
	for _, term := range terms {
		h := Hash(term)
		if other, ok := seen[h]; ok && other != term {
			t.Errorf("Hash(%q) = Hash(%q) = %#x", term, other, h)
		}
		seen[h] = term
		if other, ok := folded[uint32(h^h>>32)]; ok && other != term {
			t.Errorf("Hash(%q) and Hash(%q) fold to the same 32 bits", term, other)
		}
		folded[uint32(h^h>>32)] = term
	}
}

func pow(b, n int) int {
	p := 1
	for range n {
		p *= b
	}
	return p
}
