package txmem

import "github.com/agora-vm/agora/ext/exterr"

// ErrorKind names a misuse of transactional memory. Its String is the
// stable kind name that vm.ErrorKindOf (and `agora run --json`, as
// error.kind) reports.
type ErrorKind uint8

// Error kinds.
const (
	// KindNestedTransaction: tx_begin while a transaction is open.
	KindNestedTransaction ErrorKind = iota + 1
	// KindNoActiveTransaction: tx_commit or tx_abort with none open.
	KindNoActiveTransaction
	// KindTransactionLeak: the program exited with a transaction open. The
	// transaction was aborted (memory restored) before the run failed.
	KindTransactionLeak
	// KindCPIInTransaction: a cross-program invocation while a
	// transaction is open (see CheckCPI).
	KindCPIInTransaction
	// KindWatcherInUse: tx_begin on a machine whose write watcher belongs
	// to something else (a host configuration error, not a program's).
	KindWatcherInUse
)

var kindNames = [...]string{
	KindNestedTransaction:   "NestedTransaction",
	KindNoActiveTransaction: "NoActiveTransaction",
	KindTransactionLeak:     "TransactionLeak",
	KindCPIInTransaction:    "CPIInTransaction",
	KindWatcherInUse:        "WatcherInUse",
}

// String returns the kind's stable name, e.g. "NestedTransaction".
func (k ErrorKind) String() string { return exterr.KindString(kindNames[:], k) }

// Error is a fault raised by transactional memory. The VM wraps it in a
// *vm.Error of kind SyscallError; vm.ErrorKindOf reports Kind's name.
// Errors match with errors.Is by kind.
type Error = exterr.Error[ErrorKind]

// Sentinels for errors.Is.
var (
	ErrNestedTransaction   = &Error{Kind: KindNestedTransaction}
	ErrNoActiveTransaction = &Error{Kind: KindNoActiveTransaction}
	ErrTransactionLeak     = &Error{Kind: KindTransactionLeak}
	ErrCPIInTransaction    = &Error{Kind: KindCPIInTransaction}
	ErrWatcherInUse        = &Error{Kind: KindWatcherInUse}
)

func errorf(k ErrorKind, format string, args ...any) *Error {
	return exterr.Errorf(k, format, args...)
}
