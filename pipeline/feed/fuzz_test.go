package feed_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wiredesk/wiredesk/pipeline"
	"github.com/wiredesk/wiredesk/pipeline/feed"
)

// FuzzRead feeds arbitrary standard input to the reader. The seed corpus is
// in testdata/fuzz/FuzzRead. Properties: no panic or read error; every item
// is an article or an error; an article has an id and a text and decodes
// from its Raw to the same article; no Raw is over the size limit; there is
// at most one item per line.
func FuzzRead(f *testing.F) {
	f.Add([]byte(`{"id":"a","text":"t"}` + "\n" + `{"id":"b","text":"u","source":"Reuters"}`))
	f.Add([]byte("plain text\r\nsecond line"))
	f.Add([]byte("\n\n{\"id\":\"a\"}\r\n\xff\n"))
	const limit = 256
	f.Fuzz(func(t *testing.T, in []byte) {
		jsonl := bytes.HasPrefix(bytes.TrimLeft(in, " \t\r\n"), []byte("{"))
		items := 0
		err := feed.Reader{MaxArticleBytes: limit}.Read(context.Background(), []string{feed.StdinPath}, bytes.NewReader(in), func(it feed.Item) error {
			items++
			if (it.Article == nil) == (it.Err == nil) {
				t.Fatalf("item %s: article %v and err %v, want exactly one", it.Origin, it.Article, it.Err)
			}
			if len(it.Raw) > limit {
				t.Errorf("item %s: Raw is %d bytes, limit %d", it.Origin, len(it.Raw), limit)
			}
			if it.Err != nil {
				if pipeline.ReasonOf(it.Err) == "" {
					t.Errorf("item %s: err %v has no reason", it.Origin, it.Err)
				}
				return nil
			}
			a := it.Article
			if strings.TrimSpace(a.ID) == "" || strings.TrimSpace(a.Text) == "" {
				t.Errorf("item %s: article %+v lacks an id or a text", it.Origin, a)
			}
			if jsonl {
				again, err := pipeline.Decode(it.Raw, limit)
				if err != nil {
					t.Fatalf("item %s: Decode(Raw) = %v, want the article", it.Origin, err)
				}
				if diff := cmp.Diff(a, again); diff != "" {
					t.Errorf("item %s: Decode(Raw) mismatch (-read +decoded):\n%s", it.Origin, diff)
				}
			} else if a.Text != string(it.Raw) {
				t.Errorf("item %s: text %q, want Raw %q", it.Origin, a.Text, it.Raw)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("Read() = %v, want nil", err)
		}
		if lines := bytes.Count(in, []byte("\n")) + 1; items > lines {
			t.Errorf("Read() yielded %d items from %d lines", items, lines)
		}
	})
}
