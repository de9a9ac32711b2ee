package lexicon

import "math/bits"

// counts maps term hashes to document frequencies: an open-addressing
// table with linear probing. The fingerprint path looks up or counts a few
// hundred terms per article in a table of up to a million, mostly cache
// misses; a flat array of key-value pairs costs one miss per term where a
// map costs more, and independent probes overlap in the processor. The
// zero value is an empty table.
type counts struct {
	slots []countSlot // a power of two long, at most 3/4 full; nil when empty
	shift uint        // 64 - log2(len(slots)): a hash's home slot is its top bits
	n     int         // terms held, the zero hash included
	// The zero hash marks a free slot, so its count is kept aside.
	zero    float64
	hasZero bool
}

type countSlot struct {
	h  uint64 // 0 marks a free slot
	df float64
}

// home returns the slot a hash is probed from: the hash is spread by a
// multiplication (Fibonacci hashing) and the top bits taken, so that
// probing does not rest on how well the hash mixes its bits. Masking the
// shift, a no-op for the shifts a table has, lets it compile to the bare
// instruction, without the test of a shift past 63.
func (c *counts) home(h uint64) uint64 { return (h * 0x9E3779B97F4A7C15) >> (c.shift & 63) }

// full tells whether holding one more term needs a larger table: the
// table is kept at most 3/4 full.
func (c *counts) full() bool { return 4*(c.n+1) > 3*len(c.slots) }

// len returns the number of terms held.
func (c *counts) len() int { return c.n }

// get returns the count of h and whether it is held; 0 and false if not.
func (c *counts) get(h uint64) (float64, bool) {
	if h == 0 {
		return c.zero, c.hasZero
	}
	if c.slots == nil {
		return 0, false
	}
	mask := uint64(len(c.slots) - 1)
	for i := c.home(h); ; i = (i + 1) & mask {
		s := &c.slots[i]
		if s.h == h {
			return s.df, true
		}
		if s.h == 0 {
			return 0, false
		}
	}
}

// count returns the count of h, 0 if it is not held: [counts.get] for a
// caller that needs only the count, small enough to be inlined in
// [Rarities.DFOf], which the fingerprint path calls for most terms it
// ranks. The loop's condition holds but for an empty table (no slots, and
// a shift of 0 that puts a home slot past them): it stands for both that
// test and the bounds check.
func (c *counts) count(h uint64) float64 {
	if h == 0 {
		return c.zero
	}
	for i, mask := c.home(h), uint64(len(c.slots)-1); i < uint64(len(c.slots)); i = (i + 1) & mask {
		s := &c.slots[i]
		if s.h == h {
			return s.df
		}
		if s.h == 0 {
			break
		}
	}
	return 0
}

// touch reads the home slot of each hash, and returns a sum that keeps
// the reads from being optimised away: in a large table each is a cache
// miss, and misses that a loop of look-ups would take one after the other
// (each look-up waits for its slot) are here taken together.
func (c *counts) touch(hs []uint64) uint64 {
	if c.slots == nil {
		return 0
	}
	var sum uint64
	for _, h := range hs {
		sum += c.slots[c.home(h)].h
	}
	return sum
}

// ref returns the count of h to read or write, holding h (at 0) from now
// on if it was absent.
func (c *counts) ref(h uint64) *float64 {
	if h == 0 {
		if !c.hasZero {
			c.hasZero = true
			c.n++
		}
		return &c.zero
	}
	if c.full() {
		c.resize(max(1024, 2*len(c.slots)))
	}
	mask := uint64(len(c.slots) - 1)
	for i := c.home(h); ; i = (i + 1) & mask {
		s := &c.slots[i]
		if s.h == h {
			return &s.df
		}
		if s.h == 0 {
			s.h = h
			c.n++
			return &s.df
		}
	}
}

// observe adds one to the count of each hash, holding those absent from
// now on. Most of an article's terms are held, and most of the others go
// in the free slot their probe ends on: both are done inline, and
// [counts.ref] is called only for the zero hash, which no slot holds, or
// to grow the table. The probe's condition stands for the bounds check,
// as in [counts.count], and fails for an empty table.
func (c *counts) observe(hs []uint64) {
	slots := c.slots
next:
	for _, h := range hs {
		for i, mask := c.home(h), uint64(len(slots)-1); i < uint64(len(slots)); i = (i + 1) & mask {
			s := &slots[i]
			if s.h == 0 {
				if h == 0 || c.full() {
					break
				}
				s.h, s.df = h, 1
				c.n++
				continue next
			}
			if s.h == h {
				s.df++
				continue next
			}
		}
		*c.ref(h)++
		slots = c.slots
	}
}

// resize moves the terms into a table of size slots, a power of two.
func (c *counts) resize(size int) {
	old := c.slots
	c.slots = make([]countSlot, size)
	c.shift = uint(64 - bits.TrailingZeros(uint(size)))
	mask := uint64(size - 1)
	for _, s := range old {
		if s.h == 0 {
			continue
		}
		i := c.home(s.h)
		for c.slots[i].h != 0 {
			i = (i + 1) & mask
		}
		c.slots[i] = s
	}
}

// halve halves every count and drops the terms left under one (see
// [Table.bound]), rebuilding the table: linear probing cannot simply
// free a slot.
func (c *counts) halve() {
	old := *c
	*c = counts{}
	if old.hasZero && old.zero >= 2 {
		*c.ref(0) = old.zero / 2
	}
	for _, s := range old.slots {
		if s.h != 0 && s.df >= 2 {
			*c.ref(s.h) = s.df / 2
		}
	}
}

// clone returns an independent copy.
func (c *counts) clone() counts {
	d := *c
	if c.slots != nil {
		d.slots = make([]countSlot, len(c.slots))
		copy(d.slots, c.slots)
	}
	return d
}
