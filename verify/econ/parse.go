// Package econ holds the economic invariants of the deep verifier: the
// parser of user-written linear invariants over account fields, such as
//
//	sum(lamports) == old(sum(lamports))
//	u64(acct[1].data[8..16]) <= old(u64(acct[1].data[8..16])) + 100
//
// and their typed syntax tree, which the symbolic executor evaluates at
// every successful exit. It never evaluates anything itself and never
// panics on any input: a malformed invariant is a *ParseError with the
// byte position of the problem.
package econ

import (
	"fmt"
	"strconv"
	"strings"
)

// Op is an expression node's operation.
type Op uint8

// Operations. Comparisons and logic give booleans; the rest integers
// (exact: no wrap-around).
const (
	OpNum         Op = iota + 1 // Val
	OpLamports                  // acct[Acct].lamports
	OpData                      // little-endian unsigned acct[Acct].data[Lo..Hi]
	OpSumLamports               // the sum of every account's lamports
	OpOld                       // Kids[0] before the instruction
	OpAdd
	OpSub
	OpMul // one side constant
	OpNeg
	OpEq
	OpNe
	OpLt
	OpLe
	OpGt
	OpGe
	OpAnd
	OpOr
	OpNot
)

// Expr is a node of an invariant.
type Expr struct {
	Op     Op
	Kids   []*Expr
	Val    uint64
	Acct   int
	Lo, Hi int
	Pos    int // byte offset in the source
}

// IsBool reports whether the node is a comparison or a logical operation.
func (e *Expr) IsBool() bool { return e.Op >= OpEq }

// ParseError is a malformed invariant.
type ParseError struct {
	Pos int
	Msg string
}

func (e *ParseError) Error() string { return fmt.Sprintf("invariant: column %d: %s", e.Pos+1, e.Msg) }

// MaxLen bounds an invariant's source.
const MaxLen = 4096

const maxDepth = 64

// Parse reads one invariant. It must be a boolean (a comparison, or
// comparisons joined with && and ||).
func Parse(src string) (*Expr, error) {
	if len(src) > MaxLen {
		return nil, &ParseError{MaxLen, fmt.Sprintf("longer than %d bytes", MaxLen)}
	}
	p := &parser{src: src}
	p.next()
	e, err := p.or(0)
	if err != nil {
		return nil, err
	}
	if p.tok != "" {
		return nil, p.errf("unexpected %q", p.tok)
	}
	if !e.IsBool() {
		return nil, &ParseError{0, "an invariant must be a comparison (==, !=, <, <=, >, >=)"}
	}
	return e, nil
}

// Check validates account indices and data ranges against the accounts'
// shapes (data lengths, one per account).
func Check(e *Expr, dataLens []int) error {
	switch e.Op {
	case OpLamports, OpData:
		if e.Acct < 0 || e.Acct >= len(dataLens) {
			return &ParseError{e.Pos, fmt.Sprintf("acct[%d]: there are %d accounts", e.Acct, len(dataLens))}
		}
		if e.Op == OpData && e.Hi > dataLens[e.Acct] {
			return &ParseError{e.Pos, fmt.Sprintf("acct[%d].data[%d..%d]: the account holds %d bytes", e.Acct, e.Lo, e.Hi, dataLens[e.Acct])}
		}
	}
	for _, k := range e.Kids {
		if err := Check(k, dataLens); err != nil {
			return err
		}
	}
	return nil
}

type parser struct {
	src string
	pos int // start of tok
	end int
	tok string
	bad bool
}

func (p *parser) errf(format string, args ...any) error {
	return &ParseError{p.pos, fmt.Sprintf(format, args...)}
}

func isIdent(b byte) bool {
	return b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

// next reads the next token into p.tok ("" at the end).
func (p *parser) next() {
	i := p.end
	for i < len(p.src) && (p.src[i] == ' ' || p.src[i] == '\t' || p.src[i] == '\n' || p.src[i] == '\r') {
		i++
	}
	p.pos = i
	if i >= len(p.src) {
		p.tok, p.end = "", i
		return
	}
	j := i + 1
	switch b := p.src[i]; {
	case isIdent(b):
		for j < len(p.src) && isIdent(p.src[j]) {
			j++
		}
	default:
		for _, two := range []string{"==", "!=", "<=", ">=", "&&", "||", ".."} {
			if strings.HasPrefix(p.src[i:], two) {
				j = i + 2
				break
			}
		}
	}
	p.tok, p.end = p.src[i:j], j
}

func (p *parser) expect(t string) error {
	if p.tok != t {
		if p.tok == "" {
			return p.errf("expected %q, found the end", t)
		}
		return p.errf("expected %q, found %q", t, p.tok)
	}
	p.next()
	return nil
}

func (p *parser) or(d int) (*Expr, error) {
	if d > maxDepth {
		return nil, p.errf("nested too deeply")
	}
	l, err := p.and(d + 1)
	if err != nil {
		return nil, err
	}
	for p.tok == "||" {
		pos := p.pos
		p.next()
		r, err := p.and(d + 1)
		if err != nil {
			return nil, err
		}
		if !l.IsBool() || !r.IsBool() {
			return nil, &ParseError{pos, "|| joins comparisons"}
		}
		l = &Expr{Op: OpOr, Kids: []*Expr{l, r}, Pos: pos}
	}
	return l, nil
}

func (p *parser) and(d int) (*Expr, error) {
	l, err := p.cmp(d + 1)
	if err != nil {
		return nil, err
	}
	for p.tok == "&&" {
		pos := p.pos
		p.next()
		r, err := p.cmp(d + 1)
		if err != nil {
			return nil, err
		}
		if !l.IsBool() || !r.IsBool() {
			return nil, &ParseError{pos, "&& joins comparisons"}
		}
		l = &Expr{Op: OpAnd, Kids: []*Expr{l, r}, Pos: pos}
	}
	return l, nil
}

var cmpOps = map[string]Op{"==": OpEq, "!=": OpNe, "<": OpLt, "<=": OpLe, ">": OpGt, ">=": OpGe}

func (p *parser) cmp(d int) (*Expr, error) {
	if p.tok == "!" {
		pos := p.pos
		p.next()
		x, err := p.cmp(d + 1)
		if err != nil {
			return nil, err
		}
		if !x.IsBool() {
			return nil, &ParseError{pos, "! applies to a comparison"}
		}
		return &Expr{Op: OpNot, Kids: []*Expr{x}, Pos: pos}, nil
	}
	l, err := p.sum(d + 1)
	if err != nil {
		return nil, err
	}
	if op, ok := cmpOps[p.tok]; ok {
		pos := p.pos
		p.next()
		r, err := p.sum(d + 1)
		if err != nil {
			return nil, err
		}
		if l.IsBool() || r.IsBool() {
			return nil, &ParseError{pos, "comparisons compare numbers"}
		}
		return &Expr{Op: op, Kids: []*Expr{l, r}, Pos: pos}, nil
	}
	return l, nil
}

func (p *parser) sum(d int) (*Expr, error) {
	l, err := p.term(d + 1)
	if err != nil {
		return nil, err
	}
	for p.tok == "+" || p.tok == "-" {
		op, pos := OpAdd, p.pos
		if p.tok == "-" {
			op = OpSub
		}
		p.next()
		r, err := p.term(d + 1)
		if err != nil {
			return nil, err
		}
		if l.IsBool() || r.IsBool() {
			return nil, &ParseError{pos, "arithmetic on a comparison"}
		}
		l = &Expr{Op: op, Kids: []*Expr{l, r}, Pos: pos}
	}
	return l, nil
}

func isConst(e *Expr) bool {
	switch e.Op {
	case OpNum:
		return true
	case OpNeg:
		return isConst(e.Kids[0])
	}
	return false
}

func (p *parser) term(d int) (*Expr, error) {
	l, err := p.factor(d + 1)
	if err != nil {
		return nil, err
	}
	for p.tok == "*" {
		pos := p.pos
		p.next()
		r, err := p.factor(d + 1)
		if err != nil {
			return nil, err
		}
		if l.IsBool() || r.IsBool() {
			return nil, &ParseError{pos, "arithmetic on a comparison"}
		}
		if !isConst(l) && !isConst(r) {
			return nil, &ParseError{pos, "the invariant must be linear: one side of * must be a number"}
		}
		l = &Expr{Op: OpMul, Kids: []*Expr{l, r}, Pos: pos}
	}
	return l, nil
}

func (p *parser) number() (uint64, error) {
	t := p.tok
	v, err := strconv.ParseUint(t, 0, 64)
	if err != nil || t == "" || t[0] < '0' || t[0] > '9' {
		return 0, p.errf("expected a number, found %q", t)
	}
	p.next()
	return v, nil
}

func (p *parser) factor(d int) (*Expr, error) {
	if d > maxDepth {
		return nil, p.errf("nested too deeply")
	}
	pos := p.pos
	switch t := p.tok; {
	case t == "":
		return nil, p.errf("expected a value, found the end")
	case t[0] >= '0' && t[0] <= '9':
		v, err := p.number()
		if err != nil {
			return nil, err
		}
		return &Expr{Op: OpNum, Val: v, Pos: pos}, nil
	case t == "-":
		p.next()
		x, err := p.factor(d + 1)
		if err != nil {
			return nil, err
		}
		if x.IsBool() {
			return nil, &ParseError{pos, "negation of a comparison"}
		}
		return &Expr{Op: OpNeg, Kids: []*Expr{x}, Pos: pos}, nil
	case t == "(":
		p.next()
		x, err := p.or(d + 1)
		if err != nil {
			return nil, err
		}
		return x, p.expect(")")
	case t == "old":
		p.next()
		if err := p.expect("("); err != nil {
			return nil, err
		}
		x, err := p.sum(d + 1)
		if err != nil {
			return nil, err
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		if hasOld(x) {
			return nil, &ParseError{pos, "old(...) inside old(...)"}
		}
		return &Expr{Op: OpOld, Kids: []*Expr{x}, Pos: pos}, nil
	case t == "sum":
		p.next()
		if err := p.expect("("); err != nil {
			return nil, err
		}
		if err := p.expect("lamports"); err != nil {
			return nil, err
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		return &Expr{Op: OpSumLamports, Pos: pos}, nil
	case t == "lamports":
		return nil, p.errf("lamports of which account? write acct[I].lamports, or sum(lamports)")
	case t == "acct":
		i, err := p.acct()
		if err != nil {
			return nil, err
		}
		if p.tok == "data" {
			return nil, p.errf("account data needs a width: u8(...), u16(...), u32(...) or u64(...)")
		}
		if err := p.expect("lamports"); err != nil {
			return nil, err
		}
		return &Expr{Op: OpLamports, Acct: i, Pos: pos}, nil
	case t == "u8" || t == "u16" || t == "u32" || t == "u64":
		width := map[string]int{"u8": 1, "u16": 2, "u32": 4, "u64": 8}[t]
		p.next()
		if err := p.expect("("); err != nil {
			return nil, err
		}
		fpos := p.pos
		if p.tok != "acct" {
			return nil, p.errf("%s(...) reads acct[I].data[A..B]", t)
		}
		i, err := p.acct()
		if err != nil {
			return nil, err
		}
		if err := p.expect("data"); err != nil {
			return nil, err
		}
		if err := p.expect("["); err != nil {
			return nil, err
		}
		lo, err := p.number()
		if err != nil {
			return nil, err
		}
		if err := p.expect(".."); err != nil {
			return nil, err
		}
		hi, err := p.number()
		if err != nil {
			return nil, err
		}
		if err := p.expect("]"); err != nil {
			return nil, err
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		if hi < lo || hi-lo != uint64(width) || hi > 10<<20 {
			return nil, &ParseError{fpos, fmt.Sprintf("%s(...) reads %d bytes: data[%d..%d] has %d", t, width, lo, hi, int64(hi)-int64(lo))}
		}
		return &Expr{Op: OpData, Acct: i, Lo: int(lo), Hi: int(hi), Pos: fpos}, nil
	}
	return nil, p.errf("unexpected %q", p.tok)
}

// acct reads "acct [ N ] ." and returns N.
func (p *parser) acct() (int, error) {
	p.next()
	if err := p.expect("["); err != nil {
		return 0, err
	}
	pos := p.pos
	v, err := p.number()
	if err != nil {
		return 0, err
	}
	if v > 255 {
		return 0, &ParseError{pos, fmt.Sprintf("account index %d: an instruction has at most 255 accounts", v)}
	}
	if err := p.expect("]"); err != nil {
		return 0, err
	}
	return int(v), p.expect(".")
}

func hasOld(e *Expr) bool {
	if e.Op == OpOld {
		return true
	}
	for _, k := range e.Kids {
		if hasOld(k) {
			return true
		}
	}
	return false
}
