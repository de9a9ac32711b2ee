package chaos

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/wiredesk/wiredesk/internal/testkit"
)

var seedFlag = flag.Uint64("chaos.seed", 0, "seed of the chaos tests' random choices (0: from the clock)")

// newRand returns the test's random source and logs its seed.
func newRand(t *testing.T) *rand.Rand {
	t.Helper()
	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (replay with -chaos.seed=%d)", seed, seed)
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	binDir    string
)

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// workerBinary builds cmd/worker once per test binary, without -race so the
// workers run at the speed they have in production.
func workerBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		if binDir, buildErr = os.MkdirTemp("", "wiredesk-chaos-"); buildErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "worker")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/wiredesk/wiredesk/cmd/worker").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// proc is one worker process.
type proc struct {
	name string
	cmd  *exec.Cmd
	logs *testkit.Buffer
	done chan struct{} // closed once the process has exited
	err  error         // its exit status, set before done closes
}

// workerEnv is the test process's environment without the variables the
// worker reads, plus extra.
func workerEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "NATS_") && !strings.HasPrefix(kv, "WIREDESK_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// startProc starts the worker binary with args and env (see [workerEnv]);
// the test kills it at the end if it still runs.
func startProc(t *testing.T, name string, args, env []string) *proc {
	t.Helper()
	p := &proc{name: name, logs: &testkit.Buffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(workerBinary(t), args...)
	p.cmd.Env = env
	p.cmd.Stderr = p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		if !t.Failed() {
			p.kill()
			return
		}
		// A failed run keeps the worker's logs, ending with the stacks of
		// all its goroutines (SIGQUIT) to show where a stuck one waits.
		if !p.exited() {
			_ = p.cmd.Process.Signal(syscall.SIGQUIT)
			select {
			case <-p.done:
			case <-time.After(5 * time.Second):
			}
		}
		p.kill()
		path := filepath.Join(t.ArtifactDir(), name+".log")
		if err := os.WriteFile(path, []byte(p.logs.String()), 0o644); err != nil {
			t.Log(err)
		}
		t.Logf("%s logs in %s (kept with go test -artifacts); last 2 KiB:\n%s", name, path, tail(p.logs.String(), 2048))
	})
	return p
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}

// kill sends SIGKILL and waits for the process to exit.
func (p *proc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// stop asks the process to shut down gracefully (SIGTERM) and waits for it;
// it fails the test if the worker does not exit cleanly within d.
func (p *proc) stop(t *testing.T, d time.Duration) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		if p.err != nil {
			t.Errorf("%s exited with %v", p.name, p.err)
		}
	case <-time.After(d):
		t.Errorf("%s still running %s after SIGTERM", p.name, d)
		p.kill()
	}
}

// exited reports whether the process has exited.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// logLine is the part of a worker's JSON log line the tests read.
type logLine struct {
	Msg  string `json:"msg"`
	Addr string `json:"addr"`
}

// waitLog waits until the worker logs msg (JSON log format) and returns the
// line; it fails the test if the worker exits first.
func (p *proc) waitLog(t *testing.T, d time.Duration, msg string) logLine {
	t.Helper()
	var found logLine
	testkit.WaitFor(t, d, fmt.Sprintf("%s to log %q", p.name, msg), func() error {
		sc := bufio.NewScanner(strings.NewReader(p.logs.String()))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var l logLine
			if json.Unmarshal(sc.Bytes(), &l) == nil && l.Msg == msg {
				found = l
				return nil
			}
		}
		if p.exited() {
			t.Fatalf("%s exited (%v) before logging %q; logs:\n%s", p.name, p.err, msg, tail(p.logs.String(), 4096))
		}
		return errors.New("not yet")
	})
	return found
}

// metrics fetches the worker's /metrics from addr and returns the value of
// each unlabelled series named in names.
func metrics(addr string, names ...string) (map[string]float64, error) {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	got := map[string]float64{}
	for _, line := range strings.Split(string(body), "\n") {
		name, value, ok := strings.Cut(line, " ")
		if !ok || !want[name] {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			return nil, fmt.Errorf("metric %s: %w", name, err)
		}
		got[name] = v
	}
	for _, n := range names {
		if _, ok := got[n]; !ok {
			return nil, fmt.Errorf("metric %s not exposed", n)
		}
	}
	return got, nil
}
