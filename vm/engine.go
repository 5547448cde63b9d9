package vm

import (
	"unsafe"

	"github.com/agora-vm/agora/sbpf"
)

// This file is the support a compiling engine (package vm/jit) needs to
// drive a Machine: it starts a run as the interpreter would, moves the
// architectural state in and out, and hands single instructions, or the
// rest of a run, back to the interpreter. Syscalls, hooks and write
// watchers therefore always see the same Machine, whichever engine runs.

// RegionView describes one mapped region of a run for generated code. The
// pointers stay valid until the Machine's next run.
type RegionView struct {
	Base     unsafe.Pointer // host address of guest Start, or nil when empty
	Start    uint64         // first guest address
	GapShift uint64         // log2 of the V0 stack's gap size, else 0
	LoadLim  [4]uint64      // an access of 1, 2, 4, 8 bytes at host offset off is in bounds iff off < LoadLim[class]
	StoreLim [4]uint64      // likewise for stores; 0 when stores must take the slow path
	Dirty    *uint64        // host bytes [0, *Dirty) may have been written; stores must raise it
}

// NumRegionSlots is the number of region slots Regions fills: slot i
// holds the region whose addresses have i as their top 32 bits.
const NumRegionSlots = slotMask + 1

// Begin starts a run of e on m exactly as Run does, without executing
// anything: memory is mapped, r1 and r10 are set, the meter holds
// opts.Budget and the program counter is the entry point (or the overrun
// sentinel). Hooks are not supported by engines other than the
// interpreter; their Run must hand hooked runs to e.Run.
func (e *Executable) Begin(m *Machine, opts RunOptions) {
	m.setup(e, opts)
	if m.pc < 0 || m.pc >= len(e.code)-1 {
		m.pc = len(e.code) - 1
	}
	m.hook = nil
}

// Regions fills v with the machine's region slots, as the interpreter's
// inline fast path sees them now. Installing or removing a write watcher
// changes the store limits, so an engine refreshes its copy after every
// instruction it hands to Step.
func (m *Machine) Regions(v *[NumRegionSlots]RegionView) {
	for i := range v {
		r, o := &m.mem.slots[i], &v[i]
		o.Base, o.Start, o.GapShift, o.Dirty = r.base, r.start, uint64(r.gapShift), &r.dirty
		if !r.present {
			o.LoadLim, o.StoreLim = [4]uint64{}, [4]uint64{}
			continue
		}
		// Limit by limit: setup has just written them with 8-byte stores,
		// and a wider load would stall until those stores retire.
		o.LoadLim[0], o.LoadLim[1], o.LoadLim[2], o.LoadLim[3] = r.loadLim[0], r.loadLim[1], r.loadLim[2], r.loadLim[3]
		o.StoreLim[0], o.StoreLim[1], o.StoreLim[2], o.StoreLim[3] = r.storeLim[0], r.storeLim[1], r.storeLim[2], r.storeLim[3]
	}
}

// SetState sets r0-r10, the program counter and the compute units left,
// as an engine's generated code left them.
func (m *Machine) SetState(regs *[11]uint64, pc int, remaining uint64) {
	copy(m.regs[:11], regs[:])
	m.pc, m.remaining = pc, remaining
}

// State returns r0-r10, the program counter and the compute units left.
func (m *Machine) State(regs *[11]uint64) (pc int, remaining uint64) {
	copy(regs[:], m.regs[:11])
	return m.pc, m.remaining
}

// Step executes the one instruction at m.PC() with the interpreter's
// semantics, charging it (and a syscall's price) to the meter, including
// loads and stores through the memory map's slow path, syscalls, calls,
// returns and faults. When the run ends — an exit from the entry frame or
// a fault — it returns done and the run's Result; otherwise m.PC() is the
// next instruction.
func (e *Executable) Step(m *Machine) (done bool, res Result) {
	if m.remaining == 0 {
		return true, m.result(&Error{Kind: ExceededMaxInstructions})
	}
	// step runs until its meter is empty: a meter of one runs exactly one
	// instruction; the rest of the budget waits in rest.
	rest := m.remaining - 1
	pc, left, stop, kind := m.step(m.pc, 1)
	m.pc, m.remaining = pc, rest+left
	var fault *Error
	switch stop {
	case stopMeter:
		return false, Result{}
	case stopExit:
		if w := m.mem.watcher; w != nil {
			if err := w.AtExit(m); err != nil {
				fault = &Error{Kind: SyscallError, Err: err}
				break
			}
		}
		return true, m.result(nil)
	case stopFault:
		fault = &Error{Kind: kind}
	case stopLoad:
		v, err := m.mem.load(m.pendAddr, m.pendSize)
		if err != nil {
			fault = err
			break
		}
		m.regs[m.pendReg&15] = v
		m.pc++
		return false, Result{}
	case stopStore:
		if err := m.mem.store(m.pendAddr, m.pendSize, m.pendVal); err != nil {
			fault = err
			break
		}
		m.pc++
		return false, Result{}
	case stopSyscall:
		r := &m.regs
		v, err := e.syscalls[e.code[m.pc].target].Fn(m, r[1], r[2], r[3], r[4], r[5])
		if err != nil {
			fault = &Error{Kind: SyscallError, Err: err}
			break
		}
		r[0] = v
		m.pc++
		return false, Result{}
	}
	return true, m.result(fault)
}

// Resume interprets the rest of the run from the machine's current state.
func (e *Executable) Resume(m *Machine) Result {
	return m.result(m.interpret())
}

// result builds the run's result and releases the run's context.
func (m *Machine) result(err *Error) Result {
	res := Result{R0: m.regs[0], CU: m.budget - m.remaining}
	if err != nil {
		err.PC = m.pc
		res.Err = err
	}
	m.ctx = nil
	return res
}

// Code returns the number of instruction slots of the program.
func (e *Executable) Code() int { return len(e.code) - 1 }

// Decoded is an instruction as the interpreter predecoded it, for engines
// that compile from the same decoding (so both agree on every version's
// semantics).
type Decoded struct {
	Op     uint8 // an sbpf.Op, or one of the internal operations (IAdd32ImmZ ...)
	Dst    uint8
	Src    uint8
	Size   uint8 // memory access width
	Target int32 // jump target pc (clamped to Code() for overruns), memory offset, or syscall index
	Imm    int64 // sign-extended immediate, or lddw constant
}

// Internal operations as Decoded.Op reports them.
const (
	IAdd32ImmZ      = iAdd32ImmZ
	IAdd32RegZ      = iAdd32RegZ
	IRsub32ImmZ     = iRsub32ImmZ
	ISub32RegZ      = iSub32RegZ
	IRsub64Imm      = iRsub64Imm
	IMov32RegSext   = iMov32RegSext
	ILe16           = iLe16
	ILe32           = iLe32
	ILe64           = iLe64
	IBe16           = iBe16
	IBe32           = iBe32
	IBe64           = iBe64
	IEndianBad      = iEndianBad
	IDivZeroImm     = iDivZeroImm
	ISyscall        = iSyscall
	ICallLocal      = iCallLocal
	ICallUnresolved = iCallUnresolved
	ICallxBad       = iCallxBad
	IOverrun        = iOverrun
)

// Decode returns the predecoded instruction at slot pc (0 <= pc <= Code();
// slot Code() is the overrun sentinel).
func (e *Executable) Decode(pc int) Decoded {
	c := e.code[pc]
	return Decoded{Op: c.op, Dst: c.dst, Src: c.src, Size: c.size, Target: c.target, Imm: c.imm}
}

// Version returns the program's sBPF version.
func (e *Executable) Version() sbpf.Version { return e.prog.Version }

// The layout of a call frame as generated code reads it: r6-r9 at 0, the
// caller's r10 at FrameFP and the return pc (an int) at FrameReturnPC.
const (
	FrameBytes    = 48
	FrameFP       = 32
	FrameReturnPC = 40
)

// The constants above must describe callFrame exactly.
var (
	_ [FrameBytes - unsafe.Sizeof(callFrame{})]struct{}
	_ [unsafe.Sizeof(callFrame{}) - FrameBytes]struct{}
	_ [FrameFP - unsafe.Offsetof(callFrame{}.fp)]struct{}
	_ [unsafe.Offsetof(callFrame{}.fp) - FrameFP]struct{}
	_ [FrameReturnPC - unsafe.Offsetof(callFrame{}.returnPC)]struct{}
	_ [unsafe.Offsetof(callFrame{}.returnPC) - FrameReturnPC]struct{}
)

// FrameView is the machine's call stack for generated code that performs
// calls and returns itself; Step and Resume see what it wrote.
type FrameView struct {
	Frames unsafe.Pointer // &frames[0]; each frame is FrameBytes long
	Depth  *int           // active calls
	Max    int            // frames, including the entry frame
	Bump   uint64         // r10 increase per call (0 with dynamic frames)
}

// Frames returns the call stack of the run in progress.
func (m *Machine) Frames() FrameView {
	return FrameView{Frames: unsafe.Pointer(unsafe.SliceData(m.frames)), Depth: &m.depth, Max: len(m.frames), Bump: m.frameBump}
}
