package pipeline

import (
	"bytes"
	"encoding/binary"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// decodeFast decodes the usual shape of a raw article in one pass, checking
// UTF-8 as it goes: a JSON object whose keys are plain ASCII, whose known
// fields hold strings or null, and whose other fields hold any JSON value
// nested at most maxSkipDepth deep. It reports false for anything else
// (escaped keys, keys that differ from a field name only in case, surrogate
// escapes, invalid UTF-8, syntax errors, ...), and then [decodeJSON] decides.
// When it reports true, the article equals the one decodeJSON returns.
func decodeFast(data []byte) (*Article, bool) {
	d := fastDecoder{data: data}
	a := &Article{}
	if !d.expect('{') {
		return nil, false
	}
	for first := true; !d.expect('}'); first = false {
		if !first && !d.expect(',') {
			return nil, false
		}
		key, ok := d.key()
		if !ok || !d.expect(':') {
			return nil, false
		}
		if !d.field(a, key) {
			return nil, false
		}
	}
	if d.space(); d.pos != len(data) {
		return nil, false
	}
	return a, true
}

// articleKeys are the JSON keys of [Article].
var articleKeys = []string{"id", "text", "title", "url", "source", "published_at"}

// maxSkipDepth bounds the nesting of the unknown fields decodeFast skips;
// deeper values are left to encoding/json and its own depth limit.
const maxSkipDepth = 32

// fastDecoder is the cursor of [decodeFast].
type fastDecoder struct {
	data []byte
	pos  int
}

// expect skips white space and then c, reporting whether c was there.
func (d *fastDecoder) expect(c byte) bool {
	d.space()
	if d.pos < len(d.data) && d.data[d.pos] == c {
		d.pos++
		return true
	}
	return false
}

// space skips JSON white space.
func (d *fastDecoder) space() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// key reads an object key made of plain ASCII characters, without escapes.
func (d *fastDecoder) key() ([]byte, bool) {
	if !d.expect('"') {
		return nil, false
	}
	start := d.pos
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		if c == '"' {
			d.pos++
			return d.data[start : d.pos-1], true
		}
		if c < ' ' || c == '\\' || c >= utf8.RuneSelf {
			return nil, false
		}
		d.pos++
	}
	return nil, false
}

// field reads the value of key into a. encoding/json also matches keys
// that differ from a field name in case only; those are declined.
func (d *fastDecoder) field(a *Article, key []byte) bool {
	var dst *string
	switch string(key) {
	case "id":
		dst = &a.ID
	case "text":
		dst = &a.Text
	case "title":
		dst = &a.Title
	case "url":
		dst = &a.URL
	case "source":
		dst = &a.Source
	case "published_at":
		return d.timeValue(&a.PublishedAt)
	default:
		for _, name := range articleKeys {
			if bytes.EqualFold(key, []byte(name)) {
				return false
			}
		}
		return d.skip(0)
	}
	d.space()
	if d.literal("null") {
		return true // null leaves a string field as it is
	}
	s, ok := d.stringValue()
	if ok {
		*dst = s
	}
	return ok
}

// timeValue reads a published_at value: null, or an RFC 3339 string without
// escapes, parsed by [time.Time.UnmarshalJSON] as encoding/json does.
func (d *fastDecoder) timeValue(dst **time.Time) bool {
	d.space()
	if d.literal("null") {
		*dst = nil
		return true
	}
	start := d.pos
	if _, ok := d.stringValue(); !ok || bytes.IndexByte(d.data[start:d.pos], '\\') >= 0 {
		return false
	}
	t := new(time.Time)
	if t.UnmarshalJSON(d.data[start:d.pos]) != nil {
		return false
	}
	*dst = t
	return true
}

// stringValue reads a JSON string. Escapes other than of UTF-16 surrogates are
// decoded; bytes that are not valid UTF-8 make it fail.
func (d *fastDecoder) stringValue() (string, bool) {
	if d.pos >= len(d.data) || d.data[d.pos] != '"' {
		return "", false
	}
	d.pos++
	start := d.pos
	var b strings.Builder // the unescaped string, once an escape is seen
	for d.pos < len(d.data) {
		if d.pos+8 <= len(d.data) && plainJSON(d.data[d.pos:d.pos+8]) {
			d.pos += 8
			continue
		}
		switch c := d.data[d.pos]; {
		case c == '"':
			s := d.data[start:d.pos]
			d.pos++
			if b.Cap() > 0 {
				b.Write(s)
				return b.String(), true
			}
			return string(s), true
		case c == '\\':
			if b.Cap() == 0 {
				// Unescaping only shrinks: the raw length bounds the result.
				end := stringEnd(d.data[d.pos:])
				if end < 0 {
					return "", false
				}
				b.Grow(d.pos + end - start)
			}
			b.Write(d.data[start:d.pos])
			r, ok := d.escape()
			if !ok {
				return "", false
			}
			b.WriteRune(r)
			start = d.pos
		case c < ' ':
			return "", false
		case c < utf8.RuneSelf:
			d.pos++
		default:
			r, size := utf8.DecodeRune(d.data[d.pos:])
			if r == utf8.RuneError && size == 1 {
				return "", false
			}
			d.pos += size
		}
	}
	return "", false
}

// stringEnd returns the index in b of the quote that ends a JSON string
// (one not escaped by a backslash), or -1.
func stringEnd(b []byte) int {
	for i := 0; ; i++ {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			return -1
		}
		i += j
		k := i
		for k > 0 && b[k-1] == '\\' {
			k--
		}
		if (i-k)%2 == 0 {
			return i
		}
	}
}

// plainJSON reports whether the eight bytes of b are all ASCII characters
// that stand for themselves inside a JSON string: no quote, backslash or
// control character. It is the "has a zero byte" and "has a byte less
// than n" tests of Bit Twiddling Hacks on the eight bytes at once.
func plainJSON(b []byte) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	x := binary.LittleEndian.Uint64(b)
	hasZero := func(v uint64) bool { return (v-ones)&^v&highs != 0 }
	return x&highs == 0 && (x-' '*ones)&^x&highs == 0 && !hasZero(x^'"'*ones) && !hasZero(x^'\\'*ones)
}

// escape decodes the escape sequence at d.pos.
func (d *fastDecoder) escape() (rune, bool) {
	if d.pos+1 >= len(d.data) {
		return 0, false
	}
	c := d.data[d.pos+1]
	d.pos += 2
	switch c {
	case '"', '\\', '/':
		return rune(c), true
	case 'b':
		return '\b', true
	case 'f':
		return '\f', true
	case 'n':
		return '\n', true
	case 'r':
		return '\r', true
	case 't':
		return '\t', true
	case 'u':
		if d.pos+4 > len(d.data) {
			return 0, false
		}
		r, err := strconv.ParseUint(string(d.data[d.pos:d.pos+4]), 16, 16)
		if err != nil || utf16.IsSurrogate(rune(r)) {
			return 0, false
		}
		d.pos += 4
		return rune(r), true
	}
	return 0, false
}

// literal skips s (true, false or null) if it comes next.
func (d *fastDecoder) literal(s string) bool {
	if !bytes.HasPrefix(d.data[d.pos:], []byte(s)) {
		return false
	}
	d.pos += len(s)
	return true
}

// skip passes over one JSON value of an unknown field, checking its syntax.
func (d *fastDecoder) skip(depth int) bool {
	if depth > maxSkipDepth {
		return false
	}
	d.space()
	if d.pos >= len(d.data) {
		return false
	}
	switch c := d.data[d.pos]; {
	case c == '"':
		_, ok := d.stringValue()
		return ok
	case c == '{', c == '[':
		end := byte('}')
		if c == '[' {
			end = ']'
		}
		d.pos++
		for first := true; !d.expect(end); first = false {
			if !first && !d.expect(',') {
				return false
			}
			if c == '{' {
				d.space()
				if _, ok := d.stringValue(); !ok || !d.expect(':') {
					return false
				}
			}
			if !d.skip(depth + 1) {
				return false
			}
		}
		return true
	case c == '-' || '0' <= c && c <= '9':
		return d.number()
	}
	return d.literal("true") || d.literal("false") || d.literal("null")
}

// number passes over a JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (d *fastDecoder) number() bool {
	digits := func() int {
		n := 0
		for d.pos < len(d.data) && '0' <= d.data[d.pos] && d.data[d.pos] <= '9' {
			d.pos++
			n++
		}
		return n
	}
	if d.data[d.pos] == '-' {
		d.pos++
	}
	if d.pos < len(d.data) && d.data[d.pos] == '0' {
		d.pos++
	} else if digits() == 0 {
		return false
	}
	if d.pos < len(d.data) && d.data[d.pos] == '.' {
		d.pos++
		if digits() == 0 {
			return false
		}
	}
	if d.pos < len(d.data) && (d.data[d.pos] == 'e' || d.data[d.pos] == 'E') {
		d.pos++
		if d.pos < len(d.data) && (d.data[d.pos] == '+' || d.data[d.pos] == '-') {
			d.pos++
		}
		if digits() == 0 {
			return false
		}
	}
	return true
}
