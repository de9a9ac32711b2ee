// Package enrich fills the reader-facing and routing fields of an event:
// language, entities, keywords, word count, reading time, lead, and the
// title when the input lacked one. It runs after pipeline/clean, whose
// cleaned Text (paragraphs separated by blank lines), Title, PublishedAt,
// Byline, Dateline and Source it reads and keeps.
//
// # Guarantees
//
//   - Every field it owns is set on every event, with a documented value
//     when unknown: Language [Undetermined] ("und") with LanguageConfidence
//     0 when the text has
//     no letters or only letters of scripts no configured language uses;
//     Entities and Keywords empty (never null); Lead "" when no
//     line of the text reads as prose; Title left "" when the input had
//     none and the first line is not headline-shaped.
//   - Language is an ISO 639-1 code from [Config].Languages with its
//     confidence in [0, 1], judged on the first [Config].LanguageSampleBytes
//     of the text (see Language detection).
//   - Keywords are at most [Config].MaxKeywords terms and phrases, best
//     first, scored in [0, 1] relative to the best; the order is
//     deterministic.
//   - WordCount counts whitespace-separated words holding a letter or digit;
//     ReadingTimeSeconds is WordCount at [Config].WordsPerMinute (230 by
//     default), rounded up.
//   - Lead is the first one to three sentences of the first prose line, at
//     most about 300 characters, split without breaking at abbreviations
//     such as "U.S." or "Mr.".
//   - The stage never drops an event and fails only when its context is
//     done (a transient error).
//
// # Limits
//
//   - The detector only answers with configured languages: a text in any
//     other language gets the closest one at a lower confidence.
//   - Stopwords and sentence rules are English; keywords of other languages
//     rely on the rarity table alone to push function words down, and
//     texts without spaces between words (Chinese, Japanese) get no lead,
//     headline or phrases.
//   - Entity recognition is delegated to the [Recognizer]; BenchmarkStage
//     leaves it out, BenchmarkStageWithEntities includes the recognizer of
//     pipeline/enrich/ner.
//   - Memory: the detector's models stay resident for the life of the
//     process and are shared by every [Enricher] in it: about 14 MiB for
//     the twelve [DefaultLanguages] in low-accuracy mode (BenchmarkNew).
//     lingua embeds the models of all its 75 languages in the binary,
//     adding about 120 MB to its size but not to resident memory.
//   - Cost: language detection reads only a bounded prefix of the text, so
//     a long article costs no more to classify than a short one; keywords
//     cost time linear in the text, with pooled buffers. BenchmarkStage
//     measures this package's share on a 5 KB article, and
//     BenchmarkStageWithEntities the whole stage with pipeline/enrich/ner.
//
// # Language detection
//
// The authority is the lingua detector (github.com/pemistahl/lingua-go) in
// low-accuracy mode, a maintained library whose models for the configured
// languages stay in memory. It costs about half a millisecond per sample,
// so a pre-check answers the common case first, from the sample's function
// words ("the", "und", "что"): short words that make up a third or more of
// any running text and differ between languages. For each configured
// language with a word list (English, German, French, Spanish, Italian,
// Portuguese, Dutch, Russian, Ukrainian), only the words no other
// configured language lists count; "de" or "in" tell nothing. The
// pre-check answers when all of these hold, and leaves the sample to
// lingua otherwise:
//
//   - the sample has at least 15 words;
//   - at most 5% of its letters are outside the script (Latin or
//     Cyrillic) of the winning language, and every configured language
//     of that script has a word list (a configured Swedish would make
//     English and German word counts unreliable, so Latin texts go to
//     lingua);
//   - the winner has at least 5 function words, making up at least 10% of
//     the sample's words, and at least 6 times as many as all the other
//     candidates together.
//
// Its confidence treats each function word as multiplying its language's
// odds against each other candidate by 4, from equal odds: 1 / Σ
// 4^(hits(l) − hits(winner)) over the candidates l, which is 0.99 or more
// for any text that passes. On the 1,080 articles of the shared wire
// stream it answers for 94% (the rest are short, or headlines and names
// such as "Los Angeles" that tip the margin) and agrees with lingua on
// every one (TestDevStream); mixed, short and non-Latin/Cyrillic texts go
// to lingua (TestProfilerDetect).
//
// # Concurrency
//
// An [Enricher] and its stage are safe for concurrent use, provided the
// [Recognizer] and [Rarity] are.
//
// # Zero value
//
// The zero [Config] means defaults. The zero [Enricher] is not usable; build
// one with [New].
package enrich
