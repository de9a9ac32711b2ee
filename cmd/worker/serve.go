package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/lmittmann/tint"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

	"github.com/wiredesk/wiredesk/internal/cli"
	"github.com/wiredesk/wiredesk/pipeline"
	"github.com/wiredesk/wiredesk/pipeline/bus"
	"github.com/wiredesk/wiredesk/pipeline/dedup"
	"github.com/wiredesk/wiredesk/pipeline/embedded"
	"github.com/wiredesk/wiredesk/pipeline/natsconn"
)

// worker is a running worker's parts, handed to the demo once ready.
type worker struct {
	js          jetstream.JetStream
	reg         *prometheus.Registry
	log         *slog.Logger
	metricsAddr string // the bound address, when serving
}

// serve runs the streaming worker until ctx is cancelled. ready, if not
// nil, is called once the consumer is bound and consuming starts.
func serve(ctx context.Context, cfg *config, stderr io.Writer, readyFn func(*worker)) error {
	log := cfg.Log.New(stderr)
	reg := cli.NewRegistry()

	if cfg.Embedded {
		srv, err := embedded.Start(embedded.Config{Listen: cfg.Listen, DataDir: cfg.DataDir})
		if err != nil {
			return fmt.Errorf("start embedded server: %w", err)
		}
		defer srv.Stop()
		cfg.NATS.URL = srv.URL()
		log.Info("embedded NATS server started (no NATS URL configured)", "url", srv.URL(), "data_dir", cfg.DataDir)
	}
	cfg.NATS.Name = "wiredesk-worker"
	log.Info("starting worker", "nats", cfg.NATS, "metrics_addr", cfg.MetricsAddr,
		"workers", cfg.Bus.Workers, "dedup_window", cfg.DedupWindow, "claims", cfg.Claims, "claim_ttl", cfg.Bus.Streams.ClaimTTL, "version", pipeline.PipelineVersion)

	nc, err := natsconn.Connect(ctx, cfg.NATS, log)
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}
	setup, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := bus.EnsureStreams(setup, js, cfg.Bus.Streams); err != nil {
		return err
	}
	consumer, err := bus.NewConsumer(setup, js, cfg.Bus, log, reg)
	if err != nil {
		return err
	}
	// A nil interface, not a nil *bus.Claims, when claims are off.
	var claims dedup.Claimer
	if cfg.Claims {
		if claims, err = bus.NewClaims(setup, js, cfg.Bus.Streams, reg); err != nil {
			return err
		}
	}
	stages, index, err := newStages(cfg, log, reg, consumer.Ordered, claims)
	if err != nil {
		return err
	}
	stage := pipeline.Chain(stages, consumer.Measure, pipeline.Recover)

	g, gctx := errgroup.WithContext(ctx)
	w := &worker{js: js, reg: reg, log: log}
	if cfg.MetricsAddr != "" {
		h := httpHandler(reg, func(ctx context.Context) error { return readiness(ctx, js, cfg.Bus.Streams, consumer) }, cfg.Pprof)
		if w.metricsAddr, err = cli.Serve(gctx, g, cfg.MetricsAddr, h, log); err != nil {
			return fmt.Errorf("metrics: %w", err)
		}
	}
	// The dedup window is shared through the output stream: replay what
	// was decided within the window (by this worker before a restart, or
	// by others) before consuming, then keep following it.
	replayStart := time.Now()
	caughtUp := make(chan struct{})
	g.Go(func() error {
		return bus.Follow(gctx, js, cfg.Bus.Streams, replayStart.Add(-cfg.DedupWindow), log, index.Holds, index.Observe, func() { close(caughtUp) })
	})
	select {
	case <-caughtUp:
		log.Info("dedup window restored from the output stream", "articles", index.Len(), "duration", time.Since(replayStart).Round(time.Millisecond))
	case <-gctx.Done():
		return g.Wait()
	}
	g.Go(func() error { return consumer.Run(gctx, stage) })
	if readyFn != nil {
		readyFn(w)
	}
	err = g.Wait()
	if derr := nc.Drain(); derr != nil && !errors.Is(derr, nats.ErrConnectionClosed) {
		log.Warn("drain failed", tint.Err(derr))
	}
	log.Info("worker stopped")
	return err
}
