package pipeline

import (
	"context"
	"fmt"
)

// Subjects. Raw articles are published under SubjectRawPrefix + "." + a
// source token; outputs go to the three fixed subjects.
const (
	SubjectRawPrefix   = "articles.raw"
	SubjectRawWildcard = SubjectRawPrefix + ".>"
	SubjectEnriched    = "articles.enriched"
	SubjectDuplicates  = "articles.duplicates"
	SubjectDLQ         = "articles.dlq"
)

// Stage is one processing step. It receives the event built so far (with
// Raw set) and returns it, usually the same pointer, filled in further.
// Returning a nil event and a nil error drops the article: nothing is
// emitted and the raw message is acknowledged. An error wrapped with
// [ErrPermanent] dead-letters the message; any other error is retried.
// Stages must be safe for concurrent use.
type Stage func(ctx context.Context, e *Event) (*Event, error)

// Named is a stage with the name it is measured and logged under.
type Named struct {
	Name string
	Run  Stage
}

// Middleware wraps a named stage, for timing, timeouts or panic recovery.
type Middleware func(name string, next Stage) Stage

// Chain composes stages in order, wrapping each with the middlewares (the
// first middleware outermost). The chain stops at the first error or drop.
func Chain(stages []Named, mws ...Middleware) Stage {
	wrapped := make([]Stage, len(stages))
	for i, s := range stages {
		run := s.Run
		for j := len(mws) - 1; j >= 0; j-- {
			run = mws[j](s.Name, run)
		}
		wrapped[i] = run
	}
	return func(ctx context.Context, e *Event) (*Event, error) {
		var err error
		for i, run := range wrapped {
			if e, err = run(ctx, e); err != nil {
				return nil, fmt.Errorf("stage %s: %w", stages[i].Name, err)
			}
			if e == nil {
				return nil, nil
			}
		}
		return e, nil
	}
}

// Recover is a [Middleware] that turns a panic in a stage into a permanent
// error, so one poisonous article cannot crash a worker.
func Recover(name string, next Stage) Stage {
	return func(ctx context.Context, e *Event) (ev *Event, err error) {
		defer func() {
			if r := recover(); r != nil {
				ev, err = nil, Permanent(ReasonUnprocessable, fmt.Errorf("panic in %s: %v", name, r))
			}
		}()
		return next(ctx, e)
	}
}

// NewEvent starts the event for a decoded article.
func NewEvent(a *Article) *Event {
	return &Event{
		SchemaVersion:   SchemaVersion,
		ID:              a.ID,
		Title:           a.Title,
		Text:            a.Text,
		Source:          a.Source,
		URL:             a.URL,
		PublishedAt:     a.PublishedAt,
		PipelineVersion: PipelineVersion,
		Entities:        []Entity{},
		Keywords:        []Keyword{},
		Raw:             a,
	}
}
