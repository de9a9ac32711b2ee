package opstest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"
)

const baseDir = "../../deploy/base"

// manifest is one decoded document of deploy/base.
type manifest struct {
	file string
	kind string
	obj  any
}

// newObject returns the Go type a manifest of apiVersion and kind decodes
// into, or nil for a kind the base must not contain.
func newObject(apiVersion, kind string) any {
	switch apiVersion + " " + kind {
	case "v1 ConfigMap":
		return &corev1.ConfigMap{}
	case "v1 Service":
		return &corev1.Service{}
	case "apps/v1 Deployment":
		return &appsv1.Deployment{}
	case "policy/v1 PodDisruptionBudget":
		return &policyv1.PodDisruptionBudget{}
	case "monitoring.coreos.com/v1 ServiceMonitor":
		return &monitoringv1.ServiceMonitor{}
	case "monitoring.coreos.com/v1 PrometheusRule":
		return &monitoringv1.PrometheusRule{}
	case "keda.sh/v1alpha1 ScaledObject":
		return &scaledObject{}
	}
	return nil
}

// decodeStrict decodes JSON into v, failing on unknown fields and on
// trailing data.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data after object")
	}
	return nil
}

// splitDocuments splits a YAML stream at its "---" separators, dropping
// empty documents.
func splitDocuments(data []byte) [][]byte {
	var docs [][]byte
	for _, doc := range bytes.Split(append([]byte("\n"), data...), []byte("\n---")) {
		if len(bytes.TrimSpace(stripComments(doc))) > 0 {
			docs = append(docs, doc)
		}
	}
	return docs
}

func stripComments(doc []byte) []byte {
	var out [][]byte
	for _, line := range bytes.Split(doc, []byte("\n")) {
		if !bytes.HasPrefix(bytes.TrimSpace(line), []byte("#")) {
			out = append(out, line)
		}
	}
	return bytes.Join(out, []byte("\n"))
}

// loadManifests decodes every document of every manifest in deploy/base.
func loadManifests(t *testing.T) []manifest {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(baseDir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var out []manifest
	for _, path := range files {
		if filepath.Base(path) == "kustomization.yaml" {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range splitDocuments(data) {
			where := fmt.Sprintf("%s document %d", filepath.Base(path), i+1)
			js, err := yaml.YAMLToJSON(doc)
			if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			var head struct {
				APIVersion string `json:"apiVersion"`
				Kind       string `json:"kind"`
			}
			if err := json.Unmarshal(js, &head); err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			obj := newObject(head.APIVersion, head.Kind)
			if obj == nil {
				t.Fatalf("%s: unexpected %s %s", where, head.APIVersion, head.Kind)
			}
			if err := decodeStrict(js, obj); err != nil {
				t.Fatalf("%s: decode %s: %v", where, head.Kind, err)
			}
			out = append(out, manifest{file: filepath.Base(path), kind: head.Kind, obj: obj})
		}
	}
	return out
}

// find returns the one manifest of type T.
func find[T any](t *testing.T, ms []manifest) T {
	t.Helper()
	var found []T
	for _, m := range ms {
		if o, ok := m.obj.(T); ok {
			found = append(found, o)
		}
	}
	if len(found) != 1 {
		var zero T
		t.Fatalf("deploy/base has %d manifests of type %T, want 1", len(found), zero)
	}
	return found[0]
}

func TestManifestsDecodeStrictly(t *testing.T) {
	ms := loadManifests(t)
	var kinds []string
	for _, m := range ms {
		kinds = append(kinds, m.kind)
	}
	slices.Sort(kinds)
	want := []string{"ConfigMap", "Deployment", "PodDisruptionBudget", "PrometheusRule", "ScaledObject", "Service", "ServiceMonitor"}
	if !slices.Equal(kinds, want) {
		t.Errorf("deploy/base kinds = %v, want %v", kinds, want)
	}
}

// TestStrictDecodingCatchesTypos makes sure the strict decoding above would
// fail a misspelt field rather than drop it.
func TestStrictDecodingCatchesTypos(t *testing.T) {
	tests := []struct {
		name string
		doc  string
	}{
		{"deployment", "apiVersion: apps/v1\nkind: Deployment\nspec:\n  replica: 2\n"},
		{"container", "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: w\n          readinesProbe: {}\n"},
		{"service monitor", "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nspec:\n  endpoint: []\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			js, err := yaml.YAMLToJSON([]byte(tc.doc))
			if err != nil {
				t.Fatal(err)
			}
			var head struct{ APIVersion, Kind string }
			if err := json.Unmarshal(js, &head); err != nil {
				t.Fatal(err)
			}
			err = decodeStrict(js, newObject(head.APIVersion, head.Kind))
			if err == nil {
				t.Fatalf("decodeStrict(%q) = nil, want an unknown field error", tc.doc)
			}
			t.Logf("rejected: %v", err)
		})
	}
}

func TestKustomizationListsEveryManifest(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(baseDir, "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	// The fields of kustomize's Kustomization that the base uses; any other
	// field fails, so a new one gets a deliberate look.
	var k struct {
		APIVersion string   `json:"apiVersion"`
		Kind       string   `json:"kind"`
		Resources  []string `json:"resources"`
		Labels     []struct {
			Pairs            map[string]string `json:"pairs"`
			IncludeSelectors bool              `json:"includeSelectors"`
		} `json:"labels"`
	}
	if err := decodeStrict(js, &k); err != nil {
		t.Fatalf("decode kustomization.yaml: %v", err)
	}
	if k.APIVersion != "kustomize.config.k8s.io/v1beta1" || k.Kind != "Kustomization" {
		t.Errorf("kustomization.yaml is %s %s, want kustomize.config.k8s.io/v1beta1 Kustomization", k.APIVersion, k.Kind)
	}
	files, err := filepath.Glob(filepath.Join(baseDir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, f := range files {
		if b := filepath.Base(f); b != "kustomization.yaml" {
			want = append(want, b)
		}
	}
	got := slices.Sorted(slices.Values(k.Resources))
	if !slices.Equal(got, want) {
		t.Errorf("kustomization resources = %v, want every manifest in deploy/base: %v", got, want)
	}
}

func TestManifestsAgree(t *testing.T) {
	ms := loadManifests(t)
	cm := find[*corev1.ConfigMap](t, ms)
	dep := find[*appsv1.Deployment](t, ms)
	pdb := find[*policyv1.PodDisruptionBudget](t, ms)
	svc := find[*corev1.Service](t, ms)
	sm := find[*monitoringv1.ServiceMonitor](t, ms)
	so := find[*scaledObject](t, ms)

	pod := dep.Spec.Template.Spec
	podLabels := dep.Spec.Template.Labels
	if len(pod.Containers) != 1 {
		t.Fatalf("deployment has %d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]

	t.Run("selectors", func(t *testing.T) {
		for name, sel := range map[string]map[string]string{
			"deployment":          dep.Spec.Selector.MatchLabels,
			"poddisruptionbudget": pdb.Spec.Selector.MatchLabels,
			"service":             svc.Spec.Selector,
		} {
			if len(sel) == 0 {
				t.Errorf("%s selector is empty", name)
			}
			for k, v := range sel {
				if podLabels[k] != v {
					t.Errorf("%s selects %s=%s, pod template has %q", name, k, v, podLabels[k])
				}
			}
		}
		for k, v := range sm.Spec.Selector.MatchLabels {
			if svc.Labels[k] != v {
				t.Errorf("servicemonitor selects %s=%s, service has %q", k, v, svc.Labels[k])
			}
		}
	})

	t.Run("job label", func(t *testing.T) {
		// The ServiceMonitor's job label is the Service name; dashboards
		// and alerts select job="wiredesk-worker".
		if svc.Name != "wiredesk-worker" || sm.Spec.JobLabel != "" {
			t.Errorf("service %q with jobLabel %q gives another job than wiredesk-worker", svc.Name, sm.Spec.JobLabel)
		}
	})

	t.Run("ports", func(t *testing.T) {
		var containerPort int32
		for _, p := range c.Ports {
			if p.Name == "metrics" {
				containerPort = p.ContainerPort
			}
		}
		_, port, _ := strings.Cut(cm.Data["WIREDESK_METRICS_ADDR"], ":")
		if fmt.Sprint(containerPort) != port {
			t.Errorf("container port metrics = %d, WIREDESK_METRICS_ADDR port = %q", containerPort, port)
		}
		if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].TargetPort.String() != "metrics" {
			t.Errorf("service ports = %+v, want one targeting the metrics port", svc.Spec.Ports)
		}
		if len(sm.Spec.Endpoints) != 1 || sm.Spec.Endpoints[0].Port != svc.Spec.Ports[0].Name {
			t.Errorf("servicemonitor endpoints = %+v, want the service's port %q", sm.Spec.Endpoints, svc.Spec.Ports[0].Name)
		}
	})

	t.Run("probes", func(t *testing.T) {
		for name, tc := range map[string]struct {
			probe *corev1.Probe
			path  string
		}{
			"startup":   {c.StartupProbe, "/healthz"},
			"liveness":  {c.LivenessProbe, "/healthz"},
			"readiness": {c.ReadinessProbe, "/readyz"},
		} {
			if tc.probe == nil || tc.probe.HTTPGet == nil {
				t.Errorf("%s probe is not an HTTP probe", name)
				continue
			}
			if got := tc.probe.HTTPGet.Path; got != tc.path {
				t.Errorf("%s probe path = %q, want %q", name, got, tc.path)
			}
			if got := tc.probe.HTTPGet.Port.String(); got != "metrics" {
				t.Errorf("%s probe port = %q, want metrics", name, got)
			}
		}
	})

	t.Run("graceful termination", func(t *testing.T) {
		drain, err := time.ParseDuration(cm.Data["WIREDESK_DRAIN_TIMEOUT"])
		if err != nil {
			t.Fatalf("WIREDESK_DRAIN_TIMEOUT: %v", err)
		}
		if pod.TerminationGracePeriodSeconds == nil {
			t.Fatal("terminationGracePeriodSeconds is unset")
		}
		grace := time.Duration(*pod.TerminationGracePeriodSeconds) * time.Second
		// The drain is followed by the HTTP server and NATS shutdown.
		if grace < drain+10*time.Second {
			t.Errorf("terminationGracePeriodSeconds = %v, want at least drain timeout %v + 10s", grace, drain)
		}
	})

	t.Run("security", func(t *testing.T) {
		sc := c.SecurityContext
		switch {
		case sc == nil:
			t.Fatal("container has no securityContext")
		case sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot:
			t.Error("runAsNonRoot is not true")
		case sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem:
			t.Error("readOnlyRootFilesystem is not true")
		case sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation:
			t.Error("allowPrivilegeEscalation is not false")
		case sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}):
			t.Error("capabilities do not drop ALL")
		}
		if c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
			t.Errorf("resources = %+v, want cpu and memory requests and a memory limit", c.Resources)
		}
	})

	t.Run("config map", func(t *testing.T) {
		if len(c.EnvFrom) != 1 || c.EnvFrom[0].ConfigMapRef == nil || c.EnvFrom[0].ConfigMapRef.Name != cm.Name {
			t.Errorf("container envFrom = %+v, want the ConfigMap %q", c.EnvFrom, cm.Name)
		}
	})

	t.Run("scaled object", func(t *testing.T) {
		if so.Spec.ScaleTargetRef.Name != dep.Name {
			t.Errorf("scaledobject targets %q, want deployment %q", so.Spec.ScaleTargetRef.Name, dep.Name)
		}
		if dep.Spec.Replicas != nil {
			t.Error("deployment sets replicas, which fights the KEDA-managed HPA")
		}
		if len(so.Spec.Triggers) != 1 {
			t.Fatalf("scaledobject has %d triggers, want 1", len(so.Spec.Triggers))
		}
		tr := so.Spec.Triggers[0]
		want := map[string]string{"stream": "ARTICLES_RAW", "consumer": "wiredesk"}
		if tr.Type != "nats-jetstream" {
			t.Errorf("trigger type = %q, want nats-jetstream", tr.Type)
		}
		for k, v := range want {
			if tr.Metadata[k] != v {
				t.Errorf("trigger metadata %s = %q, want %q", k, tr.Metadata[k], v)
			}
		}
		// One disruption at a time must leave a worker running.
		if so.Spec.MinReplicaCount == nil || int(*so.Spec.MinReplicaCount) <= pdb.Spec.MaxUnavailable.IntValue() {
			t.Errorf("minReplicaCount = %v, want more than the PDB's maxUnavailable %v", so.Spec.MinReplicaCount, pdb.Spec.MaxUnavailable)
		}
	})
}
