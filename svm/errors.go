package svm

import (
	"errors"
	"fmt"

	"github.com/agora-vm/agora/abi"
	"github.com/agora-vm/agora/vm"
)

// InstructionErrorKind is a variant of Agave's InstructionError, in
// Agave's order (the discriminants match).
type InstructionErrorKind uint8

// InstructionError variants.
const (
	GenericError InstructionErrorKind = iota
	InvalidArgument
	InvalidInstructionData
	InvalidAccountData
	AccountDataTooSmall
	InsufficientFunds
	IncorrectProgramID
	MissingRequiredSignature
	AccountAlreadyInitialized
	UninitializedAccount
	UnbalancedInstruction
	ModifiedProgramID
	ExternalAccountLamportSpend
	ExternalAccountDataModified
	ReadonlyLamportChange
	ReadonlyDataModified
	DuplicateAccountIndex
	ExecutableModified
	RentEpochModified
	NotEnoughAccountKeys
	AccountDataSizeChanged
	AccountNotExecutable
	AccountBorrowFailed
	AccountBorrowOutstanding
	DuplicateAccountOutOfSync
	Custom
	InvalidError
	ExecutableDataModified
	ExecutableLamportChange
	ExecutableAccountNotRentExempt
	UnsupportedProgramID
	CallDepth
	MissingAccount
	ReentrancyNotAllowed
	MaxSeedLengthExceeded
	InvalidSeeds
	InvalidRealloc
	ComputationalBudgetExceeded
	PrivilegeEscalation
	ProgramEnvironmentSetupFailure
	ProgramFailedToComplete
	ProgramFailedToCompile
	Immutable
	IncorrectAuthority
	BorshIoError
	AccountNotRentExempt
	InvalidAccountOwner
	ArithmeticOverflow
	UnsupportedSysvar
	IllegalOwner
	MaxAccountsDataAllocationsExceeded
	MaxAccountsExceeded
	MaxInstructionTraceLengthExceeded
	BuiltinProgramsMustConsumeComputeUnits
	numInstructionErrorKinds
)

var instructionErrorInfo = [numInstructionErrorKinds]struct{ name, msg string }{
	GenericError:                           {"GenericError", "generic instruction error"},
	InvalidArgument:                        {"InvalidArgument", "invalid program argument"},
	InvalidInstructionData:                 {"InvalidInstructionData", "invalid instruction data"},
	InvalidAccountData:                     {"InvalidAccountData", "invalid account data for instruction"},
	AccountDataTooSmall:                    {"AccountDataTooSmall", "account data too small for instruction"},
	InsufficientFunds:                      {"InsufficientFunds", "insufficient funds for instruction"},
	IncorrectProgramID:                     {"IncorrectProgramId", "incorrect program id for instruction"},
	MissingRequiredSignature:               {"MissingRequiredSignature", "missing required signature for instruction"},
	AccountAlreadyInitialized:              {"AccountAlreadyInitialized", "instruction requires an uninitialized account"},
	UninitializedAccount:                   {"UninitializedAccount", "instruction requires an initialized account"},
	UnbalancedInstruction:                  {"UnbalancedInstruction", "sum of account balances before and after instruction do not match"},
	ModifiedProgramID:                      {"ModifiedProgramId", "instruction illegally modified the program id of an account"},
	ExternalAccountLamportSpend:            {"ExternalAccountLamportSpend", "instruction spent from the balance of an account it does not own"},
	ExternalAccountDataModified:            {"ExternalAccountDataModified", "instruction modified data of an account it does not own"},
	ReadonlyLamportChange:                  {"ReadonlyLamportChange", "instruction changed the balance of a read-only account"},
	ReadonlyDataModified:                   {"ReadonlyDataModified", "instruction modified data of a read-only account"},
	DuplicateAccountIndex:                  {"DuplicateAccountIndex", "instruction contains duplicate accounts"},
	ExecutableModified:                     {"ExecutableModified", "instruction changed executable bit of an account"},
	RentEpochModified:                      {"RentEpochModified", "instruction modified rent epoch of an account"},
	NotEnoughAccountKeys:                   {"NotEnoughAccountKeys", "insufficient account keys for instruction"},
	AccountDataSizeChanged:                 {"AccountDataSizeChanged", "program other than the account's owner changed the size of the account data"},
	AccountNotExecutable:                   {"AccountNotExecutable", "instruction expected an executable account"},
	AccountBorrowFailed:                    {"AccountBorrowFailed", "instruction tries to borrow reference for an account which is already borrowed"},
	AccountBorrowOutstanding:               {"AccountBorrowOutstanding", "instruction left account with an outstanding borrowed reference"},
	DuplicateAccountOutOfSync:              {"DuplicateAccountOutOfSync", "instruction modifications of multiply-passed account differ"},
	Custom:                                 {"Custom", "custom program error"},
	InvalidError:                           {"InvalidError", "program returned invalid error code"},
	ExecutableDataModified:                 {"ExecutableDataModified", "instruction changed executable accounts data"},
	ExecutableLamportChange:                {"ExecutableLamportChange", "instruction changed the balance of an executable account"},
	ExecutableAccountNotRentExempt:         {"ExecutableAccountNotRentExempt", "executable accounts must be rent exempt"},
	UnsupportedProgramID:                   {"UnsupportedProgramId", "Unsupported program id"},
	CallDepth:                              {"CallDepth", "Cross-program invocation call depth too deep"},
	MissingAccount:                         {"MissingAccount", "An account required by the instruction is missing"},
	ReentrancyNotAllowed:                   {"ReentrancyNotAllowed", "Cross-program invocation reentrancy not allowed for this instruction"},
	MaxSeedLengthExceeded:                  {"MaxSeedLengthExceeded", "Length of the seed is too long for address generation"},
	InvalidSeeds:                           {"InvalidSeeds", "Provided seeds do not result in a valid address"},
	InvalidRealloc:                         {"InvalidRealloc", "Failed to reallocate account data"},
	ComputationalBudgetExceeded:            {"ComputationalBudgetExceeded", "Computational budget exceeded"},
	PrivilegeEscalation:                    {"PrivilegeEscalation", "Cross-program invocation with unauthorized signer or writable account"},
	ProgramEnvironmentSetupFailure:         {"ProgramEnvironmentSetupFailure", "Failed to create program execution environment"},
	ProgramFailedToComplete:                {"ProgramFailedToComplete", "Program failed to complete"},
	ProgramFailedToCompile:                 {"ProgramFailedToCompile", "Program failed to compile"},
	Immutable:                              {"Immutable", "Account is immutable"},
	IncorrectAuthority:                     {"IncorrectAuthority", "Incorrect authority provided"},
	BorshIoError:                           {"BorshIoError", "Failed to serialize or deserialize account data"},
	AccountNotRentExempt:                   {"AccountNotRentExempt", "An account does not have enough lamports to be rent-exempt"},
	InvalidAccountOwner:                    {"InvalidAccountOwner", "Invalid account owner"},
	ArithmeticOverflow:                     {"ArithmeticOverflow", "Program arithmetic overflowed"},
	UnsupportedSysvar:                      {"UnsupportedSysvar", "Unsupported sysvar"},
	IllegalOwner:                           {"IllegalOwner", "Provided owner is not allowed"},
	MaxAccountsDataAllocationsExceeded:     {"MaxAccountsDataAllocationsExceeded", "Accounts data allocations exceeded the maximum allowed per transaction"},
	MaxAccountsExceeded:                    {"MaxAccountsExceeded", "Max accounts exceeded"},
	MaxInstructionTraceLengthExceeded:      {"MaxInstructionTraceLengthExceeded", "Max instruction trace length exceeded"},
	BuiltinProgramsMustConsumeComputeUnits: {"BuiltinProgramsMustConsumeComputeUnits", "Builtin programs must consume compute units"},
}

// String returns Agave's variant name.
func (k InstructionErrorKind) String() string {
	if k < numInstructionErrorKinds {
		return instructionErrorInfo[k].name
	}
	return fmt.Sprintf("InstructionErrorKind(%d)", uint8(k))
}

// InstructionError is an instruction's failure, as Agave reports it.
type InstructionError struct {
	Kind InstructionErrorKind
	// Code is the number of a Custom error.
	Code uint32
}

// ierr returns an *InstructionError of kind k.
func ierr(k InstructionErrorKind) *InstructionError { return &InstructionError{Kind: k} }

// customErr returns Custom(code).
func customErr(code uint32) *InstructionError { return &InstructionError{Kind: Custom, Code: code} }

// Error returns Agave's Display text, e.g. "custom program error: 0x1".
func (e *InstructionError) Error() string {
	if e.Kind == Custom {
		return fmt.Sprintf("custom program error: %#x", e.Code)
	}
	if e.Kind < numInstructionErrorKinds {
		return instructionErrorInfo[e.Kind].msg
	}
	return e.Kind.String()
}

// String returns Agave's Debug text, e.g. "Custom(1)" or "InvalidArgument".
func (e *InstructionError) String() string {
	if e.Kind == Custom {
		return fmt.Sprintf("Custom(%d)", e.Code)
	}
	return e.Kind.String()
}

// KindName implements vm.KindNamer.
func (e *InstructionError) KindName() string { return e.Kind.String() }

// Is matches an *InstructionError of the same kind (and code).
func (e *InstructionError) Is(target error) bool {
	t, ok := target.(*InstructionError)
	return ok && t.Kind == e.Kind && (e.Kind != Custom || t.Code == e.Code)
}

// instructionErrorByName maps variant names (abi's kinds, abi's status
// names) to kinds.
var instructionErrorByName = func() map[string]InstructionErrorKind {
	m := make(map[string]InstructionErrorKind, numInstructionErrorKinds)
	for k := InstructionErrorKind(0); k < numInstructionErrorKinds; k++ {
		m[instructionErrorInfo[k].name] = k
	}
	return m
}()

// fromABI converts an abi error (a write-back violation or a program's
// status code) into the InstructionError it names.
func fromABI(err error) *InstructionError {
	var se *abi.StatusError
	if errors.As(err, &se) {
		if c, ok := se.Custom(); ok {
			return customErr(c)
		}
	}
	var ae *abi.Error
	if errors.As(err, &ae) {
		if k, ok := instructionErrorByName[ae.Kind.String()]; ok {
			return ierr(k)
		}
	}
	if k, ok := instructionErrorByName[vm.ErrorKindOf(err)]; ok {
		return ierr(k)
	}
	return ierr(InvalidError)
}

// fromVM turns the failure of a BPF program's run into the
// InstructionError Agave reports, and the text it logs: an instruction
// error raised inside a syscall is itself; any other fault is
// ProgramFailedToComplete, logged with the fault's own message.
func fromVM(err error) (*InstructionError, string) {
	var ie *InstructionError
	if errors.As(err, &ie) {
		return ie, ie.Error()
	}
	if errors.Is(err, vm.ErrComputeBudgetExceeded) {
		e := ierr(ComputationalBudgetExceeded)
		return e, e.Error()
	}
	var ve *vm.Error
	if errors.As(err, &ve) && ve.Kind == vm.SyscallError && ve.Err != nil {
		return ierr(ProgramFailedToComplete), ve.Err.Error()
	}
	return ierr(ProgramFailedToComplete), err.Error()
}

// TransactionErrorKind is a variant of Agave's TransactionError.
type TransactionErrorKind uint8

// TransactionError variants this runtime reports.
const (
	AccountInUse TransactionErrorKind = iota
	AccountLoadedTwice
	AccountNotFound
	ProgramAccountNotFound
	InsufficientFundsForFee
	InvalidAccountForFee
	AlreadyProcessed
	BlockhashNotFound
	InstructionErrorKind_
	CallChainTooDeep
	MissingSignatureForFee
	InvalidAccountIndex
	SignatureFailure
	InvalidProgramForExecution
	SanitizeFailure
	ClusterMaintenance
	AccountBorrowOutstandingTx
	WouldExceedMaxBlockCostLimit
	UnsupportedVersion
	InvalidWritableAccount
	WouldExceedMaxAccountCostLimit
	WouldExceedAccountDataBlockLimit
	TooManyAccountLocks
	AddressLookupTableNotFound
	InvalidAddressLookupTableOwner
	InvalidAddressLookupTableData
	InvalidAddressLookupTableIndex
	InvalidRentPayingAccount
	WouldExceedMaxVoteCostLimit
	WouldExceedAccountDataTotalLimit
	DuplicateInstruction
	InsufficientFundsForRent
	MaxLoadedAccountsDataSizeExceeded
	InvalidLoadedAccountsDataSizeLimit
	ResanitizationNeeded
	ProgramExecutionTemporarilyRestricted
	UnbalancedTransaction
	numTransactionErrorKinds
)

// InstructionErrorTx is the InstructionError variant of TransactionError.
const InstructionErrorTx = InstructionErrorKind_

var transactionErrorInfo = [numTransactionErrorKinds]struct{ name, msg string }{
	AccountInUse:                          {"AccountInUse", "Account in use"},
	AccountLoadedTwice:                    {"AccountLoadedTwice", "Account loaded twice"},
	AccountNotFound:                       {"AccountNotFound", "Attempt to debit an account but found no record of a prior credit."},
	ProgramAccountNotFound:                {"ProgramAccountNotFound", "Attempt to load a program that does not exist"},
	InsufficientFundsForFee:               {"InsufficientFundsForFee", "Insufficient funds for fee"},
	InvalidAccountForFee:                  {"InvalidAccountForFee", "This account may not be used to pay transaction fees"},
	AlreadyProcessed:                      {"AlreadyProcessed", "This transaction has already been processed"},
	BlockhashNotFound:                     {"BlockhashNotFound", "Blockhash not found"},
	InstructionErrorKind_:                 {"InstructionError", ""},
	CallChainTooDeep:                      {"CallChainTooDeep", "Loader call chain is too deep"},
	MissingSignatureForFee:                {"MissingSignatureForFee", "Transaction requires a fee but has no signature present"},
	InvalidAccountIndex:                   {"InvalidAccountIndex", "Transaction contains an invalid account reference"},
	SignatureFailure:                      {"SignatureFailure", "Transaction did not pass signature verification"},
	InvalidProgramForExecution:            {"InvalidProgramForExecution", "This program may not be used for executing instructions"},
	SanitizeFailure:                       {"SanitizeFailure", "Transaction failed to sanitize accounts offsets correctly"},
	ClusterMaintenance:                    {"ClusterMaintenance", "Transactions are currently disabled due to cluster maintenance"},
	AccountBorrowOutstandingTx:            {"AccountBorrowOutstanding", "Transaction processing left an account with an outstanding borrowed reference"},
	WouldExceedMaxBlockCostLimit:          {"WouldExceedMaxBlockCostLimit", "Transaction would exceed max Block Cost Limit"},
	UnsupportedVersion:                    {"UnsupportedVersion", "Transaction version is unsupported"},
	InvalidWritableAccount:                {"InvalidWritableAccount", "Transaction loads a writable account that cannot be written"},
	WouldExceedMaxAccountCostLimit:        {"WouldExceedMaxAccountCostLimit", "Transaction would exceed max account limit within the block"},
	WouldExceedAccountDataBlockLimit:      {"WouldExceedAccountDataBlockLimit", "Transaction would exceed account data limit within the block"},
	TooManyAccountLocks:                   {"TooManyAccountLocks", "Transaction locked too many accounts"},
	AddressLookupTableNotFound:            {"AddressLookupTableNotFound", "Transaction loads an address table account that doesn't exist"},
	InvalidAddressLookupTableOwner:        {"InvalidAddressLookupTableOwner", "Transaction loads an address table account with an invalid owner"},
	InvalidAddressLookupTableData:         {"InvalidAddressLookupTableData", "Transaction loads an address table account with invalid data"},
	InvalidAddressLookupTableIndex:        {"InvalidAddressLookupTableIndex", "Transaction address table lookup uses an invalid index"},
	InvalidRentPayingAccount:              {"InvalidRentPayingAccount", "Transaction leaves an account with a lower balance than rent-exempt minimum"},
	WouldExceedMaxVoteCostLimit:           {"WouldExceedMaxVoteCostLimit", "Transaction would exceed max Vote Cost Limit"},
	WouldExceedAccountDataTotalLimit:      {"WouldExceedAccountDataTotalLimit", "Transaction would exceed total account data limit"},
	DuplicateInstruction:                  {"DuplicateInstruction", ""},
	InsufficientFundsForRent:              {"InsufficientFundsForRent", ""},
	MaxLoadedAccountsDataSizeExceeded:     {"MaxLoadedAccountsDataSizeExceeded", "Transaction exceeded max loaded accounts data size cap"},
	InvalidLoadedAccountsDataSizeLimit:    {"InvalidLoadedAccountsDataSizeLimit", "LoadedAccountsDataSizeLimit set for transaction must be greater than 0."},
	ResanitizationNeeded:                  {"ResanitizationNeeded", "ResanitizationNeeded"},
	ProgramExecutionTemporarilyRestricted: {"ProgramExecutionTemporarilyRestricted", ""},
	UnbalancedTransaction:                 {"UnbalancedTransaction", "Sum of account balances before and after transaction do not match"},
}

// String returns Agave's variant name.
func (k TransactionErrorKind) String() string {
	if k < numTransactionErrorKinds {
		return transactionErrorInfo[k].name
	}
	return fmt.Sprintf("TransactionErrorKind(%d)", uint8(k))
}

// TransactionError is why a transaction failed, as Agave reports it.
type TransactionError struct {
	Kind TransactionErrorKind
	// Index is the instruction of InstructionError and
	// DuplicateInstruction, or the account of InsufficientFundsForRent and
	// ProgramExecutionTemporarilyRestricted.
	Index uint8
	// Instruction is the error of an InstructionError.
	Instruction *InstructionError
	// Detail says more, for people; it is not part of the error's identity.
	Detail string
}

func txErr(k TransactionErrorKind, detail string) *TransactionError {
	return &TransactionError{Kind: k, Detail: detail}
}

// String returns Agave's Debug text: "InsufficientFundsForFee",
// "InstructionError(0, Custom(1))", "DuplicateInstruction(2)",
// "InsufficientFundsForRent { account_index: 1 }".
func (e *TransactionError) String() string {
	switch e.Kind {
	case InstructionErrorTx:
		inner := "GenericError"
		if e.Instruction != nil {
			inner = e.Instruction.String()
		}
		return fmt.Sprintf("InstructionError(%d, %s)", e.Index, inner)
	case DuplicateInstruction:
		return fmt.Sprintf("DuplicateInstruction(%d)", e.Index)
	case InsufficientFundsForRent, ProgramExecutionTemporarilyRestricted:
		return fmt.Sprintf("%s { account_index: %d }", e.Kind, e.Index)
	}
	return e.Kind.String()
}

// Error returns Agave's Display text, with the detail if any.
func (e *TransactionError) Error() string {
	var s string
	switch e.Kind {
	case InstructionErrorTx:
		s = fmt.Sprintf("Error processing Instruction %d: %v", e.Index, e.Instruction)
	case DuplicateInstruction:
		s = fmt.Sprintf("Transaction contains a duplicate instruction (%d) that is not allowed", e.Index)
	case InsufficientFundsForRent:
		s = fmt.Sprintf("Transaction results in an account (%d) with insufficient funds for rent", e.Index)
	case ProgramExecutionTemporarilyRestricted:
		s = fmt.Sprintf("Execution of the program referenced by account at index %d is temporarily restricted.", e.Index)
	default:
		if e.Kind < numTransactionErrorKinds {
			s = transactionErrorInfo[e.Kind].msg
		} else {
			s = e.Kind.String()
		}
	}
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	return s
}

// KindName returns the Debug text (the stable name tools match).
func (e *TransactionError) KindName() string { return e.String() }

// Unwrap returns the instruction error, if any.
func (e *TransactionError) Unwrap() error {
	if e.Instruction == nil {
		return nil
	}
	return e.Instruction
}

// Is matches a *TransactionError of the same kind and index (and
// instruction error, when target has one).
func (e *TransactionError) Is(target error) bool {
	t, ok := target.(*TransactionError)
	if !ok || t.Kind != e.Kind {
		return false
	}
	if e.Kind == InstructionErrorTx || e.Kind == DuplicateInstruction || e.Kind == InsufficientFundsForRent {
		if t.Index != e.Index {
			return false
		}
	}
	if t.Instruction != nil && e.Instruction != nil {
		return e.Instruction.Is(t.Instruction)
	}
	return true
}

// NewInstructionFailure returns InstructionError(index, err), for tests and
// tools that match errors with errors.Is.
func NewInstructionFailure(index uint8, err *InstructionError) *TransactionError {
	return &TransactionError{Kind: InstructionErrorTx, Index: index, Instruction: err}
}

// SyscallErrorKind is a failure of one of this package's syscalls that is
// not an InstructionError: Agave's CpiError and SyscallError variants.
type SyscallErrorKind uint8

// Syscall error kinds.
const (
	KindBadSeeds SyscallErrorKind = iota + 1
	KindTooManySigners
	KindInvalidLength
	KindMaxInstructionAccountsExceeded
	KindMaxInstructionDataLenExceeded
	KindMaxInstructionAccountInfosExceeded
	KindProgramNotSupported
	KindInvalidPointer
	KindCopyOverlapping
)

var syscallErrorNames = map[SyscallErrorKind]string{
	KindBadSeeds: "BadSeeds", KindTooManySigners: "TooManySigners", KindInvalidLength: "InvalidLength",
	KindMaxInstructionAccountsExceeded: "MaxInstructionAccountsExceeded", KindMaxInstructionDataLenExceeded: "MaxInstructionDataLenExceeded",
	KindMaxInstructionAccountInfosExceeded: "MaxInstructionAccountInfosExceeded", KindProgramNotSupported: "ProgramNotSupported",
	KindInvalidPointer: "InvalidPointer", KindCopyOverlapping: "CopyOverlapping",
}

func (k SyscallErrorKind) String() string {
	if n, ok := syscallErrorNames[k]; ok {
		return n
	}
	return fmt.Sprintf("SyscallErrorKind(%d)", uint8(k))
}

// SyscallError is a failed CPI, PDA or sysvar syscall. Its message is
// Agave's.
type SyscallError struct {
	Kind SyscallErrorKind
	Msg  string
}

func (e *SyscallError) Error() string { return e.Msg }

// KindName implements vm.KindNamer.
func (e *SyscallError) KindName() string { return e.Kind.String() }

func sysErr(k SyscallErrorKind, format string, args ...any) *SyscallError {
	return &SyscallError{Kind: k, Msg: fmt.Sprintf(format, args...)}
}
