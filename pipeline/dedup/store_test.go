package dedup

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestMemStore(t *testing.T) {
	m := newMemStore()
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Minute) }
	// 3000 records (three blocks), key i%3 on each, key 100 on all.
	const n = 3000
	for i := range n {
		m.Put(Record{ID: fmt.Sprint("r", i), StoryID: "s", At: at(i)}, []uint32{uint32(i % 3), 100})
	}
	if m.Len() != n {
		t.Fatalf("Len() = %d, want %d", m.Len(), n)
	}
	if r, ok := m.Get("r7"); !ok || r.ID != "r7" || !r.At.Equal(at(7)) {
		t.Errorf("Get(r7) = %+v, %v, want the record", r, ok)
	}

	visited := func(keys []uint32, perKey int) []string {
		var ids []string
		m.Candidates(keys, perKey, func(r *Record) { ids = append(ids, r.ID) })
		slices.Sort(ids) // visited in any order
		return ids
	}
	// The newest per key, each record once.
	if diff := cmp.Diff([]string{"r2995", "r2996", "r2998", "r2999"}, visited([]uint32{1, 100, 2}, 2)); diff != "" {
		t.Errorf("Candidates (-want +got):\n%s", diff)
	}
	if got := visited([]uint32{42}, 5); len(got) != 0 {
		t.Errorf("Candidates of an unknown key = %v, want none", got)
	}

	var gone int
	if got := m.Expire(at(n-2), n, func(*Record) { gone++ }); got != n-2 || gone != n-2 {
		t.Errorf("Expire = %d (fn called %d times), want %d", got, gone, n-2)
	}
	if _, ok := m.Get("r7"); ok {
		t.Error("Get(r7) found an expired record")
	}
	if diff := cmp.Diff([]string{"r2998", "r2999"}, visited([]uint32{100}, 10)); diff != "" {
		t.Errorf("Candidates after expiry (-want +got):\n%s", diff)
	}
	// Expiry swept the postings of keys no longer queried.
	if l := len(m.postings[0]); l > 1 {
		t.Errorf("postings of key 0 = %d after expiry, want at most 1", l)
	}
}

// TestMemStoreWrap checks that sequence numbers wrapping past 2^32 keep
// expiry and candidate search right.
func TestMemStoreWrap(t *testing.T) {
	m := newMemStore()
	m.first, m.next = math.MaxUint32-5, math.MaxUint32-5
	for i := range 12 {
		m.Put(Record{ID: fmt.Sprint("r", i), At: t0.Add(time.Duration(i) * time.Minute)}, []uint32{7})
	}
	if got := m.Expire(t0.Add(8*time.Minute), 100, nil); got != 8 {
		t.Fatalf("Expire = %d, want 8", got)
	}
	var ids []string
	m.Candidates([]uint32{7}, 10, func(r *Record) { ids = append(ids, r.ID) })
	if diff := cmp.Diff([]string{"r8", "r9", "r10", "r11"}, ids); diff != "" {
		t.Errorf("Candidates across the wrap (-want +got):\n%s", diff)
	}
	if _, ok := m.Get("r3"); ok {
		t.Error("Get(r3) found an expired record")
	}
	if _, ok := m.Get("r10"); !ok {
		t.Error("Get(r10) did not find a held record")
	}
}

// TestMemStoreDelete checks that a deleted record is neither got nor
// visited as a candidate, keeps its place in arrival order, and is not
// counted or passed on when it expires.
func TestMemStoreDelete(t *testing.T) {
	m := newMemStore()
	for i := range 3 {
		m.Put(Record{ID: fmt.Sprint("r", i), StoryID: "s", At: t0.Add(time.Duration(i) * time.Minute)}, []uint32{7})
	}
	if r, ok := m.Delete("r0"); !ok || r.ID != "r0" || r.StoryID != "s" {
		t.Fatalf("Delete(r0) = %+v, %v, want the record", r, ok)
	}
	if _, ok := m.Delete("r0"); ok {
		t.Error("Delete(r0) twice found it again")
	}
	if _, ok := m.Get("r0"); ok {
		t.Error("Get(r0) found a deleted record")
	}
	var ids []string
	m.Candidates([]uint32{7}, 10, func(r *Record) { ids = append(ids, r.ID) })
	if diff := cmp.Diff([]string{"r1", "r2"}, ids); diff != "" {
		t.Errorf("Candidates after Delete (-want +got):\n%s", diff)
	}
	var gone []string
	if n := m.Expire(t0.Add(2*time.Minute), 10, func(r *Record) { gone = append(gone, r.ID) }); n != 1 {
		t.Errorf("Expire = %d, want 1 (the tombstone not counted)", n)
	}
	if diff := cmp.Diff([]string{"r1"}, gone); diff != "" {
		t.Errorf("Expire passed on (-want +got):\n%s", diff)
	}
	if m.Len() != 1 {
		t.Errorf("Len() = %d after expiry, want 1", m.Len())
	}
}

// TestMemStoreBlocks checks that records flowing through a store of a
// bounded size reuse its blocks: it holds at most two blocks more than its
// records need, and finds each held record.
func TestMemStoreBlocks(t *testing.T) {
	m := newMemStore()
	const keep = recordBlock + recordBlock/2
	for i := range 10 * recordBlock {
		m.Expire(t0, keep-1, nil)
		m.Put(Record{ID: fmt.Sprint("r", i), At: t0}, []uint32{uint32(i % 7)})
		if len(m.blocks) > keep/recordBlock+2 {
			t.Fatalf("after %d records: %d blocks for %d held", i+1, len(m.blocks), m.Len())
		}
	}
	if m.Len() != keep {
		t.Fatalf("Len() = %d, want %d", m.Len(), keep)
	}
	for i := 10*recordBlock - keep; i < 10*recordBlock; i++ {
		if r, ok := m.Get(fmt.Sprint("r", i)); !ok || r.ID != fmt.Sprint("r", i) {
			t.Fatalf("Get(r%d) = %+v, %v, want the record", i, r, ok)
		}
	}
	var ids []string
	m.Candidates([]uint32{3}, 3, func(r *Record) { ids = append(ids, r.ID) })
	if diff := cmp.Diff([]string{"r10223", "r10230", "r10237"}, ids); diff != "" {
		t.Errorf("Candidates (-want +got):\n%s", diff)
	}
}
