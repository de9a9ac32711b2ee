package livetest

import (
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const operatingDoc = moduleRoot + "/README.md"

// helpFlags returns the flag names a binary's -h lists, run with each of
// the argument lists given (a subcommand's flags: "batch" for "batch -h"),
// or once without arguments when none is given.
func helpFlags(t *testing.T, bin string, commands ...string) []string {
	t.Helper()
	if len(commands) == 0 {
		commands = []string{""}
	}
	var names []string
	for _, c := range commands {
		var out bytes.Buffer
		cmd := exec.Command(bin, append(strings.Fields(c), "-h")...)
		cmd.Env = []string{}
		cmd.Stdout, cmd.Stderr = &out, &out
		cmd.Run() // -h exits non-zero by design; the usage text is what counts
		n := len(names)
		for _, m := range regexp.MustCompile(`(?m)^\s+-([a-z0-9-]+)`).FindAllStringSubmatch(out.String(), -1) {
			names = append(names, m[1])
		}
		if len(names) == n {
			t.Fatalf("%s %s -h lists no flags:\n%s", bin, c, out.String())
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// docFlags returns the flags in the tables of the sections of
// the README (Operating wiredesk) whose headings are given.
func docFlags(t *testing.T, headings ...string) []string {
	t.Helper()
	data, err := os.ReadFile(operatingDoc)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, h := range headings {
		_, section, ok := strings.Cut(string(data), "\n"+h+"\n")
		if !ok {
			t.Fatalf("%s has no heading %q", operatingDoc, h)
		}
		if i := strings.Index(section, "\n#"); i >= 0 {
			section = section[:i]
		}
		for _, m := range regexp.MustCompile("(?m)^\\| `-([a-z0-9-]+)`").FindAllStringSubmatch(section, -1) {
			names = append(names, m[1])
		}
	}
	slices.Sort(names)
	return names
}

func TestOperatingDocListsEveryFlag(t *testing.T) {
	tests := []struct {
		name     string
		commands []string // run with -h; the worker's batch mode has flags of its own
		headings []string
	}{
		{"worker", []string{"", "batch"}, []string{"#### NATS connection (worker and publisher)", "#### Worker flags"}},
		{"publisher", nil, []string{"#### NATS connection (worker and publisher)", "#### Publisher flags"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := docFlags(t, tc.headings...)
			want := helpFlags(t, binary(t, tc.name), tc.commands...)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("flags in %s differ from %s -h (-want +got):\n%s", operatingDoc, tc.name, diff)
			}
		})
	}
}
