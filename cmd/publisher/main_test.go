package main

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wiredesk/wiredesk/internal/testkit"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/wiredesk/wiredesk/pipeline"
	"github.com/wiredesk/wiredesk/pipeline/feed"
	"github.com/wiredesk/wiredesk/pipeline/natsconn/natstest"
)

// seedsDir holds the four sample articles as .txt files.
const seedsDir = "../../testdata/seeds"

// startRawStream starts a JetStream server with a stream on the raw
// subjects, as the worker creates it, and returns the server URL and the
// stream.
func startRawStream(t *testing.T) (string, jetstream.Stream) {
	t.Helper()
	url, js := natstest.StartJetStream(t)
	s, err := js.CreateStream(testkit.Context(t, 10*time.Second), jetstream.StreamConfig{
		Name:     "RAW",
		Subjects: []string{pipeline.SubjectRawWildcard},
	})
	if err != nil {
		t.Fatalf("create stream: %v", err)
	}
	return url, s
}

// result is what one run of the command produced.
type result struct {
	stdout, stderr string
	err            error
}

// runPublisher runs the command with env as its environment.
func runPublisher(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(testkit.Context(t, 30*time.Second), args, func(k string) string { return env[k] }, strings.NewReader(stdin), &stdout, &stderr)
	return result{stdout.String(), stderr.String(), err}
}

func storedCount(t *testing.T, s jetstream.Stream) uint64 {
	t.Helper()
	info, err := s.Info(testkit.Context(t, 10*time.Second))
	if err != nil {
		t.Fatalf("stream info: %v", err)
	}
	return info.State.Msgs
}

func TestRunSeedsTwice(t *testing.T) {
	url, stream := startRawStream(t)
	env := map[string]string{"NATS_URL": url}
	tests := []struct {
		name string
		want string
	}{
		{name: "first run publishes", want: "published 4, already stored 0, rejected 0, failed 0\n"},
		{name: "second run stores nothing again", want: "published 0, already stored 4, rejected 0, failed 0\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runPublisher(t, env, "", seedsDir)
			if r.err != nil {
				t.Fatalf("run() = %v, stderr:\n%s", r.err, r.stderr)
			}
			if r.stdout != tc.want {
				t.Errorf("stdout = %q, want %q", r.stdout, tc.want)
			}
			if got := storedCount(t, stream); got != 4 {
				t.Errorf("stream holds %d messages, want 4", got)
			}
		})
	}
}

func TestRunRejected(t *testing.T) {
	url, stream := startRawStream(t)
	in := filepath.Join(t.TempDir(), "in.jsonl")
	lines := `{"id":"a","text":"one"}` + "\n" + `{"id":"b","text":"two"` + "\n" + `{"id":"c","text":"three"}` + "\n"
	if err := os.WriteFile(in, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runPublisher(t, map[string]string{"NATS_URL": url}, "", in)
	if !errors.Is(r.err, feed.ErrIncomplete) {
		t.Fatalf("run() = %v, want %v", r.err, feed.ErrIncomplete)
	}
	wantPrefix := "published 2, already stored 0, rejected 1, failed 0\nrejected " + in + ":2: malformed: "
	if !strings.HasPrefix(r.stdout, wantPrefix) {
		t.Errorf("stdout = %q, want it to start with %q", r.stdout, wantPrefix)
	}
	if got := storedCount(t, stream); got != 2 {
		t.Errorf("stream holds %d messages, want 2", got)
	}
}

func TestRunStdin(t *testing.T) {
	url, stream := startRawStream(t)
	r := runPublisher(t, nil, `{"id":"a","text":"one"}`+"\n", "-nats-url", url, "-log-format", "json", "-")
	if r.err != nil {
		t.Fatalf("run() = %v, stderr:\n%s", r.err, r.stderr)
	}
	if want := "published 1, already stored 0, rejected 0, failed 0\n"; r.stdout != want {
		t.Errorf("stdout = %q, want %q", r.stdout, want)
	}
	if !strings.Contains(r.stderr, `"msg":"publisher starting"`) {
		t.Errorf("stderr lacks the JSON start-up log:\n%s", r.stderr)
	}
	if got := storedCount(t, stream); got != 1 {
		t.Errorf("stream holds %d messages, want 1", got)
	}
}

func TestRunMetricsServer(t *testing.T) {
	url, _ := startRawStream(t)
	r := runPublisher(t, map[string]string{"WIREDESK_METRICS_ADDR": "127.0.0.1:0", "NATS_URL": url}, "", seedsDir)
	if r.err != nil {
		t.Fatalf("run() = %v, stderr:\n%s", r.err, r.stderr)
	}
	if !strings.Contains(r.stderr, "http server listening") {
		t.Errorf("stderr lacks the metrics server:\n%s", r.stderr)
	}
}

func TestRunNoStream(t *testing.T) {
	url, _ := natstest.StartJetStream(t)
	r := runPublisher(t, map[string]string{"NATS_URL": url}, "", seedsDir)
	if !errors.Is(r.err, feed.ErrNoStream) {
		t.Fatalf("run() = %v, want %v", r.err, feed.ErrNoStream)
	}
}

func TestRunSecretsNotLogged(t *testing.T) {
	url, _ := startRawStream(t)
	// The test server has no authentication and ignores the credentials.
	r := runPublisher(t, map[string]string{"NATS_URL": url, "NATS_USER": "bob", "NATS_PASSWORD": "hunter2"}, "", "-log-level", "debug", seedsDir)
	if r.err != nil {
		t.Fatalf("run() = %v, stderr:\n%s", r.err, r.stderr)
	}
	if strings.Contains(r.stderr, "hunter2") {
		t.Errorf("stderr shows the password:\n%s", r.stderr)
	}
	if !strings.Contains(r.stderr, "article published") {
		t.Errorf("debug log lacks per-article lines:\n%s", r.stderr)
	}
}

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		check   func(config) bool
		wantErr error
	}{
		{
			name: "defaults",
			args: []string{"x.jsonl"},
			check: func(c config) bool {
				return c.publisher.MaxInFlight == feed.DefaultMaxInFlight && c.nats.URL == "nats://127.0.0.1:4222"
			},
		},
		{
			name: "environment",
			env:  map[string]string{"WIREDESK_MAX_IN_FLIGHT": "7", "WIREDESK_LOG_LEVEL": "debug", "NATS_URL": "nats://n:1"},
			args: []string{"x.jsonl"},
			check: func(c config) bool {
				return c.publisher.MaxInFlight == 7 && c.log.Level.String() == "DEBUG" && c.nats.URL == "nats://n:1"
			},
		},
		{
			name:  "WIREDESK_NATS_URL wins over NATS_URL",
			env:   map[string]string{"WIREDESK_NATS_URL": "nats://w:1", "NATS_URL": "nats://n:1"},
			args:  []string{"x.jsonl"},
			check: func(c config) bool { return c.nats.URL == "nats://w:1" },
		},
		{
			name: "flag wins over environment",
			env:  map[string]string{"WIREDESK_MAX_IN_FLIGHT": "7", "WIREDESK_NATS_URL": "nats://w:1"},
			args: []string{"-max-in-flight", "9", "-nats-url", "nats://f:1", "x.jsonl", "-"},
			check: func(c config) bool {
				return c.publisher.MaxInFlight == 9 && c.nats.URL == "nats://f:1" && len(c.paths) == 2
			},
		},
		{name: "no input", wantErr: errNoInput},
		{name: "help", args: []string{"-h"}, wantErr: flag.ErrHelp},
		{name: "bad environment value", env: map[string]string{"WIREDESK_ACK_TIMEOUT": "soon"}, args: []string{"x.jsonl"}},
		{name: "bad log format", args: []string{"-log-format", "xml", "x.jsonl"}},
		{name: "negative in flight", args: []string{"-max-in-flight", "-1", "x.jsonl"}, wantErr: feed.ErrInvalidConfig},
		{name: "inconsistent nats auth", env: map[string]string{"NATS_TOKEN": "t", "NATS_CREDS": "c"}, args: []string{"x.jsonl"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			c, err := parseConfig(tc.args, func(k string) string { return tc.env[k] }, &stderr)
			if tc.check != nil {
				if err != nil {
					t.Fatalf("parseConfig(%q) = %v", tc.args, err)
				}
				if !tc.check(c) {
					t.Errorf("parseConfig(%q) = %+v, want it to pass the check", tc.args, c)
				}
				return
			}
			if err == nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("parseConfig(%q) = %v, want an error (%v)", tc.args, err, tc.wantErr)
			}
		})
	}
}
