// Package cli holds what wiredesk's commands share: flags that fall back to
// the environment, the logger, the metrics registry and the HTTP listener
// for metrics and health.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"regexp"
	"runtime"
	"strings"
	"time"

	"github.com/lmittmann/tint"
	"github.com/mattn/go-isatty"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"golang.org/x/sync/errgroup"

	"github.com/wiredesk/wiredesk/pipeline"
)

// Parse parses args; then every flag not on the command line takes its
// value from WIREDESK_<NAME> (upper case, "-" as "_") when that is set.
// Precedence is therefore flag, environment, default.
func Parse(fs *flag.FlagSet, args []string, getenv func(string) string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	onCommandLine := make(map[string]bool)
	fs.Visit(func(f *flag.Flag) { onCommandLine[f.Name] = true })
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if onCommandLine[f.Name] {
			return
		}
		name := EnvName(f.Name)
		if v := getenv(name); v != "" {
			if err := fs.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Errorf("parse %s: %w", name, err))
			}
		}
	})
	return errors.Join(errs...)
}

// EnvName is the environment variable a flag falls back to.
func EnvName(flagName string) string {
	return "WIREDESK_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// Log is the logging configuration: -log-format and -log-level.
type Log struct {
	Format string
	Level  slog.Level
}

// RegisterFlags defines -log-format and -log-level on fs.
func (l *Log) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&l.Format, "log-format", "text", "log format: text (tint, for a terminal) or json")
	fs.TextVar(&l.Level, "log-level", slog.LevelInfo, "log level: debug, info, warn or error")
}

// Validate reports an unknown format.
func (l Log) Validate() error {
	if l.Format != "text" && l.Format != "json" {
		return fmt.Errorf("log format %q: want text or json", l.Format)
	}
	return nil
}

// New builds the logger: JSON for production, tint text otherwise,
// coloured only on a terminal.
func (l Log) New(w io.Writer) *slog.Logger {
	if l.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l.Level}))
	}
	return slog.New(tint.NewTextHandler(w, &tint.Options{Level: l.Level, NoColor: !IsTerminal(w), TimeFormat: time.TimeOnly}))
}

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isatty.IsTerminal(f.Fd())
}

// NewRegistry returns a process registry with the Go and process
// collectors and wiredesk_build_info. Packages register their own metrics
// on it; nothing uses the global registry.
//
// Besides the default Go metrics it exports go_gc_heap_live_bytes, the heap
// the last collection found live: unlike the heap in use, it does not rise
// with garbage when the collector has not run for a while (a worker idle
// behind a stalled output allocates too little to start one).
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(collectors.WithGoCollectorRuntimeMetrics(
			collectors.GoRuntimeMetricsRule{Matcher: regexp.MustCompile(`^/gc/heap/live:bytes$`)},
		)),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name:        "wiredesk_build_info",
			Help:        "Build of the running process; always 1.",
			ConstLabels: prometheus.Labels{"version": pipeline.PipelineVersion, "goversion": runtime.Version()},
		}, func() float64 { return 1 }),
	)
	return reg
}

// shutdownTimeout bounds the HTTP server's graceful shutdown.
const shutdownTimeout = 5 * time.Second

// Serve listens on addr at once (so a bad address fails the start) and
// serves h in g until ctx is done, then shuts the server down. It returns
// the bound address (useful with port 0).
func Serve(ctx context.Context, g *errgroup.Group, addr string, h http.Handler, logger *slog.Logger) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	logger.Info("http server listening", "addr", ln.Addr().String())
	g.Go(func() error {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serve http: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
		defer cancel()
		return srv.Shutdown(sctx)
	})
	return ln.Addr().String(), nil
}
