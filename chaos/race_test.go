package chaos

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/wiredesk/wiredesk/internal/testkit"
	"github.com/wiredesk/wiredesk/pipeline"
	"github.com/wiredesk/wiredesk/pipeline/clean"
	"github.com/wiredesk/wiredesk/pipeline/dedup"
	"github.com/wiredesk/wiredesk/pipeline/natsconn/natstest"
)

// pair is two near-identical articles published together.
type pair struct {
	a, b pipeline.Article
	kind string // "copy" or "rewrite"
}

// control decides articles the way one worker alone does (clean, then
// dedup, one at a time), to choose the pairs of the race test.
type control struct {
	stage pipeline.Stage
	n     int
}

func newControl(t *testing.T) *control {
	t.Helper()
	x, err := dedup.NewIndex(dedup.Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	stages := []pipeline.Named{{Name: "clean", Run: clean.New(clean.Config{}).Stage()}, {Name: "dedup", Run: x.Stage()}}
	return &control{stage: pipeline.Chain(stages)}
}

// decide decides a copy of a (under a fresh id: the control also records
// articles it rejects) and returns the decision.
func (c *control) decide(t *testing.T, a pipeline.Article) *pipeline.Event {
	t.Helper()
	c.n++
	a.ID = fmt.Sprintf("control-%d", c.n)
	e, err := c.stage(context.Background(), pipeline.NewEvent(&a))
	if err != nil || e == nil {
		t.Fatalf("control decision of %q: %v, %v", a.Title, e, err)
	}
	return e
}

// unrelated reports whether a decision found nothing close: not a
// duplicate, and short of both duplicate rules (no sampled sentence shared,
// cosine under 0.45, where a copy needs 0.45 and a rewrite 0.7).
func unrelated(e *pipeline.Event) bool {
	return e.DuplicateOf == nil && (e.Evidence == nil ||
		e.Evidence.Signals["sentence_share"] == 0 && e.Evidence.Signals["cosine"] < 0.45)
}

// genPairs makes n pairs from distinct corpus articles of at least six
// lines. The first member is the article's first paragraphs; the second is
// either a copy under a headline with a wire prefix and a site suffix, with
// site furniture around it, or a light rewrite with two adjacent words
// swapped in every sentence, which changes most sentence hashes and no
// feature. Pairs are kept only if one worker alone, deciding the members in
// either order, finds one first report and one duplicate, and if neither
// member is close to an earlier pair: then any other outcome of the race
// test comes from the race. It returns the pairs with the number of corpus
// articles passed over.
func genPairs(t *testing.T, r *rand.Rand, corpus [][]string, n int) ([]pair, int) {
	t.Helper()
	ab, ba := newControl(t), newControl(t) // members decided in either order
	var pairs []pair
	skipped := 0
	for _, k := range r.Perm(len(corpus)) {
		if len(pairs) == n {
			break
		}
		if len(corpus[k]) < 6 {
			continue
		}
		lines := corpus[k][:min(len(corpus[k]), 7)]
		i := len(pairs)
		p := pair{a: pipeline.Article{ID: fmt.Sprintf("race-%03d-a", i), Title: lines[0], Text: strings.Join(lines[1:], "\n\n"), Source: "site0"}}
		p.b = p.a
		p.b.ID = fmt.Sprintf("race-%03d-b", i)
		p.b.Source = "site1"
		if r.IntN(2) == 0 {
			p.kind = "copy"
			other := corpus[r.IntN(len(corpus))]
			p.b.Title = "UPDATE 1-" + p.a.Title + " | World News"
			p.b.Text = "Home | News | World\n\n" + p.a.Text + "\n\nShare this article\n\nSign up to our newsletter\n\nRead more: " + other[0]
		} else {
			p.kind = "rewrite"
			p.b.Text = rewrite(r, p.a.Text)
		}
		if !unrelated(ab.decide(t, p.a)) || !unrelated(ba.decide(t, p.b)) {
			skipped++
			continue
		}
		if ab.decide(t, p.b).DuplicateOf == nil || ba.decide(t, p.a).DuplicateOf == nil {
			skipped++
			continue
		}
		pairs = append(pairs, p)
	}
	if len(pairs) < n {
		t.Fatalf("only %d usable pairs in the corpus, want %d", len(pairs), n)
	}
	return pairs, skipped
}

// rewrite swaps two adjacent lower-case words in every sentence of text
// (split at ". "), which changes those sentences' hashes and no feature.
func rewrite(r *rand.Rand, text string) string {
	paras := strings.Split(text, "\n\n")
	for i, para := range paras {
		sentences := strings.SplitAfter(para, ". ")
		for j, s := range sentences {
			words := strings.Split(s, " ")
			var at []int
			for w := 0; w+1 < len(words); w++ {
				if lower(words[w]) && lower(words[w+1]) {
					at = append(at, w)
				}
			}
			if len(at) == 0 {
				continue
			}
			w := at[r.IntN(len(at))]
			words[w], words[w+1] = words[w+1], words[w]
			sentences[j] = strings.Join(words, " ")
		}
		paras[i] = strings.Join(sentences, "")
	}
	return strings.Join(paras, "\n\n")
}

// lower reports whether w is a plain lower-case word (no capital, digit
// or punctuation), so that swapping it changes no name or number.
func lower(w string) bool {
	if w == "" {
		return false
	}
	for _, c := range w {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// TestChaosRacingPairs runs two worker processes on one durable consumer
// and publishes many pairs of near-identical articles, the members of each
// pair back to back, so that the two workers decide them at the same
// instant: each pair must get exactly one first report (enriched) and one
// duplicate of it, and every article exactly one output.
func TestChaosRacingPairs(t *testing.T) {
	const n = 200
	r := newRand(t)
	pairs, skipped := genPairs(t, r, loadCorpus(t), n)
	t.Logf("%d pairs (%d corpus articles passed over as close to earlier pairs, or not near-identical enough)", len(pairs), skipped)
	var arts []pipeline.Article
	kinds := map[string]int{}
	for _, p := range pairs {
		arts = append(arts, p.a, p.b)
		kinds[p.kind]++
	}
	path := writeArticles(t, "race", arts)

	url := natstest.StartServer(t)
	js := connect(t, url)
	// One message pulled at a time: the members of a pair then mostly go
	// to different workers, which decide them together.
	args := workerArgs(url, "-metrics-addr", "127.0.0.1:0", "-max-deliver", "20", "-prefetch", "1")
	workers := []*proc{startProc(t, "worker-1", args, workerEnv()), startProc(t, "worker-2", args, workerEnv())}
	addrs := make([]string, len(workers))
	for i, w := range workers {
		addrs[i] = w.waitLog(t, time.Minute, "http server listening").Addr
		w.waitLog(t, 2*time.Minute, "consuming")
	}

	start := time.Now()
	if err := publish(testkit.Context(t, time.Minute), js, path, len(arts)); err != nil {
		t.Fatal(err)
	}
	waitSettled(t, js, len(arts), 2*time.Minute)
	t.Logf("settled after %s", time.Since(start).Round(time.Millisecond))
	conflicts := 0.0
	for i, w := range workers {
		m, err := metrics(addrs[i], "wiredesk_claim_conflicts_total")
		if err != nil {
			t.Fatal(err)
		}
		conflicts += m["wiredesk_claim_conflicts_total"]
		w.stop(t, time.Minute)
	}
	account(t, js, arts)

	outs := readEvents(t, js, len(arts))
	bad := 0
	for _, p := range pairs {
		ea, eb := outs[p.a.ID], outs[p.b.ID]
		if ea == nil || eb == nil {
			t.Fatalf("pair %s/%s: no event for a member (see the accounting above)", p.a.ID, p.b.ID)
		}
		first, dup := ea, eb
		if ea.DuplicateOf != nil {
			first, dup = eb, ea
		}
		if first.DuplicateOf == nil && dup.DuplicateOf != nil && *dup.DuplicateOf == first.ID {
			continue
		}
		if bad++; bad <= 10 {
			t.Errorf("%s pair %s/%s: duplicate_of %s and %s, want one first report and one duplicate of it",
				p.kind, p.a.ID, p.b.ID, show(ea.DuplicateOf), show(eb.DuplicateOf))
		}
	}
	t.Logf("%d pairs (%v), %d not one first report and one duplicate; %v claim conflicts (races lost and retried)", len(pairs), kinds, bad, conflicts)
	if conflicts == 0 {
		t.Errorf("no claim conflicts: the workers never decided two members of a pair at once, so the test proves nothing")
	}
}

func show(s *string) string {
	if s == nil {
		return "none"
	}
	return *s
}

// writeArticles writes arts to a .jsonl file for [publish], in order.
func writeArticles(t *testing.T, name string, arts []pipeline.Article) string {
	t.Helper()
	var b strings.Builder
	enc := json.NewEncoder(&b)
	for i := range arts {
		if err := enc.Encode(&arts[i]); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), name+".jsonl")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// readEvents reads the n events of the enriched and duplicates subjects,
// by article id.
func readEvents(t *testing.T, js jetstream.JetStream, n int) map[string]*pipeline.Event {
	t.Helper()
	ctx := testkit.Context(t, time.Minute)
	c, err := js.OrderedConsumer(ctx, outStream, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{pipeline.SubjectEnriched, pipeline.SubjectDuplicates},
	})
	if err != nil {
		t.Fatal(err)
	}
	events := map[string]*pipeline.Event{}
	for range n {
		m, err := c.Next(jetstream.FetchMaxWait(10 * time.Second))
		if err != nil {
			t.Fatalf("read event %d of %d: %v", len(events)+1, n, err)
		}
		var e pipeline.Event
		if err := json.Unmarshal(m.Data(), &e); err != nil {
			t.Fatal(err)
		}
		events[e.ID] = &e
	}
	return events
}
