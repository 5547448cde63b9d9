package ovsm

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/agora-vm/agora/ovsm/parse"
)

// DiagKind classifies a diagnostic.
type DiagKind uint8

// Diagnostic kinds.
const (
	SyntaxError   DiagKind = iota + 1 // the text is not well-formed S-expressions
	UnknownName                       // a symbol or function that is not defined
	ArityError                        // wrong number of arguments
	TypeError                         // a value of the wrong type
	FormError                         // a special form used in the wrong shape
	ProgramError                      // the program structure (define-program, entrypoint) is wrong
	ConstantError                     // a constant expression fails (overflow, division by zero)
	LimitError                        // a limit of sBPF or of the compiler is exceeded
	InternalError                     // a compiler bug; please report it
)

var diagKindNames = [...]string{
	SyntaxError: "SyntaxError", UnknownName: "UnknownName", ArityError: "ArityError",
	TypeError: "TypeError", FormError: "FormError", ProgramError: "ProgramError",
	ConstantError: "ConstantError", LimitError: "LimitError", InternalError: "InternalError",
}

// String returns the kind's name, e.g. "TypeError".
func (k DiagKind) String() string {
	if int(k) < len(diagKindNames) && diagKindNames[k] != "" {
		return diagKindNames[k]
	}
	return fmt.Sprintf("DiagKind(%d)", uint8(k))
}

// Severity says whether a diagnostic stops compilation.
type Severity uint8

// Severities.
const (
	SeverityError Severity = iota
	SeverityWarning
)

// String returns "error" or "warning".
func (s Severity) String() string {
	if s == SeverityWarning {
		return "warning"
	}
	return "error"
}

// Diagnostic is one message about the source, at a position.
type Diagnostic struct {
	Kind     DiagKind
	Severity Severity
	File     string
	Line     int // 1-based
	Col      int // 1-based, in bytes
	EndCol   int // exclusive end column on the same line, when known
	Message  string
	// SourceLine is the text of line Line, without its newline.
	SourceLine string
}

// Error renders the diagnostic as
//
//	file:line:col: error: message
//	    source line
//	    ^~~~
func (d Diagnostic) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d:%d: %s: %s", d.File, d.Line, d.Col, d.Severity, clip(d.Message, maxMessage))
	if d.SourceLine != "" || d.Line > 0 {
		line, col := excerpt(d.SourceLine, d.Col)
		line = strings.ReplaceAll(line, "\t", " ")
		b.WriteString("\n    ")
		b.WriteString(line)
		b.WriteString("\n    ")
		if col < 1 {
			col = 1
		}
		if col > len(line)+1 {
			col = len(line) + 1
		}
		b.WriteString(strings.Repeat(" ", col-1))
		b.WriteByte('^')
		if d.EndCol > d.Col+1 {
			end := col + d.EndCol - d.Col
			if end > len(line)+1 {
				end = len(line) + 1
			}
			if end > col+1 {
				b.WriteString(strings.Repeat("~", end-col-1))
			}
		}
	}
	return b.String()
}

// maxMessage bounds a diagnostic's message, and excerptWidth the source
// shown around its column: an error in a 5 MB line shows a window of it.
const (
	maxMessage   = 200
	excerptWidth = 120
)

// clip shortens s to about limit bytes, keeping its start and end.
func clip(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	head, tail := s[:limit*2/3], s[len(s)-limit/4:]
	for len(head) > 0 && !utf8.RuneStart(head[len(head)-1]) {
		head = head[:len(head)-1]
	}
	for len(tail) > 0 && !utf8.RuneStart(tail[0]) {
		tail = tail[1:]
	}
	return fmt.Sprintf("%s…[%d bytes]…%s", head, len(s)-len(head)-len(tail), tail)
}

// excerpt returns at most about excerptWidth bytes of line around the
// 1-based byte column col, with "…" where it was cut, and col within it.
func excerpt(line string, col int) (string, int) {
	if len(line) <= excerptWidth {
		return line, col
	}
	c := min(max(col-1, 0), len(line))
	start := max(c-excerptWidth/2, 0)
	end := min(start+excerptWidth, len(line))
	for start > 0 && !utf8.RuneStart(line[start]) {
		start--
	}
	for end < len(line) && !utf8.RuneStart(line[end]) {
		end++
	}
	out, newCol := line[start:end], c-start+1
	if start > 0 {
		out, newCol = "…"+out, newCol+1 // the caret counts columns as bytes; "…" shows as one
	}
	if end < len(line) {
		out += "…"
	}
	return out, newCol
}

// Diagnostics is the error Compile returns: every error found, in source
// order.
type Diagnostics []Diagnostic

// Error renders every diagnostic, one after another.
func (ds Diagnostics) Error() string {
	var parts []string
	for _, d := range ds {
		parts = append(parts, d.Error())
	}
	return strings.Join(parts, "\n")
}

// Unwrap exposes each diagnostic to errors.As.
func (ds Diagnostics) Unwrap() []error {
	out := make([]error, len(ds))
	for i, d := range ds {
		out[i] = d
	}
	return out
}

// AsDiagnostics extracts the diagnostics from an error Compile returned.
func AsDiagnostics(err error) (Diagnostics, bool) {
	var ds Diagnostics
	if errors.As(err, &ds) {
		return ds, true
	}
	return nil, false
}

// sourceLine returns line n (1-based) of src.
func sourceLine(src []byte, n int) string {
	if n < 1 {
		return ""
	}
	line := 1
	start := 0
	for i, c := range src {
		if line == n {
			start = i
			break
		}
		if c == '\n' {
			line++
			start = i + 1
		}
	}
	if line < n {
		return ""
	}
	end := start
	for end < len(src) && src[end] != '\n' {
		end++
	}
	return strings.TrimRight(string(src[start:end]), "\r")
}

func newDiag(kind DiagKind, file string, src []byte, pos, end parse.Pos, msg string) Diagnostic {
	d := Diagnostic{Kind: kind, File: file, Line: pos.Line, Col: pos.Col, Message: msg, SourceLine: sourceLine(src, pos.Line)}
	if end.Line == pos.Line && end.Col > pos.Col {
		d.EndCol = end.Col
	}
	return d
}
