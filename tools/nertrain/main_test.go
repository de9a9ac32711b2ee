package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wiredesk/wiredesk/pipeline/enrich/ner"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "train.jsonl")
	lines := `{"id": "a", "text": "Alice Smith flew to Paris.", "entities": [{"text": "Alice Smith", "type": "person", "start": 0, "end": 11}, {"text": "Paris", "type": "location", "start": 20, "end": 25}]}
{"id": "b", "text": "Bob Jones works for Acme Corp in Berlin.", "entities": [{"text": "Bob Jones", "type": "person", "start": 0, "end": 9}, {"text": "Acme Corp", "type": "organization", "start": 20, "end": 29}, {"text": "Berlin", "type": "location", "start": 33, "end": 39}]}
`
	if err := os.WriteFile(data, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "model.bin.gz")
	var stdout bytes.Buffer
	if err := run([]string{"-train", data, "-dev", data, "-out", out, "-epochs", "5", "-zoneinfo", ""}, &stdout); err != nil {
		t.Fatalf("run() error = %v", err)
	}
	if !strings.Contains(stdout.String(), "overall       precision=1.000 recall=1.000 f1=1.000") {
		t.Errorf("run() printed %q, want a perfect score on the training file", stdout.String())
	}
	model, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ner.Load(bytes.NewReader(model)); err != nil {
		t.Errorf("Load(written model) error = %v", err)
	}
}

func TestPlaceNames(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"iso3166.tab": "# comment\nKP\tKorea (North)\nUA\tUkraine\n",
		"zone.tab":    "# comment\nUA\t+5026+03031\tEurope/Kyiv\tmost of Ukraine\nUS\t+404251-0740023\tAmerica/New_York\tEastern (most areas)\n",
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := placeNames(dir)
	if err != nil {
		t.Fatalf("placeNames() error = %v", err)
	}
	want := []string{"Korea", "Ukraine", "Kyiv", "New York"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("placeNames() mismatch (-want +got):\n%s", diff)
	}
	if _, err := placeNames(t.TempDir()); err == nil {
		t.Error("placeNames(empty dir) error = nil, want an error")
	}
}

func TestRunErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"no training file", nil},
		{"missing file", []string{"-train", filepath.Join(t.TempDir(), "none.jsonl")}},
		{"bad flag", []string{"-nope"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := run(tc.args, &bytes.Buffer{}); err == nil {
				t.Errorf("run(%q) error = nil, want an error", tc.args)
			}
		})
	}
}
