// Package monitoring reads wiredesk's Grafana dashboards and Prometheus rule
// files, so that tests can check and run every query in them. It is used by
// ops/opstest (static checks) and ops/livetest (queries against a live
// Prometheus); nothing in the worker imports it.
//
// Loading is strict: a dashboard or rule file with a field this package does
// not know still loads (they have many), but a panel or rule without a query
// is an error. Values are safe for concurrent reads.
package monitoring

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// Dashboard is the part of a Grafana dashboard JSON model the checks read.
type Dashboard struct {
	// File is the base name of the file it was loaded from.
	File          string `json:"-"`
	UID           string `json:"uid"`
	Title         string `json:"title"`
	SchemaVersion int    `json:"schemaVersion"`
	Templating    struct {
		List []Variable `json:"list"`
	} `json:"templating"`
	Panels []Panel `json:"panels"`
}

// Variable is a dashboard template variable.
type Variable struct {
	Name string `json:"name"`
	Type string `json:"type"`
	// Query is a string for datasource variables and an object for query
	// variables, as Grafana writes them.
	Query    json.RawMessage `json:"query"`
	AllValue string          `json:"allValue"`
}

// Panel is a dashboard panel; a row holds further panels when collapsed.
type Panel struct {
	ID          int         `json:"id"`
	Type        string      `json:"type"`
	Title       string      `json:"title"`
	Datasource  *Datasource `json:"datasource"`
	FieldConfig struct {
		Defaults struct {
			Unit       string `json:"unit"`
			Thresholds *struct {
				Steps []struct {
					Color string   `json:"color"`
					Value *float64 `json:"value"`
				} `json:"steps"`
			} `json:"thresholds"`
		} `json:"defaults"`
	} `json:"fieldConfig"`
	GridPos struct {
		H, W, X, Y int
	} `json:"gridPos"`
	Targets []Target `json:"targets"`
	Panels  []Panel  `json:"panels"`
}

// Datasource refers to a data source, usually through a variable.
type Datasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

// Target is one query of a panel.
type Target struct {
	RefID      string      `json:"refId"`
	Expr       string      `json:"expr"`
	Datasource *Datasource `json:"datasource"`
}

// LoadDashboards loads every *.json file in dir, sorted by name. It returns
// an error if a file is not a dashboard or a dir holds none.
func LoadDashboards(dir string) ([]*Dashboard, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("load dashboards: no *.json in %s", dir)
	}
	var out []*Dashboard
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("load dashboard: %w", err)
		}
		d := &Dashboard{File: filepath.Base(f)}
		if err := json.Unmarshal(data, d); err != nil {
			return nil, fmt.Errorf("load dashboard %s: %w", f, err)
		}
		if d.UID == "" || len(d.Panels) == 0 {
			return nil, fmt.Errorf("load dashboard %s: no uid or no panels", f)
		}
		out = append(out, d)
	}
	return out, nil
}

// AllPanels returns the dashboard's panels, those inside rows included, rows
// excluded, in file order.
func (d *Dashboard) AllPanels() []Panel {
	var out []Panel
	var walk func([]Panel)
	walk = func(ps []Panel) {
		for _, p := range ps {
			if p.Type != "row" {
				out = append(out, p)
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	return out
}

// Variable returns the template variable called name, or nil.
func (d *Dashboard) Variable(name string) *Variable {
	for i := range d.Templating.List {
		if d.Templating.List[i].Name == name {
			return &d.Templating.List[i]
		}
	}
	return nil
}

// grafanaVar matches $name, ${name} and ${name:format}.
var grafanaVar = regexp.MustCompile(`\$\{(\w+)(?::\w+)?\}|\$(\w+)`)

// Expand replaces the Grafana variables in expr: the built-in interval
// variables ($__rate_interval, $__interval, $__range) by window, and the
// dashboard's variables by their "All" value (or ".*"). It returns an error
// for a variable it does not know, so a typo cannot pass as a query.
func (d *Dashboard) Expand(expr, window string) (string, error) {
	var unknown []string
	out := grafanaVar.ReplaceAllStringFunc(expr, func(m string) string {
		sub := grafanaVar.FindStringSubmatch(m)
		name := sub[1] + sub[2]
		switch name {
		case "__rate_interval", "__interval", "__range":
			return window
		}
		if v := d.Variable(name); v != nil && v.Type != "datasource" {
			if v.AllValue != "" {
				return v.AllValue
			}
			return ".*"
		}
		unknown = append(unknown, m)
		return m
	})
	if len(unknown) > 0 {
		return "", fmt.Errorf("expand %q: unknown variables %v", expr, unknown)
	}
	return out, nil
}

// Rule is one recording or alerting rule of a Prometheus rule file.
type Rule struct {
	Group string
	// Name is the alert name or the recorded series name.
	Name string
	Expr string
}

// LoadRules returns every rule of a Prometheus rule file, in file order.
func LoadRules(file string) ([]Rule, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("load rules: %w", err)
	}
	var rf struct {
		Groups []struct {
			Name  string `json:"name"`
			Rules []struct {
				Alert  string `json:"alert"`
				Record string `json:"record"`
				Expr   string `json:"expr"`
			} `json:"rules"`
		} `json:"groups"`
	}
	if err := yaml.Unmarshal(data, &rf); err != nil {
		return nil, fmt.Errorf("load rules %s: %w", file, err)
	}
	var out []Rule
	for _, g := range rf.Groups {
		for _, r := range g.Rules {
			if r.Expr == "" {
				return nil, fmt.Errorf("load rules %s: rule %s%s in group %s has no expr", file, r.Alert, r.Record, g.Name)
			}
			out = append(out, Rule{Group: g.Name, Name: r.Alert + r.Record, Expr: r.Expr})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("load rules %s: no rules", file)
	}
	return out, nil
}

// metricName matches wiredesk series names and recording rule names.
var metricName = regexp.MustCompile(`\bwiredesk[_:][a-zA-Z0-9_:]*`)

// MetricNames returns the sorted wiredesk metric names an expression uses,
// with the _bucket, _count and _sum suffixes of histogram series removed.
func MetricNames(expr string) []string {
	var out []string
	for _, m := range metricName.FindAllString(expr, -1) {
		for _, suffix := range []string{"_bucket", "_count", "_sum"} {
			if s, ok := strings.CutSuffix(m, suffix); ok && !strings.Contains(m, ":") {
				m = s
				break
			}
		}
		out = append(out, m)
	}
	sort.Strings(out)
	return slices.Compact(out)
}
