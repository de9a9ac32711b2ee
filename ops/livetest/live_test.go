package livetest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/wiredesk/wiredesk/ops/monitoring"
	"github.com/wiredesk/wiredesk/pipeline"
)

var articles = flag.Int("articles", 3000, "articles to generate and publish in TestDashboardsLive")

const (
	moduleRoot    = "../.."
	devData       = "../../../shared/eval/ecbplus/dev.jsonl"
	seedsDir      = moduleRoot + "/testdata/seeds"
	dashboardsDir = moduleRoot + "/dashboards"
	rulesFile     = moduleRoot + "/alerts/wiredesk.rules.yml"
	scrapeEvery   = time.Second
)

// binDir holds the worker and publisher built once for all tests.
var binDir string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "wiredesk-livetest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var buildOnce = sync.OnceValue(func() error {
	cmd := exec.Command("go", "build", "-o", binDir+string(filepath.Separator), "./cmd/worker", "./cmd/publisher")
	cmd.Dir = moduleRoot
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./cmd/worker ./cmd/publisher: %w\n%s", err, out)
	}
	return nil
})

// binary returns the path of a built command.
func binary(t *testing.T, name string) string {
	t.Helper()
	if err := buildOnce(); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(binDir, name)
}

// freeAddr returns a loopback address with a port nobody listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// process is a subprocess whose output goes to a log file that the test
// prints when it fails.
type process struct {
	name  string
	cmd   *exec.Cmd
	stdin io.WriteCloser // nil unless started withStdin
	done  chan struct{}
	err   error // set when done is closed
}

// stdinMode says whether a process gets a standard input pipe.
type stdinMode bool

const (
	noStdin   stdinMode = false
	withStdin stdinMode = true
)

// start runs bin with args and a minimal environment, so that WIREDESK_*
// and NATS_* variables of the caller cannot change the setup. It stops the
// process (SIGTERM, then SIGKILL) at cleanup.
func start(t *testing.T, name, bin string, stdin stdinMode, args ...string) *process {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	p := &process{name: name, cmd: cmd, done: make(chan struct{})}
	if stdin {
		// A pipe from StdinPipe, unlike an io.Reader, does not make Wait
		// wait for the input to end.
		if p.stdin, err = cmd.StdinPipe(); err != nil {
			t.Fatal(err)
		}
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.err = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.stop(10 * time.Second)
		if t.Failed() {
			printTail(t, name, logPath)
		}
	})
	return p
}

// stop sends SIGTERM, waits up to grace, then kills. It returns the exit
// error, nil for a clean exit.
func (p *process) stop(grace time.Duration) error {
	select {
	case <-p.done:
		return p.err
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return p.err
	case <-time.After(grace):
		p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("%s did not stop within %v of SIGTERM", p.name, grace)
	}
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

func printTail(t *testing.T, name, path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		return
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > 40 {
		lines = lines[len(lines)-40:]
	}
	t.Logf("last lines of %s's output:\n%s", name, strings.Join(lines, "\n"))
}

// checkFor polls cond every interval until it returns nil or timeout
// passes, when it fails the test with cond's last error.
func checkFor(t *testing.T, what string, timeout, interval time.Duration, procs []*process, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := cond()
		if err == nil {
			return
		}
		for _, p := range procs {
			if p.exited() {
				t.Fatalf("%s: %s exited early: %v (last check: %v)", what, p.name, p.err, err)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not done after %v: %v", what, timeout, err)
		}
		time.Sleep(interval)
	}
}

func httpOK(rawURL string) error {
	resp, err := http.Get(rawURL)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", rawURL, resp.Status)
	}
	return nil
}

// prometheus is a Prometheus server's HTTP API.
type prometheus struct{ base string }

// sample is one series of an instant query result.
type sample struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"`
}

// float returns the sample's value.
func (s sample) float() float64 {
	str, _ := s.Value[1].(string)
	f, err := strconv.ParseFloat(str, 64)
	if err != nil {
		return math.NaN()
	}
	return f
}

// query runs an instant query; the error carries Prometheus's message, for
// example a parse error.
func (p prometheus) query(expr string) ([]sample, error) {
	resp, err := http.PostForm(p.base+"/api/v1/query", url.Values{"query": {expr}})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var r struct {
		Status    string `json:"status"`
		ErrorType string `json:"errorType"`
		Error     string `json:"error"`
		Data      struct {
			ResultType string          `json:"resultType"`
			Result     json.RawMessage `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return nil, fmt.Errorf("query %q: decode response: %w", expr, err)
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("query %q: %s: %s", expr, r.ErrorType, r.Error)
	}
	switch r.Data.ResultType {
	case "vector":
		var out []sample
		err := json.Unmarshal(r.Data.Result, &out)
		return out, err
	case "scalar":
		var s sample
		err := json.Unmarshal(r.Data.Result, &s.Value)
		return []sample{s}, err
	}
	return nil, fmt.Errorf("query %q: unexpected result type %s", expr, r.Data.ResultType)
}

// value runs a query that must return exactly one sample.
func (p prometheus) value(expr string) (float64, error) {
	res, err := p.query(expr)
	if err != nil {
		return 0, err
	}
	if len(res) != 1 {
		return 0, fmt.Errorf("query %q returned %d series, want 1", expr, len(res))
	}
	return res[0].float(), nil
}

// startPrometheus runs Prometheus on loopback, scraping the worker and the
// publisher every scrapeEvery and evaluating the wiredesk rules as often.
func startPrometheus(t *testing.T, workerAddr, publisherAddr string) prometheus {
	t.Helper()
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		// CI installs Prometheus (.ci/ops-checks) and sets CI, so there the
		// test always runs; elsewhere `go test ./...` must work with only Go.
		if os.Getenv("CI") == "" {
			t.Skipf("prometheus is not installed (Debian: apt-get install -y prometheus); CI runs this test: %v", err)
		}
		t.Fatalf("TestDashboardsLive needs the prometheus binary on PATH; install it (Debian: apt-get install -y prometheus, as .ci/ops-checks does): %v", err)
	}
	rules, err := filepath.Abs(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := fmt.Sprintf(`global:
  scrape_interval: %[1]s
  scrape_timeout: %[1]s
  evaluation_interval: %[1]s
rule_files: [%[2]q]
scrape_configs:
  - job_name: wiredesk-worker
    static_configs: [{targets: [%[3]q]}]
  - job_name: wiredesk-publisher
    static_configs: [{targets: [%[4]q]}]
`, scrapeEvery, rules, workerAddr, publisherAddr)
	cfgPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	proc := start(t, "prometheus", bin, noStdin,
		"--config.file="+cfgPath,
		"--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr,
		"--log.level=warn")
	p := prometheus{base: "http://" + addr}
	checkFor(t, "prometheus ready", 30*time.Second, 100*time.Millisecond, []*process{proc},
		func() error { return httpOK(p.base + "/-/ready") })
	return p
}

// poison are raw messages no retry can fix; each must be dead-lettered.
var poison = [][]byte{
	[]byte("this is not json"),
	[]byte(`{"id": "livetest-empty", "text": "   "}`),
	[]byte("{\"id\": \"livetest-utf8\", \"text\": \"caf\xe9\"}"),
	[]byte(`{"text": "an article without an id"}`),
}

// publishPoison publishes the poison messages straight to the raw stream,
// past the publisher, which would reject them.
func publishPoison(t *testing.T, natsURL string) {
	t.Helper()
	nc, err := nats.Connect(natsURL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for _, msg := range poison {
		if _, err := js.Publish(ctx, pipeline.SubjectRawPrefix+".livetest", msg); err != nil {
			t.Fatalf("publish poison message: %v", err)
		}
	}
}

func TestDashboardsLive(t *testing.T) {
	began := time.Now()
	worker, publisher := binary(t, "worker"), binary(t, "publisher")
	natsAddr, workerAddr, publisherAddr := freeAddr(t), freeAddr(t), freeAddr(t)
	prom := startPrometheus(t, workerAddr, publisherAddr)

	w := start(t, "worker", worker, noStdin,
		"-data-dir="+t.TempDir(),
		"-embedded-listen="+natsAddr,
		"-metrics-addr="+workerAddr,
		"-log-format=json", "-log-level=warn")
	checkFor(t, "worker ready", 2*time.Minute, 200*time.Millisecond, []*process{w},
		func() error { return httpOK("http://" + workerAddr + "/readyz") })
	natsURL := "nats://" + natsAddr
	publishPoison(t, natsURL)

	// The publisher reads the generated articles from standard input, which
	// stays open until the checks are done: it keeps serving its metrics,
	// as a long-running feed would.
	lines := generate(t, *articles)
	pub := start(t, "publisher", publisher, withStdin,
		"-nats-url="+natsURL,
		"-metrics-addr="+publisherAddr,
		"-log-format=json", "-log-level=warn",
		seedsDir, "-")
	procs := []*process{w, pub}
	// Feed only once Prometheus has scraped the publisher, so its rates
	// see the publishing happen rather than only its final counts.
	checkFor(t, "publisher scraped", time.Minute, scrapeEvery, procs, func() error {
		up, err := prom.value(`max(up{job="wiredesk-publisher"})`)
		if err == nil && up != 1 {
			err = fmt.Errorf("publisher up = %v", up)
		}
		return err
	})
	fed := make(chan error, 1)
	go func() { fed <- feedSlowly(pub.stdin, lines) }()

	seeds, err := filepath.Glob(filepath.Join(seedsDir, "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	total := len(seeds) + len(lines)
	checkFor(t, "publisher done", 3*time.Minute, scrapeEvery, procs, func() error {
		n, err := prom.value(`sum(wiredesk_publisher_articles_total{job="wiredesk-publisher"})`)
		if err == nil && int(n) != total {
			err = fmt.Errorf("publisher handled %v of %d articles", n, total)
		}
		return err
	})
	if err := <-fed; err != nil {
		t.Fatalf("feed the publisher: %v", err)
	}
	published, err := prom.value(`sum(wiredesk_publisher_articles_total{job="wiredesk-publisher",result="published"})`)
	if err != nil {
		t.Fatal(err)
	}
	checkFor(t, "worker done", 5*time.Minute, scrapeEvery, procs, func() error {
		n, err := prom.value(`sum(wiredesk_articles_processed_total{job="wiredesk-worker"})`)
		if err != nil {
			return err
		}
		want := published + float64(len(poison))
		if n < want {
			return fmt.Errorf("worker finished %v of %v raw messages", n, want)
		}
		backlog, err := prom.value(`max(wiredesk_consumer_pending_messages{job="wiredesk-worker"}) + max(wiredesk_consumer_ack_pending_messages{job="wiredesk-worker"})`)
		if err == nil && backlog != 0 {
			err = fmt.Errorf("consumer backlog %v", backlog)
		}
		return err
	})
	if dl, err := prom.value(`sum(wiredesk_articles_processed_total{job="wiredesk-worker",outcome="dead_letter"})`); err != nil || dl < float64(len(poison)) {
		t.Errorf("dead letters = %v (%v), want at least the %d poison messages", dl, err, len(poison))
	}

	rules, err := monitoring.LoadRules(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	// Rules are evaluated every scrapeEvery; give the recording rules a few
	// rounds to see the finished work before requiring data. Grafana's
	// interval variables become a window that covers the whole run, so that
	// rates see every scrape of it.
	var (
		window   string
		queries  []query
		failures []string
	)
	checkFor(t, "dashboard queries return data", 30*time.Second, scrapeEvery, procs, func() error {
		window = fmt.Sprintf("%ds", int(time.Since(began).Seconds())+10)
		queries = dashboardQueries(t, window)
		failures = failures[:0]
		for _, q := range queries {
			if err := hasData(prom, q.expr); err != nil {
				failures = append(failures, fmt.Sprintf("%s: %v", q.where, err))
			}
		}
		if len(failures) > 0 {
			return fmt.Errorf("%d of %d queries failed:\n%s", len(failures), len(queries), strings.Join(failures, "\n"))
		}
		return nil
	})
	t.Logf("%d dashboard queries returned data over a %s window", len(queries), window)

	for _, r := range rules {
		if _, err := prom.query(r.Expr); err != nil {
			t.Errorf("rule %s: %v", r.Name, err)
		}
	}
	if err := rulesHealthy(prom, len(rules)); err != nil {
		t.Error(err)
	}

	pub.stdin.Close()
	select {
	case <-pub.done:
		if pub.err != nil {
			t.Errorf("publisher exited with %v after its input ended", pub.err)
		}
	case <-time.After(30 * time.Second):
		t.Error("publisher still running 30s after its input ended")
	}
	// Graceful termination: SIGTERM drains and exits cleanly within the
	// drain timeout (30s by default).
	if err := w.stop(40 * time.Second); err != nil {
		t.Errorf("worker stop: %v", err)
	}
}

type query struct{ where, expr string }

// dashboardQueries returns every panel query of every dashboard with the
// Grafana variables expanded.
func dashboardQueries(t *testing.T, window string) []query {
	t.Helper()
	ds, err := monitoring.LoadDashboards(dashboardsDir)
	if err != nil {
		t.Fatal(err)
	}
	var out []query
	for _, d := range ds {
		for _, p := range d.AllPanels() {
			for _, tg := range p.Targets {
				expr, err := d.Expand(tg.Expr, window)
				if err != nil {
					t.Fatalf("%s panel %q: %v", d.File, p.Title, err)
				}
				out = append(out, query{where: fmt.Sprintf("%s panel %q query %s", d.File, p.Title, tg.RefID), expr: expr})
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("the dashboards have no queries")
	}
	return out
}

// hasData requires a query to parse, run and return at least one sample
// with a number (not NaN, as 0/0 gives).
func hasData(p prometheus, expr string) error {
	res, err := p.query(expr)
	if err != nil {
		return err
	}
	for _, s := range res {
		if !math.IsNaN(s.float()) {
			return nil
		}
	}
	if len(res) == 0 {
		return fmt.Errorf("query %q returned no series", expr)
	}
	return fmt.Errorf("query %q returned only NaN", expr)
}

// rulesHealthy checks through /api/v1/rules that Prometheus loaded want
// rules and evaluated each without error.
func rulesHealthy(p prometheus, want int) error {
	resp, err := http.Get(p.base + "/api/v1/rules")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var r struct {
		Data struct {
			Groups []struct {
				Rules []struct {
					Name      string `json:"name"`
					Health    string `json:"health"`
					LastError string `json:"lastError"`
				} `json:"rules"`
			} `json:"groups"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return fmt.Errorf("decode /api/v1/rules: %w", err)
	}
	var errs []error
	n := 0
	for _, g := range r.Data.Groups {
		for _, rule := range g.Rules {
			n++
			if rule.Health != "ok" {
				errs = append(errs, fmt.Errorf("rule %s: health %q: %s", rule.Name, rule.Health, rule.LastError))
			}
		}
	}
	if n != want {
		errs = append(errs, fmt.Errorf("prometheus loaded %d rules, want %d", n, want))
	}
	return errors.Join(errs...)
}

// feedSlowly writes lines in chunks spread over a few seconds, so that the
// publisher's metrics are scraped while it works.
func feedSlowly(w io.Writer, lines [][]byte) error {
	const chunks = 20
	bw := bufio.NewWriter(w)
	for i, line := range lines {
		if _, err := bw.Write(append(line, '\n')); err != nil {
			return err
		}
		if (i+1)%max(1, len(lines)/chunks) == 0 {
			if err := bw.Flush(); err != nil {
				return err
			}
			time.Sleep(scrapeEvery / 4)
		}
	}
	return bw.Flush()
}
