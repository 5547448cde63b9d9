// Package vm runs sBPF programs exactly as the reference implementation
// (anza-xyz/sbpf) does: the same r0, the same error kind and the same
// compute units.
//
// A Program (text, read-only data, entry point, function registry) is
// turned by an Engine into a Runnable once, and Runnable.Run is the only
// way to execute it. The Interpreter engine predecodes every slot into an
// Executable, resolving calls and syscalls and folding the version's
// semantics into internal opcodes, so the hot loop never consults the
// version; a compiling engine (package vm/jit) plugs in behind the same
// interface. A Runnable is immutable and may be shared by goroutines; a
// Machine holds the mutable state of one run (registers, stack, heap,
// meter), which the engine drives during Run, and is cheap to reuse.
// Syscalls, hooks and write watchers see the Machine whichever engine
// runs the program.
//
// Syscalls are registered in a Registry; they reach the outside world only
// through the Context value the caller passes to Run. Tools observe
// execution through a Hook, which costs nothing when absent.
//
// This package never verifies programs (see package verify), never parses
// text or ELF, and knows nothing of accounts or transactions.
package vm
