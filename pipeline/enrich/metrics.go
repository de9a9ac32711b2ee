package enrich

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics is nil when the enricher was built without a registry.
type metrics struct {
	language *prometheus.CounterVec
}

// newMetrics registers the enricher's series on reg, with every label
// value (the configured languages and [Undetermined]) initialised to 0. The
// label set is bounded because the detector only ever answers with a
// configured language. It returns nil metrics for a nil reg.
func newMetrics(reg prometheus.Registerer, languages []string) (*metrics, error) {
	if reg == nil {
		return nil, nil
	}
	m := &metrics{
		language: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wiredesk_enrich_language_total",
			Help: "Articles enriched, by detected ISO 639-1 language (und when undetermined).",
		}, []string{"language"}),
	}
	if err := reg.Register(m.language); err != nil {
		return nil, fmt.Errorf("register enrich metrics: %w", err)
	}
	for _, l := range languages {
		m.language.WithLabelValues(l)
	}
	m.language.WithLabelValues(Undetermined)
	return m, nil
}

func (m *metrics) observeLanguage(code string) {
	if m == nil {
		return
	}
	m.language.WithLabelValues(code).Inc()
}
