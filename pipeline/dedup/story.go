package dedup

import "math"

// The story rule weighs what two reports share (support and phrases) with
// how their leads relate ([leadMatch]): reports of one event open on facts
// found in each other, while the first report of another event of the same
// kind opens on names and figures the earlier report lacks. Its weights
// are a logistic regression fitted on the development data, on the two
// best candidates of every article (tools/storyfit, BENCHMARKS.md); the
// story score is its probability that the two reports are of one event.
const (
	storyBias       = 1.4050
	storyWeightBase = 0.9087 // support + phraseWeight × phrases
	storyWeightPh   = 1.6084 // phrases, again
	storyWeightLead = 1.4358 // leadMatch.shared
	storyWeightSeen = 1.5235 // leadMatch.found
	// Per name or number of one opening that the other article lacks.
	storyWeightNewName   = -0.0420
	storyWeightOldName   = -0.0364
	storyWeightNewNumber = -0.0595
	storyWeightOldNumber = -0.0177
	// storyWeightGap is per unit of base score below the best candidate's:
	// a candidate that shares less than another needs a better lead.
	storyWeightGap = -0.4862
)

// leadCandidates is how many of the candidates with the best base score
// (support plus phrases) have their leads compared and can link: the
// weights were fitted on the two best of each article.
const leadCandidates = 2

// supportThreshold is the base score (then the support alone) at which an
// article joins the story of a candidate whose phrases and lead the index
// no longer holds (see [Config].PhraseArticles): the story rule before
// leads were compared, chosen on the development data.
const supportThreshold = 0.29

// storyScore returns the story score of a match whose phrases and lead
// were compared, given the best base score among the candidates.
func storyScore(s *signals, bestBase float64) float64 {
	l := &s.lead
	z := storyBias +
		storyWeightBase*s.base +
		storyWeightPh*s.phrases +
		storyWeightLead*l.shared +
		storyWeightSeen*l.found +
		storyWeightNewName*float64(l.newNames) +
		storyWeightOldName*float64(l.oldNames) +
		storyWeightNewNumber*float64(l.newNumbers) +
		storyWeightOldNumber*float64(l.oldNumbers) +
		storyWeightGap*(bestBase-s.base)
	return 1 / (1 + math.Exp(-z))
}
