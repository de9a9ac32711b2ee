package clean

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/wiredesk/wiredesk/pipeline"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const seedsDir = "../../testdata/seeds"

// readSeed returns the seed article whose file name starts with prefix.
func readSeed(t testing.TB, prefix string) string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(seedsDir, prefix+"_*.txt"))
	if err != nil || len(paths) != 1 {
		t.Fatalf("seed %s: found %v (err %v), want one file in %s", prefix, paths, err, seedsDir)
	}
	b, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// golden renders a Result for a golden file: metadata, then the text.
func golden(r Result) string {
	var b strings.Builder
	date := ""
	if !r.PublishedAt.IsZero() {
		date = r.PublishedAt.Format(time.DateOnly)
	}
	for _, kv := range [][2]string{{"title", r.Title}, {"byline", r.Byline}, {"dateline", r.Dateline}, {"published", date}} {
		b.WriteString(kv[0] + ": " + kv[1] + "\n")
	}
	b.WriteString("---\n" + r.Text() + "\n")
	return b.String()
}

func TestSeedsGolden(t *testing.T) {
	for _, prefix := range []string{"000", "001", "002", "003"} {
		t.Run(prefix, func(t *testing.T) {
			got := golden(Clean(readSeed(t, prefix)))
			path := filepath.Join("testdata", "seed"+prefix+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read golden file (run with -update to create it): %v", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("Clean(seed %s) mismatch (-want +got):\n%s", prefix, diff)
			}
		})
	}
}

func TestStage(t *testing.T) {
	when := time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		in   pipeline.Article
		want pipeline.Event
	}{
		{
			name: "metadata found in text",
			in: pipeline.Article{ID: "a1", URL: "https://www.Example.com/news/1", Text: "Monday, July 1, 2024\nHomeWorld\n" +
				"Kim visits jet factory\nBy Jane Doe\nKim Jong Un visited a factory on Friday.\n- Advertisement -\nHe left by train."},
			want: pipeline.Event{ID: "a1", URL: "https://www.Example.com/news/1", Source: "example.com", Title: "Kim visits jet factory",
				Byline: "Jane Doe", PublishedAt: ptr(time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)),
				Text: "Kim visits jet factory\n\nBy Jane Doe\n\nKim Jong Un visited a factory on Friday.\n\nHe left by train."},
		},
		{
			name: "input metadata wins",
			in: pipeline.Article{ID: "a2", Source: "wire", Title: "Given", PublishedAt: &when,
				Text: "LONDON 1996-08-30\nShares rose on Friday."},
			want: pipeline.Event{ID: "a2", Source: "wire", Title: "Given", Dateline: "LONDON 1996-08-30", PublishedAt: &when,
				Text: "LONDON 1996-08-30\n\nShares rose on Friday."},
		},
	}
	stage := New(Config{}).Stage()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := stage(context.Background(), pipeline.NewEvent(&tc.in))
			if err != nil {
				t.Fatalf("stage(%s) error %v, want nil", tc.in.ID, err)
			}
			opts := cmp.Options{cmpopts.IgnoreFields(pipeline.Event{}, "SchemaVersion", "PipelineVersion", "Entities", "Keywords", "Raw")}
			if diff := cmp.Diff(tc.want, *got, opts); diff != "" {
				t.Errorf("stage(%s) mismatch (-want +got):\n%s", tc.in.ID, diff)
			}
		})
	}
}

func TestStageEmpty(t *testing.T) {
	stage := New(Config{}).Stage()
	for _, text := range []string{"- Advertisement -\nRate this post\nMost Popular", "<html><body><script>x()</script></body></html>"} {
		_, err := stage(context.Background(), pipeline.NewEvent(&pipeline.Article{ID: "e", Text: text}))
		if !errors.Is(err, pipeline.ErrPermanent) || pipeline.ReasonOf(err) != pipeline.ReasonEmpty {
			t.Errorf("stage(%q) error %v (reason %q), want permanent %q", text, err, pipeline.ReasonOf(err), pipeline.ReasonEmpty)
		}
	}
}

func ptr[T any](v T) *T { return &v }
