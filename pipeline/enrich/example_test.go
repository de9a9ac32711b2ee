package enrich_test

import (
	"context"
	"fmt"
	"log"

	"github.com/wiredesk/wiredesk/pipeline"
	"github.com/wiredesk/wiredesk/pipeline/enrich"
	"github.com/wiredesk/wiredesk/pipeline/lexicon"
)

// noEntities stands in for the recognizer of pipeline/enrich/ner.
type noEntities struct{}

func (noEntities) Entities(string) []pipeline.Entity { return nil }

func ExampleEnricher_Stage() {
	x, err := enrich.New(enrich.Config{}, noEntities{}, lexicon.NewTable(), nil)
	if err != nil {
		log.Fatal(err)
	}
	e := pipeline.NewEvent(&pipeline.Article{ID: "a1", Text: "Kim Meets Putin at Cosmodrome\n\n" +
		"North Korean leader Kim Jong Un met Russian President Vladimir Putin on Wednesday. " +
		"The talks at the Vostochny Cosmodrome lasted four hours, Russian state media said. " +
		"Kim Jong Un later toured the launch site."})
	e, err = x.Stage()(context.Background(), e)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("title:", e.Title)
	fmt.Println("lead:", e.Lead)
	fmt.Printf("language: %s (%.2f)\n", e.Language, e.LanguageConfidence)
	fmt.Printf("words: %d, reading time: %d s\n", e.WordCount, e.ReadingTimeSeconds)
	for _, k := range e.Keywords[:3] {
		fmt.Printf("keyword: %s %.3f\n", k.Term, k.Score)
	}
	// Output:
	// title: Kim Meets Putin at Cosmodrome
	// lead: North Korean leader Kim Jong Un met Russian President Vladimir Putin on Wednesday. The talks at the Vostochny Cosmodrome lasted four hours, Russian state media said. Kim Jong Un later toured the launch site.
	// language: en (1.00)
	// words: 39, reading time: 11 s
	// keyword: Kim Jong Un 1.000
	// keyword: Cosmodrome 0.333
	// keyword: Putin 0.333
}
