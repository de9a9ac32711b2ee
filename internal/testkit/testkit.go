// Package testkit holds the small helpers wiredesk's tests share: a context
// bounded by the test, and polling a condition until a deadline instead of
// sleeping (nats.go's checkFor).
package testkit

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"
)

// Context returns a context cancelled after d or when the test ends.
func Context(t testing.TB, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// WaitFor calls cond every few milliseconds until it returns nil, and fails
// the test with cond's last error if d passes first.
func WaitFor(t testing.TB, d time.Duration, what string, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s: %v", d, what, err)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// Buffer is a goroutine-safe bytes.Buffer for logs written by one
// goroutine and read by the test.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// WaitUntil is [WaitFor] for a condition that has no error to report.
func WaitUntil(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	WaitFor(t, d, what, func() error {
		if cond() {
			return nil
		}
		return errors.New("condition not met")
	})
}

// RandomTexts returns n texts, each of up to maxPieces pieces drawn from
// pieces, the same for the same seeds: inputs that hit the edge cases of a
// text scanner far more often than prose does.
func RandomTexts(seed1, seed2 uint64, n, maxPieces int, pieces []string) []string {
	rng := rand.New(rand.NewPCG(seed1, seed2))
	texts := make([]string, n)
	for i := range texts {
		var b strings.Builder
		for range rng.IntN(maxPieces) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		texts[i] = b.String()
	}
	return texts
}
