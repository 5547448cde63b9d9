package symex

import (
	"fmt"
	"math/bits"

	"github.com/go-air/gini/z"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/verify/econ"
)

// sumWidth is the width of lamport sums: exact for up to 255 u64 fields.
const sumWidth = 72

// widthOf is a width in which an invariant's arithmetic is exact in two's
// complement: fields and sums need 72 bits, and every constant can at most
// add its own bits (a product) or one (a sum).
func widthOf(x *econ.Expr) int {
	w := 0
	var walk func(*econ.Expr)
	walk = func(e *econ.Expr) {
		if e.Op == econ.OpNum {
			w += bits.Len64(e.Val) + 1
		}
		for _, k := range e.Kids {
			w++
			walk(k)
		}
	}
	walk(x)
	return min(sumWidth+2+w, 512)
}

// exit runs the economic checks at a return from the entry function. The
// runtime keeps the accounts' changes only when r0 is 0, so the checks
// assume it.
func (e *engine) exit(s *state) {
	if len(e.cfg.Accounts) == 0 || (!e.cfg.Conservation && len(e.cfg.Invariants) == 0) {
		return
	}
	c := e.c
	ok := c.isZero(s.regs[0])
	if ok == c.F {
		return
	}
	cond := append(s.cond[:len(s.cond):len(s.cond)], ok)
	sv := &state{pc: s.pc, cond: cond, path: s.path, approx: s.approx}
	if s.model != nil && e.ev.eval(c, s.model, ok) {
		sv.model = s.model
	}
	if e.cfg.Conservation {
		before, after := c.konst(0, sumWidth), c.konst(0, sumWidth)
		for _, a := range e.cfg.Accounts {
			if a.Dup {
				continue
			}
			b := c.zext(e.field(s, a.LamportsOff, 8, true), sumWidth)
			x := c.zext(e.field(s, a.LamportsOff, 8, false), sumWidth)
			before, _ = c.add(before, b)
			after, _ = c.add(after, x)
		}
		e.report(sv, "conservation", c.eq(before, after).Not(),
			"the sum of the accounts' lamports after the instruction differs from the sum before")
		for i, a := range e.cfg.Accounts {
			if a.Owned || a.Dup {
				continue
			}
			b := e.field(s, a.LamportsOff, 8, true)
			x := e.field(s, a.LamportsOff, 8, false)
			sv.pc = s.pc
			e.reportKey(sv, "conservation", 1000+i, c.ult(x, b),
				fmt.Sprintf("account %d, which the program does not own, is debited", i))
		}
	}
	for i, inv := range e.cfg.Invariants {
		v := e.eval(s, inv, false, widthOf(inv))
		e.reportKey(sv, "invariant", 2000+i, v[0].Not(), fmt.Sprintf("invariant %d does not hold after the instruction", i+1))
	}
}

// reportKey is report with an extra distinguishing key (several checks
// at one pc).
func (e *engine) reportKey(s *state, kind string, key int, viol z.Lit, msg string) {
	k := [2]int{s.pc, int(kind[0])<<8 | int(kind[1]) + key<<16}
	if s.approx != "" {
		k[1] |= 1 << 40
	}
	if e.found[k] || viol == e.c.F {
		return
	}
	if e.check(s, viol) != 1 {
		return
	}
	e.found[k] = true
	e.record(s, kind, msg)
}

// field reads n little-endian bytes of the input at off, before the
// instruction or now.
func (e *engine) field(s *state, off, n int, before bool) bv {
	out := make(bv, 0, 8*n)
	for i := range n {
		if before {
			out = append(out, e.input[off+i]...)
		} else {
			out = append(out, e.readByte(s, sbpf.InputStart+uint64(off+i))...)
		}
	}
	return out
}

// eval evaluates an invariant node: a boolean is one literal (in a
// one-element bv), a number is wide bits.
func (e *engine) eval(s *state, x *econ.Expr, old bool, wide int) bv {
	c := e.c
	k := func(i int) bv { return e.eval(s, x.Kids[i], old, wide) }
	b := func(l z.Lit) bv { return bv{l} }
	switch x.Op {
	case econ.OpNum:
		return c.konst(x.Val, wide)
	case econ.OpLamports:
		return c.zext(e.field(s, e.cfg.Accounts[x.Acct].LamportsOff, 8, old), wide)
	case econ.OpData:
		a := e.cfg.Accounts[x.Acct]
		return c.zext(e.field(s, a.DataOff+x.Lo, x.Hi-x.Lo, old), wide)
	case econ.OpSumLamports:
		sum := c.konst(0, wide)
		for _, a := range e.cfg.Accounts {
			if a.Dup {
				continue
			}
			sum, _ = c.add(sum, c.zext(e.field(s, a.LamportsOff, 8, old), wide))
		}
		return sum
	case econ.OpOld:
		return e.eval(s, x.Kids[0], true, wide)
	case econ.OpAdd:
		r, _ := c.add(k(0), k(1))
		return r
	case econ.OpSub:
		r, _ := c.sub(k(0), k(1))
		return r
	case econ.OpNeg:
		r, _ := c.sub(c.konst(0, wide), k(0))
		return r
	case econ.OpMul:
		r, _ := c.mul(k(0), k(1))
		return r
	case econ.OpEq:
		return b(c.eq(k(0), k(1)))
	case econ.OpNe:
		return b(c.eq(k(0), k(1)).Not())
	case econ.OpLt:
		return b(c.slt(k(0), k(1)))
	case econ.OpLe:
		return b(c.slt(k(1), k(0)).Not())
	case econ.OpGt:
		return b(c.slt(k(1), k(0)))
	case econ.OpGe:
		return b(c.slt(k(0), k(1)).Not())
	case econ.OpAnd:
		return b(c.And(k(0)[0], k(1)[0]))
	case econ.OpOr:
		return b(c.Or(k(0)[0], k(1)[0]))
	case econ.OpNot:
		return b(k(0)[0].Not())
	}
	return b(c.F)
}
