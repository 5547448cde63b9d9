// Package modules lets an sBPF program call an exported function of
// another deployed program in-process, without a cross-program
// invocation's account serialization (part 9 of the design, dynamic
// code loading):
//
//	agora_module_call(target_ptr, arg_ptr, arg_len, out_ptr, out_cap) -> the callee's r0
//
// The target block (TargetSize bytes, little-endian) names the program,
// the function and the call's options: program id [32], fn_hash u32
// (murmur3-32 of the exported name), flags u32 (FlagWritable), version
// u64 (0: the active one; otherwise the call fails unless it is the
// active one). sdk/c/agora.h offers it as the six-argument
// agora_module_call(program_id, fn_hash, arg, arg_len, out, out_cap).
//
// Exports come from the callee ELF's dynamic symbol table (elf.Exports).
// A module is loaded, checked by the structural verifier and prepared
// once per program version; an ELF that fails the verifier is never run
// (UnverifiedModule). The callee runs on a machine of its own, from the
// export as an entry frame, with its own stack and heap; its input
// region is the caller's window: the argument bytes (r1, length r2)
// followed by an out buffer of out_cap zero bytes (r3, capacity r4). The
// window is read-only unless the caller passes FlagWritable: a callee
// that changes a read-only argument fails the call (ModuleReadOnlyWrite)
// and nothing is written back. On success the out buffer, and with
// FlagWritable the argument, are copied back into the caller's memory.
//
// The callee's CU are charged to the caller (its budget is the caller's
// remaining CU), and its frames count against the caller's call depth:
// it may use 64 less the caller's depth less one frames, and module
// calls nest at most MaxNesting deep. In the callee, logs go to the
// caller's log and nested module calls work; syscalls that need the
// transaction (accounts, CPI, return data) are not available.
//
// Which ELF a program id names is the run context's business (Host): the
// Solana runtime gives the program's active version as the transaction
// sees it. This package keeps no global state, reads no clock and never
// imports the runtime (svm).
package modules
