package ovsm

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/agora-vm/agora/abi"
	"github.com/agora-vm/agora/ext/lanes"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/vm"
)

// laneRun is one run of a program that may spawn lanes.
type laneRun struct {
	runResult
	Span uint64 // the critical path over lanes (lanes.Span)
}

// lanesRegistry is the standard syscalls and ext/lanes, its children in
// parallel goroutines or (serial) each run to completion at its spawn.
func lanesRegistry(t testing.TB, serial bool) *vm.Registry {
	reg := syscalls.NewRegistry()
	if err := lanes.RegisterWith(reg, lanes.Options{Serial: serial}); err != nil {
		t.Fatal(err)
	}
	return reg
}

// runLanes runs a compiled program as one instruction over accs and
// reports its span too.
func runLanes(t testing.TB, out *Output, reg *vm.Registry, accs []abi.Account) laneRun {
	t.Helper()
	exe, err := vm.Interpreter{}.Prepare(out.Program, reg, vm.Config{HeapSize: out.HeapSize})
	if err != nil {
		t.Fatalf("executable: %v", err)
	}
	var pid [32]byte
	pid[0] = 0xAA
	var metas []abi.AccountMeta
	for i := range accs {
		metas = append(metas, abi.AccountMeta{Index: i, Signer: i == 0, Writable: true})
	}
	input, _, err := abi.Serialize(accs, &abi.Instruction{ProgramID: pid, Accounts: metas})
	if err != nil {
		t.Fatal(err)
	}
	ctx := syscalls.NewContext(pid)
	m := vm.NewMachine()
	res := exe.Run(m, vm.RunOptions{Input: input, Budget: 1_400_000, Context: ctx})
	r := laneRun{runResult: runResult{R0: res.R0, CU: res.CU, Err: res.Err, Logs: append([]string(nil), ctx.Messages()...), Out: out},
		Span: lanes.Span(m, res.CU)}
	if ve, ok := res.Err.(*vm.Error); ok {
		if loc, ok := out.Debug.Lookup(ve.PC); ok {
			r.Err = fmt.Errorf("%w (at pc %d, %s)", res.Err, ve.PC, loc)
		}
	}
	return r
}

// parallelAgentInput is the accounts of examples/ovsm/parallel-agent
// .accounts.json.
func parallelAgentInput() []abi.Account {
	market := make([]byte, 16)
	binary.LittleEndian.PutUint64(market, parallelAgentPrice)
	binary.LittleEndian.PutUint64(market[8:], parallelAgentVolume)
	return []abi.Account{acct(1, parallelAgentTreasury, nil), acct(2, 1, market)}
}

// TestExampleParallelAgent runs the proposal's parallel agent: its three
// analyses in child lanes, then the decision. The result is the one
// computed by hand, the same with children run serially, and the same as
// the program with each lambda called where it is spawned.
func TestExampleParallelAgent(t *testing.T) {
	src := readExample(t, "parallel-agent")
	out, err := Compile(src, "parallel-agent.ovsm", Options{})
	if err != nil {
		t.Fatal(err)
	}
	// model 120·3 − 35·10 + 800·2 = 1610 > 0; exposure 142.5e6·10⁴/10¹⁰
	// = 142 bps < 2500: buy
	if want := int64(120*3 - 35*10 + 800*2); want <= 0 || parallelAgentPrice*10000/parallelAgentTreasury >= 2500 {
		t.Fatal("the shipped inputs no longer make a buy")
	}
	wantLog := fmt.Sprintf("Program log: decision action=:buy treasury=%d", uint64(parallelAgentTreasury))
	accs := parallelAgentInput()
	par := runLanes(t, out, lanesRegistry(t, false), accs)
	ser := runLanes(t, out, lanesRegistry(t, true), accs)
	for _, r := range []laneRun{par, ser} {
		if r.Err != nil || r.R0 != 0 || !slices.Equal(r.Logs, []string{wantLog}) {
			t.Fatalf("err %v r0 %d logs %q, want %q", r.Err, r.R0, r.Logs, wantLog)
		}
	}
	if par.CU != ser.CU || par.Span != ser.Span {
		t.Errorf("parallel cu %d span %d, serial cu %d span %d", par.CU, par.Span, ser.CU, ser.Span)
	}
	if par.Span >= par.CU {
		t.Errorf("span %d not below cu %d: the children did not run beside the parent", par.Span, par.CU)
	}
	// the same program without lanes: each lambda called at its spawn
	inline := strings.ReplaceAll(string(src), "(parallel-spawn (lambda ()", "((lambda ()")
	inline = strings.ReplaceAll(inline, "(parallel-join ", "(identity ")
	inline += "\n(defn identity (x) x)\n"
	ref := runLanes(t, compileOK(t, inline, Options{}), syscalls.NewRegistry(), accs)
	if ref.Err != nil || !slices.Equal(ref.Logs, par.Logs) {
		t.Fatalf("inline reference: err %v logs %q, lanes %q", ref.Err, ref.Logs, par.Logs)
	}
	v3 := runLanes(t, compileOK(t, string(src), Options{Version: sbpf.V3}), lanesRegistry(t, false), accs)
	if v3.Err != nil || !slices.Equal(v3.Logs, par.Logs) || v3.Span >= v3.CU {
		t.Fatalf("sBPF v3: err %v logs %q cu %d span %d", v3.Err, v3.Logs, v3.CU, v3.Span)
	}
	t.Logf("parallel-agent: cu %d, cu_span %d (%.2f of cu); without lanes %d CU", par.CU, par.Span, float64(par.Span)/float64(par.CU), ref.CU)
}

// laneBodies are the bodies of random spawned lambdas: %[1]s is a
// captured variable (a run-time integer), %[2]d and %[3]d constants.
var laneBodies = []string{
	`(+ (* %[1]s %[2]d) %[3]d)`,
	`(do (define v []) (for (i (range 0 %[2]d)) (push! v (+ i %[1]s))) v)`,
	`{:k %[1]s :s (+ %[1]s %[2]d) :v [%[2]d %[3]d]}`,
	`(+ (read-u64 (get accounts 1) 0) (get-balance (get accounts 0)) %[1]s)`,
	`(reduce (lambda (a x) (+ a x)) %[3]d [%[2]d %[1]s 5])`,
	`[{:a %[1]s} {:b %[2]d} (get-balance (get accounts 1))]`,
	`(do (define m {}) (for (i (range 0 %[3]d)) (assoc! m (if (= (mod i 2) 0) :even :odd) (* i %[1]s))) m)`,
}

// randomLaneProgram is a program that spawns 1 to 6 random lambdas
// (sometimes allocating in the parent between spawns, sometimes with a
// CU limit, sometimes fencing) and joins them in a random order, and the
// reference: the same program with each lambda called at its spawn.
func randomLaneProgram(rng *rand.Rand) (lanesSrc, refSrc string) {
	k := 1 + rng.IntN(6)
	var pre, spawns, refSpawns, joins, refJoins, logs strings.Builder
	for i := range k {
		fmt.Fprintf(&pre, "    (define c%d (+ %d (num-accounts)))\n", i, rng.IntN(1000))
		body := fmt.Sprintf(laneBodies[rng.IntN(len(laneBodies))], fmt.Sprintf("c%d", i), 1+rng.IntN(20), rng.IntN(100))
		limit := ""
		if rng.IntN(4) == 0 {
			limit = " 50000"
		}
		fmt.Fprintf(&spawns, "    (define t%d (parallel-spawn (lambda () %s)%s))\n", i, body, limit)
		fmt.Fprintf(&refSpawns, "    (define t%d ((lambda () %s)))\n", i, body)
		if rng.IntN(3) == 0 {
			junk := fmt.Sprintf("    (define junk%d [%d %d (num-accounts)])\n", i, i, rng.IntN(9))
			spawns.WriteString(junk)
			refSpawns.WriteString(junk)
		}
	}
	if rng.IntN(4) == 0 {
		spawns.WriteString("    (parallel-fence)\n")
	}
	for _, i := range rng.Perm(k) {
		fmt.Fprintf(&joins, "    (define r%d (parallel-join t%d))\n", i, i)
		fmt.Fprintf(&refJoins, "    (define r%d t%d)\n", i, i)
	}
	for i := range k {
		fmt.Fprintf(&logs, " :r%d r%d", i, i)
	}
	wrap := func(s, j string) string {
		return "(define-program t\n  (entrypoint (accounts instruction-data)\n" + pre.String() + s + j +
			"    (log :message \"results\"" + logs.String() + ")\n    0))\n"
	}
	return wrap(spawns.String(), joins.String()), wrap(refSpawns.String(), refJoins.String())
}

// TestLanesRandomPrograms: random programs with several spawned lambdas
// (allocating, reading accounts, returning integers, maps and vectors)
// log the same results with parallel children, with serial children, and
// with the lambdas called in sequence without lanes.
func TestLanesRandomPrograms(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 4))
	accs := []abi.Account{acct(1, 5000, nil), acct(2, 77, []byte{9, 0, 0, 0, 0, 0, 0, 0})}
	par, ser, plain := lanesRegistry(t, false), lanesRegistry(t, true), syscalls.NewRegistry()
	n := 24
	if testing.Short() {
		n = 6
	}
	for i := range n {
		src, refSrc := randomLaneProgram(rng)
		out := compileOK(t, src, Options{})
		ref := runLanes(t, compileOK(t, refSrc, Options{}), plain, accs)
		if ref.Err != nil || len(ref.Logs) != 1 {
			t.Fatalf("program %d reference: %v %q\n%s", i, ref.Err, ref.Logs, refSrc)
		}
		p := runLanes(t, out, par, accs)
		s := runLanes(t, out, ser, accs)
		for _, r := range []laneRun{p, s} {
			if r.Err != nil || !slices.Equal(r.Logs, ref.Logs) {
				t.Fatalf("program %d: err %v logs %q, want %q\n%s", i, r.Err, r.Logs, ref.Logs, src)
			}
		}
		if p.CU != s.CU || p.Span != s.Span {
			t.Fatalf("program %d: parallel cu %d span %d, serial cu %d span %d\n%s", i, p.CU, p.Span, s.CU, s.Span, src)
		}
	}
}

// TestLanesSemantics covers what parallel-spawn and parallel-join do
// beyond the happy path: closures held as values, errors raised in a
// child, many allocating children, writes that really conflict, and the
// runtime's faults for misuse, located in the source.
func TestLanesSemantics(t *testing.T) {
	accs := []abi.Account{acct(1, 5000, nil), acct(2, 77, make([]byte, 16))}
	tests := []struct {
		name string
		body string
		logs []string // exact logs, when set
		r0   uint64
		kind string // the fault's kind, when it fails
		at   string // where the fault is located
		has  string // a log line containing this
	}{
		{name: "closure as a value",
			body: `(define k (+ 3 (num-accounts)))
			       (define fs [(lambda () (* k 10)) (lambda () {:k k})])
			       (define a (parallel-spawn (get fs 0)))
			       (define b (parallel-spawn (get fs 1)))
			       (log :message "x" :a (parallel-join a) :b (parallel-join b))
			       0`,
			logs: []string{"Program log: x a=50 b={:k 5}"}},
		{name: "allocating children never conflict",
			body: `(define ts [])
			       (for (i (range 0 8))
			         (push! ts (parallel-spawn (lambda () (do (define v []) (for (j (range 0 10)) (push! v (* i j))) v)))))
			       (define total 0)
			       (for (t ts) (for (x (parallel-join t)) (set! total (+ total (int x)))))
			       total`,
			r0: 8 * 7 / 2 * (9 * 10 / 2)},
		{name: "a child's heap region of a given size",
			body: `(define a (parallel-spawn (lambda () (do (define v []) (for (j (range 0 300)) (push! v j)) (length v))) 0 20000))
			       (define b (parallel-spawn (lambda () (do (define v []) (for (j (range 0 50)) (push! v j)) (length v)))))
			       (+ (parallel-join a) (parallel-join b))`,
			r0: 350},
		{name: "a child's heap region larger than the free heap",
			body: `(define a (parallel-spawn (lambda () 1) 0 40000))
			       (parallel-join a)`,
			kind: "Panic", at: "t.ovsm at 3:", has: "heap exhausted"},
		{name: "the heap is given back after a join",
			body: `(define n 0)
			       (for (i (range 0 60))
			         (define t (parallel-spawn (lambda () [i i i i i i i i])))
			         (set! n (+ n (length (parallel-join t)))))
			       n`,
			r0: 480},
		{name: "a child's error is raised at the join",
			body: `(define t (parallel-spawn (lambda () (error "boom" 7))))
			       (try (parallel-join t) (catch e (log :message "caught" :e e)))
			       1`,
			r0: 1, has: "caught"},
		{name: "a child's uncaught error",
			body: `(define t (parallel-spawn (lambda ()
			         (error "deep"))))
			       (parallel-join t)
			       1`,
			kind: "Panic", at: "t.ovsm at 4:", has: "error: deep"},
		{name: "children writing the same account byte conflict",
			body: `(define a (parallel-spawn (lambda () (write-u64! (get accounts 1) 0 5))))
			       (define b (parallel-spawn (lambda () (write-u64! (get accounts 1) 0 6))))
			       (parallel-join a)
			       (parallel-join b)
			       0`,
			kind: "LaneWriteConflict", at: "t.ovsm:6:"},
		{name: "children writing different account bytes",
			body: `(define a (parallel-spawn (lambda () (write-u64! (get accounts 1) 0 5))))
			       (define b (parallel-spawn (lambda () (write-u64! (get accounts 1) 8 6))))
			       (parallel-fence)
			       (parallel-join a)
			       (parallel-join b)
			       (+ (read-u64 (get accounts 1) 0) (read-u64 (get accounts 1) 8))`,
			r0: 11},
		{name: "children spawn children of their own",
			body: `(define outer (parallel-spawn (lambda ()
			         (do (define a (parallel-spawn (lambda () [1 2 3])))
			             (define b (parallel-spawn (lambda () {:x 4})))
			             (define v (parallel-join a))
			             (push! v (get (parallel-join b) :x))
			             v))))
			       (define w (parallel-spawn (lambda () [5 6])))
			       (log :message "nested" :outer (parallel-join outer) :w (parallel-join w))
			       0`,
			logs: []string{"Program log: nested outer=[1 2 3 4] w=[5 6]"}},
		{name: "join twice",
			body: `(define t (parallel-spawn (lambda () 1)))
			       (parallel-join t)
			       (parallel-join t)
			       0`,
			kind: "InvalidHandle", at: "t.ovsm:5:"},
		{name: "join of a handle never spawned",
			body: `(parallel-join 3)
			       0`,
			kind: "InvalidHandle", at: "t.ovsm:3:"},
		{name: "leak",
			body: `(define t (parallel-spawn (lambda () 1)))
			       0`,
			kind: "TaskLeak"},
		{name: "fence releases",
			body: `(define t (parallel-spawn (lambda () 1)))
			       (parallel-fence)
			       9`,
			r0: 9},
		{name: "a CU limit too small",
			body: `(define t (parallel-spawn (lambda () (do (define s 0) (for (i (range 0 1000)) (set! s (+ s i))) s)) 50))
			       (parallel-join t)
			       0`,
			kind: "LaneFault", at: "t.ovsm:4:"},
	}
	for _, serial := range []bool{false, true} {
		reg := lanesRegistry(t, serial)
		for _, tc := range tests {
			t.Run(fmt.Sprintf("%s/serial=%v", tc.name, serial), func(t *testing.T) {
				src := "(define-program t\n  (entrypoint (accounts instruction-data)\n" + tc.body + "))"
				r := runLanes(t, compileOK(t, src, Options{}), reg, accs)
				if tc.kind == "" {
					if r.Err != nil || r.R0 != tc.r0 {
						t.Fatalf("err %v r0 %d logs %q, want r0 %d", r.Err, r.R0, r.Logs, tc.r0)
					}
				} else {
					if got := vm.ErrorKindOf(r.Err); got != tc.kind {
						t.Fatalf("kind %q (%v), want %s; logs %q", got, r.Err, tc.kind, r.Logs)
					}
					if !strings.Contains(fmt.Sprint(r.Err), tc.at) {
						t.Fatalf("error %v is not located at %s", r.Err, tc.at)
					}
				}
				if tc.logs != nil && !slices.Equal(r.Logs, tc.logs) {
					t.Fatalf("logs %q, want %q", r.Logs, tc.logs)
				}
				if tc.has != "" && !logsContain(r.Logs, tc.has) {
					t.Fatalf("logs %q lack %q", r.Logs, tc.has)
				}
			})
		}
	}
}

func TestLanesCompileErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{`(parallel-spawn (lambda (x) x))`, "no arguments"},
		{`(parallel-spawn 5)`, "takes a function"},
		{`(parallel-spawn)`, "parallel-spawn takes"},
		{`(parallel-join)`, "parallel-join takes"},
		{`(parallel-join "a")`, "parallel-join"},
	} {
		_, err := Compile([]byte(program(tc.src)), "t.ovsm", Options{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.src, err, tc.want)
		}
	}
}

// BenchmarkLanesSpawnJoin: N children each summing a range, against the
// same lambdas called in sequence, in the same run. The children's
// speedup shows only where cores are free.
func BenchmarkLanesSpawnJoin(b *testing.B) {
	const n = 4
	body := `(do (define s 0) (for (i (range 0 20000)) (set! s (+ s (* i k)))) s)`
	var spawn, call, sum strings.Builder
	for i := range n {
		fmt.Fprintf(&spawn, "(define t%d (parallel-spawn (lambda () %s) 300000))\n", i, body)
		fmt.Fprintf(&call, "(define t%d ((lambda () %s)))\n", i, body)
		fmt.Fprintf(&sum, " (int (parallel-join t%d))", i)
	}
	wrap := func(s, total string) string {
		return program("(define k (num-accounts))\n" + s + "(+" + total + ")")
	}
	lanesSrc := wrap(spawn.String(), sum.String())
	serialSrc := wrap(call.String(), strings.ReplaceAll(sum.String(), "(int (parallel-join", "(int (do"))
	accs := []abi.Account{acct(1, 1, nil)}
	for _, c := range []struct {
		name string
		src  string
		reg  *vm.Registry
	}{
		{"serial-calls", serialSrc, syscalls.NewRegistry()},
		{fmt.Sprintf("lanes-%d", n), lanesSrc, lanesRegistry(b, false)},
		{fmt.Sprintf("lanes-%d-serial-mode", n), lanesSrc, lanesRegistry(b, true)},
	} {
		b.Run(c.name, func(b *testing.B) {
			out := compileOK(b, c.src, Options{})
			r := runLanes(b, out, c.reg, accs)
			if r.Err != nil {
				b.Fatal(r.Err)
			}
			for b.Loop() {
				runLanes(b, out, c.reg, accs)
			}
			b.ReportMetric(float64(r.CU), "cu")
			b.ReportMetric(float64(r.Span), "cu_span")
		})
	}
}
