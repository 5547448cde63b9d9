// Package svm (the Solana virtual machine runtime) executes Solana transactions: it checks and charges
// them, loads the accounts they declare, runs each instruction (native
// programs in Go, BPF programs in the VM over Solana's aligned input ABI),
// serves cross-program invocation, program-derived addresses, sysvars and
// return data to programs, applies Agave's account rules after every
// instruction, and returns the accounts the transaction wrote.
//
// A v0 transaction's address table lookups are resolved first (Resolve:
// the Address Lookup Table program's tables as of the block's slot), and
// everything after sees the static and loaded keys alike; the
// Instructions sysvar is built from the message for transactions that
// list it.
//
// Semantics follow Agave (program-runtime's InvokeContext and
// TransactionContext, the BPF loader, the CPI syscalls, the System and
// Address Lookup Table programs) with today's mainnet features: the
// per-transaction compute meter, 200,000 CU per instruction by default (3,000 per builtin), at
// most 1.4M; a 5,000-lamport fee per signature, the transaction's and
// those its Ed25519, Secp256k1 and Secp256r1 precompile instructions
// claim (Fee); an invoke stack of 5
// (the top level plus four CPIs); a trace of at most 64 instructions;
// rent-state checks on every writable account. Errors are
// *TransactionError and *InstructionError with Agave's names; logs are
// the lines Solana prints.
//
// Execution is designed for a parallel scheduler: Execute reads only the
// accounts a transaction declares, through the AccountReader it is given,
// works on private copies of them (copy on write, nothing shared is
// mutated), and returns the writes for the caller to commit in block
// order. Programs are prepared once and shared read-only (Programs).
//
// The package never touches storage, never reads the wall clock and
// keeps no global mutable state. Package bank drives it block by block.
package svm
