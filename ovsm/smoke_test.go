package ovsm

import "testing"

func TestSmoke(t *testing.T) {
	r := run(t, program("(+ 40 2)"), runOpts{})
	if r.Err != nil || r.R0 != 42 {
		t.Fatalf("r0=%d err=%v", r.R0, r.Err)
	}
	r = run(t, `(defn fib (n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))
(define-program t (entrypoint (accounts data) (fib 20)))`, runOpts{})
	if r.Err != nil || r.R0 != 6765 {
		t.Fatalf("fib r0=%d err=%v logs=%v", r.R0, r.Err, r.Logs)
	}
	t.Logf("fib(20) CU=%d", r.CU)
}
