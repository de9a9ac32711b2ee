package bus

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wiredesk/wiredesk/internal/testkit"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/wiredesk/wiredesk/pipeline"
	"github.com/wiredesk/wiredesk/pipeline/embedded"
)

// startJetStream starts an in-process server with the wiredesk streams.
func startJetStream(t testing.TB) jetstream.JetStream {
	t.Helper()
	s, err := embedded.Start(embedded.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	js := connectJS(t, s.URL())
	if err := EnsureStreams(testkit.Context(t, 10*time.Second), js, Streams{}); err != nil {
		t.Fatal(err)
	}
	return js
}

func publishRaw(t testing.TB, js jetstream.JetStream, payload []byte) {
	t.Helper()
	msg := nats.NewMsg(pipeline.SubjectRawPrefix + ".test")
	msg.Data = payload
	sum := pipeline.OutputMsgID("", payload) // any stable id of the payload
	if _, err := js.PublishMsg(testkit.Context(t, 10*time.Second), msg, jetstream.WithMsgID("raw-"+strings.TrimPrefix(sum, "out-"))); err != nil {
		t.Fatal(err)
	}
}

func article(id, text string) []byte {
	b, _ := json.Marshal(pipeline.Article{ID: id, Text: text})
	return b
}

// outputs reads every message of the output stream.
func outputs(t testing.TB, js jetstream.JetStream) []jetstream.Msg {
	t.Helper()
	ctx := testkit.Context(t, 10*time.Second)
	c, err := js.OrderedConsumer(ctx, "ARTICLES_OUT", jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	info, err := c.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []jetstream.Msg
	for range info.NumPending {
		m, err := c.Next(jetstream.FetchMaxWait(5 * time.Second))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func outCount(t testing.TB, js jetstream.JetStream) uint64 {
	t.Helper()
	s, err := js.Stream(testkit.Context(t, 5*time.Second), "ARTICLES_OUT")
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(testkit.Context(t, 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

// runConsumer runs a consumer with the stage until the test ends.
func runConsumer(t testing.TB, js jetstream.JetStream, cfg Config, reg prometheus.Registerer, stage pipeline.Stage) (stop func() error) {
	t.Helper()
	c, err := NewConsumer(testkit.Context(t, 10*time.Second), js, cfg, slog.New(slog.DiscardHandler), reg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx, stage) }()
	var stopped atomic.Bool
	stop = func() error {
		if stopped.Swap(true) {
			return nil
		}
		cancel()
		return <-done
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

func passThrough(_ context.Context, e *pipeline.Event) (*pipeline.Event, error) {
	e.StoryID = "story-" + e.ID
	if strings.HasPrefix(e.Text, "copy of ") {
		orig := strings.TrimPrefix(e.Text, "copy of ")
		e.DuplicateOf = &orig
	}
	return e, nil
}

func TestEnsureStreamsIsIdempotent(t *testing.T) {
	js := startJetStream(t)
	cfg := Streams{RawMaxAge: 48 * time.Hour}
	for range 2 {
		if err := EnsureStreams(testkit.Context(t, 5*time.Second), js, cfg); err != nil {
			t.Fatal(err)
		}
	}
	s, err := js.Stream(testkit.Context(t, 5*time.Second), "ARTICLES_RAW")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.CachedInfo().Config.MaxAge; got != 48*time.Hour {
		t.Errorf("raw MaxAge = %s, want 48h after update", got)
	}
}

func TestStreamsValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Streams
		ok   bool
	}{
		{"zero value", Streams{}, true},
		{"same names", Streams{Raw: "A", Out: "A"}, false},
		{"too many replicas", Streams{Replicas: 7}, false},
		{"window longer than age", Streams{DuplicateWindow: 48 * time.Hour, RawMaxAge: time.Hour}, false},
		{"claim ttl below 1s", Streams{ClaimTTL: 500 * time.Millisecond}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.cfg.Validate(); (err == nil) != tc.ok {
				t.Errorf("Validate() = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"zero value", Config{}, true},
		{"negative publish window", Config{MaxPublishPending: -1}, false},
		{"publish timeout as long as ack wait", Config{PublishTimeout: 30 * time.Second}, false},
		{"publish timeout shorter than ack wait", Config{PublishTimeout: 10 * time.Second, AckWait: time.Minute}, true},
		{"negative prefetch", Config{Prefetch: -1}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.cfg.Validate(); (err == nil) != tc.ok {
				t.Errorf("Validate() = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestConsumerRoutesOutputsAndDeadLetters(t *testing.T) {
	js := startJetStream(t)
	reg := prometheus.NewRegistry()
	runConsumer(t, js, Config{Workers: 3, MaxArticleBytes: 1 << 20}, reg, passThrough)

	good := [][]byte{article("a", "first report"), article("b", "copy of a"), article("c", "another")}
	bad := map[pipeline.Reason][]byte{
		pipeline.ReasonEmpty:       article("e", "   "),
		pipeline.ReasonInvalidUTF8: []byte("{\"id\":\"u\",\"text\":\"\xff\xfe\"}"),
		pipeline.ReasonMalformed:   []byte(`{"id": "m", "text": `),
		pipeline.ReasonTooLarge:    article("big", strings.Repeat("x", 10<<20)),
	}
	binary := make([]byte, 4096)
	for i := range binary {
		binary[i] = byte(i * 7)
	}
	publishRaw(t, js, good[0])
	for _, b := range bad {
		publishRaw(t, js, b)
	}
	publishRaw(t, js, binary)
	publishRaw(t, js, good[1])
	publishRaw(t, js, good[2])
	published := len(good) + len(bad) + 1

	testkit.WaitUntil(t, 20*time.Second, "every output", func() bool { return outCount(t, js) == uint64(published) })
	bySubject := map[string]int{}
	reasons := map[pipeline.Reason]int{}
	for _, m := range outputs(t, js) {
		bySubject[m.Subject()]++
		if m.Headers().Get(jetstream.MsgIDHeader) == "" {
			t.Errorf("output on %s has no Nats-Msg-Id", m.Subject())
		}
		switch m.Subject() {
		case pipeline.SubjectDLQ:
			var dl pipeline.DeadLetter
			if err := json.Unmarshal(m.Data(), &dl); err != nil {
				t.Fatal(err)
			}
			reasons[dl.Reason]++
			if dl.Error == "" || dl.PayloadSHA256 == "" || dl.StreamSeq == 0 {
				t.Errorf("dead letter %+v lacks error, digest or sequence", dl.Reason)
			}
			if !dl.PayloadTruncated && dl.PayloadBytes != len(dl.Payload) {
				t.Errorf("dead letter %s payload %d bytes, want %d", dl.Reason, len(dl.Payload), dl.PayloadBytes)
			}
		case pipeline.SubjectDuplicates:
			var e pipeline.Event
			if err := json.Unmarshal(m.Data(), &e); err != nil {
				t.Fatal(err)
			}
			if e.DuplicateOf == nil || *e.DuplicateOf != "a" {
				t.Errorf("duplicate %s has duplicate_of %v, want a", e.ID, e.DuplicateOf)
			}
		}
	}
	if bySubject[pipeline.SubjectEnriched] != 2 || bySubject[pipeline.SubjectDuplicates] != 1 || bySubject[pipeline.SubjectDLQ] != 5 {
		t.Errorf("outputs by subject = %v, want 2 enriched, 1 duplicate, 5 dead letters", bySubject)
	}
	// The binary blob is not UTF-8, so it counts with the invalid UTF-8 body.
	wantReasons := map[pipeline.Reason]int{pipeline.ReasonEmpty: 1, pipeline.ReasonInvalidUTF8: 2, pipeline.ReasonMalformed: 1, pipeline.ReasonTooLarge: 1}
	if fmt.Sprint(reasons) != fmt.Sprint(wantReasons) {
		t.Errorf("dead letters by reason = %v, want %v", reasons, wantReasons)
	}
	want := `
# HELP wiredesk_articles_processed_total Raw messages finished and acknowledged, by outcome.
# TYPE wiredesk_articles_processed_total counter
wiredesk_articles_processed_total{outcome="dead_letter"} 5
wiredesk_articles_processed_total{outcome="dropped"} 0
wiredesk_articles_processed_total{outcome="duplicate"} 1
wiredesk_articles_processed_total{outcome="enriched"} 2
`
	// Outputs are stored before the ack and the count, so poll briefly.
	testkit.WaitUntil(t, 5*time.Second, "processed metrics", func() bool {
		return testutil.GatherAndCompare(reg, strings.NewReader(want), "wiredesk_articles_processed_total") == nil
	})
	if probs, err := testutil.GatherAndLint(reg); err != nil || len(probs) > 0 {
		t.Errorf("GatherAndLint = %v, %v", probs, err)
	}
}

func TestTransientFailuresRetryThenDeadLetter(t *testing.T) {
	js := startJetStream(t)
	var calls atomic.Int32
	flaky := func(ctx context.Context, e *pipeline.Event) (*pipeline.Event, error) {
		switch e.ID {
		case "flaky": // fails twice, then works
			if calls.Add(1) <= 2 {
				return nil, errors.New("lookup timed out")
			}
		case "hopeless":
			return nil, errors.New("always down")
		}
		return passThrough(ctx, e)
	}
	runConsumer(t, js, Config{MaxDeliver: 3, BackoffBase: 10 * time.Millisecond, BackoffMax: 50 * time.Millisecond}, nil, flaky)
	publishRaw(t, js, article("flaky", "text"))
	publishRaw(t, js, article("hopeless", "text"))
	testkit.WaitUntil(t, 20*time.Second, "two outputs", func() bool { return outCount(t, js) == 2 })
	got := map[string]string{}
	for _, m := range outputs(t, js) {
		if m.Subject() == pipeline.SubjectDLQ {
			var dl pipeline.DeadLetter
			_ = json.Unmarshal(m.Data(), &dl)
			got[dl.ArticleID] = string(dl.Reason)
			if dl.Deliveries != 3 {
				t.Errorf("dead letter after %d deliveries, want 3", dl.Deliveries)
			}
			continue
		}
		got[m.Headers().Get("Wiredesk-Article-Id")] = m.Subject()
	}
	want := map[string]string{"flaky": pipeline.SubjectEnriched, "hopeless": string(pipeline.ReasonMaxDeliveries)}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("outcomes = %v, want %v", got, want)
	}
}

func TestShutdownFinishesInFlight(t *testing.T) {
	js := startJetStream(t)
	started := make(chan struct{})
	slow := func(ctx context.Context, e *pipeline.Event) (*pipeline.Event, error) {
		close(started)
		time.Sleep(300 * time.Millisecond)
		return passThrough(ctx, e)
	}
	stop := runConsumer(t, js, Config{Workers: 1}, nil, slow)
	publishRaw(t, js, article("slow", "text"))
	<-started
	if err := stop(); err != nil {
		t.Fatalf("Run() after shutdown = %v, want nil", err)
	}
	if n := outCount(t, js); n != 1 {
		t.Fatalf("outputs after shutdown = %d, want 1", n)
	}
	c, err := js.Consumer(testkit.Context(t, 5*time.Second), "ARTICLES_RAW", "wiredesk")
	if err != nil {
		t.Fatal(err)
	}
	info, err := c.Info(testkit.Context(t, 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if info.NumAckPending != 0 || info.AckFloor.Stream != 1 {
		t.Errorf("after shutdown ack pending = %d, ack floor = %d; want 0 and 1", info.NumAckPending, info.AckFloor.Stream)
	}
}

// counterValue returns the value of a counter without labels in reg.
func counterValue(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}

// ackFloor returns the raw stream sequence up to which the durable
// consumer has every message acknowledged, and how many await an ack.
func ackFloor(t *testing.T, js jetstream.JetStream) (floor uint64, pending int) {
	t.Helper()
	c, err := js.Consumer(testkit.Context(t, 5*time.Second), "ARTICLES_RAW", "wiredesk")
	if err != nil {
		t.Fatal(err)
	}
	info, err := c.Info(testkit.Context(t, 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return info.AckFloor.Stream, info.NumAckPending
}

func TestUnstoredOutputIsRetriedNotAcked(t *testing.T) {
	tests := []struct {
		name string
		// block makes publishes of outputs fail until the returned
		// function is called.
		block func(t *testing.T, js jetstream.JetStream) (unblock func())
	}{
		{"no output stream", func(t *testing.T, js jetstream.JetStream) func() {
			return func() {}
		}},
		{"no acknowledgement", func(t *testing.T, js jetstream.JetStream) func() {
			// A silent subscriber takes the outputs and never answers.
			sub, err := js.Conn().Subscribe(pipeline.SubjectEnriched, func(*nats.Msg) {})
			if err != nil {
				t.Fatal(err)
			}
			return func() {
				if err := sub.Unsubscribe(); err != nil {
					t.Fatal(err)
				}
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			js := startJetStream(t)
			// Without the output stream no output is stored until it is back.
			if err := js.DeleteStream(testkit.Context(t, 5*time.Second), "ARTICLES_OUT"); err != nil {
				t.Fatal(err)
			}
			unblock := tc.block(t, js)
			reg := prometheus.NewRegistry()
			runConsumer(t, js, Config{MaxDeliver: 1000, BackoffBase: 10 * time.Millisecond, BackoffMax: 20 * time.Millisecond,
				PublishTimeout: 100 * time.Millisecond}, reg, passThrough)
			publishRaw(t, js, article("a", "first report"))
			testkit.WaitUntil(t, 20*time.Second, "two failed publishes", func() bool { return counterValue(t, reg, "wiredesk_publish_errors_total") >= 2 })
			if floor, _ := ackFloor(t, js); floor != 0 {
				t.Fatalf("ack floor = %d while no output could be stored, want 0", floor)
			}
			unblock()
			if err := EnsureStreams(testkit.Context(t, 5*time.Second), js, Streams{}); err != nil {
				t.Fatal(err)
			}
			testkit.WaitUntil(t, 20*time.Second, "the output", func() bool { return outCount(t, js) == 1 })
			testkit.WaitUntil(t, 10*time.Second, "the ack", func() bool {
				floor, pending := ackFloor(t, js)
				return floor == 1 && pending == 0
			})
			if got := counterValue(t, reg, "wiredesk_redeliveries_total"); got < 1 {
				t.Errorf("redeliveries = %v, want at least 1", got)
			}
		})
	}
}

func TestEncodeDeadLetterFitsMaxPayload(t *testing.T) {
	payload := bytes.Repeat([]byte{0xff}, 100_000)
	dl := &pipeline.DeadLetter{Reason: pipeline.ReasonTooLarge, PayloadBytes: len(payload)}
	data := encodeDeadLetter(dl, payload, 64_000)
	if len(data) > 64_000 {
		t.Fatalf("dead letter is %d bytes, limit 64000", len(data))
	}
	var got pipeline.DeadLetter
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if !got.PayloadTruncated || got.PayloadBytes != 100_000 || !bytes.Equal(got.Payload, payload[:len(got.Payload)]) {
		t.Errorf("truncated=%v bytes=%d prefix ok=%v", got.PayloadTruncated, got.PayloadBytes, bytes.Equal(got.Payload, payload[:len(got.Payload)]))
	}
}

func TestBackoffGrows(t *testing.T) {
	c := &Consumer{cfg: Config{BackoffBase: time.Second, BackoffMax: 10 * time.Second}}
	var got []time.Duration
	for d := uint64(1); d <= 6; d++ {
		got = append(got, c.backoff(d))
	}
	want := []time.Duration{1 * time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("backoff = %v, want %v", got, want)
	}
}
