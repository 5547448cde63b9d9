//go:build amd64 && linux

package jit

import (
	"fmt"
	"math/bits"
	"runtime"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/vm"
)

// enter calls generated code at code with DI = ctx (enter_amd64.s).
//
//go:noescape
func enter(code uintptr, ctx unsafe.Pointer)

// jregion is a region slot as generated code reads it: 128 bytes.
type jregion struct {
	base     unsafe.Pointer // 0
	start    uint64         // 8
	gapShift uint64         // 16
	loadLim  [4]uint64      // 24
	storeLim [4]uint64      // 56
	dirty    *uint64        // 88
	_        [4]uint64      // 96
}

// jctx is the state generated code works on; DI points at it.
type jctx struct {
	regs      [11]uint64     // 0: r0-r10
	remaining uint64         // 88: compute units left after the current block
	exitPC    uint64         // 96: pc of the instruction to hand over, | meterFlag
	frames    unsafe.Pointer // 104: the machine's call frames
	depth     *int           // 112: the machine's call depth
	maxDepth  uint64         // 120
	bump      uint64         // 128: r10 increase per call
	table     unsafe.Pointer // 136: per slot, the absolute address of its code
	_         [6]uint64      // 144
	regions   [8]jregion     // 192
	views     [vm.NumRegionSlots]vm.RegionView
}

const (
	offRemaining = 88
	offExitPC    = 96
	offFrames    = 104
	offDepth     = 112
	offMaxDepth  = 120
	offBump      = 128
	offTable     = 136
	offRegions   = 192
	regionShift  = 7
	// meterFlag marks an exit at a block whose instructions the meter
	// cannot pay for.
	meterFlag = 1 << 30
)

func init() {
	// The offsets above are the generated code's view of jctx.
	var c jctx
	if unsafe.Offsetof(c.remaining) != offRemaining || unsafe.Offsetof(c.exitPC) != offExitPC ||
		unsafe.Offsetof(c.regions) != offRegions || unsafe.Offsetof(c.table) != offTable || unsafe.Offsetof(c.bump) != offBump || unsafe.Sizeof(jregion{}) != 1<<regionShift ||
		unsafe.Offsetof(jregion{}.dirty) != 88 {
		panic("jit: context layout changed")
	}
}

func dreg(r uint8) int32 { return int32(r) * 8 }

// compiled is a program's machine code.
type compiled struct {
	mem    []byte               // the mapping, read+exec
	table  []uintptr            // per slot, the absolute address of its code
	size   int                  // bytes of code
	entry  []int32              // per slot: offset of its code
	rest   []int32              // per slot: instructions from it to its block's end
	leader []bool               // per slot: a block starts here (and charges the meter)
	spare  atomic.Pointer[jctx] // a context to reuse, so a run allocates none
}

// classify says how an instruction is compiled.
type class uint8

const (
	inline  class = iota // straight-line code, the block continues
	branch               // a jump: the block ends, targets are leaders
	handoff              // always executed by the interpreter; the block ends
	call                 // a local call done in machine code; the block ends
	ret                  // exit: a return done in machine code, or a handoff at depth 0
)

func (c *compiled) free() { _ = unix.Munmap(c.mem) }

func regsOK(d vm.Decoded) bool { return d.Dst <= 10 && d.Src <= 10 }

func classOf(d vm.Decoded) class {
	op := d.Op
	if op < uint8(sbpf.NumOps) {
		switch sbpf.Op(op) {
		case sbpf.OpJa:
			return branch
		case sbpf.OpDiv32Imm, sbpf.OpDiv32Reg, sbpf.OpMod32Imm, sbpf.OpMod32Reg, sbpf.OpDiv64Imm, sbpf.OpDiv64Reg,
			sbpf.OpMod64Imm, sbpf.OpMod64Reg, sbpf.OpUdiv32Imm, sbpf.OpUdiv32Reg, sbpf.OpUrem32Imm, sbpf.OpUrem32Reg,
			sbpf.OpSdiv32Imm, sbpf.OpSdiv32Reg, sbpf.OpSrem32Imm, sbpf.OpSrem32Reg, sbpf.OpUdiv64Imm, sbpf.OpUdiv64Reg,
			sbpf.OpUrem64Imm, sbpf.OpUrem64Reg, sbpf.OpSdiv64Imm, sbpf.OpSdiv64Reg, sbpf.OpSrem64Imm, sbpf.OpSrem64Reg,
			sbpf.OpUhmul64Imm, sbpf.OpUhmul64Reg, sbpf.OpShmul64Imm, sbpf.OpShmul64Reg,
			sbpf.OpCall, sbpf.OpCallx, sbpf.OpInvalid:
			return handoff
		case sbpf.OpExit:
			return ret
		}
		if _, ok := jumpCond(sbpf.Op(op)); ok {
			if !regsOK(d) {
				return handoff
			}
			return branch
		}
		if !regsOK(d) || !knownInline(sbpf.Op(op)) {
			return handoff
		}
		return inline
	}
	switch op {
	case vm.ICallLocal:
		return call // the target is checked by compile
	case vm.IAdd32ImmZ, vm.IAdd32RegZ, vm.IRsub32ImmZ, vm.ISub32RegZ, vm.IRsub64Imm, vm.IMov32RegSext,
		vm.ILe16, vm.ILe32, vm.ILe64, vm.IBe16, vm.IBe32, vm.IBe64:
		if regsOK(d) {
			return inline
		}
	}
	return handoff
}

// knownInline lists the sbpf operations the compiler emits inline.
func knownInline(op sbpf.Op) bool {
	switch op {
	case sbpf.OpLDDW, sbpf.OpLdxB, sbpf.OpLdxH, sbpf.OpLdxW, sbpf.OpLdxDW, sbpf.OpStB, sbpf.OpStH, sbpf.OpStW, sbpf.OpStDW,
		sbpf.OpStxB, sbpf.OpStxH, sbpf.OpStxW, sbpf.OpStxDW,
		sbpf.OpAdd32Imm, sbpf.OpAdd32Reg, sbpf.OpSub32Imm, sbpf.OpSub32Reg, sbpf.OpMul32Imm, sbpf.OpMul32Reg,
		sbpf.OpOr32Imm, sbpf.OpOr32Reg, sbpf.OpAnd32Imm, sbpf.OpAnd32Reg, sbpf.OpLsh32Imm, sbpf.OpLsh32Reg,
		sbpf.OpRsh32Imm, sbpf.OpRsh32Reg, sbpf.OpNeg32, sbpf.OpXor32Imm, sbpf.OpXor32Reg, sbpf.OpMov32Imm,
		sbpf.OpMov32Reg, sbpf.OpArsh32Imm, sbpf.OpArsh32Reg, sbpf.OpLmul32Imm, sbpf.OpLmul32Reg,
		sbpf.OpAdd64Imm, sbpf.OpAdd64Reg, sbpf.OpSub64Imm, sbpf.OpSub64Reg, sbpf.OpMul64Imm, sbpf.OpMul64Reg,
		sbpf.OpLmul64Imm, sbpf.OpLmul64Reg, sbpf.OpOr64Imm, sbpf.OpOr64Reg, sbpf.OpAnd64Imm, sbpf.OpAnd64Reg,
		sbpf.OpLsh64Imm, sbpf.OpLsh64Reg, sbpf.OpRsh64Imm, sbpf.OpRsh64Reg, sbpf.OpNeg64, sbpf.OpXor64Imm,
		sbpf.OpXor64Reg, sbpf.OpMov64Imm, sbpf.OpMov64Reg, sbpf.OpArsh64Imm, sbpf.OpArsh64Reg, sbpf.OpHor64Imm:
		return true
	}
	return false
}

// cond is a jump's condition: the x86 jcc opcode's second byte, the
// operand width and whether it tests bits (jset) rather than comparing.
type cond struct {
	cc   byte
	w64  bool
	test bool
	reg  bool
}

func jumpCond(op sbpf.Op) (cond, bool) {
	switch op {
	case sbpf.OpJeqImm:
		return cond{0x84, true, false, false}, true
	case sbpf.OpJeqReg:
		return cond{0x84, true, false, true}, true
	case sbpf.OpJgtImm:
		return cond{0x87, true, false, false}, true
	case sbpf.OpJgtReg:
		return cond{0x87, true, false, true}, true
	case sbpf.OpJgeImm:
		return cond{0x83, true, false, false}, true
	case sbpf.OpJgeReg:
		return cond{0x83, true, false, true}, true
	case sbpf.OpJltImm:
		return cond{0x82, true, false, false}, true
	case sbpf.OpJltReg:
		return cond{0x82, true, false, true}, true
	case sbpf.OpJleImm:
		return cond{0x86, true, false, false}, true
	case sbpf.OpJleReg:
		return cond{0x86, true, false, true}, true
	case sbpf.OpJsetImm:
		return cond{0x85, true, true, false}, true
	case sbpf.OpJsetReg:
		return cond{0x85, true, true, true}, true
	case sbpf.OpJneImm:
		return cond{0x85, true, false, false}, true
	case sbpf.OpJneReg:
		return cond{0x85, true, false, true}, true
	case sbpf.OpJsgtImm:
		return cond{0x8f, true, false, false}, true
	case sbpf.OpJsgtReg:
		return cond{0x8f, true, false, true}, true
	case sbpf.OpJsgeImm:
		return cond{0x8d, true, false, false}, true
	case sbpf.OpJsgeReg:
		return cond{0x8d, true, false, true}, true
	case sbpf.OpJsltImm:
		return cond{0x8c, true, false, false}, true
	case sbpf.OpJsltReg:
		return cond{0x8c, true, false, true}, true
	case sbpf.OpJsleImm:
		return cond{0x8e, true, false, false}, true
	case sbpf.OpJsleReg:
		return cond{0x8e, true, false, true}, true
	case sbpf.OpJeq32Imm:
		return cond{0x84, false, false, false}, true
	case sbpf.OpJeq32Reg:
		return cond{0x84, false, false, true}, true
	case sbpf.OpJgt32Imm:
		return cond{0x87, false, false, false}, true
	case sbpf.OpJgt32Reg:
		return cond{0x87, false, false, true}, true
	case sbpf.OpJge32Imm:
		return cond{0x83, false, false, false}, true
	case sbpf.OpJge32Reg:
		return cond{0x83, false, false, true}, true
	case sbpf.OpJlt32Imm:
		return cond{0x82, false, false, false}, true
	case sbpf.OpJlt32Reg:
		return cond{0x82, false, false, true}, true
	case sbpf.OpJle32Imm:
		return cond{0x86, false, false, false}, true
	case sbpf.OpJle32Reg:
		return cond{0x86, false, false, true}, true
	case sbpf.OpJset32Imm:
		return cond{0x85, false, true, false}, true
	case sbpf.OpJset32Reg:
		return cond{0x85, false, true, true}, true
	case sbpf.OpJne32Imm:
		return cond{0x85, false, false, false}, true
	case sbpf.OpJne32Reg:
		return cond{0x85, false, false, true}, true
	case sbpf.OpJsgt32Imm:
		return cond{0x8f, false, false, false}, true
	case sbpf.OpJsgt32Reg:
		return cond{0x8f, false, false, true}, true
	case sbpf.OpJsge32Imm:
		return cond{0x8d, false, false, false}, true
	case sbpf.OpJsge32Reg:
		return cond{0x8d, false, false, true}, true
	case sbpf.OpJslt32Imm:
		return cond{0x8c, false, false, false}, true
	case sbpf.OpJslt32Reg:
		return cond{0x8c, false, false, true}, true
	case sbpf.OpJsle32Imm:
		return cond{0x8e, false, false, false}, true
	case sbpf.OpJsle32Reg:
		return cond{0x8e, false, false, true}, true
	}
	return cond{}, false
}

// fixup is a rel32 displacement to point at a slot's code.
type fixup struct{ at, pc int }

// compile translates exe's predecoded instructions to machine code.
func compile(exe *vm.Executable) (*compiled, error) {
	n := exe.Code()
	dec := make([]vm.Decoded, n+1)
	cls := make([]class, n+1)
	for pc := 0; pc <= n; pc++ {
		dec[pc] = exe.Decode(pc)
		cls[pc] = classOf(dec[pc])
		if cls[pc] == call && (dec[pc].Target < 0 || int(dec[pc].Target) >= n) {
			cls[pc] = handoff // CallOutsideTextSegment: the interpreter raises it
		}
	}
	c := &compiled{entry: make([]int32, n+1), rest: make([]int32, n+1), leader: make([]bool, n+1)}
	// Leaders: the entry, every jump and call target, every instruction
	// after a block's end, and the overrun sentinel.
	c.leader[0], c.leader[n] = true, true
	if e := exe.Program().Entry; e >= 0 && e < n {
		c.leader[e] = true
	}
	for pc := 0; pc < n; pc++ {
		d := dec[pc]
		switch {
		case cls[pc] == branch:
			c.leader[d.Target] = true
			c.leader[pc+1] = true
		case cls[pc] == handoff || cls[pc] == ret:
			c.leader[pc+1] = true
		case cls[pc] == call:
			c.leader[pc+1] = true
			c.leader[d.Target] = true
		}
	}
	// rest[pc]: the instructions a block entered at pc executes when it
	// runs to its end; an lddw counts once and skips its second slot.
	for pc := n; pc >= 0; pc-- {
		c.rest[pc] = 1
		if cls[pc] != inline {
			continue
		}
		next := pc + 1
		if dec[pc].Op == uint8(sbpf.OpLDDW) {
			next = pc + 2
		}
		if next <= n && !c.leader[next] {
			c.rest[pc] += c.rest[next]
		}
	}
	gapped := exe.Version().StackFrameGaps() && !exe.Config().NoStackGaps

	a := &buf{b: make([]byte, 0, 32*n+64)}
	var fix []fixup
	type stub struct {
		at []int
		pc int
	}
	var slow []stub  // inline accesses that need the interpreter
	var meter []stub // block entries the meter cannot pay for
	for pc := 0; pc <= n; pc++ {
		c.entry[pc] = int32(a.pos())
		if c.leader[pc] {
			// sub qword [rdi+remaining], rest ; jb meter stub
			a.mem(true, []byte{0x81}, 5, rdi, offRemaining)
			a.u32(uint32(c.rest[pc]))
			meter = append(meter, stub{[]int{a.jcc(0x82)}, pc})
		}
		d := dec[pc]
		switch cls[pc] {
		case handoff:
			a.handoff(pc)
			continue
		case call:
			slow = append(slow, stub{[]int{a.call(pc)}, pc})
			fix = append(fix, fixup{a.jmp(), int(d.Target)})
			continue
		case ret:
			slow = append(slow, stub{[]int{a.ret()}, pc})
			continue
		case branch:
			if d.Op == uint8(sbpf.OpJa) {
				fix = append(fix, fixup{a.jmp(), int(d.Target)})
				continue
			}
			cd, _ := jumpCond(sbpf.Op(d.Op))
			a.compare(cd, d)
			fix = append(fix, fixup{a.jcc(cd.cc), int(d.Target)})
			// Fall through to pc+1, a leader.
			continue
		}
		if ok := a.alu(d); ok {
			continue
		}
		if d.Op == uint8(sbpf.OpLDDW) {
			a.movImm64(rax, uint64(d.Imm))
			a.mem(true, []byte{0x89}, rax, rdi, dreg(d.Dst))
			if pc+2 <= n {
				fix = append(fix, fixup{a.jmp(), pc + 2})
			}
			continue
		}
		// Loads and stores.
		slow = append(slow, stub{a.access(d, gapped), pc})
	}
	for _, s := range slow {
		for _, at := range s.at {
			a.patch(at, a.pos())
		}
		a.handoff(s.pc)
	}
	for _, s := range meter {
		a.patch(s.at[0], a.pos())
		a.mem(true, []byte{0x81}, 0, rdi, offRemaining) // add back
		a.u32(uint32(c.rest[s.pc]))
		a.mem(true, []byte{0xc7}, 0, rdi, offExitPC)
		a.u32(uint32(s.pc) | meterFlag)
		a.emit(0xc3)
	}
	for _, f := range fix {
		a.patch(f.at, int(c.entry[f.pc]))
	}
	if len(a.b) > 1<<30 {
		return nil, fmt.Errorf("jit: %d bytes of code exceed the limit", len(a.b))
	}
	mem, err := mapCode(a.b)
	if err != nil {
		return nil, err
	}
	c.mem, c.size = mem, len(a.b)
	base := uintptr(unsafe.Pointer(unsafe.SliceData(mem)))
	c.table = make([]uintptr, n+1)
	for pc := range c.table {
		c.table[pc] = base + uintptr(c.entry[pc])
	}
	runtime.AddCleanup(c, func(m []byte) { _ = unix.Munmap(m) }, mem)
	return c, nil
}

// mapCode copies code into fresh pages and makes them read+exec: the
// pages are never writable and executable at once.
func mapCode(code []byte) ([]byte, error) {
	size := (len(code) + unix.Getpagesize() - 1) &^ (unix.Getpagesize() - 1)
	mem, err := unix.Mmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON)
	if err != nil {
		return nil, fmt.Errorf("jit: mapping %d bytes: %w", size, err)
	}
	copy(mem, code)
	if err := unix.Mprotect(mem, unix.PROT_READ|unix.PROT_EXEC); err != nil {
		_ = unix.Munmap(mem)
		return nil, fmt.Errorf("jit: protecting code: %w", err)
	}
	return mem, nil
}

// handoff exits to the engine with pc: the interpreter executes it.
func (a *buf) handoff(pc int) {
	a.mem(true, []byte{0xc7}, 0, rdi, offExitPC)
	a.u32(uint32(pc))
	a.emit(0xc3)
}

// call pushes a frame as the interpreter does and bumps r10; the caller
// emits the jump to the target. It returns the jump to take when the call
// depth would be exceeded (the interpreter then raises the fault).
func (a *buf) call(pc int) int {
	a.mem(true, []byte{0x8b}, rax, rdi, offDepth) // rax = &depth
	a.mem0(true, []byte{0x8b}, rcx, rax)          // rcx = depth
	a.rr(true, []byte{0x8b}, r8, rcx)             // r8 = depth+1
	a.rr(true, []byte{0xff}, 0, r8)
	a.mem(true, []byte{0x3b}, r8, rdi, offMaxDepth) // cmp r8, max
	slow := a.jcc(0x84)                             // je: CallDepthExceeded
	a.rr(true, []byte{0x69}, rdx, rcx)              // rdx = depth*FrameBytes
	a.u32(vm.FrameBytes)
	a.mem(true, []byte{0x03}, rdx, rdi, offFrames) // rdx = &frames[depth]
	for i, r := range []uint8{6, 7, 8, 9} {
		a.mem(true, []byte{0x8b}, rcx, rdi, dreg(r))
		a.mem(true, []byte{0x89}, rcx, rdx, int32(8*i))
	}
	a.mem(true, []byte{0x8b}, rcx, rdi, dreg(10))
	a.mem(true, []byte{0x89}, rcx, rdx, vm.FrameFP)
	a.mem(true, []byte{0xc7}, 0, rdx, vm.FrameReturnPC) // return pc
	a.u32(uint32(pc + 1))
	a.mem0(true, []byte{0x89}, r8, rax)          // depth++
	a.mem(true, []byte{0x8b}, rcx, rdi, offBump) // r10 += bump
	a.mem(true, []byte{0x01}, rcx, rdi, dreg(10))
	return slow
}

// ret returns from a call as the interpreter does, jumping to the return
// pc's code through the table. At depth 0 it returns the jump to take:
// the interpreter ends the run (and runs a write watcher's AtExit).
func (a *buf) ret() int {
	a.mem(true, []byte{0x8b}, rax, rdi, offDepth) // rax = &depth
	a.mem0(true, []byte{0x8b}, rcx, rax)          // rcx = depth
	a.rr(true, []byte{0x85}, rcx, rcx)
	slow := a.jcc(0x84)                  // jz: exit from the entry frame
	a.rr(true, []byte{0xff}, 1, rcx)     // depth--
	a.mem0(true, []byte{0x89}, rcx, rax) // store
	a.rr(true, []byte{0x69}, rdx, rcx)
	a.u32(vm.FrameBytes)
	a.mem(true, []byte{0x03}, rdx, rdi, offFrames) // rdx = &frames[depth]
	for i, r := range []uint8{6, 7, 8, 9} {
		a.mem(true, []byte{0x8b}, rcx, rdx, int32(8*i))
		a.mem(true, []byte{0x89}, rcx, rdi, dreg(r))
	}
	a.mem(true, []byte{0x8b}, rcx, rdx, vm.FrameFP)
	a.mem(true, []byte{0x89}, rcx, rdi, dreg(10))
	a.mem(true, []byte{0x8b}, rcx, rdx, vm.FrameReturnPC) // rcx = return pc
	a.mem(true, []byte{0x8b}, rax, rdi, offTable)         // rax = table
	a.emit(0x48, 0x8b, 0x04, 0xc8)                        // mov rax, [rax+rcx*8]
	a.emit(0xff, 0xe0)                                    // jmp rax
	return slow
}

// compare sets the flags for a conditional jump.
func (a *buf) compare(cd cond, d vm.Decoded) {
	D := dreg(d.Dst)
	switch {
	case cd.reg:
		a.mem(cd.w64, []byte{0x8b}, rax, rdi, D) // mov rax, dst
		if cd.test {
			a.mem(cd.w64, []byte{0x85}, rax, rdi, dreg(d.Src)) // test [src], rax
		} else {
			a.mem(cd.w64, []byte{0x3b}, rax, rdi, dreg(d.Src)) // cmp rax, [src]
		}
	case cd.test:
		a.mem(cd.w64, []byte{0xf7}, 0, rdi, D) // test [dst], imm32
		a.u32(uint32(d.Imm))
	default:
		a.mem(cd.w64, []byte{0x81}, 7, rdi, D) // cmp [dst], imm32
		a.u32(uint32(d.Imm))
	}
}

// alu emits an ALU instruction; it reports false for other instructions.
func (a *buf) alu(d vm.Decoded) bool {
	D, S := dreg(d.Dst), dreg(d.Src)
	imm := uint32(d.Imm)
	// Read-modify-write of a 64-bit register with an imm32 (/digit form).
	rmwImm := func(digit int) {
		a.mem(true, []byte{0x81}, digit, rdi, D)
		a.u32(imm)
	}
	rmwReg := func(op byte) { // op [dst], rax after rax = src
		a.mem(true, []byte{0x8b}, rax, rdi, S)
		a.mem(true, []byte{op}, rax, rdi, D)
	}
	store := func() { a.mem(true, []byte{0x89}, rax, rdi, D) } // dst = rax
	load32 := func() { a.mem(false, []byte{0x8b}, rax, rdi, D) }
	sext := func() { a.rr(true, []byte{0x63}, rax, rax) } // movsxd rax, eax
	op32Imm := func(digit int) { a.rr(false, []byte{0x81}, digit, rax); a.u32(imm) }
	op32Reg := func(op byte) { a.mem(false, []byte{op}, rax, rdi, S) }
	switch d.Op {
	case uint8(sbpf.OpAdd64Imm):
		if injectMiscompile {
			imm++
		}
		rmwImm(0)
	case uint8(sbpf.OpOr64Imm):
		rmwImm(1)
	case uint8(sbpf.OpAnd64Imm):
		rmwImm(4)
	case uint8(sbpf.OpSub64Imm):
		rmwImm(5)
	case uint8(sbpf.OpXor64Imm):
		rmwImm(6)
	case uint8(sbpf.OpMov64Imm):
		a.mem(true, []byte{0xc7}, 0, rdi, D)
		a.u32(imm)
	case uint8(sbpf.OpAdd64Reg):
		rmwReg(0x01)
	case uint8(sbpf.OpOr64Reg):
		rmwReg(0x09)
	case uint8(sbpf.OpAnd64Reg):
		rmwReg(0x21)
	case uint8(sbpf.OpSub64Reg):
		rmwReg(0x29)
	case uint8(sbpf.OpXor64Reg):
		rmwReg(0x31)
	case uint8(sbpf.OpMov64Reg):
		a.mem(true, []byte{0x8b}, rax, rdi, S)
		store()
	case uint8(sbpf.OpMul64Imm), uint8(sbpf.OpLmul64Imm):
		a.mem(true, []byte{0x69}, rax, rdi, D) // imul rax, [dst], imm32
		a.u32(imm)
		store()
	case uint8(sbpf.OpMul64Reg), uint8(sbpf.OpLmul64Reg):
		a.mem(true, []byte{0x8b}, rax, rdi, D)
		a.mem(true, []byte{0x0f, 0xaf}, rax, rdi, S)
		store()
	case uint8(sbpf.OpLsh64Imm), uint8(sbpf.OpRsh64Imm), uint8(sbpf.OpArsh64Imm):
		digit := shiftDigit(d.Op)
		if sh := byte(d.Imm & 63); sh != 0 {
			a.mem(true, []byte{0xc1}, digit, rdi, D)
			a.emit(sh)
		}
	case uint8(sbpf.OpLsh64Reg), uint8(sbpf.OpRsh64Reg), uint8(sbpf.OpArsh64Reg):
		digit := shiftDigit(d.Op)
		a.mem(true, []byte{0x8b}, rcx, rdi, S)
		a.mem(true, []byte{0xd3}, digit, rdi, D)
	case uint8(sbpf.OpNeg64):
		a.mem(true, []byte{0xf7}, 3, rdi, D)
	case uint8(sbpf.OpHor64Imm):
		a.movImm64(rax, uint64(imm)<<32)
		a.mem(true, []byte{0x09}, rax, rdi, D)
	case vm.IRsub64Imm:
		a.movImm64(rax, uint64(d.Imm))
		a.mem(true, []byte{0x2b}, rax, rdi, D)
		store()

	// 32-bit operations: compute in eax, then sign- or zero-extend.
	case uint8(sbpf.OpAdd32Imm), vm.IAdd32ImmZ:
		load32()
		op32Imm(0)
		if d.Op == uint8(sbpf.OpAdd32Imm) {
			sext()
		}
		store()
	case uint8(sbpf.OpSub32Imm):
		load32()
		op32Imm(5)
		sext()
		store()
	case vm.IRsub32ImmZ:
		a.movImm64(rax, uint64(imm))
		a.mem(false, []byte{0x2b}, rax, rdi, D)
		store()
	case uint8(sbpf.OpAdd32Reg), vm.IAdd32RegZ:
		load32()
		op32Reg(0x03)
		if d.Op == uint8(sbpf.OpAdd32Reg) {
			sext()
		}
		store()
	case uint8(sbpf.OpSub32Reg), vm.ISub32RegZ:
		load32()
		op32Reg(0x2b)
		if d.Op == uint8(sbpf.OpSub32Reg) {
			sext()
		}
		store()
	case uint8(sbpf.OpMul32Imm), uint8(sbpf.OpLmul32Imm):
		a.mem(false, []byte{0x69}, rax, rdi, D)
		a.u32(imm)
		if d.Op == uint8(sbpf.OpMul32Imm) {
			sext()
		}
		store()
	case uint8(sbpf.OpMul32Reg), uint8(sbpf.OpLmul32Reg):
		load32()
		a.mem(false, []byte{0x0f, 0xaf}, rax, rdi, S)
		if d.Op == uint8(sbpf.OpMul32Reg) {
			sext()
		}
		store()
	case uint8(sbpf.OpOr32Imm):
		load32()
		op32Imm(1)
		store()
	case uint8(sbpf.OpAnd32Imm):
		load32()
		op32Imm(4)
		store()
	case uint8(sbpf.OpXor32Imm):
		load32()
		op32Imm(6)
		store()
	case uint8(sbpf.OpOr32Reg):
		load32()
		op32Reg(0x0b)
		store()
	case uint8(sbpf.OpAnd32Reg):
		load32()
		op32Reg(0x23)
		store()
	case uint8(sbpf.OpXor32Reg):
		load32()
		op32Reg(0x33)
		store()
	case uint8(sbpf.OpLsh32Imm), uint8(sbpf.OpRsh32Imm), uint8(sbpf.OpArsh32Imm):
		digit := shiftDigit(d.Op)
		load32()
		if sh := byte(d.Imm & 31); sh != 0 {
			a.rr(false, []byte{0xc1}, digit, rax)
			a.emit(sh)
		}
		store()
	case uint8(sbpf.OpLsh32Reg), uint8(sbpf.OpRsh32Reg), uint8(sbpf.OpArsh32Reg):
		digit := shiftDigit(d.Op)
		a.mem(false, []byte{0x8b}, rcx, rdi, S)
		load32()
		a.rr(false, []byte{0xd3}, digit, rax)
		store()
	case uint8(sbpf.OpNeg32):
		load32()
		a.rr(false, []byte{0xf7}, 3, rax)
		store()
	case uint8(sbpf.OpMov32Imm):
		a.movImm64(rax, uint64(imm))
		store()
	case uint8(sbpf.OpMov32Reg):
		a.mem(false, []byte{0x8b}, rax, rdi, S)
		store()
	case vm.IMov32RegSext:
		a.mem(true, []byte{0x63}, rax, rdi, S) // movsxd rax, dword [src]
		store()
	case vm.ILe16:
		a.mem(false, []byte{0x0f, 0xb7}, rax, rdi, D)
		store()
	case vm.ILe32:
		load32()
		store()
	case vm.ILe64:
	case vm.IBe16:
		a.mem(false, []byte{0x0f, 0xb7}, rax, rdi, D)
		a.emit(0x0f, 0xc8)                // bswap eax
		a.rr(false, []byte{0xc1}, 5, rax) // shr eax, 16
		a.emit(16)
		store()
	case vm.IBe32:
		load32()
		a.emit(0x0f, 0xc8)
		store()
	case vm.IBe64:
		a.mem(true, []byte{0x8b}, rax, rdi, D)
		a.emit(0x48, 0x0f, 0xc8)
		store()
	default:
		return false
	}
	return true
}

// shiftDigit is the x86 /digit of a shift: shl 4, shr 5, sar 7.
func shiftDigit(op uint8) int {
	switch sbpf.Op(op) {
	case sbpf.OpLsh64Imm, sbpf.OpLsh64Reg, sbpf.OpLsh32Imm, sbpf.OpLsh32Reg:
		return 4
	case sbpf.OpRsh64Imm, sbpf.OpRsh64Reg, sbpf.OpRsh32Imm, sbpf.OpRsh32Reg:
		return 5
	}
	return 7
}

// access emits a load or store with the inline region check; it returns
// the positions of the jumps to take when the access needs the slow path.
func (a *buf) access(d vm.Decoded, gapped bool) []int {
	load := d.Op >= uint8(sbpf.OpLdxB) && d.Op <= uint8(sbpf.OpLdxDW)
	base := d.Dst
	if load {
		base = d.Src
	}
	size := d.Size
	cls := int32(bits.TrailingZeros8(size))
	a.mem(true, []byte{0x8b}, rax, rdi, dreg(base)) // rax = base register
	if off := d.Target; off != 0 {
		a.emit(0x48, 0x05) // add rax, simm32
		a.u32(uint32(off))
	}
	a.rr(true, []byte{0x8b}, rdx, rax) // mov rdx, rax
	a.rr(true, []byte{0xc1}, 5, rdx)   // shr rdx, 32
	a.emit(32)
	a.rr(false, []byte{0x83}, 4, rdx) // and edx, 7
	a.emit(7)
	a.rr(false, []byte{0xc1}, 4, rdx) // shl edx, 7
	a.emit(regionShift)
	a.rr(true, []byte{0x01}, rdi, rdx)                // add rdx, rdi
	a.mem(true, []byte{0x2b}, rax, rdx, offRegions+8) // sub rax, [start]
	var slow []int
	if gapped {
		a.mem(true, []byte{0x8b}, rcx, rdx, offRegions+16) // rcx = gap shift
		a.rr(true, []byte{0x85}, rcx, rcx)                 // test rcx, rcx
		a.emit(0x74, 0)                                    // jz nogap (patched)
		jz := a.pos()
		a.rr(true, []byte{0x0f, 0xa3}, rcx, rax) // bt rax, rcx
		slow = append(slow, a.jcc(0x82))         // jc slow
		a.rr(true, []byte{0x8b}, r8, rax)        // mov r8, rax
		a.rr(true, []byte{0xd3}, 5, r8)          // shr r8, cl
		a.rr(true, []byte{0xd1}, 5, r8)          // shr r8, 1
		a.rr(true, []byte{0xd3}, 4, r8)          // shl r8, cl
		a.rr(true, []byte{0xc7}, 0, r9)          // mov r9, -1
		a.u32(0xffffffff)
		a.rr(true, []byte{0xd3}, 4, r9)   // shl r9, cl
		a.rr(true, []byte{0xf7}, 2, r9)   // not r9
		a.rr(true, []byte{0x21}, r9, rax) // and rax, r9
		a.rr(true, []byte{0x09}, r8, rax) // or rax, r8
		a.b[jz-1] = byte(a.pos() - jz)
	}
	lim := int32(offRegions + 24 + 8*cls)
	if !load {
		lim += 32
	}
	a.mem(true, []byte{0x3b}, rax, rdx, lim) // cmp rax, [lim]
	slow = append(slow, a.jcc(0x83))         // jae slow
	if load {
		a.mem(true, []byte{0x03}, rax, rdx, offRegions) // add rax, [base]
		switch size {
		case 1:
			a.mem0(false, []byte{0x0f, 0xb6}, rax, rax)
		case 2:
			a.mem0(false, []byte{0x0f, 0xb7}, rax, rax)
		case 4:
			a.mem0(false, []byte{0x8b}, rax, rax)
		default:
			a.mem0(true, []byte{0x8b}, rax, rax)
		}
		a.mem(true, []byte{0x89}, rax, rdi, dreg(d.Dst))
	} else {
		// Raise the region's dirty mark to off+size.
		a.mem(true, []byte{0x8b}, r8, rdx, offRegions+88) // r8 = dirty pointer
		a.mem(true, []byte{0x8d}, rcx, rax, int32(size))  // lea rcx, [rax+size]
		a.mem0(true, []byte{0x3b}, rcx, r8)               // cmp rcx, [r8]
		a.emit(0x76, 3)                                   // jbe +3
		a.mem0(true, []byte{0x89}, rcx, r8)               // mov [r8], rcx (3 bytes)
		a.mem(true, []byte{0x03}, rax, rdx, offRegions)   // add rax, [base]
		if d.Op >= uint8(sbpf.OpStxB) && d.Op <= uint8(sbpf.OpStxDW) {
			a.mem(true, []byte{0x8b}, rcx, rdi, dreg(d.Src))
		} else {
			a.movImm64(rcx, uint64(d.Imm))
		}
		switch size {
		case 1:
			a.mem0(false, []byte{0x88}, rcx, rax)
		case 2:
			a.emit(0x66)
			a.mem0(false, []byte{0x89}, rcx, rax)
		case 4:
			a.mem0(false, []byte{0x89}, rcx, rax)
		default:
			a.mem0(true, []byte{0x89}, rcx, rax)
		}
	}
	return slow
}

// run executes the compiled program on m.
func (c *compiled) run(exe *vm.Executable, m *vm.Machine, opts vm.RunOptions) vm.Result {
	exe.Begin(m, opts)
	x := c.spare.Swap(nil)
	if x == nil {
		x = new(jctx)
	}
	defer c.spare.Store(x)
	x.load(m)
	f := m.Frames()
	x.frames, x.depth, x.maxDepth, x.bump = f.Frames, f.Depth, uint64(f.Max), f.Bump
	x.table = unsafe.Pointer(unsafe.SliceData(c.table))
	pc, rem := m.State(&x.regs)
	base := uintptr(unsafe.Pointer(unsafe.SliceData(c.mem)))
	for {
		switch {
		case c.leader[pc]:
			x.remaining = rem
		case rem >= uint64(c.rest[pc]):
			x.remaining = rem - uint64(c.rest[pc])
		default:
			m.SetState(&x.regs, pc, rem)
			return exe.Resume(m)
		}
		enter(base+uintptr(c.entry[pc]), unsafe.Pointer(x))
		e := x.exitPC
		pc = int(e &^ meterFlag)
		if e&meterFlag != 0 {
			m.SetState(&x.regs, pc, x.remaining)
			return exe.Resume(m)
		}
		m.SetState(&x.regs, pc, x.remaining+uint64(c.rest[pc]))
		syscall := exe.Decode(pc).Op == vm.ISyscall
		if done, res := exe.Step(m); done {
			return res
		}
		pc, rem = m.State(&x.regs)
		if syscall {
			x.load(m) // a syscall may have installed or removed a write watcher
		}
	}
}

// load copies the machine's region slots into the context.
func (x *jctx) load(m *vm.Machine) {
	m.Regions(&x.views)
	for i := range x.regions {
		v := &x.views[i]
		x.regions[i] = jregion{base: v.Base, start: v.Start, gapShift: v.GapShift, loadLim: v.LoadLim, storeLim: v.StoreLim, dirty: v.Dirty}
	}
}
