// Command worker is wiredesk's streaming worker. It reads raw articles from
// a JetStream stream, cleans, deduplicates and enriches them, and publishes
// one event per article (enriched, duplicate or dead letter).
//
// Usage:
//
//	worker [flags]             run the streaming worker
//	worker demo [flags] [PATH] run on an embedded server, feed it the sample
//	                           articles and print each outcome
//	worker batch [flags] PATH  process files offline, JSONL events on stdout
//
// With no NATS URL (-nats-url, NATS_URL) the worker starts an embedded
// JetStream server. Every flag also reads the environment variable
// WIREDESK_<FLAG_NAME> (for example WIREDESK_METRICS_ADDR); flags win.
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

	"github.com/wiredesk/wiredesk/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(1)
	}
}

// run dispatches to the subcommand named by the first argument.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) (err error) {
	cmd := ""
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	var (
		name string
		sub  func(*config) error
	)
	switch cmd {
	case "", "serve":
		name, sub = "worker", func(cfg *config) error { return serve(ctx, cfg, stderr, nil) }
	case "demo":
		name, sub = "worker demo", func(cfg *config) error { return demo(ctx, cfg, stdout, stderr) }
	case "batch":
		name, sub = "worker batch", func(cfg *config) error { return batch(ctx, cfg, stdin, stdout, stderr) }
	default:
		return fmt.Errorf("unknown command %q (want serve, demo or batch)", cmd)
	}
	cfg, err := parseConfig(name, args, getenv, stderr)
	if err != nil {
		return err
	}
	if cfg.ProfileDir != "" {
		stop, err := cli.StartProfiles(cfg.ProfileDir)
		if err != nil {
			return err
		}
		defer func() { err = errors.Join(err, stop()) }()
	}
	return sub(cfg)
}
