package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Time limits of the worker processes' lifecycle.
const (
	readyTimeout = 3 * time.Minute // loading the entity model takes seconds on a busy machine
	stopTimeout  = time.Minute     // the worker's own drain timeout is 30s
)

// buildWorker builds cmd/worker into dir and returns the binary's path.
func buildWorker(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "worker")
	out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/wiredesk/wiredesk/cmd/worker").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("build worker: %w\n%s", err, out)
	}
	return bin, nil
}

// lockedWriter serialises the lines the worker processes forward.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// proc is a running worker process. Its log (JSON lines on stderr) tells
// when it consumes; warnings and errors are forwarded, a bounded number.
type proc struct {
	name   string
	cmd    *exec.Cmd
	ready  chan struct{}
	exited chan struct{}
	err    error    // of the process, set before exited closes
	tail   []string // last log lines, set before exited closes
}

// maxForwarded bounds the warning and error lines forwarded per process.
const maxForwarded = 20

// startProc starts cmd, whose logger writes JSON lines to stderr.
func startProc(name string, cmd *exec.Cmd, forward io.Writer) (*proc, error) {
	pipe, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, ready: make(chan struct{}), exited: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(pipe)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		ready, forwarded := false, 0
		for sc.Scan() {
			line := sc.Text()
			if !ready && strings.Contains(line, `"msg":"consuming"`) {
				ready = true
				close(p.ready)
			}
			if forwarded < maxForwarded && (strings.Contains(line, `"level":"WARN"`) || strings.Contains(line, `"level":"ERROR"`)) {
				forwarded++
				fmt.Fprintf(forward, "%s: %s\n", name, line)
			}
			if len(p.tail) == 10 {
				p.tail = p.tail[1:]
			}
			p.tail = append(p.tail, line)
		}
		_, _ = io.Copy(io.Discard, pipe)
		p.err = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// waitReady waits until every process consumes. It returns an error if
// one exits first or ctx ends.
func waitReady(ctx context.Context, procs []*proc) error {
	timeout := time.After(readyTimeout)
	for _, p := range procs {
		select {
		case <-p.ready:
		case <-p.exited:
			return fmt.Errorf("%s exited before consuming: %v\n%s", p.name, p.err, strings.Join(p.tail, "\n"))
		case <-timeout:
			return fmt.Errorf("%s not consuming after %s", p.name, readyTimeout)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// stop asks the process to drain and exit (SIGTERM), killing it if it has
// not within stopTimeout. It returns an error if the process failed.
func (p *proc) stop() error {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(stopTimeout):
		_ = p.cmd.Process.Kill()
		<-p.exited
		return fmt.Errorf("%s did not stop within %s", p.name, stopTimeout)
	}
	if p.err != nil {
		return fmt.Errorf("%s: %w\n%s", p.name, p.err, strings.Join(p.tail, "\n"))
	}
	return nil
}
