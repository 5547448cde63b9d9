//go:build amd64 && linux

package jit

import "encoding/binary"

// x86-64 registers by encoding number.
const (
	rax = 0
	rcx = 1
	rdx = 2
	rbx = 3
	rsp = 4
	rbp = 5
	rsi = 6
	rdi = 7
	r8  = 8
	r9  = 9
	r10 = 10
	r11 = 11
	r12 = 12
	r13 = 13
	r14 = 14
	r15 = 15
)

// buf accumulates machine code.
type buf struct{ b []byte }

func (a *buf) emit(x ...byte) { a.b = append(a.b, x...) }
func (a *buf) u32(x uint32)   { a.b = binary.LittleEndian.AppendUint32(a.b, x) }
func (a *buf) u64(x uint64)   { a.b = binary.LittleEndian.AppendUint64(a.b, x) }
func (a *buf) pos() int       { return len(a.b) }

// rex emits a REX prefix when one is needed: a 64-bit operand, an
// extended register, or (force) a byte access to sil/dil/bpl/spl.
func (a *buf) rex(w bool, reg, index, base int, force bool) {
	r := byte(0x40)
	if w {
		r |= 8
	}
	if reg >= 8 {
		r |= 4
	}
	if index >= 8 {
		r |= 2
	}
	if base >= 8 {
		r |= 1
	}
	if r != 0x40 || force {
		a.emit(r)
	}
}

// mref is a memory operand [base + index + disp]; index < 0 means none.
// index is never rsp.
type mref struct {
	base, index int
	disp        int32
}

func at(base int, disp int32) mref         { return mref{base, -1, disp} }
func atx(base, index int, disp int32) mref { return mref{base, index, disp} }

// mem emits op reg, m (or the reverse direction, by opcode); byteReg says
// reg is a byte register, which needs a REX prefix for sil, dil, bpl, spl.
func (a *buf) mem(w bool, op []byte, reg int, m mref, byteReg ...bool) {
	force := len(byteReg) > 0 && byteReg[0] && reg >= 4 && reg < 8
	a.rex(w, reg, max(m.index, 0), m.base, force)
	a.emit(op...)
	sib := m.index >= 0 || m.base&7 == rsp
	rm := byte(m.base & 7)
	if sib {
		rm = 4
	}
	var mod byte
	switch {
	case m.disp == 0 && m.base&7 != rbp:
		mod = 0
	case m.disp == int32(int8(m.disp)):
		mod = 1
	default:
		mod = 2
	}
	a.emit(mod<<6 | byte(reg&7)<<3 | rm)
	if sib {
		idx := byte(4)
		if m.index >= 0 {
			idx = byte(m.index & 7)
		}
		a.emit(idx<<3 | byte(m.base&7))
	}
	switch mod {
	case 1:
		a.emit(byte(int8(m.disp)))
	case 2:
		a.u32(uint32(m.disp))
	}
}

// rr emits op reg, rm with both operands registers.
func (a *buf) rr(w bool, op []byte, reg, rm int) {
	a.rex(w, reg, 0, rm, false)
	a.emit(op...)
	a.emit(0xc0 | byte(reg&7)<<3 | byte(rm&7))
}

// aluImm emits the /digit group-1 operation (add 0, or 1, and 4, sub 5,
// xor 6, cmp 7) of r with a sign-extended immediate.
func (a *buf) aluImm(w bool, digit, r int, imm int32) {
	if imm == int32(int8(imm)) {
		a.rr(w, []byte{0x83}, digit, r)
		a.emit(byte(int8(imm)))
		return
	}
	a.rr(w, []byte{0x81}, digit, r)
	a.u32(uint32(imm))
}

// movImm64 loads a 64-bit constant into r.
func (a *buf) movImm64(r int, v uint64) {
	switch {
	case v == 0:
		a.rr(false, []byte{0x31}, r, r) // xor r32, r32
	case v <= 0xffffffff: // mov r32, imm32 zero-extends
		a.rex(false, 0, 0, r, false)
		a.emit(0xb8 + byte(r&7))
		a.u32(uint32(v))
	case int64(v) == int64(int32(v)): // mov r64, simm32
		a.rr(true, []byte{0xc7}, 0, r)
		a.u32(uint32(v))
	default:
		a.rex(true, 0, 0, r, false)
		a.emit(0xb8 + byte(r&7))
		a.u64(v)
	}
}

// jcc emits a conditional jump with a 32-bit displacement to be patched;
// it returns the displacement's position.
func (a *buf) jcc(cc byte) int {
	a.emit(0x0f, cc)
	p := a.pos()
	a.u32(0)
	return p
}

func (a *buf) jmp() int {
	a.emit(0xe9)
	p := a.pos()
	a.u32(0)
	return p
}

// call emits a near call with a displacement to be patched.
func (a *buf) call() int {
	a.emit(0xe8)
	p := a.pos()
	a.u32(0)
	return p
}

// patch points the displacement at p to target.
func (a *buf) patch(p, target int) {
	binary.LittleEndian.PutUint32(a.b[p:], uint32(int32(target-(p+4))))
}
