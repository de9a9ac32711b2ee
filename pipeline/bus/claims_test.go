package bus

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/wiredesk/wiredesk/internal/testkit"
	"github.com/wiredesk/wiredesk/pipeline/embedded"
)

// startClaims starts a server with the wiredesk streams and claim bucket
// configured by s, and returns the URL and a [Claims] bound to it.
func startClaims(t *testing.T, s Streams) (string, *Claims) {
	t.Helper()
	srv, err := embedded.Start(embedded.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	js := connectJS(t, srv.URL())
	if err := EnsureStreams(testkit.Context(t, 10*time.Second), js, s); err != nil {
		t.Fatal(err)
	}
	c, err := NewClaims(testkit.Context(t, 5*time.Second), js, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	return srv.URL(), c
}

func connectJS(t testing.TB, url string) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// seenNone and seenOf are the seen callbacks of an index holding nothing,
// or only the given articles.
func seenNone(string) bool { return false }

func seenOf(ids ...string) func(string) bool {
	return func(id string) bool { return slices.Contains(ids, id) }
}

// TestClaims runs the claim rules in order against one bucket: first writer
// wins, the same article wins again, another loses (giving up every key)
// unless it has seen the holder, in which case it takes the key over, and
// an earlier article waits for a later one before losing to it.
func TestClaims(t *testing.T) {
	_, c := startClaims(t, Streams{})
	steps := []struct {
		name    string
		id      string
		seq     uint64
		keys    []string
		seen    func(string) bool
		claimed bool // want ErrClaimed
	}{
		{name: "fresh keys", id: "a", seq: 10, keys: []string{"k1", "k2"}, seen: seenNone},
		{name: "redelivery", id: "a", seq: 10, keys: []string{"k1", "k2"}, seen: seenNone},
		{name: "held by an earlier article not seen", id: "b", seq: 20, keys: []string{"k0", "k2"}, seen: seenNone, claimed: true},
		{name: "keys of a loser are released", id: "c", seq: 30, keys: []string{"k0"}, seen: seenNone},
		{name: "held by an article seen", id: "d", seq: 40, keys: []string{"k1", "k2"}, seen: seenOf("a")},
		{name: "taken over from a", id: "e", seq: 50, keys: []string{"k1"}, seen: seenOf("a"), claimed: true},
		{name: "held by a later article that keeps it", id: "f", seq: 5, keys: []string{"k0"}, seen: seenNone, claimed: true},
	}
	for _, st := range steps {
		err := c.Claim(testkit.Context(t, 5*time.Second), st.id, st.seq, st.keys, st.seen)
		if errors.Is(err, ErrClaimed) != st.claimed || (err != nil && !st.claimed) {
			t.Errorf("%s: Claim(%s, %q) = %v, want ErrClaimed: %v", st.name, st.id, st.keys, err, st.claimed)
		}
	}
	if got := testutil.ToFloat64(c.conflicts); got != 3 {
		t.Errorf("conflicts = %v, want 3", got)
	}
}

// TestClaimsExpire checks that a claim whose article never stores an
// output stops holding back the others after the TTL.
func TestClaimsExpire(t *testing.T) {
	_, c := startClaims(t, Streams{ClaimTTL: time.Second})
	ctx := testkit.Context(t, 20*time.Second)
	if err := c.Claim(ctx, "a", 1, []string{"k"}, seenNone); err != nil {
		t.Fatal(err)
	}
	if err := c.Claim(ctx, "b", 2, []string{"k"}, seenNone); !errors.Is(err, ErrClaimed) {
		t.Fatalf("Claim(b) = %v while a holds the key, want ErrClaimed", err)
	}
	start := time.Now()
	testkit.WaitFor(t, 10*time.Second, "a's claim to expire", func() error {
		return c.Claim(ctx, "b", 2, []string{"k"}, seenNone)
	})
	if d := time.Since(start); d < 500*time.Millisecond {
		t.Errorf("b won the key %s after losing it, want about the 1s TTL", d)
	}
}

// TestClaimsRace has two workers, each with its own connection, claim
// overlapping key sets for two articles at the same instant, many times:
// exactly one of each pair must win, never both and never neither.
func TestClaimsRace(t *testing.T) {
	url, c1 := startClaims(t, Streams{})
	c2, err := NewClaims(testkit.Context(t, 5*time.Second), connectJS(t, url), Streams{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	const rounds = 200
	for i := range rounds {
		// Five keys; each article claims a random three, the two sharing
		// at least one.
		pool := []string{"a", "b", "c", "d", "e"}
		r.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
		sets := [2][]string{slices.Clone(pool[:3]), slices.Clone(pool[2:])}
		var errs [2]error
		var wg sync.WaitGroup
		for w, c := range []*Claims{c1, c2} {
			keys := sets[w]
			for j := range keys {
				keys[j] = fmt.Sprintf("r%d-%s", i, keys[j])
			}
			slices.Sort(keys)
			wg.Go(func() {
				errs[w] = c.Claim(testkit.Context(t, 5*time.Second), fmt.Sprintf("w%d-%d", w, i), uint64(2*i+w+1), keys, seenNone)
			})
		}
		wg.Wait()
		won := 0
		for w, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, ErrClaimed):
				t.Fatalf("round %d, worker %d: %v", i, w, err)
			}
		}
		if won != 1 {
			t.Fatalf("round %d: %d articles won keys %q and %q, want exactly 1", i, won, sets[0], sets[1])
		}
	}
}

// BenchmarkClaim measures the claims of one first report: seven fresh keys,
// as many as pipeline/dedup claims at most.
func BenchmarkClaim(b *testing.B) {
	js := startJetStream(b)
	c, err := NewClaims(testkit.Context(b, 5*time.Second), js, Streams{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx := testkit.Context(b, time.Hour)
	i := 0
	for b.Loop() {
		keys := make([]string, 7)
		for j := range keys {
			keys[j] = fmt.Sprintf("k%d-%d", i, j)
		}
		if err := c.Claim(ctx, fmt.Sprint(i), uint64(i+1), keys, seenNone); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
