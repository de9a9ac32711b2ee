package clean

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const articleHTML = `<!DOCTYPE html>
<html lang="en"><head>
<title>Kim tours fighter jet plant | Example News</title>
<meta property="og:title" content="Kim tours fighter jet plant">
<meta name="author" content="Jane Doe">
<meta property="article:published_time" content="2023-09-15T08:30:00Z">
</head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/asia">Asia</a></nav></header>
<main><article>
<h1>Kim tours fighter jet plant</h1>
<p>North Korean leader Kim Jong Un peered into the cockpit of Russia's most advanced fighter jet on Friday as he toured an aircraft factory in the far east of the country.</p>
<div class="ad">- Advertisement -</div>
<p>Since entering Russia aboard his armoured train on Tuesday, Kim has met President Vladimir Putin and visited weapons and technology sites across the region.</p>
<p>Governor Mikhail Degtyarev posted pictures of Kim at the plant looking at the Su-57, Russia's most sophisticated fighter jet, and shaking hands with a pilot.</p>
<p>Sign up to receive the latest news in your inbox, everyday.</p>
</article></main>
<aside><h3>Most Popular</h3><ul><li><a href="/a">Prison raid ends gang rule</a></li><li><a href="/b">Asteroid samples land in Utah</a></li></ul></aside>
<footer><p>Copyright 2023 Example News. All rights reserved.</p></footer>
</body></html>`

func TestHTML(t *testing.T) {
	r := Clean(articleHTML)
	wantParas := []string{
		"North Korean leader Kim Jong Un peered into the cockpit of Russia's most advanced fighter jet on Friday as he toured an aircraft factory in the far east of the country.",
		"Since entering Russia aboard his armoured train on Tuesday, Kim has met President Vladimir Putin and visited weapons and technology sites across the region.",
		"Governor Mikhail Degtyarev posted pictures of Kim at the plant looking at the Su-57, Russia's most sophisticated fighter jet, and shaking hands with a pilot.",
	}
	var story []string
	for _, p := range r.Paragraphs {
		if p != "Kim tours fighter jet plant" { // the extractor may or may not keep the <h1>
			story = append(story, p)
		}
	}
	if diff := cmp.Diff(wantParas, story); diff != "" {
		t.Errorf("Clean(article HTML) paragraphs mismatch (-want +got):\n%s", diff)
	}
	for _, junk := range []string{"Advertisement", "Most Popular", "Asteroid", "Copyright", "Sign up", "<"} {
		if strings.Contains(r.Text(), junk) {
			t.Errorf("Clean(article HTML) contains %q", junk)
		}
	}
	if r.Title != "Kim tours fighter jet plant" {
		t.Errorf("title = %q, want %q", r.Title, "Kim tours fighter jet plant")
	}
	if r.Byline != "Jane Doe" {
		t.Errorf("byline = %q, want %q", r.Byline, "Jane Doe")
	}
	if want := time.Date(2023, 9, 15, 0, 0, 0, 0, time.UTC); !r.PublishedAt.Equal(want) {
		t.Errorf("published = %v, want %v", r.PublishedAt, want)
	}
	checkInvariants(t, articleHTML, r)
}

func TestHTMLFragment(t *testing.T) {
	in := "<p>The council approved the budget on Tuesday after a long debate.</p><p>Rate this post</p><p>Taxes will rise by two percent next year.</p>"
	want := "The council approved the budget on Tuesday after a long debate.\n\nTaxes will rise by two percent next year."
	if got := Text(in); got != want {
		t.Errorf("Text(%q) = %q, want %q", in, got, want)
	}
}
