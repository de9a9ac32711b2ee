package clean

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// checkInvariants fails the test if r breaks the guarantees of the
// package doc: valid UTF-8, no control characters, trimmed single-spaced
// paragraphs without line breaks, and stable under a second cleaning
// unless input or output looks like HTML (text extracted from HTML may
// spell out markup, as "&lt;p&gt;" does, and plain text may start with a
// tag once the furniture above it is gone).
func checkInvariants(t *testing.T, raw string, r Result) {
	t.Helper()
	for i, p := range r.Paragraphs {
		switch {
		case p == "":
			t.Errorf("paragraph %d is empty", i)
		case !utf8.ValidString(p):
			t.Errorf("paragraph %d is not valid UTF-8: %q", i, p)
		case strings.TrimSpace(p) != p || strings.Contains(p, "  "):
			t.Errorf("paragraph %d has untrimmed or double spaces: %q", i, p)
		case strings.ContainsFunc(p, func(r rune) bool { return r < ' ' || r == 0x7f }):
			t.Errorf("paragraph %d has control characters: %q", i, p)
		}
	}
	text := r.Text()
	if !looksHTML(strings.ToValidUTF8(raw, "")) && !looksHTML(text) && Text(text) != text {
		t.Errorf("cleaning is not idempotent for %.80q:\nonce:  %q\ntwice: %q", raw, text, Text(text))
	}
}

func TestBadInput(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	binary := make([]byte, 64<<10)
	for i := range binary {
		binary[i] = byte(rng.UintN(256))
	}
	story := "Kim Jong Un toured an aircraft plant on Friday, the governor said.\n"
	tests := []struct {
		name      string
		in        string
		wantEmpty bool
		wantText  string // when set, the exact cleaned text
	}{
		{name: "empty", in: "", wantEmpty: true},
		{name: "white space", in: " \n\t\r\n \u00a0 ", wantEmpty: true},
		{name: "only furniture", in: "- Advertisement -\nRate this post\nMost Popular\nRecent Posts", wantEmpty: true},
		{name: "binary", in: string(binary), wantEmpty: true},
		{name: "NUL bytes", in: "\x00\x00\x00\x00", wantEmpty: true},
		{name: "invalid UTF-8 inside text", in: "Kim toured\xff\xfe an aircraft plant.", wantText: "Kim toured an aircraft plant."},
		{name: "control characters", in: "Kim\x07 toured\tthe\x1b plant.\r\nHe left.", wantText: "Kim toured the plant.\n\nHe left."},
		{name: "HTML without text", in: "<html><head><title></title></head><body><div><script>var x=1;</script><img src=a.png></div></body></html>", wantEmpty: true},
		{name: "HTML with only furniture", in: "<html><body><nav><a href=/>Home</a></nav><div>Advertisement</div><footer>Most Popular</footer></body></html>", wantEmpty: true},
		{name: "huge", in: strings.Repeat(story, 20000)},
		{name: "one huge line", in: strings.Repeat("word ", 200000)},
		{name: "angle bracket text is not HTML", in: "<3 fans cheered the team.\nThe score was 3<4 at half time.", wantText: "<3 fans cheered the team.\n\nThe score was 3<4 at half time."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Clean(tc.in)
			if tc.wantEmpty && len(r.Paragraphs) > 0 {
				t.Errorf("Clean(%.40q) kept %d paragraphs (%.80q), want none", tc.in, len(r.Paragraphs), r.Text())
			}
			if !tc.wantEmpty && len(r.Paragraphs) == 0 {
				t.Errorf("Clean(%.40q) kept nothing, want text", tc.in)
			}
			if tc.wantText != "" && r.Text() != tc.wantText {
				t.Errorf("Clean(%.40q) = %q, want %q", tc.in, r.Text(), tc.wantText)
			}
			checkInvariants(t, tc.in, r)
		})
	}
}
