// Package vm runs sBPF programs exactly as the reference implementation
// (anza-xyz/sbpf) does: the same r0, the same error kind and the same
// compute units.
//
// A Program (text, read-only data, entry point, function registry) is
// turned by an Engine into an Executable once: the interpreter predecodes
// every slot, resolves calls and syscalls and folds the version's
// semantics into internal opcodes, so the hot loop never consults the
// version. An Executable is immutable and may be shared by goroutines; a
// Machine holds the mutable state of one run (registers, stack, heap,
// meter) and is cheap to reuse.
//
// Syscalls are registered in a Registry; they reach the outside world only
// through the Context value the caller passes to Run. Tools observe
// execution through a Hook, which costs nothing when absent.
//
// This package never verifies programs (see package verify), never parses
// text or ELF, and knows nothing of accounts or transactions.
package vm
