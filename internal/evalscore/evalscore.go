// Package evalscore computes, in Go, the figures of the scorers in
// shared/eval (score.py for stories and duplicates, score_entities.py for
// entities), so tests can hold the pipeline to the quality bars without
// Python. Its results match the scripts' to the printed precision.
package evalscore

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// ReadJSONL decodes every non-blank line of a JSONL file into a T.
func ReadJSONL[T any](path string) ([]T, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []T
	r := bufio.NewReaderSize(f, 1<<20)
	for line := 1; ; line++ {
		b, err := r.ReadBytes('\n')
		if len(strings.TrimSpace(string(b))) > 0 {
			var v T
			if jerr := json.Unmarshal(b, &v); jerr != nil {
				return nil, fmt.Errorf("%s:%d: %w", path, line, jerr)
			}
			out = append(out, v)
		}
		if err != nil {
			break
		}
	}
	return out, nil
}

// Label is one line of a story label file (id, story, copy_of).
type Label struct {
	ID     string `json:"id"`
	Story  string `json:"story"`
	CopyOf string `json:"copy_of"`
}

// Decision is what the pipeline said of one article.
type Decision struct {
	StoryID     string
	DuplicateOf string
}

// Stories are the figures of score.py.
type Stories struct {
	Articles, Missing                             int
	ARI, PairPrecision, PairRecall, PairF1        float64
	CopyRecall, DupPrecision                      float64
	PredictedStories, TrueStories, DuplicateLinks int
}

func (s Stories) String() string {
	return fmt.Sprintf("articles=%d missing=%d stories=%d predicted_stories=%d links=%d ari=%.3f pair-precision=%.3f pair-recall=%.3f pair-f1=%.3f copy-recall=%.3f dup-precision=%.3f",
		s.Articles, s.Missing, s.TrueStories, s.PredictedStories, s.DuplicateLinks, s.ARI, s.PairPrecision, s.PairRecall, s.PairF1, s.CopyRecall, s.DupPrecision)
}

func comb2(n int) float64 { return float64(n) * float64(n-1) / 2 }

// ScoreStories compares decisions (by article id) with labels as score.py
// does: an empty story id is a singleton.
func ScoreStories(labels []Label, got map[string]Decision) Stories {
	var s Stories
	storyOf := map[string]string{}
	for _, l := range labels {
		storyOf[l.ID] = l.Story
	}
	pairs := map[[2]string]int{}
	truth, pred := map[string]int{}, map[string]int{}
	var ids []string
	for _, l := range labels {
		d, ok := got[l.ID]
		if !ok {
			s.Missing++
			continue
		}
		ids = append(ids, l.ID)
		p := d.StoryID
		if p == "" {
			p = "__single_" + l.ID
		}
		pairs[[2]string{l.Story, p}]++
		truth[l.Story]++
		pred[p]++
	}
	s.Articles, s.TrueStories, s.PredictedStories = len(ids), len(truth), len(pred)
	var sij, sa, sb float64
	for _, v := range pairs {
		sij += comb2(v)
	}
	for _, v := range truth {
		sa += comb2(v)
	}
	for _, v := range pred {
		sb += comb2(v)
	}
	n2 := comb2(len(ids))
	expected := 0.0
	if n2 > 0 {
		expected = sa * sb / n2
	}
	s.ARI = 1
	if (sa+sb)/2 != expected {
		s.ARI = (sij - expected) / ((sa+sb)/2 - expected)
	}
	s.PairPrecision, s.PairRecall = ratio(sij, sb), ratio(sij, sa)
	if s.PairPrecision+s.PairRecall > 0 {
		s.PairF1 = 2 * s.PairPrecision * s.PairRecall / (s.PairPrecision + s.PairRecall)
	}
	var good, copies, caught float64
	for _, l := range labels {
		d, ok := got[l.ID]
		if !ok {
			continue
		}
		if d.DuplicateOf != "" {
			s.DuplicateLinks++
			if storyOf[d.DuplicateOf] == l.Story {
				good++
			}
		}
		if l.CopyOf != "" {
			copies++
			if d.DuplicateOf != "" && storyOf[d.DuplicateOf] == l.Story {
				caught++
			}
		}
	}
	s.DupPrecision = ratio(good, float64(s.DuplicateLinks))
	s.CopyRecall = ratio(caught, copies)
	return s
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 1
	}
	return a / b
}

// GoldDoc is one document of eval/conll.
type GoldDoc struct {
	ID       string `json:"id"`
	Text     string `json:"text"`
	Entities []struct {
		Text string `json:"text"`
		Type string `json:"type"`
	} `json:"entities"`
}

// Entity is a predicted entity as events carry it.
type Entity struct {
	Name  string   `json:"name"`
	Type  string   `json:"type"`
	Forms []string `json:"forms"`
}

// PRF is precision, recall and F1.
type PRF struct{ Precision, Recall, F1 float64 }

func (p PRF) String() string {
	return fmt.Sprintf("precision=%.3f recall=%.3f f1=%.3f", p.Precision, p.Recall, p.F1)
}

// Types scored by ScoreEntities.
var Types = []string{"person", "organization", "location"}

var typeNames = map[string]string{"person": "person", "per": "person", "organization": "organization",
	"organisation": "organization", "org": "organization", "location": "location", "loc": "location", "gpe": "location"}

// NormForm folds a surface form as score_entities.py does: lower case,
// every run of characters other than a-z and 0-9 one space, trimmed.
func NormForm(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
			continue
		}
		space = true
	}
	return b.String()
}

// ScoreEntities compares predicted entities (and the text they were found
// in, by document id) with the gold documents, per type and overall.
func ScoreEntities(gold []GoldDoc, text map[string]string, got map[string][]Entity) (perType map[string]PRF, overall PRF, missing int) {
	tp, fp, fn := map[string]float64{}, map[string]float64{}, map[string]float64{}
	for _, g := range gold {
		ents, ok := got[g.ID]
		if !ok {
			missing++
			continue
		}
		want := map[[2]string]bool{}
		for _, e := range g.Entities {
			if t, ok := typeNames[e.Type]; ok {
				want[[2]string{NormForm(e.Text), t}] = true
			}
		}
		t := text[g.ID]
		if t == "" {
			t = g.Text
		}
		padded := " " + NormForm(t) + " "
		have := map[[2]string]bool{}
		for _, e := range ents {
			typ, ok := typeNames[strings.ToLower(e.Type)]
			if !ok {
				continue
			}
			forms := make([]string, 0, len(e.Forms)+1)
			for _, f := range e.Forms {
				forms = append(forms, NormForm(f))
			}
			if name := NormForm(e.Name); name != "" && strings.Contains(padded, " "+name+" ") {
				forms = append(forms, name)
			}
			for _, f := range forms {
				if f != "" {
					have[[2]string{f, typ}] = true
				}
			}
		}
		for k := range have {
			if want[k] {
				tp[k[1]]++
			} else {
				fp[k[1]]++
			}
		}
		for k := range want {
			if !have[k] {
				fn[k[1]]++
			}
		}
	}
	perType = map[string]PRF{}
	var T, P, N float64
	for _, typ := range Types {
		perType[typ] = prf(tp[typ], fp[typ], fn[typ])
		T, P, N = T+tp[typ], P+fp[typ], N+fn[typ]
	}
	return perType, prf(T, P, N), missing
}

func prf(tp, fp, fn float64) PRF {
	var r PRF
	if tp+fp > 0 {
		r.Precision = tp / (tp + fp)
	}
	if tp+fn > 0 {
		r.Recall = tp / (tp + fn)
	}
	if r.Precision+r.Recall > 0 {
		r.F1 = 2 * r.Precision * r.Recall / (r.Precision + r.Recall)
	}
	return r
}
