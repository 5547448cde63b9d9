package asm

import (
	"fmt"
	"math"
	"strconv"

	"github.com/agora-vm/agora/sbpf"
)

// registry models the reference's FunctionRegistry as the assembler fills
// it: key -> (name, pc). A key may be registered again only with the same
// pc, and the first name stays.
type registry struct {
	entries map[uint32]registryEntry
}

type registryEntry struct {
	name string
	pc   int64
}

func (r *registry) register(key uint32, name string, pc int64) bool {
	if e, ok := r.entries[key]; ok {
		return e.pc == pc
	}
	r.entries[key] = registryEntry{name, pc}
	return true
}

// lookupByName returns the pc of the lowest key registered under name,
// as the reference's BTreeMap scan does.
func (r *registry) lookupByName(name string) (int64, bool) {
	found, best := false, registryEntry{}
	var bestKey uint32
	for k, e := range r.entries {
		if e.name == name && (!found || k < bestKey) {
			found, best, bestKey = true, e, k
		}
	}
	return best.pc, found
}

// encoder turns one instruction statement into slots. The assembler and
// the disassembler share it, so that what the disassembler prints is
// checked against exactly what the assembler will make of it.
type encoder struct {
	v            sbpf.Version
	allowInvalid bool
	labels       map[string]int    // explicit labels; unused for resolved operands
	dataLabels   map[string]int    // labels of the .rodata section: byte offsets
	reg          *registry         // receives the targets of `call imm`; nil to skip
	ref          *AddrRef          // set by encode for `lddw reg, label`
	syscalls     map[uint32]string // names of `syscall NAME`; nil to skip
}

func (e *encoder) noteSyscall(name string) {
	if e.syscalls != nil {
		e.syscalls[sbpf.SyscallHash(name)] = name
	}
}

func errAt(st *statement, col int, format string, args ...any) *Error {
	return &Error{Line: st.line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

// shape is a compact signature of the operand kinds, e.g. "RI" or "MR".
func shape(ops []operand) string {
	b := make([]byte, len(ops))
	for i, o := range ops {
		b[i] = " RIML"[o.kind]
	}
	return string(b)
}

func (e *encoder) opcode(st *statement, op sbpf.Op) (sbpf.Opcode, error) {
	if code, ok := e.v.Opcode(op); ok {
		return code, nil
	}
	if e.allowInvalid {
		return op.Info().Opcode, nil
	}
	return 0, errAt(st, st.col, "%s is not available in sBPF %s", st.name, e.v)
}

func checkImm(st *statement, o operand, v int64) (int32, error) {
	if v < math.MinInt32 || v > math.MaxInt32 {
		return 0, errAt(st, o.col, "immediate %d out of range (want a signed 32-bit value)", v)
	}
	return int32(v), nil
}

func checkOff(st *statement, o operand, v int64) (int16, error) {
	if v < math.MinInt16 || v > math.MaxInt16 {
		return 0, errAt(st, o.col, "offset %d out of range (want -32768 to 32767)", v)
	}
	return int16(v), nil
}

// target resolves a label operand to a pc. Like the reference, the name
// entrypoint means pc 0 unless a label of that name is defined.
func (e *encoder) target(st *statement, o operand) (int64, error) {
	if o.resolved {
		return o.target, nil
	}
	if pc, ok := e.labels[o.name]; ok {
		return int64(pc), nil
	}
	if o.name == "entrypoint" {
		return 0, nil
	}
	return 0, errAt(st, o.col, "undefined label %q", o.name)
}

// addrRef resolves the label operand of `lddw reg, label`: the address
// of an instruction or of read-only data, which the ELF writer fills in.
func (e *encoder) addrRef(st *statement, o operand, pc int) (*AddrRef, error) {
	r := &AddrRef{PC: pc}
	if off, ok := e.dataLabels[o.name]; ok {
		r.ROData, r.Offset = true, uint64(off)
	} else if t, ok := e.labels[o.name]; ok {
		r.Offset = uint64(t) * sbpf.InsnSize
	} else {
		return nil, errAt(st, o.col, "undefined label %q", o.name)
	}
	e.ref = r
	return r, nil
}

// jumpOffset is the offset operand of ja and the conditional jumps.
func (e *encoder) jumpOffset(st *statement, o operand, pc int) (int16, error) {
	if o.kind == opInt {
		return checkOff(st, o, o.val)
	}
	t, err := e.target(st, o)
	if err != nil {
		return 0, err
	}
	return checkOff(st, o, t-int64(pc)-1)
}

// encode assembles st, an instruction at pc, into one or two slots.
func (e *encoder) encode(st *statement, m mnemonic, pc int) (out [2]sbpf.Instruction, n int, err error) {
	ops := st.ops
	sh := shape(ops)
	bad := func() ([2]sbpf.Instruction, int, error) {
		if m.usage() == "no operands" {
			return out, 0, errAt(st, st.col, "%s takes no operands", st.name)
		}
		return out, 0, errAt(st, st.col, "%s takes %s", st.name, m.usage())
	}
	ins := &out[0]
	op := m.imm
	switch m.kind {
	case kALU:
		switch {
		case sh == "RR" && m.reg != 0:
			op = m.reg
			ins.Dst, ins.Src = ops[0].reg, ops[1].reg
		case sh == "RI" && m.imm != 0:
			if ins.Imm, err = checkImm(st, ops[1], ops[1].val); err != nil {
				return out, 0, err
			}
			ins.Dst = ops[0].reg
			if op == sbpf.OpAdd64Imm && ins.Dst == sbpf.FramePointerReg && !e.v.DynamicFrames() {
				// The reference turns a stack-frame bump into the no-op
				// `or64 r0, 0` in versions without dynamic frames.
				op, ins.Dst, ins.Imm = sbpf.OpOr64Imm, 0, 0
			}
		default:
			return bad()
		}
	case kUnary, kEndian:
		if sh != "R" {
			return bad()
		}
		ins.Dst, ins.Imm = ops[0].reg, m.width
	case kLoad:
		if sh != "RM" {
			return bad()
		}
		if ins.Off, err = checkOff(st, ops[1], ops[1].val); err != nil {
			return out, 0, err
		}
		ins.Dst, ins.Src = ops[0].reg, ops[1].reg
	case kStoreImm:
		if sh != "MI" {
			return bad()
		}
		if ins.Off, err = checkOff(st, ops[0], ops[0].val); err != nil {
			return out, 0, err
		}
		if ins.Imm, err = checkImm(st, ops[1], ops[1].val); err != nil {
			return out, 0, err
		}
		ins.Dst = ops[0].reg
	case kStoreReg:
		if sh != "MR" {
			return bad()
		}
		if ins.Off, err = checkOff(st, ops[0], ops[0].val); err != nil {
			return out, 0, err
		}
		ins.Dst, ins.Src = ops[0].reg, ops[1].reg
	case kLDDW:
		if sh != "RI" && sh != "RL" {
			return bad()
		}
		v := ops[1].val
		if sh == "RL" {
			r, err := e.addrRef(st, ops[1], pc)
			if err != nil {
				return out, 0, err
			}
			v = int64(r.Offset)
		}
		ins.Dst, ins.Imm = ops[0].reg, int32(v)
		out[1].Imm = int32(v >> 32)
		n = 1
	case kJa:
		if sh != "I" && sh != "L" {
			return bad()
		}
		if ins.Off, err = e.jumpOffset(st, ops[0], pc); err != nil {
			return out, 0, err
		}
	case kJump:
		if len(sh) != 3 || sh[0] != 'R' || sh[2] != 'I' && sh[2] != 'L' {
			return bad()
		}
		switch {
		case sh[1] == 'R' && m.reg != 0:
			op = m.reg
			ins.Src = ops[1].reg
		case sh[1] == 'I' && m.imm != 0:
			if ins.Imm, err = checkImm(st, ops[1], ops[1].val); err != nil {
				return out, 0, err
			}
		default:
			return bad()
		}
		ins.Dst = ops[0].reg
		if ins.Off, err = e.jumpOffset(st, ops[2], pc); err != nil {
			return out, 0, err
		}
	case kCall:
		if sh != "I" && sh != "L" {
			return bad()
		}
		if err := e.call(st, ops[0], pc, ins); err != nil {
			return out, 0, err
		}
	case kSyscall:
		switch sh {
		case "L":
			ins.Imm = int32(sbpf.HashSymbol([]byte(ops[0].name)))
			e.noteSyscall(ops[0].name)
		case "I":
			if ins.Imm, err = checkImm(st, ops[0], ops[0].val); err != nil {
				return out, 0, err
			}
		default:
			return bad()
		}
	case kCallx:
		if sh != "R" {
			return bad()
		}
		r := ops[0].reg
		switch {
		case e.v.CallxUsesSrcReg():
			ins.Src = r
		case e.v.CallxUsesDstReg():
			ins.Dst = r
		default:
			ins.Imm = int32(r)
		}
	case kExit:
		if sh != "" {
			return bad()
		}
	case kAlias:
		if sh != "" {
			return bad()
		}
		op = sbpf.OpCall
		ins.Imm = int32(sbpf.HashSymbol([]byte(m.target)))
		e.noteSyscall(m.target)
	default:
		return out, 0, errAt(st, st.col, "unknown mnemonic %q", st.name)
	}
	code, err := e.opcode(st, op)
	if err != nil {
		return out, 0, err
	}
	ins.Op = code
	return out, n + 1, nil
}

// call encodes `call label` and `call imm`. A label is the absolute pc
// in V0-V2 (the function registry key the assembler uses) and relative,
// with src=1, from V3 on. An integer is always relative in the source;
// its target is registered as function_<pc>, and V0-V2 store the target.
func (e *encoder) call(st *statement, o operand, pc int, ins *sbpf.Instruction) error {
	static := e.v.StaticSyscalls()
	var imm int64
	if o.kind == opLabel {
		t, err := e.target(st, o)
		if err != nil {
			return err
		}
		imm = t
		if static {
			imm = t - int64(pc) - 1
		}
	} else {
		rel := o.val
		if rel < -1<<40 || rel > 1<<40 {
			return errAt(st, o.col, "immediate %d out of range (want a signed 32-bit value)", rel)
		}
		t := rel + int64(pc) + 1
		imm = t
		if static {
			imm = rel
		}
		if _, err := checkImm(st, o, imm); err != nil {
			return err
		}
		if e.reg != nil && !e.reg.register(uint32(t), "function_"+strconv.FormatInt(t, 10), t) {
			return errAt(st, o.col, "function registry key %#x is already taken", uint32(t))
		}
	}
	v, err := checkImm(st, o, imm)
	if err != nil {
		return err
	}
	ins.Imm = v
	if static {
		ins.Src = 1
	}
	return nil
}
