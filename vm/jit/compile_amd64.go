//go:build amd64 && linux

package jit

import (
	"fmt"
	"math/bits"
	"runtime"
	"sync"
	"unsafe"

	"golang.org/x/sys/cpu"
	"golang.org/x/sys/unix"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/vm"
)

// enter calls the generated prologue at code with DI = ctx
// (enter_amd64.s); the prologue jumps to ctx.target.
//
//go:noescape
func enter(code uintptr, ctx unsafe.Pointer)

// Register assignment. sBPF r0-r10 live in host registers for as long as
// the run stays in machine code; the context block holds them only while
// the engine or the interpreter has control. The meter lives in r15, the
// context pointer in rdi, and rax and rcx are the only scratch registers
// (rcx because variable shifts need cl).
func hreg(r uint8) int {
	return [11]int{rbx, rsi, rdx, r8, r9, r10, r11, r12, r13, r14, rbp}[r]
}

const (
	meterReg = r15
	ctxReg   = rdi
)

// jregion is a region slot as generated code reads it: 128 bytes, no Go
// pointers (the memory it describes is kept alive by the Machine).
//
// The limits are absolute: an access of class k at guest address a is in
// bounds iff a < loadEnd[k] (storeEnd[k]). That equals the interpreter's
// a-start < lim only because the region starts at its slot's base
// (start == slot<<32): then any address that selects the slot and is
// below the end is at or above the start, and an address with bits above
// the slot's set is above every end. A region that does not start at its
// slot's base gets zero limits, so its accesses take the slow path.
//
// A program whose read-only data does not start at its slot's base (an
// ELF with optimized read-only data) is compiled in relative mode
// instead: the code subtracts start first and the limits are the
// interpreter's own (loadEnd = loadLim, bias = host address of start).
//
// Access groups (see group) check a range of several accesses at once,
// which relies on the machine's limits describing one contiguous range of
// bytes (vm's memory map: the limit of an n-byte access is the 1-byte
// limit minus n-1, and stores are allowed where loads are, or nowhere;
// TestRegionLimitsContiguous holds vm to it) that ends inside its slot
// (a region of more than 4 GiB gets zero ends: every access takes the
// slow path), so a range checked against its first address's slot stays
// in that slot.
type jregion struct {
	bias     uint64    // 0: host address minus guest address (relative: host address of start)
	start    uint64    // 8: first guest address
	loadEnd  [4]uint64 // 16: start+loadLim, or 0 (relative: loadLim)
	storeEnd [4]uint64 // 48: start+storeLim, or 0 (relative: storeLim)
	_        [4]uint64 // 80
	dirty    uint64    // 112: host addresses below it may have been written
	_        uint64    // 120
}

// jctx is the state generated code works on; rdi points at it. It holds
// no Go pointers, so the engine fills it without write barriers; every
// address in it points into memory the Machine or the compiled program
// keeps alive for the run.
type jctx struct {
	regs      [11]uint64 // 0: r0-r10 while outside machine code
	remaining uint64     // 88: compute units left after the current block
	exitPC    uint64     // 96: pc of the instruction to hand over, | meterFlag
	fp        uintptr    // 104: &frames[depth], the next frame to push
	fpLimit   uintptr    // 112: &frames[max-1]: a call from here exceeds the depth
	frames    uintptr    // 120: &frames[0]
	bump      uint64     // 128: r10 increase per call
	table     uintptr    // 136: per slot, the absolute address of its code
	savedSP   uintptr    // 144: the host stack pointer to return to enter with
	top       uintptr    // 152: the private stack's top: no native return address above
	target    uintptr    // 160: where the prologue jumps
	_         [3]uint64  // 168
	regions   [8]jregion // 192
}

const (
	offRemaining = 88
	offExitPC    = 96
	offFP        = 104
	offFPLimit   = 112
	offFrames    = 120
	offBump      = 128
	offTable     = 136
	offSavedSP   = 144
	offTop       = 152
	offTarget    = 160
	offRegions   = 192
	regionShift  = 7
	rBias        = offRegions + 0
	rStart       = offRegions + 8
	rLoadEnd     = offRegions + 16
	rStoreEnd    = offRegions + 48
	rDirty       = offRegions + 112
	// meterFlag marks an exit at a block whose instructions the meter
	// cannot pay for.
	meterFlag = 1 << 30
	// nativeStack is the private stack's size in enter_amd64.s; calls use
	// the host's call and ret (and its return predictor) when every
	// return address of the deepest call stack fits in it, with slack.
	nativeStack = 1024
)

func init() {
	// The offsets above are the generated code's view of jctx.
	var c jctx
	var r jregion
	if unsafe.Offsetof(c.remaining) != offRemaining || unsafe.Offsetof(c.exitPC) != offExitPC ||
		unsafe.Offsetof(c.fp) != offFP || unsafe.Offsetof(c.fpLimit) != offFPLimit || unsafe.Offsetof(c.frames) != offFrames ||
		unsafe.Offsetof(c.bump) != offBump || unsafe.Offsetof(c.table) != offTable || unsafe.Offsetof(c.savedSP) != offSavedSP ||
		unsafe.Offsetof(c.top) != offTop || unsafe.Offsetof(c.target) != offTarget || unsafe.Offsetof(c.regions) != offRegions ||
		unsafe.Sizeof(r) != 1<<regionShift || unsafe.Offsetof(r.start) != rStart-offRegions ||
		unsafe.Offsetof(r.loadEnd) != rLoadEnd-offRegions || unsafe.Offsetof(r.storeEnd) != rStoreEnd-offRegions ||
		unsafe.Offsetof(r.dirty) != rDirty-offRegions {
		panic("jit: context layout changed")
	}
}

// dreg is sBPF register r's slot in the context block.
func dreg(r int) mref { return at(ctxReg, int32(r)*8) }

// ctxAt is a field of the context block.
func ctxAt(off int32) mref { return at(ctxReg, off) }

// compiled is a program's machine code.
type compiled struct {
	mem    []byte    // the mapping, read+exec
	table  []uintptr // per slot, the absolute address of its code
	size   int       // bytes of code
	entry  []int32   // per slot: offset of its code
	rest   []int32   // per slot: instructions from it to its block's end
	leader []bool    // per slot: a block starts here (and charges the meter)
	// noEntry marks slots whose code relies on an earlier instruction of
	// its block (an access group's later slots, a jump that tests an ALU
	// operation's flags): the engine never enters machine code there, the
	// interpreter executes them instead.
	noEntry []bool
	syscall []bool // per slot: a syscall (the engine reloads the regions after it)
	// relative: the program's read-only data does not start at its
	// slot's base, so limits are relative to each region's start.
	relative bool
	groups   int // access groups checked at once (see group)
	zeroJmps int // jumps that test the flags of the ALU operation before
	// contexts to reuse, so a run allocates none: a pool's per-P slot
	// costs no atomic exchange, unlike one shared spare
	spare sync.Pool
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

// stub is an out-of-line exit: the jumps to it and the pc it hands over.
type stub struct {
	at []int
	pc int
}

// compile translates exe's predecoded instructions to machine code, using
// BMI2 when the host has it and opts allow it.
func compile(exe *vm.Executable, opts compileOptions) (*compiled, error) {
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
	c := &compiled{entry: make([]int32, n+1), rest: make([]int32, n+1), leader: make([]bool, n+1), noEntry: make([]bool, n+1), syscall: make([]bool, n+1)}
	for pc := range dec {
		c.syscall[pc] = dec[pc].Op == vm.ISyscall
	}
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
	cfg := exe.Config()
	g := &gen{
		buf:    buf{b: make([]byte, 0, 24*n+256)},
		gapped: exe.Version().StackFrameGaps() && !cfg.NoStackGaps,
		// Every return address of the deepest call stack must fit in the
		// private stack (enter_amd64.s), with room to spare.
		native: (cfg.MaxCallDepth+4)*8 <= nativeStack,
		bmi2:   cpu.X86.HasBMI2 && !opts.noBMI2,
		dec:    dec,
		cls:    cls,
		leader: c.leader,
		grp:    group{last: -1},
	}
	if p := exe.Program(); len(p.ROData) > 0 && p.RODataVAddr != p.RODataVAddr>>32<<32 {
		g.relative, c.relative = true, true
	}
	for s := cfg.StackFrameSize; s > 1; s >>= 1 {
		g.gapShift++
	}
	// The interpreter's inline path, like its region slots, treats a gap
	// shift of 0 (one-byte frames) as no gaps.
	g.gapped = g.gapped && g.gapShift != 0
	if g.gapShift > 48 {
		return nil, fmt.Errorf("jit: stack frame size %d is too large to compile", cfg.StackFrameSize)
	}
	g.prologue()
	// The second slot of an lddw is placed out of line, so the lddw runs
	// straight into the instruction after it.
	var deferred []int
	landing := make([]bool, n+2) // slots an out-of-line slot continues at
	g.landing = landing
	for pc := 0; pc <= n; pc++ {
		if pc > 0 && cls[pc-1] == inline && dec[pc-1].Op == uint8(sbpf.OpLDDW) && pc+1 <= n && !deferredAt(deferred, pc-1) {
			deferred = append(deferred, pc)
			landing[pc+1] = true
			if cls[pc] == inline && dec[pc].Op == uint8(sbpf.OpLDDW) && pc+2 <= n {
				landing[pc+2] = true
			}
			continue
		}
		g.slot(c, pc, dec[pc], cls[pc])
	}
	// No group or flags carry into or out of a second slot: it is entered
	// from its lddw and continues in program order.
	g.outOfLine = true
	for _, pc := range deferred {
		g.slot(c, pc, dec[pc], cls[pc])
		// Whatever the slot is, execution continues in program order.
		next := pc + 1
		if cls[pc] == inline && dec[pc].Op == uint8(sbpf.OpLDDW) && pc+2 <= n {
			next = pc + 2
		}
		g.fix = append(g.fix, fixup{g.jmp(), next})
	}
	a := &g.buf
	for _, s := range g.slow {
		for _, at := range s.at {
			a.patch(at, a.pos())
		}
		g.handoff(s.pc)
	}
	for _, s := range g.meter {
		a.patch(s.at[0], a.pos())
		a.aluImm(true, 0, meterReg, c.rest[s.pc]) // give the charge back
		a.mem(true, []byte{0xc7}, 0, ctxAt(offExitPC))
		a.u32(uint32(s.pc) | meterFlag)
		a.patch(a.jmp(), g.exit)
	}
	for _, f := range g.fix {
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

// deferredAt reports whether slot pc was itself placed out of line (then
// its successor is not: it follows in program order).
func deferredAt(deferred []int, pc int) bool {
	return len(deferred) > 0 && deferred[len(deferred)-1] == pc
}

// gen is the code generator's state.
type gen struct {
	buf
	gapped   bool // V0 stack with gaps: slot 2 needs the gap transform
	gapShift int  // log2 of the stack frame size
	native   bool // calls use the host's call/ret
	bmi2     bool // rorx is available
	relative bool // limits relative to each region's start (see jregion)
	exit     int  // the exit stub's offset
	fix      []fixup
	slow     []stub // inline paths that need the interpreter
	meter    []stub // block entries the meter cannot pay for

	dec       []vm.Decoded
	cls       []class
	leader    []bool
	landing   []bool    // slots an out-of-line second slot of an lddw continues at
	outOfLine bool      // emitting the out-of-line second slots of lddw
	grp       group     // the access group being emitted
	flags     flagsHeld // what the host flags hold after the last slot
}

// group is a run of loads and stores through one base register inside a
// block: from its first access to its last, no instruction writes the base
// or the scratch registers, and every other instruction is inline ALU code,
// which cannot leave the block. Its first access checks, at once, that
// every access of the group is in bounds (the whole byte range lies in one
// region, inside one frame of a gapped stack, and is writable when the
// group stores), raises the dirty mark to the group's last stored byte
// (every store of the group runs once the check passes) and leaves the
// host address of base+ref in rax; every access of the group is then one
// move at a fixed displacement from rax.
//
// When the check fails, the interpreter executes the first access and
// every instruction up to the group's last access (they are never entry
// points: noEntry), one at a time, so faults, write watchers and the
// dirty marks are exactly the interpreter's. A load followed by a store to
// the same address is the smallest group.
type group struct {
	last int // pc of the group's last access; no group covers pc > last
	base uint8
	ref  int32 // rax holds the host address of base+ref
}

// groupPlan is what group's check needs to know about its accesses.
type groupPlan struct {
	last     int   // pc of the last access
	lo, hi   int32 // the accesses cover offsets [lo, hi) from the base
	maxStart int32 // the highest offset an access starts at
	stores   bool  // some access is a store
	storeEnd int32 // the end of the highest store
}

// flagsHeld says that the host flags hold the result of the 64-bit ALU
// operation of slot pc on host register reg (zero flag: reg == 0).
type flagsHeld struct {
	ok  bool
	pc  int
	reg int
}

// prologue emits the entry sequence (at offset 0) and the exit stub.
//
// Entry: save the host stack pointer, switch to the private stack (its top
// is in rsi), load r0-r10 and the meter, and jump to ctx.target.
// Exit: store r0-r10 and the meter, restore the host stack pointer (which
// drops any native return addresses) and return to enter.
func (g *gen) prologue() {
	g.mem(true, []byte{0x89}, rsp, ctxAt(offSavedSP))
	g.rr(true, []byte{0x89}, rsi, rsp)
	g.mem(true, []byte{0x89}, rsi, ctxAt(offTop))
	for r := range uint8(11) {
		g.mem(true, []byte{0x8b}, hreg(r), dreg(int(r)))
	}
	g.mem(true, []byte{0x8b}, meterReg, ctxAt(offRemaining))
	g.mem(false, []byte{0xff}, 4, ctxAt(offTarget)) // jmp [target]
	g.exit = g.pos()
	for r := range uint8(11) {
		g.mem(true, []byte{0x89}, hreg(r), dreg(int(r)))
	}
	g.mem(true, []byte{0x89}, meterReg, ctxAt(offRemaining))
	g.mem(true, []byte{0x8b}, rsp, ctxAt(offSavedSP))
	g.emit(0xc3)
}

// slot emits the code of instruction pc.
func (g *gen) slot(c *compiled, pc int, d vm.Decoded, cl class) {
	c.entry[pc] = int32(g.pos())
	flags := g.flags
	g.flags = flagsHeld{}
	if pc > g.grp.last || g.outOfLine {
		g.grp = group{last: -1}
	}
	if c.leader[pc] {
		g.aluImm(true, 5, meterReg, c.rest[pc]) // sub r15, rest
		g.meter = append(g.meter, stub{[]int{g.jcc(0x82)}, pc})
	}
	switch cl {
	case handoff:
		g.handoff(pc)
		return
	case call:
		g.slow = append(g.slow, stub{[]int{g.call(pc)}, pc})
		if g.native {
			g.fix = append(g.fix, fixup{g.buf.call(), int(d.Target)})
		} else {
			g.fix = append(g.fix, fixup{g.jmp(), int(d.Target)})
		}
		return
	case ret:
		g.slow = append(g.slow, stub{[]int{g.ret()}, pc})
		return
	case branch:
		if d.Op == uint8(sbpf.OpJa) {
			g.fix = append(g.fix, fixup{g.jmp(), int(d.Target)})
			return
		}
		cd, _ := jumpCond(sbpf.Op(d.Op))
		if zeroTest(cd, d) && flags.ok && flags.pc == pc-1 && flags.reg == hreg(d.Dst) && !c.leader[pc] && !g.landing[pc] {
			// The ALU operation just before set the zero flag from this
			// register: no compare. The flags live only in machine code,
			// so the engine never enters here.
			c.noEntry[pc] = true
			c.zeroJmps++
		} else {
			g.compare(cd, d)
		}
		g.fix = append(g.fix, fixup{g.jcc(cd.cc), int(d.Target)})
		return // fall through to pc+1, a leader
	}
	if g.alu(d) {
		if setsZero(d.Op) && !g.outOfLine {
			g.flags = flagsHeld{ok: true, pc: pc, reg: hreg(d.Dst)}
		}
		return
	}
	if d.Op == uint8(sbpf.OpLDDW) {
		g.movImm64(hreg(d.Dst), uint64(d.Imm))
		return // the next slot is out of line; pc+2 follows
	}
	if g.grp.last >= pc {
		// A later access of the group checked at its first one.
		_, off, _, _ := accessOf(d)
		g.member(d, off-g.grp.ref)
		return
	}
	if p, ok := g.plan(pc); ok {
		for q := pc + 1; q <= p.last; q++ {
			c.noEntry[q] = true
		}
		c.groups++
		slow, ref := g.groupCheck(d, p)
		g.slow = append(g.slow, stub{slow, pc})
		base, off, _, _ := accessOf(d)
		// The first access goes before the dirty mark, so that its load
		// does not wait behind it; a store of a 64-bit immediate needs
		// rcx, which the dirty mark's slot is in, so it goes after.
		first := func() { g.member(d, off-ref) }
		if wide := d.Op == uint8(sbpf.OpStDW) && d.Imm != int64(int32(d.Imm)); !wide {
			first()
			first = func() {}
		}
		if p.stores {
			if k := p.storeEnd - ref; k != 0 {
				g.aluImm(true, 0, rax, k)
			}
			ref = p.storeEnd
			g.raiseDirty(0)
		}
		first()
		g.grp = group{last: p.last, base: base, ref: ref}
		return
	}
	g.slow = append(g.slow, stub{g.access(d), pc})
}

// zeroTest reports whether a jump's condition only asks whether dst is
// zero: jeq and jne (64-bit) against the immediate 0.
func zeroTest(cd cond, d vm.Decoded) bool {
	return cd.w64 && !cd.reg && !cd.test && d.Imm == 0 && (cd.cc == 0x84 || cd.cc == 0x85)
}

// setsZero reports whether alu's code for op ends with a 64-bit operation
// that sets the zero flag from the destination register's new value.
func setsZero(op uint8) bool {
	switch sbpf.Op(op) {
	case sbpf.OpAdd64Imm, sbpf.OpAdd64Reg, sbpf.OpSub64Imm, sbpf.OpSub64Reg, sbpf.OpAnd64Imm, sbpf.OpAnd64Reg,
		sbpf.OpOr64Imm, sbpf.OpOr64Reg, sbpf.OpXor64Imm, sbpf.OpXor64Reg, sbpf.OpNeg64:
		return true
	}
	return false
}

// isAccess reports whether op is a load or a store.
func isAccess(op uint8) bool {
	return op >= uint8(sbpf.OpLdxB) && op <= uint8(sbpf.OpLdxDW) || op >= uint8(sbpf.OpStB) && op <= uint8(sbpf.OpStDW) ||
		op >= uint8(sbpf.OpStxB) && op <= uint8(sbpf.OpStxDW)
}

// accessOf returns a load's or store's base register, offset and size,
// and whether it stores.
func accessOf(d vm.Decoded) (base uint8, off, size int32, store bool) {
	if d.Op >= uint8(sbpf.OpLdxB) && d.Op <= uint8(sbpf.OpLdxDW) {
		return d.Src, d.Target, int32(d.Size), false
	}
	return d.Dst, d.Target, int32(d.Size), true
}

// plan finds the group that starts with the access at pc: the accesses
// through the same base register that follow it in its block, up to an
// instruction that writes the base or a scratch register, another access,
// an lddw or the block's end. It reports false for a group of one.
func (g *gen) plan(pc int) (groupPlan, bool) {
	if g.relative || g.outOfLine {
		return groupPlan{}, false
	}
	d := g.dec[pc]
	base, off, size, store := accessOf(d)
	p := groupPlan{last: pc, lo: off, hi: off + size, maxStart: off}
	add := func(off, size int32, store bool) {
		p.lo, p.hi, p.maxStart = min(p.lo, off), max(p.hi, off+size), max(p.maxStart, off)
		if store {
			p.storeEnd = max(p.storeEnd, off+size)
			if !p.stores {
				p.storeEnd = off + size
			}
			p.stores = true
		}
	}
	add(off, size, store)
	if !store && d.Dst == base {
		return p, false // the load redefines its base
	}
	for q := pc + 1; q < len(g.dec) && !g.leader[q] && !g.landing[q] && g.cls[q] == inline; q++ {
		e := g.dec[q]
		if e.Op == uint8(sbpf.OpLDDW) {
			break
		}
		if !isAccess(e.Op) {
			if e.Dst == base || usesScratch(e.Op) {
				break
			}
			continue
		}
		b, o, n, st := accessOf(e)
		if b != base {
			break
		}
		add(o, n, st)
		p.last = q
		if !st && e.Dst == base {
			break
		}
	}
	return p, p.last > pc
}

// usesScratch reports whether alu's code for op overwrites rax or rcx.
func usesScratch(op uint8) bool {
	switch op {
	case uint8(sbpf.OpLsh64Reg), uint8(sbpf.OpRsh64Reg), uint8(sbpf.OpArsh64Reg),
		uint8(sbpf.OpLsh32Reg), uint8(sbpf.OpRsh32Reg), uint8(sbpf.OpArsh32Reg),
		uint8(sbpf.OpHor64Imm), vm.IRsub64Imm, vm.IRsub32ImmZ:
		return true
	}
	return false
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
func (g *gen) handoff(pc int) {
	g.mem(true, []byte{0xc7}, 0, ctxAt(offExitPC))
	g.u32(uint32(pc))
	g.patch(g.jmp(), g.exit)
}

// call pushes a frame as the interpreter does and bumps r10; the caller
// emits the call or jump to the target. It returns the jump to take when
// the call depth would be exceeded (the interpreter then raises the
// fault).
func (g *gen) call(pc int) int {
	g.mem(true, []byte{0x8b}, rax, ctxAt(offFP)) // rax = &frames[depth]
	g.mem(true, []byte{0x3b}, rax, ctxAt(offFPLimit))
	slow := g.jcc(0x83) // jae: CallDepthExceeded
	for i, r := range []uint8{6, 7, 8, 9} {
		g.mem(true, []byte{0x89}, hreg(r), at(rax, int32(8*i)))
	}
	g.mem(true, []byte{0x89}, hreg(10), at(rax, vm.FrameFP))
	g.mem(true, []byte{0xc7}, 0, at(rax, vm.FrameReturnPC)) // return pc
	g.u32(uint32(pc + 1))
	g.aluImm(true, 0, rax, vm.FrameBytes)
	g.mem(true, []byte{0x89}, rax, ctxAt(offFP))
	g.mem(true, []byte{0x03}, hreg(10), ctxAt(offBump)) // r10 += bump
	return slow
}

// ret returns from a call as the interpreter does: with the host's ret
// when the call pushed a native return address in this entry into
// machine code, else through the table at the return pc. At depth 0 it
// returns the jump to take: the interpreter ends the run (and runs a
// write watcher's AtExit).
func (g *gen) ret() int {
	g.mem(true, []byte{0x8b}, rax, ctxAt(offFP))
	g.mem(true, []byte{0x3b}, rax, ctxAt(offFrames))
	slow := g.jcc(0x84) // je: exit from the entry frame
	g.aluImm(true, 5, rax, vm.FrameBytes)
	g.mem(true, []byte{0x89}, rax, ctxAt(offFP))
	for i, r := range []uint8{6, 7, 8, 9} {
		g.mem(true, []byte{0x8b}, hreg(r), at(rax, int32(8*i)))
	}
	g.mem(true, []byte{0x8b}, hreg(10), at(rax, vm.FrameFP))
	if g.native {
		g.mem(true, []byte{0x3b}, rsp, ctxAt(offTop)) // cmp rsp, [top]
		g.emit(0x74, 1)                               // je: no native return address
		g.emit(0xc3)                                  // ret
	}
	g.mem(true, []byte{0x8b}, rcx, at(rax, vm.FrameReturnPC)) // rcx = return pc
	g.mem(true, []byte{0x8b}, rax, ctxAt(offTable))           // rax = table
	g.emit(0xff, 0x24, 0xc8)                                  // jmp [rax+rcx*8]
	return slow
}

// compare sets the flags for a conditional jump.
func (g *gen) compare(cd cond, d vm.Decoded) {
	h := hreg(d.Dst)
	switch {
	case cd.reg && cd.test:
		g.rr(cd.w64, []byte{0x85}, hreg(d.Src), h) // test dst, src
	case cd.reg:
		g.rr(cd.w64, []byte{0x39}, hreg(d.Src), h) // cmp dst, src
	case cd.test:
		g.rr(cd.w64, []byte{0xf7}, 0, h) // test dst, imm32
		g.u32(uint32(d.Imm))
	default:
		g.aluImm(cd.w64, 7, h, int32(uint32(d.Imm))) // cmp dst, imm
	}
}

// alu emits an ALU instruction; it reports false for other instructions.
func (g *gen) alu(d vm.Decoded) bool {
	h, s := hreg(d.Dst), 0
	if d.Src <= 10 {
		s = hreg(d.Src)
	}
	imm := int32(uint32(d.Imm))
	sext := func() { g.rr(true, []byte{0x63}, h, h) }  // movsxd dst, dst32
	zext := func() { g.rr(false, []byte{0x89}, h, h) } // mov dst32, dst32
	// shift32 shifts dst32 by cl in eax, so a zero count still leaves
	// dst zero-extended.
	shift32 := func(digit int) {
		g.rr(false, []byte{0x89}, s, rcx) // mov ecx, src32
		g.rr(false, []byte{0x89}, h, rax) // mov eax, dst32
		g.rr(false, []byte{0xd3}, digit, rax)
		g.rr(false, []byte{0x89}, rax, h) // mov dst32, eax
	}
	switch d.Op {
	case uint8(sbpf.OpAdd64Imm):
		if injectMiscompile {
			imm++
		}
		g.aluImm(true, 0, h, imm)
	case uint8(sbpf.OpOr64Imm):
		g.aluImm(true, 1, h, imm)
	case uint8(sbpf.OpAnd64Imm):
		g.aluImm(true, 4, h, imm)
	case uint8(sbpf.OpSub64Imm):
		g.aluImm(true, 5, h, imm)
	case uint8(sbpf.OpXor64Imm):
		g.aluImm(true, 6, h, imm)
	case uint8(sbpf.OpMov64Imm):
		g.movImm64(h, uint64(int64(imm)))
	case uint8(sbpf.OpAdd64Reg):
		g.rr(true, []byte{0x01}, s, h)
	case uint8(sbpf.OpOr64Reg):
		g.rr(true, []byte{0x09}, s, h)
	case uint8(sbpf.OpAnd64Reg):
		g.rr(true, []byte{0x21}, s, h)
	case uint8(sbpf.OpSub64Reg):
		g.rr(true, []byte{0x29}, s, h)
	case uint8(sbpf.OpXor64Reg):
		g.rr(true, []byte{0x31}, s, h)
	case uint8(sbpf.OpMov64Reg):
		if h != s {
			g.rr(true, []byte{0x89}, s, h)
		}
	case uint8(sbpf.OpMul64Imm), uint8(sbpf.OpLmul64Imm):
		g.rr(true, []byte{0x69}, h, h) // imul dst, dst, imm32
		g.u32(uint32(imm))
	case uint8(sbpf.OpMul64Reg), uint8(sbpf.OpLmul64Reg):
		g.rr(true, []byte{0x0f, 0xaf}, h, s)
	case uint8(sbpf.OpLsh64Imm), uint8(sbpf.OpRsh64Imm), uint8(sbpf.OpArsh64Imm):
		if sh := byte(d.Imm & 63); sh != 0 {
			g.rr(true, []byte{0xc1}, shiftDigit(d.Op), h)
			g.emit(sh)
		}
	case uint8(sbpf.OpLsh64Reg), uint8(sbpf.OpRsh64Reg), uint8(sbpf.OpArsh64Reg):
		g.rr(false, []byte{0x89}, s, rcx) // mov ecx, src32
		g.rr(true, []byte{0xd3}, shiftDigit(d.Op), h)
	case uint8(sbpf.OpNeg64):
		g.rr(true, []byte{0xf7}, 3, h)
	case uint8(sbpf.OpHor64Imm):
		g.movImm64(rax, uint64(uint32(imm))<<32)
		g.rr(true, []byte{0x09}, rax, h)
	case vm.IRsub64Imm:
		g.movImm64(rax, uint64(d.Imm))
		g.rr(true, []byte{0x29}, h, rax) // sub rax, dst
		g.rr(true, []byte{0x89}, rax, h)

	// 32-bit operations write the low half, which zero-extends; the
	// sign-extending variants then widen it.
	case uint8(sbpf.OpAdd32Imm), vm.IAdd32ImmZ:
		g.aluImm(false, 0, h, imm)
		if d.Op == uint8(sbpf.OpAdd32Imm) {
			sext()
		}
	case uint8(sbpf.OpSub32Imm):
		g.aluImm(false, 5, h, imm)
		sext()
	case vm.IRsub32ImmZ:
		g.movImm64(rax, uint64(uint32(imm)))
		g.rr(false, []byte{0x29}, h, rax) // sub eax, dst32
		g.rr(false, []byte{0x89}, rax, h)
	case uint8(sbpf.OpAdd32Reg), vm.IAdd32RegZ:
		g.rr(false, []byte{0x01}, s, h)
		if d.Op == uint8(sbpf.OpAdd32Reg) {
			sext()
		}
	case uint8(sbpf.OpSub32Reg), vm.ISub32RegZ:
		g.rr(false, []byte{0x29}, s, h)
		if d.Op == uint8(sbpf.OpSub32Reg) {
			sext()
		}
	case uint8(sbpf.OpMul32Imm), uint8(sbpf.OpLmul32Imm):
		g.rr(false, []byte{0x69}, h, h)
		g.u32(uint32(imm))
		if d.Op == uint8(sbpf.OpMul32Imm) {
			sext()
		}
	case uint8(sbpf.OpMul32Reg), uint8(sbpf.OpLmul32Reg):
		g.rr(false, []byte{0x0f, 0xaf}, h, s)
		if d.Op == uint8(sbpf.OpMul32Reg) {
			sext()
		}
	case uint8(sbpf.OpOr32Imm):
		g.aluImm(false, 1, h, imm)
	case uint8(sbpf.OpAnd32Imm):
		g.aluImm(false, 4, h, imm)
	case uint8(sbpf.OpXor32Imm):
		g.aluImm(false, 6, h, imm)
	case uint8(sbpf.OpOr32Reg):
		g.rr(false, []byte{0x09}, s, h)
	case uint8(sbpf.OpAnd32Reg):
		g.rr(false, []byte{0x21}, s, h)
	case uint8(sbpf.OpXor32Reg):
		g.rr(false, []byte{0x31}, s, h)
	case uint8(sbpf.OpLsh32Imm), uint8(sbpf.OpRsh32Imm), uint8(sbpf.OpArsh32Imm):
		if sh := byte(d.Imm & 31); sh != 0 {
			g.rr(false, []byte{0xc1}, shiftDigit(d.Op), h)
			g.emit(sh)
		} else {
			zext()
		}
	case uint8(sbpf.OpLsh32Reg), uint8(sbpf.OpRsh32Reg), uint8(sbpf.OpArsh32Reg):
		shift32(shiftDigit(d.Op))
	case uint8(sbpf.OpNeg32):
		g.rr(false, []byte{0xf7}, 3, h)
	case uint8(sbpf.OpMov32Imm):
		g.movImm64(h, uint64(uint32(imm)))
	case uint8(sbpf.OpMov32Reg):
		g.rr(false, []byte{0x89}, s, h)
	case vm.IMov32RegSext:
		g.rr(true, []byte{0x63}, h, s) // movsxd dst, src32
	case vm.ILe16:
		g.rr(false, []byte{0x0f, 0xb7}, h, h) // movzx dst32, dst16
	case vm.ILe32:
		zext()
	case vm.ILe64:
	case vm.IBe16:
		g.emit(0x66) // ror dst16, 8
		g.rr(false, []byte{0xc1}, 1, h)
		g.emit(8)
		g.rr(false, []byte{0x0f, 0xb7}, h, h)
	case vm.IBe32:
		g.rex(false, 0, 0, h, false)
		g.emit(0x0f, 0xc8+byte(h&7)) // bswap dst32
	case vm.IBe64:
		g.rex(true, 0, 0, h, false)
		g.emit(0x0f, 0xc8+byte(h&7))
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
//
// rax = guest address; rcx = its region slot's offset in the context
// (slot = addr>>32 & 7, times 128); the V0 stack undoes its gaps (on the
// offset from the start, then back); then one unsigned compare against
// the slot's absolute per-size end (0 for absent regions and for stores
// that must take the slow path), and rax += bias is the host address.
func (g *gen) access(d vm.Decoded) []int {
	base, off, _, store := accessOf(d)
	cls := int32(bits.TrailingZeros8(d.Size))
	slow := g.lookup(base, off, 0)
	end := rLoadEnd + 8*cls
	if store {
		end = rStoreEnd + 8*cls
	}
	g.mem(true, []byte{0x3b}, rax, g.slotAt(end))   // cmp rax, [end]
	slow = append(slow, g.jcc(0x83))                // jae slow
	g.mem(true, []byte{0x03}, rax, g.slotAt(rBias)) // add rax, [bias]: the host address
	if store {
		g.raiseDirty(int32(d.Size))
		g.member(d, -int32(d.Size))
		return slow
	}
	g.member(d, 0)
	return slow
}

// slotAt is a field of the region slot whose offset rcx holds.
func (g *gen) slotAt(off int32) mref { return atx(ctxReg, rcx, off) }

// lookup leaves the guest address base+off in rax and its region slot's
// offset in the context in rcx; in a gapped stack it undoes the gaps (rax
// is then the stack's start plus the host offset) and jumps to slow when
// the address is in a gap, or when base+off+span is not in the same frame
// as base+off. Relative mode subtracts the region's start. It returns
// the jumps to slow.
func (g *gen) lookup(base uint8, off, span int32) []int {
	if off == 0 {
		g.rr(true, []byte{0x89}, hreg(base), rax) // mov rax, base: eliminated at rename
	} else {
		g.mem(true, []byte{0x8d}, rax, at(hreg(base), off)) // lea rax, [base+off]
	}
	if g.bmi2 {
		g.emit(0xc4, 0xe3, 0xfb, 0xf0, 0xc8, 32-regionShift) // rorx rcx, rax, 25
	} else {
		g.rr(true, []byte{0x89}, rax, rcx) // mov rcx, rax
		g.rr(true, []byte{0xc1}, 5, rcx)   // shr rcx, 25
		g.emit(32 - regionShift)
	}
	g.aluImm(false, 4, rcx, 7<<regionShift) // and ecx, 7<<7
	if g.relative {
		g.mem(true, []byte{0x2b}, rax, g.slotAt(rStart)) // sub rax, [start]
	}
	if !g.gapped {
		return nil
	}
	var slow []int
	const stack = int32(sbpf.StackStart>>32) << regionShift
	s := byte(g.gapShift)
	g.aluImm(false, 7, rcx, stack) // cmp ecx, stack slot
	g.emit(0x75, 0)                // jne nogap (patched)
	jne := g.pos()
	stackStart := ctxAt(rStart + stack)
	if !g.relative {
		g.mem(true, []byte{0x2b}, rax, stackStart) // sub rax, [start]
	}
	g.rr(true, []byte{0x0f, 0xba}, 4, rax) // bt rax, s: in a gap
	g.emit(s)
	slow = append(slow, g.jcc(0x82)) // jc slow
	if span > 0 {
		g.mem(true, []byte{0x8d}, rcx, at(rax, span)) // lea rcx, [rax+span]
		g.rr(true, []byte{0x31}, rax, rcx)            // xor rcx, rax
		g.rr(true, []byte{0xc1}, 5, rcx)              // shr rcx, s: another frame
		g.emit(s)
		slow = append(slow, g.jcc(0x85)) // jnz slow
	}
	g.rr(true, []byte{0x89}, rax, rcx)
	g.rr(true, []byte{0xc1}, 5, rcx) // rcx = off >> (s+1) << s
	g.emit(s + 1)
	g.rr(true, []byte{0xc1}, 4, rcx)
	g.emit(s)
	g.rr(true, []byte{0xc1}, 4, rax) // rax = off & (1<<s - 1)
	g.emit(64 - s)
	g.rr(true, []byte{0xc1}, 5, rax)
	g.emit(64 - s)
	g.rr(true, []byte{0x09}, rcx, rax)
	if !g.relative {
		g.mem(true, []byte{0x03}, rax, stackStart) // add rax, [start]
	}
	g.movImm64(rcx, uint64(stack))
	g.b[jne-1] = byte(g.pos() - jne)
	return slow
}

// groupCheck emits the check of a group (see group) whose first access is
// d: rax = the guest address of base+lo, its slot and gaps as lookup
// finds them; then one compare, of that address against the per-size end
// when the group spans 1, 2, 4 or 8 bytes, else of its last byte against
// the 1-byte end (store ends when the group stores). rax then holds the
// host address of base+ref. It returns the jumps to take when the check
// fails, and ref; the caller raises the dirty mark of a group that
// stores.
func (g *gen) groupCheck(d vm.Decoded, p groupPlan) ([]int, int32) {
	base, _, _, _ := accessOf(d)
	slow := g.lookup(base, p.lo, p.maxStart-p.lo)
	ends := int32(rLoadEnd)
	if p.stores {
		ends = rStoreEnd // stores fit only where loads do
	}
	ref := p.lo
	switch w := p.hi - p.lo; w {
	case 1, 2, 4, 8:
		ends += 8 * int32(bits.TrailingZeros32(uint32(w)))
	default:
		g.aluImm(true, 0, rax, w-1) // add rax, w-1: the last byte
		ref = p.hi - 1
	}
	g.mem(true, []byte{0x3b}, rax, g.slotAt(ends))  // cmp rax, [end]
	slow = append(slow, g.jcc(0x83))                // jae slow
	g.mem(true, []byte{0x03}, rax, g.slotAt(rBias)) // add rax, [bias]: the host address
	return slow, ref
}

// raiseDirty raises the dirty mark of the region slot whose offset rcx
// holds to the host address rax+k (k is 0 or a store's size: the end of
// the store at rax, which rax then points past).
func (g *gen) raiseDirty(k int32) {
	if k != 0 {
		g.aluImm(true, 0, rax, k)
	}
	g.mem(true, []byte{0x3b}, rax, g.slotAt(rDirty)) // cmp rax, [dirty]
	g.emit(0x76, 0)                                  // jbe (patched)
	jbe := g.pos()
	g.mem(true, []byte{0x89}, rax, g.slotAt(rDirty))
	g.b[jbe-1] = byte(g.pos() - jbe)
}

// member emits the move of a load or store whose host address is
// rax+disp, already checked (rcx is free when it stores an immediate).
func (g *gen) member(d vm.Decoded, disp int32) {
	size := int32(d.Size)
	m := at(rax, disp)
	if d.Op >= uint8(sbpf.OpLdxB) && d.Op <= uint8(sbpf.OpLdxDW) {
		h := hreg(d.Dst)
		switch size {
		case 1:
			g.mem(false, []byte{0x0f, 0xb6}, h, m)
		case 2:
			g.mem(false, []byte{0x0f, 0xb7}, h, m)
		case 4:
			g.mem(false, []byte{0x8b}, h, m)
		default:
			g.mem(true, []byte{0x8b}, h, m)
		}
		return
	}
	if d.Op >= uint8(sbpf.OpStxB) && d.Op <= uint8(sbpf.OpStxDW) {
		s := hreg(d.Src)
		switch size {
		case 1:
			g.mem(false, []byte{0x88}, s, m, true)
		case 2:
			g.emit(0x66)
			g.mem(false, []byte{0x89}, s, m)
		case 4:
			g.mem(false, []byte{0x89}, s, m)
		default:
			g.mem(true, []byte{0x89}, s, m)
		}
		return
	}
	v := uint64(d.Imm)
	switch size {
	case 1:
		g.mem(false, []byte{0xc6}, 0, m)
		g.emit(byte(v))
	case 2:
		g.emit(0x66)
		g.mem(false, []byte{0xc7}, 0, m)
		g.emit(byte(v), byte(v>>8))
	case 4:
		g.mem(false, []byte{0xc7}, 0, m)
		g.u32(uint32(v))
	default:
		if int64(v) == int64(int32(v)) {
			g.mem(true, []byte{0xc7}, 0, m) // sign-extends imm32
			g.u32(uint32(v))
		} else {
			g.movImm64(rcx, v)
			g.mem(true, []byte{0x89}, rcx, m)
		}
	}
}

// run executes the compiled program on m.
func (c *compiled) run(exe *vm.Executable, m *vm.Machine, opts vm.RunOptions) vm.Result {
	exe.Begin(m, opts)
	x, _ := c.spare.Get().(*jctx)
	if x == nil {
		x = new(jctx)
	}
	defer c.spare.Put(x)
	var dirty [vm.NumRegionSlots]dirtyMark
	x.load(m, &dirty, c.relative)
	f := m.Frames()
	frames := uintptr(f.Frames)
	x.frames, x.fpLimit, x.bump = frames, frames+uintptr(f.Max-1)*vm.FrameBytes, f.Bump
	x.table = uintptr(unsafe.Pointer(unsafe.SliceData(c.table)))
	pc, rem := m.State(&x.regs)
	base := uintptr(unsafe.Pointer(unsafe.SliceData(c.mem)))
	for {
		if c.noEntry[pc] {
			// The code here relies on registers set by an earlier
			// instruction of the block: the interpreter executes it.
			if done, res := exe.Step(m); done {
				return res
			}
			pc, rem = m.State(&x.regs)
			continue
		}
		switch {
		case c.leader[pc]:
			x.remaining = rem
		case rem >= uint64(c.rest[pc]):
			x.remaining = rem - uint64(c.rest[pc])
		default:
			m.SetState(&x.regs, pc, rem)
			return exe.Resume(m)
		}
		x.target = base + uintptr(c.entry[pc])
		x.fp = frames + uintptr(*f.Depth)*vm.FrameBytes
		for i, d := range dirty {
			if d.mark != nil {
				x.regions[i].dirty = uint64(d.base) + *d.mark
			}
		}
		enter(base, unsafe.Pointer(x))
		for i, d := range dirty {
			if d.mark != nil {
				*d.mark = x.regions[i].dirty - uint64(d.base)
			}
		}
		*f.Depth = int((x.fp - frames) / vm.FrameBytes)
		e := x.exitPC
		pc = int(e &^ meterFlag)
		if e&meterFlag != 0 {
			m.SetState(&x.regs, pc, x.remaining)
			return exe.Resume(m)
		}
		m.SetState(&x.regs, pc, x.remaining+uint64(c.rest[pc]))
		syscall := c.syscall[pc]
		if done, res := exe.Step(m); done {
			return res
		}
		pc, rem = m.State(&x.regs)
		if syscall {
			x.load(m, &dirty, c.relative) // a syscall may have installed or removed a write watcher
		}
	}
}

// dirtyMark is where a region's dirty mark lives in the machine, for the
// regions generated code may store to (mark nil otherwise), and the host
// address its offsets count from.
type dirtyMark struct {
	mark *uint64
	base uintptr
}

// load copies the machine's region slots into the context, and the dirty
// marks of those it may store to into dirty.
func (x *jctx) load(m *vm.Machine, dirty *[vm.NumRegionSlots]dirtyMark, relative bool) {
	var views [vm.NumRegionSlots]vm.RegionView
	m.Regions(&views)
	for i := range x.regions {
		v, r := &views[i], &x.regions[i]
		base := uint64(uintptr(v.Base))
		from := v.Start // the limits' origin
		r.bias, r.start = base-v.Start, v.Start
		if relative {
			r.bias, from = base, 0
		}
		dirty[i] = dirtyMark{}
		// No fast path for an empty or absent region (its limits are all
		// zero: see jregion), nor, with absolute ends, for one that is
		// not at its slot's base or does not end inside its slot.
		if v.LoadLim[0] == 0 || !relative && (v.Start != uint64(i)<<32 || v.LoadLim[0] > 1<<32) {
			r.loadEnd, r.storeEnd = [4]uint64{}, [4]uint64{}
			continue
		}
		// Field by field: the machine wrote these moments ago, and wide
		// copies of narrow stores stall on store forwarding.
		for k := range 4 {
			l, e := v.LoadLim[k], from+v.LoadLim[k]
			if l == 0 {
				e = 0
			}
			r.loadEnd[k] = e
			l, e = v.StoreLim[k], from+v.StoreLim[k]
			if l == 0 {
				e = 0
			}
			r.storeEnd[k] = e
		}
		if v.StoreLim[0] != 0 {
			dirty[i] = dirtyMark{v.Dirty, uintptr(base)}
		}
	}
}
