package ovsm

import (
	"testing"

	"github.com/agora-vm/agora/abi"
)

// Loops (for (i (range s (data-len a))) … (read-u8 a i) …) drop the
// bounds check of the read and step a pointer instead of the index. These
// tests check the results against Go, with and without the optimiser, and
// that every loop whose bound is not provably within the data still
// raises.

func bytesOf(n int, f func(i int) byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = f(i)
	}
	return b
}

func TestLoopCursorResults(t *testing.T) {
	sum := func(b []byte, from int, f func(i int, c byte) int64) int64 {
		var s int64
		for i := from; i < len(b); i++ {
			s += f(i, b[i])
		}
		return s
	}
	cases := []struct {
		name string
		body string
		want func(a, b []byte) int64
	}{
		{"sum", `(define s 0) (for (i (range 0 (data-len a))) (set! s (+ s (read-u8 a i)))) s`,
			func(a, _ []byte) int64 { return sum(a, 0, func(_ int, c byte) int64 { return int64(c) }) }},
		{"one-arg-range", `(define s 0) (for (i (range (data-len a))) (set! s (+ s (read-u8 a i)))) s`,
			func(a, _ []byte) int64 { return sum(a, 0, func(_ int, c byte) int64 { return int64(c) }) }},
		{"from-3", `(define s 0) (for (i (range 3 (data-len a))) (set! s (+ s (read-u8 a i)))) s`,
			func(a, _ []byte) int64 { return sum(a, 3, func(_ int, c byte) int64 { return int64(c) }) }},
		{"data-target", `(define s 0) (for (i (range 0 (data-len a))) (set! s (+ s (read-u8 (data a) i)))) s`,
			func(a, _ []byte) int64 { return sum(a, 0, func(_ int, c byte) int64 { return int64(c) }) }},
		{"index-used", `(define s 0) (for (i (range 0 (data-len a))) (set! s (+ s (* i (read-u8 a i))))) s`,
			func(a, _ []byte) int64 { return sum(a, 0, func(i int, c byte) int64 { return int64(i) * int64(c) }) }},
		{"two-reads", `(define s 0) (for (i (range 0 (data-len a))) (set! s (+ s (read-u8 a i) (read-u8 a i)))) s`,
			func(a, _ []byte) int64 { return sum(a, 0, func(_ int, c byte) int64 { return 2 * int64(c) }) }},
		{"continue", `(define s 0) (for (i (range 0 (data-len a))) (if (> (read-u8 a i) 100) (continue) nil) (set! s (+ s (read-u8 a i)))) s`,
			func(a, _ []byte) int64 {
				return sum(a, 0, func(_ int, c byte) int64 {
					if c > 100 {
						return 0
					}
					return int64(c)
				})
			}},
		{"break", `(define s 0) (for (i (range 0 (data-len a))) (if (= (read-u8 a i) 0) (break) nil) (set! s (+ s (read-u8 a i)))) s`,
			func(a, _ []byte) int64 {
				var s int64
				for _, c := range a {
					if c == 0 {
						break
					}
					s += int64(c)
				}
				return s
			}},
		{"nested", `(define s 0) (for (i (range 0 (data-len a))) (for (j (range i (data-len a))) (set! s (+ s (read-u8 a j))))) s`,
			func(a, _ []byte) int64 {
				var s int64
				for i := range a {
					for j := i; j < len(a); j++ {
						s += int64(a[j])
					}
				}
				return s
			}},
		{"closure", `(define s 0) (for (i (range 0 (data-len a))) (define f (lambda () (read-u8 a i))) (set! s (+ s (f)))) s`,
			func(a, _ []byte) int64 { return sum(a, 0, func(_ int, c byte) int64 { return int64(c) }) }},
		{"escaping-closures", `(define s 0) (define fs []) (for (i (range 0 (data-len a))) (push! fs (lambda () (read-u8 a i)))) (for (f fs) (set! s (+ s (f)))) s`,
			func(a, _ []byte) int64 { return sum(a, 0, func(_ int, c byte) int64 { return int64(c) }) }},
		{"other-account-checked", `(define s 0) (for (i (range 0 (data-len a))) (set! s (+ s (read-u8 a i) (read-u8 b i)))) s`,
			func(a, b []byte) int64 { return sum(a, 0, func(i int, c byte) int64 { return int64(c) + int64(b[i]) }) }},
	}
	datas := [][]byte{
		nil,
		{9},
		bytesOf(7, func(i int) byte { return byte(i + 1) }),
		bytesOf(300, func(i int) byte { return byte(i*37 + 1) }),
	}
	for _, c := range cases {
		for _, noOpt := range []bool{false, true} {
			for _, d := range datas {
				other := bytesOf(len(d)+5, func(i int) byte { return byte(i * 3) })
				src := program(`(define a (get accounts 0)) (define b (get accounts 1)) ` + c.body)
				r := run(t, src, runOpts{opts: Options{NoOptimize: noOpt}, accounts: []abi.Account{acct(1, 1, d), acct(2, 1, other)}})
				if r.Err != nil {
					t.Fatalf("%s (noOpt %v, %d bytes): %v %q", c.name, noOpt, len(d), r.Err, r.Logs)
				}
				if want := c.want(d, other); int64(r.R0) != want {
					t.Fatalf("%s (noOpt %v, %d bytes): got %d, want %d", c.name, noOpt, len(d), int64(r.R0), want)
				}
			}
		}
	}
}

// A loop bound not proven to be within the data keeps the check.
func TestLoopCursorUnsafeBoundsRaise(t *testing.T) {
	cases := []struct{ name, body, msg string }{
		{"past-end", `(for (i (range 0 (+ (data-len a) 1))) (read-u8 a i))`, ""},
		{"other-account-longer", `(for (i (range 0 (data-len b))) (read-u8 a i))`, ""},
		{"negative-start", `(for (i (range -1 (data-len a))) (read-u8 a i))`, "negative value"},
		{"shifted-index", `(for (i (range 0 (data-len a))) (read-u8 a (+ i 1)))`, ""},
		{"shadowed-index", `(for (i (range 0 (data-len a))) (let ((i (+ i 1))) (read-u8 a i)))`, ""},
		{"shadowed-index-define", `(for (i (range 0 (data-len a))) (define i (+ i 1)) (read-u8 a i))`, ""},
		{"shadowed-account", `(for (i (range 0 (data-len b))) (let ((b a)) (read-u8 b i)))`, ""},
		{"wider-read", `(for (i (range 0 (data-len a))) (read-u16 a i))`, ""},
	}
	for _, c := range cases {
		src := program(`(define a (get accounts 0)) (define b (get accounts 1)) ` + c.body + ` 0`)
		out, err := Compile([]byte(src), "t.ovsm", Options{})
		if err != nil {
			// a form the language rejects cannot read out of bounds
			t.Logf("%s: does not compile: %v", c.name, err)
			continue
		}
		r := execute(t, out, runOpts{accounts: []abi.Account{acct(1, 1, []byte{1, 2, 3, 4}), acct(2, 1, make([]byte, 9))}})
		msg := "outside the data"
		if c.msg != "" {
			msg = c.msg
		}
		if r.Err == nil || !logsContain(r.Logs, msg) {
			t.Errorf("%s: want an out-of-bounds error, got r0=%d err=%v logs %q", c.name, r.R0, r.Err, r.Logs)
		}
	}
}

// The indexed loop costs about what the loop over (data a) costs: no
// bounds check and no address arithmetic per byte.
func TestLoopCursorCost(t *testing.T) {
	d := bytesOf(1000, func(i int) byte { return byte(i) })
	indexed := run(t, program(`(define a (get accounts 0)) (define s 0) (for (i (range 0 (data-len a))) (set! s (+ s (read-u8 a i)))) s`),
		runOpts{accounts: []abi.Account{acct(1, 1, d)}})
	direct := run(t, program(`(define a (get accounts 0)) (define s 0) (for (x (data a)) (set! s (+ s x))) s`),
		runOpts{accounts: []abi.Account{acct(1, 1, d)}})
	if indexed.Err != nil || direct.Err != nil || indexed.R0 != direct.R0 {
		t.Fatalf("indexed %d %v, direct %d %v", indexed.R0, indexed.Err, direct.R0, direct.Err)
	}
	if indexed.CU > direct.CU+8 {
		t.Fatalf("indexed loop takes %d CU, the loop over the data %d", indexed.CU, direct.CU)
	}
}
