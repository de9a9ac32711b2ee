package livetest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/wiredesk/wiredesk/pipeline"
)

// mutations turn a development article into the kinds of copies a wire
// feed carries, so that the run exercises every dedup decision: the
// original, a verbatim copy under another id, a copy with a new headline,
// dropped sentences and an unrelated teaser, and a cut-down lead version.
var mutations = []struct {
	name   string
	mutate func(text, other string) (title, body string)
}{
	{"original", func(text, _ string) (string, string) { return "", text }},
	{"copy", func(text, _ string) (string, string) { return firstLine(text), text }},
	{"rewrite", func(text, other string) (string, string) {
		lines := strings.Split(text, "\n")
		var kept []string
		for i, l := range lines {
			if i%3 != 2 {
				kept = append(kept, l)
			}
		}
		return "UPDATE: " + firstLine(text), strings.Join(kept, "\n") + "\n\nMore from the wire: " + firstLine(other)
	}},
	{"lead", func(text, _ string) (string, string) {
		lines := strings.Split(text, "\n")
		return "", strings.Join(lines[:max(1, len(lines)/2)], "\n") + "\n\nRead the full story on our site."
	}},
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}

// generate returns n JSONL articles made from the ECB+ development data,
// cycling through the mutations. Ids are unique, so the publisher stores
// every one.
func generate(t *testing.T, n int) [][]byte {
	t.Helper()
	f, err := os.Open(devData)
	if err != nil {
		t.Fatalf("open shared development data (CI clones shared/ beside the repository): %v", err)
	}
	defer f.Close()
	var texts, ids []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, pipeline.DefaultMaxArticleBytes)
	for sc.Scan() {
		var a struct{ ID, Text string }
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatalf("%s: %v", devData, err)
		}
		ids, texts = append(ids, a.ID), append(texts, a.Text)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(texts) < 2 {
		t.Fatalf("%s has %d articles, want at least 2", devData, len(texts))
	}
	out := make([][]byte, 0, n)
	for i := 0; len(out) < n; i++ {
		src := i % len(texts)
		m := mutations[(i/len(texts))%len(mutations)]
		title, body := m.mutate(texts[src], texts[(src+1)%len(texts)])
		a := pipeline.Article{
			ID:     fmt.Sprintf("live-%s-%d", ids[src], i/len(texts)),
			Title:  title,
			Text:   body,
			Source: "livetest-" + m.name,
		}
		line, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, line)
	}
	return out
}
