package pipeline

import (
	"runtime/debug"
	"testing"
)

func TestBuildVersion(t *testing.T) {
	for _, tc := range []struct {
		module, want string
	}{
		{"v1.4.0", "v1.4.0"}, // go install …@v1.4.0
		{"v0.0.0-20261123085051-3e1d9200eb63+dirty", "v0.0.0-20261123085051-3e1d9200eb63+dirty"}, // a git checkout
		{"(devel)", "wiredesk-dev"}, // built without VCS stamping
		{"", "wiredesk-dev"},
	} {
		info := debug.BuildInfo{Main: debug.Module{Path: "github.com/wiredesk/wiredesk", Version: tc.module}}
		if got := buildVersion(&info); got != tc.want {
			t.Errorf("buildVersion(module version %q) = %q, want %q", tc.module, got, tc.want)
		}
	}
}
