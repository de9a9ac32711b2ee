package feed_test

import (
	"context"
	"os"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/wiredesk/wiredesk/pipeline"
	"github.com/wiredesk/wiredesk/pipeline/feed"
	"github.com/wiredesk/wiredesk/pipeline/natsconn/natstest"
)

// devStream is the shared development stream: 1,080 news articles, 2.2 MB.
const devStream = "../../../shared/eval/wire/dev-stream.jsonl"

// devStreamSize returns the size of the development stream; it fails (does
// not skip) when the shared data is missing.
func devStreamSize(b *testing.B) int64 {
	b.Helper()
	info, err := os.Stat(devStream)
	if err != nil {
		b.Fatalf("shared eval data missing: %v", err)
	}
	return info.Size()
}

// BenchmarkRead reads the development stream.
func BenchmarkRead(b *testing.B) {
	b.SetBytes(devStreamSize(b))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n = 0
		err := feed.Read(context.Background(), []string{devStream}, nil, func(it feed.Item) error {
			if it.Err != nil {
				b.Fatalf("%s: %v", it.Origin, it.Err)
			}
			n++
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "articles/s")
}

// BenchmarkPublish publishes the development stream to an in-process
// JetStream server with a file store, into a fresh stream each time.
func BenchmarkPublish(b *testing.B) {
	b.SetBytes(devStreamSize(b))
	_, js := natstest.StartJetStream(b)
	p, err := feed.NewPublisher(js, feed.PublisherConfig{}, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var sum feed.Summary
	for b.Loop() {
		b.StopTimer()
		_ = js.DeleteStream(ctx, "RAW") // absent on the first round
		if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "RAW", Subjects: []string{pipeline.SubjectRawWildcard}}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if sum, err = p.Publish(ctx, []string{devStream}, nil); err != nil {
			b.Fatal(err)
		}
		if sum.Err() != nil || sum.AlreadyStored > 0 {
			b.Fatalf("summary %v, want every article published", sum)
		}
	}
	b.ReportMetric(float64(sum.Published)*float64(b.N)/b.Elapsed().Seconds(), "articles/s")
}
