// Package livetest runs wiredesk as production does and checks its
// monitoring against it: TestDashboardsLive builds the worker and the
// publisher, runs them on loopback with a Prometheus that scrapes both and
// loads alerts/wiredesk.rules.yml, feeds them the sample articles, a few
// thousand articles generated from the shared ECB+ development data and a
// few poisonous messages, and then requires every query of every dashboard
// panel to return data and every rule to evaluate without error.
//
// The test needs the prometheus binary on PATH (Debian: apt-get install
// prometheus, as .ci/ops-checks does) and fails, not skips, without it. It
// takes about a minute; -articles sets how many articles are generated.
//
// TestOperatingDocListsEveryFlag compares the flags of both binaries with
// the configuration reference in the README (Operating wiredesk).
package livetest
