package ovsm

import (
	"fmt"

	"github.com/agora-vm/agora/sbpf"
)

// Lowering of allocated IR to sBPF slots.

// machine code of one function before layout.
type mcode struct {
	fn       *instance
	slots    []sbpf.Instruction
	pos      []srcPos
	labels   map[int]int // label id -> slot
	jumps    []fixup     // branch slots whose Off names a label
	calls    []fixup     // call slots to instances
	addrs    []fixup     // lddw slots loading an address
	pcs      []fixup     // mov slots loading a function's instruction index
	syscalls []fixup     // call slots to syscalls
	frame    int         // bytes of stack frame used
}

type fixup struct {
	slot  int
	label int
	fn    *instance
	off   int64
	name  string
}

// scratchSlot is the frame word the emitter uses to break cycles of
// moves when no register is free.
const scratchSlot = 8

type emitter struct {
	m   *mcode
	al  *allocation
	f   *function
	cur srcPos
	err error
}

func (e *emitter) put(i sbpf.Instruction) {
	e.m.slots = append(e.m.slots, i)
	e.m.pos = append(e.m.pos, e.cur)
}

func aluCode(a aluOp) uint8 {
	switch a {
	case aluAdd:
		return 0x0
	case aluSub:
		return 0x1
	case aluMul:
		return 0x2
	case aluDiv:
		return 0x3
	case aluOr:
		return 0x4
	case aluAnd:
		return 0x5
	case aluLsh:
		return 0x6
	case aluRsh:
		return 0x7
	case aluMod:
		return 0x9
	case aluXor:
		return 0xa
	case aluArsh:
		return 0xc
	}
	return 0
}

func (e *emitter) alu(a aluOp, dst uint8, src opnd, srcReg uint8) {
	if src.isImm {
		e.put(sbpf.Instruction{Op: sbpf.Opcode(aluCode(a)<<4 | 0x07), Dst: dst, Imm: int32(src.imm)})
		return
	}
	e.put(sbpf.Instruction{Op: sbpf.Opcode(aluCode(a)<<4 | 0x0f), Dst: dst, Src: srcReg})
}

func (e *emitter) movReg(dst, src uint8) {
	if dst != src {
		e.put(sbpf.Instruction{Op: sbpf.Mov64Reg, Dst: dst, Src: src})
	}
}

func (e *emitter) movImm(dst uint8, v int64) {
	if fitsImm32(v) {
		e.put(sbpf.Instruction{Op: sbpf.Mov64Imm, Dst: dst, Imm: int32(v)})
		return
	}
	e.put(sbpf.Instruction{Op: sbpf.LdDwImm, Dst: dst, Imm: int32(uint32(v))})
	e.put(sbpf.Instruction{Imm: int32(uint32(uint64(v) >> 32))})
}

var ldxOps = map[uint8]sbpf.Opcode{1: sbpf.LdxB, 2: sbpf.LdxH, 4: sbpf.LdxW, 8: sbpf.LdxDW}
var stOps = map[uint8]sbpf.Opcode{1: sbpf.StBImm, 2: sbpf.StHImm, 4: sbpf.StWImm, 8: sbpf.StDWImm}
var stxOps = map[uint8]sbpf.Opcode{1: sbpf.StxB, 2: sbpf.StxH, 4: sbpf.StxW, 8: sbpf.StxDW}

func (e *emitter) slotOff(r vreg) int16 {
	return int16(-(e.f.frame + scratchSlot + 8*(e.al.slot[r]+1)))
}

func (e *emitter) spilled(r vreg) bool { return r >= 0 && e.al.slot[r] >= 0 }

// src makes operand o available in a register, loading a spilled value
// into scratch.
func (e *emitter) src(o opnd, scratch uint8) uint8 {
	if o.r == fpReg {
		return 10
	}
	if e.spilled(o.r) {
		e.put(sbpf.Instruction{Op: sbpf.LdxDW, Dst: scratch, Src: 10, Off: e.slotOff(o.r)})
		return scratch
	}
	return uint8(e.al.color[o.r])
}

// dstReg is where to compute a definition of r; finish stores it back if
// r is spilled.
func (e *emitter) dstReg(r vreg) uint8 {
	if e.spilled(r) {
		return 4
	}
	return uint8(e.al.color[r])
}

func (e *emitter) finish(r vreg, computed uint8) {
	if e.spilled(r) {
		e.put(sbpf.Instruction{Op: sbpf.StxDW, Dst: 10, Src: computed, Off: e.slotOff(r)})
	}
}

// move is one element of a parallel move into a physical register.
type move struct {
	dst  uint8
	src  opnd
	from int // physical source register, or -1
}

// parallelMove sets each dst register to its source simultaneously.
func (e *emitter) parallelMove(moves []move) {
	var pend []move
	for _, m := range moves {
		if m.src.isImm || m.src.r == fpReg || !e.spilled(m.src.r) {
			m.from = -1
			if !m.src.isImm {
				if m.src.r == fpReg {
					m.from = 10
				} else {
					m.from = int(e.al.color[m.src.r])
				}
			}
		} else {
			m.from = -1
		}
		if m.from == int(m.dst) {
			continue
		}
		pend = append(pend, m)
	}
	// register-to-register moves first, in dependency order
	isSrc := func(r uint8, skip int) bool {
		for j, m := range pend {
			if j != skip && m.from == int(r) {
				return true
			}
		}
		return false
	}
	for {
		progress := false
		for j := 0; j < len(pend); j++ {
			m := pend[j]
			if m.from < 0 || isSrc(m.dst, j) {
				continue
			}
			e.movReg(m.dst, uint8(m.from))
			pend = append(pend[:j], pend[j+1:]...)
			j--
			progress = true
		}
		if progress {
			continue
		}
		// only cycles (or non-register sources) remain
		cyc := -1
		for j, m := range pend {
			if m.from >= 0 {
				cyc = j
				break
			}
		}
		if cyc < 0 {
			break
		}
		// break the cycle through the scratch slot: save the source of
		// this move, let the others proceed, then restore it.
		m := pend[cyc]
		e.put(sbpf.Instruction{Op: sbpf.StxDW, Dst: 10, Src: uint8(m.from), Off: -scratchSlot})
		pend[cyc].from = -2 // now in the scratch slot
	}
	for _, m := range pend {
		switch {
		case m.from == -2:
			e.put(sbpf.Instruction{Op: sbpf.LdxDW, Dst: m.dst, Src: 10, Off: -scratchSlot})
		case m.src.isImm:
			e.movImm(m.dst, m.src.imm)
		default:
			e.put(sbpf.Instruction{Op: sbpf.LdxDW, Dst: m.dst, Src: 10, Off: e.slotOff(m.src.r)})
		}
	}
}

var jumpOps = map[cond][2]sbpf.Opcode{
	cEq: {sbpf.JeqImm, sbpf.JeqReg}, cNe: {sbpf.JneImm, sbpf.JneReg},
	cGt: {sbpf.JgtImm, sbpf.JgtReg}, cGe: {sbpf.JgeImm, sbpf.JgeReg},
	cLt: {sbpf.JltImm, sbpf.JltReg}, cLe: {sbpf.JleImm, sbpf.JleReg},
	cSgt: {sbpf.JsgtImm, sbpf.JsgtReg}, cSge: {sbpf.JsgeImm, sbpf.JsgeReg},
	cSlt: {sbpf.JsltImm, sbpf.JsltReg}, cSle: {sbpf.JsleImm, sbpf.JsleReg},
	cSet: {sbpf.JsetImm, sbpf.JsetReg},
}

// lower turns one allocated function into machine code.
func lower(f *function, inst *instance, code []inst, al *allocation, v sbpf.Version) (*mcode, error) {
	e := &emitter{m: &mcode{fn: inst, labels: map[int]int{}}, al: al, f: f}
	frame := f.frame + scratchSlot + 8*al.nslots
	if frame > sbpf.StackFrameSize {
		return nil, fmt.Errorf("function %s needs %d bytes of stack frame, more than the %d an sBPF frame has", f.name, frame, sbpf.StackFrameSize)
	}
	e.m.frame = frame
	for i := range code {
		in := &code[i]
		e.cur = in.pos
		if err := e.lowerOne(in, v); err != nil {
			return nil, err
		}
	}
	if len(e.m.slots) == 0 || (e.m.slots[0].Op == sbpf.Call && v.StaticSyscalls()) {
		// a function may not begin with a call to itself in V3; a
		// leading no-op rules that out
		e.m.slots = append([]sbpf.Instruction{{Op: sbpf.Mov64Reg, Dst: 0, Src: 0}}, e.m.slots...)
		e.m.pos = append([]srcPos{e.m.pos[0]}, e.m.pos...)
		for k, s := range e.m.labels {
			e.m.labels[k] = s + 1
		}
		for _, fx := range []*[]fixup{&e.m.jumps, &e.m.calls, &e.m.addrs, &e.m.pcs, &e.m.syscalls} {
			for j := range *fx {
				(*fx)[j].slot++
			}
		}
	}
	return e.m, e.err
}

func (e *emitter) lowerOne(in *inst, v sbpf.Version) error {
	switch in.op {
	case opLabel:
		e.m.labels[in.target] = len(e.m.slots)
	case opMov:
		if in.dst < 0 || e.al.color[in.dst] < 0 && !e.spilled(in.dst) {
			return nil // a register that is never read
		}
		d := e.dstReg(in.dst)
		if in.a.isImm {
			e.movImm(d, in.a.imm)
		} else if e.spilled(in.a.r) {
			e.put(sbpf.Instruction{Op: sbpf.LdxDW, Dst: d, Src: 10, Off: e.slotOff(in.a.r)})
		} else {
			e.movReg(d, e.src(in.a, 5))
		}
		e.finish(in.dst, d)
	case opALU:
		d := e.dstReg(in.dst)
		b := in.b
		if b.isImm && !fitsImm32(b.imm) {
			return fmt.Errorf("internal error: ALU immediate %d does not fit", b.imm)
		}
		a := e.src(in.a, 4)
		var br uint8
		if !b.isImm {
			br = e.src(b, 5)
		}
		switch {
		case a == d:
			e.alu(in.alu, d, b, br)
		case !b.isImm && br == d && in.alu.commutative():
			e.alu(in.alu, d, reg(in.a.r), a)
		case !b.isImm && br == d:
			return fmt.Errorf("internal error: %s clobbers its second operand", in.String())
		default:
			e.movReg(d, a)
			e.alu(in.alu, d, b, br)
		}
		e.finish(in.dst, d)
	case opLoad:
		d := e.dstReg(in.dst)
		base := e.src(in.a, 5)
		e.put(sbpf.Instruction{Op: ldxOps[in.size], Dst: d, Src: base, Off: int16(in.off)})
		e.finish(in.dst, d)
	case opStore:
		base := e.src(in.a, 4)
		if in.b.isImm {
			e.put(sbpf.Instruction{Op: stOps[in.size], Dst: base, Off: int16(in.off), Imm: int32(in.b.imm)})
		} else {
			s := e.src(in.b, 5)
			e.put(sbpf.Instruction{Op: stxOps[in.size], Dst: base, Src: s, Off: int16(in.off)})
		}
	case opJmp:
		e.m.jumps = append(e.m.jumps, fixup{slot: len(e.m.slots), label: in.target})
		e.put(sbpf.Instruction{Op: sbpf.Ja})
	case opBr:
		a := e.src(in.a, 4)
		ops := jumpOps[in.cond]
		var b uint8
		if !in.b.isImm {
			b = e.src(in.b, 5)
		}
		e.m.jumps = append(e.m.jumps, fixup{slot: len(e.m.slots), label: in.target})
		if in.b.isImm {
			e.put(sbpf.Instruction{Op: ops[0], Dst: a, Imm: int32(in.b.imm)})
		} else {
			e.put(sbpf.Instruction{Op: ops[1], Dst: a, Src: b})
		}
	case opCall, opSyscall, opCallx:
		var moves []move
		for j, arg := range in.args {
			moves = append(moves, move{dst: uint8(j + 1), src: arg})
		}
		if in.op == opCallx {
			moves = append(moves, move{dst: 0, src: in.a})
		}
		e.parallelMove(moves)
		switch in.op {
		case opCall:
			e.m.calls = append(e.m.calls, fixup{slot: len(e.m.slots), fn: in.fn})
			e.put(sbpf.Instruction{Op: sbpf.Call, Imm: -1})
		case opSyscall:
			e.m.syscalls = append(e.m.syscalls, fixup{slot: len(e.m.slots), name: in.sys})
			e.put(sbpf.Instruction{Op: sbpf.Call, Imm: int32(sbpf.SyscallHash(in.sys))})
		case opCallx:
			if v.CallxUsesDstReg() {
				e.put(sbpf.Instruction{Op: sbpf.Callx, Dst: 0})
			} else {
				e.put(sbpf.Instruction{Op: sbpf.Callx, Imm: 0})
			}
		}
		if in.noReturn {
			// The callee (%fatal) is not meant to return; should it ever,
			// trap here instead of falling into the next block. It also
			// tells the verifier's pairing proof that the path ends.
			e.m.syscalls = append(e.m.syscalls, fixup{slot: len(e.m.slots), name: "abort"})
			e.put(sbpf.Instruction{Op: sbpf.Call, Imm: int32(sbpf.SyscallHash("abort"))})
			return nil
		}
		// results: r0 and r1 to their homes (r1 first: r0 may be its home)
		var rm []move
		if in.dst2 >= 0 && e.al.color[in.dst2] >= 0 {
			rm = append(rm, move{dst: uint8(e.al.color[in.dst2]), src: opnd{r: -3}, from: 1})
		}
		if in.dst >= 0 && e.al.color[in.dst] >= 0 {
			rm = append(rm, move{dst: uint8(e.al.color[in.dst]), src: opnd{r: -3}, from: 0})
		}
		e.resultMoves(rm)
		if in.dst2 >= 0 && e.spilled(in.dst2) {
			e.put(sbpf.Instruction{Op: sbpf.StxDW, Dst: 10, Src: 1, Off: e.slotOff(in.dst2)})
		}
		if in.dst >= 0 && e.spilled(in.dst) {
			e.put(sbpf.Instruction{Op: sbpf.StxDW, Dst: 10, Src: 0, Off: e.slotOff(in.dst)})
		}
	case opRet:
		var moves []move
		if in.a.ok() {
			moves = append(moves, move{dst: 0, src: in.a})
		}
		if in.b.ok() {
			moves = append(moves, move{dst: 1, src: in.b})
		}
		e.parallelMove(moves)
		e.put(sbpf.Instruction{Op: sbpf.Exit})
	case opAddr:
		d := e.dstReg(in.dst)
		if in.sys == addrPC {
			e.m.pcs = append(e.m.pcs, fixup{slot: len(e.m.slots), fn: in.fn})
			e.put(sbpf.Instruction{Op: sbpf.Mov64Imm, Dst: d})
			e.finish(in.dst, d)
			return nil
		}
		e.m.addrs = append(e.m.addrs, fixup{slot: len(e.m.slots), fn: in.fn, off: in.off})
		e.put(sbpf.Instruction{Op: sbpf.LdDwImm, Dst: d})
		e.put(sbpf.Instruction{})
		e.finish(in.dst, d)
	case opFrame:
		d := e.dstReg(in.dst)
		e.movReg(d, 10)
		e.put(sbpf.Instruction{Op: sbpf.Add64Imm, Dst: d, Imm: int32(-in.off - scratchSlot)})
		e.finish(in.dst, d)
	case opParams:
		var moves []move
		var spills []move
		for j, p := range in.args {
			if p.r < 0 || j >= 5 {
				continue
			}
			if e.spilled(p.r) {
				spills = append(spills, move{dst: uint8(j + 1), src: p})
				continue
			}
			if e.al.color[p.r] < 0 {
				continue
			}
			moves = append(moves, move{dst: uint8(e.al.color[p.r]), src: opnd{r: -3}, from: j + 1})
		}
		for _, s := range spills {
			e.put(sbpf.Instruction{Op: sbpf.StxDW, Dst: 10, Src: s.dst, Off: e.slotOff(s.src.r)})
		}
		e.resultMoves(moves)
	}
	return nil
}

// resultMoves performs a parallel move whose sources are fixed physical
// registers (m.from).
func (e *emitter) resultMoves(moves []move) {
	var pend []move
	for _, m := range moves {
		if int(m.dst) != m.from {
			pend = append(pend, m)
		}
	}
	for len(pend) > 0 {
		progress := false
		for j := 0; j < len(pend); j++ {
			m := pend[j]
			blocked := false
			for k, o := range pend {
				if k != j && o.from == int(m.dst) {
					blocked = true
				}
			}
			if blocked {
				continue
			}
			if m.from == -2 {
				e.put(sbpf.Instruction{Op: sbpf.LdxDW, Dst: m.dst, Src: 10, Off: -scratchSlot})
			} else {
				e.movReg(m.dst, uint8(m.from))
			}
			pend = append(pend[:j], pend[j+1:]...)
			j--
			progress = true
		}
		if !progress {
			e.put(sbpf.Instruction{Op: sbpf.StxDW, Dst: 10, Src: uint8(pend[0].from), Off: -scratchSlot})
			pend[0].from = -2
		}
	}
}
