package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wiredesk/wiredesk/internal/testkit"

	"github.com/wiredesk/wiredesk/pipeline"
)

// corpusPath is the dev corpus, in shared/ beside the repository.
const corpusPath = "../../../shared/eval/ecbplus/dev.jsonl"

// TestMain lets the test binary act as the pass-through worker that
// loadbench starts as a subprocess of itself.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "passthrough" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err := passthrough(ctx, os.Args[2:], os.Getenv, os.Stderr)
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, "passthrough:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func loadTestCorpus(t *testing.T) []doc {
	t.Helper()
	docs, err := loadCorpus(testkit.Context(t, 10*time.Second), corpusPath)
	if err != nil {
		t.Fatalf("load corpus (shared/ must be beside the repository): %v", err)
	}
	return docs
}

var e2eLine = regexp.MustCompile(`^e2e articles=(\d+) workers=(\d+) rate=\d+/s passthrough=\d+/s ratio=\d+\.\d\d p50_ms=\d+\.\d p99_ms=\d+\.\d rss_mb=\d+$`)

// TestSmoke runs a small benchmark end to end: both phases must account
// for every article exactly once, and the last line must have its format.
// It builds cmd/worker (as ops/livetest does), a few seconds with a warm
// build cache.
func TestSmoke(t *testing.T) {
	const n = 1000
	var stdout, stderr bytes.Buffer
	args := []string{"-n", fmt.Sprint(n), "-corpus", corpusPath, "-progress", "0", "-idle-timeout", "1m", "-data-dir", t.TempDir()}
	if err := run(testkit.Context(t, 5*time.Minute), args, func(string) string { return "" }, &stdout, &stderr); err != nil {
		t.Fatalf("run() = %v\nstdout:\n%s\nstderr:\n%s", err, &stdout, &stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	last := lines[len(lines)-1]
	m := e2eLine.FindStringSubmatch(last)
	if m == nil || m[1] != fmt.Sprint(n) || m[2] != "1" {
		t.Fatalf("last line = %q, want the e2e format with articles=%d workers=1", last, n)
	}
	phases := map[string]bool{}
	for _, l := range lines {
		if !strings.HasPrefix(l, "phase=") {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimPrefix(l, "phase="), " ")
		phases[name] = true
		for _, want := range []string{fmt.Sprintf(" articles=%d ", n), " dead_letters=0 ", " repeats=0 ", " unknown=0"} {
			if !strings.Contains(l, want) {
				t.Errorf("phase line %q lacks %q", l, strings.TrimSpace(want))
			}
		}
	}
	if !phases[modePassthrough] || !phases[modePipeline] {
		t.Errorf("phases reported = %v, want passthrough and pipeline", phases)
	}
}

func TestGeneratorIsReproducible(t *testing.T) {
	docs := loadTestCorpus(t)
	a, b := newGenerator(docs, 0.3, 7), newGenerator(docs, 0.3, 7)
	for i := range 200 {
		x, _ := a.article(i)
		y, _ := b.article(i)
		if *x != *y {
			t.Fatalf("article %d differs between two generators with one seed", i)
		}
	}
}

func TestGeneratorDuplicateRate(t *testing.T) {
	docs := loadTestCorpus(t)
	tests := []struct {
		name    string
		dupRate float64
	}{
		{"none", 0},
		{"a third", 0.3},
		{"most", 0.8},
	}
	const n = 2000
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := newGenerator(docs, tc.dupRate, 1)
			copies, ids := 0, map[string]bool{}
			for i := range n {
				a, copied := g.article(i)
				if copied {
					copies++
				}
				if _, err := pipeline.Decode(mustJSON(t, a), 0); err != nil {
					t.Fatalf("article %d does not decode: %v", i, err)
				}
				ids[pipeline.ContentID(a)] = true
			}
			if got := float64(copies) / n; got < tc.dupRate-0.04 || got > tc.dupRate+0.04 {
				t.Errorf("copy share = %.3f, want %.2f±0.04", got, tc.dupRate)
			}
			if len(ids) != n {
				t.Errorf("%d distinct content ids for %d articles, want all distinct", len(ids), n)
			}
		})
	}
}

func TestOriginalReplacesFactsConsistently(t *testing.T) {
	d := newDoc([]string{"Fire at Waitrose in Wellington", "Police say Waitrose in Wellington burned at 10:24.", "Staff of Waitrose left."})
	if got, want := d.facts, []string{"Fire", "Waitrose", "Wellington", "10:24"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("facts = %q, want %q", got, want)
	}
	g := newGenerator([]doc{d, d}, 0, 3)
	o := g.original()
	name := strings.Fields(o.title)[2]
	if name == "Waitrose" || !strings.Contains(o.lines[0], name) || !strings.Contains(o.lines[1], name) {
		t.Errorf("original %q / %q: Waitrose not replaced by one name throughout", o.title, o.lines)
	}
	if !strings.HasPrefix(o.lines[0], "Police say ") || !strings.HasPrefix(o.lines[1], "Staff of ") {
		t.Errorf("original lines %q: wording around the facts changed", o.lines)
	}
}

func TestArticleIndexInvertsArticleID(t *testing.T) {
	tests := []struct {
		name string
		id   string
		want int
		ok   bool
	}{
		{"first", articleID(0), 0, true},
		{"large", articleID(999_999), 999_999, true},
		{"other prefix", "ecb-1", 0, false},
		{"negative", "lb--1", 0, false},
		{"not a number", "lb-x", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := articleIndex(tc.id)
			if got != tc.want || ok != tc.ok {
				t.Errorf("articleIndex(%q) = %d, %v, want %d, %v", tc.id, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func mustJSON(t *testing.T, a *pipeline.Article) []byte {
	t.Helper()
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
