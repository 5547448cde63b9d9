package modules

import "github.com/agora-vm/agora/ext/exterr"

// ErrorKind names a failed module call. Its String is the stable kind
// name vm.ErrorKindOf reports. A pointer outside the memory map is the
// VM's own AccessViolation.
type ErrorKind uint8

// Error kinds.
const (
	// KindNoHost: the run's context cannot resolve programs (see Host).
	KindNoHost ErrorKind = iota + 1
	// KindUnknownModule: the program id names no program the run can see.
	KindUnknownModule
	// KindMissingExport: the program exports no function with fn_hash.
	KindMissingExport
	// KindUnverifiedModule: the program's ELF does not load or fails the
	// structural verifier.
	KindUnverifiedModule
	// KindVersionMismatch: the caller pinned a version that is not the
	// active one.
	KindVersionMismatch
	// KindReadOnlyWrite: the callee changed an argument passed read-only.
	KindReadOnlyWrite
	// KindModuleFault: the callee failed (its error is wrapped).
	KindModuleFault
	// KindCallDepth: the call would exceed the call depth or MaxNesting.
	KindCallDepth
	// KindBadTarget: flags with unknown bits, or a window above MaxWindow.
	KindBadTarget
	// KindBadVersions: a versions account whose data does not decode.
	KindBadVersions
	// KindBadVersionsInstruction: a versions-program instruction with bad
	// data or accounts.
	KindBadVersionsInstruction
	// KindWrongAuthority: an upgrade or rollback not signed by the
	// program's upgrade authority.
	KindWrongAuthority
	// KindStagePending: a version is staged already (it activates at the
	// end of the slot).
	KindStagePending
	// KindNoPrevious: a rollback with no previous version.
	KindNoPrevious
)

var kindNames = [...]string{
	KindNoHost:                 "NoModuleHost",
	KindUnknownModule:          "UnknownModule",
	KindMissingExport:          "MissingExport",
	KindUnverifiedModule:       "UnverifiedModule",
	KindVersionMismatch:        "ModuleVersionMismatch",
	KindReadOnlyWrite:          "ModuleReadOnlyWrite",
	KindModuleFault:            "ModuleFault",
	KindCallDepth:              "ModuleCallDepthExceeded",
	KindBadTarget:              "BadModuleTarget",
	KindBadVersions:            "BadVersionsAccount",
	KindBadVersionsInstruction: "BadVersionsInstruction",
	KindWrongAuthority:         "WrongUpgradeAuthority",
	KindStagePending:           "UpgradeAlreadyStaged",
	KindNoPrevious:             "NoPreviousVersion",
}

// String returns the kind's stable name, e.g. "MissingExport".
func (k ErrorKind) String() string { return exterr.KindString(kindNames[:], k) }

// Error is a failed module call. Errors match with errors.Is by kind.
type Error = exterr.Error[ErrorKind]

// Sentinels for errors.Is.
var (
	ErrNoHost           = &Error{Kind: KindNoHost}
	ErrUnknownModule    = &Error{Kind: KindUnknownModule}
	ErrMissingExport    = &Error{Kind: KindMissingExport}
	ErrUnverifiedModule = &Error{Kind: KindUnverifiedModule}
	ErrVersionMismatch  = &Error{Kind: KindVersionMismatch}
	ErrReadOnlyWrite    = &Error{Kind: KindReadOnlyWrite}
	ErrModuleFault      = &Error{Kind: KindModuleFault}
	ErrCallDepth        = &Error{Kind: KindCallDepth}
	ErrBadTarget        = &Error{Kind: KindBadTarget}
	ErrBadVersions      = &Error{Kind: KindBadVersions}
	ErrBadVersionsIx    = &Error{Kind: KindBadVersionsInstruction}
	ErrWrongAuthority   = &Error{Kind: KindWrongAuthority}
	ErrStagePending     = &Error{Kind: KindStagePending}
	ErrNoPrevious       = &Error{Kind: KindNoPrevious}
)

func errorf(k ErrorKind, format string, args ...any) *Error {
	return exterr.Errorf(k, format, args...)
}
