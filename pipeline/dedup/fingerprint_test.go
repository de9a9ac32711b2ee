package dedup

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wiredesk/wiredesk/pipeline/lexicon"
)

// FuzzReadWordAt checks that the chunked reading of ASCII words finds the
// words [lexicon.NextWord] finds, and reads them as the general [readWord]
// does, whatever the text, each hashed as the [lexicon.Hash] of its term
// lower-cased (a number's without thousands separators).
func FuzzReadWordAt(f *testing.F) {
	f.Add("Kim's 2,290-point Su-57 jets, 9.5 km.")
	f.Add("Komsomolsk-on-Amur INTERNATIONALLY counteroffensive, abcdefgh abcdefghijklmnop 12345678,901 x")
	f.Add("said. Ukraine, 1,000,000th e-mail's O'Neill's rock-n-roll's 3.14159265358979 Kim")
	f.Add("KIM’S Jong-un e-mail O'Neill’s rock’n’roll")
	f.Add("a--b 'quoted' x's s' U.S. 3,2013,12:38 1,000th")
	f.Add("Zürich-Nord naïve İstanbul Москва 歐陽 ٣,٤ 3,٤ a-é")
	f.Add("ab’ ab' 'ab x-1 1-x — – … \xff\xe2\x80 s's")
	f.Fuzz(func(t *testing.T, text string) {
		from := 0
		for start, end := lexicon.NextWord(text, 0); start >= 0; start, end = lexicon.NextWord(text, end) {
			if got := wordStart(text, from); got != start {
				t.Fatalf("wordStart(%q, %d) = %d, want %d", text, from, got, start)
			}
			gotEnd, got := readWordAt(text, start)
			want := readWord(text[start:end])
			if gotEnd != end || got != want {
				t.Fatalf("readWordAt(%q, %d) = %d, %+v, want %d, %+v", text, start, gotEnd, got, end, want)
			}
			if h := lexicon.Hash(normalTerm(got)); got.h != h {
				t.Fatalf("readWordAt(%q, %d) hashes %q as %#x, want %#x", text, start, got.term, got.h, h)
			}
			from = end
		}
		if got := wordStart(text, from); got != -1 {
			t.Fatalf("wordStart(%q, %d) = %d after the last word, want -1", text, from, got)
		}
	})
}

// normalTerm returns the term of wd as its hash reads it: lower-cased, a
// number without thousands separators.
func normalTerm(wd word) string {
	term := strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, wd.term)
	if wd.is&numberWord != 0 {
		term = strings.ReplaceAll(term, ",", "")
	}
	return term
}

// FuzzFeatureHashes checks that every feature of a text, whatever its
// kind, is counted under the [lexicon.Hash] of its text as evidence shows
// it (see [fingerprint.appendText]): the hashes computed while reading
// words, parts of hyphenated words and names agree with the hash of the
// text. A name's text, kept as the extraction built it, must be that of
// the words it spans read anew.
func FuzzFeatureHashes(f *testing.F) {
	f.Add("North Korean leader Kim Jong-un met Vladimir Putin's aides on Sept. 13, paying 2,290 roubles.")
	f.Add("The F-16s of Komsomolsk-on-Amur Aviation Production Association flew. Zürich-Nord's İstanbul Москва MIKHAIL GORBACHEV’S 1,000-year")
	f.Add("Su-57 jets O'Neill’s rock’n’roll a--b x's 3,2013,12:38 1,000th Jean-Claude Van Damme-Smith")
	table := lexicon.Default()
	f.Fuzz(func(t *testing.T, text string) {
		if !utf8.ValidString(text) {
			return // articles are valid UTF-8
		}
		fp := extract("", text, table)
		defer fp.release()
		for i := range fp.sc.feats {
			f := &fp.sc.feats[i]
			want := string(fp.appendText(nil, f))
			if got := fp.sc.hashes[i]; got != lexicon.Hash(want) {
				t.Errorf("feature %q (kind %c) of %q is hashed as %#x, want the Hash of its text, %#x", want, f.kind, text, got, lexicon.Hash(want))
			}
			if span := fp.body[f.start:f.end]; f.kind == kindName && want != nameText(span) {
				t.Errorf("name %q of %q has the text %q, want that of its words, %q", span, text, want, nameText(span))
			}
		}
	})
}

// nameText returns the text of a name from the words it spans: their
// normalised lower-case forms, hyphens made spaces, joined by spaces.
func nameText(span string) string {
	var words []string
	for start, end := lexicon.NextWord(span, 0); start >= 0; start, end = lexicon.NextWord(span, end) {
		word := termOf(span[start:end]) // lower-cased here if ASCII
		if isNumber(word) {
			word = strings.ReplaceAll(word, ",", "")
		}
		word = strings.Map(func(r rune) rune {
			switch {
			case r == '-':
				return ' '
			case r < utf8.RuneSelf:
				return rune(asciiLower(byte(r)))
			}
			return r
		}, word)
		words = append(words, word)
	}
	return strings.Join(words, " ")
}

// TestIndexTableGenerations checks that an emptied index table holds
// nothing of before, including when its generation count wraps around.
// TestStopwordsAreNoFeatures checks that the words that say nothing of a
// story's topic (function words, reporting verbs, time words) are not
// counted as features, while the words around them are.
func TestStopwordsAreNoFeatures(t *testing.T) {
	text := "The minister said on Monday that the Bank of England would raise rates, the minister said."
	fp := extract("", text, lexicon.Default())
	defer fp.release()
	for _, h := range fp.terms {
		if lexicon.IsStopword(h) {
			t.Errorf("feature %x is a stopword", h)
		}
	}
	for _, w := range []string{"minister", "raise", "rates", "bank", "england"} {
		if !slices.Contains(fp.terms, lexicon.Hash(w)) {
			t.Errorf("features lack %q", w)
		}
	}
	for _, w := range []string{"the", "said", "monday", "that", "would"} {
		if slices.Contains(fp.terms, lexicon.Hash(w)) {
			t.Errorf("features hold the stopword %q", w)
		}
	}
}

func TestIndexTableGenerations(t *testing.T) {
	var x indexTable
	for round := range 4 {
		for i := range int32(300) { // enough to grow the table
			k := uint64(i) << 40 // keys alike in their low bits
			if got, ok := x.lookup(k, i); ok || got != i {
				t.Fatalf("round %d: lookup(new %d) = %d, %v, want %d, false", round, i, got, ok, i)
			}
			if got, ok := x.lookup(k, -1); !ok || got != i {
				t.Fatalf("round %d: lookup(held %d) = %d, %v, want %d, true", round, i, got, ok, i)
			}
		}
		x.reset()
		if round == 1 {
			x.gen = math.MaxUint32 // the next reset wraps around
		}
	}
}

// TestCompareMerge checks the signals of compare against a plain merge of
// the keys, bit for bit: decisions compare them with thresholds and with
// each other.
func TestCompareMerge(t *testing.T) {
	g := newGenerator(t)
	table := lexicon.Default()
	sigs := make([]Signature, 40)
	for i := range sigs {
		fp := extract("", g.article(i/4, i%4), table)
		table.ObserveHashes(fp.terms)
		sigs[i] = fp.sig
	}
	sigs = append(sigs, Signature{}) // no features at all
	for i := range sigs {
		for j := range sigs {
			if got, want := compare(&sigs[i], &sigs[j]), plainCompare(&sigs[i], &sigs[j]); got != want {
				t.Errorf("compare(%d, %d) = %+v, want %+v", i, j, got, want)
			}
		}
	}
}

// TestKeyIndexRepeatedKeys checks a reused key index against a plain merge
// on signatures drawn from a dozen keys probed from the same two slots, so
// that keys repeat within one (two hashes folded alike) and probes go past
// other keys, wrapping round the end of the table.
func TestKeyIndexRepeatedKeys(t *testing.T) {
	var k keyIndex
	var pool []uint32
	for key := uint32(0); len(pool) < 12; key++ {
		if h := k.home(key); h == 0 || h == keyIndexSlots-1 {
			pool = append(pool, key)
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	random := func() *Signature {
		var s Signature
		s.N = uint8(rng.IntN(SignatureTerms + 1))
		for i := range s.N {
			s.Keys[i] = pool[rng.IntN(len(pool))]
			s.Weights[i] = uint16(rng.Uint32())
		}
		slices.Sort(s.Keys[:s.N])
		return &s
	}
	for range 200 {
		a := random()
		k.reset(a)
		for range 20 {
			b := random()
			if got, want := k.compare(b), plainCompare(a, b); got != want {
				t.Fatalf("keys %v against %v: %+v, want %+v", a.Keys[:a.N], b.Keys[:b.N], got, want)
			}
		}
	}
}

// plainCompare is compare written as a plain merge.
func plainCompare(a, b *Signature) signals {
	var s signals
	var dot float64
	i, j := 0, 0
	for i < int(a.N) && j < int(b.N) {
		switch {
		case a.Keys[i] < b.Keys[j]:
			i++
		case a.Keys[i] > b.Keys[j]:
			j++
		default:
			wa, wb := weight(a.Weights[i]), weight(b.Weights[j])
			dot += wa * wb
			s.support += min(wa*wb, supportCap)
			s.covered += wa * wa
			s.covering += wb * wb
			i++
			j++
		}
	}
	s.base = s.support
	s.cosine = math.Min(1, dot)
	s.covered = math.Min(1, s.covered)
	s.covering = math.Min(1, s.covering)
	for i, j = 0, 0; i < int(a.NS) && j < int(b.NS); {
		switch {
		case a.Sentences[i] < b.Sentences[j]:
			i++
		case a.Sentences[i] > b.Sentences[j]:
			j++
		default:
			s.sentences++
			i++
			j++
		}
	}
	if b.Words > 0 {
		s.lengthRatio = float64(a.Words) / float64(b.Words)
	}
	if b.NS > 0 {
		s.sentenceShare = float64(s.sentences) / float64(b.NS)
	}
	return s
}

// TestKeyIndexFilter checks that the filter of a key index passes every
// key of its signature and stops nearly all others.
func TestKeyIndexFilter(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var k keyIndex
	passed, tried := 0, 0
	for range 100 {
		var s Signature
		s.N = SignatureTerms
		for i := range s.Keys {
			s.Keys[i] = rng.Uint32()
		}
		slices.Sort(s.Keys[:])
		k.reset(&s)
		for _, key := range s.Keys {
			if !k.mayHold(key) {
				t.Fatalf("mayHold(%#x) = false for a key of the signature", key)
			}
		}
		for range 100 {
			tried++
			passed += b2i(k.mayHold(rng.Uint32()))
		}
	}
	if rate := float64(passed) / float64(tried); rate > 0.06 {
		t.Errorf("filter passed %.3f of other keys, want about 1/30", rate)
	}
}

func TestPunctuatedBreak(t *testing.T) {
	for gap, want := range map[string]bool{
		". ": true, "? ": true, "!\" ": true, "\n": true, ",\n": true, " \n ": true,
		", ": false, ".": false, "-": false, ". -": false, "": false, "' ": false,
	} {
		if got := sentenceBreak(gap); got != want {
			t.Errorf("sentenceBreak(%q) = %v, want %v", gap, got, want)
		}
	}
}

// TestSharedKeys checks the merged mask of shared keys against a search
// for each key, on signatures drawn from a few keys, so that keys repeat.
func TestSharedKeys(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for range 1000 {
		a, b := fewKeys(rng), fewKeys(rng)
		var want uint32
		for i, key := range a.Keys[:a.N] {
			if slices.Contains(b.Keys[:b.N], key) {
				want |= 1 << i
			}
		}
		if got := sharedKeys(a, b); got != want {
			t.Fatalf("sharedKeys(%v, %v) = %b, want %b", a.Keys[:a.N], b.Keys[:b.N], got, want)
		}
	}
}

// fewKeys returns a signature of random length whose keys are drawn from
// 40, so that two share keys and keys repeat within one.
func fewKeys(rng *rand.Rand) *Signature {
	var s Signature
	s.N = uint8(rng.IntN(SignatureTerms + 1))
	for i := range s.N {
		s.Keys[i] = uint32(rng.IntN(40))
	}
	slices.Sort(s.Keys[:s.N])
	return &s
}
