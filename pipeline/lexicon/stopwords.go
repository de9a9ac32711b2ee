package lexicon

// IsStopword reports whether the word whose [Hash] is h is an English
// function word, or one of the reporting verbs, time words and titles that
// every news story uses and that say nothing of its topic. Words are given
// lower case. The lookup is by hash alone: two of these few hundred words,
// or one of them and another word, share a 64-bit hash with negligible
// probability.
func IsStopword(h uint64) bool {
	for i := stopHome(h); ; i = (i + 1) & (1<<stopBits - 1) {
		switch stopHashes[i] {
		case 0: // first, so that h = 0 is no stopword either
			return false
		case h:
			return true
		}
	}
}

// stopBits sizes the open-addressing table of stopword hashes: 1,024
// slots, under a third of them used.
const stopBits = 10

// stopHome returns the slot a hash is probed from: its top bits once
// spread by a multiplication (Fibonacci hashing), so that probing does not
// rest on how well the hash mixes them (with the FNV-1a hash used before,
// a look-up probed nearly five slots on average over news text without
// it, under one and a half with it).
func stopHome(h uint64) uint64 { return (h * 0x9E3779B97F4A7C15) >> (64 - stopBits) }

var stopHashes = func() (t [1 << stopBits]uint64) {
	for _, w := range stopwords {
		h := Hash(w)
		i := stopHome(h)
		for t[i] != 0 && t[i] != h {
			i = (i + 1) & (1<<stopBits - 1)
		}
		t[i] = h
	}
	return t
}()

var stopwords = [...]string{
	// function words
	"a", "about", "above", "across", "after", "afterwards", "again", "against", "ago", "all", "almost",
	"along", "already", "also", "although", "always", "am", "among", "amid", "an", "and", "another",
	"any", "anyone", "anything", "are", "around", "as", "at", "be", "became", "because", "become",
	"been", "before", "being", "below", "besides", "between", "beyond", "both", "but", "by", "can",
	"cannot", "could", "did", "do", "does", "doing", "done", "down", "during", "each", "either",
	"else", "enough", "even", "ever", "every", "few", "for", "from", "further", "get", "gets", "got",
	"had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his",
	"how", "however", "i", "if", "in", "including", "into", "is", "it", "its", "itself", "just",
	"least", "less", "let", "like", "made", "make", "many", "may", "me", "might", "more", "most",
	"much", "must", "my", "near", "neither", "never", "next", "no", "nor", "not", "now", "of",
	"off", "often", "on", "once", "one", "only", "onto", "or", "other", "others", "our", "ours",
	"out", "over", "own", "per", "perhaps", "put", "rather", "same", "several", "she", "should",
	"since", "so", "some", "still", "such", "than", "that", "the", "their", "theirs", "them",
	"themselves", "then", "there", "these", "they", "this", "those", "though", "through", "thus",
	"to", "together", "too", "toward", "towards", "under", "unless", "until", "up", "upon", "us",
	"very", "via", "was", "we", "well", "were", "what", "whatever", "when", "where", "whether",
	"which", "while", "who", "whom", "whose", "why", "will", "with", "within", "without", "would",
	"yet", "you", "your", "yours", "it's", "don't", "didn't", "doesn't", "isn't", "wasn't",
	"won't", "can't", "i'm", "we're", "they're", "he's", "she's", "that's", "there's",
	// reporting and filler words of news prose
	"according", "added", "adding", "announced", "asked", "called", "comment", "comments",
	"reported", "reportedly", "reporters", "reporting", "say", "said", "saying", "says", "stated",
	"statement", "tell", "told", "two", "three", "four", "five", "first", "second", "last",
	"new", "later", "earlier", "recent", "recently",
	// time words
	"today", "yesterday", "tomorrow", "week", "weeks", "month", "months", "year", "years",
	"day", "days", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
	"january", "february", "march", "april", "june", "july", "august", "september", "october",
	"november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
	"oct", "nov", "dec", "pm",
	// titles
	"mr", "mrs", "ms", "dr",
}
