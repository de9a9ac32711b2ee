// Command nertrain trains the named-entity model that package ner embeds.
//
//	go run ./tools/nertrain -train ../shared/eval/conll/train.jsonl -out pipeline/enrich/ner/model.bin.gz
//
// The input is JSONL, one {"text", "entities": [{"type", "start", "end"}]}
// per line, offsets in characters (as CoNLL-2003 is distributed in
// shared/eval/conll). The gazetteer's place names are read from the tz
// database in -zoneinfo (Debian package tzdata). With -dev, it also prints
// the scores of the trained model on a held-out file, for choosing -epochs
// and -folds.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/wiredesk/wiredesk/pipeline/enrich/ner"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "nertrain:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("nertrain", flag.ContinueOnError)
	train := fs.String("train", "", "training JSONL file (required)")
	dev := fs.String("dev", "", "held-out JSONL file to score the model on")
	out := fs.String("out", "", "where to write the gzipped model")
	var cfg ner.TrainConfig
	fs.IntVar(&cfg.Epochs, "epochs", 0, "passes over the training data (0: default)")
	fs.IntVar(&cfg.Folds, "folds", 0, "cross-validation folds for the second stage's training input (0: default)")
	zoneinfo := fs.String("zoneinfo", "/usr/share/zoneinfo", "tz database directory whose iso3166.tab and zone.tab name the gazetteer's places (Debian package tzdata); empty for none")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *train == "" {
		return fmt.Errorf("-train is required")
	}
	docs, err := readDocs(*train)
	if err != nil {
		return err
	}
	if *zoneinfo != "" {
		if cfg.Places, err = placeNames(*zoneinfo); err != nil {
			return err
		}
	}
	start := time.Now()
	model, err := ner.Train(docs, cfg)
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	fmt.Fprintf(stdout, "trained on %d documents in %v, model %d bytes\n", len(docs), time.Since(start).Round(time.Millisecond), len(model))
	if *out != "" {
		if err := os.WriteFile(*out, model, 0o644); err != nil {
			return err
		}
	}
	if *dev == "" {
		return nil
	}
	devDocs, err := readDocs(*dev)
	if err != nil {
		return err
	}
	rec, err := ner.Load(bytes.NewReader(model))
	if err != nil {
		return err
	}
	ev := rec.Evaluate(devDocs)
	for _, t := range ner.ScoredTypes {
		s := ev.ByType[t]
		fmt.Fprintf(stdout, "%-13s precision=%.3f recall=%.3f f1=%.3f\n", t, s.Precision(), s.Recall(), s.F1())
	}
	fmt.Fprintf(stdout, "overall       precision=%.3f recall=%.3f f1=%.3f\n", ev.Overall.Precision(), ev.Overall.Recall(), ev.Overall.F1())
	return nil
}

func readDocs(path string) ([]ner.Document, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	docs, err := ner.ReadDocuments(f)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return docs, nil
}

// placeNames reads the countries of iso3166.tab and the cities of zone.tab
// in a tz database directory. The tz database is in the public domain.
func placeNames(dir string) ([]string, error) {
	var names []string
	for _, f := range []struct {
		file  string
		field int
		place func(string) string
	}{
		// "KP	Korea (North)": the country, without the qualifier.
		{"iso3166.tab", 1, func(s string) string { name, _, _ := strings.Cut(s, " ("); return name }},
		// "UA	+5026+03031	Europe/Kyiv	...": the city of the zone.
		{"zone.tab", 2, func(s string) string { return strings.ReplaceAll(s[strings.LastIndexByte(s, '/')+1:], "_", " ") }},
	} {
		data, err := os.ReadFile(filepath.Join(dir, f.file))
		if err != nil {
			return nil, fmt.Errorf("read places: %w", err)
		}
		for line := range strings.Lines(string(data)) {
			fields := strings.Split(strings.TrimRight(line, "\n"), "\t")
			if strings.HasPrefix(line, "#") || len(fields) <= f.field {
				continue
			}
			names = append(names, f.place(fields[f.field]))
		}
	}
	return names, nil
}
