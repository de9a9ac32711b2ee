package bus

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"
)

// DefaultClaimTTL is how long a claim lasts by default. A claim must
// outlast the time from its article's decision to its output being read
// back by every worker (milliseconds normally), or a near-duplicate retried
// after it expired could become a second first report. It should also
// expire before such a retried article runs out of deliveries: with the
// default backoff (1s, doubling) and 5 deliveries, an article is retried
// over 15s, so one held back by an article whose output is never stored (a
// worker killed before publishing it; an article dead-lettered by a later
// stage) still gets through on its last deliveries.
const DefaultClaimTTL = 10 * time.Second

// ErrClaimed is returned, wrapped, by [Claims.Claim] when an article the
// caller has not seen holds one of the keys: the caller lost the race and
// should retry once the holder's output is known.
var ErrClaimed = errors.New("claimed by another article")

// claimAttempts bounds the attempts on one contested key, which keeps
// changing under the caller (claims expiring, released or taken over
// meanwhile); releaseWait is how long an attempt waits for a later
// article to release a key it holds.
const (
	claimAttempts = 4
	releaseWait   = 10 * time.Millisecond
)

// Claims is the shared bucket of first-report claims (see
// [Streams].Claims), which lets workers with in-memory dedup indexes agree
// on one first report when near-identical articles are decided by two of
// them at once. A claim is a key written with a compare-and-set on its last
// revision, so that exactly one writer wins it; its value is the raw stream
// sequence and id of the article. Claims expire after [Streams].ClaimTTL.
// It is safe for concurrent use.
type Claims struct {
	js        jetstream.JetStream
	kv        jetstream.KeyValue
	subject   string // the bucket's subject prefix, "$KV.<bucket>."
	conflicts prometheus.Counter
}

// NewClaims binds to the claim bucket, which must exist (see
// [EnsureStreams]), and registers the claim metrics with reg (nil means
// none). It returns the bucket lookup's error.
func NewClaims(ctx context.Context, js jetstream.JetStream, streams Streams, reg prometheus.Registerer) (*Claims, error) {
	streams.setDefaults()
	kv, err := js.KeyValue(ctx, streams.Claims)
	if err != nil {
		return nil, fmt.Errorf("bind claim bucket %s: %w", streams.Claims, err)
	}
	c := &Claims{js: js, kv: kv, subject: "$KV." + streams.Claims + ".", conflicts: prometheus.NewCounter(prometheus.CounterOpts{
		Name: "wiredesk_claim_conflicts_total",
		Help: "First reports retried because an article this worker had not seen yet held one of their claims.",
	})}
	if reg != nil {
		reg.MustRegister(c.conflicts)
	}
	return c, nil
}

// Claim claims every key for the article id, whose raw stream sequence is
// seq, or none: it returns nil once it holds them all. A key held by id
// itself (a redelivery) or by an article for which seen returns true is
// taken over, which also restarts its TTL. A key held by an article not
// seen means a near-duplicate was decided elsewhere at the same time: the
// earlier article in the raw stream wins (the later one gives its keys up
// at once, the earlier waits a moment for them), and otherwise the first
// writer. Claim then releases the keys it took and returns an error
// wrapping [ErrClaimed]; it returns the bucket's error, having released
// its keys, if a claim cannot be taken.
//
// All keys are first written at once, so the usual uncontested claim costs
// one round trip however many keys there are.
func (c *Claims) Claim(ctx context.Context, id string, seq uint64, keys []string, seen func(id string) bool) error {
	value := fmt.Appendf(nil, "%d %s", seq, id)
	futures := make([]jetstream.PubAckFuture, len(keys))
	for i, key := range keys {
		// Expecting no earlier value on the key's subject makes the
		// write a create (the bucket's Create would first look for a
		// delete marker, in a round trip of its own).
		msg := &nats.Msg{Subject: c.subject + key, Data: value, Header: nats.Header{jetstream.ExpectedLastSubjSeqHeader: {"0"}}}
		f, err := c.js.PublishMsgAsync(msg)
		if err != nil {
			return c.fail(ctx, keys[:i], futures[:i], nil, fmt.Errorf("claim key %s: %w", key, err))
		}
		futures[i] = f
	}
	taken := make(map[string]uint64, len(keys)) // key → revision written
	var contested []string
	for i, f := range futures {
		select {
		case ack := <-f.Ok():
			taken[keys[i]] = ack.Sequence
		case err := <-f.Err():
			if !wrongLastSequence(err) {
				return c.fail(ctx, keys[i+1:], futures[i+1:], taken, fmt.Errorf("claim key %s: %w", keys[i], err))
			}
			contested = append(contested, keys[i])
		case <-ctx.Done():
			return c.fail(ctx, keys[i:], futures[i:], taken, ctx.Err())
		}
	}
	// Contest the keys at once: each takes a round trip or two, inside the
	// caller's serialised decision. seen only reads the caller's index,
	// which the caller keeps from changing meanwhile.
	revs := make([]uint64, len(contested))
	g, gctx := errgroup.WithContext(ctx)
	for i, key := range contested {
		g.Go(func() error {
			var err error
			revs[i], err = c.contest(gctx, key, value, id, seq, seen)
			return err
		})
	}
	err := g.Wait()
	for i, key := range contested {
		if revs[i] != 0 {
			taken[key] = revs[i]
		}
	}
	if err != nil {
		return c.fail(ctx, nil, nil, taken, err)
	}
	return nil
}

// contest claims a key that was not free: it takes over a claim of id
// itself or of an article seen, takes the key if it was released or
// expired meanwhile, waits a moment for a later article to give it up, and
// returns an error wrapping [ErrClaimed] if another article keeps it.
func (c *Claims) contest(ctx context.Context, key string, value []byte, id string, seq uint64, seen func(string) bool) (uint64, error) {
	for attempt := 1; ; attempt++ {
		e, err := c.kv.Get(ctx, key)
		if errors.Is(err, jetstream.ErrKeyNotFound) { // released or expired
			rev, err := c.kv.Create(ctx, key, value)
			if err == nil || !errors.Is(err, jetstream.ErrKeyExists) || attempt == claimAttempts {
				return rev, wrapKey(key, err)
			}
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("read claim %s: %w", key, err)
		}
		heldSeq, holder := parseClaim(e.Value())
		if holder == id || seen(holder) {
			rev, err := c.kv.Update(ctx, key, value, e.Revision())
			if err == nil || !errors.Is(err, jetstream.ErrKeyRevisionMismatch) || attempt == claimAttempts {
				return rev, wrapKey(key, err)
			}
			continue
		}
		if heldSeq <= seq || attempt == claimAttempts {
			c.conflicts.Inc()
			return 0, fmt.Errorf("key %s held by article %s: %w", key, holder, ErrClaimed)
		}
		// A later article holds the key: if it also wants one of ours,
		// it is giving its keys up.
		select {
		case <-time.After(releaseWait):
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// fail releases the keys claimed so far, including those of the pending
// futures that succeed, and returns err. Releasing is best effort: a claim
// that is not released expires with its TTL.
func (c *Claims) fail(ctx context.Context, pendingKeys []string, pending []jetstream.PubAckFuture, taken map[string]uint64, err error) error {
	for i, f := range pending {
		select {
		case ack := <-f.Ok():
			_ = c.kv.Delete(ctx, pendingKeys[i], jetstream.LastRevision(ack.Sequence))
		case <-f.Err():
		case <-ctx.Done():
		}
	}
	for key, rev := range taken {
		_ = c.kv.Delete(ctx, key, jetstream.LastRevision(rev))
	}
	return err
}

// parseClaim splits a claim's value into the raw stream sequence and id of
// its article.
func parseClaim(v []byte) (uint64, string) {
	seq, id, _ := strings.Cut(string(v), " ")
	n, _ := strconv.ParseUint(seq, 10, 64)
	return n, id
}

// wrongLastSequence reports whether a publish failed its compare-and-set:
// the key had a value (code 10071; 10164 on replicated streams).
func wrongLastSequence(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && (apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
		apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant)
}

func wrapKey(key string, err error) error {
	if err != nil {
		return fmt.Errorf("claim key %s: %w", key, err)
	}
	return nil
}
