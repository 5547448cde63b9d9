package ovsm

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzCompile checks that no source makes the compiler panic or report an
// internal error, and that what compiles loads and passes the verifier.
func FuzzCompile(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "examples", "ovsm", "*.ovsm"))
	for _, file := range files {
		if src, err := os.ReadFile(file); err == nil {
			f.Add(src)
		}
	}
	for _, s := range []string{
		program("(+ 1 2)"),
		program(`(define v [1 2]) (push! v 3) (for (x v) (log :x x)) (try (error "e" v) (catch e (error-data e)))`),
		program(`(match (get instruction-data "a") ("x" 1) (:y 2) (3 4) (_ 5))`),
		"(defn f (n) (if (< n 1) 0 (f (- n 1)))) " + program("(f 10)"),
		program("(define f (lambda (x) (lambda (y) (+ x y)))) ((f 1) 2)"),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 4096 {
			return
		}
		type result struct {
			out *Output
			err error
		}
		done := make(chan result, 1)
		go func() {
			out, err := Compile(src, "fuzz.ovsm", Options{})
			done <- result{out, err}
		}()
		var res result
		select {
		case res = <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("compiling %q takes more than 10 s", src)
		}
		out, err := res.out, res.err
		if err != nil {
			ds, ok := AsDiagnostics(err)
			if !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			for _, d := range ds {
				if d.Kind == InternalError {
					t.Fatalf("internal error on %q:\n%v", src, d)
				}
			}
			return
		}
		if out.Program == nil || len(out.ELF) == 0 {
			t.Fatal("no program")
		}
	})
}
