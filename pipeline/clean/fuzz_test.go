package clean

import (
	"testing"
	"time"
)

// FuzzClean checks the guarantees of [Clean] on arbitrary input; its
// corpus in testdata/fuzz/FuzzClean holds the seeds, an HTML page and
// malformed bodies.
func FuzzClean(f *testing.F) {
	f.Add("HomeNewsWorld\nKim visits plant\n- Advertisement -\nKim toured a plant on Friday.\nRate this post")
	f.Add("<p>The council met.</p><p>Rate this post</p>")
	f.Add("LONDON 1996-08-30\nShares rose.")
	f.Fuzz(func(t *testing.T, raw string) {
		checkInvariants(t, raw, Clean(raw))
	})
}

// FuzzParseDate checks that any date found is a real calendar date in the
// accepted year range.
func FuzzParseDate(f *testing.F) {
	f.Add("Monday, July 1, 2024")
	f.Add("10:24 AM, MON 22 JUL 2013")
	f.Add("1996-02-30")
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := parseDate(s)
		if !ok {
			return
		}
		if d.Year() < 1900 || d.Year() > 2199 || d.Location() != time.UTC || d.Hour() != 0 {
			t.Errorf("parseDate(%q) = %v, want a UTC midnight in 1900..2199", s, d)
		}
	})
}
