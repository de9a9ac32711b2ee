package enrich

import (
	"math"
	"strings"
	"testing"
)

func TestDetectLanguage(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		want    string
		minConf float64 // when want is Undetermined, the confidence must be 0
	}{
		{name: "english news", text: "The central bank raised interest rates on Thursday for the third time this year, saying inflation remained too high.", want: "en", minConf: 0.9},
		{name: "german", text: "Die Regierung hat am Donnerstag beschlossen, die Steuern für kleine Unternehmen im nächsten Jahr zu senken.", want: "de", minConf: 0.5},
		{name: "french", text: "Le gouvernement a annoncé jeudi une nouvelle aide pour les agriculteurs touchés par la sécheresse de cet été.", want: "fr", minConf: 0.5},
		{name: "spanish", text: "El presidente anunció el jueves un nuevo plan para reducir el desempleo entre los jóvenes del país.", want: "es", minConf: 0.5},
		{name: "russian", text: "Правительство в четверг объявило о новых мерах поддержки фермеров, пострадавших от засухи.", want: "ru", minConf: 0.5},
		{name: "chinese", text: "政府周四宣布了一项新的计划，以帮助受干旱影响的农民。", want: "zh", minConf: 0.5},
		{name: "script of no configured language", text: "Η κυβέρνηση ανακοίνωσε την Πέμπτη νέα μέτρα στήριξης για τους αγρότες.", want: Undetermined},
		{name: "only numbers and punctuation", text: "2024-07-01 — 17:30 (+3.5%)", want: Undetermined},
		{name: "empty", text: "", want: Undetermined},
	}
	x := newTestEnricher(t, Config{}, fakeRarity{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, conf := x.detectLanguage(tc.text)
			if got != tc.want {
				t.Errorf("detectLanguage(%q) = %q (%v), want %q", tc.text, got, conf, tc.want)
			}
			if (tc.want == Undetermined && conf != 0) || conf < tc.minConf || conf > 1 {
				t.Errorf("detectLanguage(%q) confidence = %v, want at least %v (0 for unknown)", tc.text, conf, tc.minConf)
			}
		})
	}
}

func TestPrefix(t *testing.T) {
	tests := []struct {
		name, text string
		n          int
		want       string
	}{
		{name: "short text is whole", text: "one two", n: 10, want: "one two"},
		{name: "cut back to a space", text: "one two three", n: 9, want: "one two"},
		{name: "no space cuts at a rune boundary", text: "ééééé", n: 5, want: "éé"},
		{name: "cut inside a multibyte word", text: "ab é€x", n: 5, want: "ab"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := prefix(tc.text, tc.n)
			if got != tc.want || len(got) > tc.n || !strings.HasPrefix(tc.text, got) {
				t.Errorf("prefix(%q, %d) = %q, want %q", tc.text, tc.n, got, tc.want)
			}
		})
	}
}

// TestDetectLanguageLongerSample checks that a text whose start holds too
// few function words (a headline of names) is judged by the function words
// of a longer stretch: the answer is the pre-check's, not lingua's.
func TestDetectLanguageLongerSample(t *testing.T) {
	x := newTestEnricher(t, Config{}, fakeRarity{})
	head := strings.Repeat("Kim Jong Un Visits Russian Fighter Jet Factory In Komsomolsk-On-Amur ", 4)
	body := strings.Repeat("The leader of the country said that he would meet the president in the city on Friday, and that the talks would be about trade and security. ", 8)
	text := head + "\n\n" + body
	if _, _, ok := x.prof.detect(prefix(text, x.cfg.LanguageSampleBytes)); ok {
		t.Fatal("the test text's sample holds enough function words; make its start longer")
	}
	code, conf, ok := x.prof.detect(prefix(text, profileSampleFactor*x.cfg.LanguageSampleBytes))
	if !ok {
		t.Fatal("the pre-check does not answer on the longer stretch")
	}
	if got, gotConf := x.detectLanguage(text); got != code || gotConf != math.Round(conf*100)/100 {
		t.Errorf("detectLanguage = %q %v, want the pre-check's %q %v", got, gotConf, code, conf)
	}
}
