package dedup_test

import (
	"context"
	"fmt"
	"time"

	"github.com/wiredesk/wiredesk/pipeline"
	"github.com/wiredesk/wiredesk/pipeline/dedup"
)

func Example() {
	x, err := dedup.NewIndex(dedup.Config{Window: 72 * time.Hour}, nil)
	if err != nil {
		panic(err)
	}
	stage := x.Stage()
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, a := range []pipeline.Article{
		{ID: "a1", Text: "Storm Arwen knocked out power to 120,000 homes across Northumberland on Friday, the utility Northern Powergrid said.\nEngineers restored supply to 80,000 homes by the evening, but crews warned that villages around Alnwick could wait until Monday."},
		{ID: "a2", Text: "Weather | Home\nStorm Arwen knocked out power to 120,000 homes across Northumberland on Friday, the utility Northern Powergrid said.\nEngineers restored supply to 80,000 homes by the evening, but crews warned that villages around Alnwick could wait until Monday.\nSign up to our newsletter."},
		{ID: "a3", Text: "Magnus Carlsen won the Tata Steel Masters in Wijk aan Zee on Sunday after beating Anish Giri in the final round."},
	} {
		e := pipeline.NewEvent(&a)
		e.IngestedAt = at
		e, _ = stage(context.Background(), e)
		dup := "-"
		if e.DuplicateOf != nil {
			dup = *e.DuplicateOf
		}
		fmt.Printf("%s story=%s duplicate_of=%s\n", e.ID, e.StoryID, dup)
	}
	// Output:
	// a1 story=story-a1 duplicate_of=-
	// a2 story=story-a1 duplicate_of=a1
	// a3 story=story-a3 duplicate_of=-
}
