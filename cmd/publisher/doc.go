// Command publisher publishes articles to the raw subjects of wiredesk's
// JetStream streams: .txt files, folders of them (and of .jsonl files),
// .jsonl files (the batch input format) and standard input ("-").
//
// Each article is published as one JSON object on articles.raw.<source>,
// with a Nats-Msg-Id derived from its content, so that running the
// publisher again, or a retry, never stores an article twice. The worker
// creates the streams: start it first.
//
// Usage:
//
//	publisher [flags] PATH...
//
// Every flag can also be set with WIREDESK_<FLAG> (for example
// WIREDESK_MAX_IN_FLIGHT=64), and the NATS flags with the NATS ecosystem's
// variables (NATS_URL, NATS_CREDS, ...); a flag on the command line wins,
// then WIREDESK_*, then NATS_*. The publisher prints a summary (published,
// already stored, rejected with why, failed) on standard output and exits
// with status 1 when anything was rejected or failed.
package main
