package feed_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/wiredesk/wiredesk/internal/testkit"

	"github.com/google/go-cmp/cmp"

	"github.com/wiredesk/wiredesk/pipeline"
	"github.com/wiredesk/wiredesk/pipeline/feed"
)

// seedsDir holds the four sample articles as .txt files.
const seedsDir = "../../testdata/seeds"

// writeFiles creates files (name → content) in a new temporary folder and
// returns the folder.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// got is the comparable summary of one Item.
type got struct {
	Origin string
	ID     string
	Text   string
	Reason pipeline.Reason
}

// collect reads paths (relative ones under dir) with r and summarises every
// item.
func collect(t *testing.T, r feed.Reader, dir string, paths []string, stdin io.Reader) ([]got, error) {
	t.Helper()
	var full []string
	for _, p := range paths {
		if p != feed.StdinPath && !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		full = append(full, p)
	}
	var items []got
	err := r.Read(testkit.Context(t, 10*time.Second), full, stdin, func(it feed.Item) error {
		if (it.Article == nil) == (it.Err == nil) {
			t.Errorf("item %s: article %v and err %v, want exactly one", it.Origin, it.Article, it.Err)
		}
		g := got{Origin: strings.TrimPrefix(it.Origin, dir+string(filepath.Separator))}
		if it.Err != nil {
			if !errors.Is(it.Err, pipeline.ErrPermanent) {
				t.Errorf("item %s: err %v is not permanent", it.Origin, it.Err)
			}
			g.Reason = pipeline.ReasonOf(it.Err)
		}
		if it.Article != nil {
			g.ID, g.Text = it.Article.ID, it.Article.Text
		}
		items = append(items, g)
		return nil
	})
	return items, err
}

func TestRead(t *testing.T) {
	big := strings.Repeat("word ", 60_000) // 300 KB: past bufio's and Scanner's buffers
	files := map[string]string{
		"folder/b.txt":     "second text\n",
		"folder/a.jsonl":   `{"id":"a1","text":"one"}` + "\n\n" + `{"id":"a2","text":"two"}` + "\n",
		"folder/d.md":      "not an article",
		"folder/sub/e.txt": "in a sub-folder",
		"c.jsonl":          `{"id":"c1","text":"x"}`, // no final newline
		"crlf.jsonl":       "{\"id\":\"r1\",\"text\":\"t1\"}\r\n{\"id\":\"r2\",\"text\":\"t2\"}\r\n",
		"bom.jsonl":        "\xef\xbb\xbf" + `{"id":"bom","text":"t"}`,
		"bom.txt":          "\xef\xbb\xbfbom text",
		"bad.jsonl":        "{\"id\":\"ok1\",\"text\":\"t\"}\nnot json\n{\"text\":\"no id\"}\n{\"id\":\"x\",\"text\":\"  \"}\n{\"id\":\"u\",\"text\":\"\xff\"}\n[1]\n{\"id\":\"ok2\",\"text\":\"t\"}\n",
		"big.jsonl":        `{"id":"big","text":"` + big + `"}` + "\n" + `{"id":"after","text":"t"}` + "\n",
		"empty.txt":        " \n",
		"latin1.txt":       "caf\xe9",
		"huge.jsonl":       `{"id":"huge","text":"` + strings.Repeat("y", 5000) + `"}` + "\r\n" + `{"id":"small","text":"t"}`,
		"huge.txt":         strings.Repeat("z", 5000),
		"limit.jsonl":      `{"id":"lim","text":"` + strings.Repeat("y", 1000-len(`{"id":"lim","text":""}`)) + `"}` + "\r\n",
		"empty.jsonl":      "\n\n",
	}
	dir := writeFiles(t, files)
	tests := []struct {
		name  string
		max   int
		paths []string
		stdin string
		want  []got
	}{
		{
			name:  "folder sorted by name, sub-folders and other files skipped",
			paths: []string{"folder"},
			want: []got{
				{Origin: "folder/a.jsonl:1", ID: "a1", Text: "one"},
				{Origin: "folder/a.jsonl:3", ID: "a2", Text: "two"},
				{Origin: "folder/b.txt", ID: "b", Text: "second text\n"},
			},
		},
		{
			name:  "paths in the order given",
			paths: []string{"c.jsonl", "folder/b.txt", "folder/a.jsonl"},
			want: []got{
				{Origin: "c.jsonl:1", ID: "c1", Text: "x"},
				{Origin: "folder/b.txt", ID: "b", Text: "second text\n"},
				{Origin: "folder/a.jsonl:1", ID: "a1", Text: "one"},
				{Origin: "folder/a.jsonl:3", ID: "a2", Text: "two"},
			},
		},
		{
			name:  "crlf line endings",
			paths: []string{"crlf.jsonl"},
			want: []got{
				{Origin: "crlf.jsonl:1", ID: "r1", Text: "t1"},
				{Origin: "crlf.jsonl:2", ID: "r2", Text: "t2"},
			},
		},
		{
			name:  "byte order mark stripped",
			paths: []string{"bom.jsonl", "bom.txt"},
			want: []got{
				{Origin: "bom.jsonl:1", ID: "bom", Text: "t"},
				{Origin: "bom.txt", ID: "bom", Text: "bom text"},
			},
		},
		{
			name:  "bad lines yielded with a reason, reading goes on",
			paths: []string{"bad.jsonl"},
			want: []got{
				{Origin: "bad.jsonl:1", ID: "ok1", Text: "t"},
				{Origin: "bad.jsonl:2", Reason: pipeline.ReasonMalformed},
				{Origin: "bad.jsonl:3", Reason: pipeline.ReasonMalformed},
				{Origin: "bad.jsonl:4", Reason: pipeline.ReasonEmpty},
				{Origin: "bad.jsonl:5", Reason: pipeline.ReasonInvalidUTF8},
				{Origin: "bad.jsonl:6", Reason: pipeline.ReasonMalformed},
				{Origin: "bad.jsonl:7", ID: "ok2", Text: "t"},
			},
		},
		{
			name:  "bad texts",
			paths: []string{"empty.txt", "latin1.txt"},
			want: []got{
				{Origin: "empty.txt", Reason: pipeline.ReasonEmpty},
				{Origin: "latin1.txt", Reason: pipeline.ReasonInvalidUTF8},
			},
		},
		{
			name:  "line longer than any buffer",
			paths: []string{"big.jsonl"},
			want: []got{
				{Origin: "big.jsonl:1", ID: "big", Text: big},
				{Origin: "big.jsonl:2", ID: "after", Text: "t"},
			},
		},
		{
			name:  "over the size limit",
			max:   1000,
			paths: []string{"huge.jsonl", "huge.txt", "limit.jsonl"},
			want: []got{
				{Origin: "huge.jsonl:1", Reason: pipeline.ReasonTooLarge},
				{Origin: "huge.jsonl:2", ID: "small", Text: "t"},
				{Origin: "huge.txt", Reason: pipeline.ReasonTooLarge},
				{Origin: "limit.jsonl:1", ID: "lim", Text: strings.Repeat("y", 1000-len(`{"id":"lim","text":""}`))},
			},
		},
		{
			name:  "empty jsonl",
			paths: []string{"empty.jsonl"},
		},
		{
			name:  "stdin jsonl, line numbers count leading blank lines",
			paths: []string{"-"},
			stdin: "\n  \n{\"id\":\"s1\",\"text\":\"t\"}\nbad\n",
			want: []got{
				{Origin: "stdin:3", ID: "s1", Text: "t"},
				{Origin: "stdin:4", Reason: pipeline.ReasonMalformed},
			},
		},
		{
			name:  "stdin text gets a digest id",
			paths: []string{"-"},
			stdin: "Plain text {not json}\n",
			want: []got{
				// First 16 hex digits of sha256("Plain text {not json}\n").
				{Origin: "stdin", ID: "d501357200d15fed", Text: "Plain text {not json}\n"},
			},
		},
		{
			name:  "blank stdin",
			paths: []string{"-"},
			stdin: " \n\n",
		},
		{
			name:  "stdin between files",
			paths: []string{"c.jsonl", "-", "folder/b.txt"},
			stdin: `{"id":"s","text":"t"}`,
			want: []got{
				{Origin: "c.jsonl:1", ID: "c1", Text: "x"},
				{Origin: "stdin:1", ID: "s", Text: "t"},
				{Origin: "folder/b.txt", ID: "b", Text: "second text\n"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			items, err := collect(t, feed.Reader{MaxArticleBytes: tc.max}, dir, tc.paths, strings.NewReader(tc.stdin))
			if err != nil {
				t.Fatalf("Read() = %v, want nil", err)
			}
			if diff := cmp.Diff(tc.want, items); diff != "" {
				t.Errorf("Read() items mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadSeeds(t *testing.T) {
	items, err := collect(t, feed.Reader{}, "", []string{seedsDir}, nil)
	if err != nil {
		t.Fatalf("Read(%s) = %v, want nil", seedsDir, err)
	}
	var ids []string
	for _, it := range items {
		if it.Reason != "" || !strings.Contains(it.Text, "\n") {
			t.Errorf("seed %s: reason %q, text %d bytes; want a multi-line article", it.Origin, it.Reason, len(it.Text))
		}
		ids = append(ids, it.ID)
	}
	want := []string{"000_7aa370d38432adaa", "001_e90a044465924d55", "002_0289b5e3217c5e85", "003_c8e3a2b9613ef7a0"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("seed ids mismatch (-want +got):\n%s", diff)
	}
}

func TestReadRaw(t *testing.T) {
	dir := writeFiles(t, map[string]string{"a.jsonl": "{\"id\":\"a\",\"text\":\"t\"}\r\n{\"id\":\"b\",\"text\":\"u\"}\n"})
	var raws []string
	err := feed.Read(testkit.Context(t, 10*time.Second), []string{filepath.Join(dir, "a.jsonl")}, nil, func(it feed.Item) error {
		raws = append(raws, string(it.Raw))
		return nil
	})
	if err != nil {
		t.Fatalf("Read() = %v, want nil", err)
	}
	want := []string{`{"id":"a","text":"t"}`, `{"id":"b","text":"u"}`}
	if diff := cmp.Diff(want, raws); diff != "" {
		t.Errorf("Raw mismatch (-want +got):\n%s", diff)
	}
}

func TestReadErrors(t *testing.T) {
	dir := writeFiles(t, map[string]string{"a.jsonl": "{\"id\":\"a\",\"text\":\"t\"}\n{\"id\":\"b\",\"text\":\"t\"}\n", "x.md": "x"})
	errStop := errors.New("stop")
	errRead := errors.New("read failed")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name  string
		ctx   context.Context
		paths []string
		stdin io.Reader
		fn    func(feed.Item) error
		want  error
		calls int
	}{
		{name: "missing file", paths: []string{"nope.jsonl"}, want: os.ErrNotExist},
		{name: "unsupported extension", paths: []string{"x.md"}, want: feed.ErrUnsupportedPath},
		{name: "callback error stops the read", paths: []string{"a.jsonl"}, fn: func(feed.Item) error { return errStop }, want: errStop, calls: 1},
		{name: "cancelled context", ctx: cancelled, paths: []string{"a.jsonl"}, want: context.Canceled},
		{name: "failing stdin", paths: []string{"-"}, stdin: iotest.ErrReader(errRead), want: errRead},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := tc.ctx
			if ctx == nil {
				ctx = testkit.Context(t, 10*time.Second)
			}
			var paths []string
			for _, p := range tc.paths {
				if p != feed.StdinPath {
					p = filepath.Join(dir, p)
				}
				paths = append(paths, p)
			}
			calls := 0
			err := feed.Read(ctx, paths, tc.stdin, func(it feed.Item) error {
				calls++
				if tc.fn != nil {
					return tc.fn(it)
				}
				return nil
			})
			if !errors.Is(err, tc.want) {
				t.Fatalf("Read() = %v, want %v", err, tc.want)
			}
			if calls != tc.calls {
				t.Errorf("callback called %d times, want %d", calls, tc.calls)
			}
		})
	}
}
