package main

import (
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/wiredesk/wiredesk/internal/cli"
	"github.com/wiredesk/wiredesk/pipeline"
	"github.com/wiredesk/wiredesk/pipeline/bus"
	"github.com/wiredesk/wiredesk/pipeline/dedup"
	"github.com/wiredesk/wiredesk/pipeline/natsconn"
)

// config is everything the worker's flags and environment set.
type config struct {
	NATS     natsconn.Config
	Embedded bool // no NATS URL configured: start an embedded server
	DataDir  string
	Listen   string // embedded server address

	MetricsAddr string
	Pprof       bool
	// ProfileDir, if set, receives a CPU profile of the whole run and
	// its allocations (cpu.pprof, allocs.pprof), as profile-guided
	// builds read them.
	ProfileDir string
	Log        cli.Log

	Bus         bus.Config
	DedupWindow time.Duration
	// DedupMaxArticles bounds the dedup window in articles.
	DedupMaxArticles int
	// StoryThreshold is the least story score that links an article to
	// the story of an earlier report (see [dedup.Config]).
	StoryThreshold float64
	// BatchClock is what batch mode takes as an article's ingest time:
	// clockNow or clockPublished.
	BatchClock string
	// Claims makes the worker claim its first reports in the shared
	// bucket (see pipeline/dedup, Concurrency).
	Claims bool

	Paths []string // positional arguments (demo, batch)
}

// parseConfig reads flags, falling back to WIREDESK_<NAME> and the NATS_*
// variables; precedence is flag, then environment, then default.
func parseConfig(name string, args []string, getenv func(string) string, stderr io.Writer) (*config, error) {
	cfg := &config{}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)

	cfg.NATS.FromEnv(getenv)
	urlFromEnv := cfg.NATS.URL != ""
	cfg.NATS.RegisterFlags(fs)
	if f := fs.Lookup("nats-url"); f != nil {
		f.DefValue = "" // unset means embedded, not natsconn's default URL
		f.Usage = "NATS server URL(s), comma-separated (env NATS_URL); unset: start an embedded server"
	}
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage:\n  worker [flags]              run the streaming worker\n"+
			"  worker demo [flags] [PATH]  embedded server + sample articles, print each outcome\n"+
			"  worker batch [flags] PATH...  process .jsonl/.txt files or folders offline, JSONL events on stdout\n\n"+
			"Every flag falls back to WIREDESK_<FLAG> (e.g. WIREDESK_METRICS_ADDR); NATS flags also to NATS_*.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.DataDir, "data-dir", "wiredesk-data", "store folder of the embedded server (used when no NATS URL is set)")
	listen, metrics := "127.0.0.1:4222", "127.0.0.1:9464"
	if name == "worker demo" {
		// A demo must not collide with a running worker: any free ports.
		listen, metrics = "127.0.0.1:0", "127.0.0.1:0"
	}
	fs.StringVar(&cfg.Listen, "embedded-listen", listen, "client address of the embedded server (port 0: any free port)")
	fs.StringVar(&cfg.MetricsAddr, "metrics-addr", metrics, "address serving /metrics, /healthz and /readyz (empty: none)")
	fs.BoolVar(&cfg.Pprof, "pprof", false, "serve the Go profiler under /debug/pprof/ on -metrics-addr")
	fs.StringVar(&cfg.ProfileDir, "profile-dir", "", "write a CPU profile of the run (cpu.pprof) and its allocations (allocs.pprof) to this folder when the worker stops")
	cfg.Log.RegisterFlags(fs)

	b := &cfg.Bus
	fs.StringVar(&b.Streams.Raw, "raw-stream", "ARTICLES_RAW", "stream of raw articles ("+pipeline.SubjectRawWildcard+")")
	fs.StringVar(&b.Streams.Out, "out-stream", "ARTICLES_OUT", "stream of outputs (enriched, duplicates, dead letters)")
	fs.IntVar(&b.Streams.Replicas, "replicas", 1, "replicas of the streams (3 on a 3-node cluster)")
	fs.DurationVar(&b.Streams.RawMaxAge, "raw-max-age", 7*24*time.Hour, "how long raw articles are kept for replay")
	fs.DurationVar(&b.Streams.OutMaxAge, "out-max-age", 7*24*time.Hour, "how long outputs are kept for replay")
	fs.Int64Var(&b.Streams.RawMaxBytes, "raw-max-bytes", 1<<30, "size cap of the raw stream in bytes (reserved on every replica)")
	fs.Int64Var(&b.Streams.OutMaxBytes, "out-max-bytes", 1<<30, "size cap of the output stream in bytes (reserved on every replica)")
	fs.DurationVar(&b.Streams.DuplicateWindow, "duplicate-window", time.Hour, "how long the streams remember message ids")
	fs.BoolVar(&cfg.Claims, "claims", true, "claim each first report in the shared bucket, so that workers never both emit one for near-identical articles (a lone worker may turn it off)")
	fs.DurationVar(&b.Streams.ClaimTTL, "claim-ttl", bus.DefaultClaimTTL, "how long a first report's claim holds back its near-duplicates on other workers")
	fs.StringVar(&b.Durable, "durable", "wiredesk", "name of the durable consumer shared by all workers")
	fs.IntVar(&b.Workers, "workers", 4, "messages processed at once by this process")
	fs.IntVar(&b.Prefetch, "prefetch", bus.DefaultPrefetch, "messages pulled and buffered ahead of the workers")
	fs.IntVar(&b.MaxPublishPending, "max-publish-pending", bus.DefaultMaxPublishPending, "outputs published and awaiting the stream's acknowledgement")
	fs.IntVar(&b.MaxAckPending, "max-ack-pending", 1024, "unacknowledged messages allowed across all workers")
	fs.DurationVar(&b.AckWait, "ack-wait", 30*time.Second, "time before an unacknowledged message is redelivered")
	fs.IntVar(&b.MaxDeliver, "max-deliver", 5, "deliveries before a failing message is dead-lettered")
	fs.DurationVar(&b.PublishTimeout, "publish-timeout", 5*time.Second, "time an output may await the stream's acknowledgement before its article is retried")
	fs.DurationVar(&b.ProcessTimeout, "process-timeout", 20*time.Second, "time limit of one article's stages")
	fs.DurationVar(&b.DrainTimeout, "drain-timeout", 30*time.Second, "time limit of the graceful shutdown")
	fs.IntVar(&b.MaxArticleBytes, "max-article-bytes", pipeline.DefaultMaxArticleBytes, "largest raw article accepted")
	fs.DurationVar(&cfg.DedupWindow, "dedup-window", 72*time.Hour, "how long an article stays a duplicate or story candidate")
	fs.IntVar(&cfg.DedupMaxArticles, "dedup-max-articles", dedup.DefaultMaxArticles, "most articles the dedup window holds (about 1 KB of memory each); the oldest leave first")
	cfg.BatchClock = clockNow
	if name == "worker batch" {
		fs.StringVar(&cfg.BatchClock, "batch-clock", clockNow, "when an article counts as ingested, for the dedup window: now (all at once), or published (its published_at, as given or found in its text; an undated article at the time of the one before it), to replay an archive as a live stream would have seen it")
	}
	fs.Float64Var(&cfg.StoryThreshold, "story-threshold", dedup.DefaultStoryThreshold, "least story score (0 to 1) that joins an article to the story of an earlier report; every worker of a stream needs the same (higher: fewer, surer links)")

	if err := cli.Parse(fs, args, getenv); err != nil {
		return nil, err
	}
	cfg.Paths = fs.Args()
	urlFlag := false
	fs.Visit(func(f *flag.Flag) { urlFlag = urlFlag || f.Name == "nats-url" })
	cfg.Embedded = !urlFromEnv && !urlFlag
	if cfg.BatchClock != clockNow && cfg.BatchClock != clockPublished {
		return nil, fmt.Errorf("batch clock %q: want %s or %s", cfg.BatchClock, clockNow, clockPublished)
	}
	if !(cfg.StoryThreshold > 0 && cfg.StoryThreshold <= 1) {
		return nil, fmt.Errorf("story threshold %v: want a score above 0 and at most 1", cfg.StoryThreshold)
	}
	if err := cfg.Log.Validate(); err != nil {
		return nil, err
	}
	if err := cfg.NATS.Validate(); err != nil {
		return nil, err
	}
	if err := cfg.Bus.Validate(); err != nil {
		return nil, err
	}
	return cfg, nil
}
