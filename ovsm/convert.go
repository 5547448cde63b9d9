package ovsm

import (
	"math"

	"github.com/agora-vm/agora/ovsm/parse"
)

// convert turns v into a value of type t: boxing into kAny, unboxing
// from it with a run-time tag check, or a checked change of signedness.
// Impossible conversions are type errors.
func (fc *fctx) convert(v value, t typ, n *parse.Node) value {
	if v.t == t || v.t.k == kBottom || t.k == kBottom {
		return v
	}
	if t.k == kAny {
		return fc.box(v, n)
	}
	if t.k == kRaw {
		v.t = tRaw
		return v
	}
	switch {
	case v.t.k == kAny:
		return fc.unbox(v, t, n)
	case v.t.k == kRaw:
		v.t = t
		return v
	case v.t.k == kInt && t.k == kUint:
		return fc.toUnsigned(v, n)
	case v.t.k == kUint && t.k == kInt:
		if v.c != nil {
			if uint64(v.c.i) > math.MaxInt64 {
				return fc.errorf(TypeError, n, "%d does not fit an int", uint64(v.c.i))
			}
			return constInt(tInt, v.c.i)
		}
		if !(v.rng && v.lo >= 0) {
			fc.failIf(cSlt, reg(v.r), imm(0), "u64 value too large for an int")
		}
		out := regVal(tInt, v.r)
		return withRange(out, max(v.lo, 0), v.hi, v.rng)
	case v.t.k == kFn && t.k == kFn:
		// two different known functions: only through kAny
		return fc.errorf(TypeError, n, "expected %s, got %s", t, v.t)
	}
	return fc.errorf(TypeError, n, "expected %s, got %s", t, v.t)
}

// box makes a kAny value.
func (fc *fctx) box(v value, n *parse.Node) value {
	if v.t.isPtr() {
		if v.t.k == kFn {
			return regVal(tAny, fc.closureObject(v))
		}
		if v.c != nil {
			return regVal(tAny, fc.regOf(fc.opnd(v)))
		}
		out := v
		out.t = tAny
		return out
	}
	switch v.t.k {
	case kNil:
		return value{t: tAny, r: noReg, c: &cval{}}
	case kBool:
		if v.c != nil {
			return regVal(tAny, fc.roAddr(fc.c.ro.boolean(v.c.i != 0)))
		}
		r := fc.newReg()
		t := fc.c.ro.boolean(true)
		f := fc.c.ro.boolean(false)
		l := fc.newLabel()
		fc.emit(inst{op: opAddr, dst: r, off: int64(t), dst2: noReg})
		fc.br(cNe, reg(v.r), imm(0), l)
		fc.emit(inst{op: opAddr, dst: r, off: int64(f), dst2: noReg})
		fc.label(l)
		return regVal(tAny, r)
	case kInt, kUint, kDec, kAccount, kData:
		p := fc.alloc(imm(16))
		fc.store(8, reg(p), 0, imm(tagOf(v.t.k)))
		fc.store(8, reg(p), 8, fc.opnd(v))
		return regVal(tAny, p)
	case kAccounts, kIData:
		if v.t.k == kIData {
			fc.c.useIData()
		} else {
			fc.c.walkUsed = true
		}
		return regVal(tAny, fc.roAddr(fc.c.ro.object(int(tagOf(v.t.k)), nil)))
	case kRaw:
		out := v
		out.t = tAny
		return out
	}
	return fc.errorf(TypeError, n, "a %s cannot be stored as a value", v.t)
}

// unbox checks the tag of a kAny value and extracts a t.
func (fc *fctx) unbox(v value, t typ, n *parse.Node) value {
	if v.c != nil && v.c.i == 0 {
		if t.k == kNil {
			return nilVal
		}
		return fc.errorf(TypeError, n, "expected %s, got nil", t)
	}
	p := fc.reg(v)
	switch t.k {
	case kNil:
		fc.failIf(cNe, reg(p), imm(0), "type error: expected nil")
		return nilVal
	case kFn:
		return fc.errorf(TypeError, n, "a value of unknown type cannot be used as %s", t)
	}
	tag := tagOf(t.k)
	if t.k == kBool {
		// true and false are distinct objects
		r := fc.newReg()
		slow, join := fc.newLabel(), fc.newLabel()
		fc.br(cEq, reg(p), imm(0), slow)
		tg := fc.load(1, reg(p), 0)
		fc.mov(r, imm(1))
		fc.br(cEq, reg(tg), imm(tagTrue), join)
		fc.mov(r, imm(0))
		fc.br(cEq, reg(tg), imm(tagFalse), join)
		fc.label(slow)
		fc.typeMismatch(p, t)
		fc.label(join)
		return regVal(tBool, r)
	}
	switch t.k {
	case kInt, kUint, kDec:
		r := fc.newReg()
		slow, join := fc.newLabel(), fc.newLabel()
		fc.br(cEq, reg(p), imm(0), slow)
		tg := fc.load(1, reg(p), 0)
		fc.br(cNe, reg(tg), imm(tag), slow)
		fc.loadTo(r, 8, reg(p), 8)
		fc.label(join)
		fc.outOfLine(func() {
			fc.label(slow)
			if t.k == kDec {
				fc.typeMismatch(p, t)
			} else {
				// an int where a u64 is wanted (or the reverse) converts when
				// its value fits
				name := "%unbox-int"
				if t.k == kUint {
					name = "%unbox-uint"
				}
				in := fc.c.runtimeInstance(name, []typ{tRaw}, false)
				x := fc.call(in, []opnd{reg(p)})
				fc.mov(r, reg(x))
				fc.jmp(join)
			}
		})
		out := regVal(t, r)
		if t.k == kUint {
			out = withRange(out, 0, math.MaxInt64, false)
		}
		return out
	case kAccount, kData:
		r := fc.newReg()
		slow := fc.newLabel()
		join := fc.newLabel()
		fc.br(cEq, reg(p), imm(0), slow)
		tg := fc.load(1, reg(p), 0)
		fc.br(cNe, reg(tg), imm(tag), slow)
		fc.loadTo(r, 8, reg(p), 8)
		fc.jmp(join)
		fc.label(slow)
		fc.typeMismatch(p, t)
		fc.label(join)
		return regVal(t, r)
	}
	// pointer kinds and singletons: check the tag
	slow, join := fc.newLabel(), fc.newLabel()
	fc.br(cEq, reg(p), imm(0), slow)
	tg := fc.load(1, reg(p), 0)
	fc.br(cEq, reg(tg), imm(tag), join)
	fc.label(slow)
	fc.typeMismatch(p, t)
	fc.label(join)
	if t.singleton() {
		return value{t: t, r: noReg, c: &cval{}}
	}
	return regVal(t, p)
}

// typeMismatch raises "type error: expected T, got <tag of p>".
func (fc *fctx) typeMismatch(p vreg, t typ) {
	in := fc.c.runtimeInstance("%type-error", []typ{tRaw, tStr}, false)
	msg := fc.c.ro.str("expected " + t.String())
	e := fc.call(in, []opnd{reg(p), reg(fc.roAddr(msg))})
	fc.raiseHere(e)
}

// toStr converts a value to a string object (for messages).
func (fc *fctx) toStr(v value, n *parse.Node) opnd {
	if v.t.k == kStr {
		return fc.opnd(v)
	}
	return fc.opnd(fc.stringify(v, n))
}

// bytesLike checks that a value of unknown type is a string, keyword or
// byte array, and returns it typed as bytes (they share the layout).
func (fc *fctx) bytesLike(v value, n *parse.Node) value {
	if v.t.k != kAny {
		return v
	}
	if v.c != nil {
		return fc.errorf(TypeError, n, "expected bytes or a string, got nil")
	}
	p := fc.reg(v)
	bad, ok := fc.newLabel(), fc.newLabel()
	fc.br(cEq, reg(p), imm(0), bad)
	tg := fc.load(1, reg(p), 0)
	fc.br(cEq, reg(tg), imm(tagBytes), ok)
	fc.br(cEq, reg(tg), imm(tagStr), ok)
	fc.br(cEq, reg(tg), imm(tagKw), ok)
	fc.label(bad)
	fc.typeMismatch(p, typ{k: kBytes})
	fc.label(ok)
	return regVal(tBytes, p)
}
