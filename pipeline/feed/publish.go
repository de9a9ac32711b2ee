package feed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/lmittmann/tint"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/wiredesk/wiredesk/pipeline"
)

// Defaults of a zero [PublisherConfig].
const (
	DefaultMaxInFlight      = 256
	DefaultMaxAttempts      = 4
	DefaultAckTimeout       = 5 * time.Second
	DefaultRetryBackoff     = 100 * time.Millisecond
	DefaultProgressInterval = 10 * time.Second
)

// maxSubjectToken bounds the source token of a raw subject.
const maxSubjectToken = 64

// maxProblems bounds [Summary].Problems, so that a run over a huge bad
// input keeps a bounded memory.
const maxProblems = 100

var (
	// ErrNoStream is returned by [Publisher.Publish] when no stream
	// captures a raw subject: the worker creates the streams, so it must
	// have run once before anything is published.
	ErrNoStream = errors.New("no stream captures the subject: start the worker first, it creates the streams")
	// ErrIncomplete is wrapped by [Summary.Err] when an article was
	// rejected or failed.
	ErrIncomplete = errors.New("not every article was published")
	// ErrInvalidConfig is wrapped by [PublisherConfig.Validate].
	ErrInvalidConfig = errors.New("invalid publisher config")
)

// Result is the outcome of publishing one article, also its metric label.
type Result string

// Results of publishing one article.
const (
	// ResultPublished: the stream stored the article.
	ResultPublished Result = "published"
	// ResultAlreadyStored: the stream already held the article (same
	// Nats-Msg-Id within its duplicate window) and did not store it again.
	ResultAlreadyStored Result = "already_stored"
	// ResultRejected: the input is not a valid article; it was not sent.
	ResultRejected Result = "rejected"
	// ResultFailed: the publish did not succeed after every attempt.
	ResultFailed Result = "failed"
)

// results lists every [Result], for zeroing metric labels.
var results = []Result{ResultPublished, ResultAlreadyStored, ResultRejected, ResultFailed}

// PublisherConfig configures a [Publisher]. The zero value means defaults.
type PublisherConfig struct {
	// MaxInFlight bounds the publishes awaiting their acknowledgement;
	// zero means [DefaultMaxInFlight].
	MaxInFlight int
	// MaxAttempts is how many times a publish is tried when it fails
	// transiently (ack timeout, no responders); zero means
	// [DefaultMaxAttempts].
	MaxAttempts int
	// AckTimeout bounds the wait for the stream's acknowledgement of one
	// attempt; zero means [DefaultAckTimeout].
	AckTimeout time.Duration
	// RetryBackoff is the wait before the second attempt, doubled before
	// each further one; zero means [DefaultRetryBackoff].
	RetryBackoff time.Duration
	// ProgressInterval is how often a long run reports progress; zero means
	// [DefaultProgressInterval], negative turns progress off. A run shorter
	// than one interval reports none.
	ProgressInterval time.Duration
	// OnProgress receives the counts so far at each progress interval;
	// nil logs them at Info. It is called from another goroutine than
	// the one running Publish, never concurrently with itself.
	OnProgress func(Summary)
	// MaxArticleBytes is the size limit of one article, both as read and
	// as the JSON published; zero means [pipeline.DefaultMaxArticleBytes],
	// the default NATS max_payload.
	MaxArticleBytes int
}

func (c *PublisherConfig) setDefaults() {
	if c.MaxInFlight == 0 {
		c.MaxInFlight = DefaultMaxInFlight
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	if c.AckTimeout == 0 {
		c.AckTimeout = DefaultAckTimeout
	}
	if c.RetryBackoff == 0 {
		c.RetryBackoff = DefaultRetryBackoff
	}
	if c.ProgressInterval == 0 {
		c.ProgressInterval = DefaultProgressInterval
	}
	if c.MaxArticleBytes == 0 {
		c.MaxArticleBytes = pipeline.DefaultMaxArticleBytes
	}
}

// Validate returns an error wrapping [ErrInvalidConfig] for a negative
// count, timeout or size.
func (c PublisherConfig) Validate() error {
	switch {
	case c.MaxInFlight < 0:
		return fmt.Errorf("%w: max in flight %d is negative", ErrInvalidConfig, c.MaxInFlight)
	case c.MaxAttempts < 0:
		return fmt.Errorf("%w: max attempts %d is negative", ErrInvalidConfig, c.MaxAttempts)
	case c.AckTimeout < 0:
		return fmt.Errorf("%w: ack timeout %s is negative", ErrInvalidConfig, c.AckTimeout)
	case c.RetryBackoff < 0:
		return fmt.Errorf("%w: retry backoff %s is negative", ErrInvalidConfig, c.RetryBackoff)
	case c.MaxArticleBytes < 0:
		return fmt.Errorf("%w: max article bytes %d is negative", ErrInvalidConfig, c.MaxArticleBytes)
	}
	return nil
}

// Publisher publishes articles read by [Reader] to the raw subjects. It is
// safe for concurrent use.
type Publisher struct {
	js     jetstream.JetStream
	cfg    PublisherConfig
	logger *slog.Logger
	m      *metrics
}

// NewPublisher returns a Publisher that publishes with js. logger may be
// nil (nothing is logged); reg may be nil (metrics are not exported). It
// returns an error wrapping [ErrInvalidConfig] for a bad cfg, and panics if
// reg already holds the publisher's metrics.
func NewPublisher(js jetstream.JetStream, cfg PublisherConfig, logger *slog.Logger, reg prometheus.Registerer) (*Publisher, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.setDefaults()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Publisher{js: js, cfg: cfg, logger: logger.With("component", "publisher"), m: newMetrics(reg)}, nil
}

// Subject returns the raw subject of an article:
// [pipeline.SubjectRawPrefix] + "." + a token made from its Source, or else
// from the host of its URL without "www.": lower-cased, each run of
// characters outside [a-z0-9_-] turned into one "_" (so "Le Monde" gives
// "le_monde" and "bbc.co.uk" gives "bbc_co_uk"), at most 64 bytes long;
// "default" when neither gives one. The token is a NATS subject token by
// construction, whatever the input.
func Subject(a *pipeline.Article) string {
	src := a.Source
	if strings.TrimSpace(src) == "" {
		if u, err := url.Parse(a.URL); err == nil {
			src = strings.TrimPrefix(u.Hostname(), "www.")
		}
	}
	var b strings.Builder
	underscore := false
	for _, r := range strings.ToLower(src) {
		if b.Len() >= maxSubjectToken {
			break
		}
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			b.WriteRune(r)
			underscore = r == '_'
		} else if !underscore && b.Len() > 0 {
			b.WriteByte('_')
			underscore = true
		}
	}
	token := strings.TrimRight(b.String(), "_")
	if token == "" {
		token = "default"
	}
	return pipeline.SubjectRawPrefix + "." + token
}

// Publish reads paths as [Reader.Read] does and publishes every article
// with [pipeline.ContentID] as its Nats-Msg-Id, then waits for every
// acknowledgement. Articles are sent in input order, so the stream stores
// them in that order, except that a retried article lands after the ones
// sent meanwhile. Inputs that are not articles are counted as rejected and
// reading goes on; publishes that fail transiently are retried, then
// counted as failed. The returned [Summary] counts every input seen, even
// when Publish stops early; use [Summary.Err] to tell whether all went
// through.
//
// Publish stops and returns an error wrapping [ErrNoStream] when no stream
// captures a subject, or the read error when an input cannot be read, or
// ctx.Err() when ctx is done (publishes in flight then count as failed).
func (p *Publisher) Publish(ctx context.Context, paths []string, stdin io.Reader) (Summary, error) {
	r := &run{
		p:       p,
		slots:   make(chan struct{}, p.cfg.MaxInFlight),
		streams: make(map[string]bool),
	}
	stopProgress := r.reportProgress()
	err := Reader{MaxArticleBytes: p.cfg.MaxArticleBytes}.Read(ctx, paths, stdin, func(it Item) error {
		return r.submit(ctx, it)
	})
	r.inFlight.Wait()
	stopProgress()
	return r.summary(), err
}

// run is the state of one Publish call.
type run struct {
	p *Publisher
	// slots holds one token per publish in flight.
	slots    chan struct{}
	inFlight sync.WaitGroup
	// streams caches the subjects known to be captured by a stream; only
	// the reading goroutine uses it.
	streams map[string]bool

	mu  sync.Mutex
	sum Summary
}

// submit starts publishing one item, waiting for a free slot first.
func (r *run) submit(ctx context.Context, it Item) error {
	if it.Err != nil {
		r.record(ResultRejected, it.Origin, "", it.Err)
		return nil
	}
	a := it.Article
	// Re-marshalled, so that every raw message is one JSON article, also
	// for .txt input.
	data, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("encode article %s: %w", a.ID, err)
	}
	if len(data) > r.p.cfg.MaxArticleBytes {
		r.record(ResultRejected, it.Origin, a.ID, tooLarge(int64(len(data)), r.p.cfg.MaxArticleBytes))
		return nil
	}
	subject := Subject(a)
	if err := r.checkStream(ctx, subject); err != nil {
		return err
	}
	select {
	case r.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	r.p.m.inFlight.Inc()
	pub := &pending{subject: subject, data: data, msgID: pipeline.ContentID(a), origin: it.Origin, article: a, start: time.Now()}
	// The first attempt is sent here, in input order, so that the stream
	// stores articles in the order they were read (the worker's dedup
	// keeps the first of two copies). Only retries can reorder.
	fut, err := r.send(pub)
	r.inFlight.Go(func() {
		defer func() {
			r.p.m.inFlight.Dec()
			<-r.slots
		}()
		r.finish(ctx, pub, fut, err)
	})
	return nil
}

// pending is an article being published.
type pending struct {
	subject, msgID string
	data           []byte
	origin         string
	article        *pipeline.Article
	start          time.Time
}

// checkStream fails with [ErrNoStream] when no stream captures subject, so
// that a missing stream is one clear error instead of a retried timeout per
// article.
func (r *run) checkStream(ctx context.Context, subject string) error {
	if r.streams[subject] {
		return nil
	}
	_, err := r.p.js.StreamNameBySubject(ctx, subject)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return fmt.Errorf("publish to %s: %w", subject, ErrNoStream)
	}
	if err != nil {
		return fmt.Errorf("find stream for %s: %w", subject, err)
	}
	r.streams[subject] = true
	return nil
}

// send makes one publish attempt.
func (r *run) send(pub *pending) (jetstream.PubAckFuture, error) {
	return r.p.js.PublishMsgAsync(&nats.Msg{Subject: pub.subject, Data: pub.data}, jetstream.WithMsgID(pub.msgID))
}

// finish waits for the acknowledgement of the first attempt (fut, or its
// error sendErr), retries transient failures, and records the result.
func (r *run) finish(ctx context.Context, pub *pending, fut jetstream.PubAckFuture, sendErr error) {
	a := pub.article
	backoff := r.p.cfg.RetryBackoff
	for attempt := 1; ; attempt++ {
		ack, err := r.await(ctx, fut, sendErr)
		if err == nil {
			r.p.m.duration.Observe(time.Since(pub.start).Seconds())
			result := ResultPublished
			if ack.Duplicate {
				result = ResultAlreadyStored
			}
			r.p.logger.Debug("article published", "subject", pub.subject, "msg_id", pub.msgID, "article_id", a.ID,
				"stream_seq", ack.Sequence, "result", result, "duration", time.Since(pub.start))
			r.record(result, pub.origin, a.ID, nil)
			return
		}
		if !retryable(err) || attempt >= r.p.cfg.MaxAttempts || ctx.Err() != nil {
			r.record(ResultFailed, pub.origin, a.ID, fmt.Errorf("publish article %s to %s: %w", a.ID, pub.subject, err))
			return
		}
		r.p.logger.Warn("publish failed, retrying", "subject", pub.subject, "msg_id", pub.msgID, "article_id", a.ID,
			"attempt", attempt, tint.Err(err))
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
		}
		backoff *= 2
		fut, sendErr = r.send(pub)
	}
}

// await waits for the acknowledgement of one attempt, or returns sendErr
// when the attempt could not be sent. The wait is bounded here because the
// caller's JetStream client may have no async ack timeout of its own.
func (r *run) await(ctx context.Context, fut jetstream.PubAckFuture, sendErr error) (*jetstream.PubAck, error) {
	if sendErr != nil {
		return nil, sendErr
	}
	timer := time.NewTimer(r.p.cfg.AckTimeout)
	defer timer.Stop()
	select {
	case ack := <-fut.Ok():
		return ack, nil
	case err := <-fut.Err():
		return nil, err
	case <-timer.C:
		return nil, fmt.Errorf("no ack after %s: %w", r.p.cfg.AckTimeout, nats.ErrTimeout)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// retryable reports whether another attempt may succeed: the server or the
// stream did not answer in time, or the client is momentarily saturated.
// Publishing again is safe, since the Nats-Msg-Id makes the stream store an
// article once.
func retryable(err error) bool {
	for _, target := range []error{
		nats.ErrTimeout,
		nats.ErrNoResponders,
		// The connection is failing over to another server of the
		// cluster; the Nats-Msg-Id makes a retry safe.
		nats.ErrDisconnected,
		nats.ErrConnectionReconnecting,
		jetstream.ErrNoStreamResponse,
		jetstream.ErrAsyncPublishTimeout,
		jetstream.ErrTooManyStalledMsgs,
	} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// record counts one result; err is set for rejected and failed ones.
func (r *run) record(result Result, origin, articleID string, err error) {
	r.p.m.articles.WithLabelValues(string(result)).Inc()
	if err != nil {
		r.p.logger.Debug("article not published", "origin", origin, "article_id", articleID, "result", result, tint.Err(err))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sum.add(result)
	if err != nil {
		r.sum.addProblem(Problem{Result: result, Origin: origin, ArticleID: articleID, Reason: pipeline.ReasonOf(err), Err: err})
	}
}

func (r *run) summary() Summary {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.sum
	s.Problems = append([]Problem(nil), r.sum.Problems...)
	return s
}

// reportProgress reports the counts every progress interval until the
// returned stop function is called; stop returns once reporting is over.
func (r *run) reportProgress() (stop func()) {
	interval := r.p.cfg.ProgressInterval
	if interval < 0 {
		return func() {}
	}
	report := r.p.cfg.OnProgress
	if report == nil {
		report = func(s Summary) {
			r.p.logger.Info("publish progress", "published", s.Published, "already_stored", s.AlreadyStored,
				"rejected", s.Rejected, "failed", s.Failed, "in_flight", len(r.slots))
		}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		ticker := time.NewTicker(interval)
		defer ticker.Stop()
		for {
			select {
			case <-ticker.C:
				report(r.summary())
			case <-done:
				return
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
	}
}
