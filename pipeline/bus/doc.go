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
// A [Consumer] is safe to run in any number of processes at once: they share
// one durable pull consumer and JetStream hands each message to one of them.
package bus
