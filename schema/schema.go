// Package schema holds the JSON Schemas (draft 2020-12) of what wiredesk
// emits: [Event] for articles.enriched and articles.duplicates, and
// [DeadLetter] for articles.dlq. Consumers may validate against them; the
// worker's tests validate real output against them.
package schema

import _ "embed"

// Event is the JSON Schema of an enriched or duplicate event.
//
//go:embed event.schema.json
var Event []byte

// DeadLetter is the JSON Schema of a dead letter.
//
//go:embed dead-letter.schema.json
var DeadLetter []byte
