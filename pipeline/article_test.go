package pipeline

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// decodeReasons are the reasons Decode can give; the others in [Reasons]
// are the bus's (max_deliveries) or the stages' (unprocessable).
var decodeReasons = map[Reason]bool{
	ReasonTooLarge:    true,
	ReasonEmpty:       true,
	ReasonInvalidUTF8: true,
	ReasonMalformed:   true,
}

// nested returns a JSON object whose "extra" field nests depth arrays.
func nested(depth int) string {
	return `{"id":"deep","text":"Body.","extra":` + strings.Repeat("[", depth) + strings.Repeat("]", depth) + `}`
}

func TestDecode(t *testing.T) {
	published := time.Date(2026, 3, 14, 9, 26, 53, 0, time.FixedZone("", 3600))
	tests := []struct {
		name     string
		data     string
		maxBytes int
		want     *Article // nil when Decode must fail
		reason   Reason
	}{
		{
			name: "minimal",
			data: `{"id":"a1","text":"Some text."}`,
			want: &Article{ID: "a1", Text: "Some text."},
		},
		{
			name: "all fields",
			data: `{"id":"a2","text":"Body.","title":"Head","url":"https://example.com/a2","source":"wire","published_at":"2026-03-14T09:26:53+01:00"}`,
			want: &Article{ID: "a2", Text: "Body.", Title: "Head", URL: "https://example.com/a2", Source: "wire", PublishedAt: &published},
		},
		{
			name: "id is trimmed, unknown fields ignored",
			data: ` {"id":"  a3 ","text":"Body.","story":"s1","extra":{"k":[1,2,3]}} `,
			want: &Article{ID: "a3", Text: "Body."},
		},
		{
			name: "html-only body decodes; cleaning is a later stage",
			data: `{"id":"h1","text":"<html><body><div><img src=a.png></div></body></html>"}`,
			want: &Article{ID: "h1", Text: "<html><body><div><img src=a.png></div></body></html>"},
		},
		{
			name: "script-only html body decodes",
			data: `{"id":"h2","text":"<script>var x = 1;</script><style>p{}</style>"}`,
			want: &Article{ID: "h2", Text: "<script>var x = 1;</script><style>p{}</style>"},
		},
		{
			name: "escaped lone surrogate becomes U+FFFD",
			data: `{"id":"s1","text":"a\ud800b"}`,
			want: &Article{ID: "s1", Text: "a\uFFFDb"},
		},
		{
			name: "nesting below the JSON depth limit decodes",
			data: nested(1000),
			want: &Article{ID: "deep", Text: "Body."},
		},
		{
			name:     "exactly at the size limit",
			data:     `{"id":"a4","text":"12345"}`,
			maxBytes: len(`{"id":"a4","text":"12345"}`),
			want:     &Article{ID: "a4", Text: "12345"},
		},
		{name: "one byte over the size limit", data: `{"id":"a5","text":"12345"}`, maxBytes: 25, reason: ReasonTooLarge},
		{name: "huge under the default limit", data: `{"id":"big","text":"` + strings.Repeat("x", DefaultMaxArticleBytes) + `"}`, reason: ReasonTooLarge},
		{name: "size is checked before encoding", data: "\xff\xfe" + strings.Repeat("x", 64), maxBytes: 32, reason: ReasonTooLarge},
		{name: "empty", data: "", reason: ReasonEmpty},
		{name: "whitespace only", data: " \n\t\r ", reason: ReasonEmpty},
		{name: "empty text", data: `{"id":"e1","text":""}`, reason: ReasonEmpty},
		{name: "whitespace text", data: `{"id":"e2","text":" \n\t "}`, reason: ReasonEmpty},
		{name: "missing text", data: `{"id":"e3"}`, reason: ReasonEmpty},
		{name: "null text", data: `{"id":"e4","text":null}`, reason: ReasonEmpty},
		{name: "invalid utf-8 in a string", data: `{"id":"u1","text":"caf` + "\xc3\x28" + `"}`, reason: ReasonInvalidUTF8},
		{name: "latin-1 payload", data: `{"id":"u2","text":"caf` + "\xe9" + `"}`, reason: ReasonInvalidUTF8},
		{name: "binary", data: "\x00\x01\x02\x80\x81\xfe\xff", reason: ReasonInvalidUTF8},
		{name: "utf-16 payload", data: "\xff\xfe{\x00}\x00", reason: ReasonInvalidUTF8},
		{name: "nul bytes are valid utf-8 but not json", data: "\x00\x00\x00", reason: ReasonMalformed},
		{name: "truncated json", data: `{"id": "t1", "text": "no closing`, reason: ReasonMalformed},
		{name: "trailing garbage", data: `{"id":"t2","text":"x"} {}`, reason: ReasonMalformed},
		{name: "array", data: `[{"id":"a","text":"b"}]`, reason: ReasonMalformed},
		{name: "string", data: `"just a string"`, reason: ReasonMalformed},
		{name: "number", data: `42`, reason: ReasonMalformed},
		{name: "null", data: `null`, reason: ReasonMalformed},
		{name: "empty object", data: `{}`, reason: ReasonMalformed},
		{name: "missing id", data: `{"text":"Body."}`, reason: ReasonMalformed},
		{name: "blank id", data: `{"id":"   ","text":"Body."}`, reason: ReasonMalformed},
		{name: "numeric id", data: `{"id":5,"text":"Body."}`, reason: ReasonMalformed},
		{name: "object id", data: `{"id":{"v":"a"},"text":"Body."}`, reason: ReasonMalformed},
		{name: "array text", data: `{"id":"w1","text":[]}`, reason: ReasonMalformed},
		{name: "boolean text", data: `{"id":"w2","text":true}`, reason: ReasonMalformed},
		{name: "numeric title", data: `{"id":"w3","text":"Body.","title":7}`, reason: ReasonMalformed},
		{name: "published_at not rfc 3339", data: `{"id":"d1","text":"Body.","published_at":"14/03/2026 09:26"}`, reason: ReasonMalformed},
		{name: "published_at as unix seconds", data: `{"id":"d2","text":"Body.","published_at":1773476813}`, reason: ReasonMalformed},
		{name: "nesting past the JSON depth limit", data: nested(20000), reason: ReasonMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decode([]byte(tc.data), tc.maxBytes)
			if tc.want != nil {
				if err != nil {
					t.Fatalf("Decode() error = %v, want success", err)
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("Decode() mismatch (-want +got):\n%s", diff)
				}
				return
			}
			if err == nil {
				t.Fatalf("Decode() = %+v, want a %s failure", got, tc.reason)
			}
			if got != nil {
				t.Errorf("Decode() = %+v with error %v, want nil article", got, err)
			}
			if !errors.Is(err, ErrPermanent) {
				t.Errorf("Decode() error %v is not permanent", err)
			}
			if r := ReasonOf(err); r != tc.reason {
				t.Errorf("ReasonOf(%v) = %q, want %q", err, r, tc.reason)
			}
		})
	}
}

// TestDecodeErrorsStayShort checks that a failure never echoes a huge or
// binary payload into the error (which ends up in logs and dead letters).
func TestDecodeErrorsStayShort(t *testing.T) {
	inputs := map[string]string{
		"huge":        `{"id":"big","text":"` + strings.Repeat("secret ", DefaultMaxArticleBytes/7+1) + `"}`,
		"huge binary": strings.Repeat("\xff", 2*DefaultMaxArticleBytes),
		"long number": `{"id":` + strings.Repeat("9", 100000) + `,"text":"x"}`,
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			_, err := Decode([]byte(in), 0)
			if err == nil {
				t.Fatal("Decode() succeeded, want an error")
			}
			if n := len(err.Error()); n > 512 {
				t.Errorf("error is %d bytes long, want at most 512: %.200s…", n, err)
			}
		})
	}
}

// checkFastDecode fails the test when decodeFast accepts data but decodes
// it differently from encoding/json, the reference.
func checkFastDecode(t *testing.T, data []byte) {
	t.Helper()
	got, ok := decodeFast(data)
	if !ok {
		return
	}
	want, err := decodeJSON(data)
	if err != nil {
		t.Fatalf("decodeFast(%.200q) succeeded, decodeJSON failed: %v", data, err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("decodeFast(%.200q) mismatch (-decodeJSON +decodeFast):\n%s", data, diff)
	}
}

// TestDecodeFast checks the one-pass decoder against encoding/json on
// payloads it must take and payloads it must leave to encoding/json.
func TestDecodeFast(t *testing.T) {
	tests := []struct {
		name   string
		data   string
		wantOK bool
	}{
		{name: "all fields", data: `{"id":"a2","text":"Body.","title":"Head","url":"https://example.com/a2","source":"wire","published_at":"2026-03-14T09:26:53+01:00"}`, wantOK: true},
		{name: "white space", data: " \t\r\n{ \"id\" : \"a\" ,\n\"text\":\"b\" } \n", wantOK: true},
		{name: "escapes", data: `{"id":"a","text":"line\nnext \"q\" \\ \/ \b\f\r\t \u00e9\u20ac caf\u00E9 <\u003c>","url":"https:\/\/x.org\/a"}`, wantOK: true},
		{name: "utf-8", data: `{"id":"ü","text":"Kim’s “plant” 日本 🎉"}`, wantOK: true},
		{name: "null fields", data: `{"id":"a","text":"b","title":null,"published_at":null}`, wantOK: true},
		{name: "null keeps earlier value", data: `{"id":"a","text":"b","title":"t","title":null}`, wantOK: true},
		{name: "duplicate keys, last wins", data: `{"id":"a","id":"b","text":"x","published_at":"2026-03-14T09:26:53Z","published_at":"2027-01-01T00:00:00Z"}`, wantOK: true},
		{name: "unknown fields skipped", data: `{"extra":{"k":[1,-2.5e+3,0.1,true,false,null,"s\"",{}],"e":[]},"id":"a","n":-0,"text":"b","z":1E9}`, wantOK: true},
		{name: "empty object", data: `{}`, wantOK: true},
		{name: "case-folded key", data: `{"ID":"a","text":"b"}`},
		{name: "long s folds to s", data: `{"id":"a","text":"b","ſource":"c"}`},
		{name: "escaped key", data: `{"\u0069d":"a","text":"b"}`},
		{name: "surrogate pair", data: `{"id":"a","text":"\ud83c\udf89"}`},
		{name: "lone surrogate", data: `{"id":"a","text":"a\ud800b"}`},
		{name: "invalid utf-8", data: "{\"id\":\"a\",\"text\":\"caf\xe9\"}"},
		{name: "control character", data: "{\"id\":\"a\",\"text\":\"a\tb\"}"},
		{name: "bad escape", data: `{"id":"a","text":"\x"}`},
		{name: "short unicode escape", data: `{"id":"a","text":"\u12"}`},
		{name: "number field", data: `{"id":5,"text":"b"}`},
		{name: "escaped date", data: `{"id":"a","text":"b","published_at":"2026-03-14T09:26:53\u002B01:00"}`},
		{name: "bad date", data: `{"id":"a","text":"b","published_at":"14/03/2026"}`},
		{name: "trailing comma", data: `{"id":"a","text":"b",}`},
		{name: "trailing data", data: `{"id":"a","text":"b"} {}`},
		{name: "leading zero", data: `{"id":"a","text":"b","n":01}`},
		{name: "bare minus", data: `{"id":"a","text":"b","n":-}`},
		{name: "too deep to skip", data: nested(maxSkipDepth + 2)},
		{name: "array", data: `[{"id":"a","text":"b"}]`},
		{name: "null", data: `null`},
		{name: "truncated", data: `{"id":"a","text":"b`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, ok := decodeFast([]byte(tc.data)); ok != tc.wantOK {
				t.Errorf("decodeFast(%q) ok = %v, want %v", tc.data, ok, tc.wantOK)
			}
			checkFastDecode(t, []byte(tc.data))
		})
	}
}

func FuzzDecode(f *testing.F) {
	// The committed corpus in testdata/fuzz/FuzzDecode holds the seeds; a
	// small limit lets the fuzzer reach the size check as well.
	const maxBytes = 4096
	f.Fuzz(func(t *testing.T, data []byte) {
		checkFastDecode(t, data)
		a, err := Decode(data, maxBytes)
		if err != nil {
			if a != nil {
				t.Fatalf("Decode() = %+v with error %v", a, err)
			}
			if !errors.Is(err, ErrPermanent) {
				t.Fatalf("Decode() error %v is not permanent", err)
			}
			if r := ReasonOf(err); !decodeReasons[r] {
				t.Fatalf("Decode() error %v has reason %q, not one Decode gives", err, r)
			}
			if len(data) > maxBytes && ReasonOf(err) != ReasonTooLarge {
				t.Fatalf("%d-byte payload failed with %q, want %q", len(data), ReasonOf(err), ReasonTooLarge)
			}
			return
		}
		if len(data) > maxBytes {
			t.Fatalf("Decode() accepted %d bytes over a %d-byte limit", len(data), maxBytes)
		}
		if a.ID == "" || strings.TrimSpace(a.ID) != a.ID {
			t.Fatalf("Decode() id = %q, want non-empty and trimmed", a.ID)
		}
		if strings.TrimSpace(a.Text) == "" {
			t.Fatalf("Decode() text = %q, want non-blank", a.Text)
		}
		for _, s := range []string{a.ID, a.Text, a.Title, a.URL, a.Source} {
			if !utf8.ValidString(s) {
				t.Fatalf("Decode() field %q is not valid UTF-8", s)
			}
		}
	})
}
