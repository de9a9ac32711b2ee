package ner_test

import (
	"fmt"

	"github.com/wiredesk/wiredesk/pipeline/enrich/ner"
)

func ExampleRecognizer_Entities() {
	rec, err := ner.Default()
	if err != nil {
		panic(err)
	}
	text := "Russian President Vladimir Putin met North Korean leader Kim Jong Un in Vladivostok on Wednesday. Putin said Kim would visit a factory."
	for _, e := range rec.Entities(text) {
		fmt.Printf("%s (%s) forms=%q mentions=%d offset=%d\n", e.Name, e.Type, e.Forms, e.Mentions, e.Offset)
	}
	// Output:
	// Russian (misc) forms=["Russian"] mentions=1 offset=0
	// Vladimir Putin (person) forms=["Vladimir Putin" "Putin"] mentions=2 offset=18
	// North Korean (misc) forms=["North Korean"] mentions=1 offset=37
	// Kim Jong Un (person) forms=["Kim Jong Un" "Kim"] mentions=2 offset=57
	// Vladivostok (location) forms=["Vladivostok"] mentions=1 offset=72
}
