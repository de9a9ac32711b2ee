package bus

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lmittmann/tint"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/wiredesk/wiredesk/pipeline"
)

// Config configures a [Consumer]. The zero value means defaults.
type Config struct {
	Streams Streams
	// Durable names the pull consumer shared by all workers; default "wiredesk".
	Durable string
	// Workers is how many messages this process handles at once; default 4.
	Workers int
	// Prefetch bounds the messages buffered ahead of the workers
	// (PullMaxMessages); default 2×Workers. Memory per process is bounded
	// by Prefetch+Workers messages whatever the backlog.
	Prefetch int
	// MaxAckPending bounds unacknowledged messages across all workers;
	// default 1024.
	MaxAckPending int
	// AckWait is how long the server waits for an acknowledgement before
	// redelivering; default 30s. Slow messages are kept alive with
	// InProgress.
	AckWait time.Duration
	// MaxDeliver is how many deliveries a message gets before it is
	// dead-lettered with reason max_deliveries; default 5.
	MaxDeliver int
	// BackoffBase and BackoffMax shape the delay before a transient failure
	// is retried: BackoffBase×2^(deliveries-1), at most BackoffMax;
	// defaults 1s and 1m.
	BackoffBase, BackoffMax time.Duration
	// MaxArticleBytes is the largest raw article accepted; larger ones are
	// dead-lettered. Default pipeline.DefaultMaxArticleBytes.
	MaxArticleBytes int
	// ProcessTimeout bounds the stages of one message; default 20s.
	ProcessTimeout time.Duration
	// DrainTimeout bounds the graceful shutdown; default 30s.
	DrainTimeout time.Duration
	// InfoInterval is how often consumer info (backlog) is polled; default 5s.
	InfoInterval time.Duration
}

func (c *Config) setDefaults() {
	c.Streams.setDefaults()
	if c.Durable == "" {
		c.Durable = "wiredesk"
	}
	if c.Workers == 0 {
		c.Workers = 4
	}
	if c.Prefetch == 0 {
		c.Prefetch = 2 * c.Workers
	}
	if c.MaxAckPending == 0 {
		c.MaxAckPending = 1024
	}
	if c.AckWait == 0 {
		c.AckWait = 30 * time.Second
	}
	if c.MaxDeliver == 0 {
		c.MaxDeliver = 5
	}
	if c.BackoffBase == 0 {
		c.BackoffBase = time.Second
	}
	if c.BackoffMax == 0 {
		c.BackoffMax = time.Minute
	}
	if c.MaxArticleBytes == 0 {
		c.MaxArticleBytes = pipeline.DefaultMaxArticleBytes
	}
	if c.ProcessTimeout == 0 {
		c.ProcessTimeout = 20 * time.Second
	}
	if c.DrainTimeout == 0 {
		c.DrainTimeout = 30 * time.Second
	}
	if c.InfoInterval == 0 {
		c.InfoInterval = 5 * time.Second
	}
}

// Validate reports a configuration that cannot work.
func (c Config) Validate() error {
	c.setDefaults()
	switch {
	case c.Workers < 1:
		return fmt.Errorf("workers must be at least 1, got %d", c.Workers)
	case c.Prefetch < 1:
		return fmt.Errorf("prefetch must be at least 1, got %d", c.Prefetch)
	case c.MaxAckPending < c.Workers:
		return fmt.Errorf("max ack pending (%d) must be at least workers (%d)", c.MaxAckPending, c.Workers)
	case c.MaxDeliver < 1:
		return fmt.Errorf("max deliver must be at least 1, got %d", c.MaxDeliver)
	case c.ProcessTimeout >= c.AckWait:
		return fmt.Errorf("process timeout (%s) must be shorter than ack wait (%s)", c.ProcessTimeout, c.AckWait)
	case c.BackoffBase > c.BackoffMax:
		return fmt.Errorf("backoff base (%s) exceeds backoff max (%s)", c.BackoffBase, c.BackoffMax)
	}
	return c.Streams.Validate()
}

// Consumer consumes raw articles and emits their outputs. It is safe for
// concurrent use; Run is meant to be called once.
type Consumer struct {
	js    jetstream.JetStream
	cfg   Config
	log   *slog.Logger
	m     *metrics
	cons  jetstream.Consumer
	bound atomic.Bool
}

// NewConsumer creates or updates the durable consumer on the raw stream
// (which must exist, see [EnsureStreams]) and returns a Consumer bound to
// it. reg may be nil.
func NewConsumer(ctx context.Context, js jetstream.JetStream, cfg Config, logger *slog.Logger, reg prometheus.Registerer) (*Consumer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("consumer config: %w", err)
	}
	cfg.setDefaults()
	cons, err := js.CreateOrUpdateConsumer(ctx, cfg.Streams.Raw, jetstream.ConsumerConfig{
		Durable:       cfg.Durable,
		Description:   "wiredesk workers",
		FilterSubject: pipeline.SubjectRawWildcard,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       cfg.AckWait,
		// Deliveries are counted and capped by the consumer itself, which
		// dead-letters the message: a server-side MaxDeliver would stop
		// delivering silently and leave the article unaccounted for.
		MaxDeliver:    -1,
		MaxAckPending: cfg.MaxAckPending,
		DeliverPolicy: jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return nil, fmt.Errorf("create or update consumer %s on %s: %w", cfg.Durable, cfg.Streams.Raw, err)
	}
	c := &Consumer{js: js, cfg: cfg, log: logger.With("component", "bus"), m: newMetrics(reg), cons: cons}
	c.bound.Store(true)
	return c, nil
}

// Ready reports whether the connection is up and the consumer bound.
func (c *Consumer) Ready(ctx context.Context) error {
	if !c.js.Conn().IsConnected() {
		return errors.New("not connected to NATS")
	}
	if !c.bound.Load() {
		return errors.New("consumer not bound")
	}
	return nil
}

// Measure is a [pipeline.Middleware] that records each stage's duration
// and failures in this consumer's metrics.
func (c *Consumer) Measure(name string, next pipeline.Stage) pipeline.Stage {
	h := c.m.stageDuration.WithLabelValues(name)
	return func(ctx context.Context, e *pipeline.Event) (*pipeline.Event, error) {
		start := time.Now()
		out, err := next(ctx, e)
		h.Observe(time.Since(start).Seconds())
		if err != nil {
			c.m.stageErrors.WithLabelValues(name, errorKind(err)).Inc()
		}
		return out, err
	}
}

func errorKind(err error) string {
	if errors.Is(err, pipeline.ErrPermanent) {
		return "permanent"
	}
	return "transient"
}

// Run consumes until ctx is cancelled, then stops fetching, finishes and
// acknowledges the messages in flight (for at most DrainTimeout) and
// returns. It returns an error only if consuming could not start or the
// drain timed out.
func (c *Consumer) Run(ctx context.Context, stage pipeline.Stage) error {
	it, err := c.cons.Messages(jetstream.PullMaxMessages(c.cfg.Prefetch))
	if err != nil {
		return fmt.Errorf("start consuming %s: %w", c.cfg.Durable, err)
	}
	c.log.Info("consuming", "stream", c.cfg.Streams.Raw, "durable", c.cfg.Durable,
		"workers", c.cfg.Workers, "prefetch", c.cfg.Prefetch)

	// In-flight messages keep a context of their own that outlives ctx by
	// the drain timeout, so a shutdown lets them finish and acknowledge.
	work, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()

	var wg sync.WaitGroup
	msgs := make(chan jetstream.Msg)
	for range c.cfg.Workers {
		wg.Go(func() {
			for msg := range msgs {
				c.handle(work, msg, stage)
			}
		})
	}
	wg.Go(func() { c.pollInfo(ctx) })
	stopped := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			it.Drain()
		case <-stopped:
		}
	}()

	for {
		msg, err := it.Next()
		if errors.Is(err, jetstream.ErrMsgIteratorClosed) {
			break
		}
		if err != nil {
			c.log.Warn("fetch failed", tint.Err(err))
			continue
		}
		msgs <- msg
	}
	close(stopped)
	close(msgs)
	c.bound.Store(false)

	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		c.log.Info("drained")
		return nil
	case <-time.After(c.cfg.DrainTimeout):
		cancelWork()
		<-done
		return fmt.Errorf("drain did not finish within %s", c.cfg.DrainTimeout)
	}
}

func (c *Consumer) pollInfo(ctx context.Context) {
	t := time.NewTicker(c.cfg.InfoInterval)
	defer t.Stop()
	for {
		ictx, cancel := context.WithTimeout(ctx, c.cfg.InfoInterval)
		info, err := c.cons.Info(ictx)
		cancel()
		if err == nil {
			c.m.pending.Set(float64(info.NumPending))
			c.m.ackPending.Set(float64(info.NumAckPending))
			c.m.redelivered.Set(float64(info.NumRedelivered))
		} else if ctx.Err() == nil {
			c.log.Warn("consumer info failed", tint.Err(err))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// handle runs one message through the stage and settles it. It never
// returns an error: every path ends in an ack, a nak or a term.
func (c *Consumer) handle(ctx context.Context, msg jetstream.Msg, stage pipeline.Stage) {
	c.m.inFlight.Inc()
	defer c.m.inFlight.Dec()
	c.m.received.Inc()
	meta, err := msg.Metadata()
	if err != nil {
		// Not a JetStream message: nothing to acknowledge.
		c.log.Error("message without metadata", tint.Err(err))
		return
	}
	log := c.log.With("subject", msg.Subject(), "stream_seq", meta.Sequence.Stream, "deliveries", meta.NumDelivered)
	if meta.NumDelivered > 1 {
		c.m.redeliveries.Inc()
	}
	if meta.NumDelivered > uint64(c.cfg.MaxDeliver) {
		c.deadLetter(ctx, log, msg, meta, "", pipeline.Permanent(pipeline.ReasonMaxDeliveries,
			fmt.Errorf("delivered %d times, limit %d", meta.NumDelivered, c.cfg.MaxDeliver)))
		return
	}

	start := time.Now()
	article, err := pipeline.Decode(msg.Data(), c.cfg.MaxArticleBytes)
	c.m.stageDuration.WithLabelValues(stageDecode).Observe(time.Since(start).Seconds())
	if err != nil {
		c.m.stageErrors.WithLabelValues(stageDecode, errorKind(err)).Inc()
		c.fail(ctx, log, msg, meta, "", err)
		return
	}
	log = log.With("article_id", article.ID)

	e := pipeline.NewEvent(article)
	e.IngestedAt = time.Now().UTC()
	e.StreamSeq = meta.Sequence.Stream
	sctx, cancel := context.WithTimeout(ctx, c.cfg.ProcessTimeout)
	out, err := stage(sctx, e)
	cancel()
	if err != nil {
		c.fail(ctx, log, msg, meta, article.ID, err)
		return
	}
	if out == nil {
		c.ack(ctx, log, msg, outcomeDropped)
		return
	}

	subject, outcome := pipeline.SubjectEnriched, outcomeEnriched
	if out.DuplicateOf != nil {
		subject, outcome = pipeline.SubjectDuplicates, outcomeDuplicate
	}
	data, err := json.Marshal(out)
	if err != nil {
		c.fail(ctx, log, msg, meta, article.ID, pipeline.Permanent(pipeline.ReasonUnprocessable, fmt.Errorf("encode event: %w", err)))
		return
	}
	out2 := nats.NewMsg(subject)
	out2.Data = data
	out2.Header.Set("Wiredesk-Article-Id", out.ID)
	out2.Header.Set("Wiredesk-Story-Id", out.StoryID)
	if err := c.publish(ctx, msg, out2); err != nil {
		c.fail(ctx, log, msg, meta, article.ID, err)
		return
	}
	c.m.endToEnd.Observe(time.Since(meta.Timestamp).Seconds())
	c.ack(ctx, log, msg, outcome)
}

// publish stores out with the Nats-Msg-Id derived from the raw message and
// waits for the store's acknowledgement.
func (c *Consumer) publish(ctx context.Context, raw jetstream.Msg, out *nats.Msg) error {
	start := time.Now()
	id := pipeline.OutputMsgID(raw.Headers().Get(jetstream.MsgIDHeader), raw.Data())
	_, err := c.js.PublishMsg(ctx, out, jetstream.WithMsgID(id), jetstream.WithExpectStream(c.cfg.Streams.Out))
	c.m.stageDuration.WithLabelValues(stagePublish).Observe(time.Since(start).Seconds())
	if err != nil {
		c.m.publishErrors.Inc()
		c.m.stageErrors.WithLabelValues(stagePublish, "transient").Inc()
		return fmt.Errorf("publish %s: %w", out.Subject, err)
	}
	return nil
}

func (c *Consumer) ack(ctx context.Context, log *slog.Logger, msg jetstream.Msg, outcome string) {
	// The output is stored: if the ack is lost the message is redelivered
	// and its output deduplicated by Nats-Msg-Id, so a failure here only
	// costs a repeat.
	if err := msg.DoubleAck(ctx); err != nil {
		log.Warn("ack failed", tint.Err(err))
	}
	c.m.processed.WithLabelValues(outcome).Inc()
	log.Debug("article processed", "outcome", outcome)
}

// fail settles a failed message: permanent failures are dead-lettered,
// transient ones retried with a growing delay until MaxDeliver.
func (c *Consumer) fail(ctx context.Context, log *slog.Logger, msg jetstream.Msg, meta *jetstream.MsgMetadata, articleID string, err error) {
	if errors.Is(err, pipeline.ErrPermanent) {
		c.deadLetter(ctx, log, msg, meta, articleID, err)
		return
	}
	if meta.NumDelivered >= uint64(c.cfg.MaxDeliver) {
		c.deadLetter(ctx, log, msg, meta, articleID, pipeline.Permanent(pipeline.ReasonMaxDeliveries,
			fmt.Errorf("failed on delivery %d of %d: %w", meta.NumDelivered, c.cfg.MaxDeliver, err)))
		return
	}
	delay := c.backoff(meta.NumDelivered)
	log.Warn("article failed, will retry", "delay", delay, tint.Err(err))
	if nerr := msg.NakWithDelay(delay); nerr != nil {
		log.Warn("nak failed", tint.Err(nerr))
	}
}

func (c *Consumer) backoff(deliveries uint64) time.Duration {
	d := c.cfg.BackoffBase
	for i := uint64(1); i < deliveries && d < c.cfg.BackoffMax; i++ {
		d *= 2
	}
	return min(d, c.cfg.BackoffMax)
}

// deadLetter stores a dead letter for msg, then terminates it. If the dead
// letter cannot be stored, the message is retried instead: it is never
// terminated without a trace.
func (c *Consumer) deadLetter(ctx context.Context, log *slog.Logger, msg jetstream.Msg, meta *jetstream.MsgMetadata, articleID string, cause error) {
	reason := pipeline.ReasonOf(cause)
	dl := pipeline.DeadLetter{
		SchemaVersion:   pipeline.SchemaVersion,
		Reason:          reason,
		Error:           cause.Error(),
		ArticleID:       articleID,
		Subject:         msg.Subject(),
		MsgID:           msg.Headers().Get(jetstream.MsgIDHeader),
		Stream:          meta.Stream,
		StreamSeq:       meta.Sequence.Stream,
		Deliveries:      meta.NumDelivered,
		FailedAt:        time.Now().UTC(),
		PayloadBytes:    len(msg.Data()),
		PipelineVersion: pipeline.PipelineVersion,
	}
	sum := sha256.Sum256(msg.Data())
	dl.PayloadSHA256 = hex.EncodeToString(sum[:])
	data := encodeDeadLetter(&dl, msg.Data(), int(c.js.Conn().MaxPayload()))
	out := nats.NewMsg(pipeline.SubjectDLQ)
	out.Data = data
	out.Header.Set("Wiredesk-Reason", string(reason))
	if err := c.publish(ctx, msg, out); err != nil {
		log.Warn("dead letter not stored, will retry", tint.Err(err))
		if nerr := msg.NakWithDelay(c.backoff(meta.NumDelivered)); nerr != nil {
			log.Warn("nak failed", tint.Err(nerr))
		}
		return
	}
	log.Error("article dead-lettered", "reason", reason, tint.Err(cause))
	if err := msg.TermWithReason(string(reason)); err != nil {
		log.Warn("term failed", tint.Err(err))
	}
	c.m.deadLetters.WithLabelValues(string(reason)).Inc()
	c.m.processed.WithLabelValues(outcomeDeadLetter).Inc()
}

// encodeDeadLetter marshals dl with the original payload, cut so the whole
// dead letter fits in maxPayload bytes. The raw stream keeps the original.
func encodeDeadLetter(dl *pipeline.DeadLetter, payload []byte, maxPayload int) []byte {
	dl.Payload = payload
	data, _ := json.Marshal(dl) // a DeadLetter always marshals: plain fields only
	if len(data) <= maxPayload {
		return data
	}
	dl.PayloadTruncated = true
	// base64 grows 4/3; leave 4 KiB for the other fields and headers.
	keep := max(0, (maxPayload-4096)*3/4)
	dl.Payload = payload[:min(keep, len(payload))]
	data, _ = json.Marshal(dl)
	return data
}
