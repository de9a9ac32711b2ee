package ner

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/wiredesk/wiredesk/internal/testkit"
	"github.com/wiredesk/wiredesk/pipeline/lexicon"
)

// goldenTokens holds one digest per text of tokenizeCorpus, of the tokens
// and flags tokenize gave when the tokenizer got its fast paths: they were
// checked then, token by token, against the plain one-token-at-a-time
// tokenizer they replaced. Digests rather than tokens, so the file holds
// nothing of the CoNLL-2003 text.
const goldenTokens = "testdata/tokenize.golden"

// tokenizeCorpus returns the texts of the golden tokenization: the seed
// articles, the CoNLL-2003 dev documents, and random strings of the
// characters the tokenizer treats specially.
func tokenizeCorpus(t *testing.T) []string {
	t.Helper()
	var texts []string
	seeds := readSeeds(t)
	for _, name := range slices.Sorted(maps.Keys(seeds)) {
		texts = append(texts, seeds[name])
	}
	f, err := os.Open(devPath)
	if err != nil {
		t.Fatalf("CoNLL-2003 dev set missing: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var d struct{ Text string }
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatal(err)
		}
		texts = append(texts, d.Text)
	}
	pieces := []string{"a", "Z", "7", " ", "  ", "\n", "\t", ".", ",", ":", "/", "-", "&", "'", "\"", "(", ")", "[", "]", "!", "?",
		"St", "U", "S", "Inc", "’", "“", "”", "–", "é", "É", "Ж", "\u00a0", "\u2009", "1,600", "AT", "T", "O", "Neill", "\xff", "日本"}
	return append(texts, testkit.RandomTexts(3, 4, 3000, 40, pieces)...)
}

// tokenDigest is a digest of every field of the tokens.
func tokenDigest(toks []token) string {
	h := sha256.New()
	for _, t := range toks {
		fmt.Fprintf(h, "%q %d %d %d %t %t %t\n", t.text, t.hash, t.start, t.end, t.sentStart, t.lineStart, t.capsLine)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// TestTokenizeGolden checks tokenize against the golden digests, reusing
// one token slice as the tagger does. Run with -update to accept a change
// of tokenization on purpose.
func TestTokenizeGolden(t *testing.T) {
	texts := tokenizeCorpus(t)
	var toks []token
	got := make([]string, len(texts))
	for i, text := range texts {
		toks = tokenize(text, toks)
		got[i] = tokenDigest(toks)
	}
	if *update {
		if err := os.WriteFile(goldenTokens, []byte(strings.Join(got, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(goldenTokens)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Fields(string(data))
	if len(want) != len(got) {
		t.Fatalf("%s has %d digests for %d texts", goldenTokens, len(want), len(got))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("tokenize(%q) changed: %+v", texts[i], tokenize(texts[i], nil))
		}
	}
}

// FuzzTokenize checks what holds of any tokenization: tokens in order,
// apart, each the text it spans (typographic quotes folded) with its hash,
// none of white space, a line start after every line break; and the same
// tokens whether the slice is reused or not.
func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"", "Kim Jong Un met Vladimir Putin in Komsomolsk-on-Amur.", "U.S. St. Louis-based Acme Inc.\nDPRK", "“Kyiv’s” O'Neill AT&T 1,600 \xff\xfe", "SOCCER - LEEDS WIN\nThe Leeds side won. Fans cheered."} {
		f.Add(s)
	}
	var reused []token
	f.Fuzz(func(t *testing.T, text string) {
		toks := tokenize(text, nil)
		if reused = tokenize(text, reused); !slices.Equal(reused, toks) {
			t.Fatalf("tokenize(%q) with a reused slice differs", text)
		}
		end := 0
		for i, tok := range toks {
			span := text[tok.start:tok.end]
			switch {
			case tok.start < end || tok.end <= tok.start:
				t.Fatalf("tokenize(%q): token %d at [%d, %d) after %d", text, i, tok.start, tok.end, end)
			case tok.text != span && tok.text != foldQuotes(span):
				t.Fatalf("tokenize(%q): token %d is %q for %q", text, i, tok.text, span)
			case tok.hash != lexicon.Hash(tok.text):
				t.Fatalf("tokenize(%q): token %d has the wrong hash", text, i)
			case strings.TrimSpace(span) == "":
				t.Fatalf("tokenize(%q): token %d is white space", text, i)
			case tok.lineStart != (i == 0 || strings.Contains(text[end:tok.start], "\n")):
				t.Fatalf("tokenize(%q): token %d lineStart %t", text, i, tok.lineStart)
			}
			end = tok.end
		}
	})
}
