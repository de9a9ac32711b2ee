package pipeline

import (
	"runtime/debug"
	"time"
)

// SchemaVersion is the version of the [Event] and [DeadLetter] JSON schema.
// It changes only when a field changes meaning or is removed; added fields
// keep the version.
const SchemaVersion = 1

// PipelineVersion names the code that produced an event. Release builds set
// it with -ldflags "-X github.com/wiredesk/wiredesk/pipeline.PipelineVersion=…"
// (the Dockerfile does). Otherwise it is the module version the Go toolchain
// stamped into the binary: the tag for `go install …@v1.2.0`, or a
// pseudo-version naming the commit (with "+dirty" for uncommitted changes)
// for a build inside a git checkout, so that workers of different builds can
// be told apart during a rolling upgrade. It is "wiredesk-dev" when the build
// carries neither.
var PipelineVersion = devVersion

const devVersion = "wiredesk-dev"

func init() {
	if info, ok := debug.ReadBuildInfo(); ok && PipelineVersion == devVersion {
		PipelineVersion = buildVersion(info)
	}
}

// buildVersion names a build from its build information.
func buildVersion(info *debug.BuildInfo) string {
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	return devVersion
}

// Event is the enriched article a worker emits, one per raw article, on
// [SubjectEnriched] or (when DuplicateOf is set) [SubjectDuplicates]. Its
// fields are documented for consumers in schema/event.schema.json.
type Event struct {
	SchemaVersion int `json:"schema_version"`
	// ID is the article id from the input.
	ID string `json:"id"`
	// StoryID is shared by every report of one event.
	StoryID string `json:"story_id"`
	// DuplicateOf is the id of the earlier article this one is a
	// near-identical copy of, or nil for a first report.
	DuplicateOf *string `json:"duplicate_of"`
	// Similarity is the score of the best match among earlier articles in
	// [0, 1], 0 when nothing matched.
	Similarity float64 `json:"similarity"`
	// Evidence explains the dedup and story decision; nil when nothing
	// earlier matched.
	Evidence *Evidence `json:"evidence"`

	// Title is the headline: from the input, else found in the text;
	// empty when unknown.
	Title string `json:"title"`
	// Text is the cleaned article text: paragraphs separated by "\n\n".
	Text string `json:"text"`
	// Lead is the first 1–3 sentences of Text, at most 300 characters;
	// empty when the text has no sentence.
	Lead string `json:"lead"`
	// Byline and Dateline are the author and place lines when present.
	Byline   string `json:"byline"`
	Dateline string `json:"dateline"`
	// Source is the publishing site: from the input, else the URL's domain.
	Source string `json:"source"`
	URL    string `json:"url"`
	// PublishedAt is from the input, or found in the text; nil when unknown.
	PublishedAt *time.Time `json:"published_at"`
	IngestedAt  time.Time  `json:"ingested_at"`

	// Language is an ISO 639-1 code, "und" when undetermined;
	// LanguageConfidence is in [0, 1], 0 when undetermined.
	Language           string  `json:"language"`
	LanguageConfidence float64 `json:"language_confidence"`
	// Entities are in order of first mention, aliases merged.
	Entities []Entity `json:"entities"`
	// Keywords are best first; the best scores 1.
	Keywords  []Keyword `json:"keywords"`
	WordCount int       `json:"word_count"`
	// ReadingTimeSeconds is at 230 words per minute, rounded up; 0 for no
	// words.
	ReadingTimeSeconds int `json:"reading_time_seconds"`

	PipelineVersion string `json:"pipeline_version"`
	// StreamSeq is the raw stream sequence of the input; 0 in batch mode.
	StreamSeq uint64 `json:"stream_seq,omitempty"`

	// Raw is the decoded input; it is not serialised.
	Raw *Article `json:"-"`
}

// Entity is a named entity with all its surface forms merged.
type Entity struct {
	// Name is the canonical (longest, most complete) form.
	Name string `json:"name"`
	// Type is "person", "organization", "location" or "misc".
	Type string `json:"type"`
	// Forms lists every surface form found in Text.
	Forms []string `json:"forms"`
	// Mentions counts every mention in Text.
	Mentions int `json:"mentions"`
	// Offset is the byte offset of the first mention in Text.
	Offset int `json:"offset"`
}

// Keyword is a term or phrase ranked by rarity-weighted frequency.
type Keyword struct {
	Term  string  `json:"term"`
	Score float64 `json:"score"`
}

// Evidence is why dedup linked an article to an earlier one.
type Evidence struct {
	// Matched is the id of the best-matching earlier article.
	Matched string `json:"matched"`
	// Decision is "duplicate", "same_story" or "new_story".
	Decision string `json:"decision"`
	// Signals holds the score of each similarity signal, by name.
	Signals map[string]float64 `json:"signals,omitempty"`
	// SharedNames, SharedNumbers and SharedTerms are the rarest matching
	// features, strongest first.
	SharedNames   []string `json:"shared_names,omitempty"`
	SharedNumbers []string `json:"shared_numbers,omitempty"`
	SharedTerms   []string `json:"shared_terms,omitempty"`
	// SharedSentences counts sentences found in both articles.
	SharedSentences int `json:"shared_sentences"`
}

// DeadLetter is what a worker emits on [SubjectDLQ] for a raw message it can
// never process.
type DeadLetter struct {
	SchemaVersion int    `json:"schema_version"`
	Reason        Reason `json:"reason"`
	Error         string `json:"error"`
	// ArticleID is the id when the payload decoded far enough to have one.
	ArticleID string `json:"article_id,omitempty"`
	Subject   string `json:"subject"`
	MsgID     string `json:"msg_id,omitempty"`
	// Stream and StreamSeq locate the original message, which the raw
	// stream keeps for its retention period.
	Stream string `json:"stream,omitempty"`
	// Origin is where batch mode read the input (path or path:line).
	Origin     string    `json:"origin,omitempty"`
	StreamSeq  uint64    `json:"stream_seq,omitempty"`
	Deliveries uint64    `json:"deliveries,omitempty"`
	FailedAt   time.Time `json:"failed_at"`
	// Payload is the original message (base64 in JSON); PayloadTruncated is
	// set when it was cut to fit the server's maximum payload, in which case
	// PayloadBytes and PayloadSHA256 still describe the whole original.
	Payload          []byte `json:"payload"`
	PayloadBytes     int    `json:"payload_bytes"`
	PayloadSHA256    string `json:"payload_sha256"`
	PayloadTruncated bool   `json:"payload_truncated"`
	PipelineVersion  string `json:"pipeline_version"`
}
