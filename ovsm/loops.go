package ovsm

import (
	"fmt"

	"github.com/agora-vm/agora/ovsm/parse"
)

// formFor is (for (x coll) body…): coll is (range [a] b), a vector,
// account data, a string or bytes, or the accounts.
func (fc *fctx) formFor(n *parse.Node) value {
	if len(n.Items) < 2 || n.Items[1].Kind != parse.List || len(n.Items[1].Items) != 2 || n.Items[1].Items[0].Kind != parse.Symbol {
		return fc.errorf(FormError, n, "for takes (name collection) and a body: (for (x items) body…) or (for (i (range 0 n)) body…)")
	}
	name := n.Items[1].Items[0].Text
	collNode := n.Items[1].Items[1]
	body := n.Items[2:]
	fc.loopForget(body)
	if fc.mutable[name] && fc.lambdaSetsIn(body, name) {
		return fc.errorf(FormError, n.Items[1].Items[0], "the loop variable %q cannot be set!", name)
	}
	if collNode.Head() == "range" && fc.lookup("range") == nil {
		return fc.forRange(name, collNode, body, n)
	}
	coll := fc.expr(collNode)
	if coll.t.k == kBottom {
		return bottomVal
	}
	fc.at(n)
	return fc.forEach(coll, collNode, func(x value) {
		fc.push()
		fc.bind(name, x, false)
		fc.seq(body)
		fc.pop()
		fc.at(n)
	})
}

func (fc *fctx) lambdaSetsIn(nodes []*parse.Node, name string) bool {
	as := map[string]bool{}
	assigned(nodes, as)
	return as[name]
}

// forRange compiles a counting loop.
func (fc *fctx) forRange(name string, rn *parse.Node, body []*parse.Node, n *parse.Node) value {
	args := rn.Items[1:]
	if len(args) < 1 || len(args) > 3 {
		return fc.errorf(ArityError, rn, "range takes an end, or a start and an end, and an optional step")
	}
	start := constInt(tInt, 0)
	var end value
	step := int64(1)
	if len(args) == 1 {
		end = fc.expr(args[0])
	} else {
		start = fc.expr(args[0])
		end = fc.expr(args[1])
	}
	if len(args) == 3 {
		sv, st, ok := fc.c.constEvalIn(fc, args[2], fc.file, 0)
		if !ok || (st.k != kInt && st.k != kUint) || sv.i <= 0 {
			return fc.errorf(FormError, args[2], "the step of a range is a positive constant")
		}
		step = sv.i
	}
	if start.t.k == kBottom || end.t.k == kBottom {
		return bottomVal
	}
	start, end, k, ok := fc.numericPair(start, end, rn, rn, "range")
	if !ok {
		return bottomVal
	}
	if k == kUint {
		start, end = fc.toUnsigned(start, rn), fc.toUnsigned(end, rn)
	}
	if k == kDec {
		return fc.errorf(TypeError, rn, "range needs integers")
	}
	t := typ{k: k}
	lt, ge := cSlt, cSge
	if k != kInt {
		lt, ge = cLt, cGe
	}
	fc.at(n)
	i := fc.newReg()
	fc.mov(i, fc.opnd(start))
	e := fc.opnd(end)
	if !e.isImm {
		r := fc.newReg()
		fc.mov(r, e)
		e = reg(r)
	}
	top, cont, done := fc.newLabel(), fc.newLabel(), fc.newLabel()
	fc.br(ge, reg(i), e, done)
	// up to an account's data length from a non-negative start: keep a
	// pointer p = account + i for the byte reads at i (see loopCursor)
	var cur *loopCursor
	var pend vreg
	if step == 1 && !fc.noOpt && !e.isImm && end.r != noReg && end.c == nil && start.nonneg() {
		var acct vreg
		if _, err := fmt.Sscanf(end.origin, "datalen:%d", &acct); err == nil && acct >= 0 {
			// unused, these are dead code and go
			cur = &loopCursor{acct: acct, p: fc.newReg()}
			if start.c != nil && start.c.i == 0 {
				fc.mov(cur.p, reg(acct))
			} else {
				fc.aluTo(cur.p, aluAdd, reg(acct), reg(i))
			}
			pend = fc.alu(aluAdd, reg(acct), e)
		}
	}
	fc.label(top)
	fc.depth++
	fc.loops = append(fc.loops, &loopCtx{brk: done, cont: cont, tries: len(fc.tries)})
	fc.push()
	l := &local{name: name, t: t, r: i}
	if start.rng && end.rng {
		l.lo, l.hi, l.rng = start.lo, end.hi-1, end.hi-1 >= start.lo
	} else if start.rng && start.lo >= 0 && end.t.k == kUint {
		l.lo, l.hi, l.rng = start.lo, 1<<62, true
	}
	if end.r != noReg && end.c == nil {
		if en := fc.varHolding(end); en != "" {
			fc.sc.facts = append(fc.sc.facts, fact{a: en, b: name, strict: true, unsigned: k != kInt})
		}
		if end.origin != "" && start.nonneg() {
			fc.sc.facts = append(fc.sc.facts, fact{a: end.origin, b: name, strict: true, unsigned: k != kInt})
		}
	}
	if k == kUint && !l.rng {
		l.lo, l.hi, l.rng = 0, 1<<62, start.nonneg()
	}
	l.cursor = cur
	usesBefore := 0
	if cur != nil {
		usesBefore = fc.regUses(i)
	}
	fc.sc.vars[name] = l
	fc.seq(body)
	fc.pop()
	fc.loops = fc.loops[:len(fc.loops)-1]
	fc.at(n)
	fc.label(cont)
	switch {
	case l.cursor != nil && l.cursor.used && fc.regUses(i) == usesBefore:
		// the body reads i only through the cursor: step and test the
		// pointer instead. 0 <= i < end <= 2^40 and the account lies in
		// the input region, so account+i and account+end do not wrap and
		// p < pend exactly when i < end.
		fc.aluTo(l.cursor.p, aluAdd, reg(l.cursor.p), imm(1))
		fc.br(cLt, reg(l.cursor.p), reg(pend), top)
	default:
		// i < end before the step, so i+step cannot wrap unless step > 1
		fc.aluTo(i, aluAdd, reg(i), imm(step))
		if step > 1 {
			// i may pass end by up to step-1; a wrap is impossible while end <= MAX-step
			fc.failIf(lt, reg(i), imm(step), msgOverflow)
		}
		if l.cursor != nil && l.cursor.used {
			fc.aluTo(l.cursor.p, aluAdd, reg(l.cursor.p), imm(1))
		}
		fc.br(lt, reg(i), e, top)
	}
	fc.depth--
	fc.label(done)
	return nilVal
}

// forEach loops over the elements of a collection, calling each with the
// element value at the top of the body. break and continue work inside.
func (fc *fctx) forEach(coll value, cn *parse.Node, each func(x value)) value {
	switch coll.t.k {
	case kAny:
		coll = fc.convert(coll, tVec, cn)
		if coll.t.k == kBottom {
			return bottomVal
		}
		fallthrough
	case kVec:
		v := fc.opnd(coll)
		cnt := fc.load(4, v, 4)
		p := fc.load(8, v, 8)
		end := fc.alu(aluLsh, reg(cnt), imm(3))
		fc.aluTo(end, aluAdd, reg(end), reg(p))
		return fc.pointerLoop(p, end, 8, func(at vreg) value { return regVal(tAny, fc.load(8, reg(at), 0)) }, each)
	case kData, kAccount:
		a := fc.opnd(coll)
		ln := fc.load(8, a, accDataLen)
		p := fc.alu(aluAdd, a, imm(accData))
		end := fc.alu(aluAdd, reg(p), reg(ln))
		return fc.pointerLoop(p, end, 1, func(at vreg) value {
			return withRange(regVal(tUint, fc.load(1, reg(at), 0)), 0, 255, true)
		}, each)
	case kStr, kBytes:
		o := fc.reg(coll)
		ln := fc.load(4, reg(o), 4)
		p := fc.alu(aluAdd, reg(o), imm(8))
		end := fc.alu(aluAdd, reg(p), reg(ln))
		return fc.pointerLoop(p, end, 1, func(at vreg) value {
			return withRange(regVal(tUint, fc.load(1, reg(at), 0)), 0, 255, true)
		}, each)
	case kAccounts:
		fc.c.walkUsed = true
		h := fc.heapBase()
		cnt := fc.load(8, reg(h), hdrNAccounts)
		p := fc.alu(aluAdd, reg(h), imm(int64(hdrGlobals+8*fc.c.nslots)))
		end := fc.alu(aluLsh, reg(cnt), imm(3))
		fc.aluTo(end, aluAdd, reg(end), reg(p))
		return fc.pointerLoop(p, end, 8, func(at vreg) value { return regVal(tAccount, fc.load(8, reg(at), 0)) }, each)
	case kNil:
		return nilVal
	}
	return fc.errorf(TypeError, cn, "cannot loop over a %s", coll.t)
}

// pointerLoop steps a pointer from p to end by stride.
func (fc *fctx) pointerLoop(p, end vreg, stride int64, load func(at vreg) value, each func(x value)) value {
	cur := fc.newReg()
	fc.mov(cur, reg(p))
	top, cont, done := fc.newLabel(), fc.newLabel(), fc.newLabel()
	fc.br(cGe, reg(cur), reg(end), done)
	fc.label(top)
	fc.depth++
	fc.loops = append(fc.loops, &loopCtx{brk: done, cont: cont, tries: len(fc.tries)})
	each(load(cur))
	fc.loops = fc.loops[:len(fc.loops)-1]
	fc.label(cont)
	fc.aluTo(cur, aluAdd, reg(cur), imm(stride))
	fc.br(cLt, reg(cur), reg(end), top)
	fc.depth--
	fc.label(done)
	return nilVal
}

// apply calls a function value (known or dynamic) on evaluated values.
func (fc *fctx) apply(f value, args []value, n *parse.Node) value {
	switch f.t.k {
	case kFn:
		fv := f.t.fn
		if len(fv.paramList()) != len(args) {
			return fc.errorf(ArityError, n, "the function takes %d argument%s, here it gets %d", len(fv.paramList()), plural(len(fv.paramList())), len(args))
		}
		return fc.invoke(fv, &f, args, n)
	case kAny:
		return fc.callDynamicVals(f, args, n)
	case kBottom:
		return bottomVal
	}
	return fc.errorf(TypeError, n, "expected a function, got %s", f.t)
}

// callDynamicVals is callDynamic on evaluated arguments.
func (fc *fctx) callDynamicVals(f value, vals []value, n *parse.Node) value {
	p := fc.reg(f)
	args := []opnd{reg(p)}
	for _, v := range vals {
		args = append(args, fc.opnd(fc.box(v, n)))
	}
	nargs := len(vals)
	fc.failIf(cEq, reg(p), imm(0), "nil is not a function")
	tg := fc.load(1, reg(p), 0)
	fc.failIf(cNe, reg(tg), imm(tagFn), "called value is not a function")
	ar := fc.load(4, reg(p), 4)
	fc.failIf(cNe, reg(ar), imm(int64(nargs)), "function called with the wrong number of arguments")
	target := fc.load(8, reg(p), 8)
	if len(args) > 5 {
		extra := args[4:]
		buf := fc.frameBuf(8 * len(extra))
		for j, a := range extra {
			fc.store(8, reg(buf), int64(8*j), a)
		}
		args = append(append([]opnd(nil), args[:4]...), reg(buf))
	}
	r, e := fc.newReg(), fc.newReg()
	fc.emit(inst{op: opCallx, a: reg(target), args: args, dst: r, dst2: e})
	fc.checkErr(e)
	return regVal(tAny, r)
}

// bHigher compiles find, map, filter, reduce, some/any? and every?.
func (fc *fctx) bHigher(n *parse.Node) value {
	op := n.Head()
	want := 2
	if op == "reduce" {
		want = 3
	}
	vs, ok := fc.args(n, want, want)
	if !ok {
		return bottomVal
	}
	var f, coll, init value
	var collNode *parse.Node
	isFn := func(v value) bool { return v.t.k == kFn }
	switch {
	case op == "reduce":
		f, init, coll, collNode = vs[0], vs[1], vs[2], fc.arg(n, 2)
	case isFn(vs[0]) && !isFn(vs[1]):
		f, coll, collNode = vs[0], vs[1], fc.arg(n, 1)
	case isFn(vs[1]) && !isFn(vs[0]):
		f, coll, collNode = vs[1], vs[0], fc.arg(n, 0) // (find coll pred)
	default:
		f, coll, collNode = vs[0], vs[1], fc.arg(n, 1)
	}
	switch op {
	case "find":
		res := fc.newReg()
		fc.mov(res, imm(0))
		v := fc.forEach(coll, collNode, func(x value) {
			r := fc.apply(f, []value{x}, n)
			skip := fc.newLabel()
			fc.truthJump(r, n, skip, false)
			fc.mov(res, fc.opnd(fc.box(x, n)))
			fc.jmp(fc.loops[len(fc.loops)-1].brk)
			fc.label(skip)
		})
		if v.t.k == kBottom {
			return v
		}
		return regVal(tAny, res)
	case "some", "any?", "every?":
		res := fc.newReg()
		hit := int64(1)
		if op == "every?" {
			hit = 0
		}
		fc.mov(res, imm(1-hit))
		v := fc.forEach(coll, collNode, func(x value) {
			r := fc.apply(f, []value{x}, n)
			skip := fc.newLabel()
			fc.truthJump(r, n, skip, op == "every?")
			fc.mov(res, imm(hit))
			fc.jmp(fc.loops[len(fc.loops)-1].brk)
			fc.label(skip)
		})
		if v.t.k == kBottom {
			return v
		}
		return regVal(tBool, res)
	case "map", "filter":
		mk := fc.c.runtimeInstance("%vec-new", []typ{tRaw}, false)
		out := fc.call(mk, []opnd{imm(0)})
		push := fc.c.runtimeInstance("%vec-push", []typ{tRaw, tRaw}, false)
		v := fc.forEach(coll, collNode, func(x value) {
			r := fc.apply(f, []value{x}, n)
			if r.t.k == kBottom {
				return
			}
			if op == "map" {
				fc.call(push, []opnd{reg(out), fc.opnd(fc.box(r, n))})
				return
			}
			skip := fc.newLabel()
			fc.truthJump(r, n, skip, false)
			fc.call(push, []opnd{reg(out), fc.opnd(fc.box(x, n))})
			fc.label(skip)
		})
		if v.t.k == kBottom {
			return v
		}
		return regVal(tVec, out)
	case "reduce":
		acc := fc.newReg()
		fc.mov(acc, fc.opnd(fc.box(init, n)))
		v := fc.forEach(coll, collNode, func(x value) {
			r := fc.apply(f, []value{regVal(tAny, acc), x}, n)
			if r.t.k == kBottom {
				return
			}
			fc.mov(acc, fc.opnd(fc.box(r, n)))
		})
		if v.t.k == kBottom {
			return v
		}
		return regVal(tAny, acc)
	}
	return fc.errorf(InternalError, n, "unknown %s", op)
}

// equal compares two values of any types for =.
func (fc *fctx) equal(a, b value, an, bn *parse.Node) value {
	ka, kb := a.t.k, b.t.k
	if ka == kBottom || kb == kBottom {
		return bottomVal
	}
	if ka == kNil || kb == kNil {
		if ka == kNil && kb == kNil {
			return boolConst(true)
		}
		other := a
		if ka == kNil {
			other = b
		}
		if other.t.k != kAny {
			return boolConst(false)
		}
		r := fc.newReg()
		done := fc.newLabel()
		fc.mov(r, imm(1))
		fc.br(cEq, fc.opnd(other), imm(0), done)
		fc.mov(r, imm(0))
		fc.label(done)
		return regVal(tBool, r)
	}
	if ka != kAny && kb != kAny && ka != kb {
		if isNumKind(ka) && isNumKind(kb) {
			return fc.errorf(TypeError, an, "= compares a %s with a %s", a.t, b.t)
		}
		return boolConst(false)
	}
	switch {
	case ka == kb && (ka == kStr || ka == kKw || ka == kBytes):
		if a.c != nil && b.c != nil {
			return boolConst(a.c.s == b.c.s)
		}
		in := fc.c.runtimeInstance("%bytes-eq", []typ{tRaw, tRaw}, false)
		return regVal(tBool, fc.call(in, []opnd{fc.opnd(a), fc.opnd(b)}))
	case ka == kb && (ka == kBool || ka == kAccount || ka == kData || ka == kAccounts || ka == kIData):
		if ka == kAccounts || ka == kIData {
			return boolConst(true)
		}
		r := fc.newReg()
		done := fc.newLabel()
		fc.mov(r, imm(1))
		fc.br(cEq, fc.opnd(a), fc.opnd(b), done)
		fc.mov(r, imm(0))
		fc.label(done)
		return regVal(tBool, r)
	}
	ab, bb := fc.box(a, an), fc.box(b, bn)
	in := fc.c.runtimeInstance("%equal", []typ{tRaw, tRaw}, false)
	return regVal(tBool, fc.call(in, []opnd{fc.opnd(ab), fc.opnd(bb)}))
}

// formMatch is (match subject (pattern body…) … [(_ default…)]):
// patterns are integer, string, keyword, boolean or nil literals, or a
// list of them; _ or else matches anything.
func (fc *fctx) formMatch(n *parse.Node) value {
	if len(n.Items) < 3 {
		return fc.errorf(ArityError, n, "match takes a value and clauses: (match x (pattern result…) …)")
	}
	subj := fc.expr(n.Items[1])
	if subj.t.k == kBottom {
		return bottomVal
	}
	if !subj.t.singleton() && subj.c == nil {
		r := fc.newReg()
		fc.mov(r, fc.opnd(subj))
		subj.r = r
	}
	clauses := n.Items[2:]
	var build func(i int) value
	build = func(i int) value {
		if i >= len(clauses) {
			return nilVal
		}
		cl := clauses[i]
		if cl.Kind != parse.List || len(cl.Items) < 2 {
			return fc.errorf(FormError, cl, "a match clause is (pattern result…)")
		}
		pat := cl.Items[0]
		if pat.IsSymbol("_") || pat.IsSymbol("else") || pat.Kind == parse.Keyword && pat.Text == "else" && i == len(clauses)-1 {
			if i != len(clauses)-1 {
				fc.errorf(FormError, cl, "the catch-all clause must be the last")
			}
			return fc.body(cl.Items[1:])
		}
		pats := []*parse.Node{pat}
		if pat.Kind == parse.List || pat.Kind == parse.Vector {
			pats = pat.Items
		}
		for _, p := range pats {
			switch p.Kind {
			case parse.Int, parse.String, parse.Keyword, parse.Bool, parse.Nil:
			default:
				return fc.errorf(FormError, p, "a match pattern is a literal (integer, string, keyword, true, false, nil) or _, not %s", describe(p))
			}
		}
		return fc.choose(func(lElse int) {
			lThen := fc.newLabel()
			for _, p := range pats {
				pv := fc.expr(p)
				fc.at(p)
				fc.matchJump(subj, pv, n.Items[1], p, lThen)
			}
			fc.jmp(lElse)
			fc.label(lThen)
		}, nil, func() value { return fc.body(cl.Items[1:]) }, func() value { return build(i + 1) }, cl, cl)
	}
	return build(0)
}

// matchJump jumps to l when subj equals the literal pv.
func (fc *fctx) matchJump(subj, pv value, sn, pn *parse.Node, l int) {
	sk, pk := subj.t.k, pv.t.k
	switch {
	case (sk == kInt || sk == kUint) && pk == kInt:
		if pv.c.i < 0 && sk == kUint {
			return
		}
		fc.br(cEq, fc.opnd(subj), imm(pv.c.i), l)
	case sk == kBool && pk == kBool:
		fc.br(cEq, fc.opnd(subj), imm(pv.c.i), l)
	case (sk == kStr && pk == kStr) || (sk == kKw && pk == kKw):
		eq := fc.equal(subj, pv, sn, pn)
		fc.truthJump(eq, pn, l, true)
	case sk == kAny:
		if pk == kNil {
			fc.br(cEq, fc.opnd(subj), imm(0), l)
			return
		}
		// strings and keywords match either one of the same name, like
		// map keys; numbers and booleans by value
		if pk == kStr || pk == kKw {
			in := fc.c.runtimeInstance("%match-bytes", []typ{tRaw, tRaw}, false)
			r := fc.call(in, []opnd{fc.opnd(subj), fc.opnd(pv)})
			fc.br(cNe, reg(r), imm(0), l)
			return
		}
		eq := fc.equal(subj, pv, sn, pn)
		fc.truthJump(eq, pn, l, true)
	case sk == kNil && pk == kNil:
		fc.jmp(l)
	default:
		// a literal of another type never matches
	}
}

// regUses counts the instructions of the function so far that read r.
func (fc *fctx) regUses(r vreg) int {
	n := 0
	var tmp []vreg
	count := func(list []inst) {
		for j := range list {
			tmp = list[j].uses(tmp[:0])
			for _, u := range tmp {
				if u == r {
					n++
				}
			}
		}
	}
	count(fc.f.insts)
	count(fc.f.cold)
	if fc.cur != nil {
		count(*fc.cur)
	}
	return n
}
