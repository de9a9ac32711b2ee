package feed

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wiredesk/wiredesk/pipeline"
)

// StdinPath is the path that names standard input.
const StdinPath = "-"

// stdinOrigin is how standard input appears in an [Item]'s Origin.
const stdinOrigin = "stdin"

// ErrUnsupportedPath is returned by [Read] for a path that is neither "-",
// a folder, nor a file ending in .jsonl or .txt.
var ErrUnsupportedPath = errors.New("unsupported input: want a .jsonl or .txt file, a folder or \"-\"")

// utf8BOM is stripped from the start of a file: editors on some systems
// write it, and encoding/json rejects it.
var utf8BOM = []byte("\xef\xbb\xbf")

// Item is one article read from the input, or one input that could not
// become an article.
type Item struct {
	// Article is the decoded article; nil when Err is set.
	Article *pipeline.Article
	// Raw is the input the article came from: the JSONL line (without its
	// line ending) or the whole text. It is nil when the input was over the
	// size limit. The callback may keep it: every Item has its own copy.
	Raw []byte
	// Origin locates the input: "path:line" for a JSONL line ("stdin:line"
	// on standard input), the path for a .txt file, "stdin" for a text on
	// standard input.
	Origin string
	// Err says why the input is not an article. It wraps
	// [pipeline.ErrPermanent], and [pipeline.ReasonOf] gives its reason.
	Err error
}

// Reader reads articles from files, folders and standard input. The zero
// value is ready to use and applies [pipeline.DefaultMaxArticleBytes].
type Reader struct {
	// MaxArticleBytes is the size limit of one article: of a JSONL line, or
	// of a text. Zero means [pipeline.DefaultMaxArticleBytes].
	MaxArticleBytes int
}

// Read calls [Reader.Read] on the zero [Reader].
func Read(ctx context.Context, paths []string, stdin io.Reader, fn func(Item) error) error {
	return Reader{}.Read(ctx, paths, stdin, fn)
}

// Read reads the articles of every path in order and calls fn for each, in
// input order. A path is:
//
//   - a .jsonl file: one JSON article per line, decoded by [pipeline.Decode];
//     blank lines are skipped;
//   - a .txt file: one article, whose id is the file name without its
//     extension and whose text is the file's content;
//   - a folder: its .txt and .jsonl files (not its sub-folders), sorted by
//     name, each read as above;
//   - "-": standard input, read as JSONL when its first non-blank byte is
//     "{", otherwise as one text whose id is a digest of its content.
//
// An input that is not a valid article (bad JSON, no id, empty text, invalid
// UTF-8, over the size limit) is passed to fn as an [Item] with Err set and
// reading goes on. Read stops and returns the error when a path cannot be
// read, when a path is unsupported ([ErrUnsupportedPath]), when fn returns an
// error (returned as is), or when ctx is done (ctx.Err()).
func (r Reader) Read(ctx context.Context, paths []string, stdin io.Reader, fn func(Item) error) error {
	if r.MaxArticleBytes <= 0 {
		r.MaxArticleBytes = pipeline.DefaultMaxArticleBytes
	}
	for _, p := range paths {
		if err := r.readPath(ctx, p, stdin, fn); err != nil {
			return err
		}
	}
	return nil
}

func (r Reader) readPath(ctx context.Context, path string, stdin io.Reader, fn func(Item) error) error {
	if path == StdinPath {
		return r.readStdin(ctx, stdin, fn)
	}
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("read input: %w", err)
	}
	if !info.IsDir() {
		return r.readFile(ctx, path, fn)
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return fmt.Errorf("read folder %s: %w", path, err)
	}
	// os.ReadDir sorts by file name already; the sort states the contract.
	slices.SortFunc(entries, func(a, b os.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	for _, e := range entries {
		if e.IsDir() || !isArticleFile(e.Name()) {
			continue
		}
		if err := r.readFile(ctx, filepath.Join(path, e.Name()), fn); err != nil {
			return err
		}
	}
	return nil
}

func isArticleFile(name string) bool {
	ext := filepath.Ext(name)
	return ext == ".txt" || ext == ".jsonl"
}

func (r Reader) readFile(ctx context.Context, path string, fn func(Item) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ext := filepath.Ext(path)
	if ext != ".txt" && ext != ".jsonl" {
		return fmt.Errorf("read %s: %w", path, ErrUnsupportedPath)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("read input: %w", err)
	}
	defer f.Close()
	br := bufio.NewReader(f)
	if ext == ".jsonl" {
		return r.readJSONL(ctx, br, path, 1, fn)
	}
	id := strings.TrimSuffix(filepath.Base(path), ext)
	return r.readText(br, path, func([]byte) string { return id }, fn)
}

// readStdin tells JSONL from plain text by the first non-blank byte.
func (r Reader) readStdin(ctx context.Context, stdin io.Reader, fn func(Item) error) error {
	if stdin == nil {
		return fmt.Errorf("read %s: no standard input", stdinOrigin)
	}
	br := bufio.NewReader(stdin)
	line := 1
	for {
		b, err := br.ReadByte()
		if err == io.EOF {
			return nil // blank input holds no articles
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", stdinOrigin, err)
		}
		if isSpace(b) {
			if b == '\n' {
				line++
			}
			continue
		}
		if err := br.UnreadByte(); err != nil {
			return fmt.Errorf("read %s: %w", stdinOrigin, err)
		}
		if b == '{' {
			return r.readJSONL(ctx, br, stdinOrigin, line, fn)
		}
		return r.readText(br, stdinOrigin, digestID, fn)
	}
}

func isSpace(b byte) bool {
	return b == ' ' || b == '\t' || b == '\r' || b == '\n'
}

// digestID names a text that has no file name: 16 hex digits of its SHA-256.
func digestID(text []byte) string {
	sum := sha256.Sum256(text)
	return hex.EncodeToString(sum[:8])
}

// readText reads all of br as the text of one article.
func (r Reader) readText(br *bufio.Reader, origin string, id func(text []byte) string, fn func(Item) error) error {
	data, err := io.ReadAll(io.LimitReader(br, int64(r.MaxArticleBytes)+1))
	if err != nil {
		return fmt.Errorf("read %s: %w", origin, err)
	}
	if len(data) > r.MaxArticleBytes {
		n, err := io.Copy(io.Discard, br)
		if err != nil {
			return fmt.Errorf("read %s: %w", origin, err)
		}
		return fn(Item{Origin: origin, Err: tooLarge(int64(len(data))+n, r.MaxArticleBytes)})
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	it := Item{Raw: data, Origin: origin}
	switch {
	case !utf8.Valid(data):
		it.Err = pipeline.Permanent(pipeline.ReasonInvalidUTF8, errors.New("text is not valid UTF-8"))
	case len(bytes.TrimSpace(data)) == 0:
		it.Err = pipeline.Permanent(pipeline.ReasonEmpty, errors.New("text is empty"))
	default:
		it.Article = &pipeline.Article{ID: id(data), Text: string(data)}
		if strings.TrimSpace(it.Article.ID) == "" {
			it.Article, it.Err = nil, pipeline.Permanent(pipeline.ReasonMalformed, errors.New("text has no id"))
		}
	}
	return fn(it)
}

func tooLarge(n int64, limit int) error {
	return pipeline.Permanent(pipeline.ReasonTooLarge, fmt.Errorf("article is %d bytes, limit %d", n, limit))
}

// readJSONL reads one article per line; line is the number of the first.
func (r Reader) readJSONL(ctx context.Context, br *bufio.Reader, name string, line int, fn func(Item) error) error {
	for ; ; line++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		raw, n, err := readLine(br, r.MaxArticleBytes)
		if n == 0 && err == io.EOF {
			return nil
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("read %s: %w", name, err)
		}
		if line == 1 {
			raw = bytes.TrimPrefix(raw, utf8BOM)
		}
		origin := name + ":" + strconv.Itoa(line)
		switch {
		case n > int64(r.MaxArticleBytes):
			if ferr := fn(Item{Origin: origin, Err: tooLarge(n, r.MaxArticleBytes)}); ferr != nil {
				return ferr
			}
		case len(bytes.TrimSpace(raw)) > 0:
			a, derr := pipeline.Decode(raw, r.MaxArticleBytes)
			if ferr := fn(Item{Article: a, Raw: raw, Origin: origin, Err: derr}); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}

// readLine reads one line without its "\n" or "\r\n" ending. It keeps at
// most limit+1 bytes and discards the rest, so a huge line costs no memory;
// n is the full length of the line. err is io.EOF when the input ended with
// this line.
func readLine(br *bufio.Reader, limit int) (line []byte, n int64, err error) {
	var last byte
	for {
		chunk, err := br.ReadSlice('\n')
		if err != bufio.ErrBufferFull {
			chunk = bytes.TrimSuffix(chunk, []byte("\n"))
		}
		if len(chunk) > 0 {
			last = chunk[len(chunk)-1]
		}
		n += int64(len(chunk))
		if n <= int64(limit)+1 { // +1: room for a "\r" that is cut below
			line = append(line, chunk...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if last == '\r' {
			n--
			if int64(len(line)) > n {
				line = line[:n]
			}
		}
		return line, n, err
	}
}
