package ovsm

import (
	"math"
	"math/big"
	"sort"
	"strings"

	"github.com/agora-vm/agora/ovsm/parse"
)

// maxWork bounds the expressions compiled in one round (code that the
// compiler duplicates, like loop conditions and finally blocks, counts
// each time), so that no source makes compilation take unbounded time.
const maxWork = 200_000

// specialForm compiles a form whose arguments are not simply evaluated.
type specialForm func(fc *fctx, n *parse.Node) value

// specialForms is the table of special forms. The compiler reads it
// through compiler.forms: were expr to read this variable, its
// initialisation would depend on itself (a form compiles its body with
// expr).
var specialForms = map[string]specialForm{
	"do": (*fctx).formDo, "begin": (*fctx).formDo, "progn": (*fctx).formDo,
	"if": (*fctx).formIf, "when": (*fctx).formWhen, "unless": (*fctx).formWhen,
	"cond": (*fctx).formCond, "let": (*fctx).formLet, "let*": (*fctx).formLet,
	"define": (*fctx).formDefine, "const": (*fctx).formDefine, "set!": (*fctx).formSet,
	"while": (*fctx).formWhile, "for": (*fctx).formFor, "break": (*fctx).formBreak,
	"continue": (*fctx).formBreak, "and": (*fctx).formAndOr, "or": (*fctx).formAndOr,
	"not": (*fctx).formNot, "assert": (*fctx).formAssert, "guard": (*fctx).formAssert,
	"error": (*fctx).formError, "try": (*fctx).formTry, "match": (*fctx).formMatch,
	"lambda": (*fctx).formLambda, "fn": (*fctx).formLambda, "quote": (*fctx).formQuote,
	"defn": (*fctx).formNested, "defun": (*fctx).formNested,
	"define-program": (*fctx).formNested, "entrypoint": (*fctx).formNested,
}

// expr compiles one expression.
func (fc *fctx) expr(n *parse.Node) value {
	if fc.c.work++; fc.c.work > maxWork {
		if fc.c.work == maxWork+1 {
			fc.errorf(LimitError, n, "the program is too large to compile (more than %d expressions after expansion)", maxWork)
		}
		return bottomVal
	}
	fc.at(n)
	switch n.Kind {
	case parse.Int:
		if fc.file == 1 {
			// the runtime library computes on machine words
			return constInt(tRaw, int64(n.Uint))
		}
		if n.Neg {
			v, _ := n.Int64()
			return constInt(tInt, v)
		}
		if n.Uint > math.MaxInt64 {
			return constInt(tUint, int64(n.Uint))
		}
		return constInt(tInt, int64(n.Uint))
	case parse.Decimal:
		v, ok := parseDecimal(n.Text)
		if !ok {
			return fc.errorf(ConstantError, n, "decimal %s does not fit: decimals have 9 fractional digits and the range of a 64-bit integer of units of 10^-9", n.Text)
		}
		return constInt(tDec, v)
	case parse.String:
		return constStr(tStr, n.Text)
	case parse.Keyword:
		return constStr(tKw, n.Text)
	case parse.Bool:
		return boolConst(n.Bool)
	case parse.Nil:
		return nilVal
	case parse.Symbol:
		return fc.symbol(n)
	case parse.Vector:
		return fc.vectorLiteral(n)
	case parse.Map:
		return fc.mapLiteral(n)
	case parse.List:
		if len(n.Items) == 0 {
			return nilVal
		}
		head := n.Items[0]
		if head.Kind == parse.Symbol {
			name := head.Text
			if l := fc.lookup(name); l != nil {
				// a local that holds a function shadows everything; one that
				// does not (say a caught error named error) leaves the
				// operator of that name usable
				if l.t.k == kFn || l.t.k == kAny || !fc.isOperator(name) {
					return fc.callValue(fc.read(l), n)
				}
			}
			if sf, ok := fc.c.forms[name]; ok {
				return sf(fc, n)
			}
			if d, ok := fc.c.decls[name]; ok && (fc.file == 1 || !d.runtime) {
				return fc.callDecl(d, n)
			}
			if g, ok := fc.c.globals[name]; ok {
				return fc.callValue(fc.readGlobal(g), n)
			}
			if b, ok := fc.c.builtins[name]; ok && (fc.file == 1 || !strings.HasPrefix(name, "%") || name == "%") {
				return b(fc, n)
			}
			if e, ok := fc.c.ext[name]; ok {
				return fc.callExtension(e, n)
			}
			return fc.errorf(UnknownName, head, "unknown function %q%s", name, suggest(fc, name))
		}
		return fc.callValue(fc.expr(head), n)
	}
	return fc.errorf(InternalError, n, "unexpected %s", n.Kind)
}

// isOperator reports whether name is a special form, built-in, function
// or syscall.
func (fc *fctx) isOperator(name string) bool {
	if _, ok := fc.c.forms[name]; ok {
		return true
	}
	if _, ok := fc.c.builtins[name]; ok {
		return true
	}
	if _, ok := fc.c.decls[name]; ok {
		return true
	}
	_, ok := fc.c.ext[name]
	return ok
}

// suggest names a close known function, for the unknown-name message.
// Candidates are tried in sorted order, so the answer is deterministic.
func suggest(fc *fctx, name string) string {
	var cands []string
	for k := range fc.c.builtins {
		cands = append(cands, k)
	}
	for k := range fc.c.forms {
		cands = append(cands, k)
	}
	for k := range fc.c.ext {
		cands = append(cands, k)
	}
	for k, d := range fc.c.decls {
		if !d.runtime {
			cands = append(cands, k)
		}
	}
	sort.Strings(cands)
	best, bestD := "", 3
	for _, cand := range cands {
		if strings.HasPrefix(cand, "%") && cand != "%" {
			continue
		}
		if d := editDistance(name, cand); d < bestD {
			best, bestD = cand, d
		}
	}
	if best != "" {
		return " (did you mean " + best + "?)"
	}
	return " (define it with defn, or see docs/ovsm.md for the built-in functions)"
}

// editDistance is the optimal-string-alignment distance: insertions,
// deletions, substitutions and transpositions of neighbours cost 1.
func editDistance(a, b string) int {
	if len(a) > 40 || len(b) > 40 {
		return 99
	}
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+c)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// parseDecimal reads "12.5" as 12500000000 (units of 10^-9).
func parseDecimal(text string) (int64, bool) {
	s := strings.ReplaceAll(text, "_", "")
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimLeft(s, "+-")
	ip, fp, _ := strings.Cut(s, ".")
	if len(fp) > 9 {
		if strings.Trim(fp[9:], "0") != "" {
			return 0, false
		}
		fp = fp[:9]
	}
	fp += strings.Repeat("0", 9-len(fp))
	v, ok := new(big.Int).SetString(ip+fp, 10)
	if !ok {
		return 0, false
	}
	if neg {
		v.Neg(v)
	}
	if !v.IsInt64() {
		return 0, false
	}
	return v.Int64(), true
}

// symbol compiles a variable reference.
func (fc *fctx) symbol(n *parse.Node) value {
	name := n.Text
	if l := fc.lookup(name); l != nil {
		return fc.read(l)
	}
	if g, ok := fc.c.globals[name]; ok {
		return fc.readGlobal(g)
	}
	if d, ok := fc.c.decls[name]; ok && (fc.file == 1 || !d.runtime) {
		fv := &fnValue{id: "defn:" + d.name, name: d.name, decl: d}
		return value{t: typ{k: kFn, fn: fv}, r: noReg, c: &cval{fn: fv}}
	}
	if _, ok := fc.c.builtins[name]; ok {
		return fc.errorf(TypeError, n, "%s is a built-in function and cannot be used as a value; wrap it: (lambda (x) (%s x))", name, name)
	}
	if _, ok := fc.c.forms[name]; ok {
		return fc.errorf(FormError, n, "%s is a special form and cannot be used as a value", name)
	}
	return fc.errorf(UnknownName, n, "undefined variable %q", name)
}

// readGlobal reads a top-level define.
func (fc *fctx) readGlobal(g *global) value {
	if g.konst != nil {
		return value{t: g.kt, r: noReg, c: g.konst, lo: g.konst.i, hi: g.konst.i, rng: g.kt.k == kInt}
	}
	t, ok := fc.c.globalType[g.name]
	if !ok || t.k == kBottom {
		return bottomVal
	}
	if t.singleton() {
		return value{t: t, r: noReg, c: &cval{}}
	}
	fc.c.heapUsed = true
	h := fc.heapBase()
	return regVal(t, fc.load(8, reg(h), hdrGlobals+8*int64(g.slot)))
}

// body compiles a sequence of expressions in a new scope and returns the
// last value.
func (fc *fctx) body(nodes []*parse.Node) value {
	fc.push()
	defer fc.pop()
	return fc.seq(nodes)
}

// seq compiles a sequence in the current scope.
func (fc *fctx) seq(nodes []*parse.Node) value {
	v := nilVal
	for i, n := range nodes {
		v = fc.expr(n)
		if v.t.k == kBottom && i < len(nodes)-1 {
			// the rest is unreachable; still check it
			fc.checkOnly(nodes[i+1:])
			return bottomVal
		}
	}
	return v
}

// checkOnly compiles nodes for their diagnostics into code that is
// never reached.
func (fc *fctx) checkOnly(nodes []*parse.Node) {
	l := fc.newLabel()
	fc.jmp(l)
	for _, n := range nodes {
		fc.expr(n)
	}
	fc.label(l)
}

func (fc *fctx) formDo(n *parse.Node) value { return fc.body(n.Items[1:]) }

func (fc *fctx) formNested(n *parse.Node) value {
	return fc.errorf(FormError, n, "%s is only allowed at the top level of the file", n.Head())
}

func (fc *fctx) formQuote(n *parse.Node) value {
	if len(n.Items) != 2 {
		return fc.errorf(ArityError, n, "quote takes one form")
	}
	q := n.Items[1]
	switch q.Kind {
	case parse.Symbol:
		return constStr(tKw, q.Text)
	case parse.List:
		return fc.vectorLiteral(&parse.Node{Kind: parse.Vector, Pos: q.Pos, End: q.End, Items: q.Items})
	}
	return fc.expr(q)
}

// ---- conditionals ----------------------------------------------------------------

// ifValue compiles a two-way choice whose arms are thunks.
func (fc *fctx) ifValue(test *parse.Node, then, els func() value, thenNode, elseNode *parse.Node) value {
	if c, ok := fc.constCond(test); ok {
		if c {
			return then()
		}
		return els()
	}
	return fc.choose(func(l int) { fc.condJump(test, l, false) }, func(t bool) { fc.addFacts(test, t) }, then, els, thenNode, elseNode)
}

// choose compiles a two-way choice: jumpFalse emits the branch to the
// else arm, facts records what each arm may assume.
func (fc *fctx) choose(jumpFalse func(l int), facts func(bool), then, els func() value, thenNode, elseNode *parse.Node) value {
	lElse, lEnd := fc.newLabel(), fc.newLabel()
	jumpFalse(lElse)
	fc.push()
	if facts != nil {
		facts(true)
	}
	tv := then()
	fc.pop()
	// the result register is written by both arms; the then-arm's move is
	// inserted once the type of the whole is known
	res := fc.newReg()
	st := fc.stream()
	thenEnd := len(*st)
	fc.jmp(lEnd)
	fc.label(lElse)
	fc.push()
	if facts != nil {
		facts(false)
	}
	ev := els()
	fc.pop()
	t := join(tv.t, ev.t)
	if t.k == kFn && tv.t.fn != ev.t.fn {
		t = tAny
	}
	if tv.t.k != kBottom && !t.singleton() {
		fc.insertAt(st, thenEnd, func() { fc.mov(res, fc.opnd(fc.convert(tv, t, thenNode))) })
	}
	if ev.t.k != kBottom && !t.singleton() {
		cv := fc.convert(ev, t, elseNode)
		fc.mov(res, fc.opnd(cv))
	}
	fc.label(lEnd)
	out := regVal(t, res)
	if t.singleton() {
		out = value{t: t, r: noReg, c: &cval{}}
	}
	if tv.rng && ev.rng && (t.k == kInt || t.k == kUint) && tv.t == ev.t {
		out.lo, out.hi, out.rng = min(tv.lo, ev.lo), max(tv.hi, ev.hi), true
	}
	return out
}

func (fc *fctx) formIf(n *parse.Node) value {
	if len(n.Items) != 3 && len(n.Items) != 4 {
		return fc.errorf(ArityError, n, "if takes a test, a then-branch and an optional else-branch: (if test then [else])")
	}
	var elseNode *parse.Node
	els := func() value { return nilVal }
	if len(n.Items) == 4 {
		elseNode = n.Items[3]
		els = func() value { return fc.expr(elseNode) }
	}
	return fc.ifValue(n.Items[1], func() value { return fc.expr(n.Items[2]) }, els, n.Items[2], elseNode)
}

func (fc *fctx) formWhen(n *parse.Node) value {
	if len(n.Items) < 2 {
		return fc.errorf(ArityError, n, "%s takes a test and a body", n.Head())
	}
	body := func() value { return fc.body(n.Items[2:]) }
	none := func() value { return nilVal }
	if n.Head() == "unless" {
		return fc.ifValue(&parse.Node{Kind: parse.List, Pos: n.Items[1].Pos, End: n.Items[1].End,
			Items: []*parse.Node{{Kind: parse.Symbol, Text: "not", Pos: n.Pos}, n.Items[1]}}, body, none, n, n)
	}
	return fc.ifValue(n.Items[1], body, none, n, n)
}

func (fc *fctx) formCond(n *parse.Node) value {
	clauses := n.Items[1:]
	var build func(i int) value
	build = func(i int) value {
		if i >= len(clauses) {
			return nilVal
		}
		cl := clauses[i]
		if cl.Kind != parse.List || len(cl.Items) < 1 {
			return fc.errorf(FormError, cl, "a cond clause is (test body…)")
		}
		test := cl.Items[0]
		if test.IsSymbol("else") || (test.Kind == parse.Keyword && test.Text == "else") {
			if i != len(clauses)-1 {
				fc.errorf(FormError, cl, "else must be the last cond clause")
			}
			return fc.body(cl.Items[1:])
		}
		body := cl.Items[1:]
		return fc.ifValue(test, func() value {
			if len(body) == 0 {
				return fc.expr(test)
			}
			return fc.body(body)
		}, func() value { return build(i + 1) }, cl, cl)
	}
	return build(0)
}

// ---- bindings ----------------------------------------------------------------

func (fc *fctx) formLet(n *parse.Node) value {
	if len(n.Items) < 2 || (n.Items[1].Kind != parse.List && n.Items[1].Kind != parse.Vector) {
		return fc.errorf(FormError, n, "let takes bindings and a body: (let ((name value) …) body…)")
	}
	fc.push()
	defer fc.pop()
	bs := n.Items[1]
	if bs.Kind == parse.Vector {
		// [a 1 b 2]
		if len(bs.Items)%2 != 0 {
			return fc.errorf(FormError, bs, "let bindings [name value …] need pairs")
		}
		for i := 0; i < len(bs.Items); i += 2 {
			if bs.Items[i].Kind != parse.Symbol {
				return fc.errorf(FormError, bs.Items[i], "a let binding names a variable")
			}
			v := fc.expr(bs.Items[i+1])
			fc.bindVar(bs.Items[i], v)
		}
	} else {
		for _, b := range bs.Items {
			if b.Kind != parse.List || len(b.Items) != 2 || b.Items[0].Kind != parse.Symbol {
				return fc.errorf(FormError, b, "a let binding is (name value)")
			}
			v := fc.expr(b.Items[1])
			fc.bindVar(b.Items[0], v)
		}
	}
	return fc.seq(n.Items[2:])
}

// bindVar binds a name to a value in the current scope.
func (fc *fctx) bindVar(name *parse.Node, v value) {
	if v.t.k == kBottom {
		fc.sc.vars[name.Text] = &local{name: name.Text, t: tBottom, r: noReg}
		return
	}
	mut := fc.mutable[name.Text]
	if mut && v.t.k == kNil {
		// (define x nil) then (set! x …): the variable holds any value
		v = fc.convert(v, tAny, name)
	}
	if mut && v.t.k == kFn {
		v = fc.convert(v, tAny, name)
	}
	fc.forget(name.Text)
	fc.bind(name.Text, v, mut)
}

func (fc *fctx) formDefine(n *parse.Node) value {
	if len(n.Items) >= 3 && n.Items[1].Kind == parse.List && n.Head() == "define" {
		return fc.errorf(FormError, n, "local functions are written (define name (lambda (params…) body…))")
	}
	if len(n.Items) != 3 || n.Items[1].Kind != parse.Symbol {
		return fc.errorf(FormError, n, "define takes a name and a value: (define name value)")
	}
	v := fc.expr(n.Items[2])
	fc.bindVar(n.Items[1], v)
	return nilVal
}

func (fc *fctx) formSet(n *parse.Node) value {
	if len(n.Items) != 3 || n.Items[1].Kind != parse.Symbol {
		return fc.errorf(FormError, n, "set! takes a variable and a value: (set! name value)")
	}
	name := n.Items[1].Text
	v := fc.expr(n.Items[2])
	if v.t.k == kBottom {
		return bottomVal
	}
	l := fc.lookup(name)
	if l == nil {
		if g, ok := fc.c.globals[name]; ok {
			return fc.setGlobal(g, v, n)
		}
		return fc.errorf(UnknownName, n.Items[1], "set! of undefined variable %q", name)
	}
	if l.global != nil {
		return fc.setGlobal(l.global, v, n)
	}
	if !l.mutable {
		// variables are mutable when a set! of them appears in their
		// function; loop variables and captured values never are
		return fc.errorf(FormError, n, "cannot set! %q: it is a loop variable or a value captured by a closure", name)
	}
	cv := fc.convert(v, l.t, n.Items[2])
	if cv.t.k == kBottom {
		return bottomVal
	}
	if l.nonneg && !cv.nonneg() {
		fc.violations[name] = true
	}
	fc.forget(name)
	fc.mov(l.r, fc.opnd(cv))
	return nilVal
}

func (fc *fctx) setGlobal(g *global, v value, n *parse.Node) value {
	if g.konst != nil {
		return fc.errorf(FormError, n, "cannot set! %q: it is a constant", g.name)
	}
	t := fc.c.globalType[g.name]
	if t.k == kBottom {
		return bottomVal
	}
	cv := fc.convert(v, t, n)
	if cv.t.k == kBottom || t.singleton() {
		return nilVal
	}
	h := fc.heapBase()
	fc.store(8, reg(h), hdrGlobals+8*int64(g.slot), fc.opnd(cv))
	return nilVal
}

// ---- loops ----------------------------------------------------------------

// assigned lists the variables set! anywhere in nodes.
func assigned(nodes []*parse.Node, out map[string]bool) {
	for _, n := range nodes {
		if n == nil {
			continue
		}
		if n.Head() == "set!" && len(n.Items) > 1 && n.Items[1].Kind == parse.Symbol {
			out[n.Items[1].Text] = true
		}
		assigned(n.Items, out)
	}
}

func (fc *fctx) loopForget(nodes []*parse.Node) {
	as := map[string]bool{}
	assigned(nodes, as)
	for name := range as {
		fc.forget(name)
	}
}

func (fc *fctx) formWhile(n *parse.Node) value {
	if len(n.Items) < 2 {
		return fc.errorf(ArityError, n, "while takes a test and a body")
	}
	fc.loopForget(n.Items)
	if c, ok := fc.constCond(n.Items[1]); ok && !c {
		return nilVal
	}
	lTop, lCont, lEnd := fc.newLabel(), fc.newLabel(), fc.newLabel()
	fc.condJump(n.Items[1], lEnd, false)
	fc.label(lTop)
	fc.depth++
	fc.loops = append(fc.loops, &loopCtx{brk: lEnd, cont: lCont, tries: len(fc.tries)})
	fc.push()
	fc.addFacts(n.Items[1], true)
	fc.seq(n.Items[2:])
	fc.pop()
	fc.loops = fc.loops[:len(fc.loops)-1]
	fc.label(lCont)
	fc.at(n.Items[1])
	fc.condJump(n.Items[1], lTop, true)
	fc.depth--
	fc.label(lEnd)
	return nilVal
}

func (fc *fctx) formBreak(n *parse.Node) value {
	if len(n.Items) != 1 {
		return fc.errorf(ArityError, n, "%s takes no arguments", n.Head())
	}
	if len(fc.loops) == 0 {
		return fc.errorf(FormError, n, "%s outside a loop", n.Head())
	}
	lp := fc.loops[len(fc.loops)-1]
	if lp.tries != len(fc.tries) {
		return fc.errorf(FormError, n, "%s cannot leave a try block", n.Head())
	}
	if n.Head() == "break" {
		fc.jmp(lp.brk)
	} else {
		fc.jmp(lp.cont)
	}
	return bottomVal
}

// ---- boolean operators ----------------------------------------------------------------

func (fc *fctx) formAndOr(n *parse.Node) value {
	if len(n.Items) == 1 {
		return boolConst(n.Head() == "and")
	}
	// (and a b …) is a boolean when used as a value
	return fc.boolValue(n)
}

func (fc *fctx) formNot(n *parse.Node) value {
	if len(n.Items) != 2 {
		return fc.errorf(ArityError, n, "not takes one argument")
	}
	return fc.boolValue(n)
}

// boolValue materialises a condition as 0 or 1.
func (fc *fctx) boolValue(n *parse.Node) value {
	if c, ok := fc.constCond(n); ok {
		return boolConst(c)
	}
	r := fc.newReg()
	lFalse, lEnd := fc.newLabel(), fc.newLabel()
	fc.condJump(n, lFalse, false)
	fc.mov(r, imm(1))
	fc.jmp(lEnd)
	fc.label(lFalse)
	fc.mov(r, imm(0))
	fc.label(lEnd)
	v := regVal(tBool, r)
	v.lo, v.hi, v.rng = 0, 1, true
	return v
}

// ---- assert and error ----------------------------------------------------------------

func (fc *fctx) formAssert(n *parse.Node) value {
	if len(n.Items) < 2 || len(n.Items) > 3 {
		return fc.errorf(ArityError, n, "%s takes a condition and an optional message: (%s test \"message\")", n.Head(), n.Head())
	}
	msg := "assertion failed: " + n.Items[1].String()
	var msgNode *parse.Node
	if len(n.Items) == 3 {
		msgNode = n.Items[2]
		if msgNode.Kind == parse.String {
			msg, msgNode = msgNode.Text, nil
		}
	}
	if c, ok := fc.constCond(n.Items[1]); ok && c {
		return nilVal
	}
	if msgNode == nil {
		l := fc.newLabel()
		fc.outOfLine(func() {
			fc.label(l)
			fc.at(n)
			fc.raiseStatic(msg)
		})
		fc.condJump(n.Items[1], l, false)
	} else {
		lOK := fc.newLabel()
		fc.condJump(n.Items[1], lOK, true)
		fc.raiseValue(msgNode, nil, n)
		fc.label(lOK)
	}
	fc.addFacts(n.Items[1], true)
	return nilVal
}

// formError is (error message [data]): raise an error value.
func (fc *fctx) formError(n *parse.Node) value {
	if len(n.Items) < 2 || len(n.Items) > 3 {
		return fc.errorf(ArityError, n, "error takes a message and optional data: (error \"message\" [data])")
	}
	var data *parse.Node
	if len(n.Items) == 3 {
		data = n.Items[2]
	}
	fc.raiseValue(n.Items[1], data, n)
	return bottomVal
}

// raiseValue builds an error object from a message expression and
// optional data and raises it.
func (fc *fctx) raiseValue(msgNode, dataNode *parse.Node, at *parse.Node) {
	if msgNode.Kind == parse.String && dataNode == nil {
		fc.at(at)
		fc.raiseStatic(msgNode.Text)
		return
	}
	mv := fc.expr(msgNode)
	if mv.t.k == kBottom {
		return
	}
	if mv.t.k == kErr && dataNode == nil {
		fc.raise(fc.opnd(mv)) // re-raise an error value
		return
	}
	msg := fc.toStr(mv, msgNode)
	data := opnd(imm(0))
	if dataNode != nil {
		dv := fc.expr(dataNode)
		if dv.t.k == kBottom {
			return
		}
		data = fc.opnd(fc.convert(dv, tAny, dataNode))
	}
	fc.at(at)
	e := fc.alloc(imm(32))
	fc.store(8, reg(e), 0, imm(tagErr))
	fc.store(8, reg(e), 8, msg)
	fc.store(8, reg(e), 16, data)
	loc := fc.regOf(imm(int64(fc.pos.line) | int64(fc.pos.col)<<32))
	fc.store(8, reg(e), 24, reg(loc))
	fc.raise(reg(e))
}

// ---- try ----------------------------------------------------------------

// formTry is (try body… (catch name handler…) (finally cleanup…)).
func (fc *fctx) formTry(n *parse.Node) value {
	var body []*parse.Node
	var catch, finally *parse.Node
	for _, it := range n.Items[1:] {
		switch it.Head() {
		case "catch":
			if catch != nil || finally != nil {
				return fc.errorf(FormError, it, "one catch clause, before finally")
			}
			if len(it.Items) < 2 || it.Items[1].Kind != parse.Symbol {
				return fc.errorf(FormError, it, "catch names the error: (catch e handler…)")
			}
			catch = it
		case "finally":
			if finally != nil {
				return fc.errorf(FormError, it, "one finally clause")
			}
			finally = it
		default:
			if catch != nil || finally != nil {
				return fc.errorf(FormError, it, "the body of try comes before catch and finally")
			}
			body = append(body, it)
		}
	}
	if catch == nil && finally == nil {
		return fc.errorf(FormError, n, "try needs a catch or a finally clause")
	}
	handler, lEnd := fc.newLabel(), fc.newLabel()
	errReg := fc.newReg()
	res := fc.newReg()
	tc := &tryCtx{handler: handler, err: errReg}
	fc.tries = append(fc.tries, tc)
	bv := fc.body(body)
	fc.tries = fc.tries[:len(fc.tries)-1]

	// The type of the result is known after the handler is compiled; the
	// moves into res are patched in afterwards.
	st := fc.stream()
	bodyEnd := len(*st)
	if bv.t.k != kBottom {
		if finally != nil {
			fc.body(finally.Items[1:])
		}
		fc.jmp(lEnd)
	}
	fc.label(handler)
	var cv value = bottomVal
	if catch != nil {
		fc.push()
		l := &local{name: catch.Items[1].Text, t: tErr, r: errReg}
		fc.sc.vars[l.name] = l
		if finally != nil {
			// errors in the handler still run finally, then propagate
			inner, innerErr := fc.newLabel(), fc.newReg()
			fc.tries = append(fc.tries, &tryCtx{handler: inner, err: innerErr})
			cv = fc.seq(catch.Items[2:])
			fc.tries = fc.tries[:len(fc.tries)-1]
			fc.pop()
			t := join(bv.t, cv.t)
			if cv.t.k != kBottom && !t.singleton() {
				fc.mov(res, fc.opnd(fc.convert(cv, t, catch)))
			}
			if cv.t.k != kBottom {
				fc.body(finally.Items[1:])
				fc.jmp(lEnd)
			}
			fc.label(inner)
			fc.body(finally.Items[1:])
			fc.raise(reg(innerErr))
		} else {
			cv = fc.seq(catch.Items[2:])
			fc.pop()
			t := join(bv.t, cv.t)
			if cv.t.k != kBottom && !t.singleton() {
				fc.mov(res, fc.opnd(fc.convert(cv, t, catch)))
			}
		}
	} else {
		fc.body(finally.Items[1:])
		fc.raise(reg(errReg))
	}
	t := join(bv.t, cv.t)
	if bv.t.k != kBottom && !t.singleton() {
		fc.insertAt(st, bodyEnd, func() { fc.mov(res, fc.opnd(fc.convert(bv, t, n))) })
	}
	fc.label(lEnd)
	if t.singleton() || t.k == kBottom {
		return value{t: t, r: noReg, c: &cval{}}
	}
	return regVal(t, res)
}
