package clean

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// evalDir is the shared evaluation data, beside the repository.
const evalDir = "../../../shared/eval"

type evalDoc struct {
	ID     string  `json:"id"`
	Text   string  `json:"text"`
	CopyOf *string `json:"copy_of"`
}

// loadJSONL reads a .jsonl file of the shared evaluation data; it fails
// the test when the data is missing.
func loadJSONL(t *testing.T, rel string) []evalDoc {
	t.Helper()
	f, err := os.Open(filepath.Join(evalDir, rel))
	if err != nil {
		t.Fatalf("shared eval data: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	var docs []evalDoc
	for sc.Scan() {
		var d evalDoc
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		docs = append(docs, d)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	return docs
}

// TestOriginalsKeepText checks that clean text is left (almost) alone:
// Reuters newswire (CoNLL dev) and original news articles (ECB+ dev) have
// no appended teasers, so every teaser removal there is a mistake, and
// furniture removals must stay rare.
func TestOriginalsKeepText(t *testing.T) {
	tests := []struct {
		name        string
		file        string
		maxRemoved  float64 // share of input lines removed for any reason
		maxTeasers  float64 // share of input lines wrongly removed as teasers
		maxDropBody float64 // share of lines removed as furniture or teasers (not date stamps)
	}{
		{name: "conll", file: "conll/dev.jsonl", maxRemoved: 0.005, maxTeasers: 0.001, maxDropBody: 0.005},
		// ECB+ articles open with their sites' publication stamps (2.5% of
		// its lines), removed as metadata.
		{name: "ecbplus", file: "ecbplus/dev.jsonl", maxRemoved: 0.03, maxTeasers: 0.001, maxDropBody: 0.002},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			total := 0
			byKind := map[kind]int{}
			for _, d := range loadJSONL(t, tc.file) {
				paras, _ := classifyAll(d.Text, nil)
				for _, p := range paras {
					total++
					if p.kind != kindBody {
						byKind[p.kind]++
						t.Logf("%s: removed (kind %d) %.80q", d.ID, p.kind, p.text)
					}
				}
			}
			removed := byKind[kindFurniture] + byKind[kindDate] + byKind[kindTeaser]
			share := func(n int) float64 { return float64(n) / float64(total) }
			t.Logf("%s: %d lines; removed %d (%.3f%%): furniture %d, date stamps %d, teasers %d (%.3f%%)",
				tc.name, total, removed, 100*share(removed), byKind[kindFurniture], byKind[kindDate],
				byKind[kindTeaser], 100*share(byKind[kindTeaser]))
			if got := share(removed); got > tc.maxRemoved {
				t.Errorf("removed share = %.4f, want <= %.4f", got, tc.maxRemoved)
			}
			if got := share(byKind[kindTeaser]); got > tc.maxTeasers {
				t.Errorf("teaser share = %.4f, want <= %.4f", got, tc.maxTeasers)
			}
			if got := share(byKind[kindFurniture] + byKind[kindTeaser]); got > tc.maxDropBody {
				t.Errorf("furniture+teaser share = %.4f, want <= %.4f", got, tc.maxDropBody)
			}
		})
	}
}

// TestWireCopiesLoseInjectedLines measures, on the wire copies of the dev
// stream, how many of the lines the copying site added (furniture,
// breadcrumbs, date stamps, teasers, and also reworded sentences, which
// must stay) survive cleaning, and that the original's lines other than
// date stamps survive.
func TestWireCopiesLoseInjectedLines(t *testing.T) {
	docs := loadJSONL(t, "wire/dev-stream.jsonl")
	labels := loadJSONL(t, "wire/dev-labels.jsonl")
	byID := make(map[string]string, len(docs))
	for _, d := range docs {
		byID[d.ID] = d.Text
	}
	var added, addedKept, addedShort, addedShortKept, orig, origKept int
	for _, l := range labels {
		if l.CopyOf == nil {
			continue
		}
		original, ok := byID[*l.CopyOf]
		if !ok {
			t.Fatalf("copy %s: original %s not in stream", l.ID, *l.CopyOf)
		}
		origKeys := map[string]bool{}
		for _, s := range splitParagraphs(original) {
			origKeys[lineKey(s)] = true
		}
		kept := map[string]bool{}
		for _, s := range Clean(byID[l.ID]).Paragraphs {
			kept[lineKey(s)] = true
		}
		for _, s := range splitParagraphs(byID[l.ID]) {
			k := lineKey(s)
			if origKeys[k] {
				if isDateOnly(s) {
					continue // the original's date stamp: metadata, not text
				}
				orig++
				if kept[k] {
					origKept++
				} else {
					t.Logf("%s: original line dropped %.100q", l.ID, s)
				}
				continue
			}
			short := len(strings.Fields(s)) < minTeaserWords
			added++
			if short {
				addedShort++
			}
			if kept[k] {
				addedKept++
				if short {
					addedShortKept++
				}
				t.Logf("%s: added line kept %.100q", l.ID, s)
			}
		}
	}
	share := func(n, of int) float64 { return float64(n) / float64(of) }
	t.Logf("copies: original lines %d, kept %d (%.2f%%); added lines %d, kept %d (%.2f%%); added short lines %d, kept %d (%.2f%%)",
		orig, origKept, 100*share(origKept, orig), added, addedKept, 100*share(addedKept, added),
		addedShort, addedShortKept, 100*share(addedShortKept, addedShort))
	// Added lines include reworded story sentences, which must stay; short
	// added lines are nearly all furniture and date stamps.
	if got := share(origKept, orig); got < 0.97 {
		t.Errorf("kept %.4f of the original lines in copies, want >= 0.97", got)
	}
	if got := share(addedKept, added); got > 0.10 {
		t.Errorf("kept %.4f of the added lines, want <= 0.10", got)
	}
	if got := share(addedShortKept, addedShort); got > 0.02 {
		t.Errorf("kept %.4f of the added short lines, want <= 0.02", got)
	}
}
