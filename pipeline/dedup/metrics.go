package dedup

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	articles  prometheus.Gauge
	decisions *prometheus.CounterVec
	// The series of decisions, one per decision, resolved once: finding
	// a series by its label costs more than counting in it.
	duplicates, sameStories, newStories prometheus.Counter
	similarity                          prometheus.Histogram
	storySize                           prometheus.Histogram
	evictions                           prometheus.Counter
}

// newMetrics builds the index metrics and registers them with reg; a nil
// reg leaves them unregistered (they still count, unseen).
func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		articles: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "wiredesk_dedup_index_articles",
			Help: "Articles held in the dedup window.",
		}),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wiredesk_dedup_decisions_total",
			Help: "Dedup decisions, by decision.",
		}, []string{"decision"}),
		// Best-match similarity is a cosine in [0, 1]. Steps of 0.05 up
		// to 1 resolve both the story threshold (around 0.3) and the
		// band of duplicates (0.6 and up), so a threshold can be re-tuned
		// from the histogram alone; 20 buckets are cheap for one series.
		similarity: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "wiredesk_dedup_similarity",
			Help:    "Similarity of each article to its best earlier match (0 when none).",
			Buckets: prometheus.LinearBuckets(0.05, 0.05, 20),
		}),
		// Stories run from one report to a few dozen within a window (the
		// development data peaks at 33), with a long tail for breaking
		// news: powers of two to 512 cover that at constant relative error.
		storySize: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "wiredesk_dedup_story_size",
			Help:    "Size of the story an article joined, the article included.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 10),
		}),
		evictions: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "wiredesk_dedup_evictions_total",
			Help: "Articles expired from the dedup window.",
		}),
	}
	m.duplicates = m.decisions.WithLabelValues(DecisionDuplicate)
	m.sameStories = m.decisions.WithLabelValues(DecisionSameStory)
	m.newStories = m.decisions.WithLabelValues(DecisionNewStory)
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.articles, m.decisions, m.similarity, m.storySize, m.evictions} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register dedup metrics: %w", err)
		}
	}
	return m, nil
}
