package enrich

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/wiredesk/wiredesk/internal/testkit"

	"github.com/google/go-cmp/cmp"

	"github.com/wiredesk/wiredesk/pipeline"
	"github.com/wiredesk/wiredesk/pipeline/lexicon"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// seedResult is the part of an enriched event this package owns.
type seedResult struct {
	File               string             `json:"file"`
	Title              string             `json:"title"`
	Lead               string             `json:"lead"`
	Language           string             `json:"language"`
	LanguageConfidence float64            `json:"language_confidence"`
	WordCount          int                `json:"word_count"`
	ReadingTimeSeconds int                `json:"reading_time_seconds"`
	Keywords           []pipeline.Keyword `json:"keywords"`
}

// seed is a sample article of testdata/seeds: its file name and text.
type seed struct{ name, text string }

// readSeeds returns the sample articles of testdata/seeds, sorted by file
// name; it fails the test if there are none.
func readSeeds(tb testing.TB) []seed {
	tb.Helper()
	paths, err := filepath.Glob("../../testdata/seeds/*.txt")
	if err != nil || len(paths) == 0 {
		tb.Fatalf("no seed articles found in ../../testdata/seeds (err %v)", err)
	}
	seeds := make([]seed, len(paths))
	for i, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		seeds[i] = seed{filepath.Base(p), string(data)}
	}
	return seeds
}

// TestSeeds enriches the four sample articles (raw, as cleaning would leave
// their paragraphs) with the real background rarity table, checks the
// properties any reader would expect, and compares the whole output with
// testdata/seeds.golden (rewrite it with -update after an intended change).
func TestSeeds(t *testing.T) {
	x := newTestEnricher(t, Config{}, lexicon.Default())
	stage := x.Stage()
	var got []seedResult
	for _, seed := range readSeeds(t) {
		e, err := stage(testkit.Context(t, 10*time.Second), pipeline.NewEvent(&pipeline.Article{ID: seed.name, Text: seed.text}))
		if err != nil {
			t.Fatalf("Stage(%s) error = %v", seed.name, err)
		}
		r := seedResult{seed.name, e.Title, e.Lead, e.Language, e.LanguageConfidence, e.WordCount, e.ReadingTimeSeconds, e.Keywords}
		checkSeed(t, r, seed.text)
		got = append(got, r)
	}

	golden := filepath.Join("testdata", "seeds.golden")
	out, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(golden, append(out, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read golden (run with -update to create it): %v", err)
	}
	if diff := cmp.Diff(strings.TrimSpace(string(want)), string(out)); diff != "" {
		t.Errorf("seed enrichment mismatch (-want +got):\n%s", diff)
	}
}

func checkSeed(t *testing.T, r seedResult, text string) {
	t.Helper()
	if r.Language != "en" || r.LanguageConfidence < 0.9 {
		t.Errorf("%s: language = %q (%v), want en with confidence >= 0.9", r.File, r.Language, r.LanguageConfidence)
	}
	// Every seed is a news article of a few hundred to a thousand words.
	if r.WordCount < 300 || r.WordCount > 1200 {
		t.Errorf("%s: word count = %d, want 300..1200", r.File, r.WordCount)
	}
	if r.ReadingTimeSeconds != readingTimeSeconds(r.WordCount, DefaultWordsPerMinute) {
		t.Errorf("%s: reading time = %d s, want %d", r.File, r.ReadingTimeSeconds, readingTimeSeconds(r.WordCount, DefaultWordsPerMinute))
	}
	if r.Lead == "" || !strings.Contains(text, r.Lead) || utf8.RuneCountInString(r.Lead) > DefaultLeadMaxChars ||
		!strings.ContainsAny(r.Lead[len(r.Lead)-1:], ".!?") {
		t.Errorf("%s: lead = %q, want a sentence of the text within %d characters", r.File, r.Lead, DefaultLeadMaxChars)
	}
	if len(r.Keywords) == 0 || r.Keywords[0].Score != 1 {
		t.Fatalf("%s: keywords = %v, want some, the best scored 1", r.File, r.Keywords)
	}
	// The four seeds report the same story: Kim Jong Un's visit to Russia.
	var names int
	for _, k := range r.Keywords {
		if strings.Contains(k.Term, "Korea") || strings.Contains(k.Term, "Russia") || strings.Contains(k.Term, "Kim") {
			names++
		}
	}
	if names < 2 {
		t.Errorf("%s: keywords = %v, want at least two naming the story's countries or leader", r.File, r.Keywords)
	}
}
