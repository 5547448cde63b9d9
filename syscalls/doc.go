// Package syscalls implements the standard Solana syscalls that need no
// accounts (logging, memory operations, hashing, return data, the heap
// allocator, compute-unit queries, abort and panic), byte-compatible with
// Agave: the same names, the same compute-unit prices charged in the same
// order, the same argument checks, the same error kinds and the same log
// text.
//
// Register adds them to a vm.Registry. A syscall reaches the world outside
// the VM only through the value the caller passes as vm.RunOptions.Context,
// and only through the small interfaces declared here (LogSink,
// ReturnDataStore, ProgramIdentity, HeapAllocator, AlignmentPolicy).
// Context implements all of them for raw runs (the CLI, tests); the runtime
// implements them for real transactions.
//
// Guest pointers are always checked through vm.Machine.Translate, so a bad
// pointer fails with the VM's AccessViolation and never reads host memory.
// Prices are charged before the work they pay for, exactly where Agave
// charges them, because that order decides the compute units reported for a
// failing call. Costs lists every price.
//
// This package never touches accounts, never keeps global mutable state and
// never panics on anything a guest program passes it.
package syscalls
