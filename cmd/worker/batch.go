package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/wiredesk/wiredesk/pipeline"
	"github.com/wiredesk/wiredesk/pipeline/feed"
)

// batch runs the worker's stages over files, without a server: one JSON
// event per input on stdout, in input order. An input that cannot be
// processed yields a dead letter line (with "reason") in its place; batch
// then exits non-zero after processing everything else.
func batch(ctx context.Context, cfg *config, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(cfg.Paths) == 0 {
		return errors.New("batch needs at least one PATH (a .jsonl or .txt file, a folder, or - for stdin)")
	}
	log := cfg.Log.New(stderr)
	stages, _, err := newStages(cfg, log, nil, nil, nil)
	if err != nil {
		return err
	}
	if cfg.BatchClock == clockPublished {
		stages = publishedClock(stages)
	}
	stage := pipeline.Chain(stages, pipeline.Recover)

	out := bufio.NewWriterSize(stdout, 1<<16)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	counts := map[string]int{}
	start := time.Now()
	reader := feed.Reader{MaxArticleBytes: cfg.Bus.MaxArticleBytes}
	err = reader.Read(ctx, cfg.Paths, stdin, func(it feed.Item) error {
		if it.Err != nil {
			counts["dead_letter"]++
			return enc.Encode(batchDeadLetter(it, "", it.Err))
		}
		e := pipeline.NewEvent(it.Article)
		e.IngestedAt = time.Now().UTC()
		ev, err := stage(ctx, e)
		switch {
		case err != nil:
			counts["dead_letter"]++
			return enc.Encode(batchDeadLetter(it, it.Article.ID, err))
		case ev == nil:
			counts["dropped"]++
			return nil
		case ev.DuplicateOf != nil:
			counts["duplicate"]++
		default:
			counts["enriched"]++
		}
		return enc.Encode(ev)
	})
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return fmt.Errorf("batch: %w", err)
	}
	log.Info("batch done", "enriched", counts["enriched"], "duplicates", counts["duplicate"],
		"dead_letters", counts["dead_letter"], "dropped", counts["dropped"], "duration", time.Since(start).Round(time.Millisecond))
	if n := counts["dead_letter"]; n > 0 {
		return fmt.Errorf("%d inputs could not be processed (dead letters in the output)", n)
	}
	return nil
}

// The values of -batch-clock.
const (
	clockNow       = "now"
	clockPublished = "published"
)

// publishedClock returns the stages with one inserted after cleaning (which
// may find the publication date in the text) that sets each event's ingest
// time to its publication time, or to the last one seen for an undated
// article (the Unix epoch before any), so that the dedup window spans
// publication times.
func publishedClock(stages []pipeline.Named) []pipeline.Named {
	last := time.Unix(0, 0).UTC() // batch runs one article at a time
	clock := pipeline.Named{Name: "clock", Run: func(_ context.Context, e *pipeline.Event) (*pipeline.Event, error) {
		if e.PublishedAt != nil {
			last = *e.PublishedAt
		}
		e.IngestedAt = last
		return e, nil
	}}
	at := slices.IndexFunc(stages, func(s pipeline.Named) bool { return s.Name == "clean" }) + 1
	return slices.Insert(stages, at, clock)
}

func batchDeadLetter(it feed.Item, articleID string, err error) *pipeline.DeadLetter {
	sum := sha256.Sum256(it.Raw)
	reason := pipeline.ReasonOf(err)
	if reason == "" {
		reason = pipeline.ReasonUnprocessable
	}
	return &pipeline.DeadLetter{
		SchemaVersion:   pipeline.SchemaVersion,
		Reason:          reason,
		Error:           err.Error(),
		ArticleID:       articleID,
		Origin:          it.Origin,
		FailedAt:        time.Now().UTC(),
		Payload:         it.Raw,
		PayloadBytes:    len(it.Raw),
		PayloadSHA256:   hex.EncodeToString(sum[:]),
		PipelineVersion: pipeline.PipelineVersion,
	}
}
