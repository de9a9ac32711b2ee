package pipeline

import (
	"context"
	"sync"
)

type ticketKey struct{}

// WithTicket returns a context carrying a [Sequencer] ticket.
func WithTicket(ctx context.Context, ticket uint64) context.Context {
	return context.WithValue(ctx, ticketKey{}, ticket)
}

// Sequencer lets articles processed in parallel pass one stage in arrival
// order: the dedup decision of an article must see every article that
// arrived before it, or a copy processed a moment early would be taken for
// the first report. The caller takes a ticket per article in arrival order
// ([Sequencer.Ticket]), carries it in the context ([WithTicket]), and calls
// [Sequencer.Done] when the article is finished, whether or not it reached
// the ordered stage. The zero value is not usable; use [NewSequencer]. It
// is safe for concurrent use.
type Sequencer struct {
	mu      sync.Mutex
	issued  uint64
	next    uint64 // the ticket whose turn it is
	passed  map[uint64]bool
	waiting map[uint64]chan struct{}
}

// NewSequencer returns a sequencer whose first ticket is 1.
func NewSequencer() *Sequencer {
	return &Sequencer{next: 1, passed: map[uint64]bool{}, waiting: map[uint64]chan struct{}{}}
}

// Ticket issues the next ticket.
func (s *Sequencer) Ticket() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.issued++
	return s.issued
}

// Done marks a ticket as past the ordered stage, letting the next one in.
// Calling it more than once for a ticket is harmless.
func (s *Sequencer) Done(ticket uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ticket < s.next {
		return
	}
	s.passed[ticket] = true
	for s.passed[s.next] {
		delete(s.passed, s.next)
		s.next++
	}
	if ch, ok := s.waiting[s.next]; ok {
		close(ch)
		delete(s.waiting, s.next)
	}
}

// Ordered wraps a stage so that articles pass it one at a time in ticket
// order. An article without a ticket passes at once. Waiting ends with
// ctx's error (a transient failure) if ctx is done first.
func (s *Sequencer) Ordered(next Stage) Stage {
	return func(ctx context.Context, e *Event) (*Event, error) {
		t, ok := ctx.Value(ticketKey{}).(uint64)
		if !ok {
			return next(ctx, e)
		}
		if err := s.wait(ctx, t); err != nil {
			return nil, err
		}
		defer s.Done(t)
		return next(ctx, e)
	}
}

func (s *Sequencer) wait(ctx context.Context, t uint64) error {
	s.mu.Lock()
	if t <= s.next {
		s.mu.Unlock()
		return nil
	}
	ch, ok := s.waiting[t]
	if !ok {
		ch = make(chan struct{})
		s.waiting[t] = ch
	}
	s.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
