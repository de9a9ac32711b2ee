package clean

import (
	"strings"
	"testing"
)

// furnitureStrings must not survive in any cleaned seed.
var furnitureStrings = []string{
	"HomeNews", "HomeWorld", "Advertisement", "Rate this post", "Most Popular", "Recent Posts",
	"RELATED ARTICLES", "Sign up", "spam", "privacy policy", "Source link", "Please enter your",
	"originally published on this site", "Photo:", "(Video:", "Live Briefing", "click here",
	"Monday, July 1, 2024",
}

func TestSeedsHaveNoFurniture(t *testing.T) {
	for _, prefix := range []string{"000", "001", "002", "003"} {
		t.Run(prefix, func(t *testing.T) {
			got := Text(readSeed(t, prefix))
			for _, f := range furnitureStrings {
				if strings.Contains(got, f) {
					t.Errorf("Text(seed %s) contains furniture %q", prefix, f)
				}
			}
		})
	}
}

// TestSeed002KimStory checks the bar for seed 002: the four teasers of
// unrelated stories appended after the Kim story are gone, and every
// paragraph of the Kim story is kept, whole and in order.
func TestSeed002KimStory(t *testing.T) {
	raw := readSeed(t, "002")
	got := Clean(raw)
	text := got.Text()
	for _, teaser := range []string{"Chandrayaan", "OSIRIS", "Osiris", "asteroid", "Tocoron", "SYRIZA", "Kasselakis"} {
		if strings.Contains(text, teaser) {
			t.Errorf("cleaned seed 002 contains teaser topic %q", teaser)
		}
	}
	kim := []string{
		"North Korean leader Kim Jong-un yesterday peered",
		"Since entering Russia aboard his armored train",
		"Foreign governments and experts speculate",
		"Earlier yesterday, Russia’s state news agency",
		"Later, Khabarovsk Krai Governor Mikhail Degtyarev",
		"One photograph showed a demonstration flight",
		"Degtyarev said that Kim’s late father",
		"“Our fathers and grandfathers jointly fought",
		"Besides Degtyarev, Russian Deputy Prime Minister",
		"A Russian Cabinet statement said",
		"“We have shown one of our leading aircraft plants",
		"Kim Jong-un was to travel to Vladivostok",
		"Experts say that in return for helping Putin",
		"On Thursday, the national security advisers",
		"They warned that Russia and North Korea",
		"The White House said the three national security advisers",
		"They reiterated their cooperation",
		"South Korean Minister of Unification Kim Yung-ho",
		"Some analysts question how much Russia",
	}
	if len(got.Paragraphs) != len(kim) {
		t.Errorf("cleaned seed 002 has %d paragraphs, want the %d of the Kim story", len(got.Paragraphs), len(kim))
	}
	rawLines := map[string]bool{}
	for _, l := range strings.Split(raw, "\n") {
		rawLines[strings.TrimSpace(l)] = true
	}
	for i, start := range kim {
		if i >= len(got.Paragraphs) {
			t.Errorf("paragraph %d starting %q missing", i, start)
			continue
		}
		p := got.Paragraphs[i]
		if !strings.HasPrefix(p, start) {
			t.Errorf("paragraph %d = %.60q, want it to start with %q", i, p, start)
		}
		if !rawLines[p] {
			t.Errorf("paragraph %d %.60q is not a whole line of the input", i, p)
		}
	}
}
