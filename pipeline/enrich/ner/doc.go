// Package ner finds the people, organisations and locations named in
// English news text and merges the mentions of each into one
// [pipeline.Entity].
//
// # Method
//
// A [Recognizer] tokenizes the text the way CoNLL-2003 is tokenized and
// tags each sentence with BIO tags over four classes (person, organization,
// location, misc) in two stages, each an averaged structured perceptron
// decoded with Viterbi. The features are the word, its lower-case form,
// shape, length and 1–4 letter prefixes and suffixes; the lower-case form
// and shape of the words one before and after, and the lower-case form two
// away; the word's form at a sentence start and in a line of capitals
// (headlines); whether the word is part of a place name of a small
// gazetteer (the countries and time-zone cities of the tz database, which
// brings places such as "Kyiv" that 1996 news lacks); and whether the
// document also writes the word in lower case or capitalised
// mid-sentence. The second stage adds which class the first stage gave
// the word's occurrences in the document, so that a name is tagged alike
// throughout (Ratinov & Roth 2009 call this two-stage prediction
// aggregation). Titles ("Governor", "Admiral") are cut from
// person names, as the training data leaves them out.
//
// Every feature depends only on one word and a few per-token flags, so the
// weights of all features of a word type are summed once, when the model is
// loaded (or when a new word is first met), into one score vector per
// feature group. Tagging a token then costs one probe of a hash table (by
// the word's hash, computed as the tokenizer reads it) and a handful of
// vector additions; tokens more than three words from any capitalised word
// are tagged O without scoring, and the second stage rescores only the runs
// that hold a word the first stage tagged somewhere in the document. The
// decoder compares the paths into the O and B tags only at tokens where
// no path (mostly the one ending in O) leads the others by more than any
// transition could make up; elsewhere the leading path is the best one,
// so the shortcut leaves the tags unchanged.
//
// Mentions then merge into entities: mentions whose forms fold to the same
// lower-case letters and digits ("Kim Jong Un", "Kim Jong-un") and share a
// type are one entity, while one name tagged two types (a city and its
// team) stays two. A person named by part of a fuller name ("Putin",
// "Kim") joins the fuller name that has it and is mentioned most, so
// "Kim Jong-il" and "Kim Yung-ho" stay apart from "Kim Jong Un"; a name
// tagged a person at least as often as another type is a person. An
// acronym joins the organisation or location whose initials it spells
// ("EU", "European Union"), and a small alias table joins names no text
// spells out ("DPRK", "North Korea"; "U.S.", "United States"). The
// canonical name is the most complete form: most words, then longest.
//
// # Model and data
//
// The model, model.bin.gz (about 1.3 MB), is embedded in the package and
// decoded on the first call of [Default]. It holds the averaged weights
// of both stages by feature, the word list of the training data and the
// gazetteer's place names. It is trained on the training split of
// CoNLL-2003 English (Reuters newswire of 1996; Tjong Kim Sang & De Meulder
// 2003) in ../shared/eval/conll by
//
//	go run ./tools/nertrain -train ../shared/eval/conll/train.jsonl -out pipeline/enrich/ner/model.bin.gz
//
// which is deterministic for given inputs; -dev scores a held-out file.
// The place names come from iso3166.tab and zone.tab of the tz database
// (public domain; Debian package tzdata 2025b, /usr/share/zoneinfo). The
// Reuters text itself is licensed for research and is not in the module:
// only feature weights and the words of the training split, as a sorted
// list, are. The alias table and the title and abbreviation lists are
// written here.
//
// Measured as shared/eval/score_entities.py does (per document, the set of
// surface forms and types), the model scores F1 0.92 on CoNLL-2003 dev
// (person 0.94, organization 0.87, location 0.93); TestDevF1 fails below
// 0.88.
//
// # Limits
//
// The model knows 1996 Reuters: names of its era and its habits (sports
// tables, all-capital headlines). Site furniture of modern web pages
// ("Recent Posts", "Most Popular") can come out as names, and a
// capitalised word opening a sentence is sometimes glued to the name after
// it ("Besides Degtyarev"). Misc entities (nationalities, events) are
// returned with type "misc" but not merged beyond equal forms. Aliases are
// merged within one text only.
//
// # Memory and concurrency
//
// The decoded model holds about 35 MB of heap; words met at run time that
// the training data lacks are cached, up to 50,000 words (about 30 MB).
// A [Recognizer] is safe for concurrent use. Its zero value is not usable;
// use [Default] or [Load].
package ner
