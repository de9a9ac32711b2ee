package clean

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // "" when no date
	}{
		{name: "weekday month day year", in: "Monday, July 1, 2024", want: "2024-07-01"},
		{name: "no space after comma", in: "Published: July 29,2004", want: "2004-07-29"},
		{name: "day month year", in: "Last updated at 11:24, Tuesday, 18 June 2013", want: "2013-06-18"},
		{name: "upper-case abbreviations", in: "10:24 AM, MON 22 JUL 2013", want: "2013-07-22"},
		{name: "iso", in: "LONDON 1996-08-30", want: "1996-08-30"},
		{name: "ordinal", in: "June 6th, 2013 7:38pm EDT", want: "2013-06-06"},
		{name: "impossible day", in: "February 30, 2020", want: ""},
		{name: "month and year only", in: "July 2024", want: ""},
		{name: "prose", in: "He may 10 times have said so.", want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ""
			if d, ok := parseDate(tc.in); ok {
				got = d.Format(time.DateOnly)
			}
			if got != tc.want {
				t.Errorf("parseDate(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestLineClasses(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want kind
	}{
		{name: "advertisement", in: "- Advertisement -", want: kindFurniture},
		{name: "breadcrumb glued", in: "HomeNewsUkraine live briefing: Relations with Russia", want: kindFurniture},
		{name: "breadcrumb separators", in: "Home > World > Asia", want: kindFurniture},
		{name: "sign-up", in: "Sign up to receive the latest news in your inbox, everyday.", want: kindFurniture},
		{name: "spam notice", in: "We don’t spam! Read our [link]privacy policy[/link] for more info.", want: kindFurniture},
		{name: "photo credit", in: "Photo: AFP / official telegram channel of the Governor", want: kindFurniture},
		{name: "caption with credit", in: "Putin welcomed Kim on Sept. 13. (Video: Reuters)", want: kindFurniture},
		{name: "date stamp", in: "Sunday, July 28, 2024", want: kindDate},
		{name: "update stamp", in: "18 September 2013 Last updated at 13:59 GMT", want: kindDate},
		{name: "two stamps", in: "Posted: Nov 27,2005 8:20 AM ET Last Updated: Nov 27,2005 8:10 PM ET", want: kindDate},
		{name: "numeric stamp", in: "Posted 12 / 19 / 2005 3:36 PM", want: kindDate},
		{name: "dotted stamp", in: "Article posted on 08.07.2012", want: kindDate},
		{name: "stamp with p. m.", in: "updated 8:41 p. m. EST, Tue March 3,2009", want: kindDate},
		{name: "release stamp", in: "Release: 03 / 08 / 2013", want: kindDate},
		{name: "headline with a date stays", in: "Seacom operations fully restored: 4 November 2011", want: kindBody},
		{name: "numbers without a year stay", in: "Posted at 3 / 5", want: kindBody},
		{name: "dateline stays", in: "LONDON 1996-08-30", want: kindBody},
		{name: "headline stays", in: "CRICKET - LEICESTERSHIRE TAKE OVER AT TOP AFTER INNINGS VICTORY.", want: kindBody},
		{name: "news about a newsletter stays", in: "The newsletter said profits would rise in the third quarter.", want: kindBody},
		{name: "results row stays", in: "Deportivo Coruna 1 Real Madrid 1", want: kindBody},
		{name: "home in prose stays", in: "Homeowners were told to leave.", want: kindBody},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := classify(normalizeLine(tc.in), lineKey(normalizeLine(tc.in))); got != tc.want {
				t.Errorf("classify(%q) = %d, want %d", tc.in, got, tc.want)
			}
		})
	}
}

func TestMetadata(t *testing.T) {
	tests := []struct {
		name                    string
		in                      string
		title, byline, dateline string
		published               string
	}{
		{
			name:  "reuters",
			in:    "Boatmen's deal could spark more mergers.\nBrad Dorfman\nCHICAGO 1996-08-30\nThe $9.5 billion proposed acquisition could spark a flurry of other mergers.",
			title: "Boatmen's deal could spark more mergers.", byline: "Brad Dorfman", dateline: "CHICAGO 1996-08-30", published: "1996-08-30",
		},
		{
			name:     "inline dateline",
			in:       "WASHINGTON (Reuters) - The Senate passed the bill on Tuesday after a long debate.\nThe vote was 60-40.",
			dateline: "WASHINGTON (Reuters)",
		},
		{
			name:  "all-caps sports headline is no dateline",
			in:    "SOCCER - RESULT IN SPANISH FIRST DIVISION.\nMADRID 1996-08-31\nDeportivo Coruna 1 Real Madrid 1",
			title: "SOCCER - RESULT IN SPANISH FIRST DIVISION.", dateline: "MADRID 1996-08-31", published: "1996-08-31",
		},
		{
			name:      "publication stamp is no title",
			in:        "Posted: Nov 27,2005 8:20 AM ET Last Updated: Nov 27,2005 8:10 PM ET\nQuake kills ten in Iran\nAn earthquake with a magnitude of 5.9 hit southern Iran on Sunday.",
			title:     "Quake kills ten in Iran",
			published: "2005-11-27",
		},
		{
			name: "sentence first line is no title",
			in:   "North Korean leader Kim Jong-un toured an aircraft factory.\nHe met the governor.",
		},
		{
			name:  "by at sentence start is no byline",
			in:    "Storm hits coast\nBy the end of the day, the storm had passed.",
			title: "Storm hits coast",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Clean(tc.in)
			published := ""
			if !r.PublishedAt.IsZero() {
				published = r.PublishedAt.Format(time.DateOnly)
			}
			got := [4]string{r.Title, r.Byline, r.Dateline, published}
			want := [4]string{tc.title, tc.byline, tc.dateline, tc.published}
			if got != want {
				t.Errorf("Clean(%.40q) title, byline, dateline, date = %q, want %q", tc.in, got, want)
			}
		})
	}
}

func TestDatedLead(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"Sun, 15 Sep 2013 Two men were arrested after a fight outside a bar in the city centre late on Saturday.", true},
		{"Updated 5 / 5 / 2010 1:41 PM Riots broke out in the capital as parliament voted on the austerity measures.", true},
		// A stamp's own words ("a", "at") do not make a sentence a stamp.
		{"A May 5, 2010 report by the inspector found that the company had ignored repeated safety warnings.", false},
		{"At least ten people were killed when a powerful earthquake struck southern Iran on Sunday morning.", false},
	}
	for _, tc := range tests {
		if got := datedLead(tc.in); got != tc.want {
			t.Errorf("datedLead(%.40q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
