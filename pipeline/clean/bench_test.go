package clean

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkText measures plain-text cleaning per article; the target is
// well under 100 µs for a 5 KB article on one core.
func BenchmarkText(b *testing.B) {
	for _, prefix := range []string{"000", "001", "002", "003"} {
		raw := readSeed(b, prefix)
		b.Run(fmt.Sprintf("seed%s_%dB", prefix, len(raw)), func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			for b.Loop() {
				Text(raw)
			}
		})
	}
}

// BenchmarkCleaner adds the per-source template memory.
func BenchmarkCleaner(b *testing.B) {
	raw := readSeed(b, "002")
	c := New(Config{})
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c.Clean(fmt.Sprint("source-", i%16), fmt.Sprint(i), raw)
		i++
	}
}

// BenchmarkHTML measures main-content extraction of a small page.
func BenchmarkHTML(b *testing.B) {
	page := strings.Replace(articleHTML, "</article>", strings.Repeat("<p>"+strings.Repeat("More words of the story follow here. ", 8)+"</p>", 10)+"</article>", 1)
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		Text(page)
	}
}
