package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/wiredesk/wiredesk/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadbench:", err)
		os.Exit(1)
	}
}

// run dispatches: "passthrough" is the pass-through worker loadbench starts
// as a subprocess of itself; anything else is a benchmark run.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "passthrough" {
		return passthrough(ctx, args[1:], getenv, stderr)
	}
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	if cfg.dump != "" {
		return dump(ctx, cfg)
	}
	return bench(ctx, cfg, stdout, stderr)
}

// Modes of a run: which workers it measures.
const (
	modeBoth        = "both"
	modePipeline    = "pipeline"
	modePassthrough = "passthrough"
)

// config is a benchmark run's command line.
type config struct {
	articles    int
	workers     int
	concurrency int
	prefetch    int
	rate        float64
	dupRate     float64
	corpus      string
	seed        uint64
	mode        string
	workerBin   string
	dataDir     string
	idle        time.Duration
	progress    time.Duration
	profileDir  string
	dump        string
}

func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("loadbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: loadbench [flags]\n\n"+
			"Starts a JetStream server, publishes generated articles, runs pass-through and wiredesk\n"+
			"workers on them and reports throughput, latency, CPU and memory. The last line is\n"+
			"  e2e articles=N workers=W rate=R/s passthrough=P/s ratio=X p50_ms=A p99_ms=B rss_mb=M\n"+
			"Every flag falls back to WIREDESK_<FLAG>.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	fs.IntVar(&c.articles, "n", 100_000, "articles to publish")
	fs.IntVar(&c.workers, "workers", 1, "worker processes sharing the durable consumer")
	fs.IntVar(&c.concurrency, "concurrency", 4, "messages each worker processes at once (the worker's -workers)")
	fs.IntVar(&c.prefetch, "prefetch", 0, "messages each worker buffers ahead (the worker's -prefetch; 0: its default)")
	fs.Float64Var(&c.rate, "rate", 0, "articles published per second (0: as fast as the server takes them)")
	fs.Float64Var(&c.dupRate, "dup-rate", 0.3, "share of articles that are copies or rewrites of a recent one")
	fs.StringVar(&c.corpus, "corpus", "../shared/eval/ecbplus/dev.jsonl", "articles (.jsonl) the generated text comes from")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the article generator")
	fs.StringVar(&c.mode, "mode", modeBoth, "workers measured: both, pipeline or passthrough")
	fs.StringVar(&c.workerBin, "worker-bin", "", "the worker binary (empty: go build ./cmd/worker into a temporary folder)")
	fs.StringVar(&c.dataDir, "data-dir", "", "store folder of the server (empty: a temporary folder, removed afterwards)")
	fs.DurationVar(&c.idle, "idle-timeout", 2*time.Minute, "give up when no output arrives for this long")
	fs.DurationVar(&c.progress, "progress", 5*time.Second, "interval of the progress lines on stderr (0: none)")
	fs.StringVar(&c.profileDir, "profile-dir", "", "if set, the first pass-through worker writes cpu.pprof and allocs.pprof here, and loadbench itself (server, publisher, reader) into loadbench/")
	fs.StringVar(&c.dump, "dump", "", "write the generated articles to this .jsonl file (the batch input format) instead of benchmarking")
	if err := cli.Parse(fs, args, getenv); err != nil {
		return nil, err
	}
	switch {
	case fs.NArg() > 0:
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	case c.articles < 1:
		return nil, fmt.Errorf("-n must be at least 1, got %d", c.articles)
	case c.workers < 1 || c.concurrency < 1:
		return nil, fmt.Errorf("-workers and -concurrency must be at least 1, got %d and %d", c.workers, c.concurrency)
	case c.prefetch < 0 || c.rate < 0:
		return nil, fmt.Errorf("-prefetch and -rate must not be negative, got %d and %g", c.prefetch, c.rate)
	case c.dupRate < 0 || c.dupRate >= 1:
		return nil, fmt.Errorf("-dup-rate must be in [0, 1), got %g", c.dupRate)
	case c.mode != modeBoth && c.mode != modePipeline && c.mode != modePassthrough:
		return nil, fmt.Errorf("-mode must be both, pipeline or passthrough, got %q", c.mode)
	}
	return c, nil
}
