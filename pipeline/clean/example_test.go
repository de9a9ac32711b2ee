package clean_test

import (
	"fmt"

	"github.com/wiredesk/wiredesk/pipeline/clean"
)

func ExampleText() {
	raw := `HomeNewsWorld
Kim visits jet factory
- Advertisement -
Kim Jong Un toured an aircraft plant in Komsomolsk-on-Amur on Friday.
Rate this post
He was shown the Su-57 fighter jet, the governor said.
Sign up to receive the latest news in your inbox, everyday.
Most Popular`
	fmt.Println(clean.Text(raw))
	// Output:
	// Kim visits jet factory
	//
	// Kim Jong Un toured an aircraft plant in Komsomolsk-on-Amur on Friday.
	//
	// He was shown the Su-57 fighter jet, the governor said.
}

func ExampleClean() {
	raw := `Monday, July 1, 2024
Storm closes port
By Jane Doe
ROTTERDAM (Reuters) - A storm closed the port of Rotterdam on Monday, the port authority said.
Ships were told to stay at anchor until the wind drops.`
	r := clean.Clean(raw)
	fmt.Println("title:", r.Title)
	fmt.Println("byline:", r.Byline)
	fmt.Println("dateline:", r.Dateline)
	fmt.Println("published:", r.PublishedAt.Format("2006-01-02"))
	fmt.Println("paragraphs:", len(r.Paragraphs), "removed:", r.Removed)
	// Output:
	// title: Storm closes port
	// byline: Jane Doe
	// dateline: ROTTERDAM (Reuters)
	// published: 2024-07-01
	// paragraphs: 4 removed: 1
}

func ExampleCleaner_Clean() {
	c := clean.New(clean.Config{TemplateMinArticles: 2})
	stories := []string{
		"The mayor opened a bridge.\nIt took two years to build.",
		"A school reopened after repairs.\nPupils returned on Monday.",
		"Rain is expected all week.\nRivers may flood.",
	}
	for i, story := range stories {
		raw := story + "\nLocal news you can trust, from the Valley Gazette team"
		r := c.Clean("valleygazette.example", fmt.Sprint("article-", i), raw)
		fmt.Printf("%q\n", r.Paragraphs)
	}
	// Output:
	// ["The mayor opened a bridge." "It took two years to build." "Local news you can trust, from the Valley Gazette team"]
	// ["A school reopened after repairs." "Pupils returned on Monday." "Local news you can trust, from the Valley Gazette team"]
	// ["Rain is expected all week." "Rivers may flood."]
}
