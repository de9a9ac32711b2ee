package enrich

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Thresholds of the function-word pre-check (see [profiler.detect]).
const (
	// profileMinWords is the fewest words a sample must hold to be judged
	// by its function words; shorter ones go to lingua.
	profileMinWords = 15
	// profileMinHits is the fewest function words of the winning language
	// (words no other candidate language has), and profileMinShare the
	// least share of the sample's words they must make up.
	profileMinHits  = 5
	profileMinShare = 0.1
	// profileMargin is how many times more function words the winner must
	// have than all the other candidates together.
	profileMargin = 6
	// profileMaxForeign is the most letters per thousand the sample may
	// hold outside the winner's script.
	profileMaxForeign = 50
	// profileOdds is the factor by which one function word of a language
	// raises its odds against another candidate. Real ratios are far
	// larger ("the" is about one word in twenty of English and rare
	// elsewhere); 4 keeps the confidence modest for a bare minimum of
	// evidence.
	profileOdds = 4
	// maxProfiled bounds the languages with function-word lists.
	maxProfiled = 16
)

// script is the writing system a language's function words are checked
// in; a sample is judged only against languages of its own script.
type script uint8

const (
	scriptOther script = iota // written in neither Latin nor Cyrillic
	scriptLatin
	scriptCyrillic
	numScripts
)

func scriptOf(r rune) script {
	switch {
	case r < utf8.RuneSelf || unicode.Is(unicode.Latin, r):
		return scriptLatin
	case unicode.Is(unicode.Cyrillic, r):
		return scriptCyrillic
	}
	return scriptOther
}

// functionWords are the most frequent short words of the languages the
// pre-check knows, lower case, split at apostrophes as the pre-check
// splits a text ("l'État" is "l" and "état"). A word listed for two
// candidate languages tells them apart no better than chance and is
// ignored for that pair.
var functionWords = map[string]struct {
	script script
	words  []string
}{
	"en": {scriptLatin, []string{
		"the", "of", "and", "to", "in", "a", "is", "that", "for", "on", "was", "with", "as", "by",
		"at", "from", "his", "her", "it", "are", "were", "be", "has", "have", "had", "not", "this",
		"which", "an", "or", "but", "they", "he", "she", "will", "would", "said", "their", "its",
		"been", "after", "who", "also", "than", "into", "over", "about", "more", "could",
		"when", "there", "then", "up", "out", "all", "we", "you", "him", "them", "what", "can",
		"one", "two", "before", "while", "during", "where", "because", "new",
	}},
	"de": {scriptLatin, []string{
		"der", "die", "das", "und", "ist", "nicht", "den", "dem", "des", "ein", "eine", "einer",
		"eines", "einem", "zu", "mit", "sich", "auf", "für", "von", "im", "sie", "es", "auch",
		"wird", "werden", "wurde", "hat", "haben", "nach", "bei", "aus", "als", "noch", "wie",
		"dass", "über", "oder", "aber", "vor", "zum", "zur", "sind",
	}},
	"fr": {scriptLatin, []string{
		"le", "la", "les", "de", "des", "du", "un", "une", "et", "est", "en", "que", "qui", "dans",
		"pour", "sur", "pas", "au", "aux", "par", "avec", "ce", "cette", "il", "elle", "ils",
		"sont", "ont", "été", "mais", "ou", "plus", "son", "sa", "ses", "leur", "l", "d", "qu",
		"n", "a",
	}},
	"es": {scriptLatin, []string{
		"el", "la", "los", "las", "de", "del", "y", "en", "que", "un", "una", "es", "por", "con",
		"para", "se", "no", "al", "lo", "su", "sus", "como", "más", "pero", "fue", "ha", "han",
		"sobre", "este", "esta", "entre", "cuando", "también", "muy", "sin", "ya", "hasta",
		"desde", "donde",
	}},
	"it": {scriptLatin, []string{
		"il", "lo", "la", "gli", "le", "di", "del", "della", "dei", "delle", "e", "è", "un",
		"una", "che", "in", "per", "con", "non", "si", "da", "al", "alla", "nel", "nella", "sono",
		"ha", "hanno", "anche", "come", "più", "ma", "questo", "questa", "era", "stato", "dopo",
		"tra", "fra", "su", "sul",
	}},
	"pt": {scriptLatin, []string{
		"o", "a", "os", "as", "de", "do", "da", "dos", "das", "e", "é", "em", "no", "na", "nos",
		"nas", "um", "uma", "que", "para", "com", "não", "por", "se", "ao", "mais", "como", "mas",
		"foi", "são", "seu", "sua", "pelo", "pela", "também", "está", "ele", "ela", "entre",
		"quando",
	}},
	"nl": {scriptLatin, []string{
		"de", "het", "een", "en", "van", "is", "dat", "in", "op", "te", "met", "voor", "niet",
		"zijn", "er", "aan", "hij", "ze", "wordt", "werd", "ook", "als", "bij", "door", "om",
		"maar", "naar", "uit", "dan", "nog", "over", "tot", "heeft", "hebben", "deze", "dit",
		"was", "worden",
	}},
	"ru": {scriptCyrillic, []string{
		"и", "в", "не", "на", "что", "с", "по", "как", "это", "он", "она", "они", "к", "из", "за",
		"от", "для", "о", "у", "же", "но", "был", "была", "было", "были", "его", "ее", "её",
		"также", "который", "которые", "при", "после", "или", "только", "уже", "так", "все", "бы",
	}},
	"uk": {scriptCyrillic, []string{
		"і", "й", "в", "у", "не", "на", "що", "з", "із", "та", "як", "це", "він", "вона", "вони",
		"до", "від", "для", "за", "про", "по", "але", "був", "була", "було", "були", "його", "її",
		"також", "який", "які", "після", "або", "тільки", "вже", "так", "усі", "би", "ще",
	}},
}

// unlistedScripts are the scripts of the languages the pre-check has no
// words for. A configured language of Latin or Cyrillic script among them
// turns the pre-check off for that script, as its texts could pass for a
// listed language's; a configured language in neither table turns it off
// altogether.
var unlistedScripts = func() map[string]script {
	m := map[string]script{}
	for s, codes := range map[script]string{
		scriptLatin: "af az ca cs cy da eo et eu fi ga hr hu id is la lg lt lv mi ms nb nn pl ro " +
			"sk sl sn so sq st sv sw tl tn tr ts vi xh yo zu",
		scriptCyrillic: "be bg kk mk mn sr",
		scriptOther:    "ar bn el fa gu he hi hy ja ka ko mr pa ta te th ur zh",
	} {
		for _, code := range strings.Fields(codes) {
			m[code] = s
		}
	}
	return m
}()

// profiler is the function-word pre-check of the configured languages.
type profiler struct {
	codes []string       // the languages it can answer with
	words map[string]int // function word → index in codes, for words of one language only
	on    [numScripts]bool
}

func newProfiler(languages []string) *profiler {
	p := &profiler{words: map[string]int{}}
	on := [numScripts]bool{scriptLatin: true, scriptCyrillic: true}
	owner := map[string]int{} // word → index in codes, or -1 when shared
	for _, code := range languages {
		fw, ok := functionWords[code]
		if !ok {
			if s, ok := unlistedScripts[code]; ok {
				on[s] = false // no-op for scriptOther, which is never on
			} else {
				on = [numScripts]bool{}
			}
			continue
		}
		idx := len(p.codes)
		p.codes = append(p.codes, code)
		for _, w := range fw.words {
			if prev, ok := owner[w]; ok && prev != idx {
				owner[w] = -1
			} else {
				owner[w] = idx
			}
		}
	}
	for w, idx := range owner {
		if idx >= 0 {
			p.words[w] = idx
		}
	}
	p.on = on
	return p
}

// detect judges sample by its function words: the words it holds that
// only one configured language uses. It answers when the sample is long
// enough, written in one script whose every configured language has a
// word list, and one language's function words are frequent and clearly
// outnumber the others'. The confidence treats every function word as
// multiplying the odds of its language against each other candidate by
// profileOdds, all equally likely a priori:
// 1 / Σ profileOdds^(hits(l) − hits(winner)) over the candidates l. Otherwise ok is false and lingua decides.
func (p *profiler) detect(sample string) (code string, conf float64, ok bool) {
	var (
		hits     [maxProfiled]int // by index in codes
		letters  [numScripts]int
		words    int
		buf      [32]byte // the current word, lower case
		n        int      // its length in buf; -1 once it outgrows buf
		inWord   bool
		flushHit = func() {
			words++
			if n > 0 {
				if idx, ok := p.words[string(buf[:n])]; ok {
					hits[idx]++
				}
			}
			n, inWord = 0, false
		}
	)
	for _, r := range sample {
		if !unicode.IsLetter(r) {
			if inWord {
				flushHit()
			}
			continue
		}
		inWord = true
		letters[scriptOf(r)]++
		if n < 0 {
			continue
		}
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		} else if r >= utf8.RuneSelf {
			r = unicode.ToLower(r)
		}
		if n+utf8.RuneLen(r) > len(buf) {
			n = -1
			continue
		}
		n += utf8.EncodeRune(buf[n:], r)
	}
	if inWord {
		flushHit()
	}
	if words < profileMinWords {
		return "", 0, false
	}
	total := letters[scriptOther] + letters[scriptLatin] + letters[scriptCyrillic]
	best, all := 0, 0
	for i := range p.codes {
		all += hits[i]
		if hits[i] > hits[best] {
			best = i
		}
	}
	s := functionWords[p.codes[best]].script
	switch {
	case !p.on[s],
		1000*(total-letters[s]) > profileMaxForeign*total,
		hits[best] < profileMinHits,
		float64(hits[best]) < profileMinShare*float64(words),
		profileMargin*(all-hits[best]) > hits[best]:
		return "", 0, false
	}
	odds := 0.0 // of every candidate against the winner
	for i := range p.codes {
		odds += math.Pow(profileOdds, float64(hits[i]-hits[best]))
	}
	return p.codes[best], 1 / odds, true
}
