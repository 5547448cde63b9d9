package symex

import (
	"fmt"

	"github.com/go-air/gini/z"

	"github.com/agora-vm/agora/sbpf"
)

// alu executes an ALU instruction bit-precisely (the interpreter's
// semantics for every version) and checks it for wrap-around. It returns
// false when the instruction faults (division by zero).
func (e *engine) alu(s *state, op sbpf.Op, info sbpf.OpInfo, insn sbpf.Instruction, src bv, srcPtr bool) bool {
	c := e.c
	d := s.regs[insn.Dst]
	dstPtr := e.addrish(s, insn.Dst)
	ptrOp := dstPtr || srcPtr
	lo := func(a bv) bv { return a[:32] }
	z32 := func(a bv) bv { return c.zext(a, 64) }
	s32 := func(a bv) bv { return c.sext(a, 64) }
	immNeg := info.Format == sbpf.FmtALUImm && insn.Imm < 0
	check := func(viol z.Lit, what string) {
		if !e.cfg.Overflow || ptrOp || e.cfg.NoWrap != nil && e.cfg.NoWrap(s.pc) {
			return
		}
		e.report(s, "overflow", viol, what)
	}
	var out bv
	isPtr := false
	if e.cfg.Version.ExplicitSignExtension() || e.cfg.Version.SwapSubImmOperands() {
		// V2: ALU32 results are zero-extended, mov32 reg sign-extends, and
		// `sub dst, imm` computes imm - dst.
		done := true
		switch {
		case op == sbpf.OpAdd32Imm || op == sbpf.OpAdd32Reg:
			r, carry := c.add(lo(d), lo(src))
			out = z32(r)
			if immNeg {
				_, borrow := c.sub(lo(d), c.konst(uint64(uint32(-insn.Imm)), 32))
				check(borrow, "32-bit add of a negative immediate can go below zero (unsigned wrap)")
			} else {
				check(carry, "32-bit add can exceed 2^32-1 (unsigned wrap)")
			}
		case op == sbpf.OpSub32Imm:
			r, borrow := c.sub(lo(src), lo(d))
			out = z32(r)
			check(borrow, "32-bit subtract from an immediate can go below zero (unsigned wrap)")
		case op == sbpf.OpSub32Reg:
			r, borrow := c.sub(lo(d), lo(src))
			out = z32(r)
			check(borrow, "32-bit subtract can go below zero (unsigned wrap)")
		case op == sbpf.OpMov32Reg:
			out = s32(lo(src))
		case op == sbpf.OpSub64Imm:
			var borrow z.Lit
			out, borrow = c.sub(src, d)
			check(borrow, "64-bit subtract from an immediate can go below zero (unsigned wrap)")
		default:
			done = false
		}
		if done {
			e.setReg(s, insn.Dst, out, false)
			return true
		}
	}
	switch op {
	case sbpf.OpLmul64Imm, sbpf.OpLmul64Reg:
		var ov z.Lit
		out, ov = c.mul(d, src)
		check(ov, "64-bit multiply can exceed 2^64-1 (unsigned wrap)")
	case sbpf.OpLmul32Imm, sbpf.OpLmul32Reg:
		r, ov := c.mul(lo(d), lo(src))
		out = z32(r)
		check(ov, "32-bit multiply can exceed 2^32-1 (unsigned wrap)")
	case sbpf.OpUdiv64Imm, sbpf.OpUdiv64Reg, sbpf.OpUrem64Imm, sbpf.OpUrem64Reg:
		if info.Format == sbpf.FmtALUImm {
			src = z32(lo(src)) // the immediate is zero-extended
		}
		if !e.nonzero(s, src) {
			return false
		}
		q, r := c.udivrem(d, src)
		out = q
		if op == sbpf.OpUrem64Imm || op == sbpf.OpUrem64Reg {
			out = r
		}
	case sbpf.OpUdiv32Imm, sbpf.OpUdiv32Reg, sbpf.OpUrem32Imm, sbpf.OpUrem32Reg:
		if !e.nonzero(s, z32(lo(src))) {
			return false
		}
		q, r := c.udivrem(lo(d), lo(src))
		out = z32(q)
		if op == sbpf.OpUrem32Imm || op == sbpf.OpUrem32Reg {
			out = z32(r)
		}
	case sbpf.OpHor64Imm:
		out = c.bitwise(d, c.konst(uint64(uint32(insn.Imm))<<32, 64), c.Or)
	case sbpf.OpUhmul64Imm, sbpf.OpUhmul64Reg, sbpf.OpShmul64Imm, sbpf.OpShmul64Reg,
		sbpf.OpSdiv64Imm, sbpf.OpSdiv64Reg, sbpf.OpSrem64Imm, sbpf.OpSrem64Reg,
		sbpf.OpSdiv32Imm, sbpf.OpSdiv32Reg, sbpf.OpSrem32Imm, sbpf.OpSrem32Reg:
		// High products and signed division are over-approximated: any
		// result (the VM may also fault, which ends the path).
		out = c.fresh(64)
		if info.Is32 {
			out = z32(out[:32])
		}
		if s.approx == "" {
			s.approx = fmt.Sprintf("%s at pc %d", info.Mnemonic, s.pc)
		}
	case sbpf.OpMov64Imm, sbpf.OpMov64Reg:
		out, isPtr = src, srcPtr
	case sbpf.OpMov32Imm, sbpf.OpMov32Reg:
		out = z32(lo(src))
	case sbpf.OpAdd64Imm, sbpf.OpAdd64Reg:
		var carry z.Lit
		out, carry = c.add(d, src)
		if immNeg {
			_, borrow := c.sub(d, c.konst(uint64(-int64(insn.Imm)), 64))
			check(borrow, "64-bit add of a negative immediate can go below zero (unsigned wrap)")
		} else {
			check(carry, "64-bit add can exceed 2^64-1 (unsigned wrap)")
		}
		isPtr = ptrOp
	case sbpf.OpSub64Imm, sbpf.OpSub64Reg:
		var borrow z.Lit
		out, borrow = c.sub(d, src)
		if immNeg {
			_, carry := c.add(d, c.konst(uint64(-int64(insn.Imm)), 64))
			check(carry, "64-bit subtract of a negative immediate can exceed 2^64-1 (unsigned wrap)")
		} else {
			check(borrow, "64-bit subtract can go below zero (unsigned wrap)")
		}
		isPtr = dstPtr && !srcPtr
	case sbpf.OpMul64Imm, sbpf.OpMul64Reg:
		var ov z.Lit
		out, ov = c.mul(d, src)
		check(ov, "64-bit multiply can exceed 2^64-1 (unsigned wrap)")
	case sbpf.OpDiv64Imm, sbpf.OpDiv64Reg, sbpf.OpMod64Imm, sbpf.OpMod64Reg:
		if !e.nonzero(s, src) {
			return false
		}
		q, r := c.udivrem(d, src)
		out = q
		if op == sbpf.OpMod64Imm || op == sbpf.OpMod64Reg {
			out = r
		}
	case sbpf.OpOr64Imm, sbpf.OpOr64Reg:
		out = c.bitwise(d, src, c.Or)
	case sbpf.OpAnd64Imm, sbpf.OpAnd64Reg:
		out = c.bitwise(d, src, c.And)
	case sbpf.OpXor64Imm, sbpf.OpXor64Reg:
		out = c.bitwise(d, src, c.Xor)
	case sbpf.OpLsh64Imm, sbpf.OpLsh64Reg:
		var lost z.Lit
		out, lost = c.shift(d, src[:6], 0)
		check(lost, "64-bit left shift can shift set bits out (unsigned wrap)")
	case sbpf.OpRsh64Imm, sbpf.OpRsh64Reg:
		out, _ = c.shift(d, src[:6], 1)
	case sbpf.OpArsh64Imm, sbpf.OpArsh64Reg:
		out, _ = c.shift(d, src[:6], 2)
	case sbpf.OpNeg64:
		out, _ = c.sub(c.konst(0, 64), d)
		check(c.eq(d, c.konst(1<<63, 64)), "64-bit negation of the most negative value wraps")
	case sbpf.OpAdd32Imm, sbpf.OpAdd32Reg:
		r, carry := c.add(lo(d), lo(src))
		out = s32(r)
		if immNeg {
			_, borrow := c.sub(lo(d), c.konst(uint64(uint32(-insn.Imm)), 32))
			check(borrow, "32-bit add of a negative immediate can go below zero (unsigned wrap)")
		} else {
			check(carry, "32-bit add can exceed 2^32-1 (unsigned wrap)")
		}
	case sbpf.OpSub32Imm, sbpf.OpSub32Reg:
		r, borrow := c.sub(lo(d), lo(src))
		out = s32(r)
		if !immNeg {
			check(borrow, "32-bit subtract can go below zero (unsigned wrap)")
		}
	case sbpf.OpMul32Imm, sbpf.OpMul32Reg:
		r, ov := c.mul(lo(d), lo(src))
		out = s32(r)
		check(ov, "32-bit multiply can exceed 2^32-1 (unsigned wrap)")
	case sbpf.OpDiv32Imm, sbpf.OpDiv32Reg, sbpf.OpMod32Imm, sbpf.OpMod32Reg:
		if !e.nonzero(s, z32(lo(src))) {
			return false
		}
		q, r := c.udivrem(lo(d), lo(src))
		out = z32(q)
		if op == sbpf.OpMod32Imm || op == sbpf.OpMod32Reg {
			out = z32(r)
		}
	case sbpf.OpOr32Imm, sbpf.OpOr32Reg:
		out = z32(c.bitwise(lo(d), lo(src), c.Or))
	case sbpf.OpAnd32Imm, sbpf.OpAnd32Reg:
		out = z32(c.bitwise(lo(d), lo(src), c.And))
	case sbpf.OpXor32Imm, sbpf.OpXor32Reg:
		out = z32(c.bitwise(lo(d), lo(src), c.Xor))
	case sbpf.OpLsh32Imm, sbpf.OpLsh32Reg:
		r, lost := c.shift(lo(d), src[:5], 0)
		out = z32(r)
		check(lost, "32-bit left shift can shift set bits out (unsigned wrap)")
	case sbpf.OpRsh32Imm, sbpf.OpRsh32Reg:
		r, _ := c.shift(lo(d), src[:5], 1)
		out = z32(r)
	case sbpf.OpArsh32Imm, sbpf.OpArsh32Reg:
		r, _ := c.shift(lo(d), src[:5], 2)
		out = z32(r)
	case sbpf.OpNeg32:
		r, _ := c.sub(c.konst(0, 32), lo(d))
		out = z32(r)
		check(c.eq(lo(d), c.konst(1<<31, 32)), "32-bit negation of the most negative value wraps")
	case sbpf.OpLe:
		switch insn.Imm {
		case 16:
			out = c.zext(d[:16], 64)
		case 32:
			out = c.zext(d[:32], 64)
		default:
			out = d
		}
	case sbpf.OpBe:
		w := int(insn.Imm)
		if w != 16 && w != 32 && w != 64 {
			return false
		}
		r := make(bv, w)
		for i := 0; i < w/8; i++ {
			copy(r[8*i:8*i+8], d[w-8*(i+1):w-8*i])
		}
		out = c.zext(r, 64)
	default:
		e.incomplete(fmt.Sprintf("instruction %s is not modelled", info.Mnemonic))
		return false
	}
	e.setReg(s, insn.Dst, out, isPtr)
	return true
}

// nonzero constrains the path to a nonzero divisor; it returns false when
// the divisor must be zero (the VM faults with DivideByZero).
func (e *engine) nonzero(s *state, a bv) bool {
	z := e.c.isZero(a)
	switch z {
	case e.c.F:
		return true
	case e.c.T:
		return false
	}
	if e.check(s, z.Not()) != 1 {
		return false // a zero divisor, or undecided (noted by solve)
	}
	s.model = e.last
	s.cond = append(s.cond, z.Not())
	return true
}

// jcond is the condition of a conditional jump.
func (e *engine) jcond(op sbpf.Op, info sbpf.OpInfo, a, b bv) z.Lit {
	c := e.c
	if info.Is32 {
		a, b = a[:32], b[:32]
	}
	switch op {
	case sbpf.OpJeqImm, sbpf.OpJeqReg, sbpf.OpJeq32Imm, sbpf.OpJeq32Reg:
		return c.eq(a, b)
	case sbpf.OpJneImm, sbpf.OpJneReg, sbpf.OpJne32Imm, sbpf.OpJne32Reg:
		return c.eq(a, b).Not()
	case sbpf.OpJgtImm, sbpf.OpJgtReg, sbpf.OpJgt32Imm, sbpf.OpJgt32Reg:
		return c.ult(b, a)
	case sbpf.OpJgeImm, sbpf.OpJgeReg, sbpf.OpJge32Imm, sbpf.OpJge32Reg:
		return c.ult(a, b).Not()
	case sbpf.OpJltImm, sbpf.OpJltReg, sbpf.OpJlt32Imm, sbpf.OpJlt32Reg:
		return c.ult(a, b)
	case sbpf.OpJleImm, sbpf.OpJleReg, sbpf.OpJle32Imm, sbpf.OpJle32Reg:
		return c.ult(b, a).Not()
	case sbpf.OpJsetImm, sbpf.OpJsetReg, sbpf.OpJset32Imm, sbpf.OpJset32Reg:
		return c.isZero(c.bitwise(a, b, c.And)).Not()
	case sbpf.OpJsgtImm, sbpf.OpJsgtReg, sbpf.OpJsgt32Imm, sbpf.OpJsgt32Reg:
		return c.slt(b, a)
	case sbpf.OpJsgeImm, sbpf.OpJsgeReg, sbpf.OpJsge32Imm, sbpf.OpJsge32Reg:
		return c.slt(a, b).Not()
	case sbpf.OpJsltImm, sbpf.OpJsltReg, sbpf.OpJslt32Imm, sbpf.OpJslt32Reg:
		return c.slt(a, b)
	case sbpf.OpJsleImm, sbpf.OpJsleReg, sbpf.OpJsle32Imm, sbpf.OpJsle32Reg:
		return c.slt(b, a).Not()
	}
	return c.F
}
