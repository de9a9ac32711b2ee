package chaos

import (
	"bufio"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wiredesk/wiredesk/internal/testkit"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/wiredesk/wiredesk/pipeline"
	"github.com/wiredesk/wiredesk/pipeline/natsconn/natstest"
)

// workerArgs are the flags of every worker under test: JSON logs (the
// tests read them), no metrics listener unless extra sets one.
func workerArgs(url string, extra ...string) []string {
	return append([]string{"-nats-url", url, "-log-format", "json", "-metrics-addr", "", "-workers", "4"}, extra...)
}

// waitOutputs waits until the output stream holds at least n messages and
// returns how many it holds.
func waitOutputs(t *testing.T, js jetstream.JetStream, n uint64, d time.Duration) uint64 {
	t.Helper()
	var got uint64
	testkit.WaitFor(t, d, fmt.Sprintf("%d outputs", n), func() error {
		var err error
		if got, err = streamMsgs(t, js, outStream); err != nil {
			return err
		}
		if got < n {
			return fmt.Errorf("%d outputs stored", got)
		}
		return nil
	})
	return got
}

// TestChaosClusterNodeRestart runs two workers on a 3-node cluster with
// every stream replicated three times, shuts down the node leading the
// output stream while articles are being published and processed, checks
// that processing goes on without it, restarts it, and accounts for every
// article.
func TestChaosClusterNodeRestart(t *testing.T) {
	const n = 20000
	r := newRand(t)
	path, arts := genArticles(t, r, loadCorpus(t), "cluster", n, 3, 6)
	c := startCluster(t, 3)
	js := connect(t, c.urls())

	// Stream caps stated explicitly, within the nodes' store limit.
	args := workerArgs(c.urls(), "-replicas", "3", "-raw-max-bytes", "1073741824", "-out-max-bytes", "1073741824",
		"-ack-wait", "15s", "-process-timeout", "10s", "-max-deliver", "20")
	// Both start at once on the fresh cluster (see TestChaosConcurrentEnsureStreams).
	workers := make([]*proc, 2)
	for i := range workers {
		workers[i] = startProc(t, fmt.Sprintf("worker-%d", i+1), args, workerEnv())
	}
	for _, w := range workers {
		w.waitLog(t, 2*time.Minute, "consuming")
	}
	start := time.Now()
	published := publishAsync(t, js, path, n)

	atStop := waitOutputs(t, js, n/5, 3*time.Minute)
	info, err := mustStream(t, js, outStream).Info(testkit.Context(t, 10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	victim := c.index(info.Cluster.Leader)
	if victim < 0 {
		t.Fatalf("output stream leader %q is not a node of the cluster", info.Cluster.Leader)
	}
	c.stop(victim)
	t.Logf("stopped node n%d (output stream leader) at %d outputs after %s", victim, atStop, time.Since(start).Round(time.Millisecond))

	// With two of three nodes up every stream keeps its quorum: work must
	// go on while the node is down.
	atRestart := waitOutputs(t, js, atStop+n/5, 3*time.Minute)
	c.restart(victim)
	t.Logf("restarted node n%d at %d outputs after %s", victim, atRestart, time.Since(start).Round(time.Millisecond))
	if atRestart >= n {
		t.Fatalf("every article was processed before the node came back; the test proves less than it should")
	}

	if err := <-published; err != nil {
		t.Fatal(err)
	}
	waitSettled(t, js, n, 4*time.Minute)
	t.Logf("settled after %s", time.Since(start).Round(time.Millisecond))
	for _, w := range workers {
		w.stop(t, time.Minute)
	}
	account(t, js, arts)
}

// TestChaosKillWorkers runs two worker processes, kills one of them with
// SIGKILL at random moments while they work and starts it again, and
// accounts for every article.
func TestChaosKillWorkers(t *testing.T) {
	const (
		n     = 8000
		kills = 4
	)
	r := newRand(t)
	path, arts := genArticles(t, r, loadCorpus(t), "kill", n, 3, 6)
	url := natstest.StartServer(t)
	js := connect(t, url)

	// A short ack wait brings back the messages a killed worker held.
	args := workerArgs(url, "-ack-wait", "8s", "-process-timeout", "4s", "-max-deliver", "20")
	workers := []*proc{startProc(t, "worker-1", args, workerEnv()), startProc(t, "worker-2", args, workerEnv())}
	for _, w := range workers {
		w.waitLog(t, 2*time.Minute, "consuming")
	}
	published := publishAsync(t, js, path, n)

	// Each kill falls at a random point of its own stretch of the run,
	// counted in outputs rather than time, so a fast or a loaded machine
	// still sees every kill mid-run: mid-fetch, mid-stage, between publish
	// and ack, or while the previous victim is still starting.
	for k := range kills {
		stretch := n * 8 / 10 / kills
		at := uint64(n/20 + k*stretch + r.IntN(stretch))
		var outs uint64
		testkit.WaitFor(t, 3*time.Minute, fmt.Sprintf("%d outputs before kill %d", at, k+1), func() error {
			var err error
			outs, err = streamMsgs(t, js, outStream)
			if err != nil || outs >= at {
				return err
			}
			return fmt.Errorf("%d outputs", outs)
		})
		i := r.IntN(len(workers))
		workers[i].kill()
		t.Logf("killed %s at %d outputs", workers[i].name, outs)
		workers[i] = startProc(t, fmt.Sprintf("worker-%d.%d", i+1, k+1), args, workerEnv())
	}

	if err := <-published; err != nil {
		t.Fatal(err)
	}
	waitSettled(t, js, n, 3*time.Minute)
	for _, w := range workers {
		w.stop(t, time.Minute)
	}
	account(t, js, arts)
}

func mustStream(t *testing.T, js jetstream.JetStream, name string) jetstream.Stream {
	t.Helper()
	s, err := js.Stream(testkit.Context(t, 10*time.Second), name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// memSeries are the worker's memory gauges the stall test watches: the
// live heap and resident memory, which it compares, then the heap in use,
// which it logs.
var memSeries = []string{"go_gc_heap_live_bytes", "process_resident_memory_bytes", "go_memstats_heap_inuse_bytes"}

// memRange is the lowest and highest value of a gauge over a period.
type memRange struct{ low, high float64 }

// memRanges samples the worker's memory gauges every 50ms while cond
// returns an error, and returns the range of each once it returns nil.
func memRanges(t *testing.T, addr string, d time.Duration, what string, cond func() error) map[string]memRange {
	t.Helper()
	ranges := map[string]memRange{}
	testkit.WaitFor(t, d, what, func() error {
		m, err := metrics(addr, memSeries...)
		if err != nil {
			return err
		}
		for k, v := range m {
			r, ok := ranges[k]
			if !ok {
				r.low = v
			}
			ranges[k] = memRange{low: min(r.low, v), high: max(r.high, v)}
		}
		return cond()
	})
	return ranges
}

// retryLine is the part of the bus's "article failed, will retry" log
// line the stall test reads.
type retryLine struct {
	Msg        string        `json:"msg"`
	StreamSeq  uint64        `json:"stream_seq"`
	Deliveries uint64        `json:"deliveries"`
	Delay      time.Duration `json:"delay"`
}

// TestChaosStalledOutput fills the output stream to a hard limit (MaxMsgs
// with DiscardNew, so every publish fails) while a backlog arrives, checks
// that the worker retries with a growing delay and that its memory stays
// flat, lifts the limit, and accounts for every article, none of them
// dead-lettered for too many deliveries.
func TestChaosStalledOutput(t *testing.T) {
	const (
		healthy = 1000
		backlog = 4000
		stall   = 12 * time.Second
		// maxAckPending bounds the messages the worker holds.
		maxAckPending = 512
	)
	r := newRand(t)
	corpus := loadCorpus(t)
	pathA, artsA := genArticles(t, r, corpus, "healthy", healthy, 3, 6)
	pathB, artsB := genArticles(t, r, corpus, "backlog", backlog, 3, 10)
	url := natstest.StartServer(t)
	js := connect(t, url)

	w := startProc(t, "worker", workerArgs(url, "-metrics-addr", "127.0.0.1:0", "-max-deliver", "100",
		"-max-ack-pending", fmt.Sprint(maxAckPending)), workerEnv())
	addr := w.waitLog(t, time.Minute, "http server listening").Addr
	w.waitLog(t, 2*time.Minute, "consuming")

	// The healthy phase shows the memory of normal work, for the log.
	published := publishAsync(t, js, pathA, healthy)
	base := memRanges(t, addr, 2*time.Minute, "the healthy articles", func() error {
		got, err := streamMsgs(t, js, outStream)
		if err == nil && got < healthy {
			err = fmt.Errorf("%d outputs stored", got)
		}
		return err
	})
	if err := <-published; err != nil {
		t.Fatal(err)
	}
	waitSettled(t, js, healthy, time.Minute)

	out := mustStream(t, js, outStream)
	info, err := out.Info(testkit.Context(t, 10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	healthyCfg := info.Config
	limited := healthyCfg
	limited.MaxMsgs = healthy
	limited.Discard = jetstream.DiscardNew
	if _, err := js.UpdateStream(testkit.Context(t, 10*time.Second), limited); err != nil {
		t.Fatal(err)
	}
	logged := len(w.logs.String())

	// The worker takes in at most -max-ack-pending messages, all of which
	// fail while the stall lasts; once it holds them all, its memory must
	// stay flat however long the stall goes on. Compare the two halves of
	// the stall from then on.
	published = publishAsync(t, js, pathB, backlog)
	testkit.WaitFor(t, time.Minute, fmt.Sprintf("the worker to hold %d messages", maxAckPending), func() error {
		ctx := testkit.Context(t, 5*time.Second)
		c, err := js.Consumer(ctx, rawStream, durable)
		if err != nil {
			return err
		}
		info, err := c.Info(ctx)
		if err != nil {
			return err
		}
		if info.NumAckPending < maxAckPending {
			return fmt.Errorf("%d unacknowledged", info.NumAckPending)
		}
		return nil
	})
	full := time.Now()
	until := func(at time.Time) func() error {
		return func() error {
			if time.Now().Before(at) {
				return fmt.Errorf("stalled")
			}
			return nil
		}
	}
	first := memRanges(t, addr, stall, "the first half of the stall", until(full.Add(stall/2)))
	second := memRanges(t, addr, stall, "the second half of the stall", until(full.Add(stall)))
	if err := <-published; err != nil {
		t.Fatal(err)
	}
	if got, err := streamMsgs(t, js, outStream); err != nil || got != healthy {
		t.Fatalf("output stream holds %d messages (%v) during the stall, want its limit %d", got, err, healthy)
	}
	checkBackoff(t, w.logs.String()[logged:])
	mib := func(r memRange) string { return fmt.Sprintf("%.1f-%.1f MiB", r.low/(1<<20), r.high/(1<<20)) }
	for _, name := range memSeries {
		t.Logf("%s: healthy %s, stall first half %s, second half %s", name, mib(base[name]), mib(first[name]), mib(second[name]))
	}
	// The live heap (as the last collection found it) must not creep up.
	// The heap in use is only logged: it also holds garbage, and a worker
	// idle behind the stall allocates too little to start a collection for
	// seconds, so its lows can stay high for a whole half (a CI run saw
	// 97 MiB in the first half, 116 MiB in the second, with no growth of
	// what is live). Resident memory is rarely given back and follows the
	// heap's highs, so only its highs compare, with more room.
	live, rss := memSeries[0], memSeries[1]
	if second[live].high > first[live].high*1.1 {
		t.Errorf("%s grew during the stall: %s in its first half, %s in its second", live, mib(first[live]), mib(second[live]))
	}
	if second[rss].high > first[rss].high*1.25 {
		t.Errorf("%s grew during the stall: %s in its first half, %s in its second", rss, mib(first[rss]), mib(second[rss]))
	}

	if _, err := js.UpdateStream(testkit.Context(t, 10*time.Second), healthyCfg); err != nil {
		t.Fatal(err)
	}
	recovering := time.Now()
	waitSettled(t, js, healthy+backlog, 2*time.Minute)
	t.Logf("recovered %d articles in %s after the limit was lifted", backlog, time.Since(recovering).Round(time.Millisecond))
	w.stop(t, time.Minute)
	tl := account(t, js, append(artsA, artsB...))
	if n := tl.reasons[pipeline.ReasonMaxDeliveries]; n > 0 {
		t.Errorf("%d articles dead-lettered for too many deliveries; a stall must delay articles, not lose them", n)
	}
}

// checkBackoff checks the retries a worker logged during a stall: there
// are some, each waits before the next delivery, and the wait of one
// message never shrinks as its deliveries grow.
func checkBackoff(t *testing.T, logs string) {
	t.Helper()
	last := map[uint64]retryLine{}
	retries := 0
	sc := bufio.NewScanner(strings.NewReader(logs))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l retryLine
		if json.Unmarshal(sc.Bytes(), &l) != nil || l.Msg != "article failed, will retry" {
			continue
		}
		retries++
		if l.Delay <= 0 {
			t.Errorf("message %d retried with no delay on delivery %d", l.StreamSeq, l.Deliveries)
		}
		if prev, ok := last[l.StreamSeq]; ok && l.Deliveries > prev.Deliveries && l.Delay < prev.Delay {
			t.Errorf("message %d: delay %s on delivery %d, shorter than %s on delivery %d", l.StreamSeq, l.Delay, l.Deliveries, prev.Delay, prev.Deliveries)
		}
		last[l.StreamSeq] = l
	}
	maxDeliveries := uint64(0)
	for _, l := range last {
		maxDeliveries = max(maxDeliveries, l.Deliveries)
	}
	t.Logf("%d retries of %d messages during the stall, at most %d deliveries each", retries, len(last), maxDeliveries)
	if retries == 0 {
		t.Error("no retries logged while the output stream was full")
	}
}
