package enrich

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pemistahl/lingua-go"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/wiredesk/wiredesk/pipeline"
)

// Recognizer finds the named entities of a text. It must be safe for
// concurrent use. The worker passes the recognizer of pipeline/enrich/ner.
type Recognizer interface {
	Entities(text string) []pipeline.Entity
}

// Rarity reports how rare a lower-case term is: an inverse document
// frequency, 0 for a term found in every document and larger for rarer ones.
// It must be safe for concurrent use. *lexicon.Table satisfies it.
type Rarity interface {
	IDF(lowerTerm string) float64
}

// ErrInvalidConfig is returned by [Config.Validate] and [New] for a
// configuration that cannot work.
var ErrInvalidConfig = errors.New("invalid enrich config")

// DefaultLanguages are the ISO 639-1 codes the language detector chooses
// among when [Config].Languages is empty: the languages of the large
// international news wires. Each added language costs detection time
// (roughly linearly, for languages sharing a script) and about 1 MiB of
// resident memory.
var DefaultLanguages = []string{"en", "de", "fr", "es", "it", "pt", "nl", "ru", "uk", "ar", "zh", "ja"}

// Defaults used for zero fields of [Config].
const (
	DefaultLanguageSampleBytes = 256
	DefaultMaxKeywords         = 10
	DefaultLeadMaxChars        = 300
	DefaultLeadMaxSentences    = 3
	// DefaultWordsPerMinute is a common figure for adults reading news
	// prose on a screen (estimates range from about 200 to 260).
	DefaultWordsPerMinute = 230
)

// Config tunes an [Enricher]. The zero value means defaults.
type Config struct {
	// Languages lists the ISO 639-1 codes the detector may answer with
	// (at least two); empty means [DefaultLanguages]. A text in another
	// language is labelled with the closest listed one, at a lower
	// confidence.
	Languages []string
	// LanguageSampleBytes is how much of the start of the text the
	// detector reads, cut back to a word boundary (its function-word
	// pre-check reads up to eight times as much when the sample holds too
	// few function words); 0 means [DefaultLanguageSampleBytes].
	// Detection cost grows with it.
	LanguageSampleBytes int
	// MaxKeywords is the most keywords an event carries; 0 means
	// [DefaultMaxKeywords].
	MaxKeywords int
	// LeadMaxChars bounds the lead in characters (code points); 0 means
	// [DefaultLeadMaxChars].
	LeadMaxChars int
	// LeadMaxSentences bounds the lead in sentences; 0 means
	// [DefaultLeadMaxSentences].
	LeadMaxSentences int
	// WordsPerMinute is the reading speed behind ReadingTimeSeconds; 0
	// means [DefaultWordsPerMinute].
	WordsPerMinute int
}

func (c *Config) setDefaults() {
	if len(c.Languages) == 0 {
		c.Languages = slices.Clone(DefaultLanguages)
	}
	if c.LanguageSampleBytes == 0 {
		c.LanguageSampleBytes = DefaultLanguageSampleBytes
	}
	if c.MaxKeywords == 0 {
		c.MaxKeywords = DefaultMaxKeywords
	}
	if c.LeadMaxChars == 0 {
		c.LeadMaxChars = DefaultLeadMaxChars
	}
	if c.LeadMaxSentences == 0 {
		c.LeadMaxSentences = DefaultLeadMaxSentences
	}
	if c.WordsPerMinute == 0 {
		c.WordsPerMinute = DefaultWordsPerMinute
	}
}

// Validate reports whether the configuration can work; the zero value can.
// It returns an error wrapping [ErrInvalidConfig] for a negative number, a
// single language, or a code the detector does not know or that is listed
// twice.
func (c Config) Validate() error {
	for _, f := range []struct {
		name string
		v    int
	}{
		{"language sample bytes", c.LanguageSampleBytes},
		{"max keywords", c.MaxKeywords},
		{"lead max chars", c.LeadMaxChars},
		{"lead max sentences", c.LeadMaxSentences},
		{"words per minute", c.WordsPerMinute},
	} {
		if f.v < 0 {
			return fmt.Errorf("%s is %d, must not be negative: %w", f.name, f.v, ErrInvalidConfig)
		}
	}
	if len(c.Languages) == 1 {
		return fmt.Errorf("one language %q, the detector needs at least two: %w", c.Languages[0], ErrInvalidConfig)
	}
	_, err := detectorLanguages(c.Languages)
	return err
}

// Enricher fills the enrichment fields of an event. Build it with [New]; it
// is safe for concurrent use.
type Enricher struct {
	cfg    Config
	rec    Recognizer
	rarity Rarity
	lang   lingua.LanguageDetector
	prof   *profiler
	m      *metrics
}

// New returns an enricher that finds entities with rec and weighs keywords
// with rarity, and registers its metrics on reg (nil registers none). It
// loads the language models of cfg.Languages up front (a few hundred ms
// and about 1 MiB per language, once per process), so no article pays for
// it. It returns an error
// wrapping [ErrInvalidConfig] for an invalid cfg or a nil rec or rarity, and
// the registration error if a metric is already registered on reg.
func New(cfg Config, rec Recognizer, rarity Rarity, reg prometheus.Registerer) (*Enricher, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if rec == nil || rarity == nil {
		return nil, fmt.Errorf("recognizer and rarity are required: %w", ErrInvalidConfig)
	}
	cfg.setDefaults()
	langs, err := detectorLanguages(cfg.Languages)
	if err != nil {
		return nil, err
	}
	m, err := newMetrics(reg, cfg.Languages)
	if err != nil {
		return nil, err
	}
	return &Enricher{
		cfg:    cfg,
		rec:    rec,
		rarity: rarity,
		lang:   newDetector(langs),
		prof:   newProfiler(cfg.Languages),
		m:      m,
	}, nil
}

// Stage returns the enrichment step. It sets Language,
// LanguageConfidence, Entities, Keywords, WordCount, ReadingTimeSeconds and
// Lead, and Title when it is empty and the first line of the text reads as a
// headline. It never drops an event; it fails only when ctx is done, with
// ctx's (transient) error.
func (x *Enricher) Stage() pipeline.Stage {
	return func(ctx context.Context, e *pipeline.Event) (*pipeline.Event, error) {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("enrich article %s: %w", e.ID, err)
		}
		x.enrich(e)
		return e, nil
	}
}

func (x *Enricher) enrich(e *pipeline.Event) {
	if e.Title == "" {
		e.Title = headline(e.Text)
	}
	e.Language, e.LanguageConfidence = x.detectLanguage(e.Text)
	x.m.observeLanguage(e.Language)
	e.Entities = x.rec.Entities(e.Text)
	if e.Entities == nil {
		e.Entities = []pipeline.Entity{}
	}
	e.Keywords, e.WordCount = x.keywords(e.Text)
	e.ReadingTimeSeconds = readingTimeSeconds(e.WordCount, x.cfg.WordsPerMinute)
	e.Lead = x.lead(e)
}

// readingTimeSeconds is the time to read words at wpm, rounded up to a whole
// second; 0 for no words.
func readingTimeSeconds(words, wpm int) int {
	return (words*60 + wpm - 1) / wpm
}

// hasSpace reports whether s holds white space.
func hasSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		switch asciiClass[s[i]] {
		case asciiSpace:
			return true
		case nonASCII:
			return strings.IndexFunc(s[i:], unicode.IsSpace) >= 0
		}
	}
	return false
}

// Byte classes for the fast paths of the keyword tokenizer
// ([scanWords]) and [hasSpace].
const (
	asciiOther = iota
	asciiAlnum
	asciiSpace
	asciiJoin // may join the letters or digits around it into one word (see [joinsWord])
	nonASCII  // part of a multi-byte UTF-8 sequence, or invalid
)

// asciiClass classifies every byte, so that indexing it by one needs no
// bounds check.
var asciiClass = func() (t [256]uint8) {
	for c := range t {
		switch r := rune(c); {
		case r >= utf8.RuneSelf:
			t[c] = nonASCII
		case unicode.IsSpace(r):
			t[c] = asciiSpace
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			t[c] = asciiAlnum
		case strings.ContainsRune(`'-.,`, r):
			t[c] = asciiJoin
		}
	}
	return t
}()
