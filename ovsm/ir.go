package ovsm

import (
	"fmt"
	"strings"
)

// The intermediate representation: per function, a list of three-address
// instructions over an unbounded set of virtual registers, with labels.
// Virtual registers may be assigned more than once (variables are), so it
// is not SSA; the register allocator works from liveness.

type vreg int32

const noReg vreg = -1

// opnd is an instruction operand: a virtual register or an immediate.
type opnd struct {
	r     vreg
	imm   int64
	isImm bool
}

func reg(r vreg) opnd        { return opnd{r: r} }
func imm(v int64) opnd       { return opnd{r: noReg, imm: v, isImm: true} }
func (o opnd) ok() bool      { return o.isImm || o.r >= 0 }
func fitsImm32(v int64) bool { return v >= -1<<31 && v < 1<<31 }

type irOp uint8

const (
	opLabel   irOp = iota // label id in target
	opMov                 // dst = a
	opALU                 // dst = a alu b (a a register, b either)
	opLoad                // dst = *(size*)(a.r + off)
	opStore               // *(size*)(a.r + off) = b
	opJmp                 // goto target
	opBr                  // if a cond b goto target
	opCall                // dst (r0), dst2 (r1) = fn(args)
	opSyscall             // dst (r0) = syscall(args)
	opCallx               // dst, dst2 = (*a)(args)
	opRet                 // return a (r0), b (r1, propagating functions)
	opAddr                // dst = address of rodata[off] (fn==nil) or of a function (fn); its instruction index when sys==addrPC
	opFrame               // dst = r10 - off: a buffer in the stack frame
	opParams              // defines args as the incoming r1..r5 (and stack-passed)
)

// addrPC, as the sys of an opAddr, asks for the function's instruction
// index (what agora_parallel_spawn takes) instead of its address.
const addrPC = "pc"

type aluOp uint8

const (
	aluAdd aluOp = iota
	aluSub
	aluMul
	aluDiv // unsigned
	aluMod // unsigned
	aluOr
	aluAnd
	aluXor
	aluLsh
	aluRsh
	aluArsh
)

var aluNames = [...]string{"add", "sub", "mul", "div", "mod", "or", "and", "xor", "lsh", "rsh", "arsh"}

func (a aluOp) commutative() bool {
	return a == aluAdd || a == aluMul || a == aluOr || a == aluAnd || a == aluXor
}

type cond uint8

const (
	cEq cond = iota
	cNe
	cGt // unsigned
	cGe
	cLt
	cLe
	cSgt // signed
	cSge
	cSlt
	cSle
	cSet // a & b != 0
)

var condNames = [...]string{"jeq", "jne", "jgt", "jge", "jlt", "jle", "jsgt", "jsge", "jslt", "jsle", "jset"}

// negate returns the condition that holds exactly when c does not (jset
// has none).
func (c cond) negate() cond {
	switch c {
	case cEq:
		return cNe
	case cNe:
		return cEq
	case cGt:
		return cLe
	case cGe:
		return cLt
	case cLt:
		return cGe
	case cLe:
		return cGt
	case cSgt:
		return cSle
	case cSge:
		return cSlt
	case cSlt:
		return cSge
	case cSle:
		return cSgt
	}
	return c
}

// swap returns the condition with its operands exchanged.
func (c cond) swap() cond {
	switch c {
	case cGt:
		return cLt
	case cGe:
		return cLe
	case cLt:
		return cGt
	case cLe:
		return cGe
	case cSgt:
		return cSlt
	case cSge:
		return cSle
	case cSlt:
		return cSgt
	case cSle:
		return cSge
	}
	return c
}

// eval decides c on constants.
func (c cond) eval(a, b int64) bool {
	ua, ub := uint64(a), uint64(b)
	switch c {
	case cEq:
		return a == b
	case cNe:
		return a != b
	case cGt:
		return ua > ub
	case cGe:
		return ua >= ub
	case cLt:
		return ua < ub
	case cLe:
		return ua <= ub
	case cSgt:
		return a > b
	case cSge:
		return a >= b
	case cSlt:
		return a < b
	case cSle:
		return a <= b
	case cSet:
		return a&b != 0
	}
	return false
}

// srcPos is a source position of generated code: line and column in the
// user's file (file 0) or in the runtime library (file 1).
type srcPos struct {
	file int32
	line int32
	col  int32
}

// inst is one IR instruction.
type inst struct {
	op     irOp
	alu    aluOp
	cond   cond
	size   uint8 // memory width: 1, 2, 4, 8
	off    int64 // memory offset, rodata offset, frame offset
	dst    vreg
	dst2   vreg
	a, b   opnd
	args   []opnd
	target int       // label id
	fn     *instance // call target / function address
	sys    string    // syscall name
	// noReturn marks a call that never returns (the fatal-error path).
	noReturn bool
	// nargs is the number of incoming arguments of opParams.
	pos   srcPos
	depth int // loop nesting, for the allocator's priorities
}

// function is the IR of one compiled function instance.
type function struct {
	name     string
	insts    []inst
	cold     []inst // out-of-line code appended after insts
	nregs    int
	nlabels  int
	frame    int // bytes of frame buffers (below the spill slots)
	params   []vreg
	propag   bool // returns an error pointer in r1
	stackArg bool // takes arguments beyond the fifth through r5
}

func (f *function) newReg() vreg {
	f.nregs++
	return vreg(f.nregs - 1)
}

func (f *function) newLabel() int {
	f.nlabels++
	return f.nlabels - 1
}

// frameBuf reserves n bytes (rounded to 8) in the frame and returns their
// offset below r10.
func (f *function) frameBuf(n int) int {
	f.frame += (n + 7) &^ 7
	return f.frame
}

func (o opnd) String() string {
	if o.isImm {
		return fmt.Sprint(o.imm)
	}
	if o.r < 0 {
		return "_"
	}
	return fmt.Sprintf("v%d", o.r)
}

func (i *inst) String() string {
	v := func(r vreg) string { return reg(r).String() }
	switch i.op {
	case opLabel:
		return fmt.Sprintf("L%d:", i.target)
	case opMov:
		return fmt.Sprintf("  %s = %s", v(i.dst), i.a)
	case opALU:
		return fmt.Sprintf("  %s = %s %s %s", v(i.dst), i.a, aluNames[i.alu], i.b)
	case opLoad:
		return fmt.Sprintf("  %s = load%d [%s%+d]", v(i.dst), i.size*8, i.a, i.off)
	case opStore:
		return fmt.Sprintf("  store%d [%s%+d] = %s", i.size*8, i.a, i.off, i.b)
	case opJmp:
		return fmt.Sprintf("  goto L%d", i.target)
	case opBr:
		return fmt.Sprintf("  %s %s, %s, L%d", condNames[i.cond], i.a, i.b, i.target)
	case opCall, opSyscall, opCallx:
		var as []string
		for _, a := range i.args {
			as = append(as, a.String())
		}
		t := i.sys
		if i.fn != nil {
			t = i.fn.name
		}
		if i.op == opCallx {
			t = "*" + i.a.String()
		}
		return fmt.Sprintf("  %s, %s = call %s(%s)", v(i.dst), v(i.dst2), t, strings.Join(as, ", "))
	case opRet:
		return fmt.Sprintf("  ret %s, %s", i.a, i.b)
	case opAddr:
		if i.sys == addrPC {
			return fmt.Sprintf("  %s = pc(%s)", v(i.dst), i.fn.name)
		}
		if i.fn != nil {
			return fmt.Sprintf("  %s = &%s", v(i.dst), i.fn.name)
		}
		return fmt.Sprintf("  %s = &rodata[%d]", v(i.dst), i.off)
	case opFrame:
		return fmt.Sprintf("  %s = r10-%d", v(i.dst), i.off)
	case opParams:
		var ps []string
		for _, a := range i.args {
			ps = append(ps, a.String())
		}
		return fmt.Sprintf("  params %s", strings.Join(ps, ", "))
	}
	return "?"
}

// dump renders f for debugging.
func (f *function) dump() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:\n", f.name)
	for i := range f.insts {
		b.WriteString(f.insts[i].String())
		b.WriteByte('\n')
	}
	if len(f.cold) > 0 {
		b.WriteString("  ; cold\n")
		for i := range f.cold {
			b.WriteString(f.cold[i].String())
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// uses appends the registers i reads.
func (i *inst) uses(out []vreg) []vreg {
	add := func(o opnd) {
		if !o.isImm && o.r >= 0 {
			out = append(out, o.r)
		}
	}
	switch i.op {
	case opMov:
		add(i.a)
	case opALU:
		add(i.a)
		add(i.b)
	case opLoad:
		add(i.a)
	case opStore:
		add(i.a)
		add(i.b)
	case opBr:
		add(i.a)
		add(i.b)
	case opCall, opSyscall:
		for _, a := range i.args {
			add(a)
		}
	case opCallx:
		add(i.a)
		for _, a := range i.args {
			add(a)
		}
	case opRet:
		add(i.a)
		add(i.b)
	}
	return out
}

// defs appends the registers i writes.
func (i *inst) defs(out []vreg) []vreg {
	switch i.op {
	case opMov, opALU, opLoad, opAddr, opFrame:
		out = append(out, i.dst)
	case opCall, opSyscall, opCallx:
		if i.dst >= 0 {
			out = append(out, i.dst)
		}
		if i.dst2 >= 0 {
			out = append(out, i.dst2)
		}
	case opParams:
		for _, a := range i.args {
			out = append(out, a.r)
		}
	}
	return out
}

// isCall reports whether i clobbers r0-r5.
func (i *inst) isCall() bool { return i.op == opCall || i.op == opSyscall || i.op == opCallx }

// terminates reports whether control never falls through i.
func (i *inst) terminates() bool {
	return i.op == opJmp || i.op == opRet || (i.isCall() && i.noReturn)
}

// pure reports whether i has no effect besides defining its registers,
// so it can be deleted when they are dead.
func (i *inst) pure() bool {
	switch i.op {
	case opMov, opAddr, opFrame:
		return true
	case opALU:
		return i.alu != aluDiv && i.alu != aluMod || (i.b.isImm && i.b.imm != 0)
	}
	return false
}
