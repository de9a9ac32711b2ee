package enrich

import (
	"context"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"github.com/wiredesk/wiredesk/pipeline"
	"github.com/wiredesk/wiredesk/pipeline/enrich/ner"
	"github.com/wiredesk/wiredesk/pipeline/lexicon"
)

// benchArticle returns the first 5 KB (cut at a word) of a seed article.
func benchArticle(b *testing.B) string {
	b.Helper()
	data, err := os.ReadFile("../../testdata/seeds/001_e90a044465924d55.txt")
	if err != nil {
		b.Fatalf("read seed: %v", err)
	}
	return prefix(string(data), 5<<10)
}

// BenchmarkStage measures the whole enrichment stage on a 5 KB article with
// a recognizer that returns nothing, to isolate this package's own cost;
// [BenchmarkStageWithEntities] adds the recognizer of pipeline/enrich/ner.
func BenchmarkStage(b *testing.B) { benchStage(b, fakeRecognizer(nil), benchArticle(b)) }

// BenchmarkStageWithEntities measures the whole enrichment stage as the
// worker runs it, with the named-entity recognizer of pipeline/enrich/ner:
// the figure the cost bar of 200 µs per 5 KB article on one core is about.
// Measure on one core (-cpu 1).
func BenchmarkStageWithEntities(b *testing.B) {
	benchStage(b, defaultRecognizer(b), benchArticle(b))
}

// BenchmarkStageSeeds is [BenchmarkStageWithEntities] on the first 5 KB of
// each seed article as the crawler delivered it, uncleaned: the cost on
// texts that open with site furniture, a date line or a repeated headline.
func BenchmarkStageSeeds(b *testing.B) {
	rec := defaultRecognizer(b)
	for _, seed := range readSeeds(b) {
		b.Run(strings.TrimSuffix(seed.name, ".txt"), func(b *testing.B) {
			benchStage(b, rec, prefix(seed.text, 5<<10))
		})
	}
}

func defaultRecognizer(b *testing.B) Recognizer {
	b.Helper()
	rec, err := ner.Default()
	if err != nil {
		b.Fatalf("ner.Default: %v", err)
	}
	return rec
}

func benchStage(b *testing.B, rec Recognizer, text string) {
	x, err := New(Config{}, rec, lexicon.Default(), nil)
	if err != nil {
		b.Fatalf("New: %v", err)
	}
	stage := x.Stage()
	ctx := context.Background()
	a := &pipeline.Article{ID: "bench", Text: text}
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := stage(ctx, pipeline.NewEvent(a)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDetectLanguage isolates the language detector's share of
// [BenchmarkStage].
func BenchmarkDetectLanguage(b *testing.B) {
	text := benchArticle(b)
	x, err := New(Config{}, fakeRecognizer(nil), lexicon.Default(), nil)
	if err != nil {
		b.Fatalf("New: %v", err)
	}
	b.ReportAllocs()
	for b.Loop() {
		x.detectLanguage(text)
	}
}

// BenchmarkKeywords isolates the keyword extractor's share of
// [BenchmarkStage].
func BenchmarkKeywords(b *testing.B) {
	text := benchArticle(b)
	x, err := New(Config{}, fakeRecognizer(nil), lexicon.Default(), nil)
	if err != nil {
		b.Fatalf("New: %v", err)
	}
	b.ReportAllocs()
	for b.Loop() {
		x.keywords(text)
	}
}

// BenchmarkNew measures building an enricher and what the language models
// keep afterwards: "heap-MiB" of Go heap in use and, on Linux, "rss-MiB" of
// resident memory added. The models are loaded once per process, so the
// figures are only meaningful when this benchmark runs alone:
// go test -run '^$' -bench '^BenchmarkNew$' -benchtime 1x ./pipeline/enrich
func BenchmarkNew(b *testing.B) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	rssBefore, rssOK := residentBytes()
	var x *Enricher
	for b.Loop() {
		var err error
		if x, err = New(Config{}, fakeRecognizer(nil), fakeRarity{}, nil); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	debug.FreeOSMemory()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(x)
	b.ReportMetric(float64(after.HeapInuse-before.HeapInuse)/(1<<20), "heap-MiB")
	if rssAfter, ok := residentBytes(); ok && rssOK {
		b.ReportMetric(float64(rssAfter-rssBefore)/(1<<20), "rss-MiB")
	}
}

// residentBytes reads the resident set size from /proc (Linux only).
func residentBytes() (int64, bool) {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, false
	}
	fields := strings.Fields(string(data))
	if len(fields) < 2 {
		return 0, false
	}
	pages, err := strconv.ParseInt(fields[1], 10, 64)
	return pages * int64(os.Getpagesize()), err == nil
}
