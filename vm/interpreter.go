package vm

import (
	"math"
	"math/bits"
	"unsafe"

	"github.com/agora-vm/agora/sbpf"
)

func sext32(x uint32) uint64 { return uint64(int64(int32(x))) }

// signedHigh64 returns the upper half of the signed 128-bit product.
func signedHigh64(a, b uint64) uint64 {
	hi, _ := bits.Mul64(a, b)
	if int64(a) < 0 {
		hi -= b
	}
	if int64(b) < 0 {
		hi -= a
	}
	return hi
}

// interpret is the hot loop. Every case mirrors one arm of the reference
// interpreter's step(); the version has been folded into the opcodes.
func (m *Machine) interpret() *Error {
	code := unsafe.Pointer(unsafe.SliceData(m.exe.code))
	r := &m.regs
	pc := m.pc
	// With a hook, the meter is drawn one unit at a time from m.bank so
	// that the rare left==0 path can call the hook before each instruction;
	// without one, left is the whole budget and the hot loop has a single
	// test per instruction.
	left := m.remaining
	if m.hook != nil {
		m.bank, left = left, 0
	}
	var fault *Error

loop:
	for {
		if left == 0 {
			if m.hook == nil || m.bank == 0 {
				fault = &Error{Kind: ExceededMaxInstructions}
				break
			}
			m.bank--
			left = 1
			m.pc, m.remaining = pc, m.bank
			m.hook.Step(m, pc)
		}
		left--
		// The predecoder clamps every target to [0, len(code)-1].
		c := (*insn)(unsafe.Add(code, uintptr(pc)*unsafe.Sizeof(insn{})))
		d := c.dst & 15
		s := c.src & 15
		switch c.op {
		case uint8(sbpf.OpLDDW):
			r[d] = uint64(c.imm)
			pc += 2
			continue
		case uint8(sbpf.OpLdxB):
			addr := r[s] + uint64(int64(c.target))
			rg := &m.mem.slots[(addr>>32)&slotMask]
			if off := addr - rg.start; off < rg.loadLim[0] {
				r[d] = uint64(*(*uint8)(unsafe.Add(rg.base, off)))
			} else {
				v, err := m.mem.load(addr, 1)
				if err != nil {
					fault = err
					break loop
				}
				r[d] = v
			}
		case uint8(sbpf.OpLdxH):
			addr := r[s] + uint64(int64(c.target))
			rg := &m.mem.slots[(addr>>32)&slotMask]
			if off := addr - rg.start; off < rg.loadLim[1] {
				r[d] = uint64(*(*uint16)(unsafe.Add(rg.base, off)))
			} else {
				v, err := m.mem.load(addr, 2)
				if err != nil {
					fault = err
					break loop
				}
				r[d] = v
			}
		case uint8(sbpf.OpLdxW):
			addr := r[s] + uint64(int64(c.target))
			rg := &m.mem.slots[(addr>>32)&slotMask]
			if off := addr - rg.start; off < rg.loadLim[2] {
				r[d] = uint64(*(*uint32)(unsafe.Add(rg.base, off)))
			} else {
				v, err := m.mem.load(addr, 4)
				if err != nil {
					fault = err
					break loop
				}
				r[d] = v
			}
		case uint8(sbpf.OpLdxDW):
			addr := r[s] + uint64(int64(c.target))
			rg := &m.mem.slots[(addr>>32)&slotMask]
			if off := addr - rg.start; off < rg.loadLim[3] {
				r[d] = uint64(*(*uint64)(unsafe.Add(rg.base, off)))
			} else {
				v, err := m.mem.load(addr, 8)
				if err != nil {
					fault = err
					break loop
				}
				r[d] = v
			}
		case uint8(sbpf.OpStB):
			addr := r[d] + uint64(int64(c.target))
			rg := &m.mem.slots[(addr>>32)&slotMask]
			if off := addr - rg.start; off < rg.storeLim[0] {
				*(*uint8)(unsafe.Add(rg.base, off)) = uint8(c.imm)
				if off+1 > rg.dirty {
					rg.dirty = off + 1
				}
			} else if err := m.mem.store(addr, 1, uint64(c.imm)); err != nil {
				fault = err
				break loop
			}
		case uint8(sbpf.OpStH):
			addr := r[d] + uint64(int64(c.target))
			rg := &m.mem.slots[(addr>>32)&slotMask]
			if off := addr - rg.start; off < rg.storeLim[1] {
				*(*uint16)(unsafe.Add(rg.base, off)) = uint16(c.imm)
				if off+2 > rg.dirty {
					rg.dirty = off + 2
				}
			} else if err := m.mem.store(addr, 2, uint64(c.imm)); err != nil {
				fault = err
				break loop
			}
		case uint8(sbpf.OpStW):
			addr := r[d] + uint64(int64(c.target))
			rg := &m.mem.slots[(addr>>32)&slotMask]
			if off := addr - rg.start; off < rg.storeLim[2] {
				*(*uint32)(unsafe.Add(rg.base, off)) = uint32(c.imm)
				if off+4 > rg.dirty {
					rg.dirty = off + 4
				}
			} else if err := m.mem.store(addr, 4, uint64(c.imm)); err != nil {
				fault = err
				break loop
			}
		case uint8(sbpf.OpStDW):
			addr := r[d] + uint64(int64(c.target))
			rg := &m.mem.slots[(addr>>32)&slotMask]
			if off := addr - rg.start; off < rg.storeLim[3] {
				*(*uint64)(unsafe.Add(rg.base, off)) = uint64(c.imm)
				if off+8 > rg.dirty {
					rg.dirty = off + 8
				}
			} else if err := m.mem.store(addr, 8, uint64(c.imm)); err != nil {
				fault = err
				break loop
			}
		case uint8(sbpf.OpStxB):
			addr := r[d] + uint64(int64(c.target))
			rg := &m.mem.slots[(addr>>32)&slotMask]
			if off := addr - rg.start; off < rg.storeLim[0] {
				*(*uint8)(unsafe.Add(rg.base, off)) = uint8(r[s])
				if off+1 > rg.dirty {
					rg.dirty = off + 1
				}
			} else if err := m.mem.store(addr, 1, uint64(r[s])); err != nil {
				fault = err
				break loop
			}
		case uint8(sbpf.OpStxH):
			addr := r[d] + uint64(int64(c.target))
			rg := &m.mem.slots[(addr>>32)&slotMask]
			if off := addr - rg.start; off < rg.storeLim[1] {
				*(*uint16)(unsafe.Add(rg.base, off)) = uint16(r[s])
				if off+2 > rg.dirty {
					rg.dirty = off + 2
				}
			} else if err := m.mem.store(addr, 2, uint64(r[s])); err != nil {
				fault = err
				break loop
			}
		case uint8(sbpf.OpStxW):
			addr := r[d] + uint64(int64(c.target))
			rg := &m.mem.slots[(addr>>32)&slotMask]
			if off := addr - rg.start; off < rg.storeLim[2] {
				*(*uint32)(unsafe.Add(rg.base, off)) = uint32(r[s])
				if off+4 > rg.dirty {
					rg.dirty = off + 4
				}
			} else if err := m.mem.store(addr, 4, uint64(r[s])); err != nil {
				fault = err
				break loop
			}
		case uint8(sbpf.OpStxDW):
			addr := r[d] + uint64(int64(c.target))
			rg := &m.mem.slots[(addr>>32)&slotMask]
			if off := addr - rg.start; off < rg.storeLim[3] {
				*(*uint64)(unsafe.Add(rg.base, off)) = uint64(r[s])
				if off+8 > rg.dirty {
					rg.dirty = off + 8
				}
			} else if err := m.mem.store(addr, 8, uint64(r[s])); err != nil {
				fault = err
				break loop
			}

		// ALU32, sign-extending versions (V0, V1, V3, V4) and common ops.
		case uint8(sbpf.OpAdd32Imm):
			r[d] = sext32(uint32(r[d]) + uint32(c.imm))
		case uint8(sbpf.OpAdd32Reg):
			r[d] = sext32(uint32(r[d]) + uint32(r[s]))
		case uint8(sbpf.OpSub32Imm):
			r[d] = sext32(uint32(r[d]) - uint32(c.imm))
		case uint8(sbpf.OpSub32Reg):
			r[d] = sext32(uint32(r[d]) - uint32(r[s]))
		case uint8(sbpf.OpMul32Imm):
			r[d] = sext32(uint32(r[d]) * uint32(c.imm))
		case uint8(sbpf.OpMul32Reg):
			r[d] = sext32(uint32(r[d]) * uint32(r[s]))
		case uint8(sbpf.OpDiv32Imm), uint8(sbpf.OpUdiv32Imm):
			r[d] = uint64(uint32(r[d]) / uint32(c.imm))
		case uint8(sbpf.OpDiv32Reg), uint8(sbpf.OpUdiv32Reg):
			if uint32(r[s]) == 0 {
				fault = &Error{Kind: DivideByZero}
				break loop
			}
			r[d] = uint64(uint32(r[d]) / uint32(r[s]))
		case uint8(sbpf.OpMod32Imm), uint8(sbpf.OpUrem32Imm):
			r[d] = uint64(uint32(r[d]) % uint32(c.imm))
		case uint8(sbpf.OpMod32Reg), uint8(sbpf.OpUrem32Reg):
			if uint32(r[s]) == 0 {
				fault = &Error{Kind: DivideByZero}
				break loop
			}
			r[d] = uint64(uint32(r[d]) % uint32(r[s]))
		case uint8(sbpf.OpOr32Imm):
			r[d] = uint64(uint32(r[d]) | uint32(c.imm))
		case uint8(sbpf.OpOr32Reg):
			r[d] = uint64(uint32(r[d]) | uint32(r[s]))
		case uint8(sbpf.OpAnd32Imm):
			r[d] = uint64(uint32(r[d]) & uint32(c.imm))
		case uint8(sbpf.OpAnd32Reg):
			r[d] = uint64(uint32(r[d]) & uint32(r[s]))
		case uint8(sbpf.OpLsh32Imm):
			r[d] = uint64(uint32(r[d]) << (uint32(c.imm) & 31))
		case uint8(sbpf.OpLsh32Reg):
			r[d] = uint64(uint32(r[d]) << (uint32(r[s]) & 31))
		case uint8(sbpf.OpRsh32Imm):
			r[d] = uint64(uint32(r[d]) >> (uint32(c.imm) & 31))
		case uint8(sbpf.OpRsh32Reg):
			r[d] = uint64(uint32(r[d]) >> (uint32(r[s]) & 31))
		case uint8(sbpf.OpNeg32):
			r[d] = uint64(uint32(-int32(r[d])))
		case uint8(sbpf.OpXor32Imm):
			r[d] = uint64(uint32(r[d]) ^ uint32(c.imm))
		case uint8(sbpf.OpXor32Reg):
			r[d] = uint64(uint32(r[d]) ^ uint32(r[s]))
		case uint8(sbpf.OpMov32Imm):
			r[d] = uint64(uint32(c.imm))
		case uint8(sbpf.OpMov32Reg):
			r[d] = uint64(uint32(r[s]))
		case uint8(sbpf.OpArsh32Imm):
			r[d] = uint64(uint32(int32(r[d]) >> (uint32(c.imm) & 31)))
		case uint8(sbpf.OpArsh32Reg):
			r[d] = uint64(uint32(int32(r[d]) >> (uint32(r[s]) & 31)))

		// V2 variants.
		case iAdd32ImmZ:
			r[d] = uint64(uint32(r[d]) + uint32(c.imm))
		case iAdd32RegZ:
			r[d] = uint64(uint32(r[d]) + uint32(r[s]))
		case iRsub32ImmZ:
			r[d] = uint64(uint32(c.imm) - uint32(r[d]))
		case iSub32RegZ:
			r[d] = uint64(uint32(r[d]) - uint32(r[s]))
		case iRsub64Imm:
			r[d] = uint64(c.imm) - r[d]
		case iMov32RegSext:
			r[d] = sext32(uint32(r[s]))

		case iLe16:
			r[d] = uint64(uint16(r[d]))
		case iLe32:
			r[d] = uint64(uint32(r[d]))
		case iLe64:
		case iBe16:
			r[d] = uint64(bits.ReverseBytes16(uint16(r[d])))
		case iBe32:
			r[d] = uint64(bits.ReverseBytes32(uint32(r[d])))
		case iBe64:
			r[d] = bits.ReverseBytes64(r[d])
		case iEndianBad:
			fault = &Error{Kind: InvalidInstruction}
			break loop

		// ALU64.
		case uint8(sbpf.OpAdd64Imm):
			r[d] += uint64(c.imm)
		case uint8(sbpf.OpAdd64Reg):
			r[d] += r[s]
		case uint8(sbpf.OpSub64Imm):
			r[d] -= uint64(c.imm)
		case uint8(sbpf.OpSub64Reg):
			r[d] -= r[s]
		case uint8(sbpf.OpMul64Imm), uint8(sbpf.OpLmul64Imm):
			r[d] *= uint64(c.imm)
		case uint8(sbpf.OpMul64Reg), uint8(sbpf.OpLmul64Reg):
			r[d] *= r[s]
		case uint8(sbpf.OpDiv64Imm):
			r[d] /= uint64(c.imm)
		case uint8(sbpf.OpDiv64Reg), uint8(sbpf.OpUdiv64Reg):
			if r[s] == 0 {
				fault = &Error{Kind: DivideByZero}
				break loop
			}
			r[d] /= r[s]
		case uint8(sbpf.OpMod64Imm):
			r[d] %= uint64(c.imm)
		case uint8(sbpf.OpMod64Reg), uint8(sbpf.OpUrem64Reg):
			if r[s] == 0 {
				fault = &Error{Kind: DivideByZero}
				break loop
			}
			r[d] %= r[s]
		case uint8(sbpf.OpOr64Imm):
			r[d] |= uint64(c.imm)
		case uint8(sbpf.OpOr64Reg):
			r[d] |= r[s]
		case uint8(sbpf.OpAnd64Imm):
			r[d] &= uint64(c.imm)
		case uint8(sbpf.OpAnd64Reg):
			r[d] &= r[s]
		case uint8(sbpf.OpLsh64Imm):
			r[d] <<= uint64(c.imm) & 63
		case uint8(sbpf.OpLsh64Reg):
			r[d] <<= r[s] & 63
		case uint8(sbpf.OpRsh64Imm):
			r[d] >>= uint64(c.imm) & 63
		case uint8(sbpf.OpRsh64Reg):
			r[d] >>= r[s] & 63
		case uint8(sbpf.OpNeg64):
			r[d] = -r[d]
		case uint8(sbpf.OpXor64Imm):
			r[d] ^= uint64(c.imm)
		case uint8(sbpf.OpXor64Reg):
			r[d] ^= r[s]
		case uint8(sbpf.OpMov64Imm):
			r[d] = uint64(c.imm)
		case uint8(sbpf.OpMov64Reg):
			r[d] = r[s]
		case uint8(sbpf.OpArsh64Imm):
			r[d] = uint64(int64(r[d]) >> (uint64(c.imm) & 63))
		case uint8(sbpf.OpArsh64Reg):
			r[d] = uint64(int64(r[d]) >> (r[s] & 63))
		case uint8(sbpf.OpHor64Imm):
			r[d] |= uint64(c.imm) << 32

		// PQR (V2).
		case uint8(sbpf.OpLmul32Imm):
			r[d] = uint64(uint32(r[d]) * uint32(c.imm))
		case uint8(sbpf.OpLmul32Reg):
			r[d] = uint64(uint32(r[d]) * uint32(r[s]))
		case uint8(sbpf.OpUhmul64Imm):
			r[d], _ = bits.Mul64(r[d], uint64(uint32(c.imm)))
		case uint8(sbpf.OpUhmul64Reg):
			r[d], _ = bits.Mul64(r[d], r[s])
		case uint8(sbpf.OpShmul64Imm):
			r[d] = signedHigh64(r[d], uint64(c.imm))
		case uint8(sbpf.OpShmul64Reg):
			r[d] = signedHigh64(r[d], r[s])
		case uint8(sbpf.OpUdiv64Imm):
			r[d] /= uint64(uint32(c.imm))
		case uint8(sbpf.OpUrem64Imm):
			r[d] %= uint64(uint32(c.imm))
		case uint8(sbpf.OpSdiv32Imm), uint8(sbpf.OpSrem32Imm), uint8(sbpf.OpSdiv32Reg), uint8(sbpf.OpSrem32Reg):
			x := int32(r[d])
			y := int32(c.imm)
			if c.op == uint8(sbpf.OpSdiv32Reg) || c.op == uint8(sbpf.OpSrem32Reg) {
				y = int32(r[s])
				if y == 0 {
					fault = &Error{Kind: DivideByZero}
					break loop
				}
			}
			if x == math.MinInt32 && y == -1 {
				fault = &Error{Kind: DivideOverflow}
				break loop
			}
			if c.op == uint8(sbpf.OpSdiv32Imm) || c.op == uint8(sbpf.OpSdiv32Reg) {
				r[d] = uint64(uint32(x / y))
			} else {
				r[d] = uint64(uint32(x % y))
			}
		case uint8(sbpf.OpSdiv64Imm), uint8(sbpf.OpSrem64Imm), uint8(sbpf.OpSdiv64Reg), uint8(sbpf.OpSrem64Reg):
			x := int64(r[d])
			y := c.imm
			if c.op == uint8(sbpf.OpSdiv64Reg) || c.op == uint8(sbpf.OpSrem64Reg) {
				y = int64(r[s])
				if y == 0 {
					fault = &Error{Kind: DivideByZero}
					break loop
				}
			}
			if x == math.MinInt64 && y == -1 {
				fault = &Error{Kind: DivideOverflow}
				break loop
			}
			if c.op == uint8(sbpf.OpSdiv64Imm) || c.op == uint8(sbpf.OpSdiv64Reg) {
				r[d] = uint64(x / y)
			} else {
				r[d] = uint64(x % y)
			}
		case iDivZeroImm:
			fault = &Error{Kind: DivideByZero}
			break loop

		// JMP64.
		case uint8(sbpf.OpJa):
			pc = int(c.target)
			continue
		case uint8(sbpf.OpJeqImm):
			if r[d] == uint64(c.imm) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJeqReg):
			if r[d] == r[s] {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJgtImm):
			if r[d] > uint64(c.imm) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJgtReg):
			if r[d] > r[s] {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJgeImm):
			if r[d] >= uint64(c.imm) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJgeReg):
			if r[d] >= r[s] {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJltImm):
			if r[d] < uint64(c.imm) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJltReg):
			if r[d] < r[s] {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJleImm):
			if r[d] <= uint64(c.imm) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJleReg):
			if r[d] <= r[s] {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJsetImm):
			if r[d]&uint64(c.imm) != 0 {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJsetReg):
			if r[d]&r[s] != 0 {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJneImm):
			if r[d] != uint64(c.imm) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJneReg):
			if r[d] != r[s] {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJsgtImm):
			if int64(r[d]) > c.imm {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJsgtReg):
			if int64(r[d]) > int64(r[s]) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJsgeImm):
			if int64(r[d]) >= c.imm {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJsgeReg):
			if int64(r[d]) >= int64(r[s]) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJsltImm):
			if int64(r[d]) < c.imm {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJsltReg):
			if int64(r[d]) < int64(r[s]) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJsleImm):
			if int64(r[d]) <= c.imm {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJsleReg):
			if int64(r[d]) <= int64(r[s]) {
				pc = int(c.target)
				continue
			}

		// JMP32 (V3+).
		case uint8(sbpf.OpJeq32Imm):
			if uint32(r[d]) == uint32(c.imm) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJeq32Reg):
			if uint32(r[d]) == uint32(r[s]) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJgt32Imm):
			if uint32(r[d]) > uint32(c.imm) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJgt32Reg):
			if uint32(r[d]) > uint32(r[s]) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJge32Imm):
			if uint32(r[d]) >= uint32(c.imm) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJge32Reg):
			if uint32(r[d]) >= uint32(r[s]) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJlt32Imm):
			if uint32(r[d]) < uint32(c.imm) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJlt32Reg):
			if uint32(r[d]) < uint32(r[s]) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJle32Imm):
			if uint32(r[d]) <= uint32(c.imm) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJle32Reg):
			if uint32(r[d]) <= uint32(r[s]) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJset32Imm):
			if uint32(r[d])&uint32(c.imm) != 0 {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJset32Reg):
			if uint32(r[d])&uint32(r[s]) != 0 {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJne32Imm):
			if uint32(r[d]) != uint32(c.imm) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJne32Reg):
			if uint32(r[d]) != uint32(r[s]) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJsgt32Imm):
			if int32(r[d]) > int32(c.imm) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJsgt32Reg):
			if int32(r[d]) > int32(r[s]) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJsge32Imm):
			if int32(r[d]) >= int32(c.imm) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJsge32Reg):
			if int32(r[d]) >= int32(r[s]) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJslt32Imm):
			if int32(r[d]) < int32(c.imm) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJslt32Reg):
			if int32(r[d]) < int32(r[s]) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJsle32Imm):
			if int32(r[d]) <= int32(c.imm) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJsle32Reg):
			if int32(r[d]) <= int32(r[s]) {
				pc = int(c.target)
				continue
			}

		// Calls.
		case iSyscall:
			m.pc, m.remaining = pc, left+m.bank
			m.bank = 0
			v, err := m.exe.syscalls[c.target].Fn(m, r[1], r[2], r[3], r[4], r[5])
			left = m.remaining
			if m.hook != nil {
				m.bank, left = left, 0
			}
			if err != nil {
				fault = &Error{Kind: SyscallError, Err: err}
				break loop
			}
			r[0] = v
		case iCallLocal, uint8(sbpf.OpCallx):
			target, err := m.call(c, pc)
			if err != nil {
				fault = err
				break loop
			}
			pc = target
			continue
		case uint8(sbpf.OpExit):
			if m.depth == 0 {
				break loop
			}
			pc = m.ret()
			continue
		case iOverrun:
			fault = &Error{Kind: ExecutionOverrun}
			break loop
		default: // invalid opcodes, unresolved calls, bad callx registers
			fault = &Error{Kind: UnsupportedInstruction}
			break loop
		}
		pc++
	}
	m.pc, m.remaining = pc, left+m.bank
	m.bank = 0
	return fault
}

// call pushes a frame for the call or callx c at pc and returns the target.
func (m *Machine) call(c *insn, pc int) (int, *Error) {
	r := &m.regs
	n := len(m.exe.code) - 1
	target := int(c.target)
	if c.op != iCallLocal {
		t := (r[c.src&15] - m.exe.prog.TextVAddr) / sbpf.InsnSize
		target = n
		if t < uint64(n) {
			target = int(t)
		}
	}
	f := &m.frames[m.depth]
	f.saved = [4]uint64{r[6], r[7], r[8], r[9]}
	f.fp = r[10]
	f.returnPC = pc + 1
	m.depth++
	if m.depth == len(m.frames) {
		return 0, &Error{Kind: CallDepthExceeded}
	}
	r[10] += m.frameBump
	if target >= n {
		return 0, &Error{Kind: CallOutsideTextSegment}
	}
	return target, nil
}

// ret pops a frame and returns the pc to continue at.
func (m *Machine) ret() int {
	m.depth--
	f := &m.frames[m.depth]
	r := &m.regs
	r[6], r[7], r[8], r[9] = f.saved[0], f.saved[1], f.saved[2], f.saved[3]
	r[10] = f.fp
	return f.returnPC
}
