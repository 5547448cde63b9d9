package abi

import (
	"fmt"
)

// ErrorKind is the Agave InstructionError variant an instruction fails
// with when its input cannot be serialized or its accounts cannot be
// written back. Only the variants this package can produce exist here.
// An ErrorKind is itself an error (Agave's message for the variant), so
// errors.Is(err, abi.InvalidRealloc) tests an *Error's kind.
type ErrorKind uint8

// The error kinds, named as Agave's InstructionError variants.
const (
	// KindNone is the zero value; no error has it.
	KindNone ErrorKind = iota
	// InvalidArgument: Serialize was given no instruction or an account
	// larger than MaxPermittedDataLength, or Deserialize was given a
	// buffer shorter than the layout (Agave's out-of-range read).
	InvalidArgument
	// MaxAccountsExceeded: the instruction lists more than
	// MaxAccountsPerInstruction accounts.
	MaxAccountsExceeded
	// MissingAccount: an instruction account names an index outside the
	// accounts, or Deserialize was given no layout.
	MissingAccount
	// ReadonlyLamportChange: the lamports of an account that is not
	// writable changed.
	ReadonlyLamportChange
	// ExternalAccountLamportSpend: the lamports of an account the program
	// does not own decreased.
	ExternalAccountLamportSpend
	// ReadonlyDataModified: the data of an account that is not writable
	// changed.
	ReadonlyDataModified
	// ExternalAccountDataModified: the data of an account the program does
	// not own changed.
	ExternalAccountDataModified
	// AccountDataSizeChanged: the data length of an account the program
	// does not own changed.
	AccountDataSizeChanged
	// InvalidRealloc: the data length grew by more than
	// MaxPermittedDataIncrease or beyond MaxPermittedDataLength.
	InvalidRealloc
	// ModifiedProgramId: the owner changed although the program does not
	// own the account, the account is not writable, or its data is not all
	// zeros.
	ModifiedProgramId
	// UnbalancedInstruction: the lamports of the instruction's accounts do
	// not sum to what they did before.
	UnbalancedInstruction
)

var kindInfo = [...]struct{ name, msg string }{
	KindNone:                    {"None", "no error"},
	InvalidArgument:             {"InvalidArgument", "invalid program argument"},
	MaxAccountsExceeded:         {"MaxAccountsExceeded", "Max accounts exceeded"},
	MissingAccount:              {"MissingAccount", "An account required by the instruction is missing"},
	ReadonlyLamportChange:       {"ReadonlyLamportChange", "instruction changed the balance of a read-only account"},
	ExternalAccountLamportSpend: {"ExternalAccountLamportSpend", "instruction spent from the balance of an account it does not own"},
	ReadonlyDataModified:        {"ReadonlyDataModified", "instruction modified data of a read-only account"},
	ExternalAccountDataModified: {"ExternalAccountDataModified", "instruction modified data of an account it does not own"},
	AccountDataSizeChanged:      {"AccountDataSizeChanged", "program other than the account's owner changed the size of the account data"},
	InvalidRealloc:              {"InvalidRealloc", "Failed to reallocate account data"},
	ModifiedProgramId:           {"ModifiedProgramId", "instruction illegally modified the program id of an account"},
	UnbalancedInstruction:       {"UnbalancedInstruction", "sum of account balances before and after instruction do not match"},
}

// String returns the variant name, e.g. "InvalidRealloc".
func (k ErrorKind) String() string {
	if int(k) < len(kindInfo) {
		return kindInfo[k].name
	}
	return fmt.Sprintf("ErrorKind(%d)", uint8(k))
}

// Error returns Agave's message for the variant.
func (k ErrorKind) Error() string {
	if int(k) < len(kindInfo) {
		return kindInfo[k].msg
	}
	return k.String()
}

// Error is a failure of Serialize or Deserialize.
type Error struct {
	Kind ErrorKind
	// Account is the position of the offending account in
	// Instruction.Accounts, or -1 when the error concerns no one account.
	Account int
	// Key is that account's key (zero when Account is -1).
	Key [32]byte
	// Detail says what was found, e.g. "lamports 10 -> 9".
	Detail string
}

// Error renders the kind, Agave's message, the account and the detail.
func (e *Error) Error() string {
	s := "abi: " + e.Kind.String() + ": " + e.Kind.Error()
	if e.Account >= 0 {
		s += fmt.Sprintf(" (instruction account %d, %s)", e.Account, EncodeKey(e.Key))
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Is reports whether target is e's kind, so that errors.Is(err,
// abi.InvalidRealloc) works.
func (e *Error) Is(target error) bool {
	k, ok := target.(ErrorKind)
	return ok && k == e.Kind
}

// KindName returns the variant name; it makes vm.ErrorKindOf report it.
func (e *Error) KindName() string { return e.Kind.String() }

func errf(k ErrorKind, format string, args ...any) *Error {
	return &Error{Kind: k, Account: -1, Detail: fmt.Sprintf(format, args...)}
}

func accountErr(k ErrorKind, pos int, key [32]byte, format string, args ...any) *Error {
	return &Error{Kind: k, Account: pos, Key: key, Detail: fmt.Sprintf(format, args...)}
}

// BuiltinBitShift is where a program's return value keeps the builtin
// error codes: code n is n << 32 (Solana's BUILTIN_BIT_SHIFT).
const BuiltinBitShift = 32

// builtinStatus is the InstructionError Agave derives from each builtin
// return code (n << 32 for n = 1..26): its variant name and message.
var builtinStatus = [...]struct{ name, msg string }{
	1:  {"Custom", ""}, // CUSTOM_ZERO is Custom(0)
	2:  {"InvalidArgument", "invalid program argument"},
	3:  {"InvalidInstructionData", "invalid instruction data"},
	4:  {"InvalidAccountData", "invalid account data for instruction"},
	5:  {"AccountDataTooSmall", "account data too small for instruction"},
	6:  {"InsufficientFunds", "insufficient funds for instruction"},
	7:  {"IncorrectProgramId", "incorrect program id for instruction"},
	8:  {"MissingRequiredSignature", "missing required signature for instruction"},
	9:  {"AccountAlreadyInitialized", "instruction requires an uninitialized account"},
	10: {"UninitializedAccount", "instruction requires an initialized account"},
	11: {"NotEnoughAccountKeys", "insufficient account keys for instruction"},
	12: {"AccountBorrowFailed", "instruction tries to borrow reference for an account which is already borrowed"},
	13: {"MaxSeedLengthExceeded", "Length of the seed is too long for address generation"},
	14: {"InvalidSeeds", "Provided seeds do not result in a valid address"},
	15: {"BorshIoError", "Failed to serialize or deserialize account data"},
	16: {"AccountNotRentExempt", "An account does not have enough lamports to be rent-exempt"},
	17: {"UnsupportedSysvar", "Unsupported sysvar"},
	18: {"IllegalOwner", "Provided owner is not allowed"},
	19: {"MaxAccountsDataAllocationsExceeded", "Accounts data allocations exceeded the maximum allowed per transaction"},
	20: {"InvalidRealloc", "Failed to reallocate account data"},
	21: {"MaxInstructionTraceLengthExceeded", "Max instruction trace length exceeded"},
	22: {"BuiltinProgramsMustConsumeComputeUnits", "Builtin programs must consume compute units"},
	23: {"InvalidAccountOwner", "Invalid account owner"},
	24: {"ArithmeticOverflow", "Program arithmetic overflowed"},
	25: {"Immutable", "Account is immutable"},
	26: {"IncorrectAuthority", "Incorrect authority provided"},
}

// StatusError is a program's nonzero return value (r0) read as Agave's
// BPF loader reads it: a builtin code n<<32 (n = 1..26) is the matching
// InstructionError, CUSTOM_ZERO (1<<32) is Custom(0), a value below 2^32
// is Custom(value), and anything else is InvalidError.
type StatusError struct {
	Code uint64
}

// KindName returns the InstructionError variant name, e.g. "Custom",
// "InvalidArgument" or "InvalidError".
func (e *StatusError) KindName() string {
	name, _ := statusInfo(e.Code)
	return name
}

// Error returns Agave's message, e.g. "custom program error: 0x1".
func (e *StatusError) Error() string {
	_, msg := statusInfo(e.Code)
	return msg
}

// Custom returns the custom error number and true if the code is a
// Custom error.
func (e *StatusError) Custom() (uint32, bool) {
	switch {
	case e.Code == 1<<BuiltinBitShift:
		return 0, true
	case e.Code>>BuiltinBitShift == 0:
		return uint32(e.Code), true
	}
	return 0, false
}

func statusInfo(code uint64) (name, msg string) {
	if n := code >> BuiltinBitShift; uint32(code) == 0 && n > 1 && n < uint64(len(builtinStatus)) {
		return builtinStatus[n].name, builtinStatus[n].msg
	}
	e := StatusError{code}
	if c, ok := e.Custom(); ok {
		return "Custom", fmt.Sprintf("custom program error: %#x", c)
	}
	return "InvalidError", "program returned invalid error code"
}

// Status returns nil for a program's return value 0 (success), else the
// *StatusError it stands for.
func Status(r0 uint64) error {
	if r0 == 0 {
		return nil
	}
	return &StatusError{Code: r0}
}
