package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/sync/errgroup"

	"github.com/wiredesk/wiredesk/internal/cli"
	"github.com/wiredesk/wiredesk/pipeline"
	"github.com/wiredesk/wiredesk/pipeline/feed"
	"github.com/wiredesk/wiredesk/pipeline/natsconn"
)

// errNoInput is returned when no PATH is given.
var errNoInput = errors.New("no input: give .jsonl or .txt files, folders, or - for standard input")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "publisher:", err)
		os.Exit(1)
	}
}

// config is the parsed command line.
type config struct {
	nats        natsconn.Config
	publisher   feed.PublisherConfig
	metricsAddr string
	log         cli.Log
	paths       []string
}

// parseConfig parses the flags, with environment fallbacks read through
// getenv.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("publisher", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: publisher [flags] PATH...\n\n"+
			"Publishes articles from .jsonl and .txt files, folders of them, or - (standard input).\n"+
			"Every flag falls back to WIREDESK_<FLAG>; NATS flags also to NATS_URL, NATS_CREDS, ...\n\nFlags:\n")
		fs.PrintDefaults()
	}
	c := config{nats: natsconn.Config{Name: "wiredesk-publisher"}}
	c.nats.FromEnv(getenv)
	c.nats.RegisterFlags(fs)
	fs.StringVar(&c.metricsAddr, "metrics-addr", "", "serve /metrics on this address while publishing (off when empty)")
	c.log.RegisterFlags(fs)
	fs.IntVar(&c.publisher.MaxInFlight, "max-in-flight", feed.DefaultMaxInFlight, "publishes awaiting their acknowledgement at most")
	fs.IntVar(&c.publisher.MaxAttempts, "max-attempts", feed.DefaultMaxAttempts, "attempts per article on transient failures")
	fs.DurationVar(&c.publisher.AckTimeout, "ack-timeout", feed.DefaultAckTimeout, "wait for one acknowledgement at most")
	fs.DurationVar(&c.publisher.ProgressInterval, "progress-interval", feed.DefaultProgressInterval, "progress report interval on long runs (negative: off)")
	fs.IntVar(&c.publisher.MaxArticleBytes, "max-article-bytes", pipeline.DefaultMaxArticleBytes, "size limit of one article (keep within the server's max_payload)")
	if err := cli.Parse(fs, args, getenv); err != nil {
		return c, err
	}
	if err := c.log.Validate(); err != nil {
		return c, fmt.Errorf("parse flags: %w", err)
	}
	if c.paths = fs.Args(); len(c.paths) == 0 {
		fs.Usage()
		return c, errNoInput
	}
	if err := c.publisher.Validate(); err != nil {
		return c, err
	}
	return c, c.nats.Validate()
}

// run publishes the inputs named by args, prints the summary on stdout and
// returns an error when anything was rejected or failed.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	c, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	logger := c.log.New(stderr)
	logger.Info("publisher starting", "nats", c.nats, "inputs", c.paths, "max_in_flight", c.publisher.MaxInFlight,
		"max_attempts", c.publisher.MaxAttempts, "ack_timeout", c.publisher.AckTimeout, "metrics_addr", c.metricsAddr)

	reg := cli.NewRegistry()

	nc, err := natsconn.Connect(ctx, c.nats, logger)
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("open jetstream: %w", err)
	}

	// On a terminal, progress is one line rewritten in place; elsewhere it
	// is logged.
	progressShown := false // written by the progress goroutine, read after Publish returns
	if cli.IsTerminal(stderr) {
		c.publisher.OnProgress = func(s feed.Summary) {
			fmt.Fprintf(stderr, "\r\033[K%s", s)
			progressShown = true
		}
	}
	p, err := feed.NewPublisher(js, c.publisher, logger, reg)
	if err != nil {
		return err
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g, gctx := errgroup.WithContext(ctx)
	if c.metricsAddr != "" {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
		if _, err := cli.Serve(gctx, g, c.metricsAddr, mux, logger); err != nil {
			return fmt.Errorf("metrics: %w", err)
		}
	}
	var sum feed.Summary
	g.Go(func() error {
		defer cancel() // publishing is over: stop the metrics server
		var err error
		sum, err = p.Publish(gctx, c.paths, stdin)
		return err
	})
	err = g.Wait()
	if progressShown {
		fmt.Fprintln(stderr)
	}
	if _, werr := sum.WriteTo(stdout); werr != nil {
		return errors.Join(err, fmt.Errorf("write summary: %w", werr))
	}
	if err != nil {
		return err
	}
	logger.Info("publisher done", "published", sum.Published, "already_stored", sum.AlreadyStored,
		"rejected", sum.Rejected, "failed", sum.Failed)
	return sum.Err()
}
