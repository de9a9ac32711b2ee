package cli

import (
	"flag"
	"io"
	"runtime"
	"testing"
	"time"
)

func TestParsePrecedence(t *testing.T) {
	env := map[string]string{"WIREDESK_WORKERS": "8", "WIREDESK_ACK_WAIT": "9s", "WIREDESK_NAME": "from-env"}
	tests := []struct {
		name    string
		args    []string
		workers int
		wait    time.Duration
		nm      string
	}{
		{"env over default", nil, 8, 9 * time.Second, "from-env"},
		{"flag over env", []string{"-workers", "2", "-name", "flag"}, 2, 9 * time.Second, "flag"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := flag.NewFlagSet("x", flag.ContinueOnError)
			workers := fs.Int("workers", 1, "")
			wait := fs.Duration("ack-wait", time.Second, "")
			nm := fs.String("name", "default", "")
			if err := Parse(fs, tc.args, func(k string) string { return env[k] }); err != nil {
				t.Fatal(err)
			}
			if *workers != tc.workers || *wait != tc.wait || *nm != tc.nm {
				t.Errorf("got workers=%d ack-wait=%s name=%s, want %d %s %s", *workers, *wait, *nm, tc.workers, tc.wait, tc.nm)
			}
		})
	}
}

func TestParseBadEnv(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Int("workers", 1, "")
	err := Parse(fs, nil, func(k string) string {
		if k == "WIREDESK_WORKERS" {
			return "many"
		}
		return ""
	})
	if err == nil {
		t.Fatal("Parse accepted WIREDESK_WORKERS=many")
	}
}

func TestLogValidate(t *testing.T) {
	for _, f := range []string{"text", "json"} {
		if err := (Log{Format: f}).Validate(); err != nil {
			t.Errorf("Validate(%s) = %v", f, err)
		}
	}
	if err := (Log{Format: "xml"}).Validate(); err == nil {
		t.Error("Validate(xml) = nil, want an error")
	}
}

// TestRegistryLiveHeap checks that the registry exports the live heap next
// to the default Go and process metrics: the stall test and operators
// compare it across time.
func TestRegistryLiveHeap(t *testing.T) {
	runtime.GC() // the live heap is known after a first collection
	families, err := NewRegistry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"go_gc_heap_live_bytes": false, "go_memstats_heap_inuse_bytes": false, "wiredesk_build_info": false}
	for _, f := range families {
		if _, ok := want[f.GetName()]; ok {
			want[f.GetName()] = true
			if name := f.GetName(); name == "go_gc_heap_live_bytes" && f.GetMetric()[0].GetGauge().GetValue() <= 0 {
				t.Errorf("%s = %v, want a positive size", name, f.GetMetric()[0].GetGauge().GetValue())
			}
		}
	}
	for name, ok := range want {
		if !ok {
			t.Errorf("registry lacks %s", name)
		}
	}
}
