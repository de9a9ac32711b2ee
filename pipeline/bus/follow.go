package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/lmittmann/tint"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/wiredesk/wiredesk/pipeline"
)

// Follow reads back the events stored on the enriched and duplicates
// subjects since the given time, then each new one as it is stored, and
// calls fn with each, in stream order, until ctx is done. caughtUp (if not
// nil) is called once, when the events stored before Follow started have
// all been passed to fn.
//
// The output stream is wiredesk's shared memory: an event is stored only
// after its article was decided, so a worker that starts, restarts or runs
// beside others rebuilds and keeps its dedup window from what every worker
// emitted, and an article counts as seen only once its output is stored.
// A malformed event is logged and skipped.
//
// known (if not nil) tells from an event's Wiredesk-Article-Id header
// whether fn has it already, such as a worker's own outputs coming back:
// such events are passed over without being decoded.
func Follow(ctx context.Context, js jetstream.JetStream, streams Streams, since time.Time, logger *slog.Logger, known func(articleID string) bool, fn func(*pipeline.Event), caughtUp func()) error {
	streams.setDefaults()
	log := logger.With("component", "follow")
	c, err := js.OrderedConsumer(ctx, streams.Out, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{pipeline.SubjectEnriched, pipeline.SubjectDuplicates},
		DeliverPolicy:  jetstream.DeliverByStartTimePolicy,
		OptStartTime:   &since,
	})
	if err != nil {
		return fmt.Errorf("follow %s: %w", streams.Out, err)
	}
	info, err := c.Info(ctx)
	if err != nil {
		return fmt.Errorf("follow %s: %w", streams.Out, err)
	}
	done := func() {
		if caughtUp != nil {
			caughtUp()
			caughtUp = nil
		}
	}
	if info.NumPending == 0 {
		done()
	}
	it, err := c.Messages()
	if err != nil {
		return fmt.Errorf("follow %s: %w", streams.Out, err)
	}
	go func() {
		<-ctx.Done()
		it.Stop()
	}()
	for {
		msg, err := it.Next()
		if errors.Is(err, jetstream.ErrMsgIteratorClosed) {
			return nil
		}
		if err != nil {
			log.Warn("follow failed", tint.Err(err))
			continue
		}
		if id := msg.Headers().Get(HeaderArticleID); id == "" || known == nil || !known(id) {
			var e pipeline.Event
			if err := json.Unmarshal(msg.Data(), &e); err != nil {
				log.Warn("malformed event skipped", tint.Err(err))
			} else {
				fn(&e)
			}
		}
		if meta, err := msg.Metadata(); err == nil && meta.NumPending == 0 {
			done()
		}
	}
}
