package ovsm

import (
	"math"
	"math/big"
	"math/bits"

	"github.com/agora-vm/agora/ovsm/parse"
)

// Checked arithmetic. Every +, -, *, / and % on integers either gives
// the mathematically correct result or raises "arithmetic overflow":
// wrapping never happens silently. Ranges known at compile time (from
// constants, loads of narrow fields and dominating comparisons) remove
// checks that cannot fire.

const msgOverflow = "arithmetic overflow"
const msgDivZero = "division by zero"
const msgNegUnsigned = "negative value used as an unsigned (u64) integer"

func (fc *fctx) arithForm(n *parse.Node) value {
	op := n.Head()
	args := n.Items[1:]
	switch {
	case len(args) == 0 && (op == "+" || op == "*"):
		if op == "+" {
			return constInt(tInt, 0)
		}
		return constInt(tInt, 1)
	case len(args) == 0:
		return fc.errorf(ArityError, n, "%s needs arguments", op)
	case len(args) == 1 && op == "-":
		v := fc.expr(args[0])
		return fc.negate(v, args[0])
	case len(args) == 1 && (op == "+" || op == "*"):
		v := fc.expr(args[0])
		if v.t.k == kAny {
			v = fc.convert(v, tInt, args[0])
		}
		if !isNumKind(v.t.k) && v.t.k != kBottom && v.t.k != kRaw {
			return fc.errorf(TypeError, args[0], "%s needs numbers, got %s", op, v.t)
		}
		return v
	case len(args) == 1:
		return fc.errorf(ArityError, n, "%s needs two or more arguments", op)
	}
	acc := fc.expr(args[0])
	for i := 1; i < len(args); i++ {
		b := fc.expr(args[i])
		fc.at(n)
		acc = fc.arith(op, acc, b, args[0], args[i], n)
		if acc.t.k == kBottom {
			return acc
		}
	}
	return acc
}

// arith applies one binary operator.
func (fc *fctx) arith(op string, a, b value, an, bn, at *parse.Node) value {
	if a.t.k == kBottom || b.t.k == kBottom {
		return bottomVal
	}
	// decimals scale by integers
	if (op == "*" || op == "/") && (a.t.k == kDec || b.t.k == kDec) && a.t.k != b.t.k {
		if a.t.k != kDec {
			if op == "/" {
				return fc.errorf(TypeError, an, "an integer divided by a decimal is not supported")
			}
			a, b, an, bn = b, a, bn, an
		}
		if b.t.k == kAny {
			b = fc.convert(b, tInt, bn)
		}
		if b.t.k != kInt {
			return fc.errorf(TypeError, bn, "a decimal %s an %s: use an int", map[string]string{"*": "times", "/": "divided by"}[op], b.t)
		}
		a.t = tInt
		r := fc.arith(op, a, b, an, bn, at)
		r.t = tDec
		return r
	}
	if op == "*" && a.t.k == kDec && b.t.k == kDec {
		return fc.errorf(TypeError, at, "multiplying two decimals is not supported; scale one to an int first")
	}
	a, b, k, ok := fc.numericPair(a, b, an, bn, op)
	if !ok {
		return bottomVal
	}
	if k == kUint && (a.t.k == kInt || b.t.k == kInt) {
		a = fc.toUnsigned(a, an)
		b = fc.toUnsigned(b, bn)
		if a.t.k == kBottom || b.t.k == kBottom {
			return bottomVal
		}
	}
	t := typ{k: k}
	if k == kRaw {
		return fc.rawArith(op, a, b)
	}
	if (op == "/" || op == "%" || op == "mod" || op == "rem" || op == "quot") && k == kDec && b.t.k == kDec {
		return fc.errorf(TypeError, at, "dividing decimals by decimals is not supported")
	}
	signed := k == kInt || k == kDec
	if a.c != nil && b.c != nil {
		r, ok := foldArith(op, a.c.i, b.c.i, signed)
		if !ok {
			if b.c.i == 0 && (op == "/" || op == "%" || op == "mod" || op == "rem" || op == "quot") {
				return fc.errorf(ConstantError, at, "constant division by zero")
			}
			return fc.errorf(ConstantError, at, "constant expression overflows 64 bits (%s)", t)
		}
		return constInt(t, r)
	}
	switch op {
	case "+":
		return fc.add(t, a, b, signed)
	case "-":
		return fc.sub(t, a, b, signed)
	case "*":
		return fc.mul(t, a, b, signed)
	case "/", "quot":
		if b.c != nil && b.c.i == 0 {
			return fc.errorf(ConstantError, bn, "division by zero")
		}
		return fc.div(t, a, b, signed, false)
	case "%", "mod", "rem":
		if b.c != nil && b.c.i == 0 {
			return fc.errorf(ConstantError, bn, "division by zero")
		}
		return fc.div(t, a, b, signed, true)
	}
	return fc.errorf(InternalError, at, "unknown operator %s", op)
}

// foldArith computes a constant result, reporting false on overflow or
// division by zero.
func foldArith(op string, a, b int64, signed bool) (int64, bool) {
	if signed {
		x, y := big.NewInt(a), big.NewInt(b)
		r := new(big.Int)
		switch op {
		case "+":
			r.Add(x, y)
		case "-":
			r.Sub(x, y)
		case "*":
			r.Mul(x, y)
		case "/", "quot":
			if b == 0 {
				return 0, false
			}
			r.Quo(x, y)
		case "%", "mod", "rem":
			if b == 0 {
				return 0, false
			}
			r.Rem(x, y)
		}
		if !r.IsInt64() {
			return 0, false
		}
		return r.Int64(), true
	}
	x, y := uint64(a), uint64(b)
	switch op {
	case "+":
		s, c := bits.Add64(x, y, 0)
		return int64(s), c == 0
	case "-":
		d, br := bits.Sub64(x, y, 0)
		return int64(d), br == 0
	case "*":
		hi, lo := bits.Mul64(x, y)
		return int64(lo), hi == 0
	case "/", "quot":
		if y == 0 {
			return 0, false
		}
		return int64(x / y), true
	case "%", "mod", "rem":
		if y == 0 {
			return 0, false
		}
		return int64(x % y), true
	}
	return 0, false
}

// toUnsigned converts a signed integer operand to u64, raising when it
// is negative.
func (fc *fctx) toUnsigned(v value, n *parse.Node) value {
	if v.t.k != kInt {
		return v
	}
	if v.c != nil {
		if v.c.i < 0 {
			return fc.errorf(TypeError, n, "negative constant %d used with a u64; subtract its magnitude instead", v.c.i)
		}
		return constInt(tUint, v.c.i)
	}
	if !v.nonneg() {
		fc.failIf(cSlt, reg(v.r), imm(0), msgNegUnsigned)
	}
	out := regVal(tUint, v.r)
	if v.rng {
		out.lo, out.hi, out.rng = max(v.lo, 0), v.hi, v.hi >= 0
	}
	return out
}

// rangeOf combines operand ranges with f. It reports the range of the
// result (clamped to the kind: a checked operation that would leave it
// raises instead), whether that range is known, and whether the
// operation is certain not to overflow.
func rangeOf(a, b value, signed bool, f func(x, y *big.Int) *big.Int) (lo64, hi64 int64, known, safe bool) {
	if !a.rng || !b.rng {
		return 0, 0, false, false
	}
	lo, hi := (*big.Int)(nil), (*big.Int)(nil)
	for _, x := range []int64{a.lo, a.hi} {
		for _, y := range []int64{b.lo, b.hi} {
			r := f(big.NewInt(x), big.NewInt(y))
			if lo == nil || r.Cmp(lo) < 0 {
				lo = r
			}
			if hi == nil || r.Cmp(hi) > 0 {
				hi = r
			}
		}
	}
	minT, maxT := big.NewInt(math.MinInt64), big.NewInt(math.MaxInt64)
	if !signed {
		minT = big.NewInt(0)
	}
	safe = lo.Cmp(minT) >= 0 && hi.Cmp(maxT) <= 0
	if lo.Cmp(minT) < 0 {
		lo = minT
	}
	if hi.Cmp(maxT) > 0 {
		hi = maxT
	}
	if lo.Cmp(hi) > 0 {
		return 0, 0, false, false
	}
	return lo.Int64(), hi.Int64(), true, safe
}

func withRange(v value, lo, hi int64, ok bool) value {
	if ok {
		v.lo, v.hi, v.rng = lo, hi, true
	}
	return v
}

func (fc *fctx) add(t typ, a, b value, signed bool) value {
	if a.c != nil {
		a, b = b, a
	}
	lo, hi, known, safe := rangeOf(a, b, signed, func(x, y *big.Int) *big.Int { return new(big.Int).Add(x, y) })
	if fc.noOpt {
		safe = false
	}
	if b.c != nil && b.c.i == 0 {
		return a
	}
	ao, bo := fc.opnd(a), fc.opnd(b)
	r := fc.alu(aluAdd, ao, bo)
	out := withRange(regVal(t, r), lo, hi, known)
	if safe {
		return out
	}
	if !signed {
		// r < either operand exactly when the sum wrapped
		if bo.isImm {
			fc.failIf(cLt, reg(r), bo, msgOverflow)
		} else {
			fc.failIf(cLt, reg(r), bo, msgOverflow)
		}
		return out
	}
	switch {
	case b.c != nil && b.c.i > 0:
		fc.failIf(cSlt, reg(r), ao, msgOverflow)
	case b.c != nil:
		fc.failIf(cSgt, reg(r), ao, msgOverflow)
	case a.nonneg() && b.nonneg():
		fc.failIf(cSlt, reg(r), imm(0), msgOverflow)
	case b.nonneg():
		fc.failIf(cSlt, reg(r), ao, msgOverflow)
	case a.nonneg():
		fc.failIf(cSlt, reg(r), bo, msgOverflow)
	default:
		// the sign of b decides the direction of a wrap; the negative
		// case is out of line
		f := fc.stream()
		*f = (*f)[:len(*f)-1] // undo the add: the branch on b comes first
		neg, join := fc.newLabel(), fc.newLabel()
		fc.br(cSlt, bo, imm(0), neg)
		fc.aluTo(r, aluAdd, ao, bo)
		fc.failIf(cSlt, reg(r), ao, msgOverflow)
		fc.label(join)
		fc.outOfLine(func() {
			fc.label(neg)
			fc.aluTo(r, aluAdd, ao, bo)
			fc.failIf(cSgt, reg(r), ao, msgOverflow)
			fc.jmp(join)
		})
	}
	return out
}

func (fc *fctx) sub(t typ, a, b value, signed bool) value {
	lo, hi, known, safe := rangeOf(a, b, signed, func(x, y *big.Int) *big.Int { return new(big.Int).Sub(x, y) })
	if fc.noOpt {
		safe = false
	}
	if b.c != nil && b.c.i == 0 {
		return a
	}
	if !safe && !fc.noOpt && a.c == nil && b.c == nil && fc.knownGE(a, b, !signed) {
		safe, known = true, true
		lo, hi = 0, math.MaxInt64
	}
	ao, bo := fc.opnd(a), fc.opnd(b)
	if !signed {
		if !safe {
			fc.failIf(cLt, ao, bo, msgOverflow)
		}
		r := fc.alu(aluSub, ao, bo)
		return withRange(regVal(t, r), lo, hi, known)
	}
	r := fc.alu(aluSub, ao, bo)
	out := withRange(regVal(t, r), lo, hi, known)
	if safe {
		return out
	}
	switch {
	case b.c != nil && b.c.i > 0:
		fc.failIf(cSgt, reg(r), ao, msgOverflow)
	case b.c != nil:
		fc.failIf(cSlt, reg(r), ao, msgOverflow)
	case a.nonneg() && b.nonneg():
		// no overflow possible
	case b.nonneg():
		fc.failIf(cSgt, reg(r), ao, msgOverflow)
	default:
		f := fc.stream()
		*f = (*f)[:len(*f)-1]
		if ao.isImm {
			ao = reg(fc.regOf(ao))
		}
		neg, join := fc.newLabel(), fc.newLabel()
		fc.br(cSlt, bo, imm(0), neg)
		fc.aluTo(r, aluSub, ao, bo)
		fc.failIf(cSgt, reg(r), ao, msgOverflow)
		fc.label(join)
		fc.outOfLine(func() {
			fc.label(neg)
			fc.aluTo(r, aluSub, ao, bo)
			fc.failIf(cSlt, reg(r), ao, msgOverflow)
			fc.jmp(join)
		})
	}
	return out
}

// knownGE reports whether a >= b is known from facts about the variables
// holding them.
func (fc *fctx) knownGE(a, b value, unsigned bool) bool {
	an, bn := fc.varHolding(a), fc.varHolding(b)
	return an != "" && bn != "" && fc.hasFact(an, bn, false, unsigned)
}

// varHolding names the variable whose register v is, if any.
func (fc *fctx) varHolding(v value) string {
	if v.r == noReg {
		return ""
	}
	for s := fc.sc; s != nil; s = s.parent {
		for name, l := range s.vars {
			if l.r == v.r {
				if fc.lookup(name) == l {
					return name
				}
			}
		}
	}
	return ""
}

func (fc *fctx) mul(t typ, a, b value, signed bool) value {
	if a.c != nil {
		a, b = b, a
	}
	lo, hi, _, safe := rangeOf(a, b, signed, func(x, y *big.Int) *big.Int { return new(big.Int).Mul(x, y) })
	if fc.noOpt {
		safe = false
	}
	if b.c != nil && b.c.i == 1 {
		return a
	}
	if b.c != nil && b.c.i == 0 {
		return constInt(t, 0)
	}
	ao, bo := fc.opnd(a), fc.opnd(b)
	if safe {
		return withRange(regVal(t, fc.alu(aluMul, ao, bo)), lo, hi, true)
	}
	if b.c != nil {
		c := b.c.i
		if signed {
			if c == -1 {
				return fc.negate(a, nil)
			}
			// x*c overflows exactly when x is outside [MIN/c, MAX/c]
			top, bot := math.MaxInt64/c, math.MinInt64/c
			if c < 0 {
				top, bot = math.MinInt64/c, math.MaxInt64/c
			}
			fc.failIf(cSgt, ao, imm(top), msgOverflow)
			fc.failIf(cSlt, ao, imm(bot), msgOverflow)
		} else {
			fc.failIf(cGt, ao, imm(int64(math.MaxUint64/uint64(c))), msgOverflow)
		}
		return regVal(t, fc.alu(aluMul, ao, bo))
	}
	if signed {
		in := fc.c.runtimeInstance("%mul-s", []typ{tRaw, tRaw}, false)
		return regVal(t, fc.call(in, []opnd{ao, bo}))
	}
	r := fc.alu(aluMul, ao, bo)
	skip := fc.newLabel()
	fc.br(cEq, ao, imm(0), skip)
	q := fc.alu(aluDiv, reg(r), ao)
	fc.failIf(cNe, reg(q), bo, msgOverflow)
	fc.label(skip)
	return regVal(t, r)
}

func (fc *fctx) div(t typ, a, b value, signed, rem bool) value {
	if b.c != nil && b.c.i == 0 {
		return fc.errorf(ConstantError, nil, "division by zero")
	}
	ao, bo := fc.opnd(a), fc.opnd(b)
	if b.c == nil && !(b.rng && (b.lo > 0 || b.hi < 0)) {
		fc.failIf(cEq, bo, imm(0), msgDivZero)
	}
	op := aluDiv
	if rem {
		op = aluMod
	}
	if !signed || a.nonneg() && b.nonneg() {
		r := fc.alu(op, ao, bo)
		out := regVal(t, r)
		if a.rng && a.lo >= 0 {
			out = withRange(out, 0, a.hi, true)
		}
		return out
	}
	if b.c != nil && b.c.i > 0 && !rem && fitsImm32(b.c.i) {
		// a / c for c > 0: divide the magnitude, restore the sign
		r := fc.newReg()
		neg, join := fc.newLabel(), fc.newLabel()
		fc.br(cSlt, ao, imm(0), neg)
		fc.aluTo(r, aluDiv, ao, bo)
		fc.label(join)
		fc.outOfLine(func() {
			fc.label(neg)
			m := fc.alu(aluSub, imm(0), ao)
			q := fc.alu(aluDiv, reg(m), bo)
			fc.aluTo(r, aluSub, imm(0), reg(q))
			fc.jmp(join)
		})
		return regVal(t, r)
	}
	name := "%div-s"
	if rem {
		name = "%rem-s"
	}
	in := fc.c.runtimeInstance(name, []typ{tRaw, tRaw}, false)
	return regVal(t, fc.call(in, []opnd{ao, bo}))
}

func (fc *fctx) negate(v value, n *parse.Node) value {
	switch v.t.k {
	case kBottom:
		return v
	case kAny:
		v = fc.convert(v, tInt, n)
	}
	switch v.t.k {
	case kInt, kDec:
		if v.c != nil {
			if v.c.i == math.MinInt64 {
				return fc.errorf(ConstantError, n, "negating the smallest integer overflows")
			}
			return constInt(v.t, -v.c.i)
		}
		r := fc.alu(aluSub, imm(0), reg(v.r))
		if !(v.rng && v.lo > math.MinInt64) || fc.noOpt {
			fc.failIf(cEq, reg(v.r), imm(math.MinInt64), msgOverflow)
		}
		out := regVal(v.t, r)
		if v.rng && v.lo > math.MinInt64 {
			out = withRange(out, -v.hi, -v.lo, true)
		}
		return out
	case kRaw:
		return regVal(tRaw, fc.alu(aluSub, imm(0), fc.opnd(v)))
	}
	return fc.errorf(TypeError, n, "cannot negate a %s", v.t)
}

// rawArith is unchecked arithmetic for the runtime library.
func (fc *fctx) rawArith(op string, a, b value) value {
	if a.c != nil && b.c != nil {
		x, y := uint64(a.c.i), uint64(b.c.i)
		var r uint64
		switch op {
		case "+":
			r = x + y
		case "-":
			r = x - y
		case "*":
			r = x * y
		case "/", "quot":
			if y != 0 {
				r = x / y
			}
		case "%", "mod", "rem":
			if y != 0 {
				r = x % y
			}
		}
		return constInt(tRaw, int64(r))
	}
	ops := map[string]aluOp{"+": aluAdd, "-": aluSub, "*": aluMul, "/": aluDiv, "quot": aluDiv, "%": aluMod, "mod": aluMod, "rem": aluMod}
	return regVal(tRaw, fc.alu(ops[op], fc.opnd(a), fc.opnd(b)))
}

// bitForm compiles bit-and, bit-or, bit-xor, shl, shr and bit-not.
func (fc *fctx) bitForm(n *parse.Node) value {
	op := n.Head()
	args := n.Items[1:]
	if op == "bit-not" {
		if len(args) != 1 {
			return fc.errorf(ArityError, n, "bit-not takes one argument")
		}
		v := fc.expr(args[0])
		if v.t.k == kAny {
			v = fc.convert(v, tInt, args[0])
		}
		if !v.t.isInt() {
			return fc.errorf(TypeError, args[0], "bit-not needs an integer, got %s", v.t)
		}
		if v.c != nil {
			return constInt(v.t, ^v.c.i)
		}
		return regVal(v.t, fc.alu(aluXor, fc.opnd(v), imm(-1)))
	}
	if len(args) != 2 {
		return fc.errorf(ArityError, n, "%s takes two arguments", op)
	}
	a, b := fc.expr(args[0]), fc.expr(args[1])
	if a.t.k == kBottom || b.t.k == kBottom {
		return bottomVal
	}
	if a.t.k == kAny {
		a = fc.convert(a, tInt, args[0])
	}
	if b.t.k == kAny {
		b = fc.convert(b, tInt, args[1])
	}
	if !a.t.isInt() || !b.t.isInt() {
		return fc.errorf(TypeError, n, "%s needs integers", op)
	}
	t := a.t
	switch op {
	case "shl", "shr", "<<", ">>":
		if b.c != nil {
			if b.c.i < 0 || b.c.i > 63 {
				return fc.errorf(ConstantError, args[1], "shift by %d: shifts are 0 to 63", b.c.i)
			}
		} else {
			fc.failIf(cGt, fc.opnd(b), imm(63), "shift amount outside 0..63")
		}
		alu := aluLsh
		if op == "shr" || op == ">>" {
			alu = aluRsh
			if t.k == kInt {
				alu = aluArsh
			}
		}
		if a.c != nil && b.c != nil {
			x, s := a.c.i, uint(b.c.i)
			switch alu {
			case aluLsh:
				return constInt(t, x<<s)
			case aluRsh:
				return constInt(t, int64(uint64(x)>>s))
			default:
				return constInt(t, x>>s)
			}
		}
		return regVal(t, fc.alu(alu, fc.opnd(a), fc.opnd(b)))
	}
	alu := map[string]aluOp{"bit-and": aluAnd, "bit-or": aluOr, "bit-xor": aluXor, "logand": aluAnd, "logior": aluOr, "logxor": aluXor}[op]
	if a.c != nil && b.c != nil {
		x, y := a.c.i, b.c.i
		switch alu {
		case aluAnd:
			return constInt(t, x&y)
		case aluOr:
			return constInt(t, x|y)
		default:
			return constInt(t, x^y)
		}
	}
	out := regVal(t, fc.alu(alu, fc.opnd(a), fc.opnd(b)))
	if alu == aluAnd && b.c != nil && b.c.i >= 0 {
		out = withRange(out, 0, b.c.i, true)
	}
	return out
}

// minMax compiles (min a b …) and (max a b …).
func (fc *fctx) minMax(n *parse.Node) value {
	args := n.Items[1:]
	if len(args) == 0 {
		return fc.errorf(ArityError, n, "%s needs arguments", n.Head())
	}
	acc := fc.expr(args[0])
	for _, an := range args[1:] {
		b := fc.expr(an)
		a2, b2, k, ok := fc.numericPair(acc, b, args[0], an, n.Head())
		if !ok {
			return bottomVal
		}
		if k == kUint && (a2.t.k == kInt || b2.t.k == kInt) {
			a2, b2 = fc.toUnsigned(a2, args[0]), fc.toUnsigned(b2, an)
		}
		t := typ{k: k}
		c := cSgt // keep a when a > b (max)
		if n.Head() == "min" {
			c = cSlt
		}
		if k == kUint || k == kRaw {
			c = unsignedCond(c)
		}
		if a2.c != nil && b2.c != nil {
			if c.eval(a2.c.i, b2.c.i) {
				acc = constInt(t, a2.c.i)
			} else {
				acc = constInt(t, b2.c.i)
			}
			continue
		}
		r := fc.newReg()
		keep := fc.newLabel()
		fc.mov(r, fc.opnd(a2))
		fc.br(c, reg(r), fc.opnd(b2), keep)
		fc.mov(r, fc.opnd(b2))
		fc.label(keep)
		acc = regVal(t, r)
		if a2.rng && b2.rng {
			if n.Head() == "min" {
				acc = withRange(acc, min(a2.lo, b2.lo), min(a2.hi, b2.hi), true)
			} else {
				acc = withRange(acc, max(a2.lo, b2.lo), max(a2.hi, b2.hi), true)
			}
		}
	}
	return acc
}
