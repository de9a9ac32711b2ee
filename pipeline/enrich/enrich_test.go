package enrich

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/wiredesk/wiredesk/internal/testkit"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/wiredesk/wiredesk/pipeline"
)

// fakeRecognizer returns the same entities for every text.
type fakeRecognizer []pipeline.Entity

func (f fakeRecognizer) Entities(string) []pipeline.Entity { return f }

// fakeRarity gives listed terms their IDF and every other term 0 (common).
type fakeRarity map[string]float64

func (f fakeRarity) IDF(term string) float64 { return f[term] }

func newTestEnricher(t testing.TB, cfg Config, rarity Rarity) *Enricher {
	t.Helper()
	x, err := New(cfg, fakeRecognizer(nil), rarity, nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return x
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr bool
	}{
		{name: "zero value means defaults", cfg: Config{}},
		{name: "explicit values", cfg: Config{Languages: []string{"en", "de"}, LanguageSampleBytes: 1024, MaxKeywords: 5, LeadMaxChars: 200, LeadMaxSentences: 2, WordsPerMinute: 250}},
		{name: "negative sample", cfg: Config{LanguageSampleBytes: -1}, wantErr: true},
		{name: "negative keywords", cfg: Config{MaxKeywords: -1}, wantErr: true},
		{name: "negative lead chars", cfg: Config{LeadMaxChars: -5}, wantErr: true},
		{name: "negative lead sentences", cfg: Config{LeadMaxSentences: -1}, wantErr: true},
		{name: "negative reading speed", cfg: Config{WordsPerMinute: -230}, wantErr: true},
		{name: "one language", cfg: Config{Languages: []string{"en"}}, wantErr: true},
		{name: "unknown code", cfg: Config{Languages: []string{"en", "xx"}}, wantErr: true},
		{name: "upper-case code", cfg: Config{Languages: []string{"EN", "de"}}, wantErr: true},
		{name: "duplicate code", cfg: Config{Languages: []string{"en", "de", "en"}}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if tc.wantErr != (err != nil) {
				t.Fatalf("Validate() = %v, want error: %v", err, tc.wantErr)
			}
			if err != nil && !errors.Is(err, ErrInvalidConfig) {
				t.Errorf("Validate() = %v, want it to wrap ErrInvalidConfig", err)
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name   string
		cfg    Config
		rec    Recognizer
		rarity Rarity
	}{
		{name: "invalid config", cfg: Config{MaxKeywords: -1}, rec: fakeRecognizer(nil), rarity: fakeRarity{}},
		{name: "nil recognizer", rarity: fakeRarity{}},
		{name: "nil rarity", rec: fakeRecognizer(nil)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(tc.cfg, tc.rec, tc.rarity, nil); !errors.Is(err, ErrInvalidConfig) {
				t.Errorf("New() error = %v, want ErrInvalidConfig", err)
			}
		})
	}
	t.Run("metrics registered twice", func(t *testing.T) {
		reg := prometheus.NewRegistry()
		if _, err := New(Config{}, fakeRecognizer(nil), fakeRarity{}, reg); err != nil {
			t.Fatalf("first New: %v", err)
		}
		if _, err := New(Config{}, fakeRecognizer(nil), fakeRarity{}, reg); err == nil {
			t.Error("second New on the same registry succeeded, want a registration error")
		}
	})
}

// stageView holds the event fields TestStage compares exactly; language
// confidence and keywords have tests of their own.
type stageView struct {
	Title, Lead, Language         string
	WordCount, ReadingTimeSeconds int
	Entities                      []pipeline.Entity
}

func viewOf(e *pipeline.Event) stageView {
	return stageView{e.Title, e.Lead, e.Language, e.WordCount, e.ReadingTimeSeconds, e.Entities}
}

func TestStage(t *testing.T) {
	ents := []pipeline.Entity{{Name: "Vladimir Putin", Type: "person", Forms: []string{"Putin"}, Mentions: 2, Offset: 0}}
	tests := []struct {
		name string
		rec  fakeRecognizer
		in   pipeline.Article
		want stageView
	}{
		{
			name: "fills every field",
			rec:  ents,
			in:   pipeline.Article{ID: "a1", Text: "Putin Meets Kim\n\nPutin met Kim on Monday. The talks lasted five hours."},
			want: stageView{
				Title:              "Putin Meets Kim",
				Lead:               "Putin met Kim on Monday. The talks lasted five hours.",
				Language:           "en",
				WordCount:          13,
				ReadingTimeSeconds: 4,
				Entities:           ents,
			},
		},
		{
			name: "keeps the input title and empties nil entities",
			in:   pipeline.Article{ID: "a2", Title: "Given Title", Text: "Short Line Here\n\nThe weather was calm across the whole region on Tuesday morning."},
			want: stageView{
				Title:              "Given Title",
				Lead:               "The weather was calm across the whole region on Tuesday morning.",
				Language:           "en",
				WordCount:          14,
				ReadingTimeSeconds: 4,
				Entities:           []pipeline.Entity{},
			},
		},
		{
			name: "text without letters",
			in:   pipeline.Article{ID: "a3", Text: "2024 — 17:30"},
			want: stageView{Language: Undetermined, WordCount: 2, ReadingTimeSeconds: 1, Entities: []pipeline.Entity{}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x, err := New(Config{}, tc.rec, fakeRarity{}, nil)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			got, err := x.Stage()(testkit.Context(t, 5*time.Second), pipeline.NewEvent(&tc.in))
			if err != nil {
				t.Fatalf("Stage() error = %v", err)
			}
			if got.Language != Undetermined && got.LanguageConfidence < 0.5 {
				t.Errorf("LanguageConfidence = %v, want at least 0.5 for %q", got.LanguageConfidence, got.Language)
			}
			if got.Keywords == nil {
				t.Error("Keywords = nil, want a non-nil slice")
			}
			if diff := cmp.Diff(tc.want, viewOf(got)); diff != "" {
				t.Errorf("Stage() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStageContextDone(t *testing.T) {
	x := newTestEnricher(t, Config{}, fakeRarity{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := x.Stage()(ctx, pipeline.NewEvent(&pipeline.Article{ID: "a", Text: "Some text here."}))
	if !errors.Is(err, context.Canceled) || errors.Is(err, pipeline.ErrPermanent) {
		t.Errorf("Stage() error = %v, want a transient context.Canceled", err)
	}
}

// TestStageConcurrent runs one enricher from several goroutines; under
// -race it checks the concurrency contract.
func TestStageConcurrent(t *testing.T) {
	x := newTestEnricher(t, Config{}, fakeRarity{"kremlin": 3})
	stage := x.Stage()
	ctx := testkit.Context(t, 30*time.Second)
	const text = "Kremlin Talks End\n\nThe Kremlin said on Monday that the talks with Kim had ended. Officials in the U.S. declined to comment."
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			for range 20 {
				e, err := stage(ctx, pipeline.NewEvent(&pipeline.Article{ID: "c", Text: text}))
				if err != nil {
					errs <- err
					return
				}
				if e.Language != "en" || e.Title != "Kremlin Talks End" {
					errs <- fmt.Errorf("Stage() = language %q, title %q, want en, %q", e.Language, e.Title, "Kremlin Talks End")
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	x, err := New(Config{Languages: []string{"en", "de"}}, fakeRecognizer(nil), fakeRarity{}, reg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	stage := x.Stage()
	for _, text := range []string{
		"The government announced new measures on Tuesday to support farmers.",
		"Die Regierung hat am Dienstag neue Maßnahmen zur Unterstützung der Landwirte angekündigt.",
		"The talks between the two leaders lasted for more than four hours.",
		"12345 67890",
	} {
		if _, err := stage(testkit.Context(t, 5*time.Second), pipeline.NewEvent(&pipeline.Article{ID: "m", Text: text})); err != nil {
			t.Fatalf("Stage() error = %v", err)
		}
	}
	const want = `
# HELP wiredesk_enrich_language_total Articles enriched, by detected ISO 639-1 language (und when undetermined).
# TYPE wiredesk_enrich_language_total counter
wiredesk_enrich_language_total{language="de"} 1
wiredesk_enrich_language_total{language="en"} 2
wiredesk_enrich_language_total{language="und"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "wiredesk_enrich_language_total"); err != nil {
		t.Error(err)
	}
	if problems, err := testutil.GatherAndLint(reg); err != nil || len(problems) > 0 {
		t.Errorf("GatherAndLint() = %v, %v, want no problems", problems, err)
	}
}

// FuzzStage checks the invariants of every field on arbitrary text: no
// panic, a bounded lead taken from the text, scores in [0, 1] best first.
func FuzzStage(f *testing.F) {
	for _, s := range []string{
		"",
		"Putin Meets Kim\n\nPutin met Kim on Monday. The talks lasted five hours.",
		"Mr. A. B. said U.S. forces... “left.” (AP) ¿Qué? 3.5% — ok!",
		"Η κυβέρνηση ανακοίνωσε. 政府周四宣布了一项新的计划。",
		"a.\n\n.b\n\n\"\" '' () [] …",
	} {
		f.Add(s)
	}
	x := newTestEnricher(f, Config{}, fakeRarity{"kim": 2})
	stage := x.Stage()
	f.Fuzz(func(t *testing.T, text string) {
		if !utf8.ValidString(text) {
			t.Skip("pipeline.Decode dead-letters invalid UTF-8 before any stage runs")
		}
		e, err := stage(context.Background(), pipeline.NewEvent(&pipeline.Article{ID: "f", Text: text}))
		if err != nil {
			t.Fatalf("Stage() error = %v", err)
		}
		if n := utf8.RuneCountInString(e.Lead); n > DefaultLeadMaxChars {
			t.Errorf("lead has %d characters, want at most %d", n, DefaultLeadMaxChars)
		}
		if lead := strings.TrimSuffix(e.Lead, "…"); !strings.Contains(text, lead) {
			t.Errorf("lead %q is not part of the text", e.Lead)
		}
		if e.LanguageConfidence < 0 || e.LanguageConfidence > 1 || (e.Language == Undetermined) != (e.LanguageConfidence == 0) {
			t.Errorf("language = %q (%v), want a code with confidence in (0, 1], or und with 0", e.Language, e.LanguageConfidence)
		}
		if len(e.Keywords) > DefaultMaxKeywords {
			t.Errorf("got %d keywords, want at most %d", len(e.Keywords), DefaultMaxKeywords)
		}
		for i, k := range e.Keywords {
			if k.Score < 0 || k.Score > 1 || (i == 0 && k.Score != 1) || (i > 0 && k.Score > e.Keywords[i-1].Score) {
				t.Errorf("keywords = %v, want scores in [0, 1], best (1) first", e.Keywords)
				break
			}
		}
		if e.WordCount < 0 || e.ReadingTimeSeconds < 0 {
			t.Errorf("word count %d, reading time %d, want non-negative", e.WordCount, e.ReadingTimeSeconds)
		}
	})
}
