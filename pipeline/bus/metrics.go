package bus

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/wiredesk/wiredesk/pipeline"
)

// Outcomes of one raw message, the values of the outcome label.
const (
	outcomeEnriched   = "enriched"
	outcomeDuplicate  = "duplicate"
	outcomeDeadLetter = "dead_letter"
	outcomeDropped    = "dropped"
)

// Stage names measured by the consumer itself; the processing stages add
// their own names through [Consumer.Measure].
const (
	stageDecode  = "decode"
	stagePublish = "publish"
)

// KnownStages are the stage label values zeroed at start-up.
var KnownStages = []string{stageDecode, "clean", "dedup", "enrich", stagePublish}

type metrics struct {
	received      prometheus.Counter
	redeliveries  prometheus.Counter
	processed     *prometheus.CounterVec
	deadLetters   *prometheus.CounterVec
	stageDuration *prometheus.HistogramVec
	// decodeDuration and publishDuration are stageDuration's series of
	// the consumer's own stages, looked up once rather than per message.
	decodeDuration, publishDuration prometheus.Observer
	stageErrors                     *prometheus.CounterVec
	endToEnd                        prometheus.Histogram
	inFlight                        prometheus.Gauge
	publishErrors                   prometheus.Counter
	pending                         prometheus.Gauge
	ackPending                      prometheus.Gauge
	redelivered                     prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		received: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "wiredesk_messages_received_total",
			Help: "Raw messages delivered to this worker, redeliveries included.",
		}),
		redeliveries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "wiredesk_redeliveries_total",
			Help: "Raw messages delivered to this worker more than once.",
		}),
		processed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wiredesk_articles_processed_total",
			Help: "Raw messages finished and acknowledged, by outcome.",
		}, []string{"outcome"}),
		deadLetters: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wiredesk_dead_letters_total",
			Help: "Raw messages dead-lettered, by reason.",
		}, []string{"reason"}),
		// Stages take from a few microseconds (decode) to tens of
		// milliseconds (a publish waiting on a replicated store); the
		// buckets span 10µs to ~2.6s in factors of 4.
		stageDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "wiredesk_stage_duration_seconds",
			Help:    "Time spent in each pipeline stage per message.",
			Buckets: prometheus.ExponentialBuckets(10e-6, 4, 10),
		}, []string{"stage"}),
		stageErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wiredesk_stage_errors_total",
			Help: "Stage failures, by stage and kind (permanent or transient).",
		}, []string{"stage", "kind"}),
		// End-to-end latency is dominated by queueing: from milliseconds
		// on an idle worker to minutes behind a backlog. The buckets span
		// 5ms to 5min, with a boundary at 5s because the latency SLO (99%
		// of articles stored within 5s, alerts/ and the overview
		// dashboard) reads the le="5" bucket.
		endToEnd: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "wiredesk_end_to_end_latency_seconds",
			Help:    "Time from the raw article's publication in JetStream to its output being stored.",
			Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300},
		}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "wiredesk_messages_in_flight",
			Help: "Raw messages this worker is processing right now.",
		}),
		publishErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "wiredesk_publish_errors_total",
			Help: "Output publishes that failed and were retried by redelivery.",
		}),
		pending: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "wiredesk_consumer_pending_messages",
			Help: "Raw messages not yet delivered to any worker (consumer backlog), polled from consumer info.",
		}),
		ackPending: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "wiredesk_consumer_ack_pending_messages",
			Help: "Raw messages delivered to workers and not yet acknowledged, polled from consumer info.",
		}),
		redelivered: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "wiredesk_consumer_redelivered_messages",
			Help: "Raw messages currently redelivered and unacknowledged, polled from consumer info.",
		}),
	}
	m.decodeDuration = m.stageDuration.WithLabelValues(stageDecode)
	m.publishDuration = m.stageDuration.WithLabelValues(stagePublish)
	for _, o := range []string{outcomeEnriched, outcomeDuplicate, outcomeDeadLetter, outcomeDropped} {
		m.processed.WithLabelValues(o)
	}
	for _, r := range pipeline.Reasons {
		m.deadLetters.WithLabelValues(string(r))
	}
	for _, s := range KnownStages {
		m.stageDuration.WithLabelValues(s)
		m.stageErrors.WithLabelValues(s, "permanent")
		m.stageErrors.WithLabelValues(s, "transient")
	}
	if reg != nil {
		reg.MustRegister(m.received, m.redeliveries, m.processed, m.deadLetters, m.stageDuration,
			m.stageErrors, m.endToEnd, m.inFlight, m.publishErrors, m.pending, m.ackPending, m.redelivered)
	}
	return m
}
