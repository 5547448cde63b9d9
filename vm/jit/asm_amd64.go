//go:build amd64 && linux

package jit

import "encoding/binary"

// x86-64 registers by encoding number.
const (
	rax = 0
	rcx = 1
	rdx = 2
	rsi = 6
	rdi = 7
	r8  = 8
	r9  = 9
)

// buf accumulates machine code.
type buf struct{ b []byte }

func (a *buf) emit(x ...byte) { a.b = append(a.b, x...) }
func (a *buf) u32(x uint32)   { a.b = binary.LittleEndian.AppendUint32(a.b, x) }
func (a *buf) u64(x uint64)   { a.b = binary.LittleEndian.AppendUint64(a.b, x) }
func (a *buf) pos() int       { return len(a.b) }

func rex(w bool, reg, rm int) byte {
	r := byte(0x40)
	if w {
		r |= 8
	}
	if reg >= 8 {
		r |= 4
	}
	if rm >= 8 {
		r |= 1
	}
	return r
}

// mem emits op reg, [base+disp32] (or the reverse direction, by opcode).
// base is never rsp or r12 (which would need a SIB byte).
func (a *buf) mem(w bool, op []byte, reg, base int, disp int32) {
	if x := rex(w, reg, base); x != 0x40 {
		a.emit(x)
	}
	a.emit(op...)
	if disp == int32(int8(disp)) { // disp8: most register slots
		a.emit(0x40|byte(reg&7)<<3|byte(base&7), byte(int8(disp)))
		return
	}
	a.emit(0x80 | byte(reg&7)<<3 | byte(base&7))
	a.u32(uint32(disp))
}

// mem0 emits op reg, [base] with no displacement (base is not rbp/r13).
func (a *buf) mem0(w bool, op []byte, reg, base int) {
	if x := rex(w, reg, base); x != 0x40 {
		a.emit(x)
	}
	a.emit(op...)
	a.emit(byte(reg&7)<<3 | byte(base&7))
}

// rr emits op reg, rm with both operands registers.
func (a *buf) rr(w bool, op []byte, reg, rm int) {
	if x := rex(w, reg, rm); x != 0x40 {
		a.emit(x)
	}
	a.emit(op...)
	a.emit(0xc0 | byte(reg&7)<<3 | byte(rm&7))
}

// movImm64 loads a 64-bit constant into r.
func (a *buf) movImm64(r int, v uint64) {
	switch {
	case v <= 0xffffffff: // mov r32, imm32 zero-extends
		if r >= 8 {
			a.emit(0x41)
		}
		a.emit(0xb8 + byte(r&7))
		a.u32(uint32(v))
	case int64(v) == int64(int32(v)): // mov r64, simm32
		a.rr(true, []byte{0xc7}, 0, r)
		a.u32(uint32(v))
	default:
		a.emit(rex(true, 0, r), 0xb8+byte(r&7))
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

// patch points the displacement at p to target.
func (a *buf) patch(p, target int) {
	binary.LittleEndian.PutUint32(a.b[p:], uint32(int32(target-(p+4))))
}
