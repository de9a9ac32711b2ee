package dedup

import (
	"math"
	"slices"
)

// supportCap is the most one shared feature adds to [signals].support. A
// topic word that dominates two reports of different events ("Klitschko"
// in reports of two of his title fights, "Microsoft" in two browser
// patches) then cannot link them alone: a story link needs several shared
// features. Chosen on the development data (see [Config].StoryThreshold).
const supportCap = 0.08

// signals are the measures of how an article relates to an earlier one,
// each in [0, 1].
type signals struct {
	// cosine of the two weighted feature vectors: how much the articles are
	// about the same things.
	cosine float64
	// support is the cosine with each shared feature's part capped at
	// supportCap: how much the articles share, counting no one feature
	// for more than a few.
	support float64
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
	// phrases is the Jaccard index of the two articles' phrase sets (see
	// [phraseWords]), and story the score the story rule compares with
	// its threshold: support plus phraseWeight times phrases. Both are
	// set by the index, for the best-supported candidates only; compare
	// leaves phrases 0 and story the support.
	phrases float64
	story   float64
}

// compare measures a new signature against an earlier one.
func compare(a, b *Signature) signals {
	var s signals
	// Find the shared keys by a merge of the sorted keys, then add up
	// their weights in that order. The merge's steps are computed rather
	// than branched on, as which list advances and whether the keys match
	// are unpredictable, and each step reads the keys after the current
	// ones before it knows which it needs, so as not to wait on the read.
	var shared [SignatureTerms + 1]struct{ i, j uint8 }
	n := 0
	if na, nb := min(int(a.N), len(a.Keys)), min(int(b.N), len(b.Keys)); na > 0 && nb > 0 {
		i, j := 0, 0
		x, y := a.Keys[0], b.Keys[0]
		for {
			nextX, nextY := a.Keys[uint(i+1)%SignatureTerms], b.Keys[uint(j+1)%SignatureTerms]
			shared[n].i, shared[n].j = uint8(i), uint8(j)
			n += b2i(x == y)
			stepA, stepB := x <= y, x >= y
			i += b2i(stepA)
			j += b2i(stepB)
			if i >= na || j >= nb {
				break
			}
			if stepA {
				x = nextX
			}
			if stepB {
				y = nextY
			}
		}
	}
	var dot, covered, covering float64
	for _, m := range shared[:n] {
		wa, wb := weight(a.Weights[m.i]), weight(b.Weights[m.j])
		dot += wa * wb
		s.support += min(wa*wb, supportCap)
		covered += wa * wa
		covering += wb * wb
	}
	s.story = s.support
	s.cosine = min(1, dot)
	s.covered = min(1, covered)
	s.covering = min(1, covering)
	sa, sb := a.Sentences[:min(int(a.NS), len(a.Sentences))], b.Sentences[:min(int(b.NS), len(b.Sentences))]
	for i, j := 0, 0; i < len(sa) && j < len(sb); {
		x, y := sa[i], sb[j]
		s.sentences += b2i(x == y)
		i += b2i(x <= y)
		j += b2i(x >= y)
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

// b2i is 1 for true and 0 for false.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// has reports whether the signature holds a feature key.
func (s *Signature) has(key uint32) bool {
	_, ok := slices.BinarySearch(s.Keys[:s.N], key)
	return ok
}
