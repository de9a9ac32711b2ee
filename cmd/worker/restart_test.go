package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/wiredesk/wiredesk/internal/testkit"

	"github.com/wiredesk/wiredesk/pipeline/natsconn/natstest"
)

const ecbDev = "../../../shared/eval/ecbplus/dev.jsonl"

// buildWorker compiles this command into a temporary folder.
func buildWorker(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "worker")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startProcess runs the worker binary against url; the test kills it at
// the end if it still runs.
func startProcess(t *testing.T, bin, url string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, "-nats-url", url, "-metrics-addr", "", "-log-format", "json", "-workers", "4")
	cmd.Stderr = &testkit.Buffer{}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd
}

func TestKilledWorkerResumesWithNothingLostOrDoubled(t *testing.T) {
	if _, err := os.Stat(ecbDev); err != nil {
		t.Fatalf("dev corpus missing (shared/ must sit beside the repo): %v", err)
	}
	bin := buildWorker(t)
	url, js := natstest.StartJetStream(t)

	first := startProcess(t, bin, url)
	testkit.WaitFor(t, time.Minute, "the worker to create its streams", func() error {
		_, err := js.Stream(testkit.Context(t, time.Second), "ARTICLES_RAW")
		return err
	})
	sum := publishPaths(t, js, ecbDev)
	total := sum.Published
	if total < 500 {
		t.Fatalf("published %d articles, want the whole dev corpus", total)
	}
	// Kill the worker hard once it is partway through.
	testkit.WaitFor(t, 2*time.Minute, "some outputs", func() error {
		if n := streamMsgs(t, js, "ARTICLES_OUT"); n < 50 {
			return fmt.Errorf("%d outputs", n)
		}
		return nil
	})
	if err := first.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	killedAt := streamMsgs(t, js, "ARTICLES_OUT")
	if killedAt >= uint64(total) {
		t.Fatalf("worker finished all %d articles before it was killed; the test proves nothing", total)
	}

	startProcess(t, bin, url)
	outs := readOutputStream(t, js, total)
	seen := map[string]int{}
	for _, o := range outs {
		id := o.event.ID
		if o.subject == "articles.dlq" {
			id = o.dead.ArticleID
		}
		seen[id]++
		if seen[id] > 1 {
			t.Errorf("article %s has %d outputs", id, seen[id])
		}
	}
	if len(outs) != total || len(seen) != total {
		t.Errorf("%d outputs for %d distinct articles, want %d of each", len(outs), len(seen), total)
	}
	t.Logf("killed after %d of %d outputs; all %d accounted for after restart", killedAt, total, len(seen))
}
