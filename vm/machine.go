package vm

import (
	"github.com/agora-vm/agora/sbpf"
)

// Hook observes execution. Step is called before each instruction with
// the instruction index; the machine's registers and meter are current.
// A run without a hook never pays for this.
type Hook interface {
	Step(m *Machine, pc int)
}

// RunOptions are the inputs of one run.
type RunOptions struct {
	// Input is mapped writable at 0x400000000 and r1 points at it. The
	// program writes into this slice directly.
	Input []byte
	// Budget is the compute-unit limit.
	Budget uint64
	// Context is handed to syscalls (logs, accounts, return data...).
	Context any
	// Hook, if set, observes every instruction.
	Hook Hook
	// R2 is r2 at entry (0 unless set). Agave passes the instruction
	// data's address there under SIMD-0321.
	R2 uint64
	// HookStride, when above 1, calls the hook only before every
	// HookStride-th instruction (and before the first instruction after
	// each syscall), for tools that need a periodic look rather than
	// every step.
	HookStride uint64
	// Reference makes an engine that runs machine code run this program
	// on the interpreter instead, for the runs that check machine code
	// (the verified tier's reference executions). The interpreter
	// ignores it.
	Reference bool
}

// Result is the outcome of a run.
type Result struct {
	R0  uint64
	CU  uint64 // compute units consumed: instructions plus syscall prices
	Err error  // nil, or a *Error
}

type callFrame struct {
	saved    [sbpf.ScratchRegs]uint64
	fp       uint64
	returnPC int
}

// Machine holds the mutable state of runs: registers, stack, heap and the
// meter. Reuse one per goroutine; it must not run two programs at once.
type Machine struct {
	regs       [16]uint64 // r0-r10; the rest absorb unverified register numbers
	remaining  uint64
	pc         int
	depth      int
	bank       uint64 // meter reserve while a hook draws one unit per step
	frameBump  uint64 // r10 increase per call with fixed frames
	hook       Hook
	pendAddr   uint64 // the access step could not serve inline
	pendVal    uint64
	pendSize   uint8
	pendReg    uint8
	stride     uint64 // instructions per hook call (at least 1)
	stepCharge uint64 // 1 inside a hook: the meter already holds the next instruction's unit
	pauseReq   bool
	storeObs   func(addr uint64, b []byte)
	exe        *Executable
	ctx        any
	mem        memoryMap
	stack      []byte
	heap       []byte
	frames     []callFrame
	prog       *Program // last, so the hot fields keep their offsets
	budget     uint64
}

// NewMachine returns an empty machine.
func NewMachine() *Machine { return &Machine{} }

// Registers returns r0-r10 as they are now.
func (m *Machine) Registers() [11]uint64 {
	var r [11]uint64
	copy(r[:], m.regs[:11])
	return r
}

// PC returns the index of the instruction being executed.
func (m *Machine) PC() int { return m.pc }

// CallDepth returns the number of active BPF-to-BPF calls.
func (m *Machine) CallDepth() int { return m.depth }

// Remaining returns the compute units left. Inside a syscall it is exact.
func (m *Machine) Remaining() uint64 { return m.remaining }

// Consume charges cu compute units. When fewer remain, the meter drops to
// zero and ErrComputeBudgetExceeded is returned (Agave's consume_checked).
func (m *Machine) Consume(cu uint64) error {
	if m.remaining < cu {
		m.remaining = 0
		return ErrComputeBudgetExceeded
	}
	m.remaining -= cu
	return nil
}

// Refund returns cu compute units to the meter, for a syscall that
// charged in advance for work it then did not do (an extension's
// cancelled task). It must only return units the same run was charged.
func (m *Machine) Refund(cu uint64) {
	if s := m.remaining + cu; s >= m.remaining {
		m.remaining = s
	}
}

// Context returns the value passed in RunOptions.Context.
func (m *Machine) Context() any { return m.ctx }

// Program returns the program being run (or last run).
func (m *Machine) Program() *Program { return m.prog }

// HeapSize returns the size of the heap region.
func (m *Machine) HeapSize() int { return len(m.heap) }

// Translate returns the host bytes behind guest [addr, addr+n), checking
// the memory map as a load or store would. The slice aliases VM memory.
func (m *Machine) Translate(acc AccessType, addr, n uint64) ([]byte, error) {
	if n == 0 {
		return nil, nil
	}
	b, err := m.mem.translate(acc, addr, n)
	if err != nil {
		return nil, err
	}
	if acc == Store && m.storeObs != nil {
		m.storeObs(addr, b)
	}
	return b, nil
}

// WriteWatcher observes writes to the heap and input regions, for
// extensions such as transactional memory that must be able to undo them.
type WriteWatcher interface {
	// BeforeWrite is called before every write to watched memory — by a
	// store instruction or through Translate — with the guest address and
	// a view of the bytes about to be overwritten (copy them to keep them).
	BeforeWrite(addr uint64, old []byte)
	// AtExit is called when the program exits from its entry frame with
	// the watcher still installed. An error fails the run as a SyscallError
	// at the exit instruction.
	AtExit(m *Machine) error
}

// WatchWrites installs w for the rest of the run (replacing any other).
// Stores to the heap and input regions then leave the interpreter's fast
// path, so a run pays for watching only while a watcher is installed.
func (m *Machine) WatchWrites(w WriteWatcher) { m.mem.setWatcher(w) }

// UnwatchWrites removes the installed watcher.
func (m *Machine) UnwatchWrites() { m.mem.setWatcher(nil) }

// Watcher returns the installed WriteWatcher, or nil.
func (m *Machine) Watcher() WriteWatcher { return m.mem.watcher }

// RestoreMemory writes data at addr as a store would (checking the memory
// map) but without telling the watcher: it is how an undo log puts bytes
// back.
func (m *Machine) RestoreMemory(addr uint64, data []byte) error {
	if len(data) == 0 {
		return nil
	}
	w := m.mem.watcher
	m.mem.watcher = nil
	b, err := m.mem.translate(Store, addr, uint64(len(data)))
	m.mem.watcher = w
	if err != nil {
		return err
	}
	copy(b, data)
	if m.storeObs != nil {
		m.storeObs(addr, b)
	}
	return nil
}

// InputSize is the length of the run's input region.
func (m *Machine) InputSize() int { return len(m.mem.slots[sbpf.InputStart>>32].host) }

// ReadMemory copies guest memory at addr into a new slice.
func (m *Machine) ReadMemory(addr, n uint64) ([]byte, error) {
	b, err := m.Translate(Load, addr, n)
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), b...), nil
}

// reuseZeroed returns a zeroed buffer of n bytes, reusing b whose first
// dirty bytes may be non-zero.
func reuseZeroed(b []byte, n int, dirty uint64) []byte {
	if cap(b) < n {
		return make([]byte, n)
	}
	clear(b[:min(uint64(cap(b)), dirty)])
	return b[:n]
}

// setup maps memory and initialises registers for a run of e.
func (m *Machine) setup(e *Executable, opts RunOptions) {
	cfg := e.cfg
	v := e.prog.Version
	// Stack and heap start zeroed; only what the last run wrote needs
	// clearing, which keeps small runs from paying for 256 KiB of memset.
	stackLen := cfg.StackFrameSize * cfg.MaxCallDepth
	m.stack = reuseZeroed(m.stack, stackLen, m.mem.slots[sbpf.StackStart>>32].dirty)
	m.heap = reuseZeroed(m.heap, cfg.HeapSize, m.mem.slots[sbpf.HeapStart>>32].dirty)
	if cap(m.frames) < cfg.MaxCallDepth {
		m.frames = make([]callFrame, cfg.MaxCallDepth)
	}
	m.frames = m.frames[:cfg.MaxCallDepth]

	gapped := v.StackFrameGaps() && !cfg.NoStackGaps
	m.mem = memoryMap{
		frameSize:     uint64(cfg.StackFrameSize),
		maxCallDepth:  int64(cfg.MaxCallDepth),
		dynamicFrames: v.DynamicFrames(),
	}
	for s := uint64(cfg.StackFrameSize); s > 1; s >>= 1 {
		m.mem.gapShift++
	}
	p := e.prog
	m.mem.set(p.RODataVAddr, p.ROData, false, false)
	m.mem.set(sbpf.StackStart, m.stack, true, gapped)
	m.mem.set(sbpf.HeapStart, m.heap, true, false)
	m.mem.set(sbpf.InputStart, opts.Input, true, false)

	m.regs = [16]uint64{}
	m.regs[1] = sbpf.InputStart
	m.regs[2] = opts.R2
	if v.DynamicFrames() {
		m.regs[10] = sbpf.StackStart + uint64(stackLen)
	} else {
		m.regs[10] = sbpf.StackStart + uint64(cfg.StackFrameSize)
	}
	m.exe = e
	m.prog = p
	m.ctx = opts.Context
	m.depth = 0
	m.pc = p.Entry
	m.remaining = opts.Budget
	m.budget = opts.Budget
	m.bank = 0
	m.frameBump = 0
	if !v.DynamicFrames() {
		m.frameBump = uint64(cfg.StackFrameSize)
		if gapped {
			m.frameBump *= 2
		}
	}
}

// run interprets e from its entry point.
func (m *Machine) run(e *Executable, opts RunOptions) Result {
	m.setup(e, opts)
	if m.pc < 0 || m.pc >= len(e.code)-1 {
		m.pc = len(e.code) - 1 // entry outside the text: overrun on the first step
	}
	return m.finish(opts)
}

// finish interprets from the prepared state and builds the result.
func (m *Machine) finish(opts RunOptions) Result {
	m.hook, m.stride, m.pauseReq = opts.Hook, max(opts.HookStride, 1), false
	err := m.interpret()
	m.hook = nil
	res := Result{R0: m.regs[0], CU: opts.Budget - m.remaining}
	if err != nil {
		err.PC = m.pc
		res.Err = err
	}
	if m.pauseReq {
		m.pauseReq = false
		res.Err = ErrPaused
	}
	m.ctx = nil
	return res
}

// Executable returns the executable being run (or last run) on m, so that
// a syscall can start another run of the same program (extension lanes
// resume it at a function entry on a machine of their own).
func (m *Machine) Executable() *Executable { return m.exe }
