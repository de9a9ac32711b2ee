// Package opstest holds the static checks of wiredesk's operations files:
// the Kubernetes manifests in deploy/base, the Prometheus rules in alerts/,
// the Grafana dashboards in dashboards/ and the compose configuration in
// deploy/compose. It has no code of its own; run go test ./ops/opstest.
//
// # What the tests guarantee
//
//   - Every manifest decodes strictly (unknown fields fail) into the
//     Kubernetes API types, or the Prometheus Operator's for ServiceMonitor
//     and PrometheusRule.
//   - The KEDA ScaledObject validates against KEDA's CRD schema, copied into
//     testdata, with unknown fields failing too. Importing the KEDA module's
//     API types instead would pull client-go and controller-runtime (843
//     packages instead of 275, minutes of extra build on CI) for one file.
//   - deploy/base/prometheusrule.yaml carries exactly the groups of
//     alerts/wiredesk.rules.yml; -update regenerates it.
//   - The manifests agree with each other (selectors, ports, probe paths,
//     grace period above the drain timeout, KEDA target).
//   - Every dashboard panel has a unit and queries the ${datasource}
//     variable, and every wiredesk metric a dashboard or rule names is in
//     the metrics reference of the README (Operating wiredesk).
//
// Whether the queries return data is checked against a live Prometheus by
// ops/livetest.
package opstest
