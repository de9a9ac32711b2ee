package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/wiredesk/wiredesk/internal/cli"
	"github.com/wiredesk/wiredesk/pipeline"
	"github.com/wiredesk/wiredesk/pipeline/bus"
)

// passthroughDurable is the pass-through worker's consumer, apart from the
// real worker's.
const passthroughDurable = "passthrough"

// passthrough is a worker without clean, dedup or enrich: the bus consumer
// the real worker runs (decode, republish, ack, with the same metrics and
// middleware) around a chain of no stages, so that comparing the two
// isolates the cost of wiredesk's own work. It runs until ctx is cancelled.
func passthrough(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	fs := flag.NewFlagSet("loadbench passthrough", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		url        string
		cfg        bus.Config
		profileDir string
	)
	fs.StringVar(&url, "nats-url", nats.DefaultURL, "NATS server URL")
	fs.IntVar(&cfg.Workers, "workers", 4, "messages processed at once")
	fs.IntVar(&cfg.Prefetch, "prefetch", 0, "messages buffered ahead (0: the bus default)")
	fs.StringVar(&profileDir, "profile-dir", "", "write cpu.pprof and allocs.pprof here")
	if err := cli.Parse(fs, args, getenv); err != nil {
		return err
	}
	cfg.Durable = passthroughDurable
	log := slog.New(slog.NewJSONHandler(stderr, nil))

	nc, err := nats.Connect(url, nats.Name("wiredesk-loadbench-passthrough"))
	if err != nil {
		return fmt.Errorf("connect to %s: %w", url, err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}
	setup, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	consumer, err := bus.NewConsumer(setup, js, cfg, log, prometheus.NewRegistry())
	if err != nil {
		return err
	}
	if profileDir != "" {
		stop, err := cli.StartProfiles(profileDir)
		if err != nil {
			return err
		}
		defer func() {
			if err := stop(); err != nil {
				log.Error("write profiles", "err", err)
			}
		}()
	}
	return consumer.Run(ctx, pipeline.Chain(nil, consumer.Measure, pipeline.Recover))
}
