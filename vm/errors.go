package vm

import (
	"errors"
	"fmt"
)

// ErrorKind is a runtime error kind of the reference's EbpfError. Its
// String is the reference's variant name, which is the stable name tools
// and the CLI report.
type ErrorKind uint8

// Runtime error kinds.
const (
	KindNone ErrorKind = iota
	DivideByZero
	DivideOverflow
	ExecutionOverrun
	CallOutsideTextSegment
	ExceededMaxInstructions
	AccessViolation
	StackAccessViolation
	UnsupportedInstruction
	InvalidInstruction
	CallDepthExceeded
	SyscallError
)

var kindNames = [...]string{
	KindNone:                "None",
	DivideByZero:            "DivideByZero",
	DivideOverflow:          "DivideOverflow",
	ExecutionOverrun:        "ExecutionOverrun",
	CallOutsideTextSegment:  "CallOutsideTextSegment",
	ExceededMaxInstructions: "ExceededMaxInstructions",
	AccessViolation:         "AccessViolation",
	StackAccessViolation:    "StackAccessViolation",
	UnsupportedInstruction:  "UnsupportedInstruction",
	InvalidInstruction:      "InvalidInstruction",
	CallDepthExceeded:       "CallDepthExceeded",
	SyscallError:            "SyscallError",
}

func (k ErrorKind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("ErrorKind(%d)", uint8(k))
}

// AccessType says whether a faulting memory access read or wrote.
type AccessType uint8

// Access types.
const (
	Load AccessType = iota
	Store
)

// String is the word Agave's access-violation message uses: "reading" or
// "writing".
func (a AccessType) String() string {
	if a == Store {
		return "writing"
	}
	return "reading"
}

// Error is a fault raised while running a program.
type Error struct {
	Kind ErrorKind
	PC   int // instruction index of the faulting instruction

	// For AccessViolation and StackAccessViolation.
	Access AccessType
	Addr   uint64
	Len    uint64
	Region string // AccessViolation: "program", "stack", "heap", "input", "allocated" or "unallocated"
	Frame  int64  // StackAccessViolation: the stack frame the address falls in

	// For SyscallError: what the syscall returned.
	Err error
}

// Error renders the message the reference prints for the variant.
func (e *Error) Error() string {
	switch e.Kind {
	case DivideByZero:
		return "divide by zero at BPF instruction"
	case DivideOverflow:
		return "division overflow at BPF instruction"
	case ExecutionOverrun:
		return "attempted to execute past the end of the text segment at BPF instruction"
	case CallOutsideTextSegment:
		return "callx attempted to call outside of the text segment"
	case ExceededMaxInstructions:
		return "exceeded CUs meter at BPF instruction"
	case AccessViolation:
		return fmt.Sprintf("Access violation %s %d bytes at address %#x (in %s region)", e.Access, e.Len, e.Addr, e.Region)
	case StackAccessViolation:
		return fmt.Sprintf("Access violation in stack frame %d at address %#x of size %d", e.Frame, e.Addr, e.Len)
	case InvalidInstruction:
		return "invalid BPF instruction"
	case UnsupportedInstruction:
		return "unsupported BPF instruction"
	case CallDepthExceeded:
		return "exceeded max BPF to BPF call depth"
	case SyscallError:
		return fmt.Sprintf("Syscall error: %v", e.Err)
	}
	return e.Kind.String()
}

// Unwrap returns the syscall's error, if any.
func (e *Error) Unwrap() error { return e.Err }

// KindName is the stable name of the error: the ErrorKind's name, or for a
// SyscallError whose cause names its own kind (an extension's typed error
// implementing KindNamer), that name.
func (e *Error) KindName() string {
	if e.Kind == SyscallError {
		var kn KindNamer
		if errors.As(e.Err, &kn) {
			return kn.KindName()
		}
	}
	return e.Kind.String()
}

// KindNamer is implemented by syscall errors that carry a stable kind name
// of their own (e.g. an extension's NestedTransaction, or AccessViolation
// for a bad pointer handed to a syscall).
type KindNamer interface {
	KindName() string
}

// ErrComputeBudgetExceeded is returned by Machine.Consume when a syscall's
// price exceeds what is left; the run then fails with a SyscallError, as in
// Agave (InstructionError::ComputationalBudgetExceeded).
var ErrComputeBudgetExceeded = errors.New("ComputationalBudgetExceeded")

// ErrorKindOf returns the stable kind name of err: the KindName of a *vm.Error,
// or of any error implementing KindNamer, else "".
func ErrorKindOf(err error) string {
	var ve *Error
	if errors.As(err, &ve) {
		return ve.KindName()
	}
	var kn KindNamer
	if errors.As(err, &kn) {
		return kn.KindName()
	}
	return ""
}
