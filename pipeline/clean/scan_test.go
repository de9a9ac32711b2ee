package clean

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/wiredesk/wiredesk/internal/testkit"
)

// scanInputs are lines for the fast scanning loops to agree with their
// plain definitions on: every line of the seeds, tricky strings, and
// random strings over an alphabet of word, separator, apostrophe, space,
// control, multi-byte and invalid characters.
func scanInputs(t *testing.T) []string {
	t.Helper()
	in := []string{
		"", " ", "a", "A b", "don't", "Don’t stop", "'quoted'", "rock 'n' roll", "it'", "’s",
		"Kim's  train", "a\tb", "x\x00y", "ÉCOLE Ünïcödé ΣΊΣΥΦΟΣ", "İstanbul", "\u212a", "ǅemal",
		"foo\u200bbar", "a\xffb", "12,000 people", "- - - -", "end.", "trailing ", " leading",
		"\x7f", "…", "1st 2nd", "U.S. forces", "e-mail", "a''b", "a'’b", "x’y’z",
	}
	for _, p := range []string{"000", "001", "002", "003"} {
		in = append(in, strings.Split(readSeed(t, p), "\n")...)
	}
	alphabet := []string{"a", "B", "z", "7", " ", " ", "  ", "'", "’", "-", ".", "\t", "\x01", "é", "Σ", "\u00a0", "\u200b", "\xff", "\xe2\x80", "日"}
	return append(in, testkit.RandomTexts(7, 7, 5000, 24, alphabet)...)
}

// TestLineKey checks appendKey, which splits words in one branch-free
// pass, against its definition: the lower-cased words joined by spaces.
func TestLineKey(t *testing.T) {
	for _, s := range scanInputs(t) {
		want := strings.ToLower(strings.Join(words(s), " "))
		if got := lineKey(s); got != want {
			t.Errorf("lineKey(%q) = %q, want %q", s, got, want)
		}
		if got, want := string(appendKey([]byte("prefix"), s)), "prefix"+want; got != want {
			t.Errorf("appendKey(prefix, %q) = %q, want %q", s, got, want)
		}
	}
}

// TestAlreadyNormal checks that the fast path of normalizeLine accepts
// only lines that normalizing leaves unchanged.
func TestAlreadyNormal(t *testing.T) {
	for _, s := range scanInputs(t) {
		if got, ok := alreadyNormal(s); ok && (got != s || strings.Contains(s, "  ") || strings.ContainsFunc(s, func(r rune) bool {
			return r == utf8.RuneError || r != ' ' && unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
		})) {
			t.Errorf("alreadyNormal(%q) = %q, true; want false", s, got)
		}
		if ok := normalizeLine(s) == s && s != ""; ok {
			if _, fast := alreadyNormal(s); !fast {
				t.Errorf("alreadyNormal(%q) = false, want true: the line is normal", s)
			}
		}
	}
}

// TestProseWords checks proseWords against counting strings.Fields.
func TestProseWords(t *testing.T) {
	for _, s := range scanInputs(t) {
		s = normalizeLine(s) // proseWords is given paragraphs
		if s == "" {
			continue
		}
		wantN, wantLower := 0, 0
		for _, w := range strings.Fields(s) {
			wantN++
			if r, _ := utf8.DecodeRuneInString(w); unicode.IsLower(r) {
				wantLower++
			}
		}
		if n, lower := proseWords(s); n != wantN || lower != wantLower {
			t.Errorf("proseWords(%q) = %d, %d, want %d, %d", s, n, lower, wantN, wantLower)
		}
	}
}

// TestInspect checks inspect, which skips printable ASCII eight bytes at
// a time, against a rune-by-rune count.
func TestInspect(t *testing.T) {
	for _, s := range append(scanInputs(t), strings.Repeat("\x01", 10)+strings.Repeat("abcdefgh", 12), strings.Repeat("x", 89)+"\xff\xfe") {
		bad, total := 0, 0
		for i := 0; i < len(s); {
			r, size := utf8.DecodeRuneInString(s[i:])
			total++
			if r == utf8.RuneError && size == 1 || r < ' ' && r != '\n' && r != '\r' && r != '\t' {
				bad++
			}
			i += size
		}
		binary, valid := inspect(s)
		if binary != (10*bad > total) || valid != utf8.ValidString(s) {
			t.Errorf("inspect(%q) = %v, %v, want %v, %v", s, binary, valid, 10*bad > total, utf8.ValidString(s))
		}
	}
}

// TestIndexSpaced checks indexSpaced against strings.Index.
func TestIndexSpaced(t *testing.T) {
	in := append(scanInputs(t), "A - B", "-- x", " - ", "a-- b -- c", "LONDON — Shares – rose", "x  -  y", "a -", "- - -")
	for _, s := range in {
		for _, sep := range []string{" - ", " -- ", " — ", " – "} {
			if got, want := indexSpaced(s, sep), strings.Index(s, sep); got != want {
				t.Errorf("indexSpaced(%q, %q) = %d, want %d", s, sep, got, want)
			}
		}
	}
}
