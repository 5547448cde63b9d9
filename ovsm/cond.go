package ovsm

import (
	"math"

	"github.com/agora-vm/agora/ovsm/parse"
)

// Conditions compile to branches, never to booleans and a test, unless a
// boolean is needed as a value.

var compareOps = map[string]cond{
	"<": cSlt, ">": cSgt, "<=": cSle, ">=": cSge,
	"=": cEq, "==": cEq, "!=": cNe, "not=": cNe, "eq?": cEq, "equal?": cEq,
}

// constCond decides a condition at compile time when it is constant.
func (fc *fctx) constCond(n *parse.Node) (bool, bool) {
	if fc.noOpt && n.Kind == parse.List {
		return false, false
	}
	v, t, ok := fc.c.constEvalIn(fc, n, fc.file, 0)
	if !ok {
		return false, false
	}
	switch t.k {
	case kBool:
		return v.i != 0, true
	case kNil:
		return false, true
	case kStr, kKw, kBytes:
		return true, true
	}
	return false, false
}

// condJump jumps to l when n's truth equals jumpIf, and falls through
// otherwise.
func (fc *fctx) condJump(n *parse.Node, l int, jumpIf bool) {
	fc.at(n)
	if c, ok := fc.constCond(n); ok {
		if c == jumpIf {
			fc.jmp(l)
		}
		return
	}
	if n.Kind == parse.List && len(n.Items) > 0 && n.Items[0].Kind == parse.Symbol && fc.lookup(n.Items[0].Text) == nil {
		head := n.Items[0].Text
		args := n.Items[1:]
		switch head {
		case "not":
			if len(args) == 1 {
				fc.condJump(args[0], l, !jumpIf)
				return
			}
		case "and", "or":
			// and: jump when false on any false; or: jump when true on any true
			short := head == "or" // the truth value that decides early
			if jumpIf == short {
				for _, a := range args {
					fc.condJump(a, l, jumpIf)
				}
				return
			}
			skip := fc.newLabel()
			for _, a := range args[:len(args)-1] {
				fc.condJump(a, skip, short)
			}
			fc.condJump(args[len(args)-1], l, jumpIf)
			fc.label(skip)
			return
		case "null?", "nil?", "some?":
			if len(args) == 1 {
				v := fc.expr(args[0])
				want := jumpIf
				if head == "some?" {
					want = !want
				}
				fc.nilJump(v, l, want)
				return
			}
		}
		if c, ok := compareOps[head]; ok && len(args) == 2 {
			a := fc.expr(args[0])
			b := fc.expr(args[1])
			fc.at(n)
			fc.compareJump(c, a, b, args[0], args[1], l, jumpIf)
			return
		}
		if c, ok := compareOps[head]; ok && len(args) > 2 && c != cNe {
			// (< a b c): every adjacent pair
			fc.condJump(chainAnd(n), l, jumpIf)
			return
		}
		if head == "%slt" && len(args) == 2 {
			a := fc.expr(args[0])
			b := fc.expr(args[1])
			if a.t.k == kBottom || b.t.k == kBottom {
				return
			}
			c := cSlt
			if !jumpIf {
				c = c.negate()
			}
			fc.br(c, fc.opnd(a), fc.opnd(b), l)
			return
		}
		switch head {
		case "not", "null?", "nil?", "some?", "%slt":
			fc.errorf(ArityError, n, "%s takes %s", head, map[bool]string{true: "two arguments", false: "one argument"}[head == "%slt"])
			return
		}
		if _, ok := compareOps[head]; ok {
			fc.errorf(ArityError, n, "%s compares two or more values", head)
			return
		}
	}
	v := fc.expr(n)
	fc.truthJump(v, n, l, jumpIf)
}

// chainAnd rewrites (< a b c) as (and (< a b) (< b c)). The middle
// operands are evaluated twice, so they must be side-effect free; the
// chained form is meant for variables and constants.
func chainAnd(n *parse.Node) *parse.Node {
	out := &parse.Node{Kind: parse.List, Pos: n.Pos, End: n.End, Items: []*parse.Node{{Kind: parse.Symbol, Text: "and", Pos: n.Pos}}}
	for i := 1; i+1 < len(n.Items); i++ {
		out.Items = append(out.Items, &parse.Node{Kind: parse.List, Pos: n.Pos, End: n.End, Items: []*parse.Node{n.Items[0], n.Items[i], n.Items[i+1]}})
	}
	return out
}

// nilJump jumps when (v is nil) == jumpIf.
func (fc *fctx) nilJump(v value, l int, jumpIf bool) {
	switch v.t.k {
	case kBottom:
	case kNil:
		if jumpIf {
			fc.jmp(l)
		}
	case kAny:
		if v.c != nil {
			if jumpIf == (v.c.i == 0) {
				fc.jmp(l)
			}
			return
		}
		c := cEq
		if !jumpIf {
			c = cNe
		}
		fc.br(c, reg(v.r), imm(0), l)
	default:
		if !jumpIf {
			fc.jmp(l)
		}
	}
}

// truthJump tests a value: nil and false are false, everything else true.
func (fc *fctx) truthJump(v value, n *parse.Node, l int, jumpIf bool) {
	switch v.t.k {
	case kBottom:
	case kBool, kRaw:
		c := cNe
		if !jumpIf {
			c = cEq
		}
		fc.br(c, fc.opnd(v), imm(0), l)
	case kNil:
		if !jumpIf {
			fc.jmp(l)
		}
	case kInt, kUint, kDec:
		fc.errorf(TypeError, n, "an %s is not a condition; compare it, e.g. (!= x 0)", v.t)
	case kAny:
		r := fc.reg(v)
		if jumpIf {
			skip := fc.newLabel()
			fc.br(cEq, reg(r), imm(0), skip)
			t := fc.load(1, reg(r), 0)
			fc.br(cNe, reg(t), imm(tagFalse), l)
			fc.label(skip)
		} else {
			fc.br(cEq, reg(r), imm(0), l)
			t := fc.load(1, reg(r), 0)
			fc.br(cEq, reg(t), imm(tagFalse), l)
		}
	default:
		// strings, vectors, accounts, errors…: never nil, always true
		if jumpIf {
			fc.jmp(l)
		}
	}
}

// numericPair brings two operands of an arithmetic or comparison to a
// common numeric kind: kInt, kUint, kDec or kRaw. It reports false (after
// a diagnostic) when they have none.
func (fc *fctx) numericPair(a, b value, an, bn *parse.Node, op string) (value, value, kind, bool) {
	if a.t.k == kBottom || b.t.k == kBottom {
		return a, b, kBottom, false
	}
	if a.t.k == kRaw || b.t.k == kRaw {
		return a, b, kRaw, true
	}
	// unbox kAny to the other side's kind (kInt when both are kAny)
	if a.t.k == kAny && b.t.k == kAny {
		a = fc.convert(a, tInt, an)
		b = fc.convert(b, tInt, bn)
	} else if a.t.k == kAny && isNumKind(b.t.k) {
		a = fc.convert(a, b.t, an)
	} else if b.t.k == kAny && isNumKind(a.t.k) {
		b = fc.convert(b, a.t, bn)
	}
	if a.t.k == kBottom || b.t.k == kBottom {
		return a, b, kBottom, false
	}
	ka, kb := a.t.k, b.t.k
	switch {
	case ka == kb && isNumKind(ka):
		return a, b, ka, true
	case ka == kInt && kb == kUint, ka == kUint && kb == kInt:
		// a u64 known to fit an int joins signed arithmetic for free;
		// otherwise the result is a u64 and callers check the signed
		// operand is not negative
		if fitsSigned(a) && fitsSigned(b) && !(a.c != nil && b.c != nil) {
			a.t, b.t = tInt, tInt
			return a, b, kInt, true
		}
		return a, b, kUint, true
	}
	bad := a
	n := an
	if isNumKind(ka) {
		bad, n = b, bn
	}
	if ka == kDec || kb == kDec {
		fc.errorf(TypeError, n, "%s mixes a decimal with %s; convert explicitly (decimal x) or (int x)", op, bad.t)
	} else {
		fc.errorf(TypeError, n, "%s needs numbers, got %s", op, bad.t)
	}
	return a, b, kBottom, false
}

// fitsSigned reports whether v is an int, or a u64 known to be below 2^63.
func fitsSigned(v value) bool {
	if v.t.k == kInt {
		return true
	}
	if v.c != nil {
		return v.c.i >= 0
	}
	return v.rng && v.lo >= 0 && v.hi >= 0
}

func isNumKind(k kind) bool { return k == kInt || k == kUint || k == kDec }

// compareJump compiles a comparison of two values into a branch.
func (fc *fctx) compareJump(c cond, a, b value, an, bn *parse.Node, l int, jumpIf bool) {
	if a.t.k == kBottom || b.t.k == kBottom {
		return
	}
	if c == cEq || c == cNe {
		if !(isNumKind(a.t.k) || a.t.k == kRaw) || !(isNumKind(b.t.k) || b.t.k == kRaw) {
			eq := fc.equal(a, b, an, bn)
			want := (c == cEq) == jumpIf
			fc.truthJump(eq, an, l, want)
			return
		}
	}
	a, b, k, ok := fc.numericPair(a, b, an, bn, "comparison")
	if !ok {
		return
	}
	if !jumpIf {
		c = c.negate()
	}
	switch k {
	case kInt, kDec:
		fc.br(c, fc.opnd(a), fc.opnd(b), l)
	case kRaw:
		fc.br(unsignedCond(c), fc.opnd(a), fc.opnd(b), l)
	case kUint:
		if a.t.k == kUint && b.t.k == kUint {
			fc.br(unsignedCond(c), fc.opnd(a), fc.opnd(b), l)
			return
		}
		fc.mixedCompare(c, a, b, l)
	}
}

func unsignedCond(c cond) cond {
	switch c {
	case cSgt:
		return cGt
	case cSge:
		return cGe
	case cSlt:
		return cLt
	case cSle:
		return cLe
	}
	return c
}

// mixedCompare jumps to l when a c b holds mathematically, where one of
// a, b is a signed and the other an unsigned integer.
func (fc *fctx) mixedCompare(c cond, a, b value, l int) {
	// put the signed operand first
	if a.t.k == kUint {
		a, b, c = b, a, c.swap()
	}
	if a.nonneg() {
		fc.br(unsignedCond(c), fc.opnd(a), fc.opnd(b), l)
		return
	}
	if b.c != nil && uint64(b.c.i) <= math.MaxInt64 || b.rng && b.hi >= 0 && b.lo >= 0 {
		fc.br(c, fc.opnd(a), fc.opnd(b), l) // b fits in int64: signed compare is exact
		return
	}
	// a < 0: a is below every unsigned value
	neg := fc.newLabel()
	ao := fc.opnd(a)
	skip := fc.newLabel()
	fc.br(cSlt, ao, imm(0), neg)
	fc.br(unsignedCond(c), ao, fc.opnd(b), l)
	fc.jmp(skip)
	fc.label(neg)
	switch c {
	case cSlt, cSle, cNe:
		fc.jmp(l)
	}
	fc.label(skip)
}

// addFacts records what holding (truth) or failing test says about
// variables, for check elimination in the code it dominates.
func (fc *fctx) addFacts(n *parse.Node, truth bool) {
	if fc.noOpt || n.Kind != parse.List || len(n.Items) == 0 {
		return
	}
	head := n.Head()
	args := n.Items[1:]
	switch head {
	case "not":
		if len(args) == 1 {
			fc.addFacts(args[0], !truth)
		}
		return
	case "and":
		if truth {
			for _, a := range args {
				fc.addFacts(a, true)
			}
		}
		return
	case "or":
		if !truth {
			for _, a := range args {
				fc.addFacts(a, false)
			}
		}
		return
	}
	c, ok := compareOps[head]
	if !ok || len(args) != 2 || c == cEq && !truth || c == cNe && truth {
		return
	}
	if !truth {
		c = c.negate()
	}
	av, aok := fc.factOperand(args[0])
	bv, bok := fc.factOperand(args[1])
	if !aok || !bok {
		return
	}
	fc.recordFact(c, av, bv)
}

// factOperand describes a comparison operand for facts: an immutable or
// mutable variable of integer type, or an integer constant.
type factOpnd struct {
	name     string
	konst    bool
	k        int64
	unsigned bool
}

func (fc *fctx) factOperand(n *parse.Node) (factOpnd, bool) {
	switch n.Kind {
	case parse.Int:
		v, ok := n.Int64()
		return factOpnd{konst: true, k: v}, ok
	case parse.Symbol:
		l := fc.lookup(n.Text)
		if l == nil {
			if g, ok := fc.c.globals[n.Text]; ok && g.konst != nil && (g.kt.k == kInt || g.kt.k == kUint) {
				return factOpnd{konst: true, k: g.konst.i, unsigned: g.kt.k == kUint}, g.kt.k == kInt || g.konst.i >= 0
			}
			return factOpnd{}, false
		}
		if l.c != nil && (l.t.k == kInt || l.t.k == kUint) {
			return factOpnd{konst: true, k: l.c.i, unsigned: l.t.k == kUint}, l.t.k == kInt || l.c.i >= 0
		}
		if l.global == nil && (l.t.k == kInt || l.t.k == kUint) {
			return factOpnd{name: n.Text, unsigned: l.t.k == kUint}, true
		}
	}
	return factOpnd{}, false
}

func (fc *fctx) recordFact(c cond, a, b factOpnd) {
	if a.konst && b.konst {
		return
	}
	if a.konst {
		a, b, c = b, a, c.swap()
	}
	add := func(f fact) { fc.sc.facts = append(fc.sc.facts, f) }
	if b.konst {
		lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
		if a.unsigned {
			lo = 0
			if b.k < 0 {
				return
			}
		}
		switch c {
		case cSlt:
			if b.k == math.MinInt64 {
				return
			}
			hi = b.k - 1
		case cSle:
			hi = b.k
		case cSgt:
			if b.k == math.MaxInt64 {
				return
			}
			lo = max(lo, b.k+1)
		case cSge:
			lo = max(lo, b.k)
		case cEq:
			lo, hi = b.k, b.k
		default:
			return
		}
		if lo > hi {
			return
		}
		add(fact{a: a.name, isRange: true, lo: lo, hi: hi})
		return
	}
	if a.unsigned != b.unsigned {
		return
	}
	switch c {
	case cSge:
		add(fact{a: a.name, b: b.name, unsigned: a.unsigned})
	case cSgt:
		add(fact{a: a.name, b: b.name, strict: true, unsigned: a.unsigned})
	case cSle:
		add(fact{a: b.name, b: a.name, unsigned: a.unsigned})
	case cSlt:
		add(fact{a: b.name, b: a.name, strict: true, unsigned: a.unsigned})
	}
}
