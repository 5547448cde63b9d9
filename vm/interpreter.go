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

// stopReason says why the inner loop handed control back to interpret.
type stopReason uint8

const (
	stopExit    stopReason = iota // exit from the entry frame
	stopFault                     // a fault of the returned kind
	stopMeter                     // left reached zero
	stopLoad                      // a load the inline fast path could not serve
	stopStore                     // likewise for a store
	stopSyscall                   // a syscall instruction
)

// interpret runs the program from m.pc. The hot loop (step) contains no
// function calls, so Go keeps its state in registers; everything that
// needs a call — syscalls, slow memory accesses, the hook, building errors
// — happens here, after step returns with a reason.
func (m *Machine) interpret() *Error {
	pc := m.pc
	// With a hook, the meter is drawn one unit at a time from m.bank so
	// that the rare left==0 stop can call the hook before each instruction;
	// without one, left is the whole budget and the hot loop has a single
	// test per instruction.
	left := m.remaining
	if m.hook != nil {
		m.bank, left = left, 0
	}
	var fault *Error
	for fault == nil {
		var stop stopReason
		var kind ErrorKind
		pc, left, stop, kind = m.step(pc, left)
		switch stop {
		case stopExit:
			if w := m.mem.watcher; w != nil {
				// AtExit may charge (an abort is work), so the meter is
				// made exact for it, as for a syscall.
				m.pc, m.remaining, m.bank = pc, left+m.bank, 0
				err := w.AtExit(m)
				left = m.remaining
				if err != nil {
					fault = &Error{Kind: SyscallError, Err: err}
					break
				}
			}
			m.pc, m.remaining, m.bank = pc, left+m.bank, 0
			return nil
		case stopFault:
			fault = &Error{Kind: kind}
		case stopMeter:
			if m.hook == nil || m.bank == 0 {
				fault = &Error{Kind: ExceededMaxInstructions}
				break
			}
			n := min(m.stride, m.bank)
			m.bank -= n
			left = n
			m.pc, m.remaining, m.stepCharge = pc, m.bank+n-1, 1
			m.hook.Step(m, pc)
			m.stepCharge = 0
			if m.pauseReq {
				m.pc, m.remaining, m.bank = pc, left+m.bank, 0
				return nil
			}
		case stopLoad:
			v, err := m.mem.load(m.pendAddr, m.pendSize)
			if err != nil {
				fault = err
				break
			}
			m.regs[m.pendReg&15] = v
			pc++
		case stopStore:
			if err := m.mem.store(m.pendAddr, m.pendSize, m.pendVal); err != nil {
				fault = err
				break
			}
			pc++
		case stopSyscall:
			m.pc, m.remaining = pc, left+m.bank
			m.bank = 0
			r := &m.regs
			v, err := m.exe.syscalls[m.exe.code[pc].target].Fn(m, r[1], r[2], r[3], r[4], r[5])
			left = m.remaining
			if m.hook != nil {
				m.bank, left = left, 0
			}
			if err != nil {
				fault = &Error{Kind: SyscallError, Err: err}
				break
			}
			r[0] = v
			pc++
		}
	}
	m.pc, m.remaining, m.bank = pc, left+m.bank, 0
	return fault
}

// hostOffset maps addr to an offset into rg's host memory, undoing the V0
// stack gaps; an address in a gap maps past every limit.
func (rg *region) hostOffset(addr uint64) uint64 {
	off := addr - rg.start
	if sh := rg.gapShift; sh != 0 {
		if (off>>sh)&1 != 0 {
			return math.MaxUint64
		}
		mask := ^uint64(0) << sh
		off = (off&mask)>>1 | off&^mask
	}
	return off
}

// step executes instructions from pc until it must stop. Every case
// mirrors one arm of the reference interpreter's step(); the version has
// been folded into the opcodes.
func (m *Machine) step(pc int, left uint64) (int, uint64, stopReason, ErrorKind) {
	code := unsafe.Pointer(unsafe.SliceData(m.exe.code))
	r := &m.regs
	var stop stopReason
	var kind ErrorKind

loop:
	for {
		if left == 0 {
			stop = stopMeter
			break
		}
		left--
		// The predecoder clamps every target to [0, len(code)-1].
		c := (*insn)(unsafe.Add(code, uintptr(pc)*unsafe.Sizeof(insn{})))
		switch c.op {
		case uint8(sbpf.OpLDDW):
			r[c.dst&15] = uint64(c.imm)
			pc += 2
			continue
		// The twelve load and store cases differ only in width and value
		// source. They are spelled out because a shared helper would be a
		// call in the hot loop; each serves in-bounds accesses inline and
		// hands anything else (faults included) to interpret's slow path.
		case uint8(sbpf.OpLdxB):
			addr := r[c.src&15] + uint64(int64(c.target))
			rg := &m.mem.slots[(addr>>32)&slotMask]
			if off := rg.hostOffset(addr); off < rg.loadLim[0] {
				r[c.dst&15] = uint64(*(*uint8)(unsafe.Add(rg.base, off)))
			} else {
				m.pendAddr, m.pendSize, m.pendReg = addr, 1, c.dst
				stop = stopLoad
				break loop
			}
		case uint8(sbpf.OpLdxH):
			addr := r[c.src&15] + uint64(int64(c.target))
			rg := &m.mem.slots[(addr>>32)&slotMask]
			if off := rg.hostOffset(addr); off < rg.loadLim[1] {
				r[c.dst&15] = uint64(*(*uint16)(unsafe.Add(rg.base, off)))
			} else {
				m.pendAddr, m.pendSize, m.pendReg = addr, 2, c.dst
				stop = stopLoad
				break loop
			}
		case uint8(sbpf.OpLdxW):
			addr := r[c.src&15] + uint64(int64(c.target))
			rg := &m.mem.slots[(addr>>32)&slotMask]
			if off := rg.hostOffset(addr); off < rg.loadLim[2] {
				r[c.dst&15] = uint64(*(*uint32)(unsafe.Add(rg.base, off)))
			} else {
				m.pendAddr, m.pendSize, m.pendReg = addr, 4, c.dst
				stop = stopLoad
				break loop
			}
		case uint8(sbpf.OpLdxDW):
			addr := r[c.src&15] + uint64(int64(c.target))
			rg := &m.mem.slots[(addr>>32)&slotMask]
			if off := rg.hostOffset(addr); off < rg.loadLim[3] {
				r[c.dst&15] = uint64(*(*uint64)(unsafe.Add(rg.base, off)))
			} else {
				m.pendAddr, m.pendSize, m.pendReg = addr, 8, c.dst
				stop = stopLoad
				break loop
			}
		case uint8(sbpf.OpStB):
			addr := r[c.dst&15] + uint64(int64(c.target))
			rg := &m.mem.slots[(addr>>32)&slotMask]
			if off := rg.hostOffset(addr); off < rg.storeLim[0] {
				*(*uint8)(unsafe.Add(rg.base, off)) = uint8(c.imm)
				if off+1 > rg.dirty {
					rg.dirty = off + 1
				}
			} else {
				m.pendAddr, m.pendSize, m.pendVal = addr, 1, uint64(c.imm)
				stop = stopStore
				break loop
			}
		case uint8(sbpf.OpStH):
			addr := r[c.dst&15] + uint64(int64(c.target))
			rg := &m.mem.slots[(addr>>32)&slotMask]
			if off := rg.hostOffset(addr); off < rg.storeLim[1] {
				*(*uint16)(unsafe.Add(rg.base, off)) = uint16(c.imm)
				if off+2 > rg.dirty {
					rg.dirty = off + 2
				}
			} else {
				m.pendAddr, m.pendSize, m.pendVal = addr, 2, uint64(c.imm)
				stop = stopStore
				break loop
			}
		case uint8(sbpf.OpStW):
			addr := r[c.dst&15] + uint64(int64(c.target))
			rg := &m.mem.slots[(addr>>32)&slotMask]
			if off := rg.hostOffset(addr); off < rg.storeLim[2] {
				*(*uint32)(unsafe.Add(rg.base, off)) = uint32(c.imm)
				if off+4 > rg.dirty {
					rg.dirty = off + 4
				}
			} else {
				m.pendAddr, m.pendSize, m.pendVal = addr, 4, uint64(c.imm)
				stop = stopStore
				break loop
			}
		case uint8(sbpf.OpStDW):
			addr := r[c.dst&15] + uint64(int64(c.target))
			rg := &m.mem.slots[(addr>>32)&slotMask]
			if off := rg.hostOffset(addr); off < rg.storeLim[3] {
				*(*uint64)(unsafe.Add(rg.base, off)) = uint64(c.imm)
				if off+8 > rg.dirty {
					rg.dirty = off + 8
				}
			} else {
				m.pendAddr, m.pendSize, m.pendVal = addr, 8, uint64(c.imm)
				stop = stopStore
				break loop
			}
		case uint8(sbpf.OpStxB):
			addr := r[c.dst&15] + uint64(int64(c.target))
			rg := &m.mem.slots[(addr>>32)&slotMask]
			if off := rg.hostOffset(addr); off < rg.storeLim[0] {
				*(*uint8)(unsafe.Add(rg.base, off)) = uint8(r[c.src&15])
				if off+1 > rg.dirty {
					rg.dirty = off + 1
				}
			} else {
				m.pendAddr, m.pendSize, m.pendVal = addr, 1, uint64(r[c.src&15])
				stop = stopStore
				break loop
			}
		case uint8(sbpf.OpStxH):
			addr := r[c.dst&15] + uint64(int64(c.target))
			rg := &m.mem.slots[(addr>>32)&slotMask]
			if off := rg.hostOffset(addr); off < rg.storeLim[1] {
				*(*uint16)(unsafe.Add(rg.base, off)) = uint16(r[c.src&15])
				if off+2 > rg.dirty {
					rg.dirty = off + 2
				}
			} else {
				m.pendAddr, m.pendSize, m.pendVal = addr, 2, uint64(r[c.src&15])
				stop = stopStore
				break loop
			}
		case uint8(sbpf.OpStxW):
			addr := r[c.dst&15] + uint64(int64(c.target))
			rg := &m.mem.slots[(addr>>32)&slotMask]
			if off := rg.hostOffset(addr); off < rg.storeLim[2] {
				*(*uint32)(unsafe.Add(rg.base, off)) = uint32(r[c.src&15])
				if off+4 > rg.dirty {
					rg.dirty = off + 4
				}
			} else {
				m.pendAddr, m.pendSize, m.pendVal = addr, 4, uint64(r[c.src&15])
				stop = stopStore
				break loop
			}
		case uint8(sbpf.OpStxDW):
			addr := r[c.dst&15] + uint64(int64(c.target))
			rg := &m.mem.slots[(addr>>32)&slotMask]
			if off := rg.hostOffset(addr); off < rg.storeLim[3] {
				*(*uint64)(unsafe.Add(rg.base, off)) = uint64(r[c.src&15])
				if off+8 > rg.dirty {
					rg.dirty = off + 8
				}
			} else {
				m.pendAddr, m.pendSize, m.pendVal = addr, 8, uint64(r[c.src&15])
				stop = stopStore
				break loop
			}

		// ALU32, sign-extending versions (V0, V1, V3, V4) and common ops.
		case uint8(sbpf.OpAdd32Imm):
			r[c.dst&15] = sext32(uint32(r[c.dst&15]) + uint32(c.imm))
		case uint8(sbpf.OpAdd32Reg):
			r[c.dst&15] = sext32(uint32(r[c.dst&15]) + uint32(r[c.src&15]))
		case uint8(sbpf.OpSub32Imm):
			r[c.dst&15] = sext32(uint32(r[c.dst&15]) - uint32(c.imm))
		case uint8(sbpf.OpSub32Reg):
			r[c.dst&15] = sext32(uint32(r[c.dst&15]) - uint32(r[c.src&15]))
		case uint8(sbpf.OpMul32Imm):
			r[c.dst&15] = sext32(uint32(r[c.dst&15]) * uint32(c.imm))
		case uint8(sbpf.OpMul32Reg):
			r[c.dst&15] = sext32(uint32(r[c.dst&15]) * uint32(r[c.src&15]))
		case uint8(sbpf.OpDiv32Imm), uint8(sbpf.OpUdiv32Imm):
			r[c.dst&15] = uint64(uint32(r[c.dst&15]) / uint32(c.imm))
		case uint8(sbpf.OpDiv32Reg), uint8(sbpf.OpUdiv32Reg):
			if uint32(r[c.src&15]) == 0 {
				stop, kind = stopFault, DivideByZero
				break loop
			}
			r[c.dst&15] = uint64(uint32(r[c.dst&15]) / uint32(r[c.src&15]))
		case uint8(sbpf.OpMod32Imm), uint8(sbpf.OpUrem32Imm):
			r[c.dst&15] = uint64(uint32(r[c.dst&15]) % uint32(c.imm))
		case uint8(sbpf.OpMod32Reg), uint8(sbpf.OpUrem32Reg):
			if uint32(r[c.src&15]) == 0 {
				stop, kind = stopFault, DivideByZero
				break loop
			}
			r[c.dst&15] = uint64(uint32(r[c.dst&15]) % uint32(r[c.src&15]))
		case uint8(sbpf.OpOr32Imm):
			r[c.dst&15] = uint64(uint32(r[c.dst&15]) | uint32(c.imm))
		case uint8(sbpf.OpOr32Reg):
			r[c.dst&15] = uint64(uint32(r[c.dst&15]) | uint32(r[c.src&15]))
		case uint8(sbpf.OpAnd32Imm):
			r[c.dst&15] = uint64(uint32(r[c.dst&15]) & uint32(c.imm))
		case uint8(sbpf.OpAnd32Reg):
			r[c.dst&15] = uint64(uint32(r[c.dst&15]) & uint32(r[c.src&15]))
		case uint8(sbpf.OpLsh32Imm):
			r[c.dst&15] = uint64(uint32(r[c.dst&15]) << (uint32(c.imm) & 31))
		case uint8(sbpf.OpLsh32Reg):
			r[c.dst&15] = uint64(uint32(r[c.dst&15]) << (uint32(r[c.src&15]) & 31))
		case uint8(sbpf.OpRsh32Imm):
			r[c.dst&15] = uint64(uint32(r[c.dst&15]) >> (uint32(c.imm) & 31))
		case uint8(sbpf.OpRsh32Reg):
			r[c.dst&15] = uint64(uint32(r[c.dst&15]) >> (uint32(r[c.src&15]) & 31))
		case uint8(sbpf.OpNeg32):
			r[c.dst&15] = uint64(uint32(-int32(r[c.dst&15])))
		case uint8(sbpf.OpXor32Imm):
			r[c.dst&15] = uint64(uint32(r[c.dst&15]) ^ uint32(c.imm))
		case uint8(sbpf.OpXor32Reg):
			r[c.dst&15] = uint64(uint32(r[c.dst&15]) ^ uint32(r[c.src&15]))
		case uint8(sbpf.OpMov32Imm):
			r[c.dst&15] = uint64(uint32(c.imm))
		case uint8(sbpf.OpMov32Reg):
			r[c.dst&15] = uint64(uint32(r[c.src&15]))
		case uint8(sbpf.OpArsh32Imm):
			r[c.dst&15] = uint64(uint32(int32(r[c.dst&15]) >> (uint32(c.imm) & 31)))
		case uint8(sbpf.OpArsh32Reg):
			r[c.dst&15] = uint64(uint32(int32(r[c.dst&15]) >> (uint32(r[c.src&15]) & 31)))

		// V2 variants.
		case iAdd32ImmZ:
			r[c.dst&15] = uint64(uint32(r[c.dst&15]) + uint32(c.imm))
		case iAdd32RegZ:
			r[c.dst&15] = uint64(uint32(r[c.dst&15]) + uint32(r[c.src&15]))
		case iRsub32ImmZ:
			r[c.dst&15] = uint64(uint32(c.imm) - uint32(r[c.dst&15]))
		case iSub32RegZ:
			r[c.dst&15] = uint64(uint32(r[c.dst&15]) - uint32(r[c.src&15]))
		case iRsub64Imm:
			r[c.dst&15] = uint64(c.imm) - r[c.dst&15]
		case iMov32RegSext:
			r[c.dst&15] = sext32(uint32(r[c.src&15]))

		case iLe16:
			r[c.dst&15] = uint64(uint16(r[c.dst&15]))
		case iLe32:
			r[c.dst&15] = uint64(uint32(r[c.dst&15]))
		case iLe64:
		case iBe16:
			r[c.dst&15] = uint64(bits.ReverseBytes16(uint16(r[c.dst&15])))
		case iBe32:
			r[c.dst&15] = uint64(bits.ReverseBytes32(uint32(r[c.dst&15])))
		case iBe64:
			r[c.dst&15] = bits.ReverseBytes64(r[c.dst&15])
		case iEndianBad:
			stop, kind = stopFault, InvalidInstruction
			break loop

		// ALU64.
		case uint8(sbpf.OpAdd64Imm):
			r[c.dst&15] += uint64(c.imm)
		case uint8(sbpf.OpAdd64Reg):
			r[c.dst&15] += r[c.src&15]
		case uint8(sbpf.OpSub64Imm):
			r[c.dst&15] -= uint64(c.imm)
		case uint8(sbpf.OpSub64Reg):
			r[c.dst&15] -= r[c.src&15]
		case uint8(sbpf.OpMul64Imm), uint8(sbpf.OpLmul64Imm):
			r[c.dst&15] *= uint64(c.imm)
		case uint8(sbpf.OpMul64Reg), uint8(sbpf.OpLmul64Reg):
			r[c.dst&15] *= r[c.src&15]
		case uint8(sbpf.OpDiv64Imm):
			r[c.dst&15] /= uint64(c.imm)
		case uint8(sbpf.OpDiv64Reg), uint8(sbpf.OpUdiv64Reg):
			if r[c.src&15] == 0 {
				stop, kind = stopFault, DivideByZero
				break loop
			}
			r[c.dst&15] /= r[c.src&15]
		case uint8(sbpf.OpMod64Imm):
			r[c.dst&15] %= uint64(c.imm)
		case uint8(sbpf.OpMod64Reg), uint8(sbpf.OpUrem64Reg):
			if r[c.src&15] == 0 {
				stop, kind = stopFault, DivideByZero
				break loop
			}
			r[c.dst&15] %= r[c.src&15]
		case uint8(sbpf.OpOr64Imm):
			r[c.dst&15] |= uint64(c.imm)
		case uint8(sbpf.OpOr64Reg):
			r[c.dst&15] |= r[c.src&15]
		case uint8(sbpf.OpAnd64Imm):
			r[c.dst&15] &= uint64(c.imm)
		case uint8(sbpf.OpAnd64Reg):
			r[c.dst&15] &= r[c.src&15]
		case uint8(sbpf.OpLsh64Imm):
			r[c.dst&15] <<= uint64(c.imm) & 63
		case uint8(sbpf.OpLsh64Reg):
			r[c.dst&15] <<= r[c.src&15] & 63
		case uint8(sbpf.OpRsh64Imm):
			r[c.dst&15] >>= uint64(c.imm) & 63
		case uint8(sbpf.OpRsh64Reg):
			r[c.dst&15] >>= r[c.src&15] & 63
		case uint8(sbpf.OpNeg64):
			r[c.dst&15] = -r[c.dst&15]
		case uint8(sbpf.OpXor64Imm):
			r[c.dst&15] ^= uint64(c.imm)
		case uint8(sbpf.OpXor64Reg):
			r[c.dst&15] ^= r[c.src&15]
		case uint8(sbpf.OpMov64Imm):
			r[c.dst&15] = uint64(c.imm)
		case uint8(sbpf.OpMov64Reg):
			r[c.dst&15] = r[c.src&15]
		case uint8(sbpf.OpArsh64Imm):
			r[c.dst&15] = uint64(int64(r[c.dst&15]) >> (uint64(c.imm) & 63))
		case uint8(sbpf.OpArsh64Reg):
			r[c.dst&15] = uint64(int64(r[c.dst&15]) >> (r[c.src&15] & 63))
		case uint8(sbpf.OpHor64Imm):
			r[c.dst&15] |= uint64(c.imm) << 32

		// PQR (V2).
		case uint8(sbpf.OpLmul32Imm):
			r[c.dst&15] = uint64(uint32(r[c.dst&15]) * uint32(c.imm))
		case uint8(sbpf.OpLmul32Reg):
			r[c.dst&15] = uint64(uint32(r[c.dst&15]) * uint32(r[c.src&15]))
		case uint8(sbpf.OpUhmul64Imm):
			r[c.dst&15], _ = bits.Mul64(r[c.dst&15], uint64(uint32(c.imm)))
		case uint8(sbpf.OpUhmul64Reg):
			r[c.dst&15], _ = bits.Mul64(r[c.dst&15], r[c.src&15])
		case uint8(sbpf.OpShmul64Imm):
			r[c.dst&15] = signedHigh64(r[c.dst&15], uint64(c.imm))
		case uint8(sbpf.OpShmul64Reg):
			r[c.dst&15] = signedHigh64(r[c.dst&15], r[c.src&15])
		case uint8(sbpf.OpUdiv64Imm):
			r[c.dst&15] /= uint64(uint32(c.imm))
		case uint8(sbpf.OpUrem64Imm):
			r[c.dst&15] %= uint64(uint32(c.imm))
		case uint8(sbpf.OpSdiv32Imm), uint8(sbpf.OpSrem32Imm), uint8(sbpf.OpSdiv32Reg), uint8(sbpf.OpSrem32Reg):
			x := int32(r[c.dst&15])
			y := int32(c.imm)
			if c.op == uint8(sbpf.OpSdiv32Reg) || c.op == uint8(sbpf.OpSrem32Reg) {
				y = int32(r[c.src&15])
				if y == 0 {
					stop, kind = stopFault, DivideByZero
					break loop
				}
			}
			if x == math.MinInt32 && y == -1 {
				stop, kind = stopFault, DivideOverflow
				break loop
			}
			if c.op == uint8(sbpf.OpSdiv32Imm) || c.op == uint8(sbpf.OpSdiv32Reg) {
				r[c.dst&15] = uint64(uint32(x / y))
			} else {
				r[c.dst&15] = uint64(uint32(x % y))
			}
		case uint8(sbpf.OpSdiv64Imm), uint8(sbpf.OpSrem64Imm), uint8(sbpf.OpSdiv64Reg), uint8(sbpf.OpSrem64Reg):
			x := int64(r[c.dst&15])
			y := c.imm
			if c.op == uint8(sbpf.OpSdiv64Reg) || c.op == uint8(sbpf.OpSrem64Reg) {
				y = int64(r[c.src&15])
				if y == 0 {
					stop, kind = stopFault, DivideByZero
					break loop
				}
			}
			if x == math.MinInt64 && y == -1 {
				stop, kind = stopFault, DivideOverflow
				break loop
			}
			if c.op == uint8(sbpf.OpSdiv64Imm) || c.op == uint8(sbpf.OpSdiv64Reg) {
				r[c.dst&15] = uint64(x / y)
			} else {
				r[c.dst&15] = uint64(x % y)
			}
		case iDivZeroImm:
			stop, kind = stopFault, DivideByZero
			break loop

		// JMP64.
		case uint8(sbpf.OpJa):
			pc = int(c.target)
			continue
		case uint8(sbpf.OpJeqImm):
			if r[c.dst&15] == uint64(c.imm) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJeqReg):
			if r[c.dst&15] == r[c.src&15] {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJgtImm):
			if r[c.dst&15] > uint64(c.imm) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJgtReg):
			if r[c.dst&15] > r[c.src&15] {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJgeImm):
			if r[c.dst&15] >= uint64(c.imm) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJgeReg):
			if r[c.dst&15] >= r[c.src&15] {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJltImm):
			if r[c.dst&15] < uint64(c.imm) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJltReg):
			if r[c.dst&15] < r[c.src&15] {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJleImm):
			if r[c.dst&15] <= uint64(c.imm) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJleReg):
			if r[c.dst&15] <= r[c.src&15] {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJsetImm):
			if r[c.dst&15]&uint64(c.imm) != 0 {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJsetReg):
			if r[c.dst&15]&r[c.src&15] != 0 {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJneImm):
			if r[c.dst&15] != uint64(c.imm) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJneReg):
			if r[c.dst&15] != r[c.src&15] {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJsgtImm):
			if int64(r[c.dst&15]) > c.imm {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJsgtReg):
			if int64(r[c.dst&15]) > int64(r[c.src&15]) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJsgeImm):
			if int64(r[c.dst&15]) >= c.imm {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJsgeReg):
			if int64(r[c.dst&15]) >= int64(r[c.src&15]) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJsltImm):
			if int64(r[c.dst&15]) < c.imm {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJsltReg):
			if int64(r[c.dst&15]) < int64(r[c.src&15]) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJsleImm):
			if int64(r[c.dst&15]) <= c.imm {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJsleReg):
			if int64(r[c.dst&15]) <= int64(r[c.src&15]) {
				pc = int(c.target)
				continue
			}

		// JMP32 (V3+).
		case uint8(sbpf.OpJeq32Imm):
			if uint32(r[c.dst&15]) == uint32(c.imm) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJeq32Reg):
			if uint32(r[c.dst&15]) == uint32(r[c.src&15]) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJgt32Imm):
			if uint32(r[c.dst&15]) > uint32(c.imm) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJgt32Reg):
			if uint32(r[c.dst&15]) > uint32(r[c.src&15]) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJge32Imm):
			if uint32(r[c.dst&15]) >= uint32(c.imm) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJge32Reg):
			if uint32(r[c.dst&15]) >= uint32(r[c.src&15]) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJlt32Imm):
			if uint32(r[c.dst&15]) < uint32(c.imm) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJlt32Reg):
			if uint32(r[c.dst&15]) < uint32(r[c.src&15]) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJle32Imm):
			if uint32(r[c.dst&15]) <= uint32(c.imm) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJle32Reg):
			if uint32(r[c.dst&15]) <= uint32(r[c.src&15]) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJset32Imm):
			if uint32(r[c.dst&15])&uint32(c.imm) != 0 {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJset32Reg):
			if uint32(r[c.dst&15])&uint32(r[c.src&15]) != 0 {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJne32Imm):
			if uint32(r[c.dst&15]) != uint32(c.imm) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJne32Reg):
			if uint32(r[c.dst&15]) != uint32(r[c.src&15]) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJsgt32Imm):
			if int32(r[c.dst&15]) > int32(c.imm) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJsgt32Reg):
			if int32(r[c.dst&15]) > int32(r[c.src&15]) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJsge32Imm):
			if int32(r[c.dst&15]) >= int32(c.imm) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJsge32Reg):
			if int32(r[c.dst&15]) >= int32(r[c.src&15]) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJslt32Imm):
			if int32(r[c.dst&15]) < int32(c.imm) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJslt32Reg):
			if int32(r[c.dst&15]) < int32(r[c.src&15]) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJsle32Imm):
			if int32(r[c.dst&15]) <= int32(c.imm) {
				pc = int(c.target)
				continue
			}
		case uint8(sbpf.OpJsle32Reg):
			if int32(r[c.dst&15]) <= int32(r[c.src&15]) {
				pc = int(c.target)
				continue
			}

		// Calls.
		case iSyscall:
			stop = stopSyscall
			break loop
		case iCallLocal, uint8(sbpf.OpCallx):
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
				stop, kind = stopFault, CallDepthExceeded
				break loop
			}
			r[10] += m.frameBump
			if target >= n {
				stop, kind = stopFault, CallOutsideTextSegment
				break loop
			}
			pc = target
			continue
		case uint8(sbpf.OpExit):
			if m.depth == 0 {
				stop = stopExit
				break loop
			}
			m.depth--
			f := &m.frames[m.depth]
			r[6], r[7], r[8], r[9] = f.saved[0], f.saved[1], f.saved[2], f.saved[3]
			r[10] = f.fp
			pc = f.returnPC
			continue
		case iOverrun:
			stop, kind = stopFault, ExecutionOverrun
			break loop
		default: // invalid opcodes, unresolved calls, bad callx registers
			stop, kind = stopFault, UnsupportedInstruction
			break loop
		}
		pc++
	}
	return pc, left, stop, kind
}
