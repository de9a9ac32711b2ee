// Command loadbench measures wiredesk end to end under load on one machine.
//
// It starts a JetStream server in its own process (the worker's embedded
// server), generates articles from a real corpus, publishes them at full
// speed or at a fixed rate, and runs W worker processes that share the
// durable consumer. It reads every output back with an ordered consumer and
// reports throughput, end-to-end latency (from when an article was due to
// be published to when its output was stored, by the server's clock), the
// workers' CPU time and their peak resident memory.
//
// Each run has two phases on the same articles and server, the streams
// deleted in between:
//
//   - passthrough: loadbench itself, started as a subprocess
//     ("loadbench passthrough"), running the bus consumer the worker runs —
//     decode, republish, ack, with the same metrics and middleware — around
//     a chain of no stages;
//   - pipeline: the cmd/worker binary, with clean, dedup and enrich.
//
// Their rate ratio is the cost of wiredesk's own work, a figure that holds
// on a noisy machine where absolute rates do not. Workers are processes, so
// that CPU and memory (/proc/PID/stat and VmHWM) are each worker's own, not
// the server's or the publisher's.
//
// # Articles
//
// An original is a corpus article whose names and numbers are replaced by
// invented ones, the same way throughout: another event of the same kind,
// as a news stream has them. At -dup-rate, an article is instead a copy of
// one of the last thousand originals as another site runs it: verbatim or
// rewritten (headline changed, lines dropped and swapped, a teaser of
// another article appended). Every article gets random site furniture. The
// generator is seeded (-seed), so both phases and repeated runs see the
// same articles; -dump writes them to a .jsonl file for batch mode instead.
//
// # Output
//
// Progress lines go to stderr. On stdout, each phase prints a "window" line
// when 10,000, 100,000, 1,000,000 ... articles have been processed (the rate
// over the last tenth before that point, and the worker's memory then), and
// a "phase=" line with its figures. The last line is
//
//	e2e articles=N workers=W rate=R/s passthrough=P/s ratio=X p50_ms=A p99_ms=B rss_mb=M
//
// where rate, latency and memory are the pipeline phase's (the pass-through
// phase's with -mode passthrough) and passthrough=0/s ratio=0.00 when the
// pass-through phase did not run (-mode pipeline).
//
// Usage:
//
//	go run ./cmd/loadbench -n 100000 -workers 1
//	go run ./cmd/loadbench -n 20000 -rate 200
//
// Without -worker-bin it builds cmd/worker with "go build", so run it from
// inside the module. Every flag also reads WIREDESK_<FLAG>.
package main
