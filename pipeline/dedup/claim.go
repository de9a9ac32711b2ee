package dedup

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/wiredesk/wiredesk/pipeline"
)

// Claimer takes claims on behalf of first reports, so that workers with
// indexes of their own, deciding near-identical articles at the same
// instant, agree on one first report (see the package documentation,
// Concurrency). It is declared here and implemented on a shared key-value
// bucket elsewhere (package bus).
type Claimer interface {
	// Claim claims all the keys for the article id, whose raw
	// stream sequence is seq (0 when unknown), or none. A key held by id
	// itself (a redelivery) is won, and so is a key held by an article for
	// which seen returns true: the decision already took that article into
	// account. seen may be called, from several goroutines at once, only
	// until Claim returns. Claim returns an error if another article holds
	// a key (the article lost the race: retry it once the winner's output
	// is known) or a claim could not be taken; every error is transient.
	Claim(ctx context.Context, id string, seq uint64, keys []string, seen func(id string) bool) error
}

// claimSentences is how many of an article's smallest sentence hashes it
// claims. Copies share most sentences, so they draw the same smallest
// ones: the smallest shared sentence is among the four of both articles
// unless one of them has four sentences the other lacks (a headline,
// a teaser, a reworded paragraph) that all hash below it. With three, a
// copy under another headline with a teaser appended was missed about once
// in 200 (the chaos race test); each key costs a write per first report.
const claimSentences = 4

// claimFeatures is how many of an article's strongest features it claims
// in pairs.
const claimFeatures = 3

// claimKeys returns the keys a first report claims, sorted: its smallest
// sentence hashes, plus a key for each pair of its three strongest
// features, which a rewrite sharing no sentence still has. One feature
// alone is shared by many reports of a story, which would hold them back
// for nothing; two rarely are. Pairs rather than the top two alone, as
// workers weigh features with rarity tables of their own, which can swap
// the second and third: the top two alone missed 10% of the rewrites of
// the race test under two differently warmed tables, the pairs none. The
// keys are read from the signature, as recorded, so that every worker
// derives them alike.
func claimKeys(sig *Signature) []string {
	keys := make([]string, 0, claimSentences+claimFeatures)
	top := sig.strongest(claimFeatures)
	for i, a := range top {
		for _, b := range top[i+1:] {
			keys = append(keys, fmt.Sprintf("f%08x%08x", min(a, b), max(a, b)))
		}
	}
	for _, h := range sig.Sentences[:min(int(sig.NS), claimSentences)] {
		keys = append(keys, fmt.Sprintf("s%08x", h))
	}
	slices.Sort(keys)
	return keys
}

// strongest returns the keys of the signature's n heaviest features,
// heaviest first, ties broken by key.
func (s *Signature) strongest(n int) []uint32 {
	idx := make([]int, s.N)
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		if c := cmp.Compare(s.Weights[b], s.Weights[a]); c != 0 {
			return c
		}
		return cmp.Compare(s.Keys[a], s.Keys[b])
	})
	top := make([]uint32, 0, n)
	for _, i := range idx[:min(n, len(idx))] {
		top = append(top, s.Keys[i])
	}
	return top
}

// ClaimStage returns the stage that claims each first report [Index.Stage]
// recorded, in [Config].Claims (with none configured, it passes events
// through). Run it after Index.Stage and outside any ordering of
// decisions: claiming takes a round trip, and the index is not locked
// meanwhile.
//
// A duplicate claims nothing. A key held by the article itself, by an
// article the index recorded before it (which its decision took into
// account) or by one it decided after it (whose decision took this one
// into account) is won; a key held by any other article means a near-duplicate
// was decided elsewhere at the same moment: the article is forgotten (as
// if never recorded) and the stage fails transiently, so that it is
// retried and, once the winner's output has been observed
// ([Index.Observe]), decided its duplicate.
//
// An article decided against a first report whose claims are in flight
// (its duplicate, or a report of its story) waits for them, and if that
// report lost its race it is forgotten and fails transiently too, to be
// decided again: no decision rests on a report that was never emitted.
func (x *Index) ClaimStage() pipeline.Stage {
	return func(ctx context.Context, e *pipeline.Event) (*pipeline.Event, error) {
		if x.cfg.Claims == nil {
			return e, nil
		}
		defer x.settle(e.ID)
		if err := x.awaitMatch(ctx, e); err != nil {
			x.forget(e.ID)
			return nil, err
		}
		if e.DuplicateOf != nil {
			return e, nil
		}
		x.mu.Lock()
		r, ok := x.store.Get(e.ID)
		x.mu.Unlock()
		if !ok || r.Duplicate {
			return e, nil // left the window meanwhile, or decided elsewhere
		}
		keys := claimKeys(&r.Sig)
		if len(keys) == 0 {
			return e, nil
		}
		// The decision took into account what was recorded before it; an
		// article this index decided later took this one into account; an
		// article observed from elsewhere while the claims were in flight
		// did neither.
		seenBefore := func(id string) bool {
			x.mu.Lock()
			defer x.mu.Unlock()
			h, ok := x.store.Get(id)
			return ok && (h.Seq < r.Seq || !h.Observed)
		}
		if err := x.cfg.Claims.Claim(ctx, e.ID, e.StreamSeq, keys, seenBefore); err != nil {
			x.forget(e.ID)
			return nil, fmt.Errorf("claim first report %s: %w", e.ID, err)
		}
		return e, nil
	}
}

// ErrMatchForgotten is returned, wrapped, by [Index.ClaimStage] for an
// article decided against a first report that then lost its race.
var ErrMatchForgotten = errors.New("matched article lost its claim race")

// awaitMatch waits until the claims of the article e was matched with (a
// duplicate or same-story link), if in flight, are settled, and reports an
// error if that article is no longer held.
func (x *Index) awaitMatch(ctx context.Context, e *pipeline.Event) error {
	if e.Evidence == nil || e.Evidence.Decision == DecisionNewStory || e.Evidence.Matched == "" {
		return nil
	}
	matched := e.Evidence.Matched
	x.mu.Lock()
	done := x.pending[matched]
	x.mu.Unlock()
	if done != nil {
		select {
		case <-done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if !x.Holds(matched) {
		return fmt.Errorf("%s decided against %s: %w", e.ID, matched, ErrMatchForgotten)
	}
	return nil
}

// settle marks the claims of id as settled, letting the articles decided
// against it go on.
func (x *Index) settle(id string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if done, ok := x.pending[id]; ok {
		close(done)
		delete(x.pending, id)
	}
}

// forget drops an article from the window, as if it had never been
// recorded.
func (x *Index) forget(id string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if r, ok := x.store.Delete(id); ok {
		x.leaves(&r)
		x.metrics.articles.Set(float64(x.store.Len()))
	}
}
