package feed

import "github.com/prometheus/client_golang/prometheus"

// metrics are the publisher's series.
type metrics struct {
	articles *prometheus.CounterVec
	inFlight prometheus.Gauge
	duration prometheus.Histogram
}

// newMetrics builds the series, registers them with reg unless it is nil,
// and zeroes every result label.
func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		articles: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wiredesk_publisher_articles_total",
			Help: "Articles handled by the publisher, by result.",
		}, []string{"result"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "wiredesk_publisher_in_flight",
			Help: "Publishes awaiting their JetStream acknowledgement.",
		}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "wiredesk_publisher_publish_duration_seconds",
			Help: "Time from the first publish attempt of an article to its acknowledgement, retries included.",
			// A local file-store ack takes about a millisecond and a full
			// in-flight window queues for tens of milliseconds; retries
			// after an ack timeout take seconds. 1ms to ~10s in ×2.5 steps.
			Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 11),
		}),
	}
	for _, r := range results {
		m.articles.WithLabelValues(string(r))
	}
	if reg != nil {
		reg.MustRegister(m.articles, m.inFlight, m.duration)
	}
	return m
}
