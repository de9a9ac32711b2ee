// Command gen builds the background document-frequency table that
// [lexicon.Default] embeds, from a JSONL corpus of articles ({"text": ...}
// per line; other fields, labels included, are ignored).
//
// Only common words are kept: a term must occur in at least -min-docs
// documents and be written in lower case in most of its occurrences, or occur
// in at least -min-name-docs documents (more than any one story holds). That
// leaves out proper names and anything with a digit, which would otherwise memorise the
// corpus's stories (a term missing from the table counts as rare, as a name
// in a fresh story should).
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"unicode"

	"github.com/wiredesk/wiredesk/pipeline/lexicon"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	in := fs.String("in", "", "JSONL corpus with a text field per line")
	out := fs.String("out", "background.tsv.gz", "output file")
	minDocs := fs.Int("min-docs", 5, "minimum document frequency of a kept term")
	minNameDocs := fs.Int("min-name-docs", 40, "minimum document frequency of a kept capitalised term")
	if err := fs.Parse(args); err != nil {
		return err
	}
	f, err := os.Open(*in)
	if err != nil {
		return fmt.Errorf("open corpus: %w", err)
	}
	defer f.Close()

	table := lexicon.NewTable()
	lower := map[string]int{} // occurrences written in lower case
	total := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var doc struct {
			Text string `json:"text"`
		}
		if err := json.Unmarshal(sc.Bytes(), &doc); err != nil {
			return fmt.Errorf("decode corpus line: %w", err)
		}
		toks := lexicon.Tokenize(doc.Text)
		terms := make([]string, len(toks))
		for i, t := range toks {
			terms[i] = t.Lower
			total[t.Lower]++
			if t.Text == t.Lower {
				lower[t.Lower]++
			}
		}
		table.Observe(terms)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read corpus: %w", err)
	}
	var keep []string
	for term, n := range total {
		if commonWord(table.DF(term), lower[term], n, *minDocs, *minNameDocs) && allLetters(term) {
			keep = append(keep, term)
		}
	}
	sort.Strings(keep)
	o, err := os.Create(*out)
	if err != nil {
		return fmt.Errorf("create output: %w", err)
	}
	if err := table.Save(o, keep); err != nil {
		o.Close()
		return err
	}
	return o.Close()
}

// commonWord keeps a term seen in minDocs documents if it is mostly written
// in lower case, and a capitalised one ("Friday", "American") only if it is
// spread over more documents than any one story of the corpus has, so that
// it describes English rather than a story.
func commonWord(df float64, lower, total, minDocs, minNameDocs int) bool {
	if 2*lower > total {
		return df >= float64(minDocs)
	}
	return df >= float64(minNameDocs)
}

// allLetters rejects numbers and words with digits ("86-yard"), which name
// facts of one story rather than common vocabulary.
func allLetters(s string) bool {
	for _, r := range s {
		if unicode.IsDigit(r) {
			return false
		}
	}
	return true
}
