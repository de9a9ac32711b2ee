// Package natstest starts in-process NATS servers with JetStream for tests,
// the way net/http/httptest starts HTTP servers. Each server listens on a
// random local port, keeps its store in the test's temporary directory and
// shuts down when the test ends.
package natstest

import (
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/wiredesk/wiredesk/pipeline/embedded"
)

// StartServer starts a JetStream-enabled server (the worker's embedded
// server, see package embedded) and returns its client URL. It fails the
// test if the server does not start.
func StartServer(t testing.TB) string {
	t.Helper()
	s, err := embedded.Start(embedded.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatalf("start nats server: %v", err)
	}
	t.Cleanup(s.Stop)
	return s.URL()
}

// StartJetStream starts a server with [StartServer] and returns its URL and
// a connected JetStream client; the connection closes when the test ends.
func StartJetStream(t testing.TB) (string, jetstream.JetStream) {
	t.Helper()
	url := StartServer(t)
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatalf("connect to %s: %v", url, err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatalf("new jetstream: %v", err)
	}
	return url, js
}
