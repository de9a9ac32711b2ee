package enrich

import (
	"strings"
	"testing"
)

func TestProfilerDetect(t *testing.T) {
	tests := []struct {
		name string
		text string
		want string // "" when the pre-check must leave the text to lingua
	}{
		{name: "english", want: "en", text: "The government said on Thursday that it would raise the minimum wage for the second time this year, after a report by the central bank showed that prices were still rising."},
		{name: "german", want: "de", text: "Die Regierung hat am Donnerstag beschlossen, dass die Steuern für kleine Unternehmen im nächsten Jahr gesenkt werden, und der Minister sagte, es sei nicht genug."},
		{name: "french", want: "fr", text: "Le gouvernement a annoncé jeudi une nouvelle aide pour les agriculteurs qui sont touchés par la sécheresse, mais les syndicats estiment que cette somme est insuffisante pour eux."},
		{name: "spanish", want: "es", text: "El presidente anunció el jueves un nuevo plan para reducir el desempleo entre los jóvenes del país, pero los sindicatos dijeron que las medidas llegan muy tarde y sin fondos."},
		{name: "italian", want: "it", text: "Il governo ha approvato giovedì un nuovo piano per ridurre la disoccupazione dei giovani, ma i sindacati hanno detto che le misure della legge non sono sufficienti per il paese."},
		{name: "portuguese", want: "pt", text: "O governo anunciou na quinta-feira um novo plano para reduzir o desemprego dos jovens, mas os sindicatos disseram que as medidas não são suficientes para o país e chegam tarde."},
		{name: "dutch", want: "nl", text: "De regering heeft donderdag een nieuw plan gepresenteerd om de werkloosheid onder jongeren te verminderen, maar de vakbonden zeggen dat het niet genoeg is voor het land."},
		{name: "russian", want: "ru", text: "Правительство в четверг объявило о новых мерах поддержки фермеров, которые пострадали от засухи, но профсоюзы считают, что этого недостаточно, и что помощь была только на бумаге."},
		{name: "ukrainian", want: "uk", text: "Уряд у четвер оголосив про нові заходи підтримки фермерів, які постраждали від посухи, але профспілки вважають, що цього недостатньо, і що допомога була тільки на папері."},
		{name: "short", text: "The talks at the cosmodrome lasted four hours."},
		{name: "english and german mixed", text: "The minister said that the plan was ready. Der Minister sagte, dass der Plan fertig ist und die Regierung auf die Zustimmung wartet."},
		{name: "names and numbers without function words", text: "Putin Kim Shoigu Lavrov Peskov Zakharova Vostochny Khabarovsk Amur Primorye Vladivostok Moscow Pyongyang Seoul Tokyo Beijing Washington"},
		{name: "latin transliteration inside cyrillic", text: "Правительство в четверг объявило о мерах, и министр сказал, что это только начало: the government said that the plan was ready and that it was the first of the measures."},
		{name: "chinese", text: "政府周四宣布了一项新的计划，以帮助受干旱影响的农民，但工会表示这些措施远远不够，来得太晚了。"},
	}
	p := newProfiler(DefaultLanguages)
	x := newTestEnricher(t, Config{}, fakeRarity{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, conf, ok := p.detect(tc.text)
			if tc.want == "" {
				if ok {
					t.Errorf("detect(%q) = %q (%v), want it left to lingua", tc.text, got, conf)
				}
				return
			}
			if !ok || got != tc.want || conf < 0.9 || conf > 1 {
				t.Errorf("detect(%q) = %q, %v, %v; want %q with confidence in [0.9, 1]", tc.text, got, conf, ok, tc.want)
			}
			// The pre-check must agree with the detector it stands in for.
			vals := x.lang.ComputeLanguageConfidenceValues(tc.text)
			if lingua := strings.ToLower(vals[0].Language().IsoCode639_1().String()); lingua != got {
				t.Errorf("detect(%q) = %q, lingua says %q", tc.text, got, lingua)
			}
		})
	}
}

// TestProfilerLanguages checks that the pre-check only answers within
// the configured languages, and stays off for a script in which a
// configured language has no word list.
func TestProfilerLanguages(t *testing.T) {
	const german = "Die Regierung hat am Donnerstag beschlossen, dass die Steuern für kleine Unternehmen im nächsten Jahr gesenkt werden, und der Minister sagte, es sei nicht genug."
	const russian = "Правительство в четверг объявило о новых мерах поддержки фермеров, которые пострадали от засухи, но профсоюзы считают, что этого недостаточно, и что помощь была только на бумаге."
	tests := []struct {
		name      string
		languages []string
		text      string
		want      string
	}{
		{name: "listed languages", languages: []string{"en", "de"}, text: german, want: "de"},
		{name: "text in an unconfigured language", languages: []string{"en", "fr"}, text: german},
		{name: "latin language without a list", languages: []string{"en", "de", "sv"}, text: german},
		{name: "unlisted latin language leaves cyrillic on", languages: []string{"ru", "de", "sv"}, text: russian, want: "ru"},
		{name: "language of another script", languages: []string{"de", "ar", "zh"}, text: german, want: "de"},
		{name: "cyrillic language without a list", languages: []string{"en", "ru", "bg"}, text: russian},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _, ok := newProfiler(tc.languages).detect(tc.text)
			if got != tc.want || ok != (tc.want != "") {
				t.Errorf("detect() with %v = %q, %v; want %q", tc.languages, got, ok, tc.want)
			}
		})
	}
}
