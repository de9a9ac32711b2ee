package enrich

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/wiredesk/wiredesk/pipeline"
)

func TestHeadline(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{name: "title case headline", text: "Ukrainian Pilots Could Fly F-16s Soon, U.S. Says\n\nBody text.", want: "Ukrainian Pilots Could Fly F-16s Soon, U.S. Says"},
		{name: "sentence case with question", text: "Will the talks resume next week?\nBody text.", want: "Will the talks resume next week?"},
		{name: "ends like a sentence", text: "Kim toured a factory on Friday.\nMore text.", want: ""},
		{name: "truncated teaser", text: "HomeNews Relations with Russia are a first priority for North Korea,...\nBody.", want: ""},
		{name: "only a date", text: "Monday, July 1, 2024\nBody text.", want: ""},
		{name: "too few words", text: "Breaking News\nBody text.", want: ""},
		{name: "lower-case start", text: "updated: markets fall sharply again\nBody.", want: ""},
		{name: "nothing after it", text: "Markets Fall Sharply Again", want: ""},
		{name: "too long", text: strings.Repeat("Word ", 30) + "\nBody.", want: ""},
		{name: "leading blank lines", text: "\n\n  Markets Fall Sharply Again  \n\nBody.", want: "Markets Fall Sharply Again"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := headline(tc.text); got != tc.want {
				t.Errorf("headline(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}

func TestLead(t *testing.T) {
	long := "The committee, which met behind closed doors for most of the day in a building near the river, " +
		"heard testimony from dozens of witnesses about the collapse of the bridge and the failures of " +
		"inspection that preceded it, and it is expected to publish its findings before the end of the year " +
		"after further hearings in the capital."
	tests := []struct {
		name string
		e    pipeline.Event
		want string
	}{
		{
			name: "three sentences fit",
			e:    pipeline.Event{Text: "Prices rose on Monday. Traders were surprised. Analysts expect more. A fourth sentence follows."},
			want: "Prices rose on Monday. Traders were surprised. Analysts expect more.",
		},
		{
			name: "abbreviations do not end sentences",
			e:    pipeline.Event{Text: "Mr. Smith met U.S. officials on Sept. 13 in Washington. Dr. Jones and J. R. Brown joined later."},
			want: "Mr. Smith met U.S. officials on Sept. 13 in Washington. Dr. Jones and J. R. Brown joined later.",
		},
		{
			name: "quote closes the sentence",
			e:    pipeline.Event{Text: "He said the deal was “a first priority.” Talks will resume on Friday, officials said."},
			want: "He said the deal was “a first priority.” Talks will resume on Friday, officials said.",
		},
		{
			name: "decimals and lower-case continuations do not end sentences",
			e:    pipeline.Event{Text: "The economy grew 3.5 percent, said the minister at 9 a.m. on Monday. Markets rallied! Bonds fell? Yes."},
			want: "The economy grew 3.5 percent, said the minister at 9 a.m. on Monday. Markets rallied! Bonds fell?",
		},
		{
			name: "skips title, short lines, captions and the byline",
			e: pipeline.Event{
				Title:  "Bridge Inquiry Opens",
				Byline: "By Jane Doe",
				Text:   "Bridge Inquiry Opens\n\nBy Jane Doe\n\n- Advertisement -\n\nPhoto: the bridge after the collapse seen from the northern bank\n\nAn inquiry into the collapse of the bridge opened on Monday. Witnesses will be heard all week.",
			},
			want: "An inquiry into the collapse of the bridge opened on Monday. Witnesses will be heard all week.",
		},
		{
			name: "skips a date and time line",
			e:    pipeline.Event{Text: "Fri., May. 3,2013 11:45 AM PDT\nThe actress checked into the clinic early on Friday."},
			want: "The actress checked into the clinic early on Friday.",
		},
		{
			name: "a short sentence is enough",
			e:    pipeline.Event{Text: "The parliament election is over in Turkmenistan."},
			want: "The parliament election is over in Turkmenistan.",
		},
		{
			name: "strips the dateline",
			e:    pipeline.Event{Dateline: "LONDON (Reuters)", Text: "LONDON (Reuters) - British lawmakers voted on Tuesday to approve the new budget plan."},
			want: "British lawmakers voted on Tuesday to approve the new budget plan.",
		},
		{
			name: "stops before a bracketed credit",
			e:    pipeline.Event{Text: "The two leaders met at the cosmodrome on Sept. 13. (Video: Reuters) More text follows here."},
			want: "The two leaders met at the cosmodrome on Sept. 13.",
		},
		{
			name: "second sentence would exceed the limit",
			e:    pipeline.Event{Text: "Officials confirmed the agreement late on Monday night. " + long},
			want: "Officials confirmed the agreement late on Monday night.",
		},
		{
			name: "one long sentence is cut at a word",
			e:    pipeline.Event{Text: long},
			want: "The committee, which met behind closed doors for most of the day in a building near the river, heard testimony from dozens of witnesses about the collapse of the bridge and the failures of inspection that preceded it, and it is expected to publish its findings before the end of the year after…",
		},
		{
			name: "no prose",
			e:    pipeline.Event{Text: "Home\n\nRate this post\n\nShare on social media"},
			want: "",
		},
	}
	x := newTestEnricher(t, Config{}, fakeRarity{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := x.lead(&tc.e)
			if got != tc.want {
				t.Errorf("lead() = %q, want %q", got, tc.want)
			}
			if n := utf8.RuneCountInString(got); n > DefaultLeadMaxChars {
				t.Errorf("lead() has %d characters, want at most %d", n, DefaultLeadMaxChars)
			}
		})
	}
}

func TestWordCount(t *testing.T) {
	tests := []struct {
		name, text string
		want       int
	}{
		{name: "empty", text: "", want: 0},
		{name: "plain", text: "Kim met Putin", want: 3},
		{name: "hyphens, apostrophes and numbers are one word each", text: "Kim's F-16s cost $2,290.5 million", want: 5},
		{name: "dashes and bullets are not words", text: "Kim — Putin - talks •", want: 3},
		{name: "paragraphs and tabs", text: "One two\n\nthree\tfour\n", want: 4},
		{name: "non-latin", text: "Ким встретился с Путиным", want: 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := getCounter(tc.text, fakeRarity{})
			defer k.release()
			if k.nWords != tc.want {
				t.Errorf("word count of %q = %d, want %d", tc.text, k.nWords, tc.want)
			}
		})
	}
}

func TestReadingTimeSeconds(t *testing.T) {
	tests := []struct {
		name       string
		words, wpm int
		want       int
	}{
		{name: "no words", words: 0, wpm: 230, want: 0},
		{name: "one word rounds up", words: 1, wpm: 230, want: 1},
		{name: "exact minute", words: 230, wpm: 230, want: 60},
		{name: "news article", words: 800, wpm: 230, want: 209},
		{name: "faster reader", words: 800, wpm: 300, want: 160},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := readingTimeSeconds(tc.words, tc.wpm); got != tc.want {
				t.Errorf("readingTimeSeconds(%d, %d) = %d, want %d", tc.words, tc.wpm, got, tc.want)
			}
		})
	}
}

// TestIsLetterOrDigit checks the table lookups and shortcut of
// isLetterOrDigit against the Unicode tables.
func TestIsLetterOrDigit(t *testing.T) {
	for r := rune(-1); r < 0x3000; r++ {
		if got, want := isLetterOrDigit(r), unicode.IsLetter(r) || unicode.IsDigit(r); got != want {
			t.Errorf("isLetterOrDigit(%U) = %v, want %v", r, got, want)
		}
	}
}
