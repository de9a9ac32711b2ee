package feed

import (
	"fmt"
	"io"

	"github.com/wiredesk/wiredesk/pipeline"
)

// Summary counts the results of a [Publisher.Publish] call.
type Summary struct {
	// Published counts the articles the stream stored.
	Published int
	// AlreadyStored counts the articles the stream held already.
	AlreadyStored int
	// Rejected counts the inputs that are not valid articles.
	Rejected int
	// Failed counts the articles whose publish failed.
	Failed int
	// Problems describes the rejected and failed inputs, in the order
	// their result was known, up to the first 100.
	Problems []Problem
}

// Problem is an input that was rejected or failed.
type Problem struct {
	// Result is [ResultRejected] or [ResultFailed].
	Result Result
	// Origin locates the input, as [Item].Origin does.
	Origin string
	// ArticleID is the article's id, "" when the input has none.
	ArticleID string
	// Reason classifies a rejection ("" for most failures).
	Reason pipeline.Reason
	// Err is the cause.
	Err error
}

func (s *Summary) add(r Result) {
	switch r {
	case ResultPublished:
		s.Published++
	case ResultAlreadyStored:
		s.AlreadyStored++
	case ResultRejected:
		s.Rejected++
	case ResultFailed:
		s.Failed++
	}
}

func (s *Summary) addProblem(p Problem) {
	if len(s.Problems) < maxProblems {
		s.Problems = append(s.Problems, p)
	}
}

// Total counts every input seen.
func (s Summary) Total() int {
	return s.Published + s.AlreadyStored + s.Rejected + s.Failed
}

// Err returns nil when every input was published or already stored, and
// otherwise an error wrapping [ErrIncomplete] that gives the counts.
func (s Summary) Err() error {
	if s.Rejected == 0 && s.Failed == 0 {
		return nil
	}
	return fmt.Errorf("%d rejected, %d failed of %d: %w", s.Rejected, s.Failed, s.Total(), ErrIncomplete)
}

// String gives the counts on one line.
func (s Summary) String() string {
	return fmt.Sprintf("published %d, already stored %d, rejected %d, failed %d",
		s.Published, s.AlreadyStored, s.Rejected, s.Failed)
}

// WriteTo writes the counts, then one line per problem.
func (s Summary) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: w}
	fmt.Fprintln(cw, s.String())
	for _, p := range s.Problems {
		reason := ""
		if p.Reason != "" {
			reason = string(p.Reason) + ": "
		}
		fmt.Fprintf(cw, "%s %s: %s%v\n", p.Result, p.Origin, reason, p.Err)
	}
	if more := s.Rejected + s.Failed - len(s.Problems); more > 0 {
		fmt.Fprintf(cw, "and %d more not listed\n", more)
	}
	return cw.n, cw.err
}

// countWriter counts the bytes written and keeps the first error, after
// which it writes nothing.
type countWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.err = err
	return n, err
}
