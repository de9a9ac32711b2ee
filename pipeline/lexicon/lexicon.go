// Package lexicon holds the word-level vocabulary shared by dedup and enrich:
// a tokenizer and a table of term rarity (document frequency) that ships with
// a background built from public text and is updated online.
//
// It is a leaf package: it imports nothing of wiredesk's, so the stage
// packages may share it without depending on each other.
package lexicon

import (
	"math"
	"strings"
	"sync"
	"unicode"
)

// Token is one word of a text.
type Token struct {
	// Text is the word as written; Lower its lower-case form.
	Text, Lower string
	// Start and End are byte offsets into the text.
	Start, End int
}

// Tokenize splits text into words: runs of letters and digits, with inner
// apostrophes, hyphens, periods and commas between digits kept.
func Tokenize(text string) []Token {
	var toks []Token
	start := -1
	for i, r := range text {
		word := unicode.IsLetter(r) || unicode.IsDigit(r)
		if word && start < 0 {
			start = i
		}
		if !word && start >= 0 {
			toks = append(toks, Token{Text: text[start:i], Lower: strings.ToLower(text[start:i]), Start: start, End: i})
			start = -1
		}
	}
	if start >= 0 {
		toks = append(toks, Token{Text: text[start:], Lower: strings.ToLower(text[start:]), Start: start, End: len(text)})
	}
	return toks
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

// Observe counts one document with the given terms (each counted once).
func (t *Table) Observe(terms []string) {
	seen := make(map[string]struct{}, len(terms))
	t.mu.Lock()
	defer t.mu.Unlock()
	t.docs++
	for _, term := range terms {
		if _, ok := seen[term]; ok {
			continue
		}
		seen[term] = struct{}{}
		t.df[term]++
	}
}

// IDF returns the smoothed inverse document frequency of a lower-case term.
func (t *Table) IDF(term string) float64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return math.Log((t.docs + 1) / (t.df[term] + 1))
}
