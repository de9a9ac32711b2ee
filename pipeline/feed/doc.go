// Package feed reads raw articles from files and standard input and
// publishes them to JetStream. It is shared by cmd/publisher and by the
// worker's batch and demo modes, so that every entry point reads the same
// inputs by the same rules.
//
// # Reading
//
// [Read] (or a [Reader] with a size limit) accepts .jsonl files (one article
// per line, decoded by [pipeline.Decode], the worker's own rules), .txt
// files (one article, id = file name without extension), folders of both
// (sorted by name) and standard input ("-"). It yields articles in input
// order, one [Item] each. An input that is not a valid article is yielded
// with [Item].Err set, wrapped with [pipeline.ErrPermanent] and a
// [pipeline.Reason]; only I/O errors stop the read. Lines of any length are
// read; a line over the size limit is reported without being held in memory.
//
// # Publishing
//
// A [Publisher] publishes what [Read] yields, each article as one JSON
// object on [pipeline.SubjectRawPrefix].<source token>, with
// [pipeline.ContentID] as Nats-Msg-Id: publishing the same article again,
// or retrying a publish, stores it once (within the stream's duplicate
// window). Publishes are asynchronous with a bounded number in flight, and
// transient failures are retried with backoff. The publisher never creates
// streams: the worker does, and publishing to a subject no stream captures
// fails with [ErrNoStream].
//
// # Concurrency
//
// [Reader] is a value and safe for concurrent use. A [Publisher] is safe
// for concurrent use; each [Publisher.Publish] call has its own in-flight
// window and [Summary].
package feed
