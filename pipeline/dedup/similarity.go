package dedup

import (
	"math"
	"slices"
)

// signals are the measures of how an article relates to an earlier one,
// each in [0, 1].
type signals struct {
	// cosine of the two weighted feature vectors: how much the articles are
	// about the same things.
	cosine float64
	// covered is the share of the new article's feature weight (squared,
	// so it adds up to 1) that the earlier one also has: near 1 when the new
	// article brings nothing the earlier one lacks.
	covered float64
	// covering is the same share the other way round: of the earlier
	// article's weight, how much the new one repeats.
	covering float64
	// sentences: shared sentence hashes among the earlier article's sample,
	// and the share of that sample found in the new article.
	sentences     int
	sentenceShare float64
	// lengthRatio is the new article's length in words over the earlier
	// one's.
	lengthRatio float64
}

// compare measures a new signature against an earlier one.
func compare(a, b *Signature) signals {
	var s signals
	var dot float64
	i, j := 0, 0
	for i < int(a.N) && j < int(b.N) {
		switch {
		case a.Keys[i] < b.Keys[j]:
			i++
		case a.Keys[i] > b.Keys[j]:
			j++
		default:
			wa, wb := weight(a.Weights[i]), weight(b.Weights[j])
			dot += wa * wb
			s.covered += wa * wa
			s.covering += wb * wb
			i++
			j++
		}
	}
	s.cosine = math.Min(1, dot)
	s.covered = math.Min(1, s.covered)
	s.covering = math.Min(1, s.covering)
	for i, j = 0, 0; i < int(a.NS) && j < int(b.NS); {
		switch {
		case a.Sentences[i] < b.Sentences[j]:
			i++
		case a.Sentences[i] > b.Sentences[j]:
			j++
		default:
			s.sentences++
			i++
			j++
		}
	}
	if b.Words > 0 {
		s.lengthRatio = float64(a.Words) / float64(b.Words)
	}
	if b.NS > 0 {
		s.sentenceShare = float64(s.sentences) / float64(b.NS)
	}
	return s
}

func weight(q uint16) float64 { return float64(q) / math.MaxUint16 }

// has reports whether the signature holds a feature key.
func (s *Signature) has(key uint32) bool {
	_, ok := slices.BinarySearch(s.Keys[:s.N], key)
	return ok
}
