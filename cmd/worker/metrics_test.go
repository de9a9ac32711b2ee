package main

import (
	"bufio"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"

	"github.com/wiredesk/wiredesk/pipeline/natsconn/natstest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// exposedSeries reduces a /metrics exposition to its stable part: every
// wiredesk_ series name with its label names and HELP/TYPE lines, without
// values, so the golden file changes only when a name, label or help does.
func exposedSeries(t *testing.T, body string) string {
	t.Helper()
	labelValue := regexp.MustCompile(`="[^"]*"`)
	var lines []string
	seen := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		name := strings.TrimPrefix(strings.TrimPrefix(line, "# HELP "), "# TYPE ")
		if !strings.HasPrefix(name, "wiredesk_") {
			continue
		}
		if !strings.HasPrefix(line, "#") {
			line = labelValue.ReplaceAllString(strings.Fields(line)[0], "")
		}
		if line == "" || seen[line] {
			continue
		}
		seen[line] = true
		lines = append(lines, line)
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n") + "\n"
}

// TestMetricsGolden keeps the worker's metric names, labels and help texts
// stable (dashboards and alerts query them), and lints the exposition.
func TestMetricsGolden(t *testing.T) {
	url, js := natstest.StartJetStream(t)
	addr, _ := startWorker(t, url)
	publishPaths(t, js, seedsDir)
	readOutputStream(t, js, 4)
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	problems, err := promlint.New(strings.NewReader(string(body))).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
	got := exposedSeries(t, string(body))
	golden := filepath.Join("testdata", "metrics.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TestMetricsGolden -update ./cmd/worker)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("/metrics series changed (-want +got); if intended, rerun with -update:\n%s", diff)
	}
}
