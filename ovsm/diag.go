package ovsm

import (
	"errors"
	"fmt"
	"strings"

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
	fmt.Fprintf(&b, "%s:%d:%d: %s: %s", d.File, d.Line, d.Col, d.Severity, d.Message)
	if d.SourceLine != "" || d.Line > 0 {
		line := strings.ReplaceAll(d.SourceLine, "\t", " ")
		b.WriteString("\n    ")
		b.WriteString(line)
		b.WriteString("\n    ")
		col := d.Col
		if col < 1 {
			col = 1
		}
		if col > len(line)+1 {
			col = len(line) + 1
		}
		b.WriteString(strings.Repeat(" ", col-1))
		b.WriteByte('^')
		if d.EndCol > col+1 {
			end := d.EndCol
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
