package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wiredesk/wiredesk/internal/testkit"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/wiredesk/wiredesk/pipeline"
	"github.com/wiredesk/wiredesk/pipeline/feed"
	"github.com/wiredesk/wiredesk/pipeline/natsconn/natstest"
	"github.com/wiredesk/wiredesk/schema"
)

const seedsDir = "../../testdata/seeds"

func noEnv(string) string { return "" }

// startWorker runs the worker's run() against url until stop is called or
// the test ends, and returns the address serving its metrics.
func startWorker(t *testing.T, url string, args ...string) (metricsAddr string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &testkit.Buffer{}
	done := make(chan error, 1)
	ready := make(chan *worker, 1)
	go func() {
		cfg, err := parseConfig("worker", append([]string{"-nats-url", url, "-metrics-addr", "127.0.0.1:0"}, args...), noEnv, logs)
		if err != nil {
			done <- err
			return
		}
		done <- serve(ctx, cfg, logs, func(w *worker) { ready <- w })
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("worker returned %v\nlogs:\n%s", err, logs)
			}
		})
	}
	t.Cleanup(stop)
	select {
	case w := <-ready:
		return w.metricsAddr, stop
	case err := <-done:
		t.Fatalf("worker did not start: %v\nlogs:\n%s", err, logs)
	case <-time.After(60 * time.Second):
		t.Fatalf("worker not ready after 60s\nlogs:\n%s", logs)
	}
	return "", stop
}

func publishPaths(t *testing.T, js jetstream.JetStream, paths ...string) feed.Summary {
	t.Helper()
	p, err := feed.NewPublisher(js, feed.PublisherConfig{}, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := p.Publish(testkit.Context(t, time.Minute), paths, nil)
	if err != nil {
		t.Fatalf("publish %v: %v (summary %+v)", paths, err, sum)
	}
	return sum
}

func streamMsgs(t *testing.T, js jetstream.JetStream, stream string) uint64 {
	t.Helper()
	s, err := js.Stream(testkit.Context(t, 5*time.Second), stream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(testkit.Context(t, 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

// output is one stored output message.
type output struct {
	subject string
	msgID   string
	event   pipeline.Event
	dead    pipeline.DeadLetter
	data    []byte
}

// readOutputStream waits until the output stream holds n messages and
// returns them all.
func readOutputStream(t *testing.T, js jetstream.JetStream, n int) []output {
	t.Helper()
	testkit.WaitFor(t, 2*time.Minute, fmt.Sprintf("%d outputs", n), func() error {
		if got := streamMsgs(t, js, "ARTICLES_OUT"); got < uint64(n) {
			return fmt.Errorf("%d outputs stored", got)
		}
		return nil
	})
	ctx := testkit.Context(t, time.Minute)
	c, err := js.OrderedConsumer(ctx, "ARTICLES_OUT", jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	total := int(streamMsgs(t, js, "ARTICLES_OUT"))
	outs := make([]output, 0, total)
	for range total {
		m, err := c.Next(jetstream.FetchContext(ctx))
		if err != nil {
			t.Fatal(err)
		}
		o := output{subject: m.Subject(), msgID: m.Headers().Get(jetstream.MsgIDHeader), data: m.Data()}
		if m.Subject() == pipeline.SubjectDLQ {
			err = json.Unmarshal(m.Data(), &o.dead)
		} else {
			err = json.Unmarshal(m.Data(), &o.event)
		}
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, o)
	}
	return outs
}

func compileSchema(t *testing.T, name string, doc []byte) *jsonschema.Schema {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(name, v); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// validate checks one JSON document against a schema.
func validate(t *testing.T, s *jsonschema.Schema, data []byte) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(v); err != nil {
		t.Errorf("output does not match its schema: %v\n%s", err, data)
	}
}

func TestEndToEndSeeds(t *testing.T) {
	url, js := natstest.StartJetStream(t)
	startWorker(t, url)
	if sum := publishPaths(t, js, seedsDir); sum.Published != 4 {
		t.Fatalf("first publish: %+v, want 4 published", sum)
	}
	outs := readOutputStream(t, js, 4)
	eventSchema := compileSchema(t, "event.schema.json", schema.Event)
	got := map[string]string{}
	for _, o := range outs {
		validate(t, eventSchema, o.data)
		got[o.event.ID[:3]] = o.subject
		if o.event.ID == "003_c8e3a2b9613ef7a0" {
			if o.event.DuplicateOf == nil || *o.event.DuplicateOf != "002_0289b5e3217c5e85" {
				t.Errorf("003 duplicate_of = %v, want 002_0289b5e3217c5e85", o.event.DuplicateOf)
			}
		}
	}
	want := map[string]string{"000": pipeline.SubjectEnriched, "001": pipeline.SubjectEnriched,
		"002": pipeline.SubjectEnriched, "003": pipeline.SubjectDuplicates}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("subjects = %v, want %v", got, want)
	}

	// Publishing the folder again stores nothing new.
	if sum := publishPaths(t, js, seedsDir); sum.Published != 0 || sum.AlreadyStored != 4 {
		t.Errorf("second publish: %+v, want 0 published, 4 already stored", sum)
	}
	if n := streamMsgs(t, js, "ARTICLES_RAW"); n != 4 {
		t.Errorf("raw stream holds %d articles after publishing twice, want 4", n)
	}
}

func rawArticle(id, text string) []byte {
	b, _ := json.Marshal(pipeline.Article{ID: id, Text: text})
	return b
}

func TestBadInputIsDeadLettered(t *testing.T) {
	url, js := natstest.StartJetStream(t)
	startWorker(t, url)
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()

	binary := make([]byte, 2048)
	for i := range binary {
		binary[i] = byte(i*31 + 7)
	}
	good := "Officials in Lisbon said on Tuesday that the new bridge over the Tagus will open next spring, two years later than planned, after a dispute with the builders over costs."
	inputs := []struct {
		payload []byte
		reason  pipeline.Reason // "" for a good article
	}{
		{rawArticle("good-1", good), ""},
		{rawArticle("empty", "  \n "), pipeline.ReasonEmpty},
		{[]byte(`{"id":"bad-utf8","text":"caf` + "\xc3\x28" + `"}`), pipeline.ReasonInvalidUTF8},
		{rawArticle("good-2", strings.ReplaceAll(good, "Lisbon", "Porto")+" The mayor was not available for comment."), ""},
		{[]byte(`{"id": "broken", "text": "no closing`), pipeline.ReasonMalformed},
		{rawArticle("huge", strings.Repeat("All work and no play makes Jack a dull boy. ", 10<<20/44)), pipeline.ReasonTooLarge},
		{binary, pipeline.ReasonInvalidUTF8},
		{rawArticle("good-3", "A magnitude 6.1 earthquake struck off the coast of Hokkaido early on Sunday, Japan's meteorological agency said, and no tsunami warning was issued."), ""},
	}
	ctx := testkit.Context(t, time.Minute)
	for i, in := range inputs {
		msg := nats.NewMsg(fmt.Sprintf("%s.test", pipeline.SubjectRawPrefix))
		msg.Data = in.payload
		if _, err := js.PublishMsg(ctx, msg, jetstream.WithMsgID(fmt.Sprintf("raw-bad-input-%d", i))); err != nil {
			t.Fatalf("publish input %d: %v", i, err)
		}
	}
	outs := readOutputStream(t, js, len(inputs))
	if len(outs) != len(inputs) {
		t.Fatalf("%d outputs for %d inputs", len(outs), len(inputs))
	}
	dlSchema := compileSchema(t, "dead-letter.schema.json", schema.DeadLetter)
	reasons := map[uint64]pipeline.Reason{}
	for _, o := range outs {
		if o.subject == pipeline.SubjectDLQ {
			validate(t, dlSchema, o.data)
			reasons[o.dead.StreamSeq] = o.dead.Reason
			continue
		}
		reasons[o.event.StreamSeq] = ""
	}
	for i, in := range inputs {
		if got := reasons[uint64(i+1)]; got != in.reason {
			t.Errorf("input %d: reason %q, want %q", i, got, in.reason)
		}
	}
}

func TestHealthAndMetrics(t *testing.T) {
	url, js := natstest.StartJetStream(t)
	addr, _ := startWorker(t, url, "-pprof")
	publishPaths(t, js, seedsDir)
	readOutputStream(t, js, 4)
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready", "/metrics": `wiredesk_articles_processed_total{outcome="enriched"}`, "/debug/pprof/": "goroutine"} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
			t.Errorf("GET %s = %d, body lacks %q", path, resp.StatusCode, want)
		}
	}
}
