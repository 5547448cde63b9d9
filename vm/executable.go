package vm

import (
	"encoding/binary"
	"fmt"

	"github.com/agora-vm/agora/sbpf"
)

// Internal operations beyond sbpf.Op: version-specific variants and
// resolved calls, so the interpreter's switch never tests the version.
const (
	iAdd32ImmZ    = uint8(sbpf.NumOps) + iota // V2: result zero-extended
	iAdd32RegZ                                // V2
	iRsub32ImmZ                               // V2: imm - dst, zero-extended
	iSub32RegZ                                // V2
	iRsub64Imm                                // V2: imm - dst
	iMov32RegSext                             // V2: mov32 reg sign-extends
	iLe16
	iLe32
	iLe64
	iBe16
	iBe32
	iBe64
	iEndianBad      // le/be of another width: InvalidInstruction
	iDivZeroImm     // unverified div/mod by immediate 0: DivideByZero
	iSyscall        // target = index into Executable.syscalls
	iCallLocal      // target = instruction index (checked at run time)
	iCallUnresolved // UnsupportedInstruction when executed
	iCallxBad       // callx naming a register that does not exist
	iOverrun        // sentinel past the end: ExecutionOverrun
	numInternalOps
)

// insn is a predecoded instruction: 16 bytes, so the code slice is dense.
type insn struct {
	op     uint8
	dst    uint8
	src    uint8
	size   uint8 // memory access width
	target int32 // jump/call target pc, syscall index, or slot length
	imm    int64 // sign-extended immediate, lddw constant, or memory offset
}

// Executable is a program prepared for the interpreter (the Runnable that
// Interpreter.Prepare returns). It is immutable and safe to share between
// goroutines and Machines.
type Executable struct {
	prog     *Program
	cfg      Config
	code     []insn // one entry per slot, plus the overrun sentinel
	syscalls []Syscall
	registry *Registry
}

// Program returns the program the executable was prepared from.
func (e *Executable) Program() *Program { return e.prog }

// Config returns the limits the executable runs under.
func (e *Executable) Config() Config { return e.cfg }

// Registry returns the syscalls the program was resolved against.
func (e *Executable) Registry() *Registry { return e.registry }

// Engine turns programs into runnable form. Engine.Prepare is the only
// way to run a program: the interpreter is one engine and a compiler tier
// implements the same interface, so callers never depend on which one runs
// their program.
type Engine interface {
	// Prepare readies p to run against the syscalls in reg, under cfg. It
	// does not verify p (see package verify).
	Prepare(p *Program, reg *Registry, cfg Config) (Runnable, error)
}

// Runnable is a prepared program. It is immutable and safe to share
// between goroutines; each concurrent run needs its own Machine.
type Runnable interface {
	// Run executes the program from its entry point. The engine owns m for
	// the duration of the run: it maps memory, sets the registers and the
	// meter, and hands m to syscalls, hooks and write watchers. A nil m
	// runs on a fresh Machine.
	Run(m *Machine, opts RunOptions) Result
	// Program returns the program the runnable was prepared from.
	Program() *Program
	// Config returns the limits the program runs under.
	Config() Config
	// Registry returns the syscalls the program was resolved against.
	Registry() *Registry
}

// Interpreter is the reference-exact interpreting engine.
type Interpreter struct{}

// Prepare predecodes p; the Runnable is an *Executable.
func (Interpreter) Prepare(p *Program, reg *Registry, cfg Config) (Runnable, error) {
	e, err := newExecutable(p, reg, cfg)
	if err != nil {
		return nil, err
	}
	return e, nil
}

// Run interprets the program on m; see Runnable.Run.
func (e *Executable) Run(m *Machine, opts RunOptions) Result {
	if m == nil {
		m = NewMachine()
	}
	return m.run(e, opts)
}

// newExecutable predecodes p against the syscalls in reg. It does not
// verify p: an unverified program still runs deterministically, faulting
// where the reference would (or, where the reference's behaviour is
// undefined, with UnsupportedInstruction).
func newExecutable(p *Program, reg *Registry, cfg Config) (*Executable, error) {
	if p == nil {
		return nil, fmt.Errorf("vm: nil program")
	}
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		return nil, fmt.Errorf("vm: the interpreter needs a little-endian host")
	}
	if !p.Version.Valid() {
		return nil, fmt.Errorf("vm: unknown sBPF version %d", p.Version)
	}
	if len(p.Text)%sbpf.InsnSize != 0 {
		return nil, fmt.Errorf("vm: text length %d is not a multiple of %d", len(p.Text), sbpf.InsnSize)
	}
	if slot := p.RODataVAddr >> 32; slot > 1 || uint64(len(p.ROData)) > (slot+1)<<32-p.RODataVAddr {
		return nil, fmt.Errorf("vm: read-only data at %#x (%d bytes) is outside the rodata and bytecode regions", p.RODataVAddr, len(p.ROData))
	}
	n := len(p.Text) / sbpf.InsnSize
	if n > 1<<28 {
		return nil, fmt.Errorf("vm: program of %d instructions is too large", n)
	}
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	e := &Executable{prog: p, cfg: cfg, code: make([]insn, n+1), registry: reg}
	sysIndex := map[uint32]int32{}
	resolveSyscall := func(h uint32) (int32, bool) {
		if i, ok := sysIndex[h]; ok {
			return i, true
		}
		s, ok := reg.Lookup(h)
		if !ok {
			return 0, false
		}
		i := int32(len(e.syscalls))
		e.syscalls = append(e.syscalls, s)
		sysIndex[h] = i
		return i, true
	}
	v := p.Version
	for pc := 0; pc < n; pc++ {
		raw := sbpf.Decode(p.Text[pc*sbpf.InsnSize:])
		e.code[pc] = decodeOne(v, p, raw, pc, n, resolveSyscall)
	}
	e.code[n] = insn{op: iOverrun, target: int32(n)}
	return e, nil
}

// jumpTarget clamps out-of-range targets to the overrun sentinel.
func jumpTarget(pc int, off int16, n int) int32 {
	t := pc + 1 + int(off)
	if t < 0 || t > n {
		return int32(n)
	}
	return int32(t)
}

func decodeOne(v sbpf.Version, p *Program, raw sbpf.Instruction, pc, n int, resolveSyscall func(uint32) (int32, bool)) insn {
	op := v.Lookup(raw.Op)
	info := op.Info()
	c := insn{op: uint8(op), dst: raw.Dst, src: raw.Src, imm: int64(raw.Imm), size: uint8(info.Size)}
	switch info.Format {
	case sbpf.FmtLDDW:
		hi, ok := sbpf.DecodeAt(p.Text, pc+1)
		if !ok {
			return insn{op: iOverrun, target: int32(n)}
		}
		c.imm = int64(sbpf.LDDWImm(raw, hi))
	case sbpf.FmtLoad, sbpf.FmtStoreImm, sbpf.FmtStoreReg:
		c.target = int32(raw.Off) // memory offset; imm keeps the stored immediate
	case sbpf.FmtJa, sbpf.FmtJumpImm, sbpf.FmtJumpReg:
		c.target = jumpTarget(pc, raw.Off, n)
	case sbpf.FmtEndian:
		c.op = endianOp(op, raw.Imm)
	case sbpf.FmtCall:
		return decodeCall(v, p, c, raw, pc, n, resolveSyscall)
	case sbpf.FmtCallx:
		reg := int64(raw.Imm)
		if v.CallxUsesSrcReg() {
			reg = int64(raw.Src)
		} else if v.CallxUsesDstReg() {
			reg = int64(raw.Dst)
		}
		if reg < 0 || reg > 10 {
			c.op = iCallxBad
		}
		c.src = uint8(reg)
	}
	switch op {
	case sbpf.OpDiv32Imm, sbpf.OpMod32Imm, sbpf.OpUdiv32Imm, sbpf.OpUrem32Imm, sbpf.OpUdiv64Imm, sbpf.OpUrem64Imm,
		sbpf.OpSdiv32Imm, sbpf.OpSrem32Imm:
		if uint32(raw.Imm) == 0 {
			c.op = iDivZeroImm
		}
	case sbpf.OpDiv64Imm, sbpf.OpMod64Imm, sbpf.OpSdiv64Imm, sbpf.OpSrem64Imm:
		if raw.Imm == 0 {
			c.op = iDivZeroImm
		}
	}
	if v.ExplicitSignExtension() {
		switch op {
		case sbpf.OpAdd32Imm:
			c.op = iAdd32ImmZ
		case sbpf.OpAdd32Reg:
			c.op = iAdd32RegZ
		case sbpf.OpSub32Imm:
			c.op = iRsub32ImmZ
		case sbpf.OpSub32Reg:
			c.op = iSub32RegZ
		case sbpf.OpMov32Reg:
			c.op = iMov32RegSext
		}
	}
	if v.SwapSubImmOperands() && op == sbpf.OpSub64Imm {
		c.op = iRsub64Imm
	}
	return c
}

func endianOp(op sbpf.Op, width int32) uint8 {
	le := op == sbpf.OpLe
	switch width {
	case 16:
		if le {
			return iLe16
		}
		return iBe16
	case 32:
		if le {
			return iLe32
		}
		return iBe32
	case 64:
		if le {
			return iLe64
		}
		return iBe64
	}
	return iEndianBad
}

// decodeCall resolves `call imm` the way the reference does at run time;
// the registries never change during a run, so doing it once is exact.
func decodeCall(v sbpf.Version, p *Program, c insn, raw sbpf.Instruction, pc, n int, resolveSyscall func(uint32) (int32, bool)) insn {
	if !v.StaticSyscalls() || raw.Src == 0 {
		if i, ok := resolveSyscall(uint32(raw.Imm)); ok {
			c.op, c.target = iSyscall, i
			return c
		}
	}
	if v.StaticSyscalls() {
		t := int64(pc) + 1 + int64(raw.Imm)
		if raw.Src == 1 && t >= 0 && t < int64(n) {
			c.op, c.target = iCallLocal, int32(t)
			return c
		}
	} else if t, ok := p.Functions[uint32(raw.Imm)]; ok {
		c.op, c.target = iCallLocal, int32(n) // out of range: CallOutsideTextSegment after push
		if t >= 0 && t < n {
			c.target = int32(t)
		}
		return c
	}
	c.op = iCallUnresolved
	return c
}
