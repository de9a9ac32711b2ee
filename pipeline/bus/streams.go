package bus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/wiredesk/wiredesk/pipeline"
)

// Streams names and sizes the two streams and the claim bucket. The zero
// value means defaults.
type Streams struct {
	// Raw captures raw articles (pipeline.SubjectRawWildcard); default
	// "ARTICLES_RAW".
	Raw string
	// Out captures the enriched, duplicates and dead-letter subjects;
	// default "ARTICLES_OUT".
	Out string
	// Replicas is the replication factor of both streams; default 1. Use 3
	// on a 3-node cluster.
	Replicas int
	// RawMaxAge keeps raw articles this long for replay; default 7 days.
	RawMaxAge time.Duration
	// OutMaxAge keeps outputs this long for consumers to replay; default 7 days.
	OutMaxAge time.Duration
	// RawMaxBytes and OutMaxBytes cap the streams' size; default 1 GiB
	// each (JetStream reserves the caps on every replica's store, so the
	// default starts on small nodes; raise them for production). The
	// oldest messages go first when a cap is reached.
	RawMaxBytes, OutMaxBytes int64
	// DuplicateWindow is how long the streams remember Nats-Msg-Ids, so a
	// publisher re-run or a redelivered output within it stores nothing
	// new; default 1 hour.
	DuplicateWindow time.Duration
	// Claims is the key-value bucket of first-report claims (see
	// [Claims]); default "WIREDESK_CLAIMS". It has Replicas replicas.
	Claims string
	// ClaimTTL is how long a claim lasts after its last write; at least
	// 1s, default [DefaultClaimTTL], which says how to choose it.
	ClaimTTL time.Duration
}

func (s *Streams) setDefaults() {
	if s.Raw == "" {
		s.Raw = "ARTICLES_RAW"
	}
	if s.Out == "" {
		s.Out = "ARTICLES_OUT"
	}
	if s.Replicas == 0 {
		s.Replicas = 1
	}
	if s.RawMaxAge == 0 {
		s.RawMaxAge = 7 * 24 * time.Hour
	}
	if s.OutMaxAge == 0 {
		s.OutMaxAge = 7 * 24 * time.Hour
	}
	if s.RawMaxBytes == 0 {
		s.RawMaxBytes = 1 << 30
	}
	if s.OutMaxBytes == 0 {
		s.OutMaxBytes = 1 << 30
	}
	if s.DuplicateWindow == 0 {
		s.DuplicateWindow = time.Hour
	}
	if s.Claims == "" {
		s.Claims = "WIREDESK_CLAIMS"
	}
	if s.ClaimTTL == 0 {
		s.ClaimTTL = DefaultClaimTTL
	}
}

// Validate reports a configuration that cannot work.
func (s Streams) Validate() error {
	s.setDefaults()
	switch {
	case s.Raw == s.Out:
		return fmt.Errorf("raw and output streams must differ, both are %q", s.Raw)
	case s.Replicas < 1 || s.Replicas > 5:
		return fmt.Errorf("replicas must be 1 to 5, got %d", s.Replicas)
	case s.DuplicateWindow > s.RawMaxAge || s.DuplicateWindow > s.OutMaxAge:
		return errors.New("duplicate window must not exceed the streams' max age")
	case s.ClaimTTL < time.Second:
		return fmt.Errorf("claim ttl must be at least 1s, got %s", s.ClaimTTL)
	}
	return nil
}

// Config returns the JetStream configurations of the raw and output streams.
func (s Streams) Config() (raw, out jetstream.StreamConfig) {
	s.setDefaults()
	raw = jetstream.StreamConfig{
		Name:        s.Raw,
		Description: "wiredesk raw articles, kept for replay",
		Subjects:    []string{pipeline.SubjectRawWildcard},
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardOld,
		MaxAge:      s.RawMaxAge,
		MaxBytes:    s.RawMaxBytes,
		Storage:     jetstream.FileStorage,
		Replicas:    s.Replicas,
		Duplicates:  s.DuplicateWindow,
	}
	out = jetstream.StreamConfig{
		Name:        s.Out,
		Description: "wiredesk outputs: enriched articles, duplicates and dead letters",
		Subjects:    []string{pipeline.SubjectEnriched, pipeline.SubjectDuplicates, pipeline.SubjectDLQ},
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardOld,
		MaxAge:      s.OutMaxAge,
		MaxBytes:    s.OutMaxBytes,
		Storage:     jetstream.FileStorage,
		Replicas:    s.Replicas,
		Duplicates:  s.DuplicateWindow,
	}
	return raw, out
}

// ClaimsConfig returns the configuration of the claim bucket: replicated
// like the streams, one value per key, keys expiring ClaimTTL after their
// last write, and memory storage: a claim lives for seconds, every write
// costs the server less than on file, and replicas keep claims through the
// loss of a node (a whole cluster restarting forgets the claims of the last
// ClaimTTL, which reopens the race for the articles then in flight).
func (s Streams) ClaimsConfig() jetstream.KeyValueConfig {
	s.setDefaults()
	return jetstream.KeyValueConfig{
		Bucket:      s.Claims,
		Description: "wiredesk first-report claims, expiring",
		History:     1,
		TTL:         s.ClaimTTL,
		Storage:     jetstream.MemoryStorage,
		Replicas:    s.Replicas,
	}
}

// EnsureStreams creates both streams and the claim bucket, or updates them
// to the configuration when they exist; it is idempotent and safe to call
// from every worker at start-up, including several workers starting at once
// on a fresh cluster (an update racing an in-flight create can go
// unanswered, so it creates first, updates only what exists, and retries
// an attempt that times out).
func EnsureStreams(ctx context.Context, js jetstream.JetStream, s Streams) error {
	if err := s.Validate(); err != nil {
		return err
	}
	raw, out := s.Config()
	for _, cfg := range []jetstream.StreamConfig{raw, out} {
		err := retryTimeouts(ctx, func(ctx context.Context) error {
			_, err := js.CreateStream(ctx, cfg)
			if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
				_, err = js.UpdateStream(ctx, cfg)
			}
			return err
		})
		if err != nil {
			return fmt.Errorf("create or update stream %s: %w", cfg.Name, err)
		}
	}
	claims := s.ClaimsConfig()
	err := retryTimeouts(ctx, func(ctx context.Context) error {
		_, err := js.CreateKeyValue(ctx, claims)
		if errors.Is(err, jetstream.ErrBucketExists) {
			_, err = js.UpdateKeyValue(ctx, claims)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("create or update bucket %s: %w", claims.Bucket, err)
	}
	return nil
}

// attemptTimeout bounds one create or update request.
const attemptTimeout = 5 * time.Second

// retryTimeouts calls attempt, with a context bounded by attemptTimeout,
// until it returns anything but that timeout, or ctx is done.
func retryTimeouts(ctx context.Context, attempt func(context.Context) error) error {
	for {
		actx, cancel := context.WithTimeout(ctx, attemptTimeout)
		err := attempt(actx)
		cancel()
		if err == nil || ctx.Err() != nil || !errors.Is(err, context.DeadlineExceeded) {
			return err
		}
	}
}
