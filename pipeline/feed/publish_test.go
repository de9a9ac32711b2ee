package feed_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wiredesk/wiredesk/internal/testkit"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/wiredesk/wiredesk/pipeline"
	"github.com/wiredesk/wiredesk/pipeline/feed"
	"github.com/wiredesk/wiredesk/pipeline/natsconn/natstest"
)

// newRawStream starts a JetStream server with a stream on the raw
// subjects, as the worker creates it.
func newRawStream(t *testing.T) (jetstream.JetStream, jetstream.Stream) {
	t.Helper()
	_, js := natstest.StartJetStream(t)
	s, err := js.CreateStream(testkit.Context(t, 10*time.Second), jetstream.StreamConfig{
		Name:     "RAW",
		Subjects: []string{pipeline.SubjectRawWildcard},
	})
	if err != nil {
		t.Fatalf("create stream: %v", err)
	}
	return js, s
}

// newPublisher returns a publisher on js that reports to a new registry.
func newPublisher(t *testing.T, js jetstream.JetStream, cfg feed.PublisherConfig) (*feed.Publisher, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	p, err := feed.NewPublisher(js, cfg, nil, reg)
	if err != nil {
		t.Fatalf("NewPublisher() = %v", err)
	}
	return p, reg
}

// storedArticles returns the articles in the stream, in stream order,
// checking that each carries its content id as Nats-Msg-Id.
func storedArticles(t *testing.T, s jetstream.Stream) []*pipeline.Article {
	t.Helper()
	ctx := testkit.Context(t, 10*time.Second)
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatalf("stream info: %v", err)
	}
	var arts []*pipeline.Article
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
		m, err := s.GetMsg(ctx, seq)
		if err != nil {
			t.Fatalf("get message %d: %v", seq, err)
		}
		a, err := pipeline.Decode(m.Data, 0)
		if err != nil {
			t.Fatalf("message %d does not decode: %v", seq, err)
		}
		if got, want := m.Header.Get(jetstream.MsgIDHeader), pipeline.ContentID(a); got != want {
			t.Errorf("message %d: Nats-Msg-Id = %q, want %q", seq, got, want)
		}
		if got, want := m.Subject, feed.Subject(a); got != want {
			t.Errorf("message %d: subject = %q, want %q", seq, got, want)
		}
		arts = append(arts, a)
	}
	return arts
}

// cmpSummary compares summaries by their counts and by the result, origin,
// article and reason of each problem.
var cmpSummary = cmpopts.IgnoreFields(feed.Problem{}, "Err")

func TestPublishSeedsTwice(t *testing.T) {
	js, stream := newRawStream(t)
	p, reg := newPublisher(t, js, feed.PublisherConfig{})
	ctx := testkit.Context(t, 30*time.Second)

	first, err := p.Publish(ctx, []string{seedsDir}, nil)
	if err != nil {
		t.Fatalf("first Publish() = %v", err)
	}
	if diff := cmp.Diff(feed.Summary{Published: 4}, first, cmpSummary); diff != "" {
		t.Errorf("first Publish() summary mismatch (-want +got):\n%s", diff)
	}
	second, err := p.Publish(ctx, []string{seedsDir}, nil)
	if err != nil {
		t.Fatalf("second Publish() = %v", err)
	}
	if diff := cmp.Diff(feed.Summary{AlreadyStored: 4}, second, cmpSummary); diff != "" {
		t.Errorf("second Publish() summary mismatch (-want +got):\n%s", diff)
	}
	if err := second.Err(); err != nil {
		t.Errorf("Summary.Err() = %v, want nil", err)
	}

	var ids []string
	for _, a := range storedArticles(t, stream) {
		ids = append(ids, a.ID)
		if !strings.Contains(a.Text, "\n") {
			t.Errorf("stored article %s text is %q, want the seed file's lines", a.ID, a.Text)
		}
	}
	want := []string{"000_7aa370d38432adaa", "001_e90a044465924d55", "002_0289b5e3217c5e85", "003_c8e3a2b9613ef7a0"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("stored ids mismatch (-want +got):\n%s", diff)
	}

	wantMetrics := `
# HELP wiredesk_publisher_articles_total Articles handled by the publisher, by result.
# TYPE wiredesk_publisher_articles_total counter
wiredesk_publisher_articles_total{result="already_stored"} 4
wiredesk_publisher_articles_total{result="failed"} 0
wiredesk_publisher_articles_total{result="published"} 4
wiredesk_publisher_articles_total{result="rejected"} 0
# HELP wiredesk_publisher_in_flight Publishes awaiting their JetStream acknowledgement.
# TYPE wiredesk_publisher_in_flight gauge
wiredesk_publisher_in_flight 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(wantMetrics),
		"wiredesk_publisher_articles_total", "wiredesk_publisher_in_flight"); err != nil {
		t.Error(err)
	}
	if n, err := testutil.GatherAndCount(reg, "wiredesk_publisher_publish_duration_seconds"); err != nil || n != 1 {
		t.Errorf("duration histogram series = %d, %v; want 1, nil", n, err)
	}
	if problems, err := testutil.GatherAndLint(reg); err != nil || len(problems) > 0 {
		t.Errorf("GatherAndLint() = %v, %v; want no problems", problems, err)
	}
}

func TestPublishRejects(t *testing.T) {
	js, stream := newRawStream(t)
	dir := writeFiles(t, map[string]string{
		"in.jsonl": strings.Join([]string{
			`{"id":"a","text":"first","source":"Reuters"}`,
			`{"id":"b","text":`,
			`{"id":"c","text":" "}`,
			// Fits the read limit but its JSON re-encoding does not: each
			// "<" becomes "\u003c".
			`{"id":"d","text":"` + strings.Repeat("<", 200) + `"}`,
			`{"id":"e","text":"last","url":"https://www.example.com/x"}`,
		}, "\n"),
	})
	p, _ := newPublisher(t, js, feed.PublisherConfig{MaxArticleBytes: 300})
	sum, err := p.Publish(testkit.Context(t, 30*time.Second), []string{filepath.Join(dir, "in.jsonl")}, nil)
	if err != nil {
		t.Fatalf("Publish() = %v", err)
	}
	origin := filepath.Join(dir, "in.jsonl")
	want := feed.Summary{
		Published: 2,
		Rejected:  3,
		Problems: []feed.Problem{
			{Result: feed.ResultRejected, Origin: origin + ":2", Reason: pipeline.ReasonMalformed},
			{Result: feed.ResultRejected, Origin: origin + ":3", Reason: pipeline.ReasonEmpty},
			{Result: feed.ResultRejected, Origin: origin + ":4", ArticleID: "d", Reason: pipeline.ReasonTooLarge},
		},
	}
	if diff := cmp.Diff(want, sum, cmpSummary); diff != "" {
		t.Errorf("Publish() summary mismatch (-want +got):\n%s", diff)
	}
	if err := sum.Err(); !errors.Is(err, feed.ErrIncomplete) {
		t.Errorf("Summary.Err() = %v, want %v", err, feed.ErrIncomplete)
	}
	var subjects []string
	for _, a := range storedArticles(t, stream) {
		subjects = append(subjects, a.ID+" "+feed.Subject(a))
	}
	if diff := cmp.Diff([]string{"a articles.raw.reuters", "e articles.raw.example_com"}, subjects); diff != "" {
		t.Errorf("stored articles mismatch (-want +got):\n%s", diff)
	}
}

func TestPublishStdin(t *testing.T) {
	tests := []struct {
		name  string
		stdin string
		want  []string
	}{
		{name: "jsonl", stdin: `{"id":"x","text":"one"}` + "\n" + `{"id":"y","text":"two"}` + "\n", want: []string{"x", "y"}},
		// The id is the first 16 hex digits of sha256("A plain text.\n").
		{name: "plain text", stdin: "A plain text.\n", want: []string{"14e38914ae0507fa"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			js, stream := newRawStream(t)
			p, _ := newPublisher(t, js, feed.PublisherConfig{})
			sum, err := p.Publish(testkit.Context(t, 30*time.Second), []string{feed.StdinPath}, strings.NewReader(tc.stdin))
			if err != nil {
				t.Fatalf("Publish() = %v", err)
			}
			if diff := cmp.Diff(feed.Summary{Published: len(tc.want)}, sum, cmpSummary); diff != "" {
				t.Errorf("Publish() summary mismatch (-want +got):\n%s", diff)
			}
			var ids []string
			for _, a := range storedArticles(t, stream) {
				ids = append(ids, a.ID)
			}
			if diff := cmp.Diff(tc.want, ids); diff != "" {
				t.Errorf("stored ids mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPublishNoStream(t *testing.T) {
	_, js := natstest.StartJetStream(t)
	p, _ := newPublisher(t, js, feed.PublisherConfig{})
	sum, err := p.Publish(testkit.Context(t, 30*time.Second), []string{seedsDir}, nil)
	if !errors.Is(err, feed.ErrNoStream) {
		t.Fatalf("Publish() = %v, want %v", err, feed.ErrNoStream)
	}
	if !strings.Contains(err.Error(), "start the worker") {
		t.Errorf("Publish() error %q does not say to start the worker", err)
	}
	if sum.Total() != 0 {
		t.Errorf("Publish() summary = %v, want nothing published", sum)
	}
}

// hookJS wraps a JetStream client to delay acknowledgements, fail chosen
// attempts, and measure the publishes outstanding.
type hookJS struct {
	jetstream.JetStream
	// delay holds back each acknowledgement.
	delay time.Duration
	// fail returns the error for the nth (from 1) attempt at a message, or
	// nil to publish it.
	fail func(attempt int) error

	mu             sync.Mutex
	attempts       map[string]int
	outstanding    int
	maxOutstanding int
}

func (h *hookJS) PublishMsgAsync(msg *nats.Msg, opts ...jetstream.PublishOpt) (jetstream.PubAckFuture, error) {
	h.mu.Lock()
	if h.attempts == nil {
		h.attempts = make(map[string]int)
	}
	h.attempts[string(msg.Data)]++
	attempt := h.attempts[string(msg.Data)]
	h.mu.Unlock()
	if h.fail != nil {
		if err := h.fail(attempt); err != nil {
			return nil, err
		}
	}
	fut, err := h.JetStream.PublishMsgAsync(msg, opts...)
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	h.outstanding++
	h.maxOutstanding = max(h.maxOutstanding, h.outstanding)
	h.mu.Unlock()
	d := &delayedFuture{PubAckFuture: fut, ok: make(chan *jetstream.PubAck, 1), err: make(chan error, 1)}
	go func() {
		var ack *jetstream.PubAck
		var err error
		select {
		case ack = <-fut.Ok():
		case err = <-fut.Err():
		}
		time.Sleep(h.delay)
		// Counted as resolved before the publisher can see it, so that a
		// publisher refilling its window is never counted twice.
		h.mu.Lock()
		h.outstanding--
		h.mu.Unlock()
		if err != nil {
			d.err <- err
		} else {
			d.ok <- ack
		}
	}()
	return d, nil
}

func (h *hookJS) stats() (maxOutstanding int, attempts map[string]int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.maxOutstanding, h.attempts
}

type delayedFuture struct {
	jetstream.PubAckFuture
	ok  chan *jetstream.PubAck
	err chan error
}

func (d *delayedFuture) Ok() <-chan *jetstream.PubAck { return d.ok }
func (d *delayedFuture) Err() <-chan error            { return d.err }

// manyArticles returns n JSONL articles.
func manyArticles(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"id":"a%03d","text":"text %d"}`+"\n", i, i)
	}
	return b.String()
}

func TestPublishInFlightBound(t *testing.T) {
	const articles, limit = 40, 3
	js, stream := newRawStream(t)
	h := &hookJS{JetStream: js, delay: 20 * time.Millisecond}
	p, _ := newPublisher(t, h, feed.PublisherConfig{MaxInFlight: limit})
	sum, err := p.Publish(testkit.Context(t, 30*time.Second), []string{feed.StdinPath}, strings.NewReader(manyArticles(articles)))
	if err != nil {
		t.Fatalf("Publish() = %v", err)
	}
	if diff := cmp.Diff(feed.Summary{Published: articles}, sum, cmpSummary); diff != "" {
		t.Errorf("Publish() summary mismatch (-want +got):\n%s", diff)
	}
	if got, _ := h.stats(); got > limit || got < 2 {
		t.Errorf("at most %d publishes outstanding, want 2 to %d", got, limit)
	}
	if got := len(storedArticles(t, stream)); got != articles {
		t.Errorf("stream holds %d articles, want %d", got, articles)
	}
}

func TestPublishRetries(t *testing.T) {
	errBroken := errors.New("broken")
	tests := []struct {
		name         string
		fail         func(attempt int) error
		want         feed.Summary
		wantAttempts int
		wantStored   int
	}{
		{
			name: "transient failures are retried",
			fail: func(attempt int) error {
				if attempt < 3 {
					return nats.ErrNoResponders
				}
				return nil
			},
			want:         feed.Summary{Published: 2},
			wantAttempts: 3,
			wantStored:   2,
		},
		{
			name:         "transient failures give up after max attempts",
			fail:         func(int) error { return nats.ErrTimeout },
			want:         feed.Summary{Failed: 2},
			wantAttempts: 4,
		},
		{
			name:         "other failures are not retried",
			fail:         func(int) error { return errBroken },
			want:         feed.Summary{Failed: 2},
			wantAttempts: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			js, stream := newRawStream(t)
			h := &hookJS{JetStream: js, fail: tc.fail}
			p, _ := newPublisher(t, h, feed.PublisherConfig{MaxAttempts: 4, RetryBackoff: time.Millisecond})
			sum, err := p.Publish(testkit.Context(t, 30*time.Second), []string{feed.StdinPath}, strings.NewReader(manyArticles(2)))
			if err != nil {
				t.Fatalf("Publish() = %v", err)
			}
			if diff := cmp.Diff(tc.want, sum, cmpopts.IgnoreFields(feed.Summary{}, "Problems")); diff != "" {
				t.Errorf("Publish() summary mismatch (-want +got):\n%s", diff)
			}
			for _, pr := range sum.Problems {
				if pr.Result != feed.ResultFailed || pr.ArticleID == "" || pr.Err == nil {
					t.Errorf("problem %+v, want a failed article with its id and cause", pr)
				}
			}
			_, attempts := h.stats()
			for data, n := range attempts {
				if n != tc.wantAttempts {
					t.Errorf("%s tried %d times, want %d", data, n, tc.wantAttempts)
				}
			}
			if got := len(storedArticles(t, stream)); got != tc.wantStored {
				t.Errorf("stream holds %d articles, want %d", got, tc.wantStored)
			}
		})
	}
}

func TestPublishAckTimeout(t *testing.T) {
	js, stream := newRawStream(t)
	// Every ack arrives after the timeout: each attempt times out, and the
	// retries store nothing twice.
	h := &hookJS{JetStream: js, delay: 200 * time.Millisecond}
	p, _ := newPublisher(t, h, feed.PublisherConfig{MaxAttempts: 2, AckTimeout: 20 * time.Millisecond, RetryBackoff: time.Millisecond})
	sum, err := p.Publish(testkit.Context(t, 30*time.Second), []string{feed.StdinPath}, strings.NewReader(manyArticles(1)))
	if err != nil {
		t.Fatalf("Publish() = %v", err)
	}
	if sum.Failed != 1 || len(sum.Problems) != 1 || !errors.Is(sum.Problems[0].Err, nats.ErrTimeout) {
		t.Errorf("Publish() summary = %+v, want 1 failed with %v", sum, nats.ErrTimeout)
	}
	if got := len(storedArticles(t, stream)); got != 1 {
		t.Errorf("stream holds %d articles, want 1", got)
	}
}

func TestPublishProgress(t *testing.T) {
	js, _ := newRawStream(t)
	h := &hookJS{JetStream: js, delay: 20 * time.Millisecond}
	var mu sync.Mutex
	var reports []feed.Summary
	p, _ := newPublisher(t, h, feed.PublisherConfig{
		MaxInFlight:      1,
		ProgressInterval: 50 * time.Millisecond,
		OnProgress: func(s feed.Summary) {
			mu.Lock()
			defer mu.Unlock()
			reports = append(reports, s)
		},
	})
	sum, err := p.Publish(testkit.Context(t, 30*time.Second), []string{feed.StdinPath}, strings.NewReader(manyArticles(20)))
	if err != nil {
		t.Fatalf("Publish() = %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reports) == 0 {
		t.Fatalf("no progress reported during a run of %d serial 20ms publishes", sum.Published)
	}
	for i, r := range reports {
		if r.Total() > sum.Total() || i > 0 && r.Total() < reports[i-1].Total() {
			t.Errorf("progress report %d counts %d, after %d; want a count rising to at most %d", i, r.Total(), reports[max(i-1, 0)].Total(), sum.Total())
		}
	}
}

func TestPublishCancelled(t *testing.T) {
	js, _ := newRawStream(t)
	h := &hookJS{JetStream: js, delay: 5 * time.Second}
	p, _ := newPublisher(t, h, feed.PublisherConfig{MaxInFlight: 2})
	ctx, cancel := context.WithCancel(testkit.Context(t, 30*time.Second))
	done := make(chan struct{})
	var sum feed.Summary
	var err error
	go func() {
		defer close(done)
		sum, err = p.Publish(ctx, []string{feed.StdinPath}, strings.NewReader(manyArticles(10)))
	}()
	// Wait for the window to fill, then cancel.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if n, _ := h.stats(); n == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("in-flight window never filled")
		}
	}
	cancel()
	<-done
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Publish() = %v, want %v", err, context.Canceled)
	}
	if sum.Failed != 2 || sum.Published != 0 {
		t.Errorf("Publish() summary = %v, want the 2 in flight failed", sum)
	}
}

func TestSubject(t *testing.T) {
	long := strings.Repeat("x", 100)
	tests := []struct {
		name string
		in   pipeline.Article
		want string
	}{
		{name: "source", in: pipeline.Article{Source: "Reuters"}, want: "articles.raw.reuters"},
		{name: "source wins over url", in: pipeline.Article{Source: "AP", URL: "https://bbc.co.uk/x"}, want: "articles.raw.ap"},
		{name: "url host without www", in: pipeline.Article{URL: "https://www.BBC.co.uk:443/news/1"}, want: "articles.raw.bbc_co_uk"},
		{name: "punctuation collapses", in: pipeline.Article{Source: "  Le Monde (Paris) > * "}, want: "articles.raw.le_monde_paris"},
		{name: "allowed characters kept", in: pipeline.Article{Source: "wire_1-b"}, want: "articles.raw.wire_1-b"},
		{name: "non-ascii dropped", in: pipeline.Article{Source: "Ведомости"}, want: "articles.raw.default"},
		{name: "bounded length", in: pipeline.Article{Source: long}, want: "articles.raw." + long[:64]},
		{name: "nothing", in: pipeline.Article{URL: "not a url"}, want: "articles.raw.default"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := feed.Subject(&tc.in); got != tc.want {
				t.Errorf("Subject(%+v) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestSummaryWriteTo(t *testing.T) {
	s := feed.Summary{
		Published: 3, AlreadyStored: 1, Rejected: 1, Failed: 1,
		Problems: []feed.Problem{
			{Result: feed.ResultRejected, Origin: "in.jsonl:2", Reason: pipeline.ReasonMalformed, Err: errors.New("decode article: unexpected end of JSON input")},
			{Result: feed.ResultFailed, Origin: "b.txt", ArticleID: "b", Err: errors.New("publish article b: nats: timeout")},
		},
	}
	var b strings.Builder
	if _, err := s.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	want := `published 3, already stored 1, rejected 1, failed 1
rejected in.jsonl:2: malformed: decode article: unexpected end of JSON input
failed b.txt: publish article b: nats: timeout
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("WriteTo() mismatch (-want +got):\n%s", diff)
	}
}
