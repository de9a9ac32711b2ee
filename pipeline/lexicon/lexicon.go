// Package lexicon holds the word-level vocabulary shared by dedup and enrich:
// a tokenizer and a table of term rarity (document frequency) that ships with
// a background built from public text and is updated online.
//
// It is a leaf package: it imports nothing of wiredesk's, so the stage
// packages may share it without depending on each other.
//
// # Background table
//
// [Default] returns a table seeded from background.tsv.gz, embedded in the
// package: the document frequency of common (mostly lower-case) English
// words across the ECB+ news corpus, so that term rarity is sensible from the
// first article of a fresh deployment. Proper names, numbers and words seen in
// few documents are left out on purpose: they would memorise the stories of
// that corpus rather than describe English, and a term missing from the table
// is simply treated as rare. Regenerate the file with `go generate`.
package lexicon

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

//go:generate go run ./internal/gen -in ../../../shared/eval/ecbplus/dev.jsonl -out background.tsv.gz

// Token is one word of a text.
type Token struct {
	// Text is the word as written; Lower its lower-case form.
	Text, Lower string
	// Start and End are byte offsets into the text.
	Start, End int
}

// Tokenize splits text into words: runs of letters and digits, with inner
// apostrophes and hyphens (between letters or digits) and periods and commas
// between digits kept, so "Komsomolsk-on-Amur", "Kim's" and "2,290.5" are
// one token each.
func Tokenize(text string) []Token {
	return AppendTokens(make([]Token, 0, len(text)/5+1), text) // English runs about one word per six bytes
}

// AppendTokens appends the words of text, as [Tokenize] splits them, to dst
// and returns the extended slice. Hot paths pass a reused dst, so that
// splitting an article allocates at most its lower-case copy.
func AppendTokens(dst []Token, text string) []Token {
	// Lower-case ASCII text once and slice it, rather than allocating a
	// string per capitalised word; other text is lowered word by word, as
	// lowering may change its byte length.
	lower, ascii := asciiLower(text)
	start := -1
	for i := 0; i <= len(text); {
		r, size := rune(-1), 1 // -1 ends the last word at the end of text
		if i < len(text) {
			r = rune(text[i])
			if r >= utf8.RuneSelf {
				r, size = utf8.DecodeRuneInString(text[i:])
			}
		}
		switch {
		case r >= 0 && isWord(r):
			if start < 0 {
				start = i
			}
		case start >= 0 && (r < 0 || !joins(text, start, i, r)):
			t := Token{Text: text[start:i], Start: start, End: i}
			if ascii {
				t.Lower = lower[start:i]
			} else {
				t.Lower = strings.ToLower(t.Text)
			}
			dst = append(dst, t)
			start = -1
		}
		i += size
	}
	return dst
}

// asciiLower returns text lower-cased and true if text is all ASCII.
func asciiLower(text string) (string, bool) {
	upper := false
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c >= utf8.RuneSelf {
			return "", false
		}
		upper = upper || ('A' <= c && c <= 'Z')
	}
	if !upper {
		return text, true
	}
	b := []byte(text)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b), true
}

func isWord(r rune) bool {
	if r < utf8.RuneSelf { // fast path for ASCII
		return asciiWord[r]
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

var asciiWord = func() (w [utf8.RuneSelf]bool) {
	for c := range w {
		w[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
	}
	return w
}()

// joins reports whether the separator r at byte i continues the word that
// began at start: it must sit between two word runes of the right kind.
func joins(text string, start, i int, r rune) bool {
	prev, _ := utf8.DecodeLastRuneInString(text[start:i])
	next, _ := utf8.DecodeRuneInString(text[i+utf8.RuneLen(r):])
	switch r {
	case '\'', '’', '-':
		return isWord(prev) && isWord(next)
	case '.', ',':
		return unicode.IsDigit(prev) && unicode.IsDigit(next)
	}
	return false
}

// Table is a document-frequency table. The zero value is not usable; use
// [NewTable] or [Default]. It is safe for concurrent use.
type Table struct {
	mu   sync.RWMutex
	docs float64
	df   map[string]float64
}

// NewTable returns an empty table.
func NewTable() *Table { return &Table{df: map[string]float64{}} }

//go:embed background.tsv.gz
var background []byte

var (
	defaultOnce sync.Once
	defaultBG   *Table
)

// Default returns a new table seeded with the embedded background (see the
// package documentation). Each call returns an independent copy, so online
// updates of one owner do not leak into another's.
func Default() *Table {
	defaultOnce.Do(func() {
		t, err := Load(bytes.NewReader(background))
		if err != nil {
			panic(fmt.Sprintf("lexicon: embedded background is corrupt: %v", err)) // programmer error, caught by tests
		}
		defaultBG = t
	})
	return defaultBG.Clone()
}

// Clone returns an independent copy of the table.
func (t *Table) Clone() *Table {
	t.mu.RLock()
	defer t.mu.RUnlock()
	c := &Table{docs: t.docs, df: make(map[string]float64, len(t.df))}
	for k, v := range t.df {
		c.df[k] = v
	}
	return c
}

// Load reads a gzipped table in the format [Table.Save] writes: a first line
// "docs<TAB>N", then one "term<TAB>df" line per term. It returns an error for
// data that is not gzip or has a malformed line.
func Load(r io.Reader) (*Table, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("open background: %w", err)
	}
	defer zr.Close()
	t := NewTable()
	sc := bufio.NewScanner(zr)
	for n := 1; sc.Scan(); n++ {
		term, num, ok := strings.Cut(sc.Text(), "\t")
		v, err := strconv.ParseFloat(num, 64)
		if !ok || err != nil {
			return nil, fmt.Errorf("read background line %d: malformed %q", n, sc.Text())
		}
		if n == 1 {
			if term != "docs" {
				return nil, fmt.Errorf("read background line 1: want docs count, got %q", sc.Text())
			}
			t.docs = v
			continue
		}
		t.df[term] = v
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read background: %w", err)
	}
	return t, nil
}

// Save writes the table gzipped, terms in the order given, each with its
// document frequency; terms the table has not seen are skipped.
func (t *Table) Save(w io.Writer, terms []string) error {
	t.mu.RLock()
	defer t.mu.RUnlock()
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return fmt.Errorf("save background: %w", err)
	}
	fmt.Fprintf(zw, "docs\t%g\n", t.docs)
	for _, term := range terms {
		if df, ok := t.df[term]; ok {
			fmt.Fprintf(zw, "%s\t%g\n", term, df)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("save background: %w", err)
	}
	return nil
}

// Docs returns the number of documents counted, background included.
func (t *Table) Docs() float64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.docs
}

// DF returns the document frequency of a lower-case term.
func (t *Table) DF(term string) float64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.df[term]
}

// Observe counts one document with the given terms (each counted once).
func (t *Table) Observe(terms []string) {
	seen := seenPool.Get().(map[string]struct{})
	defer func() {
		clear(seen)
		seenPool.Put(seen)
	}()
	distinct := terms[:0:0]
	for _, term := range terms {
		if _, ok := seen[term]; !ok {
			seen[term] = struct{}{}
			distinct = append(distinct, term)
		}
	}
	t.ObserveDistinct(distinct)
}

// seenPool recycles Observe's set of terms counted: a fresh map per
// document was the largest allocation of the fingerprint path.
var seenPool = sync.Pool{New: func() any { return map[string]struct{}{} }}

// ObserveDistinct is [Table.Observe] for terms known to be distinct, as a
// fingerprint's features are: it spares the check. A repeated term is
// counted as often as it is repeated.
func (t *Table) ObserveDistinct(terms []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.docs++
	for _, term := range terms {
		t.df[term]++
	}
}

// IDF returns the smoothed inverse document frequency of a lower-case term.
func (t *Table) IDF(term string) float64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return logPlus1(t.docs) - logPlus1(t.df[term])
}

// IDFs returns the [Table.IDF] of each term, taking the lock once.
func (t *Table) IDFs(terms []string) []float64 {
	return t.AppendIDFs(make([]float64, 0, len(terms)), terms)
}

// AppendIDFs appends the [Table.IDF] of each term to dst, taking the lock
// once, and returns the extended slice.
func (t *Table) AppendIDFs(dst []float64, terms []string) []float64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	logDocs := logPlus1(t.docs)
	for _, term := range terms {
		dst = append(dst, logDocs-logPlus1(t.df[term]))
	}
	return dst
}

// logs holds ln(n+1) for the small whole counts that most document
// frequencies are, sparing a logarithm per term on the fingerprint path.
var logs = func() (l [4096]float64) {
	for n := range l {
		l[n] = math.Log(float64(n) + 1)
	}
	return l
}()

// logPlus1 returns ln(n+1).
func logPlus1(n float64) float64 {
	if i := int(n); float64(i) == n && i >= 0 && i < len(logs) {
		return logs[i]
	}
	return math.Log(n + 1)
}
