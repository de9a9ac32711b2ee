package chaos

import (
	"sync"
	"testing"
	"time"

	"github.com/wiredesk/wiredesk/internal/testkit"

	"github.com/wiredesk/wiredesk/pipeline/bus"
)

// Two workers starting together on a fresh cluster both run EnsureStreams.
func TestChaosConcurrentEnsureStreams(t *testing.T) {
	c := startCluster(t, 3)
	var wg sync.WaitGroup
	for i := range 2 {
		js := connect(t, c.urls())
		wg.Go(func() {
			start := time.Now()
			if err := bus.EnsureStreams(testkit.Context(t, 30*time.Second), js, bus.Streams{Replicas: 3}); err != nil {
				t.Errorf("worker %d: EnsureStreams: %v after %s", i, err, time.Since(start).Round(time.Millisecond))
			}
		})
	}
	wg.Wait()
}
