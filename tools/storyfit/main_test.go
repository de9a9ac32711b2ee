package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wiredesk/wiredesk/pipeline"
	"github.com/wiredesk/wiredesk/pipeline/dedup"
)

// TestRun feeds the seeds, decided by an index as a batch run would, and
// checks that every article comes out with the candidates it was weighed
// against and that the replay decides as the run did.
func TestRun(t *testing.T) {
	paths, err := filepath.Glob("../../testdata/seeds/*.txt")
	if err != nil || len(paths) != 4 {
		t.Fatalf("seeds: %v, %d files", err, len(paths))
	}
	x, err := dedup.NewIndex(dedup.Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var in bytes.Buffer
	enc := json.NewEncoder(&in)
	for _, p := range paths {
		text, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		e := pipeline.Event{ID: strings.TrimSuffix(filepath.Base(p), ".txt"), Text: string(text)}
		d := x.Add(e.ID, "", e.Text, time.Now())
		e.StoryID = d.StoryID
		if d.DuplicateOf != "" {
			e.DuplicateOf = &d.DuplicateOf
		}
		if err := enc.Encode(e); err != nil {
			t.Fatal(err)
		}
	}
	var out, stderr bytes.Buffer
	if err := run(&in, &out, &stderr); err != nil {
		t.Fatalf("run: %v", err)
	}
	if !strings.Contains(stderr.String(), "4 articles, 0 decided into another story") {
		t.Errorf("stderr = %q, want 4 articles decided as before", stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines out, want 4", len(lines))
	}
	var last line
	if err := json.Unmarshal([]byte(lines[3]), &last); err != nil {
		t.Fatal(err)
	}
	compared := 0
	for _, c := range last.Candidates {
		if _, ok := c.Signals["lead_found"]; ok && c.Held {
			compared++
		}
	}
	if compared != 2 {
		t.Errorf("last seed's candidates = %+v, want two of the earlier seeds with their lead signals", last.Candidates)
	}
}
