package clean

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/wiredesk/wiredesk/pipeline"
)

// Defaults for the zero fields of [Config].
const (
	DefaultTemplateMinArticles = 5
	DefaultTemplateSources     = 512
	DefaultTemplateLines       = 1024
)

// recentIDs is how many article ids per source are remembered so that a
// redelivered or republished article is not counted twice.
const recentIDs = 64

// Config configures a [Cleaner]. The zero value means defaults.
type Config struct {
	// TemplateMinArticles is how many distinct articles of one source a
	// line must appear in before it is treated as template and removed
	// from that source's later articles. Zero means
	// [DefaultTemplateMinArticles]; it must be at least 2.
	TemplateMinArticles int
	// TemplateSources bounds how many sources are remembered; the least
	// recently seen is forgotten first. Zero means [DefaultTemplateSources].
	TemplateSources int
	// TemplateLines bounds how many distinct lines are counted per source.
	// Zero means [DefaultTemplateLines].
	TemplateLines int
	// DisableTemplates turns the per-source memory off: the [Cleaner] then
	// cleans exactly like [Clean].
	DisableTemplates bool
}

// ErrInvalidConfig is returned (wrapped) by [Config.Validate].
var ErrInvalidConfig = errors.New("invalid clean config")

// Validate reports a configuration error, wrapping [ErrInvalidConfig]:
// negative bounds, or a TemplateMinArticles of 1.
func (c Config) Validate() error {
	switch {
	case c.TemplateMinArticles < 0 || c.TemplateMinArticles == 1:
		return fmt.Errorf("template min articles %d, want 0 or at least 2: %w", c.TemplateMinArticles, ErrInvalidConfig)
	case c.TemplateSources < 0:
		return fmt.Errorf("template sources %d is negative: %w", c.TemplateSources, ErrInvalidConfig)
	case c.TemplateLines < 0:
		return fmt.Errorf("template lines %d is negative: %w", c.TemplateLines, ErrInvalidConfig)
	}
	return nil
}

func (c *Config) setDefaults() {
	if c.TemplateMinArticles == 0 {
		c.TemplateMinArticles = DefaultTemplateMinArticles
	}
	if c.TemplateSources == 0 {
		c.TemplateSources = DefaultTemplateSources
	}
	if c.TemplateLines == 0 {
		c.TemplateLines = DefaultTemplateLines
	}
}

// Cleaner cleans articles like [Clean] and also learns, per source, the
// lines that repeat across that source's articles (its template) and
// removes them. It is safe for concurrent use.
type Cleaner struct {
	cfg  Config
	seed maphash.Seed

	mu      sync.Mutex
	lru     *list.List // of *source, most recently seen first
	sources map[string]*list.Element
}

// source is the template memory of one source.
type source struct {
	name   string
	counts map[uint64]int // line hash -> distinct articles it appeared in
	recent [recentIDs]uint64
	next   int
}

// New returns a [Cleaner]. It panics if cfg is invalid (a programmer error
// at start-up); call [Config.Validate] first to check flags.
func New(cfg Config) *Cleaner {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	cfg.setDefaults()
	return &Cleaner{cfg: cfg, seed: maphash.MakeSeed(), lru: list.New(), sources: make(map[string]*list.Element)}
}

// Clean cleans one article body of the given source (a domain or feed
// name); id identifies the article so that a redelivery is not counted
// twice. An empty source or id skips the template memory.
func (c *Cleaner) Clean(source, id, raw string) Result {
	if c.cfg.DisableTemplates || source == "" || id == "" {
		return clean(raw, nil)
	}
	return clean(raw, &articleTemplates{c: c, source: source, id: maphash.String(c.seed, id)})
}

// Stage returns the pipeline stage: it replaces e.Text with the cleaned
// text, sets e.Source to the URL's domain when empty, e.Title and
// e.PublishedAt when empty and found, and e.Byline and e.Dateline. It
// returns a permanent error with [pipeline.ReasonEmpty] when nothing is
// left after cleaning.
func (c *Cleaner) Stage() pipeline.Stage {
	return func(_ context.Context, e *pipeline.Event) (*pipeline.Event, error) {
		if e.Source == "" {
			e.Source = Domain(e.URL)
		}
		res := c.Clean(e.Source, e.ID, e.Text)
		if len(res.Paragraphs) == 0 {
			return nil, pipeline.Permanent(pipeline.ReasonEmpty, fmt.Errorf("clean article %s: no text left", e.ID))
		}
		e.Text = res.Text()
		if e.Title == "" {
			e.Title = res.Title
		}
		if e.PublishedAt == nil && !res.PublishedAt.IsZero() {
			t := res.PublishedAt
			e.PublishedAt = &t
		}
		e.Byline, e.Dateline = res.Byline, res.Dateline
		return e, nil
	}
}

// Domain returns the host of rawURL in lower case without a leading
// "www.", or "" when rawURL has no host.
func Domain(rawURL string) string {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
}

// articleTemplates is the template step for one article of one source.
type articleTemplates struct {
	c      *Cleaner
	source string
	id     uint64
}

// templates reports which body paragraphs are template lines of the
// source, judged on the articles seen before, then counts this article's
// lines (each once) for the articles to come.
func (a *articleTemplates) templates(paras []para) []bool {
	c := a.c
	hashes := make([]uint64, len(paras))
	for i, p := range paras {
		if p.kind == kindBody {
			hashes[i] = maphash.String(c.seed, p.key)
		}
	}
	out := make([]bool, len(paras))
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.source(a.source)
	for i, h := range hashes {
		out[i] = h != 0 && s.counts[h] >= c.cfg.TemplateMinArticles
	}
	for _, id := range s.recent {
		if id == a.id {
			return out
		}
	}
	s.recent[s.next] = a.id
	s.next = (s.next + 1) % recentIDs
	slices.Sort(hashes) // out is set: count each line once, in sorted order
	for _, h := range slices.Compact(hashes) {
		if h != 0 {
			s.counts[h]++
		}
	}
	if len(s.counts) > c.cfg.TemplateLines {
		s.shrink(c.cfg.TemplateLines)
	}
	return out
}

// source returns the memory of the named source, creating it and
// evicting the least recently seen source when over the bound. c.mu must
// be held.
func (c *Cleaner) source(name string) *source {
	if el, ok := c.sources[name]; ok {
		c.lru.MoveToFront(el)
		return el.Value.(*source)
	}
	s := &source{name: name, counts: make(map[uint64]int)}
	c.sources[name] = c.lru.PushFront(s)
	if c.lru.Len() > c.cfg.TemplateSources {
		old := c.lru.Remove(c.lru.Back()).(*source)
		delete(c.sources, old.name)
	}
	return s
}

// shrink bounds the line counts: lines seen once go first (most lines of
// an article are unique to it), then every count is halved, so lines that
// keep recurring survive and one-off lines are forgotten.
func (s *source) shrink(limit int) {
	for h, n := range s.counts {
		if n <= 1 {
			delete(s.counts, h)
		}
	}
	for len(s.counts) > limit*3/4 {
		for h, n := range s.counts {
			if n/2 == 0 {
				delete(s.counts, h)
			} else {
				s.counts[h] = n / 2
			}
		}
	}
}
