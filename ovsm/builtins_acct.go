package ovsm

import (
	"fmt"
	"math"
	"strings"

	"github.com/agora-vm/agora/ovsm/parse"
)

// Built-in functions on accounts and their data.

// account extracts an account pointer from a value.
func (fc *fctx) account(v value, n *parse.Node) (opnd, bool) {
	switch v.t.k {
	case kAccount, kData:
		return fc.opnd(v), true
	case kAny:
		a := fc.convert(v, tAccount, n)
		if a.t.k == kBottom {
			return opnd{}, false
		}
		return fc.opnd(a), true
	}
	fc.errorf(TypeError, n, "expected an account, got %s", v.t)
	return opnd{}, false
}

// accountArgs evaluates the arguments of n, checking their number, and
// the first as an account.
func (fc *fctx) accountArgs(n *parse.Node, lo, hi int) ([]value, opnd, bool) {
	vs, ok := fc.args(n, lo, hi)
	if !ok {
		return nil, opnd{}, false
	}
	a, ok := fc.account(vs[0], fc.arg(n, 0))
	return vs, a, ok
}

// Offsets in a serialized account entry (see package abi).
const (
	accSigner     = 1
	accWritable   = 2
	accExecutable = 3
	accKey        = 8
	accOwner      = 40
	accLamports   = 72
	accDataLen    = 80
	accData       = 88
)

func (fc *fctx) bBalance(n *parse.Node) value {
	_, a, ok := fc.accountArgs(n, 1, 1)
	if !ok {
		return bottomVal
	}
	return regVal(tUint, fc.load(8, a, accLamports))
}

func (fc *fctx) bSetBalance(n *parse.Node) value {
	vs, a, ok := fc.accountArgs(n, 2, 2)
	if !ok {
		return bottomVal
	}
	v := fc.convert(vs[1], tUint, fc.arg(n, 1))
	if v.t.k == kBottom {
		return bottomVal
	}
	fc.store(8, a, accLamports, fc.opnd(v))
	return nilVal
}

// copyBytes allocates a byte array holding n bytes at src.
func (fc *fctx) copyBytes(src opnd, off int64, n int64) vreg {
	out := fc.alloc(imm(8 + n))
	fc.store(8, reg(out), 0, imm(tagBytes|n<<32))
	for i := int64(0); i < n; i += 8 {
		w := fc.load(8, src, off+i)
		fc.store(8, reg(out), 8+i, reg(w))
	}
	return out
}

func (fc *fctx) bKey(n *parse.Node) value {
	_, a, ok := fc.accountArgs(n, 1, 1)
	if !ok {
		return bottomVal
	}
	off := int64(accKey)
	if strings.Contains(n.Head(), "owner") {
		off = accOwner
	}
	return regVal(tBytes, fc.copyBytes(a, off, 32))
}

// bKeyEq is (key= a b): whether two accounts have the same key, or
// (owned-by? account key-bytes): whether its owner is key. No copies.
func (fc *fctx) bKeyEq(n *parse.Node) value {
	vs, a, ok := fc.accountArgs(n, 2, 2)
	if !ok {
		return bottomVal
	}
	aOff := int64(accKey)
	if n.Head() == "owned-by?" {
		aOff = accOwner
	}
	var b opnd
	bOff := int64(accKey)
	switch vs[1].t.k {
	case kAccount, kData:
		b = fc.opnd(vs[1])
	default:
		bv := vs[1]
		if bv.t.k == kAny {
			bv = fc.convert(bv, tBytes, fc.arg(n, 1))
		}
		if bv.t.k != kBytes {
			return fc.errorf(TypeError, fc.arg(n, 1), "expected an account or a 32-byte key, got %s", bv.t)
		}
		b = fc.opnd(bv)
		bOff = 8
		ln := fc.load(4, b, 4)
		r := fc.newReg()
		no := fc.newLabel()
		fc.mov(r, imm(0))
		fc.br(cNe, reg(ln), imm(32), no)
		fc.compareWords(r, a, aOff, b, bOff, no)
		fc.label(no)
		return regVal(tBool, r)
	}
	r := fc.newReg()
	no := fc.newLabel()
	fc.mov(r, imm(0))
	fc.compareWords(r, a, aOff, b, bOff, no)
	fc.label(no)
	return regVal(tBool, r)
}

// compareWords sets r to 1 when the 32 bytes at a+aOff and b+bOff are
// equal, else jumps to no (with r still 0).
func (fc *fctx) compareWords(r vreg, a opnd, aOff int64, b opnd, bOff int64, no int) {
	for i := int64(0); i < 32; i += 8 {
		x := fc.load(8, a, aOff+i)
		y := fc.load(8, b, bOff+i)
		fc.br(cNe, reg(x), reg(y), no)
	}
	fc.mov(r, imm(1))
}

func (fc *fctx) bFlag(n *parse.Node) value {
	_, a, ok := fc.accountArgs(n, 1, 1)
	if !ok {
		return bottomVal
	}
	off := int64(accSigner)
	switch {
	case strings.Contains(n.Head(), "writable"):
		off = accWritable
	case strings.Contains(n.Head(), "executable"):
		off = accExecutable
	}
	return withRange(regVal(tBool, fc.load(1, a, off)), 0, 1, true)
}

func (fc *fctx) bDataLen(n *parse.Node) value {
	vs, a, ok := fc.accountArgs(n, 1, 1)
	if !ok {
		return bottomVal
	}
	v := withRange(regVal(tUint, fc.load(8, a, accDataLen)), 0, 1<<40, true)
	if !a.isImm && vs[0].t.k == kAccount && fc.stableReg(vs[0]) {
		v.origin = fmt.Sprintf("datalen:%d", a.r)
	}
	return v
}

func (fc *fctx) bData(n *parse.Node) value {
	_, a, ok := fc.accountArgs(n, 1, 1)
	if !ok {
		return bottomVal
	}
	return regVal(tData, fc.regOf(a))
}

func (fc *fctx) bNumAccounts(n *parse.Node) value {
	if len(n.Items) != 1 {
		return fc.errorf(ArityError, n, "num-accounts takes no arguments")
	}
	return fc.lengthOf(value{t: tAccounts, r: noReg, c: &cval{}}, n)
}

func (fc *fctx) bProgramID(n *parse.Node) value {
	if len(n.Items) != 1 {
		return fc.errorf(ArityError, n, "program-id takes no arguments")
	}
	fc.c.useProgramID()
	h := fc.heapBase()
	p := fc.load(8, reg(h), hdrProgramID)
	return regVal(tBytes, fc.copyBytes(reg(p), 0, 32))
}

// readAt reads an integer of size bytes at an offset of a target with a
// length: account data, instruction data, strings and byte arrays.
func (fc *fctx) readAt(target, offv value, offNode, n *parse.Node, size uint8, signed bool) value {
	base, length, ok := fc.region(target, offNode)
	if !ok {
		return bottomVal
	}
	off := fc.convert(offv, tUint, offNode)
	if off.t.k == kBottom {
		return bottomVal
	}
	// inside a loop over [0, (data-len account)) a byte at the index is
	// always there
	elide := false
	if size == 1 && !fc.noOpt && (target.t.k == kAccount || target.t.k == kData) && !fc.opnd(target).isImm {
		if name := fc.varHolding(offv); name != "" {
			elide = fc.hasFact(fmt.Sprintf("datalen:%d", fc.opnd(target).r), name, true, false) ||
				fc.hasFact(fmt.Sprintf("datalen:%d", fc.opnd(target).r), name, true, true)
		}
	}
	if !elide {
		fc.boundsCheck(off, length(), int64(size))
	}
	var addr opnd
	var disp int64
	if cur := fc.loopCursorFor(elide, target, base, offv, off); cur != nil {
		// the loop keeps cur.p = account + index
		cur.used = true
		addr = reg(cur.p)
	} else if off.c != nil {
		addr, disp = base, off.c.i
		if !fitsImm16(disp) {
			addr, disp = reg(fc.alu(aluAdd, base, imm(disp))), 0
		}
	} else {
		addr = reg(fc.alu(aluAdd, base, fc.opnd(off)))
	}
	if fc.regionBaseOffset(target) != 0 {
		if fitsImm16(disp + fc.regionBaseOffset(target)) {
			disp += fc.regionBaseOffset(target)
		} else {
			addr = reg(fc.alu(aluAdd, addr, imm(fc.regionBaseOffset(target))))
		}
	}
	r := fc.load(size, addr, disp)
	if signed && size < 8 {
		sh := int64(64 - 8*int(size))
		fc.aluTo(r, aluLsh, reg(r), imm(sh))
		fc.aluTo(r, aluArsh, reg(r), imm(sh))
		lo := -(int64(1) << (8*size - 1))
		return withRange(regVal(tInt, r), lo, -lo-1, true)
	}
	if signed {
		return regVal(tInt, r)
	}
	v := regVal(tUint, r)
	if size < 8 {
		v = withRange(v, 0, int64(1)<<(8*size)-1, true)
	}
	return v
}

// loopCursorFor returns the cursor of the loop index off when reading
// byte off of target can use it: the bounds check is elided (the index
// is below the data length of this very account) and off is the loop
// variable itself, unconverted.
func (fc *fctx) loopCursorFor(elide bool, target value, base opnd, offv, off value) *loopCursor {
	if !elide || base.isImm || off.c != nil || off.r != offv.r {
		return nil
	}
	name := fc.varHolding(offv)
	if name == "" {
		return nil
	}
	l := fc.lookup(name)
	if l == nil || l.cursor == nil || l.r != off.r || l.cursor.acct != base.r || fc.opnd(target).r != base.r {
		return nil
	}
	return l.cursor
}

func fitsImm16(v int64) bool { return v >= -32768 && v < 32768 }

// region returns the base register of a readable target and a function
// that loads its length (called only when a bounds check needs it). For
// accounts the base is the entry (data at +88, see regionBaseOffset).
func (fc *fctx) region(target value, n *parse.Node) (opnd, func() opnd, bool) {
	switch target.t.k {
	case kAccount, kData:
		a := fc.opnd(target)
		return a, func() opnd { return reg(fc.load(8, a, accDataLen)) }, true
	case kIData:
		fc.c.useIData()
		h := fc.heapBase()
		return reg(fc.load(8, reg(h), hdrIData)), func() opnd { return reg(fc.load(8, reg(h), hdrIDataLen)) }, true
	case kStr, kBytes:
		o := fc.reg(target)
		return reg(o), func() opnd { return reg(fc.load(4, reg(o), 4)) }, true
	case kAny:
		a := fc.convert(target, tAccount, n)
		if a.t.k == kBottom {
			return opnd{}, nil, false
		}
		return fc.region(a, n)
	}
	fc.errorf(TypeError, n, "expected an account, account data, instruction data, a string or bytes, got %s", target.t)
	return opnd{}, nil, false
}

func (fc *fctx) regionBaseOffset(target value) int64 {
	switch target.t.k {
	case kAccount, kData:
		return accData
	case kStr, kBytes:
		return 8
	}
	return 0
}

// boundsCheck raises unless off+size <= length.
func (fc *fctx) boundsCheck(off value, length opnd, size int64) {
	const msg = "read or write outside the data"
	if off.c != nil {
		if off.c.i < 0 || off.c.i > math.MaxInt64-size {
			fc.raiseStatic(msg)
			return
		}
		fc.failIf(cLt, length, imm(off.c.i+size), msg)
		return
	}
	fc.failIf(cLt, length, imm(size), msg)
	lim := fc.alu(aluSub, length, imm(size))
	fc.failIf(cGt, fc.opnd(off), reg(lim), msg)
}

func (fc *fctx) bRead(n *parse.Node, size uint8, signed bool) value {
	vs, ok := fc.args(n, 2, 2)
	if !ok {
		return bottomVal
	}
	return fc.readAt(vs[0], vs[1], fc.arg(n, 1), n, size, signed)
}

func (fc *fctx) bWrite(n *parse.Node, size uint8, signed bool) value {
	vs, ok := fc.args(n, 3, 3)
	if !ok {
		return bottomVal
	}
	target := vs[0]
	if target.t.k == kAny {
		target = fc.convert(target, tAccount, fc.arg(n, 0))
	}
	if target.t.k != kAccount && target.t.k != kData {
		return fc.errorf(TypeError, fc.arg(n, 0), "%s writes account data; got %s", n.Head(), target.t)
	}
	want := tUint
	if signed {
		want = tInt
	}
	v := fc.convert(vs[2], want, fc.arg(n, 2))
	if v.t.k == kBottom {
		return bottomVal
	}
	// the value must fit the field
	if size < 8 {
		bitsN := 8 * int64(size)
		if signed {
			lo, hi := -(int64(1) << (bitsN - 1)), int64(1)<<(bitsN-1)-1
			if v.c != nil {
				if v.c.i < lo || v.c.i > hi {
					return fc.errorf(ConstantError, fc.arg(n, 2), "%d does not fit in %d bits", v.c.i, bitsN)
				}
			} else if !(v.rng && v.lo >= lo && v.hi <= hi) {
				fc.failIf(cSgt, fc.opnd(v), imm(hi), fmt.Sprintf("value does not fit in %d bits", bitsN))
				fc.failIf(cSlt, fc.opnd(v), imm(lo), fmt.Sprintf("value does not fit in %d bits", bitsN))
			}
		} else {
			hi := int64(1)<<bitsN - 1
			if v.c != nil {
				if uint64(v.c.i) > uint64(hi) {
					return fc.errorf(ConstantError, fc.arg(n, 2), "%d does not fit in %d bits", uint64(v.c.i), bitsN)
				}
			} else if !(v.rng && v.lo >= 0 && v.hi <= hi) {
				fc.failIf(cGt, fc.opnd(v), imm(hi), fmt.Sprintf("value does not fit in %d bits", bitsN))
			}
		}
	}
	a := fc.opnd(target)
	length := reg(fc.load(8, a, accDataLen))
	off := fc.convert(vs[1], tUint, fc.arg(n, 1))
	if off.t.k == kBottom {
		return bottomVal
	}
	fc.boundsCheck(off, length, int64(size))
	if off.c != nil && fitsImm16(off.c.i+accData) {
		fc.store(size, a, off.c.i+accData, fc.opnd(v))
	} else {
		addr := fc.alu(aluAdd, a, fc.opnd(off))
		fc.store(size, reg(addr), accData, fc.opnd(v))
	}
	return nilVal
}
