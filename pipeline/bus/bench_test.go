package bus

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/wiredesk/wiredesk/internal/testkit"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/wiredesk/wiredesk/pipeline"
)

// BenchmarkConsumer measures the bus path alone (decode, republish, ack,
// with a stage that does nothing) on an in-process server: b.N raw
// articles, made from the seed articles, are stored first, then consumed.
// Allocations include the server's, which runs in the same process.
// cmd/loadbench measures the same path end to end with the server and
// publisher apart from the worker.
func BenchmarkConsumer(b *testing.B) {
	seeds, err := filepath.Glob("../../testdata/seeds/*.txt")
	if err != nil || len(seeds) == 0 {
		b.Fatalf("no seed articles in ../../testdata/seeds: %v", err)
	}
	var texts []string
	for _, p := range seeds {
		t, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		texts = append(texts, string(t))
	}
	for _, workers := range []int{1, 4} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			js := startJetStream(b)
			for i := range b.N {
				msg := nats.NewMsg(pipeline.SubjectRawPrefix + ".bench")
				msg.Data = article(fmt.Sprintf("bench-%d", i), texts[i%len(texts)])
				if _, err := js.PublishMsgAsync(msg, jetstream.WithMsgID(fmt.Sprintf("raw-bench-%d", i))); err != nil {
					b.Fatal(err)
				}
			}
			select {
			case <-js.PublishAsyncComplete():
			case <-time.After(time.Minute):
				b.Fatal("raw articles not stored within a minute")
			}
			c, err := NewConsumer(testkit.Context(b, 10*time.Second), js, Config{Workers: workers}, slog.New(slog.DiscardHandler), prometheus.NewRegistry())
			if err != nil {
				b.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			b.ReportAllocs()
			b.ResetTimer()
			go func() { done <- c.Run(ctx, pipeline.Chain(nil, c.Measure, pipeline.Recover)) }()
			testkit.WaitUntil(b, 5*time.Minute, "every output", func() bool { return outCount(b, js) == uint64(b.N) })
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "articles/s")
			cancel()
			if err := <-done; err != nil {
				b.Fatal(err)
			}
		})
	}
}
