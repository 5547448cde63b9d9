package ovsm

import (
	"strconv"
	"strings"
	"testing"
)

func TestDiagnostics(t *testing.T) {
	for _, tc := range []struct {
		src  string
		kind DiagKind
		pos  string // line:col
		msg  string
	}{
		{"(define-program p (entrypoint (a d) (frobnicate 1)))", UnknownName, "1:38", `unknown function "frobnicate"`},
		{"(define-program p (entrypoint (a d) (lgo :message \"x\")))", UnknownName, "1:38", "did you mean log?"},
		{"(define-program p (entrypoint (a d) x))", UnknownName, "1:37", `undefined variable "x"`},
		{"(define-program p\n  (entrypoint (a d)\n    (+ 1 \"s\")))", TypeError, "3:10", "+ needs numbers, got string"},
		{"(define-program p (entrypoint (a d) (if 1 2 3)))", TypeError, "1:41", "not a condition"},
		{"(defn f (x y) x) (define-program p (entrypoint (a d) (f 1)))", ArityError, "1:54", "takes 2 arguments, got 1"},
		{"(defn f (x :k y) x) (define-program p (entrypoint (a d) (f 1 :z 2)))", ArityError, "1:62", "no keyword parameter :z"},
		{"(define-program p (entrypoint (a d) (+ 9223372036854775807 1)))", ConstantError, "1:37", "overflows"},
		{"(define-program p (entrypoint (a d) (/ 5 0)))", ConstantError, "1:37", "division by zero"},
		{"(define-program p (entrypoint (a d) (let ((x 1)) (set! x))))", FormError, "1:50", "set! takes a variable and a value"},
		{"(define-program p (entrypoint (a d) (break)))", FormError, "1:37", "break outside a loop"},
		{"(define-program p (entrypoint (a d) (while true (try (break) (catch e 1)))))", FormError, "1:54", "break cannot leave a try block"},
		{"(define-program p (entrypoint (a d) (+ 1 2)", SyntaxError, "1:19", "unclosed"},
		{"(define-program p)", ProgramError, "1:1", "no entrypoint"},
		{"(define-program p (entrypoint (a) 1))", ProgramError, "1:19", "two parameter names"},
		{"(defn f (x) x) (defn f (y) y) (define-program p (entrypoint (a d) 1))", ProgramError, "1:22", `"f" is already defined`},
		{"(defn %x (y) y) (define-program p (entrypoint (a d) 1))", ProgramError, "1:7", "reserved"},
		{"(define-program p (entrypoint (a d) (%ld64 0 0)))", UnknownName, "1:38", "unknown function"},
		{"(define-program p (entrypoint (a d) (sha256)))", ArityError, "1:37", "at least 1 argument"},
		{"(define-program p (entrypoint (a d) (tx-begin 1)))", ArityError, "1:37", "tx-begin takes 0 arguments"},
		{"(define-program p (entrypoint (a d) (get-balance 5)))", TypeError, "1:50", "expected an account, got int"},
		{"(define-program p (entrypoint (a d) (match 1 (x 2))))", FormError, "1:47", "a match pattern is a literal"},
	} {
		t.Run(tc.msg, func(t *testing.T) {
			_, err := Compile([]byte(tc.src), "f.ovsm", Options{})
			ds, ok := AsDiagnostics(err)
			if !ok || len(ds) == 0 {
				t.Fatalf("err = %v", err)
			}
			d := ds[0]
			if d.Kind != tc.kind || d.File != "f.ovsm" || !strings.Contains(d.Message, tc.msg) {
				t.Fatalf("got %v %s %q; want %v %q", d.Kind, d.File, d.Message, tc.kind, tc.msg)
			}
			if got := strings.Join([]string{itoa(d.Line), itoa(d.Col)}, ":"); got != tc.pos {
				t.Fatalf("at %s, want %s: %v", got, tc.pos, d)
			}
			// the rendered form has the position, the source line and a caret
			text := d.Error()
			lines := strings.Split(text, "\n")
			if !strings.HasPrefix(lines[0], "f.ovsm:"+tc.pos+": error: ") || len(lines) != 3 || !strings.Contains(lines[2], "^") {
				t.Fatalf("rendered:\n%s", text)
			}
			if caret := strings.Index(lines[2], "^") - 4; caret != d.Col-1 {
				t.Fatalf("caret at %d:\n%s", caret, text)
			}
			if diags := Check([]byte(tc.src), "f.ovsm", Options{}); len(diags) == 0 || diags[0].Message != d.Message {
				t.Fatalf("Check gave %v", diags)
			}
		})
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestDiagnosticsMany reports every error of a file, in source order.
func TestDiagnosticsMany(t *testing.T) {
	src := "(define-program p (entrypoint (a d)\n (foo 1)\n (bar 2)\n (+ 1 \"x\")))"
	_, err := Compile([]byte(src), "m.ovsm", Options{})
	ds, _ := AsDiagnostics(err)
	if len(ds) != 3 || ds[0].Line != 2 || ds[1].Line != 3 || ds[2].Line != 4 {
		t.Fatalf("%v", err)
	}
}

func TestCheckClean(t *testing.T) {
	if ds := Check([]byte(program("(+ 1 2)")), "ok.ovsm", Options{}); len(ds) != 0 {
		t.Fatalf("%v", ds)
	}
}
