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

// Defaults of a zero [Config] for the throughput settings, chosen with
// cmd/loadbench (see BENCHMARKS.md): a pull of 128 messages amortises the
// pull round trip, and 256 outputs awaiting acknowledgement keep the
// connection busy while bounding memory to a few megabytes of typical
// articles.
const (
	DefaultPrefetch          = 128
	DefaultMaxPublishPending = 256
)

// Config configures a [Consumer]. The zero value means defaults.
type Config struct {
	Streams Streams
	// Durable names the pull consumer shared by all workers; default "wiredesk".
	Durable string
	// Workers is how many messages this process handles at once; default 4.
	Workers int
	// Prefetch bounds the messages buffered ahead of the workers
	// (PullMaxMessages); default DefaultPrefetch. Memory per process is
	// bounded by Prefetch+Workers+MaxPublishPending messages whatever the
	// backlog.
	Prefetch int
	// MaxPublishPending bounds the outputs published and awaiting the
	// output stream's acknowledgement. Outputs are published without
	// waiting, and each raw message is acknowledged when the stream's
	// acknowledgement of its own output arrives; default
	// DefaultMaxPublishPending.
	MaxPublishPending int
	// PublishTimeout is how long an output may await the stream's
	// acknowledgement before its raw message is retried; default 5s.
	PublishTimeout time.Duration
	// MaxAckPending bounds unacknowledged messages across all workers;
	// default 1024. Each process holds up to
	// Prefetch+Workers+MaxPublishPending of them: a smaller limit throttles
	// delivery.
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
		c.Prefetch = DefaultPrefetch
	}
	if c.MaxPublishPending == 0 {
		c.MaxPublishPending = DefaultMaxPublishPending
	}
	if c.PublishTimeout == 0 {
		c.PublishTimeout = 5 * time.Second
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
	case c.MaxPublishPending < 1:
		return fmt.Errorf("max publish pending must be at least 1, got %d", c.MaxPublishPending)
	case c.PublishTimeout >= c.AckWait:
		return fmt.Errorf("publish timeout (%s) must be shorter than ack wait (%s)", c.PublishTimeout, c.AckWait)
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
	seq   *pipeline.Sequencer
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
	c := &Consumer{js: js, cfg: cfg, log: logger.With("component", "bus"), m: newMetrics(reg), cons: cons, seq: pipeline.NewSequencer()}
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

// Ordered wraps a stage so that the messages this consumer processes in
// parallel pass it in the order they were delivered (see
// [pipeline.Sequencer]). Use it for the dedup decision.
func (c *Consumer) Ordered(next pipeline.Stage) pipeline.Stage {
	return c.seq.Ordered(next)
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
		"workers", c.cfg.Workers, "prefetch", c.cfg.Prefetch, "max_publish_pending", c.cfg.MaxPublishPending)

	// In-flight messages keep a context of their own that outlives ctx by
	// the drain timeout, so a shutdown lets them finish and acknowledge.
	work, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()

	// Workers publish outputs without waiting; one settler takes the
	// publishes in order and acknowledges each raw message once the
	// stream has stored its output. The channel bounds the outputs in
	// flight.
	settle := make(chan *pending, c.cfg.MaxPublishPending)
	var settler sync.WaitGroup
	settler.Go(func() { c.settleAll(work, settle) })

	var workers, info sync.WaitGroup
	type ticketed struct {
		msg    jetstream.Msg
		ticket uint64
	}
	msgs := make(chan ticketed)
	for range c.cfg.Workers {
		workers.Go(func() {
			for m := range msgs {
				p := c.handle(pipeline.WithTicket(work, m.ticket), m.msg, stage)
				c.seq.Done(m.ticket)
				if p != nil {
					settle <- p
				}
			}
		})
	}
	info.Go(func() { c.pollInfo(ctx) })
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
		// Tickets follow delivery order, which the ordered stage keeps.
		msgs <- ticketed{msg: msg, ticket: c.seq.Ticket()}
	}
	close(stopped)
	close(msgs)
	c.bound.Store(false)

	done := make(chan struct{})
	go func() {
		workers.Wait()
		close(settle)
		settler.Wait()
		info.Wait()
		close(done)
	}()
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

// pending is an output published and awaiting the stream's
// acknowledgement, with what settling its raw message needs.
type pending struct {
	msg       jetstream.Msg
	meta      *jetstream.MsgMetadata
	articleID string
	subject   string
	outcome   string
	published time.Time
	ack       jetstream.PubAckFuture
}

// msgLog returns the logger of one message; it is built only for the rare
// lines a message logs.
func (c *Consumer) msgLog(msg jetstream.Msg, meta *jetstream.MsgMetadata, articleID string) *slog.Logger {
	log := c.log.With("subject", msg.Subject(), "stream_seq", meta.Sequence.Stream, "deliveries", meta.NumDelivered)
	if articleID != "" {
		log = log.With("article_id", articleID)
	}
	return log
}

// handle runs one message through the stage and publishes its output. It
// returns the publish awaiting its acknowledgement, or nil when the
// message is already settled: every path ends in an ack, a nak or a term.
func (c *Consumer) handle(ctx context.Context, msg jetstream.Msg, stage pipeline.Stage) *pending {
	c.m.inFlight.Inc()
	defer c.m.inFlight.Dec()
	c.m.received.Inc()
	meta, err := msg.Metadata()
	if err != nil {
		// Not a JetStream message: nothing to acknowledge.
		c.log.Error("message without metadata", tint.Err(err))
		return nil
	}
	if meta.NumDelivered > 1 {
		c.m.redeliveries.Inc()
	}
	if meta.NumDelivered > uint64(c.cfg.MaxDeliver) {
		c.deadLetter(ctx, c.msgLog(msg, meta, ""), msg, meta, "", pipeline.Permanent(pipeline.ReasonMaxDeliveries,
			fmt.Errorf("delivered %d times, limit %d", meta.NumDelivered, c.cfg.MaxDeliver)))
		return nil
	}

	start := time.Now()
	article, err := pipeline.Decode(msg.Data(), c.cfg.MaxArticleBytes)
	c.m.decodeDuration.Observe(time.Since(start).Seconds())
	if err != nil {
		c.m.stageErrors.WithLabelValues(stageDecode, errorKind(err)).Inc()
		c.fail(ctx, c.msgLog(msg, meta, ""), msg, meta, "", err)
		return nil
	}

	e := pipeline.NewEvent(article)
	e.IngestedAt = time.Now().UTC()
	e.StreamSeq = meta.Sequence.Stream
	sctx, cancel := context.WithTimeout(ctx, c.cfg.ProcessTimeout)
	out, err := stage(sctx, e)
	cancel()
	if err != nil {
		c.fail(ctx, c.msgLog(msg, meta, article.ID), msg, meta, article.ID, err)
		return nil
	}
	if out == nil {
		c.ack(ctx, msg, meta, article.ID, outcomeDropped)
		return nil
	}

	subject, outcome := pipeline.SubjectEnriched, outcomeEnriched
	if out.DuplicateOf != nil {
		subject, outcome = pipeline.SubjectDuplicates, outcomeDuplicate
	}
	data, err := json.Marshal(out)
	if err != nil {
		c.fail(ctx, c.msgLog(msg, meta, article.ID), msg, meta, article.ID, pipeline.Permanent(pipeline.ReasonUnprocessable, fmt.Errorf("encode event: %w", err)))
		return nil
	}
	p := &pending{msg: msg, meta: meta, articleID: article.ID, subject: subject, outcome: outcome, published: time.Now()}
	p.ack, err = c.js.PublishMsgAsync(c.output(msg, subject, data, nats.Header{
		HeaderArticleID:     {out.ID},
		"Wiredesk-Story-Id": {out.StoryID},
	}))
	if err != nil {
		c.publishFailed(ctx, p, err)
		return nil
	}
	return p
}

// HeaderArticleID is the header of an output message that holds its
// article's id.
const HeaderArticleID = "Wiredesk-Article-Id"

// output builds the output message of raw. The Nats-Msg-Id derived from
// the raw message and the expected stream are set as headers directly,
// as the publish options would, without their per-call cost.
func (c *Consumer) output(raw jetstream.Msg, subject string, data []byte, h nats.Header) *nats.Msg {
	h[jetstream.MsgIDHeader] = []string{pipeline.OutputMsgID(raw.Headers().Get(jetstream.MsgIDHeader), raw.Data())}
	h[jetstream.ExpectedStreamHeader] = []string{c.cfg.Streams.Out}
	return &nats.Msg{Subject: subject, Data: data, Header: h}
}

// settleAll settles the publishes in the order they were made, until
// settle is closed.
func (c *Consumer) settleAll(ctx context.Context, settle <-chan *pending) {
	timeout := time.NewTimer(c.cfg.PublishTimeout)
	defer timeout.Stop()
	for p := range settle {
		err := c.await(ctx, p, timeout)
		c.m.publishDuration.Observe(time.Since(p.published).Seconds())
		if err != nil {
			c.publishFailed(ctx, p, err)
			continue
		}
		c.m.endToEnd.Observe(time.Since(p.meta.Timestamp).Seconds())
		c.ack(ctx, p.msg, p.meta, p.articleID, p.outcome)
	}
}

// await waits for the stream's acknowledgement of p's output. It returns
// an error if the publish failed, was not acknowledged within
// PublishTimeout, or ctx ended first. An acknowledgement that has arrived
// wins over a timeout that expired while the settler was busy.
func (c *Consumer) await(ctx context.Context, p *pending, timeout *time.Timer) error {
	select {
	case <-p.ack.Ok():
		return nil
	case err := <-p.ack.Err():
		return err
	default:
	}
	timeout.Reset(time.Until(p.published.Add(c.cfg.PublishTimeout)))
	select {
	case <-p.ack.Ok():
		return nil
	case err := <-p.ack.Err():
		return err
	case <-timeout.C:
		return fmt.Errorf("no acknowledgement within %s", c.cfg.PublishTimeout)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// publishFailed retries the raw message of an output that was not stored.
func (c *Consumer) publishFailed(ctx context.Context, p *pending, err error) {
	c.m.publishErrors.Inc()
	c.m.stageErrors.WithLabelValues(stagePublish, "transient").Inc()
	c.fail(ctx, c.msgLog(p.msg, p.meta, p.articleID), p.msg, p.meta, p.articleID, fmt.Errorf("publish %s: %w", p.subject, err))
}

// publish stores out, the output of raw, and waits for the store's
// acknowledgement: dead letters, which are rare and must be stored before
// their message is terminated, take this path.
func (c *Consumer) publish(ctx context.Context, raw jetstream.Msg, out *nats.Msg) error {
	start := time.Now()
	_, err := c.js.PublishMsg(ctx, c.output(raw, out.Subject, out.Data, out.Header))
	c.m.publishDuration.Observe(time.Since(start).Seconds())
	if err != nil {
		c.m.publishErrors.Inc()
		c.m.stageErrors.WithLabelValues(stagePublish, "transient").Inc()
		return fmt.Errorf("publish %s: %w", out.Subject, err)
	}
	return nil
}

// ack acknowledges a message whose output is stored (or that has none).
// A plain ack suffices: if it is lost the message is redelivered and its
// output deduplicated by Nats-Msg-Id, so a lost ack only costs a repeat,
// while waiting for the server's confirmation (DoubleAck) would cost a
// round trip per message.
func (c *Consumer) ack(ctx context.Context, msg jetstream.Msg, meta *jetstream.MsgMetadata, articleID, outcome string) {
	if err := msg.Ack(); err != nil {
		c.msgLog(msg, meta, articleID).Warn("ack failed", tint.Err(err))
	}
	c.m.processed.WithLabelValues(outcome).Inc()
	if c.log.Enabled(ctx, slog.LevelDebug) {
		c.msgLog(msg, meta, articleID).Debug("article processed", "outcome", outcome)
	}
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
