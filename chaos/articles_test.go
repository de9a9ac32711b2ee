package chaos

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/wiredesk/wiredesk/internal/testkit"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/wiredesk/wiredesk/pipeline"
	"github.com/wiredesk/wiredesk/pipeline/feed"
)

// ecbDev is real news text (shared/ sits beside the repository).
const ecbDev = "../../shared/eval/ecbplus/dev.jsonl"

const (
	rawStream  = "ARTICLES_RAW"
	outStream  = "ARTICLES_OUT"
	durable    = "wiredesk"
	sourceSite = 5 // distinct sources, hence raw subjects
)

// loadCorpus returns the paragraphs of every dev article; it fails the test
// if the shared data is missing.
func loadCorpus(t *testing.T) [][]string {
	t.Helper()
	f, err := os.Open(ecbDev)
	if err != nil {
		t.Fatalf("dev corpus missing (shared/ must sit beside the repo): %v", err)
	}
	defer f.Close()
	var corpus [][]string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 4<<20)
	for sc.Scan() {
		var a pipeline.Article
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatalf("%s: %v", ecbDev, err)
		}
		var lines []string
		for _, l := range strings.Split(a.Text, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				lines = append(lines, l)
			}
		}
		if len(lines) >= 3 {
			corpus = append(corpus, lines)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(corpus) < 100 {
		t.Fatalf("%s holds %d usable articles, want the whole dev corpus", ecbDev, len(corpus))
	}
	return corpus
}

// genArticles makes n articles with unique ids (prefix-000000 on) from windows of minLines to
// maxLines paragraphs of real articles, mutated the way copies differ
// (a dropped paragraph, swapped words, an unrelated teaser appended), so
// that the stream holds first reports and near-duplicates alike. It writes
// them to a .jsonl file and returns its path with the articles.
func genArticles(t *testing.T, r *rand.Rand, corpus [][]string, prefix string, n, minLines, maxLines int) (string, []pipeline.Article) {
	t.Helper()
	published := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	arts := make([]pipeline.Article, n)
	for i := range arts {
		base := corpus[r.IntN(len(corpus))]
		k := min(len(base), minLines+r.IntN(maxLines-minLines+1))
		start := r.IntN(len(base) - k + 1)
		lines := append([]string(nil), base[start:start+k]...)
		if len(lines) > 2 && r.IntN(4) == 0 {
			drop := 1 + r.IntN(len(lines)-1)
			lines = append(lines[:drop], lines[drop+1:]...)
		}
		if r.IntN(4) == 0 {
			j := r.IntN(len(lines))
			if words := strings.Fields(lines[j]); len(words) > 3 {
				w := r.IntN(len(words) - 1)
				words[w], words[w+1] = words[w+1], words[w]
				lines[j] = strings.Join(words, " ")
			}
		}
		if r.IntN(5) == 0 {
			other := corpus[r.IntN(len(corpus))]
			lines = append(lines, "Also read: "+other[0])
		}
		a := pipeline.Article{
			ID:     fmt.Sprintf("%s-%06d", prefix, i),
			Title:  lines[0],
			Text:   strings.Join(lines[1:], "\n\n"),
			Source: fmt.Sprintf("site%d", r.IntN(sourceSite)),
		}
		if r.IntN(2) == 0 {
			at := published.Add(time.Duration(r.IntN(30*24*3600)) * time.Second)
			a.PublishedAt = &at
		}
		arts[i] = a
	}
	return writeArticles(t, prefix, arts), arts
}

// connect returns a JetStream client for url (a comma-separated list is
// fine); the connection closes when the test ends.
func connect(t *testing.T, url string) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(url, nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond))
	if err != nil {
		t.Fatalf("connect to %s: %v", url, err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// publish publishes the n articles in path with the project's publisher
// (so each has its content id as Nats-Msg-Id); it returns an error unless
// all n are stored. An attempt stored while its acknowledgement was lost to
// a failing node comes back from the retry as already stored, which counts
// as stored once. It is safe to call from any goroutine.
func publish(ctx context.Context, js jetstream.JetStream, path string, n int) error {
	p, err := feed.NewPublisher(js, feed.PublisherConfig{MaxAttempts: 20, ProgressInterval: -1}, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		return err
	}
	sum, err := p.Publish(ctx, []string{path}, nil)
	if err != nil || sum.Published+sum.AlreadyStored != n {
		var first []string
		for _, pr := range sum.Problems[:min(3, len(sum.Problems))] {
			first = append(first, fmt.Sprintf("%s %s: %v", pr.Result, pr.ArticleID, pr.Err))
		}
		return fmt.Errorf("publish %s: %v, %v; want %d stored; first problems: %s", path, sum, err, n, strings.Join(first, "; "))
	}
	return nil
}

// publishAsync runs [publish] in a goroutine; the returned channel
// delivers its result.
func publishAsync(t *testing.T, js jetstream.JetStream, path string, n int) <-chan error {
	t.Helper()
	ctx := testkit.Context(t, 5*time.Minute)
	done := make(chan error, 1)
	go func() { done <- publish(ctx, js, path, n) }()
	return done
}

// streamMsgs returns how many messages a stream holds.
func streamMsgs(t *testing.T, js jetstream.JetStream, name string) (uint64, error) {
	t.Helper()
	ctx := testkit.Context(t, 5*time.Second)
	s, err := js.Stream(ctx, name)
	if err != nil {
		return 0, err
	}
	info, err := s.Info(ctx)
	if err != nil {
		return 0, err
	}
	return info.State.Msgs, nil
}

// waitSettled waits until the output stream holds n messages and the
// workers' consumer has nothing pending or unacknowledged.
func waitSettled(t *testing.T, js jetstream.JetStream, n int, d time.Duration) {
	t.Helper()
	testkit.WaitFor(t, d, fmt.Sprintf("%d outputs and a settled consumer", n), func() error {
		got, err := streamMsgs(t, js, outStream)
		if err != nil {
			return err
		}
		ctx := testkit.Context(t, 5*time.Second)
		c, err := js.Consumer(ctx, rawStream, durable)
		if err != nil {
			return err
		}
		info, err := c.Info(ctx)
		if err != nil {
			return err
		}
		if got < uint64(n) || info.NumPending > 0 || info.NumAckPending > 0 {
			return fmt.Errorf("%d outputs stored; consumer: %d pending, %d unacknowledged, %d redelivered",
				got, info.NumPending, info.NumAckPending, info.NumRedelivered)
		}
		return nil
	})
}

// tally counts the outputs by kind.
type tally struct {
	enriched, duplicates, deadLetters int
	reasons                           map[pipeline.Reason]int
}

// account reads the whole output stream and checks that each article has
// exactly one output, carrying the Nats-Msg-Id derived from the article's
// raw message, and that no output id or article id appears twice.
func account(t *testing.T, js jetstream.JetStream, arts []pipeline.Article) tally {
	t.Helper()
	wantIDs := make(map[string]string, len(arts)) // output msg id → article id
	for i := range arts {
		wantIDs[pipeline.OutputMsgID(pipeline.ContentID(&arts[i]), nil)] = arts[i].ID
	}
	total, err := streamMsgs(t, js, outStream)
	if err != nil {
		t.Fatal(err)
	}
	ctx := testkit.Context(t, 2*time.Minute)
	c, err := js.OrderedConsumer(ctx, outStream, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	it, err := c.Messages()
	if err != nil {
		t.Fatal(err)
	}
	defer it.Stop()

	tl := tally{reasons: map[pipeline.Reason]int{}}
	seenMsgIDs := make(map[string]bool, total)
	seenArticles := make(map[string]bool, total)
	var problems []string
	problem := func(format string, args ...any) {
		if len(problems) < 20 {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	for range total {
		m, err := it.Next()
		if err != nil {
			t.Fatalf("read output stream: %v", err)
		}
		// Events carry "id", dead letters "article_id" and "reason".
		var body struct {
			ID        string          `json:"id"`
			ArticleID string          `json:"article_id"`
			Reason    pipeline.Reason `json:"reason"`
		}
		if err := json.Unmarshal(m.Data(), &body); err != nil {
			t.Fatalf("output on %s: %v", m.Subject(), err)
		}
		articleID := body.ID
		switch m.Subject() {
		case pipeline.SubjectEnriched:
			tl.enriched++
		case pipeline.SubjectDuplicates:
			tl.duplicates++
		case pipeline.SubjectDLQ:
			tl.deadLetters++
			tl.reasons[body.Reason]++
			articleID = body.ArticleID
		default:
			t.Fatalf("output on unexpected subject %s", m.Subject())
		}
		msgID := m.Headers().Get(jetstream.MsgIDHeader)
		if seenMsgIDs[msgID] {
			problem("output id %q stored twice", msgID)
		}
		seenMsgIDs[msgID] = true
		if seenArticles[articleID] {
			problem("article %q has more than one output", articleID)
		}
		seenArticles[articleID] = true
		if want, ok := wantIDs[msgID]; !ok || want != articleID {
			problem("output id %q on %s is for article %q, want an output id of a published article (%q)", msgID, m.Subject(), articleID, want)
		}
	}
	missing := 0
	for i := range arts {
		if !seenArticles[arts[i].ID] {
			if missing < 5 {
				problem("article %s has no output", arts[i].ID)
			}
			missing++
		}
	}
	if len(problems) > 0 {
		t.Errorf("output stream problems (first %d):\n%s", len(problems), strings.Join(problems, "\n"))
	}
	if int(total) != len(arts) || missing > 0 {
		t.Errorf("%d outputs, %d articles without one; want exactly one for each of %d articles", total, missing, len(arts))
	}
	if sum := tl.enriched + tl.duplicates + tl.deadLetters; sum != len(arts) {
		t.Errorf("enriched %d + duplicates %d + dead letters %d = %d, want %d published", tl.enriched, tl.duplicates, tl.deadLetters, sum, len(arts))
	}
	t.Logf("%d published: %d enriched, %d duplicates, %d dead letters %v", len(arts), tl.enriched, tl.duplicates, tl.deadLetters, tl.reasons)
	return tl
}
