package opstest

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/wiredesk/wiredesk/ops/monitoring"
)

const (
	dashboardsDir = "../../dashboards"
	operatingDoc  = "../../README.md"
)

func loadDashboards(t *testing.T) []*monitoring.Dashboard {
	t.Helper()
	ds, err := monitoring.LoadDashboards(dashboardsDir)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func TestDashboards(t *testing.T) {
	uids := map[string]string{}
	for _, d := range loadDashboards(t) {
		t.Run(d.File, func(t *testing.T) {
			if other, ok := uids[d.UID]; ok {
				t.Errorf("uid %q is also used by %s", d.UID, other)
			}
			uids[d.UID] = d.File
			if v := d.Variable("datasource"); v == nil || v.Type != "datasource" || string(v.Query) != `"prometheus"` {
				t.Errorf("datasource variable = %+v, want a prometheus datasource variable", v)
			}
			ids := map[int]bool{}
			for _, p := range d.AllPanels() {
				if ids[p.ID] {
					t.Errorf("panel %q: id %d is not unique", p.Title, p.ID)
				}
				ids[p.ID] = true
				if p.Datasource == nil || p.Datasource.UID != "${datasource}" {
					t.Errorf("panel %q: datasource = %+v, want uid ${datasource}", p.Title, p.Datasource)
				}
				if p.FieldConfig.Defaults.Unit == "" {
					t.Errorf("panel %q has no unit", p.Title)
				}
				if p.Type != "heatmap" && (p.FieldConfig.Defaults.Thresholds == nil || len(p.FieldConfig.Defaults.Thresholds.Steps) == 0) {
					t.Errorf("panel %q has no thresholds", p.Title)
				}
				if g := p.GridPos; g.W <= 0 || g.H <= 0 || g.X+g.W > 24 {
					t.Errorf("panel %q: gridPos %+v does not fit 24 columns", p.Title, g)
				}
				if len(p.Targets) == 0 {
					t.Errorf("panel %q has no queries", p.Title)
				}
				refs := map[string]bool{}
				for _, tg := range p.Targets {
					if tg.Expr == "" || tg.RefID == "" || refs[tg.RefID] {
						t.Errorf("panel %q: target %+v needs an expr and a unique refId", p.Title, tg)
					}
					refs[tg.RefID] = true
					if tg.Datasource == nil || tg.Datasource.UID != "${datasource}" {
						t.Errorf("panel %q: target %s datasource = %+v, want uid ${datasource}", p.Title, tg.RefID, tg.Datasource)
					}
					if _, err := d.Expand(tg.Expr, "1m"); err != nil {
						t.Errorf("panel %q: %v", p.Title, err)
					}
				}
			}
		})
	}
}

// documentedMetrics returns the wiredesk metric names the metrics
// reference in the README (Operating wiredesk) lists.
func documentedMetrics(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(operatingDoc)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range regexp.MustCompile("`(wiredesk_[a-z0-9_]+)").FindAllStringSubmatch(string(data), -1) {
		names = append(names, m[1])
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// TestMetricsDocumentedAndUsed checks that dashboards and rules query only
// metrics the operating guide documents, that they use every documented
// metric, and that every recording rule they read exists.
func TestMetricsDocumentedAndUsed(t *testing.T) {
	documented := documentedMetrics(t)
	if len(documented) == 0 {
		t.Fatalf("%s documents no wiredesk_ metric", operatingDoc)
	}
	rules, err := monitoring.LoadRules(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	recorded := map[string]bool{}
	for _, r := range rules {
		recorded[r.Name] = true
	}
	used := map[string]bool{}
	check := func(where, expr string) {
		for _, name := range monitoring.MetricNames(expr) {
			used[name] = true
			if !recorded[name] && !slices.Contains(documented, name) {
				t.Errorf("%s uses %s, which is neither in the metrics reference of %s nor a recording rule", where, name, operatingDoc)
			}
		}
	}
	for _, r := range rules {
		check("rule "+r.Name, r.Expr)
	}
	for _, d := range loadDashboards(t) {
		for _, p := range d.AllPanels() {
			for _, tg := range p.Targets {
				check(d.File+" panel "+p.Title, tg.Expr)
			}
		}
	}
	for _, name := range documented {
		if !used[name] {
			t.Errorf("documented metric %s is used by no dashboard or rule", name)
		}
	}
	for name := range recorded {
		if !used[name] && strings.Contains(name, ":") {
			t.Errorf("recording rule %s is used by no dashboard or rule", name)
		}
	}
}
