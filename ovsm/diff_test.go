package ovsm

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/agora-vm/agora/sbpf"
)

// A reference evaluator of the pure integer subset of OVSM, in Go, and a
// differential test: random expressions compiled and run on the VM must
// give the same value, or fail with the same error, as the evaluator.

var (
	errOverflow = errors.New("arithmetic overflow")
	errDivZero  = errors.New("division by zero")
)

// refExpr is an expression of the subset: integers (checked, signed),
// booleans from comparisons, if, let, and, or, not.
type refExpr interface {
	src() string
	eval(env map[string]int64) (int64, error) // booleans are 0/1
}

type refConst int64
type refVar string
type refOp struct {
	op   string
	args []refExpr
}
type refIf struct{ c, a, b refExpr }
type refLet struct {
	name      string
	val, body refExpr
}

func (c refConst) src() string { return fmt.Sprint(int64(c)) }
func (c refConst) eval(map[string]int64) (int64, error) {
	return int64(c), nil
}
func (v refVar) src() string { return string(v) }
func (v refVar) eval(env map[string]int64) (int64, error) {
	return env[string(v)], nil
}
func (o refOp) src() string {
	var parts []string
	for _, a := range o.args {
		parts = append(parts, a.src())
	}
	return "(" + o.op + " " + strings.Join(parts, " ") + ")"
}
func (i refIf) src() string { return fmt.Sprintf("(if %s %s %s)", i.c.src(), i.a.src(), i.b.src()) }
func (l refLet) src() string {
	return fmt.Sprintf("(let ((%s %s)) %s)", l.name, l.val.src(), l.body.src())
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func (o refOp) eval(env map[string]int64) (int64, error) {
	switch o.op {
	case "and", "or":
		for _, a := range o.args {
			v, err := a.eval(env)
			if err != nil {
				return 0, err
			}
			if (v != 0) != (o.op == "and") {
				return v, nil
			}
		}
		return b2i(o.op == "and"), nil
	}
	vs := make([]int64, len(o.args))
	for i, a := range o.args {
		v, err := a.eval(env)
		if err != nil {
			return 0, err
		}
		vs[i] = v
	}
	x := vs[0]
	var y int64
	if len(vs) > 1 {
		y = vs[1]
	}
	switch o.op {
	case "+":
		r := x + y
		if (y > 0 && r < x) || (y < 0 && r > x) {
			return 0, errOverflow
		}
		return r, nil
	case "-":
		if len(vs) == 1 {
			if x == math.MinInt64 {
				return 0, errOverflow
			}
			return -x, nil
		}
		r := x - y
		if (y > 0 && r > x) || (y < 0 && r < x) {
			return 0, errOverflow
		}
		return r, nil
	case "*":
		if x != 0 && y != 0 {
			r := x * y
			if r/y != x || (x == -1 && y == math.MinInt64) || (y == -1 && x == math.MinInt64) {
				return 0, errOverflow
			}
			return r, nil
		}
		return 0, nil
	case "/", "%":
		if y == 0 {
			return 0, errDivZero
		}
		if x == math.MinInt64 && y == -1 {
			return 0, errOverflow
		}
		if o.op == "/" {
			return x / y, nil
		}
		return x % y, nil
	case "abs":
		if x == math.MinInt64 {
			return 0, errOverflow
		}
		if x < 0 {
			return -x, nil
		}
		return x, nil
	case "min":
		return min(x, y), nil
	case "max":
		return max(x, y), nil
	case "bit-and":
		return x & y, nil
	case "bit-xor":
		return x ^ y, nil
	case "<":
		return b2i(x < y), nil
	case "<=":
		return b2i(x <= y), nil
	case "=":
		return b2i(x == y), nil
	case "!=":
		return b2i(x != y), nil
	case "not":
		return b2i(x == 0), nil
	}
	panic(o.op)
}

func (i refIf) eval(env map[string]int64) (int64, error) {
	c, err := i.c.eval(env)
	if err != nil {
		return 0, err
	}
	if c != 0 {
		return i.a.eval(env)
	}
	return i.b.eval(env)
}

func (l refLet) eval(env map[string]int64) (int64, error) {
	v, err := l.val.eval(env)
	if err != nil {
		return 0, err
	}
	inner := map[string]int64{}
	for k, x := range env {
		inner[k] = x
	}
	inner[l.name] = v
	return l.body.eval(inner)
}

// exprGen makes random expressions.
type exprGen struct {
	r    *rand.Rand
	vars []string
	n    int
}

func (g *exprGen) constant() refConst {
	switch g.r.IntN(6) {
	case 0:
		return refConst([]int64{0, 1, -1, 2, math.MaxInt64, math.MinInt64, math.MaxInt64 - 1, math.MinInt64 + 1, 1 << 32, -1 << 31}[g.r.IntN(10)])
	case 1:
		return refConst(g.r.Int64())
	case 2:
		return refConst(-g.r.Int64N(1 << 40))
	}
	return refConst(g.r.Int64N(200) - 100)
}

func (g *exprGen) intExpr(depth int) refExpr {
	if depth <= 0 || g.r.IntN(4) == 0 {
		if g.r.IntN(2) == 0 {
			return refVar(g.vars[g.r.IntN(len(g.vars))])
		}
		return g.constant()
	}
	switch g.r.IntN(12) {
	case 0, 1, 2:
		return refOp{op: []string{"+", "-", "*"}[g.r.IntN(3)], args: []refExpr{g.intExpr(depth - 1), g.intExpr(depth - 1)}}
	case 3:
		return refOp{op: []string{"/", "%"}[g.r.IntN(2)], args: []refExpr{g.intExpr(depth - 1), g.intExpr(depth - 1)}}
	case 4:
		return refOp{op: "-", args: []refExpr{g.intExpr(depth - 1)}}
	case 5:
		return refOp{op: []string{"min", "max", "bit-and", "bit-xor"}[g.r.IntN(4)], args: []refExpr{g.intExpr(depth - 1), g.intExpr(depth - 1)}}
	case 6:
		return refOp{op: "abs", args: []refExpr{g.intExpr(depth - 1)}}
	case 7, 8:
		return refIf{g.boolExpr(depth - 1), g.intExpr(depth - 1), g.intExpr(depth - 1)}
	case 9:
		g.n++
		name := fmt.Sprintf("v%d", g.n)
		val := g.intExpr(depth - 1)
		g.vars = append(g.vars, name)
		body := g.intExpr(depth - 1)
		g.vars = g.vars[:len(g.vars)-1]
		return refLet{name, val, body}
	}
	return g.intExpr(depth - 1)
}

func (g *exprGen) boolExpr(depth int) refExpr {
	if depth <= 0 {
		return refOp{op: "<", args: []refExpr{g.intExpr(0), g.intExpr(0)}}
	}
	switch g.r.IntN(5) {
	case 0:
		return refOp{op: []string{"and", "or"}[g.r.IntN(2)], args: []refExpr{g.boolExpr(depth - 1), g.boolExpr(depth - 1)}}
	case 1:
		return refOp{op: "not", args: []refExpr{g.boolExpr(depth - 1)}}
	}
	return refOp{op: []string{"<", "<=", "=", "!="}[g.r.IntN(4)], args: []refExpr{g.intExpr(depth - 1), g.intExpr(depth - 1)}}
}

// TestDifferential compiles random pure expressions over three opaque
// inputs (read from the instruction data, so both constant folding and
// run-time code are exercised) and compares the VM with the evaluator.
func TestDifferential(t *testing.T) {
	n := 300
	if testing.Short() {
		n = 60
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < n; i++ {
		g := &exprGen{r: r, vars: []string{"a", "b", "c"}}
		e := g.intExpr(4)
		env := map[string]int64{"a": int64(g.constant()), "b": int64(g.constant()), "c": int64(g.constant())}
		want, wantErr := e.eval(env)
		src := fmt.Sprintf(`(define-program diff (entrypoint (accounts instruction-data)
  (define a (read-i64 instruction-data 0))
  (define b (read-i64 instruction-data 8))
  (define c (read-i64 instruction-data 16))
  (define r %s)
  (log-64 r)
  0))`, e.src())
		data := make([]byte, 24)
		binary.LittleEndian.PutUint64(data[0:], uint64(env["a"]))
		binary.LittleEndian.PutUint64(data[8:], uint64(env["b"]))
		binary.LittleEndian.PutUint64(data[16:], uint64(env["c"]))
		opts := Options{NoOptimize: i%5 == 4}
		if i%3 == 1 {
			opts.Version = sbpf.V3
		}
		out, err := Compile([]byte(src), "diff.ovsm", opts)
		if err != nil {
			// a constant subexpression that overflows is a compile error
			if ds, ok := AsDiagnostics(err); ok && ds[0].Kind == ConstantError && constError(e) {
				continue
			}
			t.Fatalf("case %d: %s\ncompile: %v", i, e.src(), err)
		}
		res := execute(t, out, runOpts{data: data})
		if wantErr != nil {
			if res.Err == nil || !logsContain(res.Logs, wantErr.Error()) {
				t.Fatalf("case %d: %s with %v\nwant error %v, got err=%v logs=%q", i, e.src(), env, wantErr, res.Err, res.Logs)
			}
			continue
		}
		if res.Err != nil {
			t.Fatalf("case %d: %s with %v\nwant %d, got error %v logs=%q", i, e.src(), env, want, res.Err, res.Logs)
		}
		wantLog := fmt.Sprintf("Program log: %#x, 0x0, 0x0, 0x0, 0x0", uint64(want))
		if !logsContain(res.Logs, wantLog) {
			t.Fatalf("case %d: %s with %v\nwant %d (%s), got %q", i, e.src(), env, want, wantLog, res.Logs)
		}
	}
}

// constError reports whether a subexpression folds, at compile time, to
// a failure (an overflow or a division by a constant zero): the compiler
// rejects such a program wherever the subexpression is.
func constError(e refExpr) bool {
	_, _, bad := foldConst(e, map[string]int64{})
	return bad
}

// foldConst mirrors the compiler's constant folding: it returns the value
// when it is known at compile time, and whether any subexpression fails
// when folded.
func foldConst(e refExpr, known map[string]int64) (int64, bool, bool) {
	switch v := e.(type) {
	case refConst:
		return int64(v), true, false
	case refVar:
		x, ok := known[string(v)]
		return x, ok, false
	case refOp:
		vals := make([]int64, len(v.args))
		allKnown, bad := true, false
		for i, a := range v.args {
			x, ok, b := foldConst(a, known)
			vals[i], bad = x, bad || b
			allKnown = allKnown && ok
		}
		if (v.op == "/" || v.op == "%") && len(v.args) == 2 {
			if _, ok, _ := foldConst(v.args[1], known); ok && vals[1] == 0 {
				return 0, false, true
			}
		}
		if v.op == "and" || v.op == "or" {
			return 0, false, bad
		}
		if v.op == "*" && !bad {
			for i, a := range v.args {
				if _, ok, _ := foldConst(a, known); ok && vals[i] == 0 {
					return 0, true, false // x*0 is 0 whatever x is
				}
			}
		}
		if !allKnown || bad {
			return 0, false, bad
		}
		args := make([]refExpr, len(vals))
		for i, x := range vals {
			args[i] = refConst(x)
		}
		r, err := refOp{op: v.op, args: args}.eval(nil)
		if err != nil {
			return 0, false, true
		}
		return r, true, false
	case refIf:
		c, cok, cbad := foldConst(v.c, known)
		a, aok, abad := foldConst(v.a, known)
		b, bok, bbad := foldConst(v.b, known)
		bad := cbad || abad || bbad
		if cok {
			if c != 0 {
				return a, aok, bad
			}
			return b, bok, bad
		}
		return 0, false, bad
	case refLet:
		x, ok, bad := foldConst(v.val, known)
		inner := map[string]int64{}
		for k, y := range known {
			inner[k] = y
		}
		delete(inner, v.name)
		if ok {
			inner[v.name] = x
		}
		r, rok, rbad := foldConst(v.body, inner)
		return r, rok, bad || rbad
	}
	return 0, false, false
}
