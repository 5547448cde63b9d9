package ovsm

import (
	"fmt"
	"math"

	"github.com/agora-vm/agora/ovsm/parse"
)

// Built-in functions on numbers.

func (fc *fctx) bAbs(n *parse.Node) value {
	vs, ok := fc.args(n, 1, 1)
	if !ok {
		return bottomVal
	}
	v := vs[0]
	if v.t.k == kAny {
		v = fc.convert(v, tInt, fc.arg(n, 0))
	}
	switch v.t.k {
	case kUint:
		return v
	case kInt, kDec:
		if v.c != nil {
			if v.c.i < 0 {
				return fc.negate(v, n)
			}
			return v
		}
		if v.nonneg() {
			return v
		}
		r := fc.newReg()
		done := fc.newLabel()
		fc.mov(r, reg(v.r))
		fc.br(cSge, reg(v.r), imm(0), done)
		nv := fc.negate(v, n)
		fc.mov(r, fc.opnd(nv))
		fc.label(done)
		return withRange(regVal(v.t, r), 0, math.MaxInt64, true)
	}
	return fc.errorf(TypeError, n, "abs needs a number, got %s", v.t)
}

func (fc *fctx) bIncDec(n *parse.Node) value {
	vs, ok := fc.args(n, 1, 1)
	if !ok {
		return bottomVal
	}
	op := "+"
	if n.Head() == "dec" {
		op = "-"
	}
	return fc.arith(op, vs[0], constInt(tInt, 1), fc.arg(n, 0), n, n)
}

func (fc *fctx) bNumPred(n *parse.Node) value {
	if len(n.Items) != 2 {
		return fc.errorf(ArityError, n, "%s takes one argument", n.Head())
	}
	x := n.Items[1]
	mk := func(op string, a, b *parse.Node) *parse.Node {
		return &parse.Node{Kind: parse.List, Pos: n.Pos, End: n.End, Items: []*parse.Node{{Kind: parse.Symbol, Text: op, Pos: n.Pos}, a, b}}
	}
	lit := func(v uint64) *parse.Node {
		return &parse.Node{Kind: parse.Int, Uint: v, Pos: n.Pos, Text: fmt.Sprint(v)}
	}
	var e *parse.Node
	switch n.Head() {
	case "zero?":
		e = mk("=", x, lit(0))
	case "pos?", "positive?":
		e = mk(">", x, lit(0))
	case "neg?", "negative?":
		e = mk("<", x, lit(0))
	case "even?":
		e = mk("=", mk("bit-and", x, lit(1)), lit(0))
	case "odd?":
		e = mk("=", mk("bit-and", x, lit(1)), lit(1))
	}
	return fc.boolValue(e)
}

func (fc *fctx) bToInt(n *parse.Node) value {
	vs, ok := fc.args(n, 1, 1)
	if !ok {
		return bottomVal
	}
	v := vs[0]
	if v.t.k == kAny && v.c == nil {
		return fc.anyConvert(v, "%to-int", tInt)
	}
	if v.t.k == kDec {
		d := v
		d.t = tInt
		return fc.arith("/", d, constInt(tInt, 1_000_000_000), fc.arg(n, 0), n, n)
	}
	if v.t.k == kBool {
		v.t = tInt
		return v
	}
	return fc.convert(v, tInt, fc.arg(n, 0))
}

func (fc *fctx) bToUint(n *parse.Node) value {
	vs, ok := fc.args(n, 1, 1)
	if !ok {
		return bottomVal
	}
	v := vs[0]
	if v.t.k == kAny && v.c == nil {
		return fc.anyConvert(v, "%to-uint", tUint)
	}
	if v.t.k == kDec {
		// truncate, then check the sign
		d := v
		d.t = tInt
		v = fc.arith("/", d, constInt(tInt, 1_000_000_000), fc.arg(n, 0), n, n)
	}
	return fc.convert(v, tUint, fc.arg(n, 0))
}

// anyConvert converts a value of type any to a number type with a
// run-time function that dispatches on its tag, so that (int x) on a
// decimal read from instruction data truncates as it does on a decimal
// known at compile time.
func (fc *fctx) anyConvert(v value, fn string, t typ) value {
	in := fc.c.runtimeInstance(fn, []typ{tRaw}, false)
	out := regVal(t, fc.call(in, []opnd{reg(fc.reg(v))}))
	if t.k == kUint {
		out = withRange(out, 0, math.MaxInt64, false)
	}
	return out
}

func (fc *fctx) bToDec(n *parse.Node) value {
	vs, ok := fc.args(n, 1, 1)
	if !ok {
		return bottomVal
	}
	v := vs[0]
	if v.t.k == kDec {
		return v
	}
	if v.t.k == kAny && v.c == nil {
		return fc.anyConvert(v, "%to-dec", tDec)
	}
	v = fc.convert(v, tInt, fc.arg(n, 0))
	r := fc.arith("*", v, constInt(tInt, 1_000_000_000), fc.arg(n, 0), n, n)
	r.t = tDec
	return r
}

var typePredKinds = map[string][]kind{
	"int?": {kInt}, "u64?": {kUint}, "integer?": {kInt, kUint}, "number?": {kInt, kUint, kDec},
	"decimal?": {kDec}, "string?": {kStr}, "bytes?": {kBytes}, "keyword?": {kKw},
	"vector?": {kVec}, "list?": {kVec}, "map?": {kMap}, "bool?": {kBool}, "boolean?": {kBool},
	"fn?": {kFn}, "function?": {kFn}, "error?": {kErr}, "account?": {kAccount},
}

func (fc *fctx) bTypePred(n *parse.Node) value {
	vs, ok := fc.args(n, 1, 1)
	if !ok {
		return bottomVal
	}
	v := vs[0]
	kinds := typePredKinds[n.Head()]
	if v.t.k != kAny {
		for _, k := range kinds {
			if v.t.k == k {
				return boolConst(true)
			}
		}
		return boolConst(false)
	}
	if v.c != nil {
		return boolConst(false)
	}
	r := fc.newReg()
	no, done := fc.newLabel(), fc.newLabel()
	fc.mov(r, imm(0))
	fc.br(cEq, reg(v.r), imm(0), no)
	tg := fc.load(1, reg(v.r), 0)
	for _, k := range kinds {
		if k == kBool {
			fc.mov(r, imm(1))
			fc.br(cEq, reg(tg), imm(tagTrue), done)
			fc.br(cEq, reg(tg), imm(tagFalse), done)
			fc.mov(r, imm(0))
			continue
		}
		fc.mov(r, imm(1))
		fc.br(cEq, reg(tg), imm(tagOf(k)), done)
		fc.mov(r, imm(0))
	}
	fc.label(no)
	fc.label(done)
	return regVal(tBool, r)
}
