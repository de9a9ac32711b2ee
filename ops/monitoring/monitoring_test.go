package monitoring

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func testDashboard() *Dashboard {
	d := &Dashboard{}
	d.Templating.List = []Variable{
		{Name: "datasource", Type: "datasource"},
		{Name: "instance", Type: "query", AllValue: ".+"},
		{Name: "job", Type: "custom"},
	}
	return d
}

func TestExpand(t *testing.T) {
	tests := []struct {
		name, expr, want string
		wantErr          bool
	}{
		{"interval variables", `rate(x[$__rate_interval]) + increase(y[$__range]) + z[$__interval]`, `rate(x[5m]) + increase(y[5m]) + z[5m]`, false},
		{"all value", `x{instance=~"$instance"}`, `x{instance=~".+"}`, false},
		{"braces and format", `x{instance=~"${instance:regex}",job=~"${job}"}`, `x{instance=~".+",job=~".*"}`, false},
		{"no variables", `sum(up)`, `sum(up)`, false},
		{"unknown variable", `x{pod="$pod"}`, "", true},
		{"datasource is not a query value", `x{ds="$datasource"}`, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := testDashboard().Expand(tc.expr, "5m")
			if (err != nil) != tc.wantErr {
				t.Fatalf("Expand(%q) error = %v, want error %v", tc.expr, err, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("Expand(%q) = %q, want %q", tc.expr, got, tc.want)
			}
		})
	}
}

func TestMetricNames(t *testing.T) {
	tests := []struct {
		name, expr string
		want       []string
	}{
		{"histogram series", `histogram_quantile(0.9, rate(wiredesk_a_seconds_bucket[5m])) / rate(wiredesk_a_seconds_count[5m])`, []string{"wiredesk_a_seconds"}},
		{"counter and recording rule", `wiredesk:x:ratio_rate5m > 0 and rate(wiredesk_b_total[1m])`, []string{"wiredesk:x:ratio_rate5m", "wiredesk_b_total"}},
		{"label values are not names", `up{job="wiredesk-worker"}`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, MetricNames(tc.expr)); diff != "" {
				t.Errorf("MetricNames(%q) (-want +got):\n%s", tc.expr, diff)
			}
		})
	}
}

func TestLoadRules(t *testing.T) {
	tests := []struct {
		name, file string
		want       []Rule
		wantErr    bool
	}{
		{
			name: "alert and record",
			file: "groups:\n  - name: g\n    rules:\n      - record: r:x\n        expr: sum(x)\n      - alert: A\n        expr: up == 0\n        for: 5m\n",
			want: []Rule{{Group: "g", Name: "r:x", Expr: "sum(x)"}, {Group: "g", Name: "A", Expr: "up == 0"}},
		},
		{name: "rule without expr", file: "groups:\n  - name: g\n    rules:\n      - alert: A\n", wantErr: true},
		{name: "no rules", file: "groups: []\n", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "rules.yml")
			if err := os.WriteFile(path, []byte(tc.file), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := LoadRules(path)
			if (err != nil) != tc.wantErr {
				t.Fatalf("LoadRules() error = %v, want error %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("LoadRules() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadDashboards(t *testing.T) {
	dir := t.TempDir()
	dash := `{"uid": "u", "title": "T", "panels": [
	  {"id": 1, "type": "row", "title": "R", "panels": [
	    {"id": 2, "type": "timeseries", "title": "inner", "targets": [{"refId": "A", "expr": "up"}]}]},
	  {"id": 3, "type": "stat", "title": "outer", "targets": [{"refId": "A", "expr": "sum(up)"}]}]}`
	if err := os.WriteFile(filepath.Join(dir, "d.json"), []byte(dash), 0o644); err != nil {
		t.Fatal(err)
	}
	ds, err := LoadDashboards(dir)
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, p := range ds[0].AllPanels() {
		titles = append(titles, p.Title)
	}
	// File order, the row's panels in its place, the row itself left out.
	if diff := cmp.Diff([]string{"inner", "outer"}, titles); diff != "" {
		t.Errorf("AllPanels titles (-want +got):\n%s", diff)
	}
	if _, err := LoadDashboards(t.TempDir()); err == nil {
		t.Error("LoadDashboards(empty dir) = nil error, want one")
	}
}
