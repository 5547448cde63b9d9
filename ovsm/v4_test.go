package ovsm

import (
	"testing"

	"github.com/agora-vm/agora/sbpf"
)

func TestV4Quick(t *testing.T) {
	r := run(t, program(`(define m {:a [1 2 3]}) (define s 0) (for (x (get m :a)) (set! s (+ s x))) (log :s s) (try (error "x") (catch e s))`), runOpts{opts: Options{Version: sbpf.V4}})
	if r.Err != nil || r.R0 != 6 {
		t.Fatalf("%d %v %q", r.R0, r.Err, r.Logs)
	}
}
