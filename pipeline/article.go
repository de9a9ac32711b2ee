package pipeline

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// DefaultMaxArticleBytes is the size limit of one raw article when a
// configuration leaves it zero: 1 MiB, the default NATS max_payload.
const DefaultMaxArticleBytes = 1 << 20

// Article is a raw article as publishers send it and as batch mode reads it:
// one JSON object per message (or per line of a .jsonl file). Unknown fields
// are ignored.
type Article struct {
	// ID identifies the article; it is required.
	ID string `json:"id"`
	// Text is the body as crawled: plain text or HTML; it is required.
	Text string `json:"text"`
	// Title is the headline when the publisher knows it.
	Title string `json:"title,omitempty"`
	// URL is where the article was found.
	URL string `json:"url,omitempty"`
	// Source names the publishing site or feed.
	Source string `json:"source,omitempty"`
	// PublishedAt is when the source published the article, if known.
	PublishedAt *time.Time `json:"published_at,omitempty"`
}

// Decode parses one raw message into an [Article]. It returns an error
// wrapped with [ErrPermanent] (and a [Reason]) for input that no retry can
// fix: a payload over maxBytes (zero means [DefaultMaxArticleBytes]), invalid
// UTF-8, anything but a JSON object, a missing id or an empty text.
//
// A well-formed payload is decoded in a single pass; anything unusual,
// including every malformed payload, goes through encoding/json, so that
// results and error messages are always those of encoding/json.
func Decode(data []byte, maxBytes int) (*Article, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxArticleBytes
	}
	switch {
	case len(data) > maxBytes:
		return nil, Permanent(ReasonTooLarge, fmt.Errorf("article is %d bytes, limit %d", len(data), maxBytes))
	case len(bytes.TrimSpace(data)) == 0:
		return nil, Permanent(ReasonEmpty, fmt.Errorf("empty payload"))
	}
	a, ok := decodeFast(data)
	if !ok {
		var err error
		if a, err = decodeJSON(data); err != nil {
			return nil, err
		}
	}
	a.ID = strings.TrimSpace(a.ID)
	if a.ID == "" {
		return nil, Permanent(ReasonMalformed, fmt.Errorf("article has no id"))
	}
	if strings.TrimSpace(a.Text) == "" {
		return nil, Permanent(ReasonEmpty, fmt.Errorf("article %s has no text", a.ID))
	}
	return a, nil
}

// decodeJSON is the reference decoding of a payload: a UTF-8 check, then
// encoding/json.
func decodeJSON(data []byte) (*Article, error) {
	if !utf8.Valid(data) {
		return nil, Permanent(ReasonInvalidUTF8, fmt.Errorf("payload is not valid UTF-8"))
	}
	var a Article
	if err := json.Unmarshal(data, &a); err != nil {
		return nil, Permanent(ReasonMalformed, fmt.Errorf("decode article: %w", err))
	}
	return &a, nil
}

// ContentID is the Nats-Msg-Id a publisher sets on a raw article: a digest
// of its id and content, so that publishing the same article twice stores it
// once, while a corrected version of the same id is a new message.
func ContentID(a *Article) string {
	h := sha256.New()
	for _, s := range []string{a.ID, a.Title, a.URL, a.Source, a.Text} {
		fmt.Fprintf(h, "%d:%s", len(s), s)
	}
	if a.PublishedAt != nil {
		h.Write([]byte(a.PublishedAt.UTC().Format(time.RFC3339Nano)))
	}
	return "raw-" + hex.EncodeToString(h.Sum(nil)[:16])
}

// OutputMsgID is the Nats-Msg-Id of the one output of a raw message, whose
// own Nats-Msg-Id (or, when absent, payload) identifies it. Redelivery of
// the same raw message therefore maps to the same output id.
func OutputMsgID(rawMsgID string, payload []byte) string {
	if rawMsgID == "" {
		sum := sha256.Sum256(payload)
		rawMsgID = "raw-" + hex.EncodeToString(sum[:16])
	}
	return "out-" + strings.TrimPrefix(rawMsgID, "raw-")
}
