package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/wiredesk/wiredesk/pipeline"
	"github.com/wiredesk/wiredesk/pipeline/natsconn/natstest"
)

// TestChaosRestartKeepsDedupWindow: a worker that starts after another one
// stopped still finds the duplicates of what the first one processed,
// because the dedup window is rebuilt from the output stream.
func TestChaosRestartKeepsDedupWindow(t *testing.T) {
	url, js := natstest.StartJetStream(t)
	dir := t.TempDir()
	for _, name := range []string{"002_0289b5e3217c5e85.txt", "003_c8e3a2b9613ef7a0.txt"} {
		b, err := os.ReadFile(filepath.Join(seedsDir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, first := startWorker(t, url)
	publishPaths(t, js, filepath.Join(dir, "002_0289b5e3217c5e85.txt"))
	readOutputStream(t, js, 1)
	first()

	startWorker(t, url)
	publishPaths(t, js, filepath.Join(dir, "003_c8e3a2b9613ef7a0.txt"))
	outs := readOutputStream(t, js, 2)
	last := outs[len(outs)-1]
	if last.subject != pipeline.SubjectDuplicates || last.event.DuplicateOf == nil || *last.event.DuplicateOf != "002_0289b5e3217c5e85" {
		t.Errorf("after a restart, 003 went to %s with duplicate_of %v; want a duplicate of 002", last.subject, last.event.DuplicateOf)
	}
}
