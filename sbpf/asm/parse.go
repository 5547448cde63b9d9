package asm

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The grammar follows the reference parser (src/asm_parser.rs): a
// statement is a label `ident:`, a directive `.name operands` or an
// instruction `mnemonic operands`; operands are separated by commas and
// are a register `rN`, an integer, a memory reference `[rN+off]` or a
// label name. A statement never spans lines, and a line may hold several
// statements, as in the reference. Extensions: tabs count as spaces,
// spaces may surround commas, brackets and colons, and `#` or `;` starts
// a comment that runs to the end of the line.

type operandKind uint8

const (
	opReg operandKind = iota + 1
	opInt
	opMem
	opLabel
)

// operand is one parsed operand. The disassembler builds operands whose
// label target is already known (resolved).
type operand struct {
	kind     operandKind
	reg      uint8  // opReg, opMem
	val      int64  // opInt value, opMem offset
	name     string // opLabel
	col      int
	resolved bool  // opLabel: target holds the pc
	target   int64 // opLabel with resolved
}

type statementKind uint8

const (
	stLabel statementKind = iota + 1
	stDirective
	stInstruction
)

type statement struct {
	kind      statementKind
	name      string
	ops       []operand
	line, col int
}

type scanner struct {
	s    string
	pos  int
	line int
}

func (sc *scanner) errAt(pos int, format string, args ...any) *Error {
	return &Error{Line: sc.line, Col: pos + 1, Msg: fmt.Sprintf(format, args...)}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isHexDigit(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// isIdentRune mirrors the reference's alpha_num-or-underscore identifiers,
// which accept any Unicode letter or number.
func isIdentRune(r rune) bool {
	if r < utf8.RuneSelf {
		return r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Other_Alphabetic, r))
}

func (sc *scanner) skipSpace() {
	for sc.pos < len(sc.s) && isSpace(sc.s[sc.pos]) {
		sc.pos++
	}
}

// atEnd reports whether nothing but a comment remains.
func (sc *scanner) atEnd() bool {
	return sc.pos >= len(sc.s) || sc.s[sc.pos] == '#' || sc.s[sc.pos] == ';'
}

func (sc *scanner) peekRune() rune {
	r, _ := utf8.DecodeRuneInString(sc.s[sc.pos:])
	return r
}

func (sc *scanner) ident() string {
	start := sc.pos
	for sc.pos < len(sc.s) {
		r, size := utf8.DecodeRuneInString(sc.s[sc.pos:])
		if !isIdentRune(r) {
			break
		}
		sc.pos += size
	}
	return sc.s[start:sc.pos]
}

func (sc *scanner) unexpected() *Error {
	if sc.pos >= len(sc.s) {
		return sc.errAt(sc.pos, "unexpected end of line")
	}
	return sc.errAt(sc.pos, "unexpected %q", sc.peekRune())
}

// forEachStatement parses src line by line and calls fn for each
// statement in order. isMnemonic tells whether an identifier may start a
// second statement on the same line. Statements are not kept, so the
// assembler can make two passes without holding the whole parse.
func forEachStatement(src string, isMnemonic func(string) bool, fn func(*statement) error) error {
	var buf []statement
	for lineNo := 1; ; lineNo++ {
		line, rest, more := strings.Cut(src, "\n")
		var err error
		if buf, err = parseLine(buf[:0], line, lineNo, isMnemonic); err != nil {
			return err
		}
		for i := range buf {
			if err := fn(&buf[i]); err != nil {
				return err
			}
		}
		if !more {
			return nil
		}
		src = rest
	}
}

func parseLine(out []statement, line string, lineNo int, isMnemonic func(string) bool) ([]statement, error) {
	sc := &scanner{s: line, line: lineNo}
	// afterOperands is set once an instruction or directive has ended; a
	// further statement on the line must then clearly start a new one,
	// so that a missing comma reads as such rather than as a strange
	// mnemonic.
	afterOperands := false
	sc.skipSpace()
	for !sc.atEnd() {
		start := sc.pos
		switch c := sc.s[sc.pos]; {
		case c == '.':
			sc.pos++
			name := sc.ident()
			if name == "" {
				return nil, sc.errAt(sc.pos, "expected directive name after '.'")
			}
			ops, err := sc.operands()
			if err != nil {
				return nil, err
			}
			out = append(out, statement{kind: stDirective, name: name, ops: ops, line: lineNo, col: start + 1})
			afterOperands = true
		case isIdentRune(sc.peekRune()):
			name := sc.ident()
			end := sc.pos
			sc.skipSpace()
			if sc.pos < len(sc.s) && sc.s[sc.pos] == ':' {
				sc.pos++
				out = append(out, statement{kind: stLabel, name: name, line: lineNo, col: start + 1})
				afterOperands = false
				break
			}
			if afterOperands && !isMnemonic(name) {
				return nil, sc.errAt(start, "expected ',' or end of line")
			}
			sc.pos = end
			ops, err := sc.operands()
			if err != nil {
				return nil, err
			}
			out = append(out, statement{kind: stInstruction, name: name, ops: ops, line: lineNo, col: start + 1})
			afterOperands = true
		default:
			if afterOperands {
				return nil, sc.errAt(start, "expected ',' or end of line")
			}
			return nil, sc.unexpected()
		}
		sc.skipSpace()
	}
	return out, nil
}

func (sc *scanner) startsOperand() bool {
	if sc.atEnd() {
		return false
	}
	c := sc.s[sc.pos]
	return c == '[' || c == '+' || c == '-' || isIdentRune(sc.peekRune())
}

// operands parses a possibly empty comma-separated operand list.
func (sc *scanner) operands() ([]operand, error) {
	sc.skipSpace()
	if !sc.startsOperand() {
		return nil, nil
	}
	var ops []operand
	for {
		o, err := sc.operand()
		if err != nil {
			return nil, err
		}
		ops = append(ops, o)
		end := sc.pos
		sc.skipSpace()
		if sc.pos >= len(sc.s) || sc.s[sc.pos] != ',' {
			sc.pos = end
			return ops, nil
		}
		sc.pos++
		sc.skipSpace()
		if !sc.startsOperand() {
			return nil, sc.errAt(sc.pos, "expected operand after ','")
		}
	}
}

func (sc *scanner) operand() (operand, error) {
	start := sc.pos
	c := sc.s[sc.pos]
	switch {
	case c == '[':
		sc.pos++
		sc.skipSpace()
		regPos := sc.pos
		name := sc.ident()
		reg, isReg, err := parseRegister(name)
		if !isReg {
			return operand{}, sc.errAt(regPos, "expected register after '['")
		}
		if err != "" {
			return operand{}, sc.errAt(regPos, "%s", err)
		}
		sc.skipSpace()
		var off int64
		if sc.pos < len(sc.s) && (sc.s[sc.pos] == '+' || sc.s[sc.pos] == '-' || isDigit(sc.s[sc.pos])) {
			var err error
			if off, err = sc.integer(); err != nil {
				return operand{}, err
			}
			sc.skipSpace()
		}
		if sc.pos >= len(sc.s) || sc.s[sc.pos] != ']' {
			return operand{}, sc.errAt(sc.pos, "expected ']'")
		}
		sc.pos++
		return operand{kind: opMem, reg: reg, val: off, col: start + 1}, nil
	case c == '+' || c == '-' || isDigit(c):
		v, err := sc.integer()
		if err != nil {
			return operand{}, err
		}
		return operand{kind: opInt, val: v, col: start + 1}, nil
	case isIdentRune(sc.peekRune()):
		name := sc.ident()
		reg, isReg, err := parseRegister(name)
		if isReg {
			if err != "" {
				return operand{}, sc.errAt(start, "%s", err)
			}
			return operand{kind: opReg, reg: reg, col: start + 1}, nil
		}
		return operand{kind: opLabel, name: name, col: start + 1}, nil
	}
	return operand{}, sc.unexpected()
}

// parseRegister recognizes `r` followed by decimal digits. isReg is false
// for any other identifier; msg is non-empty for a register number out
// of range.
func parseRegister(name string) (reg uint8, isReg bool, msg string) {
	if len(name) < 2 || name[0] != 'r' {
		return 0, false, ""
	}
	for i := 1; i < len(name); i++ {
		if !isDigit(name[i]) {
			return 0, false, ""
		}
	}
	n, err := strconv.ParseUint(name[1:], 10, 8)
	if err != nil || n > 15 {
		return 0, true, fmt.Sprintf("invalid register %s (want r0 to r15)", name)
	}
	return uint8(n), true, ""
}

// integer parses [+-] spaces (0x hex | decimal). As in the reference a
// hex literal is 64-bit two's complement, so 0xffffffffffffffff is -1.
// Literals that do not fit 64 bits are an error (the reference silently
// reads them as 0).
func (sc *scanner) integer() (int64, error) {
	start := sc.pos
	neg := false
	if c := sc.s[sc.pos]; c == '+' || c == '-' {
		neg = c == '-'
		sc.pos++
		sc.skipSpace()
	}
	if sc.pos >= len(sc.s) || !isDigit(sc.s[sc.pos]) {
		return 0, sc.errAt(sc.pos, "expected number")
	}
	hex := false
	if sc.s[sc.pos] == '0' && sc.pos+2 < len(sc.s) && sc.s[sc.pos+1] == 'x' && isHexDigit(sc.s[sc.pos+2]) {
		hex = true
		sc.pos += 2
	}
	digitsStart := sc.pos
	for sc.pos < len(sc.s) && (hex && isHexDigit(sc.s[sc.pos]) || !hex && isDigit(sc.s[sc.pos])) {
		sc.pos++
	}
	digits := sc.s[digitsStart:sc.pos]
	if sc.pos < len(sc.s) && isIdentRune(sc.peekRune()) {
		sc.ident()
		return 0, sc.errAt(start, "malformed number %q", sc.s[start:sc.pos])
	}
	base := 10
	if hex {
		base = 16
	}
	mag, err := strconv.ParseUint(digits, base, 64)
	if err != nil || !hex && (mag > 1<<63 || mag == 1<<63 && !neg) {
		return 0, sc.errAt(start, "number %s out of range", sc.s[start:sc.pos])
	}
	v := int64(mag)
	if neg {
		v = -v
	}
	return v, nil
}
