package opstest

import (
	"maps"
	"net"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"sigs.k8s.io/yaml"
)

const (
	composeFile       = "../../docker-compose.yml"
	composeNATS       = "../../deploy/compose/nats.conf"
	composePrometheus = "../../deploy/compose/prometheus.yml"
)

func TestComposeNATSConfig(t *testing.T) {
	opts, err := server.ProcessConfigFile(composeNATS)
	if err != nil {
		t.Fatalf("nats-server rejects %s: %v", composeNATS, err)
	}
	if !opts.JetStream || opts.StoreDir == "" {
		t.Errorf("JetStream = %v with store %q, want enabled with a store", opts.JetStream, opts.StoreDir)
	}
	if opts.HTTPPort != 8222 {
		t.Errorf("monitoring port = %d, want 8222 (scraped by the exporters, read by KEDA)", opts.HTTPPort)
	}
	var routes []string
	for _, r := range opts.Routes {
		routes = append(routes, r.Host)
	}
	if want := []string{"nats-1:6222", "nats-2:6222", "nats-3:6222"}; !slices.Equal(routes, want) || opts.Cluster.Port != 6222 {
		t.Errorf("cluster port %d, routes %v, want 6222 and %v", opts.Cluster.Port, routes, want)
	}
}

// composeService is the part of a compose service the checks read.
type composeService struct {
	Image           string            `json:"image"`
	Entrypoint      []string          `json:"entrypoint"`
	Command         []string          `json:"command"`
	Environment     map[string]string `json:"environment"`
	StopGracePeriod string            `json:"stop_grace_period"`
	ReadOnly        bool              `json:"read_only"`
	CapDrop         []string          `json:"cap_drop"`
}

func loadCompose(t *testing.T) map[string]composeService {
	t.Helper()
	data, err := os.ReadFile(composeFile)
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Services map[string]composeService `json:"services"`
	}
	if err := yaml.Unmarshal(data, &c); err != nil {
		t.Fatalf("decode %s: %v", composeFile, err)
	}
	return c.Services
}

// flagValue returns the value of -name=value in args.
func flagValue(args []string, name string) string {
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, "-"+name+"="); ok {
			return v
		}
	}
	return ""
}

func TestComposeMatchesPrometheus(t *testing.T) {
	services := loadCompose(t)
	data, err := os.ReadFile(composePrometheus)
	if err != nil {
		t.Fatal(err)
	}
	var prom struct {
		ScrapeConfigs []struct {
			JobName       string `json:"job_name"`
			StaticConfigs []struct {
				Targets []string `json:"targets"`
			} `json:"static_configs"`
		} `json:"scrape_configs"`
	}
	if err := yaml.Unmarshal(data, &prom); err != nil {
		t.Fatal(err)
	}
	scraped := map[string]string{} // service → job
	for _, sc := range prom.ScrapeConfigs {
		for _, st := range sc.StaticConfigs {
			for _, target := range st.Targets {
				host, port, err := net.SplitHostPort(target)
				if err != nil {
					t.Fatalf("job %s target %q: %v", sc.JobName, target, err)
				}
				if host == "localhost" {
					continue
				}
				s, ok := services[host]
				if !ok {
					t.Errorf("job %s scrapes %s, which is no compose service", sc.JobName, target)
					continue
				}
				scraped[host] = sc.JobName
				if addr := flagValue(s.Command, "metrics-addr"); strings.HasPrefix(sc.JobName, "wiredesk-") && addr != "0.0.0.0:"+port {
					t.Errorf("job %s scrapes %s, but the service serves metrics on %q", sc.JobName, target, addr)
				}
			}
		}
	}
	// An exporter scraped on behalf of a NATS node covers that node.
	for _, name := range slices.Collect(maps.Keys(scraped)) {
		for _, arg := range services[name].Command {
			if node, ok := strings.CutPrefix(arg, "http://"); ok {
				host, _, _ := strings.Cut(node, ":")
				scraped[host] = scraped[name]
			}
		}
	}
	for name := range services {
		if _, ok := scraped[name]; !ok && name != "prometheus" {
			t.Errorf("compose service %s is not scraped by Prometheus", name)
		}
	}
}

func TestComposeWorkers(t *testing.T) {
	services := loadCompose(t)
	var nodes []string
	for name := range services {
		if strings.HasPrefix(name, "nats-") && !strings.HasPrefix(name, "nats-exporter") {
			nodes = append(nodes, "nats://"+name+":4222")
		}
	}
	slices.Sort(nodes)
	workers := 0
	for name, s := range services {
		if !strings.HasPrefix(name, "worker-") && name != "publisher" {
			continue
		}
		if got, want := s.Environment["NATS_URL"], strings.Join(nodes, ","); got != want {
			t.Errorf("%s NATS_URL = %q, want every node: %q", name, got, want)
		}
		if !s.ReadOnly || !slices.Equal(s.CapDrop, []string{"ALL"}) {
			t.Errorf("%s: read_only %v, cap_drop %v, want a read-only root and no capabilities", name, s.ReadOnly, s.CapDrop)
		}
		if name == "publisher" {
			continue
		}
		workers++
		if got := flagValue(s.Command, "replicas"); got != "3" {
			t.Errorf("%s -replicas = %q, want 3 on the three-node cluster", name, got)
		}
		drain, err := time.ParseDuration(flagValue(s.Command, "drain-timeout"))
		if err != nil {
			t.Fatalf("%s -drain-timeout: %v", name, err)
		}
		grace, err := time.ParseDuration(s.StopGracePeriod)
		if err != nil || grace <= drain {
			t.Errorf("%s stop_grace_period = %q, want more than -drain-timeout %v", name, s.StopGracePeriod, drain)
		}
	}
	if workers != 2 || len(nodes) != 3 {
		t.Errorf("compose has %d workers and %d NATS nodes, want 2 and 3", workers, len(nodes))
	}
}
