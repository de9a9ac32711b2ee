package main

import (
	"fmt"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wiredesk/wiredesk/pipeline"
	"github.com/wiredesk/wiredesk/pipeline/clean"
	"github.com/wiredesk/wiredesk/pipeline/dedup"
	"github.com/wiredesk/wiredesk/pipeline/enrich"
	"github.com/wiredesk/wiredesk/pipeline/enrich/ner"
	"github.com/wiredesk/wiredesk/pipeline/lexicon"
)

// newStages builds the processing chain clean → dedup → enrich, shared by
// the streaming worker and batch mode so both decide alike. ordered wraps
// the dedup decision so that parallel workers make it in arrival order
// (nil: the caller processes one article at a time), and claims is where
// it claims first reports against other workers (nil: no other workers).
// reg may be nil. The dedup index is returned too, for the worker to feed
// it what other workers decided.
func newStages(cfg *config, logger *slog.Logger, reg prometheus.Registerer, ordered func(pipeline.Stage) pipeline.Stage, claims dedup.Claimer) ([]pipeline.Named, *dedup.Index, error) {
	if ordered == nil {
		ordered = func(s pipeline.Stage) pipeline.Stage { return s }
	}
	// One rarity table for dedup and enrich: dedup updates it online with
	// every article it records.
	rarity := lexicon.Default()
	index, err := dedup.NewIndex(dedup.Config{Window: cfg.DedupWindow, MaxArticles: cfg.DedupMaxArticles, StoryThreshold: cfg.StoryThreshold, Lexicon: rarity, Claims: claims}, reg)
	if err != nil {
		return nil, nil, fmt.Errorf("dedup: %w", err)
	}
	rec, err := ner.Default()
	if err != nil {
		return nil, nil, fmt.Errorf("load entity model: %w", err)
	}
	enricher, err := enrich.New(enrich.Config{}, rec, rarity, reg)
	if err != nil {
		return nil, nil, fmt.Errorf("enrich: %w", err)
	}
	logger.Debug("stages ready", "dedup_window", cfg.DedupWindow)
	stages := []pipeline.Named{
		{Name: "clean", Run: clean.New(clean.Config{}).Stage()},
		{Name: "dedup", Run: ordered(index.Stage())},
	}
	if claims != nil {
		// Outside the ordered decision: a claim waits for a round trip.
		stages = append(stages, pipeline.Named{Name: "claim", Run: index.ClaimStage()})
	}
	return append(stages, pipeline.Named{Name: "enrich", Run: enricher.Stage()}), index, nil
}
