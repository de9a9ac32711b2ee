package dedup

import (
	"context"
	"fmt"
	"slices"
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
// the race test under two differently warmed tables, the pairs none.
func claimKeys(fp *fingerprint) []string {
	keys := make([]string, 0, claimSentences+claimFeatures)
	top := fp.block[:min(len(fp.block), claimFeatures)]
	for i, a := range top {
		for _, b := range top[i+1:] {
			keys = append(keys, fmt.Sprintf("f%08x%08x", min(a, b), max(a, b)))
		}
	}
	for _, h := range fp.sig.Sentences[:min(int(fp.sig.NS), claimSentences)] {
		keys = append(keys, fmt.Sprintf("s%08x", h))
	}
	slices.Sort(keys)
	return keys
}

// claim takes the claims of a first report with claims; a duplicate
// claims nothing. The caller holds x.mu, so what the index holds cannot
// change between the decision and its claims.
func (x *Index) claim(ctx context.Context, claims Claimer, id string, seq uint64, d Decision, fp *fingerprint) error {
	if d.DuplicateOf != "" {
		return nil
	}
	keys := claimKeys(fp)
	if len(keys) == 0 {
		return nil
	}
	held := func(id string) bool {
		_, ok := x.store.Get(id)
		return ok
	}
	if err := claims.Claim(ctx, id, seq, keys, held); err != nil {
		return fmt.Errorf("claim first report %s: %w", id, err)
	}
	return nil
}
