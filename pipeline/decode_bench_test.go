package pipeline

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkDecode measures decoding one raw message: a seed article of
// about 6 KB with every field set, as publishers send them.
func BenchmarkDecode(b *testing.B) {
	paths, err := filepath.Glob(filepath.Join("..", "testdata", "seeds", "002_*.txt"))
	if err != nil || len(paths) != 1 {
		b.Fatalf("seed 002: found %v (err %v), want one file", paths, err)
	}
	text, err := os.ReadFile(paths[0])
	if err != nil {
		b.Fatal(err)
	}
	published := time.Date(2023, 9, 16, 8, 30, 0, 0, time.UTC)
	data, err := json.Marshal(Article{
		ID: "seed-002", Text: string(text), Title: "Kim Jong-un visits Russian fighter jet plant",
		URL: "https://www.example.com/world/2023/09/16/kim-jet-plant", Source: "example.com", PublishedAt: &published,
	})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(data, 0); err != nil {
			b.Fatal(err)
		}
	}
}
