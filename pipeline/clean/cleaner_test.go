package clean

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr bool
	}{
		{name: "zero value", cfg: Config{}},
		{name: "explicit", cfg: Config{TemplateMinArticles: 3, TemplateSources: 10, TemplateLines: 100}},
		{name: "min articles one", cfg: Config{TemplateMinArticles: 1}, wantErr: true},
		{name: "negative min articles", cfg: Config{TemplateMinArticles: -1}, wantErr: true},
		{name: "negative sources", cfg: Config{TemplateSources: -1}, wantErr: true},
		{name: "negative lines", cfg: Config{TemplateLines: -5}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if (err != nil) != tc.wantErr || (err != nil && !errors.Is(err, ErrInvalidConfig)) {
				t.Errorf("Validate() = %v, want error %v wrapping ErrInvalidConfig", err, tc.wantErr)
			}
		})
	}
}

// sourceArticle is the i-th article of a source whose pages all carry the
// same promo line; the story lines are unique to the article.
func sourceArticle(i int) string {
	return fmt.Sprintf("Council votes on budget plan %d\nThe council voted %d to 2 on the plan.\n"+
		"Members debated for %d hours before the vote.\nThe Daily Example brings you the news that matters\n", i, i+3, i+1)
}

func TestCleanerTemplates(t *testing.T) {
	const promo = "The Daily Example brings you the news that matters"
	tests := []struct {
		name        string
		cfg         Config
		source      string
		ids         func(i int) string
		wantPromoAt int // index of the first article without the promo, -1 for never
	}{
		{name: "learned after min articles", cfg: Config{TemplateMinArticles: 3}, source: "example.com", ids: func(i int) string { return fmt.Sprint(i) }, wantPromoAt: 3},
		{name: "redelivery counted once", cfg: Config{TemplateMinArticles: 3}, source: "example.com", ids: func(int) string { return "same" }, wantPromoAt: -1},
		{name: "no source", cfg: Config{TemplateMinArticles: 3}, source: "", ids: func(i int) string { return fmt.Sprint(i) }, wantPromoAt: -1},
		{name: "disabled", cfg: Config{TemplateMinArticles: 3, DisableTemplates: true}, source: "example.com", ids: func(i int) string { return fmt.Sprint(i) }, wantPromoAt: -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := New(tc.cfg)
			first := -1
			for i := range 6 {
				r := c.Clean(tc.source, tc.ids(i), sourceArticle(i))
				has := strings.Contains(r.Text(), promo)
				if !has && first < 0 {
					first = i
				}
				if has && first >= 0 {
					t.Errorf("article %d has the promo again after it was learned", i)
				}
				if len(r.Paragraphs) < 3 {
					t.Errorf("article %d kept %d paragraphs, want the 3 story lines", i, len(r.Paragraphs))
				}
			}
			if first != tc.wantPromoAt {
				t.Errorf("promo first removed from article %d, want %d", first, tc.wantPromoAt)
			}
		})
	}
}

// TestCleanerKeepsRepublishedStory: a source republishing one story keeps
// its text, since template removal never takes most of an article.
func TestCleanerKeepsRepublishedStory(t *testing.T) {
	c := New(Config{TemplateMinArticles: 2})
	story := "Port closed by storm\nA storm closed the port on Monday.\nShips stayed at anchor."
	for i := range 5 {
		if got := c.Clean("example.com", fmt.Sprint("v", i), story).Text(); got != Text(story) {
			t.Fatalf("version %d cleaned to %q, want %q", i, got, Text(story))
		}
	}
}

// TestCleanerNeverEmptiesArticle: however much of a source's text repeats
// across its articles, template memory never takes an article's last
// paragraph, since it removes at most half of an article's paragraphs.
func TestCleanerNeverEmptiesArticle(t *testing.T) {
	pool := Clean(readSeed(t, "002")).Paragraphs[:8] // story lines, few enough that every one recurs
	c := New(Config{TemplateMinArticles: 2})
	r := rand.New(rand.NewPCG(1, 2))
	trimmed := 0
	for i := range 400 {
		lines := make([]string, 1+r.IntN(4))
		for j := range lines {
			lines[j] = pool[r.IntN(len(pool))]
		}
		text := strings.Join(lines, "\n")
		want := len(Clean(text).Paragraphs)
		got := len(c.Clean(fmt.Sprint("source-", i%3), fmt.Sprint(i), text).Paragraphs)
		if want > 0 && got == 0 {
			t.Fatalf("article %d %q: the Cleaner kept nothing, Clean kept %d paragraphs", i, text, want)
		}
		if got < want {
			trimmed++
		}
	}
	if trimmed == 0 {
		t.Error("no article lost a template line; the test does not exercise template memory")
	}
}

func TestCleanerBounds(t *testing.T) {
	c := New(Config{TemplateSources: 4, TemplateLines: 16})
	for i := range 50 {
		c.Clean(fmt.Sprint("source-", i%7), fmt.Sprint(i), sourceArticle(i)+strings.Repeat(fmt.Sprintf("line %d of %d\n", i, i), 1))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if got := c.lru.Len(); got > 4 || len(c.sources) != got {
		t.Errorf("remembered %d sources (map %d), want at most 4 and equal", got, len(c.sources))
	}
	for _, el := range c.sources {
		if n := len(el.Value.(*source).counts); n > 16 {
			t.Errorf("source %s counts %d lines, want at most 16", el.Value.(*source).name, n)
		}
	}
}

func TestCleanerConcurrent(t *testing.T) {
	c := New(Config{TemplateMinArticles: 2, TemplateSources: 3})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 50 {
				r := c.Clean(fmt.Sprint("source-", i%5), fmt.Sprint(w, "-", i), sourceArticle(i))
				if len(r.Paragraphs) < 3 {
					t.Errorf("worker %d article %d kept %d paragraphs, want >= 3", w, i, len(r.Paragraphs))
				}
			}
		})
	}
	wg.Wait()
}
