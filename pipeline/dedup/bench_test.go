package dedup

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode"

	"github.com/wiredesk/wiredesk/pipeline/lexicon"
)

// generator makes articles from the development texts with mutations: each
// generated story takes a real article, renames its names and numbers
// consistently (so stories do not collide on them, as real ones would not),
// and each report of the story drops and reorders some sentences.
type generator struct {
	rng   *rand.Rand
	bases [][]string // sentences of each development article
}

func newGenerator(tb testing.TB) *generator {
	tb.Helper()
	g := &generator{rng: rand.New(rand.NewPCG(1, 2))}
	for _, a := range devStream(tb) {
		var sents []string
		for _, line := range strings.Split(a.Text, "\n") {
			sents = append(sents, splitSentences(line)...)
		}
		g.bases = append(g.bases, sents)
	}
	return g
}

// article returns report r of generated story s.
func (g *generator) article(s, r int) string {
	base := g.bases[s%len(g.bases)]
	var b strings.Builder
	for i, sent := range base {
		if r > 0 && g.rng.IntN(5) == 0 {
			continue // a report drops about a fifth of the sentences
		}
		if r > 0 && i > 0 && g.rng.IntN(8) == 0 {
			b.WriteString(base[i-1]) // and repeats or reorders a few
			b.WriteByte(' ')
		}
		b.WriteString(rename(sent, s))
		b.WriteByte('\n')
	}
	return b.String()
}

// rename replaces capitalised words and numbers by ones unique to story s.
func rename(sent string, s int) string {
	toks := lexicon.Tokenize(sent)
	var b strings.Builder
	last := 0
	for i, t := range toks {
		r := []rune(t.Text)[0]
		if !(unicode.IsDigit(r) || (i > 0 && unicode.IsUpper(r))) {
			continue
		}
		b.WriteString(sent[last:t.Start])
		fmt.Fprintf(&b, "%s%d", t.Text, s)
		last = t.End
	}
	b.WriteString(sent[last:])
	return b.String()
}

// buildIndex returns an index holding n generated articles, four reports
// per story. To stay well under a minute for a million, it fingerprints a
// pool of articles once and adds records made from the pool, with the names
// and numbers of each story made unique by salting their keys.
// It also returns the heap the records took, per record.
func buildIndex(b *testing.B, g *generator, n int) (*Index, time.Time, float64) {
	b.Helper()
	table := lexicon.Default()
	const pool = 4000
	fps := make([]*fingerprint, pool)
	for i := range fps {
		fps[i] = extract("", g.article(i/4, i%4), table)
		table.ObserveHashes(fps[i].terms)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	// The window holds exactly n: once full, as in a long-running worker,
	// every decision also expires the oldest article.
	x, err := NewIndex(Config{Window: 1000 * time.Hour, MaxArticles: n, Lexicon: table}, nil)
	if err != nil {
		b.Fatal(err)
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	start, startCPU := time.Now(), cpuTime(b)
	ms := x.store
	var story string
	for i := 0; i < n; i++ {
		fp := fps[i%pool]
		salt := uint32(i/pool) * 0x9E3779B1
		id := "gen-" + strconv.Itoa(i)
		if i%4 == 0 {
			story = "story-" + id
		}
		x.recorded++
		rec := Record{ID: id, StoryID: story, At: at, Seq: x.recorded, Sig: fp.sig}
		salted := make([]keyWeight, rec.Sig.N)
		for j := range salted {
			salted[j] = keyWeight{saltKey(rec.Sig.Keys[j], salt), rec.Sig.Weights[j]}
		}
		slices.SortFunc(salted, func(a, b keyWeight) int { return cmp.Compare(a.key, b.key) })
		for j, kw := range salted {
			rec.Sig.Keys[j], rec.Sig.Weights[j] = kw.key, kw.weight
		}
		block := make([]uint32, len(fp.block))
		for j, k := range fp.block {
			block[j] = saltKey(k, salt)
		}
		ms.Put(rec, block)
		x.phrases.put(rec.Seq, fp.phrases, fp.lead)
	}
	b.Logf("indexed %d records in %v (%v of CPU)", n, time.Since(start).Round(time.Millisecond), (cpuTime(b) - startCPU).Round(time.Millisecond))
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(fps)
	return x, at, (float64(after.HeapAlloc) - float64(before.HeapAlloc)) / float64(n)
}

type keyWeight struct {
	key    uint32
	weight uint16
}

// saltKey makes a name or number key unique to a salt, keeping its kind.
func saltKey(k, salt uint32) uint32 {
	if keyKind(k) == kindTerm {
		return k
	}
	return (k^salt)&^3 | k&3
}

// BenchmarkAdd measures one decision (fingerprint, candidate search,
// verification and recording) against an index already holding 10k or 1M
// generated articles, on one goroutine. It reports articles/s of wall time,
// articles per second of process CPU time (the per-core rate, which holds
// on a machine shared with other work; it includes the garbage collector),
// the p99 latency of a decision and the index memory per held article
// (records, postings, id map and phrase ring; the shared rarity table is
// not counted).
func BenchmarkAdd(b *testing.B) {
	g := newGenerator(b)
	// The testing package runs a sub-benchmark more than once; build each
	// index once (it stays full: each query added expires the oldest).
	type builtIndex struct {
		x          *Index
		at         time.Time
		perArticle float64
		// queried counts the queries added so far: every run adds new
		// ids, as an id already held would be answered by replaying its
		// decision rather than deciding.
		queried int
	}
	built := map[int]*builtIndex{}
	for _, n := range []int{10_000, 1_000_000} {
		b.Run(fmt.Sprintf("indexed=%d", n), func(b *testing.B) {
			if built[n] == nil {
				x, at, perArticle := buildIndex(b, g, n)
				built[n] = &builtIndex{x: x, at: at, perArticle: perArticle}
			}
			bi := built[n]
			x, at, perArticle := bi.x, bi.at, bi.perArticle

			// Queries: new stories, and further reports of them.
			const queries = 2000
			texts := make([]string, queries)
			for i := range texts {
				texts[i] = g.article(1_000_000+i/2, i%2)
			}
			lat := make([]time.Duration, 0, b.N)
			cpu0 := cpuTime(b)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				start := time.Now()
				x.Add(fmt.Sprintf("q-%d", bi.queried+i), "", texts[i%queries], at)
				lat = append(lat, time.Since(start))
			}
			elapsed := b.Elapsed()
			b.StopTimer()
			bi.queried += b.N
			cpu := cpuTime(b) - cpu0
			slices.Sort(lat)
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "articles/s")
			b.ReportMetric(float64(b.N)/cpu.Seconds(), "articles/cpu-s")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
			b.ReportMetric(perArticle, "bytes/article")
			runtime.KeepAlive(x)
		})
	}
}

// BenchmarkFingerprint measures feature extraction alone, on reports of
// generated stories.
func BenchmarkFingerprint(b *testing.B) {
	g := newGenerator(b)
	texts := make([]string, 1000)
	var bytes int
	for i := range texts {
		texts[i] = g.article(i, 1)
		bytes += len(texts[i])
	}
	table := lexicon.Default()
	b.SetBytes(int64(bytes / len(texts)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		extract("", texts[i%len(texts)], table).release()
	}
}

// cpuTime returns the user and system CPU time of the process so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// keyKind returns the kind of a feature key.
func keyKind(key uint32) byte {
	return [...]byte{kindTerm, kindTerm, kindName, kindNumber}[key&3]
}

// splitSentences cuts a line after ".", "!" or "?" followed by a space.
func splitSentences(line string) []string {
	var out []string
	start := 0
	for i := 0; i < len(line)-1; i++ {
		switch line[i] {
		case '.', '!', '?':
			if line[i+1] == ' ' {
				out = append(out, line[start:i+1])
				start = i + 2
			}
		}
	}
	return append(out, line[start:])
}

// BenchmarkCompare measures the verification of one candidate: the
// signals of a report against another report of its story (half the
// pairs) or of another story.
func BenchmarkCompare(b *testing.B) {
	g := newGenerator(b)
	table := lexicon.Default()
	const stories = 500
	sigs := make([]Signature, 2*stories)
	for i := range sigs {
		fp := extract("", g.article(i/2, i%2), table)
		table.ObserveHashes(fp.terms)
		sigs[i] = fp.sig
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := i % len(sigs)
		other := k ^ 1 // the story's other report
		if i/len(sigs)%2 == 1 {
			other = (k + 2) % len(sigs) // the next story's
		}
		compare(&sigs[k], &sigs[other])
	}
}
