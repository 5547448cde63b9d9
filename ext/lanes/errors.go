package lanes

import "github.com/agora-vm/agora/ext/exterr"

// ErrorKind names a misuse of lanes or atomics. Its String is the stable
// kind name that vm.ErrorKindOf (and `agora run --json`, as error.kind)
// reports.
type ErrorKind uint8

// Error kinds.
const (
	// KindLaneWriteConflict: at a merge, a child changed a byte that
	// another child or the parent changed since the child's spawn.
	KindLaneWriteConflict ErrorKind = iota + 1
	// KindTaskLeak: a lane exited with a child neither joined nor fenced.
	KindTaskLeak
	// KindInvalidHandle: join of a handle never returned, or joined twice.
	KindInvalidHandle
	// KindInvalidFunction: spawn of a pc outside the program's text.
	KindInvalidFunction
	// KindTooManyTasks: more than MaxTasks children outstanding in a lane.
	KindTooManyTasks
	// KindLaneFault: a child's run failed; the parent faults when it
	// merges that child.
	KindLaneFault
	// KindAtomicMisaligned: an atomic address not a multiple of 8.
	KindAtomicMisaligned
	// KindWatcherInUse: spawn on a machine whose write watcher belongs to
	// something else (a transaction is open).
	KindWatcherInUse
	// KindArgumentTooLarge: a spawn argument over MaxArgLen bytes.
	KindArgumentTooLarge
)

var kindNames = [...]string{
	KindLaneWriteConflict: "LaneWriteConflict",
	KindTaskLeak:          "TaskLeak",
	KindInvalidHandle:     "InvalidHandle",
	KindInvalidFunction:   "InvalidFunction",
	KindTooManyTasks:      "TooManyTasks",
	KindLaneFault:         "LaneFault",
	KindAtomicMisaligned:  "AtomicMisaligned",
	KindWatcherInUse:      "WatcherInUse",
	KindArgumentTooLarge:  "ArgumentTooLarge",
}

// String returns the kind's stable name, e.g. "LaneWriteConflict".
func (k ErrorKind) String() string { return exterr.KindString(kindNames[:], k) }

// Error is a fault raised by lanes. The VM wraps it in a *vm.Error of kind
// SyscallError; vm.ErrorKindOf reports Kind's name. Errors match with
// errors.Is by kind.
type Error = exterr.Error[ErrorKind]

// Sentinels for errors.Is.
var (
	ErrLaneWriteConflict = &Error{Kind: KindLaneWriteConflict}
	ErrTaskLeak          = &Error{Kind: KindTaskLeak}
	ErrInvalidHandle     = &Error{Kind: KindInvalidHandle}
	ErrInvalidFunction   = &Error{Kind: KindInvalidFunction}
	ErrTooManyTasks      = &Error{Kind: KindTooManyTasks}
	ErrLaneFault         = &Error{Kind: KindLaneFault}
	ErrAtomicMisaligned  = &Error{Kind: KindAtomicMisaligned}
	ErrWatcherInUse      = &Error{Kind: KindWatcherInUse}
	ErrArgumentTooLarge  = &Error{Kind: KindArgumentTooLarge}
)

func errorf(k ErrorKind, format string, args ...any) *Error {
	return exterr.Errorf(k, format, args...)
}
