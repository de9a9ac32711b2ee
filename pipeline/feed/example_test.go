package feed_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/wiredesk/wiredesk/pipeline"
	"github.com/wiredesk/wiredesk/pipeline/feed"
)

func ExampleRead() {
	stdin := strings.NewReader(`{"id":"a","text":"First article."}` + "\n" +
		`{"id":"b","text":""}` + "\n" +
		`{"id":"c","text":"Third article.","source":"Reuters"}` + "\n")
	err := feed.Read(context.Background(), []string{feed.StdinPath}, stdin, func(it feed.Item) error {
		if it.Err != nil {
			fmt.Printf("%s: rejected (%s)\n", it.Origin, pipeline.ReasonOf(it.Err))
			return nil
		}
		fmt.Printf("%s: %s on %s\n", it.Origin, it.Article.ID, feed.Subject(it.Article))
		return nil
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// stdin:1: a on articles.raw.default
	// stdin:2: rejected (empty)
	// stdin:3: c on articles.raw.reuters
}
