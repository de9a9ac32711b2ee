// Package clean turns a raw article body, plain text as crawlers deliver it
// or HTML, into the article as a reader sees it, and pulls out its
// structural metadata: title, byline, dateline and publication date.
//
// # What it removes
//
// Plain text is split into paragraphs, one per non-empty line. A paragraph
// is dropped when it is:
//
//   - site furniture: widget labels ("- Advertisement -", "Rate this
//     post", "Most Popular", "RELATED ARTICLES", "Source link"), comment
//     forms, breadcrumbs ("HomeNewsWorld…"), calls to action (newsletter
//     sign-ups, "click here" promos, and the short heading of such a promo
//     box), photo and video credits, lines without a letter or digit
//     ("- - - -"), and lines of mostly symbols;
//   - a date stamp such as "Monday, July 1, 2024" or a site's publication
//     stamp such as "18 September 2013 Last updated at 13:59 GMT" (the
//     date becomes [Result.PublishedAt] when the month is named; an
//     all-numeric date such as "12 / 19 / 2005" is removed without one, as
//     its day and month cannot be told apart);
//   - a teaser of another story appended after the article: a trailing
//     prose paragraph that stops mid-sentence, or that shares almost no
//     content words with the article above it;
//   - with a [Cleaner], a template line: one that appeared in at least
//     [Config.TemplateMinArticles] earlier articles of the same source.
//
// Everything else is kept verbatim apart from white space: headlines,
// datelines ("LONDON 1996-08-30"), bylines, tables of short lines, and
// contributor notes all stay in the text.
//
// HTML bodies (detected by a tag near the start) go through
// go-trafilatura's main-content extraction, which also yields the title,
// author and date from the page metadata; the extracted paragraphs then
// pass the same line rules.
//
// # Guarantees
//
// [Clean] and [Text] are pure and never fail. Their output is valid UTF-8
// with no control characters; every paragraph is non-empty, trimmed, has
// single spaces and no line breaks. Input that is mostly invalid UTF-8 or
// control characters (a binary file) yields no paragraphs. Cleaning the
// output of a plain-text body again changes nothing, unless that output
// starts like HTML. Plain-text cleaning
// is linear in the input size.
//
// # Limits
//
// The rules are tuned for English news. A paragraph that is legitimately
// cut mid-sentence at the end of an article and unrelated to the rest may
// be taken for a teaser; a teaser that ends a sentence and shares the
// article's topic is kept. Hard-wrapped plain text (one paragraph over
// several lines) keeps one paragraph per line. The template memory of a
// [Cleaner] is per process: it is not shared between workers, and it
// starts empty, so a source's template is only recognised after
// TemplateMinArticles of its articles have been seen. It never removes
// more than half of an article's paragraphs, so a source republishing one
// story keeps that story's text.
//
// # Concurrency and zero value
//
// A [Cleaner] is safe for concurrent use; its memory is bounded by
// TemplateSources × TemplateLines line counts (the least recently seen
// source is forgotten first, and a source's rarely repeated lines before
// its frequent ones). The zero [Config] means defaults. The zero Cleaner is
// not usable; use [New].
package clean
