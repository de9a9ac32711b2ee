package ner

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/wiredesk/wiredesk/internal/evalscore"
)

// Score counts matches of one entity type: true positives, false positives
// and false negatives.
type Score struct {
	TP, FP, FN int
}

// Precision is TP/(TP+FP), 0 when nothing was predicted.
func (s Score) Precision() float64 { return ratio(s.TP, s.TP+s.FP) }

// Recall is TP/(TP+FN), 0 when nothing was expected.
func (s Score) Recall() float64 { return ratio(s.TP, s.TP+s.FN) }

// F1 is the harmonic mean of precision and recall.
func (s Score) F1() float64 {
	p, r := s.Precision(), s.Recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// ScoredTypes are the entity types [Evaluate] scores; misc is not scored.
var ScoredTypes = []string{"person", "organization", "location"}

// Evaluation is the result of [Recognizer.Evaluate]: a score per entity
// type and over all of them.
type Evaluation struct {
	ByType  map[string]Score
	Overall Score
}

// Evaluate tags each document and compares, per document, the set of
// (surface form, type) pairs of its spans with the set of the forms of the
// entities found, for the [ScoredTypes]. It is the measure of the
// CoNLL-2003 scorer in shared/eval/score_entities.py: forms compare
// case-insensitively with runs of other characters than letters and digits
// folded to a space, and an entity's canonical name counts as a form where
// the text contains it.
func (rec *Recognizer) Evaluate(docs []Document) Evaluation {
	ev := Evaluation{ByType: map[string]Score{}}
	type key struct{ form, typ string }
	scored := func(t string) bool {
		for _, s := range ScoredTypes {
			if s == t {
				return true
			}
		}
		return false
	}
	for _, d := range docs {
		want, got := map[key]bool{}, map[key]bool{}
		for _, s := range d.Spans {
			if scored(s.Type) {
				want[key{evalscore.NormForm(d.Text[s.Start:s.End]), s.Type}] = true
			}
		}
		text := " " + evalscore.NormForm(d.Text) + " "
		for _, e := range rec.Entities(d.Text) {
			if !scored(e.Type) {
				continue
			}
			for _, f := range e.Forms {
				if n := evalscore.NormForm(f); n != "" {
					got[key{n, e.Type}] = true
				}
			}
			if n := evalscore.NormForm(e.Name); n != "" && strings.Contains(text, " "+n+" ") {
				got[key{n, e.Type}] = true
			}
		}
		for k := range got {
			s := ev.ByType[k.typ]
			if want[k] {
				s.TP++
			} else {
				s.FP++
			}
			ev.ByType[k.typ] = s
		}
		for k := range want {
			if !got[k] {
				s := ev.ByType[k.typ]
				s.FN++
				ev.ByType[k.typ] = s
			}
		}
	}
	for _, s := range ev.ByType {
		ev.Overall.TP += s.TP
		ev.Overall.FP += s.FP
		ev.Overall.FN += s.FN
	}
	return ev
}

// ReadDocuments reads annotated documents in the JSONL format of
// shared/eval/conll: one {"text", "entities": [{"type", "start", "end"}]}
// per line, offsets in characters, which it converts to byte offsets. It
// returns an error for malformed JSON or a span outside its text.
func ReadDocuments(r io.Reader) ([]Document, error) {
	var docs []Document
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var d struct {
			Text     string `json:"text"`
			Entities []struct {
				Type       string `json:"type"`
				Start, End int
			} `json:"entities"`
		}
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		bytePos := make([]int, 0, len(d.Text)+1)
		for i := range d.Text {
			bytePos = append(bytePos, i)
		}
		bytePos = append(bytePos, len(d.Text))
		doc := Document{Text: d.Text}
		for _, e := range d.Entities {
			if e.Start < 0 || e.End >= len(bytePos) || e.Start >= e.End {
				return nil, fmt.Errorf("line %d: span %d-%d outside text", line, e.Start, e.End)
			}
			doc.Spans = append(doc.Spans, Span{Start: bytePos[e.Start], End: bytePos[e.End], Type: e.Type})
		}
		docs = append(docs, doc)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return docs, nil
}
