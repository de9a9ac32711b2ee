package opstest

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"sigs.k8s.io/yaml"
)

var update = flag.Bool("update", false, "rewrite generated files (deploy/base/prometheusrule.yaml) from their sources")

const (
	rulesFile          = "../../alerts/wiredesk.rules.yml"
	prometheusRuleFile = baseDir + "/prometheusrule.yaml"
)

const prometheusRuleHeader = `# Generated from alerts/wiredesk.rules.yml by
#   go test ./ops/opstest -run TestPrometheusRuleMatchesAlerts -update
# Do not edit; edit the rules file and regenerate.
`

// loadRuleGroups decodes a Prometheus rule file strictly into the Prometheus
// Operator's rule spec, whose fields are those of the rule file format.
func loadRuleGroups(t *testing.T) monitoringv1.PrometheusRuleSpec {
	t.Helper()
	data, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	var spec monitoringv1.PrometheusRuleSpec
	if err := decodeStrict(js, &spec); err != nil {
		t.Fatalf("decode %s: %v", rulesFile, err)
	}
	return spec
}

// renderPrometheusRule is the PrometheusRule manifest for spec.
func renderPrometheusRule(t *testing.T, spec monitoringv1.PrometheusRuleSpec) []byte {
	t.Helper()
	// A map, not the typed object: ObjectMeta would add creationTimestamp.
	out, err := yaml.Marshal(map[string]any{
		"apiVersion": "monitoring.coreos.com/v1",
		"kind":       "PrometheusRule",
		"metadata": map[string]any{
			"name": "wiredesk",
			"labels": map[string]string{
				"app.kubernetes.io/name":      "wiredesk",
				"app.kubernetes.io/component": "worker",
			},
		},
		"spec": spec,
	})
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte(prometheusRuleHeader), out...)
}

func TestPrometheusRuleMatchesAlerts(t *testing.T) {
	want := renderPrometheusRule(t, loadRuleGroups(t))
	if *update {
		if err := os.WriteFile(prometheusRuleFile, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(prometheusRuleFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is out of date with %s (-want +got):\n%s\nrun go test ./ops/opstest -run %s -update",
			filepath.Base(prometheusRuleFile), rulesFile, cmp.Diff(string(want), string(got)), t.Name())
	}
}
