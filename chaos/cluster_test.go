package chaos

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wiredesk/wiredesk/internal/testkit"

	"github.com/nats-io/nats-server/v2/server"
)

// cluster is an in-process JetStream cluster on loopback ports. Each node
// keeps its ports and store across a restart, as a real node would.
type cluster struct {
	t           *testing.T
	name        string
	dir         string
	clientPorts []int
	routePorts  []int
	nodes       []*server.Server // nil while a node is down
}

// freePorts reserves n loopback ports by listening on them and releasing
// them together, so that they are distinct.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	ports := make([]int, n)
	for i := range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		ports[i] = ln.Addr().(*net.TCPAddr).Port
	}
	return ports
}

// startCluster starts an n-node cluster and waits until its JetStream meta
// group has a leader; the nodes shut down when the test ends.
func startCluster(t *testing.T, n int) *cluster {
	t.Helper()
	ports := freePorts(t, 2*n)
	c := &cluster{t: t, name: "chaos", dir: t.TempDir(), clientPorts: ports[:n], routePorts: ports[n:], nodes: make([]*server.Server, n)}
	t.Cleanup(func() {
		for i := range c.nodes {
			c.stop(i)
		}
	})
	for i := range n {
		c.start(i)
	}
	c.waitReady(time.Minute)
	return c
}

func (c *cluster) options(i int) *server.Options {
	var routes []string
	for j, p := range c.routePorts {
		if j != i {
			routes = append(routes, fmt.Sprintf("nats://127.0.0.1:%d", p))
		}
	}
	return &server.Options{
		ServerName: fmt.Sprintf("n%d", i),
		Host:       "127.0.0.1",
		Port:       c.clientPorts[i],
		JetStream:  true,
		StoreDir:   filepath.Join(c.dir, fmt.Sprintf("n%d", i)),
		// Explicit limits: the defaults are a share of the machine's
		// memory and disk, which CI runners size differently.
		JetStreamMaxMemory: 256 << 20,
		JetStreamMaxStore:  8 << 30,
		Cluster: server.ClusterOpts{
			Name: c.name,
			Host: "127.0.0.1",
			Port: c.routePorts[i],
		},
		Routes: server.RoutesFromStr(strings.Join(routes, ",")),
		NoLog:  true,
		NoSigs: true,
	}
}

// start starts node i (again) on its ports and store.
func (c *cluster) start(i int) {
	c.t.Helper()
	s, err := server.NewServer(c.options(i))
	if err != nil {
		c.t.Fatalf("node %d: %v", i, err)
	}
	go s.Start()
	if !s.ReadyForConnections(30 * time.Second) {
		s.Shutdown()
		c.t.Fatalf("node %d not ready for connections after 30s", i)
	}
	c.nodes[i] = s
}

// stop shuts node i down and waits until it has; stopping a stopped node
// does nothing.
func (c *cluster) stop(i int) {
	if s := c.nodes[i]; s != nil {
		s.Shutdown()
		s.WaitForShutdown()
		c.nodes[i] = nil
	}
}

// restart starts a stopped node and waits until the cluster is ready.
func (c *cluster) restart(i int) {
	c.t.Helper()
	c.start(i)
	c.waitReady(time.Minute)
}

// waitReady waits until every running node is clustered and current with
// the JetStream meta group, which has a leader.
func (c *cluster) waitReady(d time.Duration) {
	c.t.Helper()
	testkit.WaitFor(c.t, d, "the JetStream cluster", func() error {
		leader := false
		for i, s := range c.nodes {
			if s == nil {
				continue
			}
			if !s.JetStreamIsClustered() || !s.JetStreamIsCurrent() {
				return fmt.Errorf("node %d not current", i)
			}
			leader = leader || s.JetStreamIsLeader()
		}
		if !leader {
			return errors.New("no meta leader")
		}
		return nil
	})
}

// urls is every node's client URL, comma-separated, as -nats-url takes it.
func (c *cluster) urls() string {
	u := make([]string, len(c.clientPorts))
	for i, p := range c.clientPorts {
		u[i] = fmt.Sprintf("nats://127.0.0.1:%d", p)
	}
	return strings.Join(u, ",")
}

// index returns the index of the node named name, or -1.
func (c *cluster) index(name string) int {
	for i := range c.clientPorts {
		if fmt.Sprintf("n%d", i) == name {
			return i
		}
	}
	return -1
}
