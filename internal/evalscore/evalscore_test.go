package evalscore

import (
	"math"
	"testing"
)

func TestScoreStories(t *testing.T) {
	labels := []Label{{ID: "a", Story: "s1"}, {ID: "b", Story: "s1", CopyOf: "a"}, {ID: "c", Story: "s2"}, {ID: "d", Story: "s2"}}
	tests := []struct {
		name                   string
		got                    map[string]Decision
		ari, copyRecall, dupPr float64
		missing                int
	}{
		{"perfect", map[string]Decision{"a": {StoryID: "x"}, "b": {StoryID: "x", DuplicateOf: "a"}, "c": {StoryID: "y"}, "d": {StoryID: "y"}}, 1, 1, 1, 0},
		// All singletons: no agreeing pair, ARI 0 by construction.
		{"singletons", map[string]Decision{"a": {}, "b": {}, "c": {}, "d": {}}, 0, 0, 1, 0},
		{"wrong link", map[string]Decision{"a": {StoryID: "x"}, "b": {StoryID: "x", DuplicateOf: "c"}, "c": {StoryID: "y"}, "d": {StoryID: "y"}}, 1, 0, 0, 0},
		{"missing", map[string]Decision{"a": {StoryID: "x"}}, 1, 1, 1, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := ScoreStories(labels, tc.got)
			if math.Abs(s.ARI-tc.ari) > 1e-9 || s.CopyRecall != tc.copyRecall || s.DupPrecision != tc.dupPr || s.Missing != tc.missing {
				t.Errorf("ScoreStories = %s missing=%d, want ari=%v copy-recall=%v dup-precision=%v missing=%d", s, s.Missing, tc.ari, tc.copyRecall, tc.dupPr, tc.missing)
			}
		})
	}
}

func TestNormForm(t *testing.T) {
	for in, want := range map[string]string{"Kim Jong-un": "kim jong un", "  U.S. ": "u s", "Komsomolsk-on-Amur": "komsomolsk on amur", "Zürich": "z rich"} {
		if got := NormForm(in); got != want {
			t.Errorf("NormForm(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestScoreEntities(t *testing.T) {
	gold := []GoldDoc{{ID: "d", Text: "Putin met Kim in Vostochny."}}
	gold[0].Entities = append(gold[0].Entities,
		struct {
			Text string `json:"text"`
			Type string `json:"type"`
		}{"Putin", "person"},
		struct {
			Text string `json:"text"`
			Type string `json:"type"`
		}{"Vostochny", "location"})
	got := map[string][]Entity{"d": {{Name: "Vladimir Putin", Type: "person", Forms: []string{"Putin"}}, {Name: "Kim", Type: "organization", Forms: []string{"Kim"}}}}
	per, all, missing := ScoreEntities(gold, nil, got)
	if missing != 0 || per["person"].F1 != 1 || per["location"].Recall != 0 || all.Precision != 0.5 || all.Recall != 0.5 {
		t.Errorf("ScoreEntities = %v %v missing=%d", per, all, missing)
	}
}
