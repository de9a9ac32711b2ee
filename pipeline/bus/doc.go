// Package bus is wiredesk's JetStream adapter: it creates the streams and
// the durable consumer, runs the consume loop, publishes each article's one
// output and maps every outcome to a JetStream acknowledgement. It is the
// only package that knows that mapping:
//
//   - success (event stored on the enriched or duplicates subject) → Ack
//   - drop (a stage returned no event) → Ack
//   - permanent failure ([pipeline.ErrPermanent]) → dead letter stored, then Term
//   - transient failure → NakWithDelay, the delay growing with the delivery count
//   - more deliveries than the limit → dead letter (max_deliveries), then Term
//
// A message is acknowledged only after its output is stored (the publish
// acknowledgement received), and every output carries a Nats-Msg-Id derived
// from the raw message, so a redelivery after a crash stores no second
// output while the output stream's duplicate window lasts. Delivery is
// therefore at least once, with idempotent outputs.
//
// # Throughput
//
// Outputs are published asynchronously: a worker goroutine publishes and
// moves on to the next message, and one settler takes the publishes in
// order, acknowledging each raw message only when the stream's
// acknowledgement of its own output arrives (a plain Ack: a lost ack costs
// a redelivery whose output the duplicate window absorbs). At most
// [Config].MaxPublishPending outputs await their acknowledgement and
// [Config].Prefetch messages wait ahead of the workers, so memory stays
// bounded whatever the backlog. Dead letters are published synchronously,
// so that a message is terminated only once its dead letter is stored.
//
// A [Consumer] is safe to run in any number of processes at once: they share
// one durable pull consumer and JetStream hands each message to one of them.
//
// # Shared state
//
// The output stream is the workers' shared memory ([Follow]): an article
// counts as seen by the other workers once its output is stored. [Claims]
// covers the moment before that: a key-value bucket of expiring first-report
// claims, taken all or none by compare-and-set (the first writer wins, or
// the article earlier in the raw stream when two each hold some of the
// other's keys), with which two workers deciding near-identical articles at
// once agree on one first report. [EnsureStreams] creates it beside the
// streams, replicated alike.
package bus
