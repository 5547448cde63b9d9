package asm

import (
	"errors"
	"fmt"
)

// Error is an assembly error at a source position. Line and Col are
// 1-based; Col counts bytes. Line 0 means the error is not tied to a
// position (a bad option or version).
type Error struct {
	Line int
	Col  int
	Msg  string
}

// Error returns "line L, column C: msg", or just msg when Line is 0.
func (e *Error) Error() string {
	if e.Line == 0 {
		return e.Msg
	}
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Col, e.Msg)
}

// ErrTextLength is returned by Disassemble when the text is not a whole
// number of 8-byte slots.
var ErrTextLength = errors.New("text length is not a multiple of 8")

// ErrVersion is returned for a version this package does not know.
var ErrVersion = errors.New("unknown sBPF version")
