package ovsm

import (
	"strings"
	"testing"

	"github.com/agora-vm/agora/sbpf"
)

// langCase is a small program and what running it gives: r0, or an error
// whose text contains errSub, and log lines containing each of logs.
type langCase struct {
	name   string
	src    string // entrypoint body, or a whole file when it starts with "(def"
	want   uint64
	errSub string
	logs   []string
}

func runCases(t *testing.T, cases []langCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := tc.src
			ts := strings.TrimSpace(src)
			if !strings.HasPrefix(ts, "(defn") && !strings.HasPrefix(ts, "(defun") && !strings.HasPrefix(ts, "(define-program") {
				src = program(src)
			}
			for _, v := range []sbpf.Version{sbpf.V0, sbpf.V3} {
				checkCase(t, tc, run(t, src, runOpts{opts: Options{Version: v}}))
			}
		})
	}
}

func checkCase(t *testing.T, tc langCase, r runResult) {
	t.Helper()
	v := r.Out.Program.Version
	if tc.errSub != "" {
		if r.Err == nil {
			t.Fatalf("%s: no error; r0=%d logs=%q", v, r.R0, r.Logs)
		}
		all := r.Err.Error() + " " + strings.Join(r.Logs, "\n")
		if !strings.Contains(all, tc.errSub) {
			t.Fatalf("%s: error %v, logs %q; want %q", v, r.Err, r.Logs, tc.errSub)
		}
	} else if r.Err != nil {
		t.Fatalf("%s: error %v; logs %q", v, r.Err, r.Logs)
	} else if r.R0 != tc.want {
		t.Fatalf("%s: r0 = %d (%#x), want %d; logs %q", v, r.R0, r.R0, tc.want, r.Logs)
	}
	for _, l := range tc.logs {
		if !logsContain(r.Logs, l) {
			t.Fatalf("%s: logs %q lack %q", v, r.Logs, l)
		}
	}
}

func TestArithmetic(t *testing.T) {
	runCases(t, []langCase{
		{name: "add", src: "(+ 1 2 3)", want: 6},
		{name: "sub", src: "(- 10 3 2)", want: 5},
		{name: "neg", src: "(define x 5) (+ 100 (- x))", want: 95},
		{name: "mul", src: "(* 6 7)", want: 42},
		{name: "div", src: "(/ 100 7)", want: 14},
		{name: "mod", src: "(% 100 7)", want: 2},
		{name: "signed-div", src: "(define a -7) (define b 2) (+ 100 (/ a b))", want: 97},
		{name: "signed-rem", src: "(define a -7) (define b 2) (+ 100 (% a b))", want: 99},
		{name: "vars", src: "(define a 10) (define b 20) (set! a (+ a b)) a", want: 30},
		{name: "overflow-add", src: "(define x 9223372036854775807) (set! x (+ x 1)) x", errSub: "arithmetic overflow"},
		{name: "overflow-sub", src: "(define x -9223372036854775807) (set! x (- x 2)) x", errSub: "arithmetic overflow"},
		{name: "overflow-mul", src: "(define x 4294967296) (set! x (* x x)) 0", errSub: "arithmetic overflow"},
		{name: "overflow-mul-const", src: "(define x 4294967296) (set! x (* x 4294967296)) 0", errSub: "arithmetic overflow"},
		{name: "unsigned-underflow", src: "(define x (u64 5)) (set! x (- x 6)) 0", errSub: "arithmetic overflow"},
		{name: "unsigned-add-overflow", src: "(define x 18446744073709551615) (set! x (+ x 1)) 0", errSub: "arithmetic overflow"},
		{name: "unsigned-big", src: "(define x 18446744073709551615) (- x 5)", want: 18446744073709551610},
		{name: "div-zero", src: "(define z 0) (set! z z) (/ 5 z)", errSub: "division by zero"},
		{name: "min-div", src: "(define m -9223372036854775807) (set! m (- m 1)) (define d -1) (set! d d) (/ m d)", errSub: "arithmetic overflow"},
		{name: "mixed-neg", src: "(define u 18446744073709551615) (define i -1) (set! i i) (+ u i)", errSub: "negative value"},
		{name: "mixed-small", src: "(define u (u64 5)) (define i -1) (set! i i) (+ u i)", want: 4},
		{name: "mixed-ok", src: "(define u (u64 5)) (define i 7) (set! i i) (+ u i)", want: 12},
		{name: "mixed-compare", src: "(define u 18446744073709551615) (define i -1) (set! i i) (if (< i u) 1 2)", want: 1},
		{name: "min-max", src: "(+ (min 3 9 2) (max 3 9 2))", want: 11},
		{name: "abs", src: "(define x -5) (set! x x) (abs x)", want: 5},
		{name: "bits", src: "(+ (bit-and 12 10) (bit-or 1 2) (bit-xor 5 1) (shl 1 4) (shr 256 4))", want: 8 + 3 + 4 + 16 + 16},
		{name: "const-overflow-is-compile-error", src: "(define x 1) x", want: 1},
		{name: "inc-dec", src: "(define x 5) (+ (inc x) (dec x))", want: 10},
		{name: "decimal", src: "(define d 1.5) (define e (+ d 0.25)) (int (* e 4))", want: 7},
		{name: "u64-of-negative", src: "(define x -3) (set! x x) (u64 x)", errSub: "negative value"},
	})
}

func TestControl(t *testing.T) {
	runCases(t, []langCase{
		{name: "if", src: "(define x 3) (if (> x 2) 10 20)", want: 10},
		{name: "if-2", src: "(define x 3) (set! x x) (if (> x 5) (set! x 9)) x", want: 3},
		{name: "when-unless", src: "(define x 0) (when true (set! x 5)) (unless false (set! x (+ x 1))) x", want: 6},
		{name: "cond", src: "(define x 7) (set! x x) (cond ((< x 5) 1) ((< x 10) 2) (else 3))", want: 2},
		{name: "while", src: "(define i 0) (define s 0) (while (< i 10) (set! s (+ s i)) (set! i (+ i 1))) s", want: 45},
		{name: "break-continue", src: "(define i 0) (define s 0) (while true (set! i (+ i 1)) (when (> i 10) (break)) (when (= (% i 2) 0) (continue)) (set! s (+ s i))) s", want: 25},
		{name: "for-range", src: "(define s 0) (for (i (range 1 5)) (set! s (+ s i))) s", want: 10},
		{name: "for-range-1", src: "(define s 0) (for (i (range 4)) (set! s (+ s i))) s", want: 6},
		{name: "for-range-step", src: "(define s 0) (for (i (range 0 10 3)) (set! s (+ s i))) s", want: 18},
		{name: "for-vector", src: "(define s 0) (for (x [1 2 3 4]) (set! s (+ s x))) s", want: 10},
		{name: "and-or", src: "(define x 5) (if (and (> x 1) (or (< x 2) (= x 5))) 1 0)", want: 1},
		{name: "and-value", src: "(define x 5) (set! x x) (define b (and (> x 1) (< x 3))) (if b 1 0)", want: 0},
		{name: "not", src: "(if (not (= 1 2)) 7 8)", want: 7},
		{name: "let", src: "(let ((a 2) (b (* a 3))) (+ a b))", want: 8},
		{name: "do", src: "(do 1 2 3)", want: 3},
		{name: "match-int", src: "(define x 2) (set! x x) (match x (1 10) (2 20) (_ 30))", want: 20},
		{name: "match-default", src: "(define x 9) (set! x x) (match x (1 10) (2 20) (_ 30))", want: 30},
		{name: "match-string", src: `(define s "b") (match s ("a" 1) ("b" 2) (_ 3))`, want: 2},
		{name: "match-keyword", src: `(define k :sell) (match k (:buy 1) (:sell 2) (else 3))`, want: 2},
		{name: "match-list", src: "(define x 3) (set! x x) (match x ((1 2) 10) ((3 4) 20) (_ 30))", want: 20},
		{name: "assert-ok", src: "(assert (= 1 1) \"fine\") 4", want: 4},
		{name: "assert-fail", src: "(define x 1) (set! x x) (assert (= x 2) \"x must be 2\") 4", errSub: "x must be 2"},
		{name: "error", src: `(error "boom") 1`, errSub: "boom"},
		{name: "panic-location", src: "(define x 1)\n(set! x x)\n(assert (= x 2) \"loc\") 4", errSub: "t.ovsm"},
	})
}

func TestFunctions(t *testing.T) {
	runCases(t, []langCase{
		{name: "defn", src: "(defn sq (x) (* x x)) (define-program p (entrypoint (a d) (sq 7)))", want: 49},
		{name: "defun", src: "(defun add3 (a b c) (+ a b c)) (define-program p (entrypoint (a d) (add3 1 2 3)))", want: 6},
		{name: "recursion", src: "(defn fact (n) (if (<= n 1) 1 (* n (fact (- n 1))))) (define-program p (entrypoint (a d) (fact 10)))", want: 3628800},
		{name: "mutual", src: "(defn ev (n) (if (= n 0) true (od (- n 1)))) (defn od (n) (if (= n 0) false (ev (- n 1)))) (define-program p (entrypoint (a d) (if (ev 10) 1 0)))", want: 1},
		{name: "many-args", src: "(defn f (a b c d e g h) (+ a b c d e g h)) (define-program p (entrypoint (x y) (f 1 2 3 4 5 6 7)))", want: 28},
		{name: "keywords", src: "(defn f (a :scale s :offset (o 100)) (+ (* a s) o)) (define-program p (entrypoint (x y) (f 2 :scale 3)))", want: 106},
		{name: "keywords-2", src: "(defn f (a :scale s :offset (o 100)) (+ (* a s) o)) (define-program p (entrypoint (x y) (f 2 :offset 1 :scale 3)))", want: 7},
		{name: "depth", src: "(defn down (n) (if (= n 0) 0 (+ 1 (down (- n 1))))) (define-program p (entrypoint (a d) (down 100)))", errSub: "call depth"},
		{name: "globals-const", src: "(define-program p (define LIMIT 40) (define BONUS (+ LIMIT 2)) (entrypoint (a d) BONUS))", want: 42},
		{name: "docstring", src: "(defn f (x) \"doubles\" (* 2 x)) (define-program p (entrypoint (a d) (f 4)))", want: 8},
		{name: "generic-types", src: "(defn id (x) x) (define-program p (entrypoint (a d) (if (= (id \"s\") \"s\") (id 5) 0)))", want: 5},
	})
}

func TestClosures(t *testing.T) {
	runCases(t, []langCase{
		{name: "lambda-call", src: "((lambda (x) (* x x)) 5)", want: 25},
		{name: "capture", src: "(define k 3) (set! k k) (define f (lambda (x) (* x k))) (f 5)", want: 15},
		{name: "capture-const", src: "(define k 3) (define f (lambda (x) (* x k))) (f 5)", want: 15},
		{name: "higher-order", src: "(defn twice (f x) (f (f x))) (define-program p (entrypoint (a d) (define k 10) (set! k k) (twice (lambda (y) (+ y k)) 1)))", want: 21},
		{name: "find", src: "(define v [1 5 9 12]) (int (find v (lambda (x) (> x 6))))", want: 9},
		{name: "map-reduce", src: "(define v [1 2 3]) (int (reduce (lambda (a b) (+ a b)) 0 (map (lambda (x) (* x 10)) v)))", want: 60},
		{name: "filter", src: "(define v [1 2 3 4 5 6]) (length (filter (lambda (x) (even? x)) v))", want: 3},
		{name: "dynamic", src: "(define fs [(lambda (x) (+ x 1)) (lambda (x) (* x 2))]) (define f (get fs 1)) (int (f 21))", want: 42},
		{name: "closure-chain", src: "(defn f (g n) (if (= n 0) (g) (f (lambda () (+ 1 (g))) (- n 1)))) (define-program p (entrypoint (a d) (int (f (lambda () 0) 12))))", want: 12},
		{name: "closure-returned", src: "(define mk (lambda (k) (lambda (x) (+ x k)))) (define add5 (mk 5)) (int (add5 10))", want: 15},
		{name: "closure-in-vector", src: "(define k 7) (set! k k) (define fs [(lambda (x) (+ x k))]) (int ((get fs 0) 1))", want: 8},
	})
}

func TestTry(t *testing.T) {
	runCases(t, []langCase{
		{name: "catch", src: `(try (error "bad") (catch e 7))`, want: 7},
		{name: "catch-message", src: `(try (error "bad") (catch e (if (= (error-message e) "bad") 1 2)))`, want: 1},
		{name: "no-error", src: `(try 5 (catch e 7))`, want: 5},
		{name: "catch-overflow", src: "(define x 9223372036854775807) (set! x x) (try (+ x 1) (catch e 3))", want: 3},
		{name: "catch-from-function", src: `(defn f (x) (if (> x 2) (error "big") x)) (define-program p (entrypoint (a d) (+ (try (f 5) (catch e 100)) (try (f 1) (catch e 100)))))`, want: 101},
		{name: "finally", src: `(define n 0) (try (set! n 1) (finally (set! n (+ n 10)))) n`, want: 11},
		{name: "finally-error", src: `(define n 0) (try (try (error "x") (finally (set! n 5))) (catch e n))`, want: 5},
		{name: "rethrow", src: `(try (error "inner") (catch e (error "outer" e)))`, errSub: "outer"},
		{name: "error-data", src: `(try (error "m" 42) (catch e (int (error-data e))))`, want: 42},
		{name: "catch-assert", src: `(define x 1) (set! x x) (try (do (assert (> x 5) "small") 1) (catch e 2))`, want: 2},
		{name: "catch-runtime-error", src: `(define m {:a 1}) (try (int (get m :b)) (catch e 9))`, want: 9},
	})
}

func TestDataStructures(t *testing.T) {
	runCases(t, []langCase{
		{name: "vector-get", src: "(define v [10 20 30]) (int (get v 1))", want: 20},
		{name: "vector-get-missing", src: "(define v [10 20 30]) (if (nil? (get v 5)) 1 0)", want: 1},
		{name: "nth-out", src: "(define v [10]) (int (nth v 3))", errSub: "out of range"},
		{name: "length", src: `(+ (length [1 2 3]) (length "hello") (length {:a 1}))`, want: 9},
		{name: "push", src: "(define v []) (push! v 1) (push! v 2) (push! v 3) (push! v 4) (push! v 5) (int (+ (length v) (get v 4)))", want: 10},
		{name: "map-get", src: `(define m {:a 1 :b 2}) (int (get m :b))`, want: 2},
		{name: "map-get-string-key", src: `(define m {:a 1 :b 2}) (int (get m "b"))`, want: 2},
		{name: "assoc", src: `(define m {:a 1}) (assoc! m :c 3) (int (get m :c))`, want: 3},
		{name: "assoc-copy", src: `(define m {:a 1}) (define n (assoc m :a 5)) (int (+ (get m :a) (get n :a)))`, want: 6},
		{name: "contains", src: `(define m {:a 1}) (if (and (contains? m :a) (not (contains? m :z))) 1 0)`, want: 1},
		{name: "nested", src: `(define m {:v [1 {:x 41}]}) (int (+ 1 (get (get (get m :v) 1) :x)))`, want: 42},
		{name: "keys", src: `(length (keys {:a 1 :b 2 :c 3}))`, want: 3},
		{name: "equal-vectors", src: `(if (= [1 2 {:a "x"}] [1 2 {:a "x"}]) 1 0)`, want: 1},
		{name: "equal-strings", src: `(define a "hello") (if (= a (str "hel" "lo")) 1 0)`, want: 1},
		{name: "first-last", src: "(define v [4 5 6]) (int (+ (first v) (last v)))", want: 10},
		{name: "str", src: `(define s (str "n=" 42 " ok=" true)) (if (= s "n=42 ok=true") 1 0)`, want: 1},
		{name: "str-neg", src: `(define x -17) (set! x x) (if (= (str x) "-17") 1 0)`, want: 1},
		{name: "concat", src: `(length (concat "ab" (u64 1) [1 2]))`, want: 2 + 8 + 16},
		{name: "heap-exhausted", src: `(define v []) (while true (push! v 1)) 0`, errSub: "heap exhausted", logs: []string{"heap exhausted"}},
		{name: "heap-exhausted-location", src: "(define v [])\n(while true\n  (push! v 1)) 0", errSub: "t.ovsm at 3:3"},
		{name: "encode-decode", src: `(define m {:a 1 :b "x" :c [true nil]}) (if (= (decode (encode m)) m) 1 0)`, want: 1},
		{name: "type-error", src: `(define m {:a "s"}) (+ 1 (get m :a))`, errSub: "type error: expected int, got string"},
	})
}

func TestLog(t *testing.T) {
	runCases(t, []langCase{
		{name: "const", src: `(log :message "hello") 0`, logs: []string{"Program log: hello"}},
		{name: "kw", src: `(define x 42) (set! x x) (log :message "value" :x x :neg (- 0 x)) 0`, logs: []string{"Program log: value x=42 neg=-42"}},
		{name: "any", src: `(log :message "m" :v {:a [1 "s" true nil 2.5]}) 0`, logs: []string{`m v={:a [1 s true nil 2.5]}`}},
		{name: "positional", src: `(define x 7) (set! x x) (log "a" x "b") 0`, logs: []string{"Program log: a 7 b"}},
		{name: "u64", src: `(log :n 18446744073709551615) 0`, logs: []string{"n=18446744073709551615"}},
		{name: "error-log", src: `(error "Transaction failed" 17) 0`, errSub: "Panicked", logs: []string{"error: Transaction failed: 17"}},
	})
}

func TestMisc(t *testing.T) {
	runCases(t, []langCase{
		{name: "global-runtime", src: `(define-program p (define counter (+ (remaining-compute-units) 0)) (define v [1 2])
			(defn bump () (set! v [7]) (length v))
			(entrypoint (a d) (+ (bump) (int (get v 0)))))`, want: 8},
		{name: "global-set", src: `(define-program p (define total 0)
			(defn add! (x) (set! total (+ total x)))
			(entrypoint (a d) (define tv 5) (set! total tv) (add! 3) (add! 4) total))`, want: 12},
		{name: "decimal-format", src: `(if (and (= (str -1.5) "-1.5") (= (str 0.05) "0.05") (= (str 2.0) "2.0") (= (str 0.000000001) "0.000000001")) 1 0)`, want: 1},
		{name: "decimal-format-runtime", src: `(define d 1.25) (set! d (- d 1.3)) (if (= (str d) "-0.05") 1 0)`, want: 1},
		{name: "while-and", src: "(define i 0) (while (and (< i 10) (!= i 7)) (set! i (+ i 1))) i", want: 7},
		{name: "nested-loops", src: "(define s 0) (for (i (range 0 5)) (for (j (range 0 i)) (set! s (+ s j)))) s", want: 0 + 0 + 1 + 3 + 6},
		{name: "try-in-loop", src: `(define n 0) (for (i (range 0 5)) (try (when (= (% i 2) 0) (error "even")) (catch e (set! n (+ n 1))))) n`, want: 3},
		{name: "if-types", src: `(define x 3) (set! x x) (define v (if (> x 1) "big" 5)) (if (= v "big") 1 0)`, want: 1},
		{name: "cond-value", src: `(define x 3) (set! x x) (int (cond ((= x 1) "one") ((= x 3) 33) (else nil)))`, want: 33},
		{name: "quote", src: `(if (= 'abc :abc) 1 0)`, want: 1},
		{name: "dot", src: `(define o {:name "x" :age 30}) (int (. o age))`, want: 30},
		{name: "some-every", src: `(define v [1 2 3]) (if (and (some (lambda (x) (> x 2)) v) (not (every? (lambda (x) (> x 2)) v))) 1 0)`, want: 1},
		{name: "sha256", src: `(define h (sha256 "abc")) (read-u8 h 0)`, want: 0xba},
		{name: "sha256-concat", src: `(define h (sha256 "a" "bc")) (define g (sha256 (concat "ab" "c"))) (if (= h g) 1 0)`, want: 1},
		{name: "keccak", src: `(length (keccak256 "x" (u64 5)))`, want: 32},
		{name: "return-data", src: `(set-return-data! "hi") (length (get-return-data))`, want: 2},
		{name: "log-64", src: `(log-64 1 2 3) 0`, logs: []string{"Program log: 0x1, 0x2, 0x3, 0x0, 0x0"}},
		{name: "equal-any", src: `(define m {:a 1}) (if (and (= (get m :a) 1) (!= (get m :a) 2) (= (get m :b) nil)) 1 0)`, want: 1},
		{name: "string-keyword-distinct", src: `(if (= "a" :a) 1 0)`, want: 0},
		{name: "shadow-error", src: `(try (error "in") (catch error (error "out" error)))`, errSub: "out: error: in"},
		{name: "deep-recursion-ok", src: "(defn down (n) (if (= n 0) 0 (+ 1 (down (- n 1))))) (define-program p (entrypoint (a d) (down 60)))", want: 60},
		{name: "neg-shift", src: "(define s 70) (set! s s) (shl 1 s)", errSub: "shift amount"},
		{name: "write-signed", src: "(define x -129) (set! x x) (write-i8! (get accounts 0) 0 x) 0", errSub: "index out of range"},
		{name: "empty", src: `(if (and (empty? []) (not (empty? [1])) (empty? "")) 1 0)`, want: 1},
		{name: "type-pred", src: `(define m {:a 1 :b "s"}) (if (and (int? (get m :a)) (string? (get m :b)) (not (map? (get m :a)))) 1 0)`, want: 1},
		{name: "values", src: `(int (reduce (lambda (a b) (+ a b)) 0 (values {:a 1 :b 2})))`, want: 3},
		{name: "set-nth", src: `(define v [1 2 3]) (set-nth! v 1 20) (int (get v 1))`, want: 20},
	})
}
