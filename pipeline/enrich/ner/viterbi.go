package ner

import "math"

// transitions holds the score of moving from one tag to the next; row
// numTags is the start of a sentence.
type transitions [numTags + 1][numTags]float32

var negInf = float32(math.Inf(-1))

// allowed reports whether tag cur may follow prev (numTags: line start).
func allowed(prev, cur int) bool {
	if !isInside(cur) {
		return true
	}
	return prev != numTags && prev != tagO && classOf(prev) == classOf(cur)
}

// decoder finds the best tag sequence of a sentence.
type decoder struct {
	// tr is the transitions with the sequences BIO forbids (an inside tag
	// not continuing its own class) scored -Inf; into is tr transposed,
	// the scores of moving into each tag.
	tr   transitions
	into [numTags][numTags]float32
	// spread bounds how much more moving from one tag into an O or B tag
	// can score than moving from another, with a margin for rounding: a
	// path that leads all others by more than spread is the best way into
	// each of them, and the decoder takes it without comparing. The
	// result is exact.
	spread float32
}

func newDecoder(tr *transitions) decoder {
	d := decoder{tr: *tr}
	for p := range numTags + 1 {
		for t := range numTags {
			if !allowed(p, t) {
				d.tr[p][t] = negInf
			}
			if p < numTags {
				d.into[t][p] = d.tr[p][t]
			}
		}
	}
	for t := range numTags {
		if isInside(t) {
			continue
		}
		lo, hi := d.into[t][0], d.into[t][0]
		for _, v := range d.into[t] {
			lo, hi = min(lo, v), max(hi, v)
		}
		d.spread = max(d.spread, hi-lo)
	}
	d.spread += 1e-3 * (1 + d.spread)
	return d
}

// bestPrev is written for nine tags; these fail to compile otherwise.
const (
	_ uint = numTags - 9
	_ uint = 9 - numTags
)

// bestPrev returns the best score of reaching a tag, from cur through the
// transition scores into it, and the tag it comes from. It is unrolled: it
// runs for five of the nine tags at every token where no path leads by
// more than the decoder's spread, and once at others where O does not.
func bestPrev(cur, into *[numTags]float32) (float32, int8) {
	best, arg := cur[0]+into[0], int8(0)
	if s := cur[1] + into[1]; s > best {
		best, arg = s, 1
	}
	if s := cur[2] + into[2]; s > best {
		best, arg = s, 2
	}
	if s := cur[3] + into[3]; s > best {
		best, arg = s, 3
	}
	if s := cur[4] + into[4]; s > best {
		best, arg = s, 4
	}
	if s := cur[5] + into[5]; s > best {
		best, arg = s, 5
	}
	if s := cur[6] + into[6]; s > best {
		best, arg = s, 6
	}
	if s := cur[7] + into[7]; s > best {
		best, arg = s, 7
	}
	if s := cur[8] + into[8]; s > best {
		best, arg = s, 8
	}
	return best, arg
}

// forward extends the best paths ending in each tag, cur, by the tokens
// of emission scores emit, one at a time, using next as scratch space, and
// records in back the tag each comes from. It returns the paths' scores
// after the last token. It calls its helpers with constant tags, so that
// once they are inlined their indexing costs no bounds checks; the loop
// over the tokens is here rather than around a call so that its state
// stays in registers.
func (d *decoder) forward(cur, next *[numTags]float32, emit [][numTags]float32, back [][numTags]int8) *[numTags]float32 {
	for i := range emit {
		e, b := &emit[i], &back[i]
		d.inside(cur, next, e, b, tagIPer)
		d.inside(cur, next, e, b, tagIOrg)
		d.inside(cur, next, e, b, tagILoc)
		d.inside(cur, next, e, b, tagIMisc)
		// At most tokens one path leads all others by more than spread,
		// which makes it the best way into every O and B tag. It is mostly
		// the path ending in O, checked first at little cost.
		lead := tagO
		if !oLeads(cur, cur[tagO]-d.spread) {
			lead = leader(cur, d.spread)
		}
		if uint(lead) < numTags {
			from, score, p := &d.tr[lead], cur[lead], int8(lead)
			next[tagO], b[tagO] = score+from[tagO]+e[tagO], p
			next[tagBPer], b[tagBPer] = score+from[tagBPer]+e[tagBPer], p
			next[tagBOrg], b[tagBOrg] = score+from[tagBOrg]+e[tagBOrg], p
			next[tagBLoc], b[tagBLoc] = score+from[tagBLoc]+e[tagBLoc], p
			next[tagBMisc], b[tagBMisc] = score+from[tagBMisc]+e[tagBMisc], p
		} else {
			for _, t := range outsideTags {
				best, arg := bestPrev(cur, &d.into[t])
				next[t], b[t] = best+e[t], arg
			}
		}
		cur, next = next, cur
	}
	return cur
}

// oLeads reports whether every path but the one ending in O scores below
// limit. It is unrolled, for nine tags as bestPrev: it runs at every token.
func oLeads(cur *[numTags]float32, limit float32) bool {
	return cur[1] < limit && cur[2] < limit && cur[3] < limit && cur[4] < limit &&
		cur[5] < limit && cur[6] < limit && cur[7] < limit && cur[8] < limit
}

// leader returns the tag whose path leads every other by more than
// spread, or -1 if none does.
func leader(cur *[numTags]float32, spread float32) int {
	// Adding zeros leaves every score as it is.
	best, lead := bestPrev(cur, &[numTags]float32{})
	others := *cur
	others[lead] = negInf
	if !allBelow(&others, best-spread) {
		return -1
	}
	return int(lead)
}

// allBelow reports whether every score of v is below limit. It is
// unrolled, for nine tags as bestPrev.
func allBelow(v *[numTags]float32, limit float32) bool {
	return v[0] < limit && v[1] < limit && v[2] < limit && v[3] < limit && v[4] < limit &&
		v[5] < limit && v[6] < limit && v[7] < limit && v[8] < limit
}

// outsideTags are the tags any tag may precede: O and the B tags.
var outsideTags = [...]int{tagO, tagBPer, tagBOrg, tagBLoc, tagBMisc}

// inside extends the paths into I tag t, which only the B and I tags of its
// own class may precede.
func (d *decoder) inside(cur, next, e *[numTags]float32, b *[numTags]int8, t int) {
	beg, in := cur[t-1]+d.tr[t-1][t], cur[t]+d.tr[t][t]
	if beg >= in {
		next[t], b[t] = beg+e[t], int8(t-1)
	} else {
		next[t], b[t] = in+e[t], int8(t)
	}
}

// viterbi writes into tags the best tag sequence for the emission scores of
// a run of tokens, using back as scratch space of len(emit) rows. The token
// before the run has tag from (numTags: the run starts a sentence); when
// toO is set the token after it is tagged O.
func (d *decoder) viterbi(emit [][numTags]float32, tags []int8, back [][numTags]int8, from int, toO bool) {
	n := len(emit)
	if n == 0 {
		return
	}
	// Two rows of path scores, swapped at every token rather than copied.
	// The short loops over the tags go through the unrolled helpers.
	var rows [2][numTags]float32
	cur, next := &rows[0], &rows[1]
	*cur = d.tr[from]
	add(cur, &emit[0])
	cur = d.forward(cur, next, emit[1:], back[1:])
	if toO {
		add(cur, &d.into[tagO])
	}
	// The best last tag: adding zeros leaves every score as it is.
	_, arg := bestPrev(cur, &[numTags]float32{})
	for i := n - 1; i >= 0; i-- {
		tags[i] = arg
		arg = back[i][arg]
	}
}
