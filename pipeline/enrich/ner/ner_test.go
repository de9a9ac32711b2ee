package ner

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/google/go-cmp/cmp"
	"github.com/wiredesk/wiredesk/pipeline"
	"github.com/wiredesk/wiredesk/pipeline/lexicon"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const (
	seedDir = "../../../testdata/seeds"
	devPath = "../../../../shared/eval/conll/dev.jsonl"
)

func newRecognizer(t testing.TB) *Recognizer {
	t.Helper()
	rec, err := Default()
	if err != nil {
		t.Fatalf("Default() error = %v", err)
	}
	return rec
}

// readSeeds returns the seed articles by file name.
func readSeeds(t testing.TB) map[string]string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(seedDir, "*.txt"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no seed articles in %s (err %v)", seedDir, err)
	}
	seeds := map[string]string{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		seeds[strings.TrimSuffix(filepath.Base(p), ".txt")] = string(b)
	}
	return seeds
}

func TestTokenize(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"hyphenated place", "in Komsomolsk-on-Amur.", []string{"in", "Komsomolsk-on-Amur", "."}},
		{"dotted initials", "the U.S. said", []string{"the", "U.S.", "said"}},
		{"sentence end", "left Ukraine. Air", []string{"left", "Ukraine", ".", "Air"}},
		{"abbreviations", "St. Louis-based Acme Inc. said", []string{"St.", "Louis-based", "Acme", "Inc.", "said"}},
		{"possessive", "Kim’s train", []string{"Kim", "'", "s", "train"}},
		{"apostrophe name", "O'Neill said", []string{"O'Neill", "said"}},
		{"numbers", "1,600 at 88.5", []string{"1,600", "at", "88.5"}},
		{"ampersand", "AT&T and S&P", []string{"AT&T", "and", "S&P"}},
		{"quotes", "“first priority”", []string{"\"", "first", "priority", "\""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, tok := range tokenize(tc.text, nil) {
				got = append(got, tok.text)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("tokenize(%q) mismatch (-want +got):\n%s", tc.text, diff)
			}
		})
	}
}

// TestIsAbbreviation checks that the shortcut tests of isAbbreviation let
// every abbreviation through, and only them.
func TestIsAbbreviation(t *testing.T) {
	for w := range abbreviations {
		if !isAbbreviation(w) {
			t.Errorf("isAbbreviation(%q) = false, want true", w)
		}
	}
	for _, w := range []string{"", "S", "st", "Street", "ST", "Dr.", "Ltd2"} {
		if isAbbreviation(w) {
			t.Errorf("isAbbreviation(%q) = true, want false", w)
		}
	}
}

// TestFoldFields checks appendFold and appendFields against plain forms of
// them built on the strings package, on random strings of letters, digits,
// punctuation, spaces and runes beyond ASCII.
func TestFoldFields(t *testing.T) {
	fold := func(s string) string {
		words := strings.FieldsFunc(s, func(r rune) bool { return !isAlnum(r) })
		for i, w := range words {
			words[i] = strings.Map(unicode.ToLower, w)
		}
		return strings.Join(words, " ")
	}
	pieces := []string{"a", "Z", "Q", "7", " ", "  ", "\n", ".", "-", "'", "É", "ß", "Ж", "’", "\u00a0", "\xff", "日"}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 3000 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		s := b.String()
		if got, want := string(appendFold(nil, s)), fold(s); got != want {
			t.Fatalf("appendFold(%q) = %q, want %q", s, got, want)
		}
		want := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' })
		if got := appendFields(nil, s); !slices.Equal(got, want) {
			t.Fatalf("appendFields(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestTokenizeFlags(t *testing.T) {
	toks := tokenize("SOCCER - LEEDS WIN\nThe Leeds side won. Fans cheered.", nil)
	var sent, caps []string
	for _, tok := range toks {
		if tok.sentStart {
			sent = append(sent, tok.text)
		}
		if tok.capsLine {
			caps = append(caps, tok.text)
		}
	}
	if want := []string{"SOCCER", "The", "Fans"}; !cmp.Equal(sent, want) {
		t.Errorf("sentence starts = %q, want %q", sent, want)
	}
	if want := []string{"SOCCER", "-", "LEEDS", "WIN"}; !cmp.Equal(caps, want) {
		t.Errorf("capitals line = %q, want %q", caps, want)
	}
}

// TestIsAlnum checks the tokenizer's letter-or-digit test, table lookups
// and shortcut included, against the Unicode tables.
func TestIsAlnum(t *testing.T) {
	for r := rune(0); r < 0x3000; r++ {
		if got, want := isAlnum(r), unicode.IsLetter(r) || unicode.IsDigit(r); got != want {
			t.Errorf("isAlnum(%U) = %v, want %v", r, got, want)
		}
	}
}

// referenceConstGroups is constGroups as a plain list, as the model was
// trained with it.
func referenceConstGroups(t *token, k wordKind, f uint8, docClass int) []int {
	dst := []int{cBias}
	initial := t.sentStart || t.capsLine
	if docClass != 0 {
		dst = append(dst, cDoc+docClass-1)
		if initial {
			dst = append(dst, cDocInit+docClass-1)
		}
	}
	if k != kindCapital {
		return dst
	}
	switch {
	case f&seenLower != 0 && initial:
		dst = append(dst, cLowInit)
	case f&seenLower != 0:
		dst = append(dst, cLowMid)
	}
	if initial && f&seenCapMid != 0 {
		dst = append(dst, cCapInit)
	}
	return dst
}

// TestGroupsOf checks the group sets, and the constant groups and the
// tagger's vectors listed from them, against referenceConstGroups and
// groupActive, for every kind of word, document flags, document class
// and token flags: the groups and their order.
func TestGroupsOf(t *testing.T) {
	rec := newRecognizer(t)
	info := rec.bos
	s := &scratch{toks: make([]token, 1), infos: []*wordInfo{info}, doc: make([]docStat, info.lower+1)}
	for _, k := range []wordKind{kindOther, kindCapital, kindLower} {
		for f := range uint8(4) {
			for docClass := range len(classNames) {
				for _, tok := range []token{{}, {sentStart: true}, {capsLine: true}, {sentStart: true, capsLine: true}} {
					want := referenceConstGroups(&tok, k, f, docClass)
					if got := constGroups(nil, &tok, k, f, docClass); !slices.Equal(got, want) {
						t.Errorf("constGroups(%+v, kind %d, flags %d, class %d) = %v, want %v", tok, k, f, docClass, got, want)
					}
					for st := range numStages {
						var wantVecs []*[numTags]float32
						for _, g := range []int{gSent, gCaps} {
							if groupActive(g, &tok) {
								wantVecs = append(wantVecs, &info.vec[st][g])
							}
						}
						for _, c := range want {
							wantVecs = append(wantVecs, &rec.stages[st].consts[c])
						}
						s.toks[0], s.doc[info.lower].class = tok, int8(docClass)
						n := rec.moreGroups(s, st, 0, groupsOf(&tok, k, f, docClass))
						if !slices.Equal(s.more[:n], wantVecs) {
							t.Errorf("moreGroups(%+v, kind %d, flags %d, class %d, stage %d) lists %d vectors, not those of %v", tok, k, f, docClass, st, n, want)
						}
					}
				}
			}
		}
	}
}

func TestGazetteer(t *testing.T) {
	g := newGazetteer([]string{"Kyiv", "New York", "York", "Buenos Aires"})
	tests := []struct {
		word, want string
	}{
		{"Kyiv", "1"},  // a whole name
		{"NEW", "2"},   // first word of a name
		{"york", "5"},  // a whole name and a later word
		{"aires", "4"}, // a later word
		{"London", ""}, // not a place of the list
	}
	for _, tc := range tests {
		if got := propsOf(tc.word, g).gazetteer; got != tc.want {
			t.Errorf("gazetteer of %q = %q, want %q", tc.word, got, tc.want)
		}
	}
}

// span marks a mention in a merge test: a form and the class it is tagged.
type span struct {
	form  string
	class int
}

// TestViterbiExact checks the decoder's shortcut (the path that leads by
// more than the spread taken without comparing) against a plain Viterbi
// decoder, on random transitions and emissions: from peaked ones, where
// one tag (O, or another at each token) leads by far and the shortcut
// applies at most tokens, to flat ones, where it seldom does.
func TestViterbiExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 600 {
		var tr transitions
		for p := range tr {
			for q := range tr[p] {
				tr[p][q] = float32(rng.NormFloat64() * 3)
			}
		}
		d := newDecoder(&tr)
		n := 1 + rng.IntN(12)
		emit := make([][numTags]float32, n)
		lead := float64(trial%5) * 10 // how far the peaked tag tends to lead
		for i := range emit {
			for q := range emit[i] {
				emit[i][q] = float32(rng.NormFloat64() * 5)
			}
			peak := tagO
			if trial%7 >= 4 {
				peak = rng.IntN(numTags)
			}
			emit[i][peak] += float32(lead * rng.Float64())
		}
		from := []int{numTags, tagO}[trial%2]
		toO := trial%3 == 0
		got := make([]int8, n)
		d.viterbi(emit, got, make([][numTags]int8, n), from, toO)
		if want := plainViterbi(&d.tr, emit, from, toO); !slices.Equal(got, want) {
			t.Fatalf("trial %d: viterbi = %v, want %v", trial, got, want)
		}
	}
}

// plainViterbi decodes emit with transitions tr (-Inf where forbidden),
// comparing every pair of tags at every token.
func plainViterbi(tr *transitions, emit [][numTags]float32, from int, toO bool) []int8 {
	n := len(emit)
	back := make([][numTags]int8, n)
	var cur [numTags]float32
	for q := range numTags {
		cur[q] = tr[from][q] + emit[0][q]
	}
	for i := 1; i < n; i++ {
		var next [numTags]float32
		for q := range numTags {
			best, arg := float32(math.Inf(-1)), int8(0)
			for p := range numTags {
				if s := cur[p] + tr[p][q]; s > best {
					best, arg = s, int8(p)
				}
			}
			next[q], back[i][q] = best+emit[i][q], arg
		}
		cur = next
	}
	if toO {
		for q := range numTags {
			cur[q] += tr[q][tagO]
		}
	}
	arg := int8(0)
	for q := range numTags {
		if cur[q] > cur[arg] {
			arg = int8(q)
		}
	}
	tags := make([]int8, n)
	for i := n - 1; i >= 0; i-- {
		tags[i] = arg
		arg = back[i][arg]
	}
	return tags
}

func TestMerge(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		mentions []span // tagged in order of appearance, each at its next occurrence
		want     []pipeline.Entity
	}{
		{
			name:     "surname and spelling variants join the full name",
			text:     "Kim Jong Un met Vladimir Putin. Putin and Kim talked. Kim Jong-un left.",
			mentions: []span{{"Kim Jong Un", classPerson}, {"Vladimir Putin", classPerson}, {"Putin", classPerson}, {"Kim", classPerson}, {"Kim Jong-un", classPerson}},
			want: []pipeline.Entity{
				{Name: "Kim Jong Un", Type: "person", Forms: []string{"Kim Jong Un", "Kim", "Kim Jong-un"}, Mentions: 3, Offset: 0},
				{Name: "Vladimir Putin", Type: "person", Forms: []string{"Vladimir Putin", "Putin"}, Mentions: 2, Offset: 16},
			},
		},
		{
			name:     "relatives and namesakes stay apart",
			text:     "Kim Jong Un, son of Kim Jong-il, met Kim Yung-ho. Kim spoke. Kim Jong Un left.",
			mentions: []span{{"Kim Jong Un", classPerson}, {"Kim Jong-il", classPerson}, {"Kim Yung-ho", classPerson}, {"Kim", classPerson}, {"Kim Jong Un", classPerson}},
			want: []pipeline.Entity{
				{Name: "Kim Jong Un", Type: "person", Forms: []string{"Kim Jong Un", "Kim"}, Mentions: 3, Offset: 0},
				{Name: "Kim Jong-il", Type: "person", Forms: []string{"Kim Jong-il"}, Mentions: 1, Offset: 20},
				{Name: "Kim Yung-ho", Type: "person", Forms: []string{"Kim Yung-ho"}, Mentions: 1, Offset: 37},
			},
		},
		{
			name:     "alias table and acronyms",
			text:     "The DPRK said North Korea and the European Union disagree. The EU objected.",
			mentions: []span{{"DPRK", classOrg}, {"North Korea", classLoc}, {"European Union", classOrg}, {"EU", classOrg}},
			want: []pipeline.Entity{
				{Name: "North Korea", Type: "location", Forms: []string{"DPRK", "North Korea"}, Mentions: 2, Offset: 4},
				{Name: "European Union", Type: "organization", Forms: []string{"European Union", "EU"}, Mentions: 2, Offset: 34},
			},
		},
		{
			name:     "a city and its team are two entities",
			text:     "Chicago beat Boston in Chicago.",
			mentions: []span{{"Chicago", classOrg}, {"Boston", classOrg}, {"Chicago", classLoc}},
			want: []pipeline.Entity{
				{Name: "Chicago", Type: "organization", Forms: []string{"Chicago"}, Mentions: 1, Offset: 0},
				{Name: "Boston", Type: "organization", Forms: []string{"Boston"}, Mentions: 1, Offset: 13},
				{Name: "Chicago", Type: "location", Forms: []string{"Chicago"}, Mentions: 1, Offset: 23},
			},
		},
		{
			name:     "a name tagged mostly as a person is a person",
			text:     "Putin spoke. Putin left. Putin won.",
			mentions: []span{{"Putin", classPerson}, {"Putin", classLoc}, {"Putin", classPerson}},
			want: []pipeline.Entity{
				{Name: "Putin", Type: "person", Forms: []string{"Putin"}, Mentions: 3, Offset: 0},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			toks := tokenize(tc.text, nil)
			var ms []mention
			pos := 0
			for _, s := range tc.mentions {
				at := strings.Index(tc.text[pos:], s.form)
				if at < 0 {
					t.Fatalf("%q not found after byte %d", s.form, pos)
				}
				start, end := pos+at, pos+at+len(s.form)
				m := mention{lo: -1, class: s.class}
				for i, tok := range toks {
					if tok.start == start {
						m.lo = i
					}
					if tok.end == end {
						m.hi = i + 1
					}
				}
				if m.lo < 0 || m.hi <= m.lo {
					t.Fatalf("%q at %d is not a token range", s.form, start)
				}
				ms = append(ms, m)
				pos = end
			}
			var mg merger
			got := mg.merge(tc.text, toks, ms)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("merge(%q) mismatch (-want +got):\n%s", tc.text, diff)
			}
		})
	}
}

func TestSeedsGolden(t *testing.T) {
	rec := newRecognizer(t)
	for name, text := range readSeeds(t) {
		t.Run(name, func(t *testing.T) {
			got, err := json.MarshalIndent(rec.Entities(text), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read golden file (run with -update to create it): %v", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("Entities(%s) mismatch (-want +got):\n%s", name, diff)
			}
		})
	}
}

// TestSeedBars checks the entities the product issue requires of the seeds.
func TestSeedBars(t *testing.T) {
	type want struct {
		name string // folded canonical name
		typ  string // "" for any type
		in   []string
	}
	bars := []want{
		{"kim jong un", "person", []string{"000", "001", "002", "003"}},
		{"vladimir putin", "person", []string{"000", "001", "002", "003"}},
		{"komsomolsk on amur", "location", []string{"002", "003"}},
		{"vostochny cosmodrome", "", []string{"000", "001"}},
		{"ria novosti", "organization", []string{"000", "002", "003"}},
		{"tass", "organization", []string{"003"}},
	}
	rec := newRecognizer(t)
	seeds := readSeeds(t)
	for _, b := range bars {
		for _, prefix := range b.in {
			t.Run(b.name+"/"+prefix, func(t *testing.T) {
				var text string
				for name, s := range seeds {
					if strings.HasPrefix(name, prefix+"_") {
						text = s
					}
				}
				if text == "" {
					t.Fatalf("no seed %s", prefix)
				}
				var found []pipeline.Entity
				for _, e := range rec.Entities(text) {
					if string(appendFold(nil, e.Name)) == b.name {
						found = append(found, e)
					}
				}
				if len(found) != 1 {
					t.Fatalf("entities named %q = %+v, want exactly one", b.name, found)
				}
				if b.typ != "" && found[0].Type != b.typ {
					t.Errorf("%q has type %q, want %q", b.name, found[0].Type, b.typ)
				}
			})
		}
	}
}

// TestEntitiesInvariants checks what every entity list promises: sorted by
// offset, each form at least once in the text, the first mention at Offset.
func TestEntitiesInvariants(t *testing.T) {
	rec := newRecognizer(t)
	for name, text := range readSeeds(t) {
		ents := rec.Entities(text)
		for i, e := range ents {
			if i > 0 && ents[i-1].Offset > e.Offset {
				t.Errorf("%s: entity %d (%q) at %d after entity at %d", name, i, e.Name, e.Offset, ents[i-1].Offset)
			}
			if e.Mentions < len(e.Forms) {
				t.Errorf("%s: %q has %d mentions of %d forms", name, e.Name, e.Mentions, len(e.Forms))
			}
			atOffset := false
			for _, f := range e.Forms {
				if !strings.Contains(normalizeSpace(text), f) {
					t.Errorf("%s: form %q of %q not in text", name, f, e.Name)
				}
				atOffset = atOffset || strings.HasPrefix(normalizeSpace(text[e.Offset:]), f)
			}
			if !atOffset {
				t.Errorf("%s: no form of %q at offset %d", name, e.Name, e.Offset)
			}
		}
	}
}

// TestDevF1 holds the recognizer to the product bar on CoNLL-2003 dev,
// measured as shared/eval/score_entities.py does.
func TestDevF1(t *testing.T) {
	f, err := os.Open(devPath)
	if err != nil {
		t.Fatalf("CoNLL-2003 dev set missing: %v", err)
	}
	defer f.Close()
	docs, err := ReadDocuments(f)
	if err != nil {
		t.Fatal(err)
	}
	ev := newRecognizer(t).Evaluate(docs)
	for _, typ := range ScoredTypes {
		s := ev.ByType[typ]
		t.Logf("%-13s precision=%.3f recall=%.3f f1=%.3f", typ, s.Precision(), s.Recall(), s.F1())
	}
	t.Logf("overall       precision=%.3f recall=%.3f f1=%.3f (%d documents)", ev.Overall.Precision(), ev.Overall.Recall(), ev.Overall.F1(), len(docs))
	if got := ev.Overall.F1(); got < 0.88 {
		t.Errorf("dev F1 = %.3f, want >= 0.88", got)
	}
}

func TestConcurrentEntities(t *testing.T) {
	rec := newRecognizer(t)
	seeds := readSeeds(t)
	want := map[string][]pipeline.Entity{}
	for name, text := range seeds {
		want[name] = rec.Entities(text)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for name, text := range seeds {
				if diff := cmp.Diff(want[name], rec.Entities(text)); diff != "" {
					t.Errorf("concurrent Entities(%s) mismatch (-want +got):\n%s", name, diff)
				}
			}
		})
	}
	wg.Wait()
}

func TestTrainLoad(t *testing.T) {
	docs := []Document{
		{Text: "Alice Smith flew to Paris.\nBob Jones works for Acme Corp in Berlin.", Spans: []Span{
			{0, 11, "person"}, {20, 25, "location"}, {27, 36, "person"}, {47, 56, "organization"}, {60, 66, "location"},
		}},
	}
	model, err := Train(docs, TrainConfig{Epochs: 5})
	if err != nil {
		t.Fatalf("Train() error = %v", err)
	}
	rec, err := Load(bytes.NewReader(model))
	if err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	ev := rec.Evaluate(docs)
	if ev.Overall.F1() != 1 {
		t.Errorf("F1 on the training document = %.3f (%+v), want 1", ev.Overall.F1(), ev.ByType)
	}
}

func TestTrainErrors(t *testing.T) {
	tests := []struct {
		name string
		docs []Document
	}{
		{"no documents", nil},
		{"unknown type", []Document{{Text: "Alice", Spans: []Span{{0, 5, "animal"}}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Train(tc.docs, TrainConfig{}); err == nil {
				t.Error("Train() error = nil, want an error")
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"not gzip", []byte("model")},
		{"truncated", embeddedModel[:len(embeddedModel)/2]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Load(bytes.NewReader(tc.data)); err == nil {
				t.Error("Load() error = nil, want an error")
			}
		})
	}
}

func TestReadDocuments(t *testing.T) {
	in := `{"text": "Né à Paris", "entities": [{"text": "Paris", "type": "location", "start": 5, "end": 10}]}` + "\n"
	docs, err := ReadDocuments(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Document{{Text: "Né à Paris", Spans: []Span{{Start: 7, End: 12, Type: "location"}}}}
	if diff := cmp.Diff(want, docs); diff != "" {
		t.Errorf("ReadDocuments mismatch (-want +got):\n%s", diff)
	}
	if _, err := ReadDocuments(strings.NewReader(`{"text": "a", "entities": [{"start": 0, "end": 5}]}`)); err == nil {
		t.Error("ReadDocuments(span outside text) error = nil, want an error")
	}
}

// BenchmarkEntities tags a 5.7 KB news article (seed 001).
func BenchmarkEntities(b *testing.B) {
	rec := newRecognizer(b)
	var text string
	for name, s := range readSeeds(b) {
		if strings.HasPrefix(name, "001_") {
			text = s
		}
	}
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		rec.Entities(text)
	}
}

// BenchmarkLoad decodes the embedded model and reports the heap it holds.
func BenchmarkLoad(b *testing.B) {
	var before, after runtime.MemStats
	var rec *Recognizer
	for b.Loop() {
		runtime.GC()
		runtime.ReadMemStats(&before)
		var err error
		if rec, err = Load(bytes.NewReader(embeddedModel)); err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
	}
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "heap-MiB")
	runtime.KeepAlive(rec)
}

// TestLookupCache checks that words outside the vocabulary are cached until
// the cache is full, and tagged without document statistics after.
func TestLookupCache(t *testing.T) {
	rec, err := Load(bytes.NewReader(embeddedModel))
	if err != nil {
		t.Fatal(err)
	}
	first := rec.lookup("Zzyzxville", lexicon.Hash("Zzyzxville"))
	if again := rec.lookup("Zzyzxville", lexicon.Hash("Zzyzxville")); again != first {
		t.Error("lookup of a new word twice returned two computations, want the cached one")
	}
	if first.lower < int32(len(rec.lowerIDs)) {
		t.Errorf("new word has lower-case id %d, want one past the vocabulary's %d", first.lower, len(rec.lowerIDs))
	}
	for i := len(rec.seen); i < maxSeenWords; i++ {
		rec.seen[fmt.Sprintf("filler%d", i)] = first
	}
	text := "Officials in Qwertyburg said Qwertyburg would vote."
	got := rec.Entities(text)
	if len(rec.seen) != maxSeenWords {
		t.Errorf("cache holds %d words after tagging, want at most %d", len(rec.seen), maxSeenWords)
	}
	if info := rec.lookup("Qwertyburg", lexicon.Hash("Qwertyburg")); info.lower != -1 {
		t.Errorf("word met with a full cache has lower-case id %d, want -1", info.lower)
	}
	for _, e := range got {
		if !strings.Contains(text, e.Forms[0]) {
			t.Errorf("entity form %q not in the text", e.Forms[0])
		}
	}
}

func TestEntitiesNoNames(t *testing.T) {
	rec := newRecognizer(t)
	for _, text := range []string{"", "   \n", "nothing here is named at all."} {
		if got := rec.Entities(text); got == nil || len(got) != 0 {
			t.Errorf("Entities(%q) = %#v, want an empty, non-nil list", text, got)
		}
	}
}

// FuzzEntities checks that any text tags without a panic into entities
// whose offsets and forms point into it.
func FuzzEntities(f *testing.F) {
	for _, s := range []string{"", "Kim Jong Un met Vladimir Putin in Komsomolsk-on-Amur.", "U.S. St. Louis-based Acme Inc.\nDPRK", "“Kyiv’s” O'Neill AT&T 1,600 \xff\xfe"} {
		f.Add(s)
	}
	rec := newRecognizer(f)
	f.Fuzz(func(t *testing.T, text string) {
		flat := normalizeSpace(text)
		for _, e := range rec.Entities(text) {
			if e.Offset < 0 || e.Offset >= len(text) || e.Mentions < len(e.Forms) || len(e.Forms) == 0 {
				t.Fatalf("Entities(%q) gave %+v", text, e)
			}
			for _, form := range e.Forms {
				if !strings.Contains(flat, form) {
					t.Fatalf("Entities(%q): form %q not in the text", text, form)
				}
			}
		}
	})
}
