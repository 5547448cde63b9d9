package verify

import (
	"fmt"

	"github.com/agora-vm/agora/sbpf"
)

// Kind names why the verifier rejected a program. The names are those of
// the reference's VerifierError variants and are stable: tools and
// conformance vectors compare them as strings.
type Kind uint8

// The verifier's error kinds, in the reference's declaration order. The
// reference's deprecated ProgramTooLarge and unused InfiniteLoop variants
// are never produced and have no Kind.
const (
	ProgramLengthNotMultiple   Kind = iota + 1 // text length is not a multiple of 8
	NoProgram                                  // text is empty
	DivisionByZero                             // div/mod/udiv/urem/sdiv/srem by immediate 0
	UnsupportedLEBEArgument                    // le/be width other than 16, 32 or 64
	LDDWCannotBeLast                           // lddw in the last slot
	IncompleteLDDW                             // lddw whose second slot has a non-zero opcode
	JumpOutOfCode                              // jump target outside the program
	JumpToMiddleOfLDDW                         // jump target slot has opcode 0
	InvalidSourceRegister                      // src > 10
	CannotWriteR10                             // instruction writes r10
	InvalidDestinationRegister                 // dst > 10
	UnknownOpCode                              // opcode not valid in this version
	ShiftWithOverflow                          // shift immediate negative or >= width
	InvalidRegister                            // callx register outside r0..r9
	InvalidFunction                            // V3+ internal call with imm -1
	InvalidSyscall                             // V3+ syscall hash not registered
	UnalignedImmediate                         // V1/V2 stack bump not a multiple of 64
)

var kindNames = [...]string{
	ProgramLengthNotMultiple:   "ProgramLengthNotMultiple",
	NoProgram:                  "NoProgram",
	DivisionByZero:             "DivisionByZero",
	UnsupportedLEBEArgument:    "UnsupportedLEBEArgument",
	LDDWCannotBeLast:           "LDDWCannotBeLast",
	IncompleteLDDW:             "IncompleteLDDW",
	JumpOutOfCode:              "JumpOutOfCode",
	JumpToMiddleOfLDDW:         "JumpToMiddleOfLDDW",
	InvalidSourceRegister:      "InvalidSourceRegister",
	CannotWriteR10:             "CannotWriteR10",
	InvalidDestinationRegister: "InvalidDestinationRegister",
	UnknownOpCode:              "UnknownOpCode",
	ShiftWithOverflow:          "ShiftWithOverflow",
	InvalidRegister:            "InvalidRegister",
	InvalidFunction:            "InvalidFunction",
	InvalidSyscall:             "InvalidSyscall",
	UnalignedImmediate:         "UnalignedImmediate",
}

// String returns the reference's variant name, e.g. "JumpOutOfCode".
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Error is a program rejected by the verifier. Only the fields that the
// reference's variant carries for Kind are set; the others are zero.
type Error struct {
	Kind Kind

	// PC is the instruction (slot) index the error is reported at, or -1
	// for ProgramLengthNotMultiple and NoProgram, which concern the whole
	// text. It is the reference's index, including its quirk that a
	// register error on an lddw is reported at the lddw's second slot.
	// For LDDWCannotBeLast and InvalidSyscall, whose reference variants
	// carry no index, it is the offending instruction.
	PC int

	// Target is the destination slot of a jump (JumpOutOfCode,
	// JumpToMiddleOfLDDW). It is negative for a jump before the start,
	// which the reference reports wrapped to an unsigned integer.
	Target int64

	// Shift is the immediate of a shift (ShiftWithOverflow), sign-extended;
	// the reference reports a negative one wrapped to an unsigned integer.
	Shift int64
	// Bits is the width of the shifted value, 32 or 64 (ShiftWithOverflow).
	Bits int

	// Opcode is the rejected opcode (UnknownOpCode).
	Opcode sbpf.Opcode

	// Syscall is the unregistered hash in the call's imm (InvalidSyscall).
	Syscall uint32
}

// Error describes the problem like the reference's message does, always
// naming the instruction index when there is one.
func (e *Error) Error() string {
	switch e.Kind {
	case ProgramLengthNotMultiple:
		return fmt.Sprintf("program length must be a multiple of %d octets", sbpf.InsnSize)
	case NoProgram:
		return "no program: the text is empty"
	case DivisionByZero:
		return fmt.Sprintf("division by 0 (insn #%d)", e.PC)
	case UnsupportedLEBEArgument:
		return fmt.Sprintf("unsupported argument for LE/BE (insn #%d)", e.PC)
	case LDDWCannotBeLast:
		return fmt.Sprintf("LD_DW instruction cannot be last in program (insn #%d)", e.PC)
	case IncompleteLDDW:
		return fmt.Sprintf("incomplete LD_DW instruction (insn #%d)", e.PC)
	case JumpOutOfCode:
		return fmt.Sprintf("jump out of code to #%d (insn #%d)", e.Target, e.PC)
	case JumpToMiddleOfLDDW:
		return fmt.Sprintf("jump to middle of LD_DW at #%d (insn #%d)", e.Target, e.PC)
	case InvalidSourceRegister:
		return fmt.Sprintf("invalid source register (insn #%d)", e.PC)
	case CannotWriteR10:
		return fmt.Sprintf("cannot write into register r10 (insn #%d)", e.PC)
	case InvalidDestinationRegister:
		return fmt.Sprintf("invalid destination register (insn #%d)", e.PC)
	case UnknownOpCode:
		return fmt.Sprintf("unknown eBPF opcode %#x (insn #%d)", uint8(e.Opcode), e.PC)
	case ShiftWithOverflow:
		return fmt.Sprintf("shift with overflow of %d-bit value by %d (insn #%d)", e.Bits, e.Shift, e.PC)
	case InvalidRegister:
		return fmt.Sprintf("invalid register specified (insn #%d)", e.PC)
	case InvalidFunction:
		return fmt.Sprintf("invalid function (insn #%d)", e.PC)
	case InvalidSyscall:
		return fmt.Sprintf("invalid syscall code %d (%#x) (insn #%d)", e.Syscall, e.Syscall, e.PC)
	case UnalignedImmediate:
		return fmt.Sprintf("unaligned immediate (insn #%d)", e.PC)
	}
	return fmt.Sprintf("verifier error %s (insn #%d)", e.Kind, e.PC)
}
