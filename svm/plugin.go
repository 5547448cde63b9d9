package svm

import (
	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/vm"
)

// A Plugin extends an Executor beyond Solana's own runtime: more
// syscalls, more native programs, and checks before cross-program
// invocations. The package itself knows no extension; its caller composes
// the set it wants (package ext composes Agora's). An executor built
// with no plug-ins is a plain Solana runtime.
type Plugin struct {
	// Name identifies the plug-in in errors.
	Name string
	// Register adds the plug-in's syscalls to a registry. It is called
	// once for the registry programs run with and once for the registry
	// programs are deployed against.
	Register func(*vm.Registry) error
	// Natives are native programs served in Go.
	Natives []Native
	// BeforeInvoke runs before every invocation a BPF program makes
	// (sol_invoke_signed_* and native invocations from syscalls); an
	// error refuses it. Transactional memory uses it: an invocation
	// cannot be undone by its undo log.
	BeforeInvoke func(*vm.Machine) error
	// EndBlock runs after a block's last transaction, before the block
	// is committed: written are the transactions' writes in order, r the
	// state after them. The accounts it returns are written too, as part
	// of the same block, so what it activates is visible from the next
	// slot on and never to a transaction of this one. Staged program
	// versions use it. It must be deterministic: a function of its
	// arguments alone.
	EndBlock func(slot uint64, written []account.Keyed, r AccountReader) ([]account.Keyed, error)
}

// Native is a program implemented in Go.
type Native struct {
	ID   pubkey.Pubkey
	Name string
	// Process executes one instruction of the program.
	Process func(*Invocation) *InstructionError
	// ProgramBudget gives the program's instructions a BPF program's
	// default compute allowance (200,000 CU) rather than a builtin's
	// (3,000), for natives that price their work like programs.
	ProgramBudget bool
}
