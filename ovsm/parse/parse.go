// Package parse reads OVSM source text into syntax trees.
//
// OVSM is written in S-expressions: lists `( … )`, vector literals
// `[ … ]`, map literals `{ … }`, symbols, keywords `:name`, integers
// (decimal, `0x` hexadecimal, `0b` binary, `_` separators), decimal
// fractions (`0.95`), strings with escapes, and the constants `true`,
// `false` and `nil`. `;` starts a comment to the end of the line and
// `#| … |#` a block comment. `'x` is read as `(quote x)`.
//
// Every node records where it starts and ends (byte offset, line and
// column, both 1-based; columns count bytes). Malformed input yields an
// *Error naming the position and what is wrong; Parse never panics and
// its work and memory are linear in the input (nesting is capped at
// MaxDepth, the input at MaxSourceSize).
//
// The package knows nothing of what forms mean; package ovsm compiles
// the trees.
package parse

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on the input.
const (
	// MaxDepth is the deepest nesting of lists, vectors and maps.
	MaxDepth = 256
	// MaxSourceSize is the longest source accepted, in bytes.
	MaxSourceSize = 4 << 20
)

// Kind is the kind of a syntax node.
type Kind uint8

// Node kinds.
const (
	List    Kind = iota // ( … )
	Vector              // [ … ]
	Map                 // { … }
	Symbol              // name
	Keyword             // :name (Text holds the name without the colon)
	Int                 // integer literal
	Decimal             // decimal fraction literal (Text holds the digits as written)
	String              // string literal (Text holds the decoded bytes)
	Bool                // true or false
	Nil                 // nil
)

var kindNames = [...]string{List: "list", Vector: "vector", Map: "map", Symbol: "symbol", Keyword: "keyword",
	Int: "integer", Decimal: "decimal", String: "string", Bool: "boolean", Nil: "nil"}

// String returns the kind's name.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Pos is a position in the source.
type Pos struct {
	Offset int // byte offset, 0-based
	Line   int // 1-based
	Col    int // 1-based, in bytes
}

// String renders line:col.
func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// Node is one syntax tree node.
type Node struct {
	Kind Kind
	Pos  Pos // first byte
	End  Pos // just past the last byte

	// Text is the symbol or keyword name, the decoded string, or the
	// literal as written for Int and Decimal.
	Text string
	// For Int: the magnitude and its sign. Neg with Uint==0 never occurs.
	Uint uint64
	Neg  bool
	// For Bool.
	Bool bool
	// For List, Vector and Map.
	Items []*Node
}

// IsSymbol reports whether n is the symbol name.
func (n *Node) IsSymbol(name string) bool { return n != nil && n.Kind == Symbol && n.Text == name }

// Head returns the symbol name heading a list, or "".
func (n *Node) Head() string {
	if n == nil || n.Kind != List || len(n.Items) == 0 || n.Items[0].Kind != Symbol {
		return ""
	}
	return n.Items[0].Text
}

// Int64 returns an Int node's value as a signed integer, and whether it
// fits.
func (n *Node) Int64() (int64, bool) {
	if n.Neg {
		if n.Uint > 1<<63 {
			return 0, false
		}
		return -int64(n.Uint), true
	}
	if n.Uint > math.MaxInt64 {
		return 0, false
	}
	return int64(n.Uint), true
}

// String renders the node back as source text (strings re-quoted).
func (n *Node) String() string {
	var b strings.Builder
	n.write(&b, 0)
	return b.String()
}

func (n *Node) write(b *strings.Builder, depth int) {
	if n == nil {
		b.WriteString("<nil>")
		return
	}
	if depth > MaxDepth {
		b.WriteString("…")
		return
	}
	items := func(open, close string) {
		b.WriteString(open)
		for i, it := range n.Items {
			if i > 0 {
				b.WriteByte(' ')
			}
			it.write(b, depth+1)
		}
		b.WriteString(close)
	}
	switch n.Kind {
	case List:
		items("(", ")")
	case Vector:
		items("[", "]")
	case Map:
		items("{", "}")
	case Keyword:
		b.WriteString(":" + n.Text)
	case String:
		b.WriteString(Quote(n.Text))
	case Bool:
		b.WriteString(strconv.FormatBool(n.Bool))
	case Nil:
		b.WriteString("nil")
	default:
		b.WriteString(n.Text)
	}
}

// Error is a syntax error at a position.
type Error struct {
	File string
	Pos  Pos
	Msg  string
}

// Error renders file:line:col: message.
func (e *Error) Error() string {
	if e.File != "" {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Pos.Line, e.Pos.Col, e.Msg)
	}
	return fmt.Sprintf("%d:%d: %s", e.Pos.Line, e.Pos.Col, e.Msg)
}

// Parse reads every top-level form of src. On the first syntax error it
// returns the forms read so far and the error.
func Parse(src []byte, file string) ([]*Node, error) {
	p := &parser{src: src, file: file, line: 1, col: 1}
	if len(src) > MaxSourceSize {
		return nil, p.errAt(Pos{Line: 1, Col: 1}, "source of %d bytes exceeds the %d-byte limit", len(src), MaxSourceSize)
	}
	var out []*Node
	for {
		if err := p.skipSpace(); err != nil {
			return out, err
		}
		if p.off >= len(p.src) {
			return out, nil
		}
		n, err := p.form(0)
		if err != nil {
			return out, err
		}
		out = append(out, n)
	}
}

type parser struct {
	src       []byte
	file      string
	off       int
	line, col int
}

func (p *parser) pos() Pos { return Pos{Offset: p.off, Line: p.line, Col: p.col} }

func (p *parser) errAt(pos Pos, format string, args ...any) *Error {
	return &Error{File: p.file, Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// advance moves past one byte.
func (p *parser) advance() {
	if p.src[p.off] == '\n' {
		p.line++
		p.col = 1
	} else {
		p.col++
	}
	p.off++
}

func (p *parser) skipSpace() *Error {
	for p.off < len(p.src) {
		c := p.src[p.off]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == ',':
			p.advance()
		case c == ';':
			for p.off < len(p.src) && p.src[p.off] != '\n' {
				p.advance()
			}
		case c == '#' && p.off+1 < len(p.src) && p.src[p.off+1] == '|':
			start := p.pos()
			p.advance()
			p.advance()
			for {
				if p.off+1 >= len(p.src) {
					return p.errAt(start, "unterminated block comment (missing |#)")
				}
				if p.src[p.off] == '|' && p.src[p.off+1] == '#' {
					p.advance()
					p.advance()
					break
				}
				p.advance()
			}
		default:
			return nil
		}
	}
	return nil
}

var closers = map[byte]byte{'(': ')', '[': ']', '{': '}'}

func (p *parser) form(depth int) (*Node, error) {
	if depth >= MaxDepth {
		return nil, p.errAt(p.pos(), "nesting deeper than %d levels", MaxDepth)
	}
	start := p.pos()
	c := p.src[p.off]
	switch c {
	case '(', '[', '{':
		kind := map[byte]Kind{'(': List, '[': Vector, '{': Map}[c]
		close := closers[c]
		p.advance()
		n := &Node{Kind: kind, Pos: start}
		for {
			if err := p.skipSpace(); err != nil {
				return nil, err
			}
			if p.off >= len(p.src) {
				return nil, p.errAt(start, "unclosed %q: expected %q before the end of the file", string(c), string(close))
			}
			d := p.src[p.off]
			if d == close {
				p.advance()
				n.End = p.pos()
				return n, nil
			}
			if d == ')' || d == ']' || d == '}' {
				return nil, p.errAt(p.pos(), "mismatched %q: the %q opened at %d:%d expects %q", string(d), string(c), start.Line, start.Col, string(close))
			}
			it, err := p.form(depth + 1)
			if err != nil {
				return nil, err
			}
			n.Items = append(n.Items, it)
		}
	case ')', ']', '}':
		return nil, p.errAt(start, "unexpected %q with nothing open", string(c))
	case '"':
		return p.str()
	case '\'':
		p.advance()
		if err := p.skipSpace(); err != nil {
			return nil, err
		}
		if p.off >= len(p.src) {
			return nil, p.errAt(start, "quote with nothing after it")
		}
		q, err := p.form(depth + 1)
		if err != nil {
			return nil, err
		}
		return &Node{Kind: List, Pos: start, End: q.End, Items: []*Node{{Kind: Symbol, Text: "quote", Pos: start, End: q.Pos}, q}}, nil
	}
	return p.atom()
}

func isDelimiter(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '\f', '\v', ',', '(', ')', '[', ']', '{', '}', '"', ';', '\'':
		return true
	}
	return false
}

func (p *parser) atom() (*Node, error) {
	start := p.pos()
	for p.off < len(p.src) && !isDelimiter(p.src[p.off]) {
		p.advance()
	}
	text := string(p.src[start.Offset:p.off])
	end := p.pos()
	if !utf8.ValidString(text) {
		return nil, p.errAt(start, "invalid UTF-8 in %q", text)
	}
	n := &Node{Pos: start, End: end, Text: text}
	switch {
	case text == "true" || text == "false":
		n.Kind, n.Bool = Bool, text == "true"
		return n, nil
	case text == "nil":
		n.Kind = Nil
		return n, nil
	case text[0] == ':':
		name := text[1:]
		if name == "" || !validName(name) {
			return nil, p.errAt(start, "malformed keyword %q", text)
		}
		n.Kind, n.Text = Keyword, name
		return n, nil
	case looksNumeric(text):
		return p.number(n)
	}
	if !validName(text) {
		return nil, p.errAt(start, "malformed symbol %q", text)
	}
	n.Kind = Symbol
	return n, nil
}

// validName accepts symbol characters: anything printable that is not a
// delimiter, with no second colon at the start.
func validName(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return false
		}
	}
	return !strings.HasPrefix(s, ":")
}

func looksNumeric(s string) bool {
	i := 0
	if s[0] == '-' || s[0] == '+' {
		i = 1
	}
	return i < len(s) && s[i] >= '0' && s[i] <= '9'
}

func (p *parser) number(n *Node) (*Node, error) {
	s := n.Text
	neg := false
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		s = s[1:]
	}
	if strings.ContainsAny(s, ".eE") && !strings.HasPrefix(s, "0x") && !strings.HasPrefix(s, "0X") {
		// a decimal fraction: digits '.' digits, no exponent
		ip, fp, ok := strings.Cut(s, ".")
		if !ok || ip == "" || fp == "" || !allDigits(strings.ReplaceAll(ip, "_", "")) || !allDigits(strings.ReplaceAll(fp, "_", "")) {
			return nil, p.errAt(n.Pos, "malformed number %q (decimals are written like 12.5; exponents are not supported)", n.Text)
		}
		n.Kind = Decimal
		n.Neg = neg
		return n, nil
	}
	base := 10
	digits := s
	switch {
	case strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X"):
		base, digits = 16, s[2:]
	case strings.HasPrefix(s, "0b") || strings.HasPrefix(s, "0B"):
		base, digits = 2, s[2:]
	}
	digits = strings.ReplaceAll(digits, "_", "")
	if digits == "" {
		return nil, p.errAt(n.Pos, "malformed number %q", n.Text)
	}
	v, err := strconv.ParseUint(digits, base, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return nil, p.errAt(n.Pos, "integer %s does not fit in 64 bits", n.Text)
		}
		return nil, p.errAt(n.Pos, "malformed number %q", n.Text)
	}
	if neg && v > 1<<63 {
		return nil, p.errAt(n.Pos, "integer %s is below the smallest 64-bit integer", n.Text)
	}
	n.Kind, n.Uint, n.Neg = Int, v, neg && v != 0
	return n, nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func (p *parser) str() (*Node, error) {
	start := p.pos()
	p.advance() // opening quote
	var b []byte
	for {
		if p.off >= len(p.src) {
			return nil, p.errAt(start, "unterminated string (missing closing \")")
		}
		c := p.src[p.off]
		if c == '"' {
			p.advance()
			break
		}
		if c != '\\' {
			b = append(b, c)
			p.advance()
			continue
		}
		escPos := p.pos()
		p.advance()
		if p.off >= len(p.src) {
			return nil, p.errAt(start, "unterminated string (missing closing \")")
		}
		e := p.src[p.off]
		p.advance()
		switch e {
		case 'n':
			b = append(b, '\n')
		case 't':
			b = append(b, '\t')
		case 'r':
			b = append(b, '\r')
		case '0':
			b = append(b, 0)
		case '\\', '"', '\'':
			b = append(b, e)
		case 'x':
			if p.off+2 > len(p.src) {
				return nil, p.errAt(escPos, "\\x needs two hexadecimal digits")
			}
			v, err := strconv.ParseUint(string(p.src[p.off:p.off+2]), 16, 8)
			if err != nil {
				return nil, p.errAt(escPos, "\\x needs two hexadecimal digits")
			}
			p.advance()
			p.advance()
			b = append(b, byte(v))
		case 'u':
			if p.off >= len(p.src) || p.src[p.off] != '{' {
				return nil, p.errAt(escPos, "\\u needs the form \\u{hex}")
			}
			p.advance()
			hs := p.off
			for p.off < len(p.src) && p.src[p.off] != '}' && p.off-hs < 8 {
				p.advance()
			}
			if p.off >= len(p.src) || p.src[p.off] != '}' {
				return nil, p.errAt(escPos, "\\u needs the form \\u{hex}")
			}
			v, err := strconv.ParseUint(string(p.src[hs:p.off]), 16, 32)
			p.advance()
			if err != nil || v > utf8.MaxRune || (v >= 0xd800 && v < 0xe000) {
				return nil, p.errAt(escPos, "\\u{…} is not a Unicode scalar value")
			}
			b = utf8.AppendRune(b, rune(v))
		default:
			return nil, p.errAt(escPos, "unknown escape \\%c", e)
		}
	}
	return &Node{Kind: String, Pos: start, End: p.pos(), Text: string(b)}, nil
}

// Quote renders s as an OVSM string literal that Parse reads back as s.
func Quote(s string) string {
	b := []byte{'"'}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, fmt.Sprintf("\\x%02x", s[i])...)
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\n':
			b = append(b, '\\', 'n')
		case r == '\t':
			b = append(b, '\\', 't')
		case r < 0x20 || r == 0x7f:
			b = append(b, fmt.Sprintf("\\x%02x", r)...)
		case !unicode.IsPrint(r):
			b = append(b, fmt.Sprintf("\\u{%x}", r)...)
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return string(append(b, '"'))
}
