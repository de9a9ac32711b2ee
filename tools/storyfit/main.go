// Command storyfit writes the features the story rule weighs, for refitting
// its weights (pipeline/dedup/story.go) with fit.py beside it:
//
//	go run ./cmd/worker batch ../shared/eval/wire/dev-stream.jsonl > /tmp/events.jsonl
//	go run ./tools/storyfit < /tmp/events.jsonl > /tmp/features.jsonl
//	python3 tools/storyfit/fit.py /tmp/features.jsonl ../shared/eval/wire/dev-labels.jsonl
//
// It reads the events of a batch run (cleaned title and text, in input
// order) and replays them through a fresh dedup index, writing for each the
// candidates the story rule weighed, with their signals, before recording
// it. The replay decides as the batch run did; it reports on standard error
// how many stories differ, which should be none.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/wiredesk/wiredesk/pipeline"
	"github.com/wiredesk/wiredesk/pipeline/dedup"
)

func main() {
	if err := run(os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "storyfit:", err)
		os.Exit(1)
	}
}

// line is one article's output: its decision in the batch run and the
// candidates the story rule weighed.
type line struct {
	ID          string            `json:"id"`
	StoryID     string            `json:"story_id"`
	DuplicateOf *string           `json:"duplicate_of"`
	Candidates  []dedup.Candidate `json:"candidates"`
}

func run(stdin io.Reader, stdout, stderr io.Writer) error {
	x, err := dedup.NewIndex(dedup.Config{}, nil)
	if err != nil {
		return err
	}
	in := bufio.NewScanner(stdin)
	in.Buffer(nil, 1<<26)
	out := bufio.NewWriter(stdout)
	enc := json.NewEncoder(out)
	at := time.Now()
	n, differ := 0, 0
	for in.Scan() {
		var e pipeline.Event
		if err := json.Unmarshal(in.Bytes(), &e); err != nil {
			return fmt.Errorf("event %d: %w", n+1, err)
		}
		if e.ID == "" {
			continue // a dead letter
		}
		l := line{ID: e.ID, StoryID: e.StoryID, DuplicateOf: e.DuplicateOf, Candidates: x.Explain(e.Title, e.Text)}
		if err := enc.Encode(l); err != nil {
			return err
		}
		if d := x.Add(e.ID, e.Title, e.Text, at); d.StoryID != e.StoryID {
			differ++
		}
		n++
	}
	if err := in.Err(); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "storyfit: %d articles, %d decided into another story than in the batch run\n", n, differ)
	return out.Flush()
}
