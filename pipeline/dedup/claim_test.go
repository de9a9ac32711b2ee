package dedup

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wiredesk/wiredesk/pipeline"
)

var errHeld = errors.New("held")

// claimTable is a tiny in-memory [Claimer] with the contract of the
// JetStream one (package bus tests that one against a server): all keys or
// none, first writer wins a key, the same id or a seen holder takes it
// over.
type claimTable struct {
	mu     sync.Mutex
	holder map[string]string
	calls  int
}

func (c *claimTable) Claim(_ context.Context, id string, _ uint64, keys []string, seen func(string) bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	for _, k := range keys {
		if h, ok := c.holder[k]; ok && h != id && !seen(h) {
			return errHeld
		}
	}
	for _, k := range keys {
		c.holder[k] = id
	}
	return nil
}

// decideAndClaim runs an event through Index.Stage, then Index.ClaimStage,
// as the worker does.
func decideAndClaim(x *Index) pipeline.Stage {
	return pipeline.Chain([]pipeline.Named{{Name: "dedup", Run: x.Stage()}, {Name: "claim", Run: x.ClaimStage()}})
}

// TestStageClaims plays two workers, each with its own index, sharing one
// claim table: the article claimed second loses the race, is forgotten,
// and once the winner's output is observed it is decided its duplicate.
func TestStageClaims(t *testing.T) {
	claims := &claimTable{holder: map[string]string{}}
	w1 := newTestIndex(t, Config{Claims: claims}, nil)
	w2 := newTestIndex(t, Config{Claims: claims}, nil)
	ctx := context.Background()
	// Observe drops what is outside the window measured from the clock.
	now := time.Now()
	event := func(id, text string) *pipeline.Event {
		e := pipeline.NewEvent(&pipeline.Article{ID: id, Text: text})
		e.IngestedAt = now
		return e
	}

	won, err := decideAndClaim(w1)(ctx, event("storm", storm))
	if err != nil || won.DuplicateOf != nil {
		t.Fatalf("worker 1 stage(storm) = duplicate_of %v, %v, want a first report", won.DuplicateOf, err)
	}
	if _, err := decideAndClaim(w2)(ctx, event("storm-copy", stormCopy)); !errors.Is(err, errHeld) {
		t.Fatalf("worker 2 stage(storm-copy) error = %v, want the claim conflict", err)
	}
	if w2.Holds("storm-copy") {
		t.Errorf("worker 2 holds storm-copy after losing the race, want it forgotten")
	}
	if _, err := decideAndClaim(w2)(ctx, event("storm-copy", stormCopy)); !errors.Is(err, errHeld) {
		t.Errorf("worker 2 stage(storm-copy), retried before the winner is known = %v, want the claim conflict again", err)
	}
	// A redelivery of the winner elsewhere claims its own keys again.
	if _, err := decideAndClaim(w2)(ctx, event("storm", storm)); err != nil {
		t.Errorf("worker 2 stage(storm), redelivered = %v, want its own claims won", err)
	}

	loser := newTestIndex(t, Config{Claims: claims}, nil)
	loser.Observe(won)
	dup, err := decideAndClaim(loser)(ctx, event("storm-copy", stormCopy))
	if err != nil {
		t.Fatalf("stage(storm-copy) after observing storm = %v, want no error", err)
	}
	if dup.DuplicateOf == nil || *dup.DuplicateOf != "storm" {
		t.Errorf("stage(storm-copy) after observing storm = duplicate_of %v, want storm", dup.DuplicateOf)
	}
	// Unrelated articles claim other keys.
	if _, err := decideAndClaim(w2)(ctx, event("chess", chess)); err != nil {
		t.Errorf("worker 2 stage(chess) = %v, want no conflict", err)
	}
	calls := claims.calls
	w1.Add("chess-2", "", chess, now)
	if claims.calls != calls {
		t.Errorf("Add called the claimer %d times, want none", claims.calls-calls)
	}
}

// TestStageClaimHeldBySeen checks that a key held by an article the index
// holds is no conflict (the decision took that article into account), while
// on an index that does not hold it, it is.
func TestStageClaimHeldBySeen(t *testing.T) {
	claims := &claimTable{holder: map[string]string{}}
	x := newTestIndex(t, Config{Claims: claims}, nil)
	x.Add("storm", "", storm, time.Now())
	keys := claimKeys(&extract("", chess, x.table).sig)
	for _, k := range keys {
		claims.holder[k] = "storm"
	}
	e := pipeline.NewEvent(&pipeline.Article{ID: "chess", Text: chess})
	if _, err := decideAndClaim(x)(context.Background(), e); err != nil {
		t.Errorf("stage(chess) with its keys held by storm, which the index holds = %v, want no conflict", err)
	}
	for _, k := range keys {
		if got := claims.holder[k]; got != "chess" {
			t.Errorf("key %s held by %q after the claim, want chess (taken over)", k, got)
		}
	}
	other := newTestIndex(t, Config{Claims: claims}, nil)
	e = pipeline.NewEvent(&pipeline.Article{ID: "chess-copy", Text: chess})
	if _, err := decideAndClaim(other)(context.Background(), e); !errors.Is(err, errHeld) {
		t.Errorf("stage(chess-copy) on an index that has not seen chess = %v, want the claim conflict", err)
	}
}

// TestClaimKeys checks that a copy shares claim keys with its original and
// an unrelated report shares none.
func TestClaimKeys(t *testing.T) {
	table := newTestIndex(t, Config{}, nil).table
	keys := func(text string) []string { return claimKeys(&extract("", text, table).sig) }
	orig, cp, other := keys(storm), keys(stormCopy), keys(chess)
	if !slices.IsSorted(orig) || len(orig) != claimSentences+3 {
		t.Errorf("claimKeys(storm) = %q, want %d keys in ascending order", orig, claimSentences+3)
	}
	shared := func(a, b []string) int {
		n := 0
		for _, k := range a {
			if slices.Contains(b, k) {
				n++
			}
		}
		return n
	}
	if n := shared(orig, cp); n == 0 {
		t.Errorf("storm %q and its copy %q share no claim key", orig, cp)
	}
	if n := shared(orig, other); n != 0 {
		t.Errorf("storm %q and chess %q share %d claim keys, want 0", orig, other, n)
	}
}

// TestStrongest checks that the strongest features read back from a
// signature are those the fingerprint ranked first.
func TestStrongest(t *testing.T) {
	table := newTestIndex(t, Config{}, nil).table
	for _, a := range seeds(t) {
		fp := extract(a.Title, a.Text, table)
		if diff := cmp.Diff(fp.block[:claimFeatures], fp.sig.strongest(claimFeatures)); diff != "" {
			t.Errorf("%s: strongest features (-fingerprint +signature):\n%s", a.ID, diff)
		}
	}
}

// TestClaimStageAwaitsMatch checks that an article decided against a first
// report whose claims are in flight waits for them, and is forgotten and
// retried when that report loses its race.
func TestClaimStageAwaitsMatch(t *testing.T) {
	claims := &claimTable{holder: map[string]string{}}
	x := newTestIndex(t, Config{Claims: claims}, nil)
	ctx := context.Background()
	for _, k := range claimKeys(&extract("", storm, x.table).sig) {
		claims.holder[k] = "elsewhere" // a near-duplicate decided on another worker
	}
	first, err := x.Stage()(ctx, pipeline.NewEvent(&pipeline.Article{ID: "storm", Text: storm}))
	if err != nil || first.DuplicateOf != nil {
		t.Fatalf("stage(storm) = duplicate_of %v, %v, want a first report", first.DuplicateOf, err)
	}
	copied, err := x.Stage()(ctx, pipeline.NewEvent(&pipeline.Article{ID: "storm-copy", Text: stormCopy}))
	if err != nil || copied.DuplicateOf == nil || *copied.DuplicateOf != "storm" {
		t.Fatalf("stage(storm-copy) = duplicate_of %v, %v, want storm", copied.DuplicateOf, err)
	}
	waited := make(chan error, 1)
	go func() {
		_, err := x.ClaimStage()(ctx, copied)
		waited <- err
	}()
	select {
	case err := <-waited:
		t.Fatalf("claim stage of the copy returned %v before its match's claims were settled", err)
	case <-time.After(50 * time.Millisecond):
	}
	if _, err := x.ClaimStage()(ctx, first); !errors.Is(err, errHeld) {
		t.Fatalf("claim stage of storm = %v, want the claim conflict", err)
	}
	if err := <-waited; !errors.Is(err, ErrMatchForgotten) {
		t.Errorf("claim stage of the copy = %v, want ErrMatchForgotten", err)
	}
	if x.Holds("storm") || x.Holds("storm-copy") {
		t.Errorf("Holds(storm), Holds(storm-copy) = %v, %v after the lost race, want both forgotten", x.Holds("storm"), x.Holds("storm-copy"))
	}
}
