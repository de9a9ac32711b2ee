// Package pipeline is the shared vocabulary of wiredesk: the raw [Article] a
// publisher sends, the [Event] a worker emits, the [DeadLetter] it emits for
// input it cannot use, the [Stage] contract the processing packages
// implement, the error classes the bus maps to JetStream acknowledgements,
// and the subject names.
//
// # Message contract
//
// A raw article is one JSON object (see [Article]) published on a subject
// under [SubjectRawPrefix] (for example "articles.raw.reuters") with a
// Nats-Msg-Id header derived from its content ([ContentID]). A worker turns
// each raw message into exactly one output message:
//
//   - an [Event] on [SubjectEnriched] for the first report of a story
//     version, or for a further report that adds new material;
//   - an [Event] on [SubjectDuplicates], with DuplicateOf set, for a
//     near-identical copy of an article already seen;
//   - a [DeadLetter] on [SubjectDLQ] for input that can never be processed.
//
// Every output carries a Nats-Msg-Id derived from the raw message
// ([OutputMsgID]), so a redelivered raw message never stores a second output.
// The event schema is versioned by [SchemaVersion] and described by
// schema/event.schema.json at the root of the module.
//
// Stage packages (clean, dedup, enrich, bus) import this package and never
// each other; only cmd/worker wires them together.
package pipeline
