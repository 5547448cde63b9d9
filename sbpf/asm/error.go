package asm

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Error is an assembly error at a source position. Line and Col are
// 1-based; Col counts bytes. Line 0 means the error is not tied to a
// position (a bad option or version).
type Error struct {
	Line int
	Col  int
	Msg  string
}

// Error returns "line L, column C: msg", or just msg when Line is 0. A
// message that quotes a huge token is shortened to its start and end.
func (e *Error) Error() string {
	msg := clip(e.Msg, maxMessage)
	if e.Line == 0 {
		return msg
	}
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Col, msg)
}

// maxMessage bounds the length of an error message, so that an error
// about a 50 MB line does not put 50 MB on the terminal.
const maxMessage = 200

// clip shortens s to about limit bytes, keeping its start and end and
// saying how much was left out.
func clip(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	head, tail := s[:limit*2/3], s[len(s)-limit/4:]
	for len(head) > 0 && !utf8.RuneStart(head[len(head)-1]) {
		head = head[:len(head)-1]
	}
	head = strings.TrimRightFunc(head, func(r rune) bool { return r == utf8.RuneError })
	for len(tail) > 0 && !utf8.RuneStart(tail[0]) {
		tail = tail[1:]
	}
	return fmt.Sprintf("%s…[%d bytes]…%s", head, len(s)-len(head)-len(tail), tail)
}

// ErrTextLength is returned by Disassemble when the text is not a whole
// number of 8-byte slots.
var ErrTextLength = errors.New("text length is not a multiple of 8")

// ErrVersion is returned for a version this package does not know.
var ErrVersion = errors.New("unknown sBPF version")
