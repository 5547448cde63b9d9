package txmem

import (
	"fmt"
	"sync"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/extnames"
	"github.com/agora-vm/agora/vm"
)

// Syscall names, as programs call them (the call's imm is the murmur3 hash
// of the name).
const (
	NameBegin  = extnames.TxBegin
	NameCommit = extnames.TxCommit
	NameAbort  = extnames.TxAbort
	NameTest   = extnames.TxTest
)

// Names lists every syscall of the package, in registration order.
func Names() []string { return []string{NameBegin, NameCommit, NameAbort, NameTest} }

// Aliases returns the assembler mnemonics of the package, to pass as
// asm.Options.Aliases: `tx_begin` assembles to `syscall agora_tx_begin`,
// and likewise tx_commit, tx_abort and tx_test. The map is new on every
// call, so callers may merge other families' aliases into it.
func Aliases() map[string]string {
	return extnames.Aliases(Names()...)
}

// Register adds the syscalls of this package to r. It registers nothing
// when one of the names is already taken.
func Register(r *vm.Registry) error {
	if r == nil {
		return fmt.Errorf("txmem: nil registry")
	}
	f := &family{}
	table := []struct {
		name string
		fn   vm.SyscallFunc
	}{
		{NameBegin, f.begin},
		{NameCommit, sysCommit},
		{NameAbort, sysAbort},
		{NameTest, sysTest},
	}
	for _, t := range table {
		if name, taken := r.Name(sbpf.SyscallHash(t.name)); taken {
			return fmt.Errorf("txmem: syscall %q collides with registered %q", t.name, name)
		}
	}
	for _, t := range table {
		if err := r.Register(t.name, t.fn); err != nil {
			return fmt.Errorf("txmem: %w", err)
		}
	}
	return nil
}

// family is the state one Register call shares between the machines that
// run its syscalls: a pool of undo logs, so that a transaction reuses the
// buffers of an earlier one instead of allocating its own. It is safe for
// concurrent use.
type family struct {
	logs sync.Pool
}

// logOf returns the open transaction's log, or nil when none is open.
func logOf(m *vm.Machine) *Log {
	l, _ := m.Watcher().(*Log)
	return l
}

// Active reports whether m has a transaction open. It is meaningful
// inside a syscall and after a run that faulted (a run that exited
// normally never leaves one open).
func Active(m *vm.Machine) bool { return logOf(m) != nil }

// OpenLog returns the undo log of m's open transaction, or nil. Tools use
// it to show what an abort would restore; it must not be modified, and it
// is valid only until the transaction closes.
func OpenLog(m *vm.Machine) *Log { return logOf(m) }

// CheckCPI is the check a cross-program invocation must make before it
// does anything: it fails with CPIInTransaction when m has a transaction
// open, and returns nil otherwise. The runtime calls it at the start of
// sol_invoke_signed_c and sol_invoke_signed_rust (or registers them
// wrapped with GuardCPI).
//
// CPI is rejected inside a transaction because the callee changes the
// transaction's accounts outside the caller's memory (in the runtime's
// account state, and for accounts the caller does not map), so restoring
// the caller's memory could not undo it.
func CheckCPI(m *vm.Machine) error {
	if Active(m) {
		return errorf(KindCPIInTransaction, "cross-program invocation with a transaction open")
	}
	return nil
}

// GuardCPI wraps a cross-program-invocation syscall so that it first
// calls CheckCPI, charging nothing more.
func GuardCPI(fn vm.SyscallFunc) vm.SyscallFunc {
	return func(m *vm.Machine, r1, r2, r3, r4, r5 uint64) (uint64, error) {
		if err := CheckCPI(m); err != nil {
			return 0, err
		}
		return fn(m, r1, r2, r3, r4, r5)
	}
}

// Rollback aborts m's open transaction, if any, as tx_abort would but
// without charging, and reports whether one was open. A run that exits
// with a transaction open is rolled back by the VM already
// (TransactionLeak); after a run that faulted inside a transaction the
// memory still holds the transaction's writes, and Rollback restores it
// for callers that go on reading that memory (a runtime discards the
// memory of a failed instruction and need not call it).
func Rollback(m *vm.Machine) (bool, error) {
	l := logOf(m)
	if l == nil {
		return false, nil
	}
	err := l.restore(m)
	m.UnwatchWrites()
	l.release()
	return true, err
}

// begin is agora_tx_begin() -> 0.
func (f *family) begin(m *vm.Machine, _, _, _, _, _ uint64) (uint64, error) {
	if err := m.Consume(CostBegin); err != nil {
		return 0, err
	}
	switch w := m.Watcher(); w.(type) {
	case nil:
	case *Log:
		return 0, errorf(KindNestedTransaction, "tx_begin with a transaction open")
	default:
		return 0, errorf(KindWatcherInUse, "the machine's write watcher is a %T", w)
	}
	l, _ := f.logs.Get().(*Log)
	if l == nil {
		l = &Log{home: f}
	}
	m.WatchWrites(l)
	return 0, nil
}

// sysCommit is agora_tx_commit() -> 0.
func sysCommit(m *vm.Machine, _, _, _, _, _ uint64) (uint64, error) {
	l := logOf(m)
	if l == nil {
		return 0, errorf(KindNoActiveTransaction, "tx_commit without a transaction")
	}
	if err := m.Consume(l.costOf(CostCommitBase, CommitBytesPerCU)); err != nil {
		return 0, err
	}
	m.UnwatchWrites()
	l.release()
	return 0, nil
}

// sysAbort is agora_tx_abort() -> 0.
func sysAbort(m *vm.Machine, _, _, _, _, _ uint64) (uint64, error) {
	l := logOf(m)
	if l == nil {
		return 0, errorf(KindNoActiveTransaction, "tx_abort without a transaction")
	}
	if err := m.Consume(l.costOf(CostAbortBase, AbortBytesPerCU)); err != nil {
		return 0, err
	}
	err := l.restore(m)
	m.UnwatchWrites()
	l.release()
	return 0, err
}

// sysTest is agora_tx_test() -> 1 when a transaction is open, else 0.
func sysTest(m *vm.Machine, _, _, _, _, _ uint64) (uint64, error) {
	if err := m.Consume(CostTest); err != nil {
		return 0, err
	}
	if Active(m) {
		return 1, nil
	}
	return 0, nil
}
