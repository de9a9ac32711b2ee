package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/wiredesk/wiredesk/internal/cli"
	"github.com/wiredesk/wiredesk/pipeline"
	"github.com/wiredesk/wiredesk/pipeline/bus"
	"github.com/wiredesk/wiredesk/pipeline/embedded"
	"github.com/wiredesk/wiredesk/pipeline/feed"
)

// publishWindow bounds the raw articles awaiting their PubAck.
const publishWindow = 4096

// bytesPerArticle sizes the streams. The publisher runs ahead of the
// workers, and a stream at its size cap discards its oldest messages,
// processed or not, so both streams must hold a whole run: a raw article
// and its output take a few kilobytes each.
const bytesPerArticle = 8 << 10

// streamsFor returns the stream configuration of a run of n articles: the
// defaults, with size caps that hold the whole run.
func streamsFor(n int) bus.Streams {
	size := max(int64(n)*bytesPerArticle, 1<<30)
	return bus.Streams{RawMaxBytes: size, OutMaxBytes: size}
}

// phase is one measured run: W worker processes made by command, fed the
// same generated articles.
type phase struct {
	name    string
	command func(i int) *exec.Cmd
}

// result is what a phase measured.
type result struct {
	name     string
	articles int
	copies   int
	// elapsed runs from the first publish to the last output stored.
	elapsed       time.Duration
	rate          float64
	p50, p90, p99 time.Duration
	max           time.Duration
	workerCPU     time.Duration // all worker processes, from consuming to the last output
	selfCPU       time.Duration // this process: server, publisher and output reader
	rss, peakRSS  int64         // largest worker's, at the end
	windows       []window
	duplicates    int // outputs on the duplicates subject
	deadLetters   int
	repeats       int // outputs for an article already accounted for
	unknown       int // outputs for no generated article
}

// window is the rate at which the outputs came while the worker's dedup
// window filled up to seen articles.
type window struct {
	seen int
	rate float64
	rss  int64
}

func bench(ctx context.Context, cfg *config, stdout, stderr io.Writer) error {
	stderr = &lockedWriter{w: stderr}
	docs, err := loadCorpus(ctx, cfg.corpus)
	if err != nil {
		return err
	}
	dir := cfg.dataDir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "loadbench-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find own binary: %w", err)
	}
	workerBin := cfg.workerBin
	if workerBin == "" && cfg.mode != modePassthrough {
		if workerBin, err = buildWorker(ctx, dir); err != nil {
			return err
		}
	}

	if cfg.profileDir != "" {
		stop, err := cli.StartProfiles(filepath.Join(cfg.profileDir, "loadbench"))
		if err != nil {
			return err
		}
		defer func() {
			if err := stop(); err != nil {
				fmt.Fprintln(stderr, "loadbench: write profiles:", err)
			}
		}()
	}
	srv, err := embedded.Start(embedded.Config{DataDir: filepath.Join(dir, "jetstream")})
	if err != nil {
		return fmt.Errorf("start server: %w", err)
	}
	defer srv.Stop()
	nc, err := nats.Connect(srv.URL(), nats.Name("wiredesk-loadbench"))
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(publishWindow))
	if err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}

	fmt.Fprintf(stdout, "loadbench articles=%d workers=%d concurrency=%d prefetch=%d rate=%g dup_rate=%g cpus=%d %s/%s %s\n",
		cfg.articles, cfg.workers, cfg.concurrency, cfg.prefetch, cfg.rate, cfg.dupRate, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	streams := streamsFor(cfg.articles)
	flags := []string{"-nats-url", srv.URL(), "-workers", strconv.Itoa(cfg.concurrency), "-prefetch", strconv.Itoa(cfg.prefetch)}
	var phases []phase
	if cfg.mode != modePipeline {
		phases = append(phases, phase{name: modePassthrough, command: func(i int) *exec.Cmd {
			args := append([]string{"passthrough"}, flags...)
			if cfg.profileDir != "" && i == 0 {
				args = append(args, "-profile-dir", cfg.profileDir)
			}
			return exec.Command(self, args...)
		}})
	}
	if cfg.mode != modePassthrough {
		phases = append(phases, phase{name: modePipeline, command: func(int) *exec.Cmd {
			// The worker updates the streams to its own configuration at
			// start-up: give it the run's size caps.
			return exec.Command(workerBin, append([]string{"-metrics-addr=", "-log-format=json",
				"-raw-max-bytes", strconv.FormatInt(streams.RawMaxBytes, 10),
				"-out-max-bytes", strconv.FormatInt(streams.OutMaxBytes, 10)}, flags...)...)
		}})
	}
	results := map[string]*result{}
	for _, ph := range phases {
		r, err := runPhase(ctx, cfg, js, streams, docs, ph, stderr)
		if err != nil {
			return fmt.Errorf("%s: %w", ph.name, err)
		}
		results[ph.name] = r
		r.print(stdout)
	}

	top, pass := results[modePipeline], results[modePassthrough]
	if top == nil {
		top = pass
	}
	var passRate, ratio float64
	if pass != nil {
		passRate = pass.rate
		ratio = top.rate / pass.rate
	}
	fmt.Fprintf(stdout, "e2e articles=%d workers=%d rate=%.0f/s passthrough=%.0f/s ratio=%.2f p50_ms=%.1f p99_ms=%.1f rss_mb=%d\n",
		cfg.articles, cfg.workers, top.rate, passRate, ratio, ms(top.p50), ms(top.p99), top.peakRSS>>20)
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func (r *result) print(w io.Writer) {
	for _, win := range r.windows {
		fmt.Fprintf(w, "window phase=%s seen=%d rate=%.0f/s rss_mb=%d\n", r.name, win.seen, win.rate, win.rss>>20)
	}
	fmt.Fprintf(w, "phase=%s articles=%d copies=%d elapsed=%s rate=%.0f/s p50_ms=%.1f p90_ms=%.1f p99_ms=%.1f max_ms=%.1f "+
		"worker_cpu_s=%.1f worker_cpu_us_per_article=%.0f loadbench_cpu_s=%.1f rss_mb=%d peak_rss_mb=%d duplicates=%d dead_letters=%d repeats=%d unknown=%d\n",
		r.name, r.articles, r.copies, r.elapsed.Round(time.Millisecond), r.rate, ms(r.p50), ms(r.p90), ms(r.p99), ms(r.max),
		r.workerCPU.Seconds(), float64(r.workerCPU.Microseconds())/float64(r.articles), r.selfCPU.Seconds(),
		r.rss>>20, r.peakRSS>>20, r.duplicates, r.deadLetters, r.repeats, r.unknown)
}

// resetStreams deletes both streams, so a phase starts with no articles,
// outputs, consumers or remembered message ids, and creates them anew.
func resetStreams(ctx context.Context, js jetstream.JetStream, s bus.Streams) error {
	raw, out := s.Config()
	for _, name := range []string{raw.Name, out.Name} {
		if err := js.DeleteStream(ctx, name); err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
			return fmt.Errorf("delete stream %s: %w", name, err)
		}
	}
	return bus.EnsureStreams(ctx, js, s)
}

func runPhase(ctx context.Context, cfg *config, js jetstream.JetStream, streams bus.Streams, docs []doc, ph phase, stderr io.Writer) (*result, error) {
	setup, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := resetStreams(setup, js, streams); err != nil {
		return nil, err
	}
	procs := make([]*proc, 0, cfg.workers)
	defer func() {
		for _, p := range procs {
			_ = p.stop()
		}
	}()
	for i := range cfg.workers {
		p, err := startProc(fmt.Sprintf("%s worker %d", ph.name, i), ph.command(i), stderr)
		if err != nil {
			return nil, err
		}
		procs = append(procs, p)
	}
	if err := waitReady(ctx, procs); err != nil {
		return nil, err
	}

	col := newCollector(cfg.articles, procs)
	_, outStream := streams.Config()
	oc, err := js.OrderedConsumer(setup, outStream.Name, jetstream.OrderedConsumerConfig{})
	if err != nil {
		return nil, fmt.Errorf("read outputs: %w", err)
	}
	cc, err := oc.Consume(col.add)
	if err != nil {
		return nil, fmt.Errorf("read outputs: %w", err)
	}
	defer cc.Stop()

	cpu0 := make([]time.Duration, len(procs))
	for i, p := range procs {
		if cpu0[i], err = procCPU(p.cmd.Process.Pid); err != nil {
			return nil, err
		}
	}
	self0 := selfCPU()
	pctx, stopPublishing := context.WithCancel(ctx)
	defer stopPublishing()
	pubErr := make(chan error, 1)
	var copies atomic.Int64
	go func() { pubErr <- publish(pctx, cfg, js, docs, col.sent, &copies) }()

	if err := col.wait(ctx, cfg, ph.name, pubErr, stderr); err != nil {
		return nil, err
	}
	r := col.result(ph.name)
	r.copies = int(copies.Load())
	r.selfCPU = selfCPU() - self0
	for i, p := range procs {
		cpu, err := procCPU(p.cmd.Process.Pid)
		if err != nil {
			return nil, err
		}
		r.workerCPU += cpu - cpu0[i]
		rss, peak, err := procMemory(p.cmd.Process.Pid)
		if err != nil {
			return nil, err
		}
		r.rss, r.peakRSS = max(r.rss, rss), max(r.peakRSS, peak)
	}
	for _, p := range procs {
		if err := p.stop(); err != nil {
			return nil, err
		}
	}
	procs = nil
	return r, nil
}

// publish publishes cfg.articles generated articles, at cfg.rate per second
// or as fast as the server acknowledges them, recording when each was due
// in sent. Generating runs ahead in its own goroutine, so that its cost
// does not disturb the pace.
func publish(ctx context.Context, cfg *config, js jetstream.JetStream, docs []doc, sent []atomic.Int64, copies *atomic.Int64) error {
	type prepared struct {
		msg *nats.Msg
		id  string
	}
	ready := make(chan prepared, 1024)
	go func() {
		defer close(ready)
		gen := newGenerator(docs, cfg.dupRate, cfg.seed)
		for i := range cfg.articles {
			a, copied := gen.article(i)
			if copied {
				copies.Add(1)
			}
			data, _ := json.Marshal(a) // an Article always marshals: plain fields only
			select {
			case ready <- prepared{msg: &nats.Msg{Subject: feed.Subject(a), Data: data}, id: pipeline.ContentID(a)}:
			case <-ctx.Done():
				return
			}
		}
	}()
	start := time.Now()
	i := 0
	for p := range ready {
		at := time.Now()
		if cfg.rate > 0 {
			// Articles are due on a fixed schedule; latency counts from
			// when each was due, so a publisher falling behind does not
			// hide queueing (coordinated omission).
			at = start.Add(time.Duration(float64(i) / cfg.rate * float64(time.Second)))
			if d := time.Until(at); d > time.Millisecond {
				time.Sleep(d)
			}
		}
		sent[i].Store(at.UnixNano())
		for {
			_, err := js.PublishMsgAsync(p.msg, jetstream.WithMsgID(p.id))
			if err == nil {
				break
			}
			if !errors.Is(err, jetstream.ErrTooManyStalledMsgs) {
				return fmt.Errorf("publish article %d: %w", i, err)
			}
		}
		i++
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case <-js.PublishAsyncComplete():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// collector reads the outputs and accounts for every article once. add
// runs on the output consumer's goroutine; count may be read from any.
type collector struct {
	procs []*proc
	sent  []atomic.Int64 // unix nanoseconds each article was due
	count atomic.Int64   // articles accounted for

	mu                       sync.Mutex
	seen                     []bool
	latencies                []time.Duration
	first, last              int64
	duplicates, deadLetters  int
	repeats, unknown         int
	windows                  []window
	nextWindow, nextWindow90 int
	at90                     int64
}

// firstWindow is the smallest dedup window size reported; then every power
// of ten above it.
const firstWindow = 10_000

func newCollector(n int, procs []*proc) *collector {
	return &collector{procs: procs, sent: make([]atomic.Int64, n), seen: make([]bool, n),
		latencies: make([]time.Duration, 0, n), nextWindow: firstWindow, nextWindow90: firstWindow * 9 / 10}
}

func (c *collector) add(m jetstream.Msg) {
	meta, err := m.Metadata()
	if err != nil {
		return
	}
	id := m.Headers().Get(bus.HeaderArticleID)
	c.mu.Lock()
	defer c.mu.Unlock()
	switch m.Subject() {
	case pipeline.SubjectDuplicates:
		c.duplicates++
	case pipeline.SubjectDLQ:
		c.deadLetters++
		var dl pipeline.DeadLetter
		if json.Unmarshal(m.Data(), &dl) == nil {
			id = dl.ArticleID
		}
	}
	i, ok := articleIndex(id)
	switch {
	case !ok || i >= len(c.seen):
		c.unknown++
		return
	case c.seen[i]:
		c.repeats++
		return
	}
	c.seen[i] = true
	stored, sent := meta.Timestamp.UnixNano(), c.sent[i].Load()
	c.latencies = append(c.latencies, time.Duration(stored-sent))
	if c.first == 0 || sent < c.first {
		c.first = sent
	}
	c.last = max(c.last, stored)
	switch n := int(c.count.Add(1)); n {
	case c.nextWindow90:
		c.at90 = stored
	case c.nextWindow:
		c.windows = append(c.windows, window{seen: n, rate: float64(n-c.nextWindow90) / time.Duration(stored-c.at90).Seconds(), rss: workerRSS(c.procs)})
		c.nextWindow *= 10
		c.nextWindow90 = c.nextWindow * 9 / 10
	}
}

// workerRSS returns the largest resident set of the processes now.
func workerRSS(procs []*proc) int64 {
	var rss int64
	for _, p := range procs {
		r, _, _ := procMemory(p.cmd.Process.Pid)
		rss = max(rss, r)
	}
	return rss
}

// wait returns when every article is accounted for. It returns an error if
// publishing fails, no output arrives for cfg.idle, or ctx ends.
func (c *collector) wait(ctx context.Context, cfg *config, name string, pubErr <-chan error, stderr io.Writer) error {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	n := int64(cfg.articles)
	lastCount, lastChange, lastReport := int64(-1), time.Now(), time.Now()
	var reportCount int64
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-pubErr:
			if err != nil {
				return err
			}
			pubErr = nil
		case now := <-tick.C:
			got := c.count.Load()
			if got >= n {
				return nil
			}
			if got != lastCount {
				lastCount, lastChange = got, now
			} else if now.Sub(lastChange) > cfg.idle {
				return fmt.Errorf("%d of %d articles accounted for, none for %s", got, n, cfg.idle)
			}
			if cfg.progress > 0 && now.Sub(lastReport) >= cfg.progress {
				fmt.Fprintf(stderr, "progress phase=%s outputs=%d/%d rate=%.0f/s worker_rss_mb=%d\n",
					name, got, n, float64(got-reportCount)/now.Sub(lastReport).Seconds(), workerRSS(c.procs)>>20)
				reportCount, lastReport = got, now
			}
		}
	}
}

// result summarises the outputs; call it once wait has returned nil.
func (c *collector) result(name string) *result {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := &result{name: name, articles: len(c.seen), windows: c.windows, duplicates: c.duplicates, deadLetters: c.deadLetters, repeats: c.repeats, unknown: c.unknown}
	r.elapsed = time.Duration(c.last - c.first)
	r.rate = float64(len(c.latencies)) / r.elapsed.Seconds()
	slices.Sort(c.latencies)
	q := func(p float64) time.Duration { return c.latencies[int(p*float64(len(c.latencies)-1))] }
	r.p50, r.p90, r.p99, r.max = q(0.5), q(0.9), q(0.99), q(1)
	return r
}
