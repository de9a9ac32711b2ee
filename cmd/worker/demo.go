package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/wiredesk/wiredesk/pipeline"
	"github.com/wiredesk/wiredesk/pipeline/feed"
)

// demo runs the worker (on a fresh embedded server unless a NATS URL is
// set), publishes the sample articles through the publisher's code, waits
// for their outputs and prints one row per article.
func demo(ctx context.Context, cfg *config, stdout, stderr io.Writer) error {
	paths := cfg.Paths
	if len(paths) == 0 {
		paths = []string{"testdata/seeds"}
	}
	if cfg.Embedded {
		dir, err := os.MkdirTemp("", "wiredesk-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		cfg.DataDir = dir
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ready := make(chan *worker, 1)
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, stderr, func(w *worker) { ready <- w }) }()
	var w *worker
	select {
	case w = <-ready:
	case err := <-done:
		return err
	}

	if w.metricsAddr != "" {
		fmt.Fprintf(stdout, "metrics on http://%s/metrics while the demo runs\n\n", w.metricsAddr)
	}
	first, err := outputCount(ctx, w.js, cfg.Bus.Streams.Out)
	if err != nil {
		return err
	}
	pub, err := feed.NewPublisher(w.js, feed.PublisherConfig{MaxArticleBytes: cfg.Bus.MaxArticleBytes}, w.log, w.reg)
	if err != nil {
		return err
	}
	sum, perr := pub.Publish(ctx, paths, nil)
	if perr != nil && sum.Total() == 0 {
		return perr
	}
	rows, err := readOutputs(ctx, w.js, cfg.Bus.Streams.Out, first, sum.Published)
	if err != nil {
		return err
	}
	printTable(stdout, rows)
	fmt.Fprintf(stdout, "\npublished %d, already stored %d, rejected %d, failed %d\n", sum.Published, sum.AlreadyStored, sum.Rejected, sum.Failed)
	cancel()
	if err := <-done; err != nil {
		return err
	}
	return perr
}

func outputCount(ctx context.Context, js jetstream.JetStream, stream string) (uint64, error) {
	s, err := js.Stream(ctx, stream)
	if err != nil {
		return 0, fmt.Errorf("stream %s: %w", stream, err)
	}
	return s.CachedInfo().State.LastSeq, nil
}

// row is one output as the demo shows it.
type row struct {
	seq   uint64
	event *pipeline.Event
	dead  *pipeline.DeadLetter
}

// readOutputs reads n outputs stored after sequence after, ordered by the
// raw stream sequence of their input (publish order).
func readOutputs(ctx context.Context, js jetstream.JetStream, stream string, after uint64, n int) ([]row, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	c, err := js.OrderedConsumer(ctx, stream, jetstream.OrderedConsumerConfig{
		DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: after + 1,
	})
	if err != nil {
		return nil, fmt.Errorf("read outputs: %w", err)
	}
	var rows []row
	for len(rows) < n {
		msg, err := c.Next(jetstream.FetchContext(ctx))
		if err != nil {
			return nil, fmt.Errorf("read outputs (%d of %d): %w", len(rows), n, err)
		}
		var r row
		if msg.Subject() == pipeline.SubjectDLQ {
			r.dead = &pipeline.DeadLetter{}
			err = json.Unmarshal(msg.Data(), r.dead)
			r.seq = r.dead.StreamSeq
		} else {
			r.event = &pipeline.Event{}
			err = json.Unmarshal(msg.Data(), r.event)
			r.seq = r.event.StreamSeq
		}
		if err != nil {
			return nil, fmt.Errorf("decode output: %w", err)
		}
		rows = append(rows, r)
	}
	slices.SortFunc(rows, func(a, b row) int { return int(a.seq) - int(b.seq) })
	return rows, nil
}

func printTable(w io.Writer, rows []row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ARTICLE\tOUTCOME\tSTORY\tSIMILARITY\tLANG\tWORDS\tENTITIES")
	for _, r := range rows {
		if r.dead != nil {
			fmt.Fprintf(tw, "%s\tdead letter: %s\t\t\t\t\t%s\n", r.dead.ArticleID, r.dead.Reason, r.dead.Error)
			continue
		}
		e := r.event
		outcome := "enriched"
		if e.DuplicateOf != nil {
			outcome = "duplicate of " + *e.DuplicateOf
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.2f\t%s\t%d\t%s\n", e.ID, outcome, e.StoryID, e.Similarity, e.Language, e.WordCount, strings.Join(topEntities(e.Entities, 4), ", "))
	}
	tw.Flush()
}

// topEntities names the n most mentioned people, organisations and places.
func topEntities(ents []pipeline.Entity, n int) []string {
	ents = slices.Clone(ents)
	slices.SortStableFunc(ents, func(a, b pipeline.Entity) int { return b.Mentions - a.Mentions })
	var names []string
	for _, ent := range ents {
		if len(names) == n {
			break
		}
		if ent.Type != "misc" {
			names = append(names, ent.Name)
		}
	}
	return names
}
