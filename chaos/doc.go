// Package chaos holds wiredesk's fault-tolerance tests: runs of real worker
// processes against real JetStream servers while servers restart, workers
// are killed with SIGKILL, or the output stream refuses writes. Every test
// is named TestChaos…, so they can be run on their own:
//
//	go test -run TestChaos ./chaos/
//
// # What the tests check
//
// Each run ends with the same accounting: every published article has
// exactly one output on the output stream (an enriched event, a duplicate
// or a dead letter), carrying the Nats-Msg-Id derived from its raw message,
// and no output id or article id appears twice.
//
//   - TestChaosClusterNodeRestart: two workers on a 3-node cluster (replicas
//     3) process 20,000 articles while the node leading the output stream is
//     shut down and restarted; work must go on while it is down.
//   - TestChaosKillWorkers: worker processes are killed with SIGKILL at
//     random moments and started again.
//   - TestChaosStalledOutput: the output stream refuses writes (MaxMsgs
//     with DiscardNew); the worker must retry with growing delays, keep its
//     memory flat, and finish every article once the limit is lifted.
//   - TestChaosRacingPairs: two workers on one durable consumer decide 200
//     pairs of near-identical articles (a copy with a wire headline and site
//     furniture, or a light rewrite), the members of each pair published
//     back to back so that the two workers often decide them at once: every
//     pair must get exactly one first report and one duplicate of it, which
//     the first-report claims ensure. The pairs are chosen so that one
//     worker alone, deciding them in either order, gets that result, and so
//     that no pair is close to another; the run must show lost claims.
//   - TestChaosSecurity: the worker connects with user/password, token,
//     nkey, .creds (operator mode) and mutual TLS with a custom CA, by flag
//     and by NATS_* variable, fails with wrong settings, and never logs a
//     secret.
//
// # How they run
//
// The worker under test is the cmd/worker binary, built once per test
// binary (without -race, so the workers run at normal speed) and started as
// subprocesses: only a real process can be killed at an arbitrary point.
// The brokers are nats-server instances in the test process, on loopback
// ports, with their stores in the test's temporary directory; the cluster
// test runs three of them with every stream replicated three times.
//
// Random choices (article mutations, kill times) come from a seed that the
// tests log; set -chaos.seed to replay one run. When a test fails, each
// worker's logs, ending with its goroutine stacks (SIGQUIT), are written to
// the test's artifact directory; run with -artifacts to keep them.
//
// # Limits
//
// Near-duplicate state is held in each worker's memory, so these tests do
// not check that a duplicate of an article processed before a kill is still
// detected after it; that needs the shared dedup store.
package chaos
