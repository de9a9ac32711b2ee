package pipeline

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

func TestSequencerPassesInTicketOrder(t *testing.T) {
	s := NewSequencer()
	var mu sync.Mutex
	var order []uint64
	stage := s.Ordered(func(ctx context.Context, e *Event) (*Event, error) {
		mu.Lock()
		order = append(order, e.StreamSeq)
		mu.Unlock()
		return e, nil
	})
	const n = 200
	var wg sync.WaitGroup
	for range n {
		tk := s.Ticket()
		skip := tk%7 == 0 // these finish before the ordered stage, as a failed clean would
		wg.Go(func() {
			time.Sleep(time.Duration(rand.IntN(500)) * time.Microsecond)
			if !skip {
				if _, err := stage(WithTicket(context.Background(), tk), &Event{StreamSeq: tk}); err != nil {
					t.Error(err)
				}
			}
			s.Done(tk)
		})
	}
	wg.Wait()
	if len(order) != n-n/7 {
		t.Fatalf("%d articles passed, want %d", len(order), n-n/7)
	}
	for i := 1; i < len(order); i++ {
		if order[i] < order[i-1] {
			t.Fatalf("ticket %d passed after %d", order[i], order[i-1])
		}
	}
}

func TestSequencerWaitEndsWithContext(t *testing.T) {
	s := NewSequencer()
	s.Ticket() // ticket 1 never finishes
	tk := s.Ticket()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := s.Ordered(func(ctx context.Context, e *Event) (*Event, error) { return e, nil })(WithTicket(ctx, tk), &Event{})
	if err == nil {
		t.Fatal("Ordered stage ran before the earlier ticket was done")
	}
}
