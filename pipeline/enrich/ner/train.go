package ner

import (
	"bytes"
	"compress/gzip"
	"encoding/gob"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// Document is an annotated text for [Train].
type Document struct {
	Text  string
	Spans []Span
}

// Span is one annotated entity: byte offsets into the text and its type
// ("person", "organization", "location" or "misc").
type Span struct {
	Start, End int
	Type       string
}

// TrainConfig sets the training run. The zero value means defaults.
type TrainConfig struct {
	// Epochs is the number of passes over the data; default 12.
	Epochs int
	// Folds is the number of parts the data is cut into to give the second
	// stage first-stage tags of documents the first stage did not see;
	// default 4.
	Folds int
	// Seed orders the sentences of each pass; default 1.
	Seed uint64
	// MinWeight drops features whose averaged weights are all smaller in
	// magnitude, to keep the model small; default 0.01.
	MinWeight float32
	// Places lists place names for the gazetteer features; the model
	// keeps them, to know places the training data lacks.
	Places []string
}

func (c *TrainConfig) setDefaults() {
	if c.Epochs == 0 {
		c.Epochs = 12
	}
	if c.Folds == 0 {
		c.Folds = 4
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.MinWeight == 0 {
		c.MinWeight = 0.01
	}
}

// sequence is one training sentence: feature ids per token and gold tags.
type sequence struct {
	featStart []int32 // token i's features are feats[featStart[i]:featStart[i+1]]
	feats     []int32
	gold      []int8
}

// trainDoc is a tokenized training document.
type trainDoc struct {
	toks  []token
	words []string
	kinds []wordKind
	flags map[string]uint8 // document flags by lower-case form
	gold  []int8
}

// featureIndex numbers feature keys.
type featureIndex struct {
	ids  map[string]int32
	keys []string
}

func (x *featureIndex) id(k string) int32 {
	i, ok := x.ids[k]
	if !ok {
		i = int32(len(x.keys))
		x.ids[k] = i
		x.keys = append(x.keys, k)
	}
	return i
}

// Train fits the two stages of averaged structured perceptrons to docs and
// returns the encoded model, the format [Load] reads. The second stage is
// trained on first-stage tags from models that did not see the document
// (cross-validation over cfg.Folds parts), as it will meet them on new
// text. It returns an error if a span has an unknown type or the documents
// hold no tokens.
func Train(docs []Document, cfg TrainConfig) ([]byte, error) {
	cfg.setDefaults()
	tds := make([]*trainDoc, len(docs))
	vocab := map[string]bool{}
	ntok := 0
	for i, d := range docs {
		td, err := newTrainDoc(d)
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		for _, w := range td.words {
			vocab[w] = true
			vocab[lowerOf(w)] = true
		}
		tds[i] = td
		ntok += len(td.toks)
	}
	if ntok == 0 {
		return nil, fmt.Errorf("no tokens to train on")
	}
	m := &modelFile{Places: cfg.Places}
	gaz := newGazetteer(cfg.Places)
	first := &featureIndex{ids: map[string]int32{}}
	seqs := make([][]sequence, len(tds))
	for i, td := range tds {
		seqs[i] = td.sequences(first, gaz, nil)
	}
	// First-stage tags of each document from a model trained on the other
	// folds.
	firstTags := make([][]int8, len(tds))
	for k := range cfg.Folds {
		var train []*sequence
		for i := range seqs {
			if i%cfg.Folds != k {
				train = appendSeqs(train, seqs[i])
			}
		}
		avg := trainPerceptron(train, len(first.keys), cfg)
		for i := k; i < len(seqs); i += cfg.Folds {
			firstTags[i] = avg.tagDoc(seqs[i])
		}
	}
	var all []*sequence
	for i := range seqs {
		all = appendSeqs(all, seqs[i])
	}
	m.Stages = append(m.Stages, trainPerceptron(all, len(first.keys), cfg).encode(first.keys, cfg.MinWeight))

	second := &featureIndex{ids: map[string]int32{}}
	all = all[:0]
	for i, td := range tds {
		all = appendSeqs(all, td.sequences(second, gaz, firstTags[i]))
	}
	m.Stages = append(m.Stages, trainPerceptron(all, len(second.keys), cfg).encode(second.keys, cfg.MinWeight))
	for w := range vocab {
		m.Vocab = append(m.Vocab, w)
	}
	sort.Strings(m.Vocab)
	return m.encode()
}

func appendSeqs(dst []*sequence, src []sequence) []*sequence {
	for i := range src {
		dst = append(dst, &src[i])
	}
	return dst
}

// newTrainDoc tokenizes a document and tags its tokens from the spans.
func newTrainDoc(d Document) (*trainDoc, error) {
	toks := tokenize(d.Text, nil)
	td := &trainDoc{toks: toks, gold: make([]int8, len(toks)), words: make([]string, len(toks)), kinds: make([]wordKind, len(toks)), flags: map[string]uint8{}}
	spans := append([]Span(nil), d.Spans...)
	sort.Slice(spans, func(i, j int) bool { return spans[i].Start < spans[j].Start })
	k := 0
	for _, s := range spans {
		class := classIndex(s.Type)
		if class == 0 {
			return nil, fmt.Errorf("span %d-%d has unknown type %q", s.Start, s.End, s.Type)
		}
		for k < len(toks) && toks[k].start < s.Start {
			k++
		}
		for j := k; j < len(toks) && toks[j].start < s.End; j++ {
			td.gold[j] = int8(2*class - 1)
			if j > k {
				td.gold[j] = int8(2 * class)
			}
		}
	}
	for i := range toks {
		td.words[i] = toks[i].text
		td.kinds[i] = kindOf(td.words[i])
		td.flags[lowerOf(td.words[i])] |= observe(&toks[i], td.kinds[i])
	}
	return td, nil
}

// sequences lists each token's features, one sequence per sentence. With
// first-stage tags, it adds the document-class features of the second
// stage.
func (td *trainDoc) sequences(index *featureIndex, gaz gazetteer, firstTags []int8) []sequence {
	docClass := make([]int, len(td.toks))
	if firstTags != nil {
		votes := map[string]*classVotes{}
		for i, w := range td.words {
			l := lowerOf(w)
			if votes[l] == nil {
				votes[l] = new(classVotes)
			}
			votes[l].add(firstTags[i])
		}
		for i, w := range td.words {
			docClass[i] = votes[lowerOf(w)].majority()
		}
	}
	props := map[string]*wordProps{}
	for _, w := range append(td.words, wordBOS, wordEOS) {
		if props[w] == nil {
			p := propsOf(w, gaz)
			props[w] = &p
		}
	}
	var seqs []sequence
	forSentences(td.toks, func(lo, hi int) {
		s := sequence{gold: td.gold[lo:hi]}
		for i := lo; i < hi; i++ {
			s.featStart = append(s.featStart, int32(len(s.feats)))
			for g := range numWordGroups {
				if !groupActive(g, &td.toks[i]) {
					continue
				}
				props[wordAt(td.words, lo, hi, i+wordGroupOffset[g])].group(g, func(kind int, value string) {
					s.feats = append(s.feats, index.id(featureKey(g, kind, value)))
				})
			}
			var buf [5]int
			for _, c := range constGroups(buf[:0], &td.toks[i], td.kinds[i], td.flags[lowerOf(td.words[i])], docClass[i]) {
				s.feats = append(s.feats, index.id(constKey(c)))
			}
		}
		s.featStart = append(s.featStart, int32(len(s.feats)))
		seqs = append(seqs, s)
	})
	return seqs
}

// wordAt returns the word at position i of the sentence [lo, hi), or a
// pseudo-word beyond its ends.
func wordAt(words []string, lo, hi, i int) string {
	switch {
	case i < lo:
		return wordBOS
	case i >= hi:
		return wordEOS
	}
	return words[i]
}

// forSentences calls fn with the token range of each sentence: the tagger
// decodes one sentence at a time, so no entity spans a sentence end.
func forSentences(toks []token, fn func(lo, hi int)) {
	for lo := 0; lo < len(toks); {
		hi := lo + 1
		for hi < len(toks) && !toks[hi].sentStart {
			hi++
		}
		fn(lo, hi)
		lo = hi
	}
}

func classIndex(typ string) int {
	for i, n := range classNames {
		if i > 0 && n == typ {
			return i
		}
	}
	return 0
}

// perceptron is an averaged structured perceptron: w holds the current
// weights and acc the time-weighted sum of updates, so that the average is
// w - acc/c.
type perceptron struct {
	w, acc    []float32
	tr, trAcc transitions
	c         float32
	emit      [][numTags]float32
	back      [][numTags]int8
}

// trainPerceptron runs cfg.Epochs passes over seqs, in an order shuffled
// each pass, and returns the averaged weights.
func trainPerceptron(seqs []*sequence, nf int, cfg TrainConfig) *weights {
	p := &perceptron{w: make([]float32, nf*numTags), acc: make([]float32, nf*numTags), c: 1}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0))
	order := append([]*sequence(nil), seqs...)
	var pred []int8
	for range cfg.Epochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, s := range order {
			pred = p.tag(s, p.w, &p.tr, pred)
			p.update(s, pred)
		}
	}
	avg := &weights{w: make([]float32, len(p.w))}
	for i := range p.w {
		avg.w[i] = p.w[i] - p.acc[i]/p.c
	}
	for a := range numTags + 1 {
		for b := range numTags {
			avg.tr[a][b] = p.tr[a][b] - p.trAcc[a][b]/p.c
		}
	}
	return avg
}

// tag decodes one sentence with weights w and transitions tr into pred.
func (p *perceptron) tag(s *sequence, w []float32, tr *transitions, pred []int8) []int8 {
	n := len(s.gold)
	for len(p.emit) < n {
		p.emit = append(p.emit, [numTags]float32{})
		p.back = append(p.back, [numTags]int8{})
	}
	for i := range n {
		e := &p.emit[i]
		*e = [numTags]float32{}
		for _, f := range s.feats[s.featStart[i]:s.featStart[i+1]] {
			row := w[int(f)*numTags : int(f+1)*numTags]
			for t := range numTags {
				e[t] += row[t]
			}
		}
	}
	pred = append(pred[:0], make([]int8, n)...)
	d := newDecoder(tr)
	d.viterbi(p.emit[:n], pred, p.back[:n], numTags, false)
	return pred
}

// update moves the weights towards the gold tags where pred differs.
func (p *perceptron) update(s *sequence, pred []int8) {
	prevG, prevP := numTags, numTags
	for i := range s.gold {
		g, q := int(s.gold[i]), int(pred[i])
		if g != q {
			for _, f := range s.feats[s.featStart[i]:s.featStart[i+1]] {
				p.bump(int(f)*numTags+g, 1)
				p.bump(int(f)*numTags+q, -1)
			}
		}
		if g != q || prevG != prevP {
			p.tr[prevG][g]++
			p.trAcc[prevG][g] += p.c
			p.tr[prevP][q]--
			p.trAcc[prevP][q] -= p.c
		}
		prevG, prevP = g, q
	}
	p.c++
}

func (p *perceptron) bump(i int, d float32) {
	p.w[i] += d
	p.acc[i] += d * p.c
}

// weights are the averaged weights of a trained stage, by feature id.
type weights struct {
	w  []float32
	tr transitions
}

// tagDoc returns the tags of a document's sentences, in token order.
func (a *weights) tagDoc(seqs []sequence) []int8 {
	var p perceptron
	var tags, pred []int8
	for i := range seqs {
		pred = p.tag(&seqs[i], a.w, &a.tr, pred)
		tags = append(tags, pred...)
	}
	return tags
}

// modelFile is the encoded model: one set of weights per stage, the words
// of the training data, whose score vectors the tagger precomputes, and the
// place names of the gazetteer.
type modelFile struct {
	Stages []stageFile
	Vocab  []string
	Places []string
}

// stageFile holds the averaged weights of one stage per feature key.
type stageFile struct {
	Keys    []string
	Weights []float32 // numTags per key
	Trans   []float32 // (numTags+1)*numTags
}

// encode returns the weights by key, without the features whose weights
// are all below minWeight in magnitude.
func (a *weights) encode(keys []string, minWeight float32) stageFile {
	var st stageFile
	for k, key := range keys {
		row := a.w[k*numTags : (k+1)*numTags]
		keep := false
		for _, x := range row {
			keep = keep || float32(math.Abs(float64(x))) >= minWeight
		}
		if keep {
			st.Keys = append(st.Keys, key)
			st.Weights = append(st.Weights, row...)
		}
	}
	for a2 := range numTags + 1 {
		st.Trans = append(st.Trans, a.tr[a2][:]...)
	}
	return st
}

func (m *modelFile) encode() ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if err := gob.NewEncoder(zw).Encode(m); err != nil {
		return nil, fmt.Errorf("encode model: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("compress model: %w", err)
	}
	return buf.Bytes(), nil
}
