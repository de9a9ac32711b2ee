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
//
// # Hashed terms
//
// A table keeps each term by its [Hash] (a 64-bit hash of its lower-case
// text, taken eight bytes at a time), not its text, so that a hot path can
// look up and count terms from hashes of the words of a text ([NextWord],
// [HashLowerAt]) without building a string per word. Two terms sharing a
// hash would share a count; among the terms of a news stream that is
// vanishingly unlikely. The tables [Default] returns stay under
// [DefaultMaxTerms] terms.
package lexicon

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
	"math"
	"slices"
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
// one token each. Hot paths that need no tokens walk the words with
// [NextWord].
func Tokenize(text string) []Token {
	dst := make([]Token, 0, len(text)/5+1) // English runs about one word per six bytes
	// Lower-case ASCII text once and slice it, rather than allocating a
	// string per capitalised word; other text is lowered word by word, as
	// lowering may change its byte length.
	lower, ascii := asciiLower(text)
	for start, end := NextWord(text, 0); start >= 0; start, end = NextWord(text, end) {
		t := Token{Text: text[start:end], Start: start, End: end}
		if ascii {
			t.Lower = lower[start:end]
		} else {
			t.Lower = strings.ToLower(t.Text)
		}
		dst = append(dst, t)
	}
	return dst
}

// NextWord returns the byte span of the first word of text at or after
// byte from, as [Tokenize] splits words, or -1, -1 if there is none. It
// lets a hot path walk the words of a text without building tokens: start
// at 0 and go on from each word's end.
func NextWord(text string, from int) (start, end int) {
	i := from
	for i < len(text) { // skip to the first word rune
		switch byteClass[text[i]] {
		case asciiOther:
			i++
			continue
		case nonASCII:
			r, size := utf8.DecodeRuneInString(text[i:])
			if !isWord(r) {
				i += size
				continue
			}
		}
		break
	}
	if i >= len(text) {
		return -1, -1
	}
	start = i
	for {
		for i < len(text) && byteClass[text[i]] == asciiWord {
			i++
		}
		if i >= len(text) {
			return start, i
		}
		r, size := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(text[i:])
		}
		if !isWord(r) && (!joiner(r) || !joins(text, start, i, r)) {
			return start, i
		}
		i += size
	}
}

// TrimPossessive drops a possessive "'s" or "’s" (in either case) from the
// end of a word as written.
func TrimPossessive(s string) string {
	n := len(s)
	if n < 3 || s[n-1] != 's' && s[n-1] != 'S' {
		return s
	}
	if s[n-2] == '\'' {
		return s[:n-2]
	}
	if strings.HasSuffix(s[:n-1], "’") && n > len("’s") {
		return s[:n-len("’s")]
	}
	return s
}

// asciiLower returns text lower-cased and true if text is all ASCII, or
// "" and false: lower-casing other text may change its byte offsets.
func asciiLower(text string) (string, bool) {
	upper := false
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c >= utf8.RuneSelf {
			return "", false
		}
		if c-'A' < 26 {
			upper = true
		}
	}
	if !upper {
		return text, true
	}
	b := []byte(text)
	for i, c := range b {
		if c-'A' < 26 {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b), true
}

func isWord(r rune) bool {
	if r < utf8.RuneSelf { // fast path for ASCII
		return byteClass[r] == asciiWord
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// Byte classes, for walking words a byte at a time.
const (
	asciiOther = iota // an ASCII byte that is not a letter or digit
	asciiWord         // an ASCII letter or digit
	nonASCII          // part of a multi-byte UTF-8 sequence
)

var byteClass = func() (class [256]uint8) {
	for c := range class {
		switch {
		case c >= utf8.RuneSelf:
			class[c] = nonASCII
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9':
			class[c] = asciiWord
		}
	}
	return class
}()

// joiner reports whether r may join two words into one (see [joins]).
func joiner(r rune) bool {
	switch r {
	case '\'', '’', '-', '.', ',':
		return true
	}
	return false
}

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

// Table is a document-frequency table. The zero value is an empty table
// without a bound on its terms, as [NewTable] returns; [Default] returns
// one seeded and bounded. It is safe for concurrent use.
//
// Terms are kept by their [Hash], not their text: a hot path can look a
// term up, or count it, from a hash computed while scanning the text
// ([HashLowerAt]), without building the term's string.
type Table struct {
	mu       sync.RWMutex
	docs     float64
	df       counts
	maxTerms int // 0: unbounded
}

// DefaultMaxTerms bounds the tables [Default] returns: 32 MiB of
// counts. A stream brings new names and numbers without end; once a table
// holds more terms, every count is halved (the number of documents too, so
// rarities hardly move) and the terms left under one document are dropped:
// the rarely seen terms of the past make room, and rarity follows what the
// stream has been saying lately.
const DefaultMaxTerms = 1 << 20

// NewTable returns an empty table.
func NewTable() *Table { return &Table{} }

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
	t := defaultBG.Clone()
	t.maxTerms = DefaultMaxTerms
	return t
}

// Clone returns an independent copy of the table.
func (t *Table) Clone() *Table {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return &Table{docs: t.docs, df: t.df.clone(), maxTerms: t.maxTerms}
}

// Load reads a gzipped table in the format [Table.Save] writes: a first line
// "docs<TAB>N", then one "term<TAB>df" line per term. It returns an error for
// data that is not gzip or has a malformed line, a count that is negative or
// not a number included.
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
		if !ok || err != nil || !(v >= 0) { // counts are never negative, nor NaN
			return nil, fmt.Errorf("read background line %d: malformed %q", n, sc.Text())
		}
		if n == 1 {
			if term != "docs" {
				return nil, fmt.Errorf("read background line 1: want docs count, got %q", sc.Text())
			}
			t.docs = v
			continue
		}
		*t.df.ref(Hash(term)) = v
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
		if df, ok := t.df.get(Hash(term)); ok {
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
func (t *Table) DF(term string) float64 { return t.DFOf(Hash(term)) }

// DFOf returns the document frequency of the term whose [Hash] is h.
func (t *Table) DFOf(h uint64) float64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.df.count(h)
}

// Observe counts one document with the given terms (each counted once).
func (t *Table) Observe(terms []string) {
	hashes := make([]uint64, 0, len(terms))
	for _, term := range terms {
		hashes = append(hashes, Hash(term))
	}
	slices.Sort(hashes)
	t.ObserveHashes(slices.Compact(hashes))
}

// ObserveHashes counts one document with the terms of the given
// [Hash]es, which must be distinct: a repeated hash is counted as often as
// it is repeated.
func (t *Table) ObserveHashes(hashes []uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.docs++
	t.df.observe(hashes)
	t.bound()
}

// bound halves every count once the table holds more than its maximum
// number of terms (see [DefaultMaxTerms]), dropping the terms left under
// one document. The caller holds the write lock.
func (t *Table) bound() {
	if t.maxTerms == 0 || t.df.len() <= t.maxTerms {
		return
	}
	t.docs /= 2
	t.df.halve()
}

// IDF returns the smoothed inverse document frequency of a lower-case term.
func (t *Table) IDF(term string) (idf float64) {
	h := Hash(term)
	t.ReadRarities(nil, func(r Rarities) { idf = r.IDFOf(h) })
	return idf
}

// AppendIDFsOf appends the [Table.IDF] of each term, given by its [Hash],
// to dst, taking the lock once, and returns the extended slice.
func (t *Table) AppendIDFsOf(dst []float64, hashes []uint64) []float64 {
	t.ReadRarities(hashes, func(r Rarities) {
		for _, h := range hashes {
			dst = append(dst, r.IDFOf(h))
		}
	})
	return dst
}

// ReadRarities calls fn with a view of the table's rarities, taking the
// read lock once for all that fn looks up. The terms fn may look up can be
// given by their [Hash]es, ahead: their counts are then read together
// first, which in a large table is much faster than one after the other.
// fn must not update the table.
func (t *Table) ReadRarities(ahead []uint64, fn func(Rarities)) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	fn(Rarities{t: t, logDocs: logPlus1(t.docs), touched: t.df.touch(ahead)})
}

// Rarities is a view of a [Table] inside [Table.ReadRarities], valid only
// there.
type Rarities struct {
	t       *Table
	logDocs float64
	touched uint64 // the reads ahead, kept
}

// IDFOf returns the [Table.IDF] of the term whose [Hash] is h.
func (r Rarities) IDFOf(h uint64) float64 { return r.IDFOfDF(r.DFOf(h)) }

// DFOf returns the [Table.DFOf] of the term whose [Hash] is h.
func (r Rarities) DFOf(h uint64) float64 { return r.t.df.count(h) }

// IDFOfDF returns the IDF of a term of document frequency df: IDFOf(h) is
// IDFOfDF(DFOf(h)).
func (r Rarities) IDFOfDF(df float64) float64 { return r.logDocs - logPlus1(df) }

// IDFBound returns a bound that IDFOfDF(df) does not exceed, within 0.09
// of it, without a logarithm: a caller ranking terms by rarity times some
// weight can spare the logarithms of the terms that cannot rank.
func (r Rarities) IDFBound(df float64) float64 {
	// With df+1 = m 2^e, m in [1, 2): ln(df+1) = (e + log2 m) ln 2, and
	// log2 m >= m-1 (a chord under a concave curve). The margin covers the
	// rounding of both sides.
	bits := math.Float64bits(df + 1)
	e := float64(int(bits>>52) - 1023)
	m := math.Float64frombits(bits&(1<<52-1) | 1023<<52)
	return r.logDocs - (e+m-1)*math.Ln2 + 1e-9
}

// MaxIDF returns the IDF of a term never seen, which no term exceeds (as
// counts are never negative): a bound that lets a caller ranking terms by
// rarity times some weight skip the look-ups of terms that cannot rank.
func (r Rarities) MaxIDF() float64 { return r.logDocs }

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
