package verify

import (
	"fmt"

	"github.com/agora-vm/agora/sbpf"
)

// SyscallSet tells the verifier which syscall hashes are registered. A nil
// SyscallSet means none are.
type SyscallSet interface {
	// HasSyscall reports whether a syscall is registered under hash, the
	// murmur3 hash of its name (sbpf.SyscallHash).
	HasSyscall(hash uint32) bool
}

// SyscallFunc adapts a function to a SyscallSet.
type SyscallFunc func(hash uint32) bool

// HasSyscall calls f(hash).
func (f SyscallFunc) HasSyscall(hash uint32) bool { return f(hash) }

// Structural runs the reference's structural checks on text, the program's
// instruction bytes: first every check of the RequisiteVerifier over the
// whole program, then, for V3 and later, the LocalVerifier's checks of
// static calls against syscalls. It returns the first error the reference
// would return, as an *Error, or nil when the program is admitted.
//
// An unknown version is a caller error, reported as a plain error that is
// not an *Error.
func Structural(text []byte, v sbpf.Version, syscalls SyscallSet) error {
	if err := Requisite(text, v); err != nil {
		return err
	}
	return Local(text, v, syscalls)
}

// Requisite runs only the reference's RequisiteVerifier: the checks that
// Agave applies to every program it deploys, in every version. It needs no
// syscall registry.
func Requisite(text []byte, v sbpf.Version) error {
	if !v.Valid() {
		return fmt.Errorf("verify: unknown sBPF version %s", v)
	}
	if len(text)%sbpf.InsnSize != 0 {
		return &Error{Kind: ProgramLengthNotMultiple, PC: -1}
	}
	if len(text) == 0 {
		return &Error{Kind: NoProgram, PC: -1}
	}
	n := len(text) / sbpf.InsnSize
	table := &checkTables[v]
	pc := 0
	for ; pc < n; pc++ {
		slot := text[pc*sbpf.InsnSize : (pc+1)*sbpf.InsnSize]
		chk := table[slot[0]]
		if chk == checkUnknown {
			return &Error{Kind: UnknownOpCode, PC: pc, Opcode: sbpf.Opcode(slot[0])}
		}
		insn := sbpf.Decode(slot)
		store := false
		// The per-opcode checks come before the register checks, as in the
		// reference's match followed by check_registers.
		switch chk {
		case checkLDDW:
			if pc+1 >= n {
				return &Error{Kind: LDDWCannotBeLast, PC: pc}
			}
			if text[(pc+1)*sbpf.InsnSize] != 0 {
				return &Error{Kind: IncompleteLDDW, PC: pc}
			}
			// The reference steps past the second slot before checking the
			// registers, so a register error is reported at pc+1.
			pc++
		case checkStore:
			store = true
		case checkEndian:
			if insn.Imm != 16 && insn.Imm != 32 && insn.Imm != 64 {
				return &Error{Kind: UnsupportedLEBEArgument, PC: pc}
			}
		case checkJump:
			if err := checkJumpTarget(text, n, pc, insn.Off); err != nil {
				return err
			}
		case checkCallx:
			if err := checkCallxRegister(insn, pc, v); err != nil {
				return err
			}
		case checkDivisor:
			if insn.Imm == 0 {
				return &Error{Kind: DivisionByZero, PC: pc}
			}
		case checkShift32, checkShift64:
			bits := 64
			if chk == checkShift32 {
				bits = 32
			}
			if insn.Imm < 0 || int(insn.Imm) >= bits {
				return &Error{Kind: ShiftWithOverflow, PC: pc, Shift: int64(insn.Imm), Bits: bits}
			}
		case checkAdd64Imm:
			// Where the program bumps its own stack frame, the bump keeps
			// r10 64-byte aligned.
			if insn.Dst == sbpf.FramePointerReg && v.DynamicFrames() && insn.Imm&63 != 0 {
				return &Error{Kind: UnalignedImmediate, PC: pc}
			}
		}
		if err := checkRegisters(insn, store, pc, v); err != nil {
			return err
		}
	}
	// The loop only steps past an lddw whose second slot exists, so this
	// cannot fail; it is the reference's final sanity check.
	if pc != n {
		return &Error{Kind: JumpOutOfCode, PC: pc, Target: int64(pc)}
	}
	return nil
}

// Local runs only the reference's LocalVerifier, which Agave applies when a
// program is deployed from the command line rather than on chain. For V3
// and later it rejects a `call` with src=0 whose imm is not a registered
// syscall hash, and a `call` with src=1 and imm=-1, a pc-relative call to
// itself. Earlier versions pass.
//
// Local assumes nothing about text: it is meant to run after Requisite.
func Local(text []byte, v sbpf.Version, syscalls SyscallSet) error {
	if !v.Valid() {
		return fmt.Errorf("verify: unknown sBPF version %s", v)
	}
	if !v.StaticSyscalls() {
		return nil
	}
	for pc := 0; (pc+1)*sbpf.InsnSize <= len(text); pc++ {
		switch sbpf.Opcode(text[pc*sbpf.InsnSize]) {
		case sbpf.LdDwImm:
			pc++
		case sbpf.Call:
			insn := sbpf.Decode(text[pc*sbpf.InsnSize:])
			hash := uint32(insn.Imm)
			switch {
			case insn.Src == 0 && (syscalls == nil || !syscalls.HasSyscall(hash)):
				return &Error{Kind: InvalidSyscall, PC: pc, Syscall: hash}
			case insn.Src == 1 && insn.Imm == -1:
				return &Error{Kind: InvalidFunction, PC: pc}
			}
		}
	}
	return nil
}

// checkJumpTarget rejects a jump at pc whose target is outside the n slots of
// text or has opcode 0. The reference treats every opcode-0 slot as the
// middle of an lddw, whether or not an lddw precedes it.
func checkJumpTarget(text []byte, n, pc int, off int16) error {
	target := int64(pc) + 1 + int64(off)
	if target < 0 || target >= int64(n) {
		return &Error{Kind: JumpOutOfCode, PC: pc, Target: target}
	}
	if text[target*sbpf.InsnSize] == 0 {
		return &Error{Kind: JumpToMiddleOfLDDW, PC: pc, Target: target}
	}
	return nil
}

// checkCallxRegister rejects a callx whose register (in imm, src or dst
// depending on the version) is not r0..r9.
func checkCallxRegister(insn sbpf.Instruction, pc int, v sbpf.Version) error {
	var reg int64
	switch {
	case v.CallxUsesSrcReg():
		reg = int64(insn.Src)
	case v.CallxUsesDstReg():
		reg = int64(insn.Dst)
	default:
		reg = int64(insn.Imm)
	}
	if reg < 0 || reg > 9 {
		return &Error{Kind: InvalidRegister, PC: pc}
	}
	return nil
}

// checkRegisters rejects register numbers above r10 and writes to r10.
// Stores only read their dst, and with dynamic frames `add64 r10, imm` is
// how a program moves its frame pointer.
func checkRegisters(insn sbpf.Instruction, store bool, pc int, v sbpf.Version) error {
	if insn.Src > sbpf.FramePointerReg {
		return &Error{Kind: InvalidSourceRegister, PC: pc}
	}
	switch {
	case insn.Dst < sbpf.FramePointerReg:
		return nil
	case insn.Dst > sbpf.FramePointerReg:
		return &Error{Kind: InvalidDestinationRegister, PC: pc}
	case store:
		return nil
	case v.DynamicFrames() && insn.Op == sbpf.Add64Imm:
		return nil
	}
	return &Error{Kind: CannotWriteR10, PC: pc}
}

// opcodeCheck is the opcode-specific check the reference's match arm
// applies to an opcode in one version.
type opcodeCheck uint8

const (
	checkUnknown  opcodeCheck = iota // no arm: UnknownOpCode
	checkNone                        // registers only
	checkLDDW                        // second slot present and opcode 0
	checkStore                       // registers only, dst r10 allowed
	checkEndian                      // width 16, 32 or 64
	checkJump                        // target inside, not opcode 0
	checkCallx                       // register r0..r9
	checkDivisor                     // immediate divisor non-zero
	checkShift32                     // immediate in 0..31
	checkShift64                     // immediate in 0..63
	checkAdd64Imm                    // stack bump alignment
)

// checkTables[v][opcode] is the check for opcode in version v. It is
// derived once from package sbpf's opcode tables, which say what each
// opcode means, so that the verifier's loop does one lookup per slot.
var checkTables = func() (t [sbpf.LatestVersion + 1][256]opcodeCheck) {
	for v := range t {
		for c := range t[v] {
			t[v][c] = checkFor(sbpf.Version(v).Lookup(sbpf.Opcode(c)))
		}
	}
	return t
}()

func checkFor(op sbpf.Op) opcodeCheck {
	switch op {
	case sbpf.OpInvalid:
		return checkUnknown
	case sbpf.OpDiv32Imm, sbpf.OpMod32Imm, sbpf.OpDiv64Imm, sbpf.OpMod64Imm,
		sbpf.OpUdiv32Imm, sbpf.OpUdiv64Imm, sbpf.OpUrem32Imm, sbpf.OpUrem64Imm,
		sbpf.OpSdiv32Imm, sbpf.OpSdiv64Imm, sbpf.OpSrem32Imm, sbpf.OpSrem64Imm:
		return checkDivisor
	case sbpf.OpLsh32Imm, sbpf.OpRsh32Imm, sbpf.OpArsh32Imm:
		return checkShift32
	case sbpf.OpLsh64Imm, sbpf.OpRsh64Imm, sbpf.OpArsh64Imm:
		return checkShift64
	case sbpf.OpAdd64Imm:
		return checkAdd64Imm
	}
	switch op.Info().Format {
	case sbpf.FmtLDDW:
		return checkLDDW
	case sbpf.FmtStoreImm, sbpf.FmtStoreReg:
		return checkStore
	case sbpf.FmtEndian:
		return checkEndian
	case sbpf.FmtJa, sbpf.FmtJumpImm, sbpf.FmtJumpReg:
		return checkJump
	case sbpf.FmtCallx:
		return checkCallx
	}
	return checkNone
}
