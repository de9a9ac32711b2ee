package dedup

import (
	"hash/maphash"
	"math/bits"
	"slices"
	"sort"
	"time"
)

// Record is the state the index keeps per article: small, self-contained and
// free of pointers into the article, so a [Store] can persist it as is. Its
// fields are in the order that measuring a candidate reads them (see
// [Signature]): in a large index, where each candidate is a cache miss,
// that reads four of the five cache lines of its 320 bytes.
type Record struct {
	// ID is the article id.
	ID string
	// Sig is the article's fingerprint.
	Sig Signature
	// Similarity is the best-match score the decision was based on.
	Similarity float32
	// StoryID is the story the article was put in.
	StoryID string
	// At is when the article was ingested; it leaves the window at
	// At + [Config].Window.
	At time.Time
	// Matched is the id of the best-matching earlier article, if any.
	Matched string
	// Seq is the record's place in the order in which this index recorded
	// articles (set by [Index]): what an article's decision took into
	// account is what was recorded before it.
	Seq uint64
	// Duplicate is set when the article was decided a duplicate; with
	// Matched and Similarity it lets a redelivery get the same decision.
	Duplicate bool
	// Observed is set when the article was decided elsewhere and read
	// back ([Index.Observe]), not decided by this index.
	Observed bool
}

// Store keeps the [Record]s of the articles inside the window and finds
// candidates by blocking key. [Index] serialises its calls, so an
// implementation need not be safe for concurrent use by itself; one shared
// by several workers must make Put atomic with respect to Candidates.
type Store interface {
	// Get returns the record of an article id, if held.
	Get(id string) (Record, bool)
	// Candidates calls fn for each held record posted under any of keys,
	// each record once and in any order, visiting at most perKey of the
	// newest records per key. fn must not retain the pointer.
	Candidates(keys []uint32, perKey int, fn func(*Record))
	// Put adds a record under its blocking keys. Records are put in
	// non-decreasing order of At.
	Put(r Record, keys []uint32)
	// Expire removes the records ingested before the given time, then the
	// oldest records while more than keep remain, calling fn (if not nil)
	// with each but deleted ones, and returns how many it removed, deleted
	// ones left out.
	Expire(before time.Time, keep int, fn func(*Record)) int
	// Delete removes the record of an article id, if held, and returns it.
	Delete(id string) (Record, bool)
	// Len returns the number of records held, deleted ones included until
	// they expire.
	Len() int
}

// memStore is the in-memory [Store]: records in blocks in arrival order (so
// expiry pops the oldest), an inverted index from blocking key to record
// sequence numbers, and a map from id hash to sequence number. Postings of
// expired records are dropped lazily, when their list is next touched.
type memStore struct {
	seed maphash.Seed
	// blocks hold the records, recordBlock each, oldest first: sequence s
	// is at place s-base of their concatenation. A block is added as the
	// last one fills up and dropped, to be reused, once the first one has
	// expired, so the store grows without copying its records and holds
	// less than two blocks more than its records.
	blocks   []*[recordBlock]Record
	spare    *[recordBlock]Record // a dropped block, emptied, or nil
	base     uint32               // sequence number at the start of blocks[0]
	first    uint32               // sequence number of the oldest held record
	next     uint32               // sequence number the next record gets
	postings map[uint32][]uint32
	byID     map[uint64]uint32
	lists    [][]uint32 // scratch for Candidates
	seen     []uint32   // scratch for Candidates (see distinct)
	cands    []uint32   // scratch for Candidates
	swept    int        // records expired since postings were last swept
	touched  uint64     // postings and records read ahead, kept (see touch)
}

// recordBlock is how many records a block of a [memStore] holds.
const recordBlock = 1024

func newMemStore() *memStore {
	return &memStore{
		seed:     maphash.MakeSeed(),
		postings: map[uint32][]uint32{},
		byID:     map[uint64]uint32{},
	}
}

func (m *memStore) Len() int { return int(m.next - m.first) }

func (m *memStore) at(seq uint32) *Record {
	i := seq - m.base
	return &m.blocks[i/recordBlock][i%recordBlock]
}

func (m *memStore) Get(id string) (Record, bool) {
	seq, ok := m.byID[maphash.String(m.seed, id)]
	if !ok || !m.held(seq) || m.at(seq).ID != id {
		return Record{}, false
	}
	return *m.at(seq), true
}

// Delete leaves a tombstone (a record without an id) in the ring, which
// keeps arrival order for expiry, and in its postings, which Candidates
// skips.
func (m *memStore) Delete(id string) (Record, bool) {
	h := maphash.String(m.seed, id)
	seq, ok := m.byID[h]
	if !ok || !m.held(seq) || m.at(seq).ID != id {
		return Record{}, false
	}
	delete(m.byID, h)
	r := m.at(seq)
	old := *r
	*r = Record{At: r.At}
	return old, true
}

func (m *memStore) Candidates(keys []uint32, perKey int, fn func(*Record)) {
	// The lists are all looked up, then their newest postings all read,
	// before any is worked through: in a large index each is a cache miss,
	// and misses are taken together where they are independent.
	m.lists = m.lists[:0]
	for _, k := range keys {
		m.lists = append(m.lists, m.postings[k])
	}
	var sum uint32
	for i, list := range m.lists {
		if n := m.expired(list); n > 0 {
			list = list[n:]
			m.trim(keys[i], n)
		}
		list = list[len(list)-min(len(list), max(perKey, 0)):]
		if len(list) > 0 {
			sum += list[0] + list[len(list)-1]
		}
		m.lists[i] = list
	}
	m.touched += uint64(sum)
	m.distinct()
	clear(m.lists) // holds no list past the call
	m.touch(m.cands)
	for _, seq := range m.cands {
		if r := m.at(seq); r.ID != "" {
			fn(r)
		}
	}
}

// distinct sets cands to the postings of lists, each record once: a
// record is often posted under several of the keys. They are told apart
// in a small open-addressing table of their distances from first (plus
// one, as 0 marks a free slot), sized to the postings and emptied whole,
// which costs a few instructions a posting: a generic hash table cost
// several times as many, and sorting them more.
func (m *memStore) distinct() {
	m.cands = m.cands[:0]
	n := 0
	for _, list := range m.lists {
		n += len(list)
	}
	if n == 0 {
		return
	}
	size := 1 << bits.Len(uint(2*n)) // at most half full
	if cap(m.seen) < size {
		m.seen = make([]uint32, size)
	}
	seen, shift := m.seen[:size], 32-bits.TrailingZeros(uint(size))
	clear(seen)
	for _, list := range m.lists {
		for _, seq := range list {
			d := seq - m.first + 1
			p := d * 0x9E3779B1 >> (shift & 31) // masked, a no-op, to compile to a bare shift
			for seen[p] != 0 && seen[p] != d {
				p = (p + 1) & uint32(size-1)
			}
			if seen[p] == 0 {
				seen[p] = d
				m.cands = append(m.cands, seq)
			}
		}
	}
}

// touch reads the records of seqs, a word from each of their cache lines,
// before any is verified: in a large index each record is a cache miss,
// and misses that verification would take one after the other (it works
// through a record before it reads the next) are here taken together.
// The sum only keeps the reads from being optimised away.
func (m *memStore) touch(seqs []uint32) {
	var sum uint64
	for _, seq := range seqs {
		r := m.at(seq)
		// The id and the signature, read at most 64 bytes apart: the
		// weights too, as every candidate shares a key.
		sum += uint64(len(r.ID)) + uint64(r.Sig.Keys[16]+r.Sig.Keys[SignatureTerms-1]+uint32(r.Sig.Weights[SignatureTerms-1]))
	}
	m.touched += sum
}

// held reports whether a sequence number is in the window. Sequence numbers
// wrap around after 2^32 records; distances from first do not.
func (m *memStore) held(seq uint32) bool { return seq-m.first < m.next-m.first }

// expired returns how many leading postings of a list (in arrival order) have
// left the window.
func (m *memStore) expired(list []uint32) int {
	if len(list) == 0 || m.held(list[0]) {
		return 0 // the usual case
	}
	return sort.Search(len(list), func(i int) bool { return m.held(list[i]) })
}

// trim drops the n expired postings at the front of key's list, copying
// the rest when that frees at least half of the backing array.
func (m *memStore) trim(key uint32, n int) {
	list := m.postings[key]
	rest := list[n:]
	switch {
	case len(rest) == 0:
		delete(m.postings, key)
	case len(rest) <= cap(list)/2:
		m.postings[key] = slices.Clone(rest)
	default:
		m.postings[key] = rest
	}
}

func (m *memStore) Put(r Record, keys []uint32) {
	if len(m.blocks) == 0 {
		m.base = m.next
	}
	if m.next-m.base == uint32(len(m.blocks))*recordBlock {
		m.addBlock()
	}
	seq := m.next
	m.next++
	*m.at(seq) = r
	m.byID[maphash.String(m.seed, r.ID)] = seq
	for _, k := range keys {
		m.postings[k] = append(m.postings[k], seq)
	}
}

// addBlock adds a block at the end, the spare one if there is one.
func (m *memStore) addBlock() {
	b := m.spare
	if b == nil {
		b = new([recordBlock]Record)
	}
	m.spare = nil
	m.blocks = append(m.blocks, b)
}

// dropBlock drops the first block, whose records have all expired (and
// been emptied), keeping it as the spare.
func (m *memStore) dropBlock() {
	m.spare = m.blocks[0]
	n := copy(m.blocks, m.blocks[1:])
	m.blocks[n] = nil
	m.blocks = m.blocks[:n]
	m.base += recordBlock
}

func (m *memStore) Expire(before time.Time, keep int, fn func(*Record)) int {
	n, swept := 0, 0
	for m.first != m.next && (m.Len() > keep || m.at(m.first).At.Before(before)) {
		r := m.at(m.first)
		if r.ID != "" { // not a tombstone
			if fn != nil {
				fn(r)
			}
			h := maphash.String(m.seed, r.ID)
			if m.byID[h] == m.first {
				delete(m.byID, h)
			}
			n++
		}
		*r = Record{}
		m.first++
		swept++
		if m.first-m.base == recordBlock {
			m.dropBlock()
		}
	}
	m.swept += swept
	if m.swept > m.Len()+len(m.blocks)*recordBlock/4 {
		m.sweep()
	}
	return n
}

// sweep trims every posting list, so keys that are never queried again do
// not keep expired postings forever. Expire calls it once as many records
// have expired as are held, which keeps its cost amortised O(1) per record.
func (m *memStore) sweep() {
	for k, list := range m.postings {
		if n := m.expired(list); n > 0 {
			m.trim(k, n)
		}
	}
	m.swept = 0
}
